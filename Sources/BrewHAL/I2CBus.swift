import BrewCore

/// An I2C adapter, spoken to in SMBus transactions — the same calls libi2c offers on Linux
/// (`i2c_smbus_read_word_data` …), so a driver written against this runs unchanged on a real bus
/// and on a simulated one. Word transfers follow SMBus byte order: low byte first on the wire.
public protocol I2CBus: AnyObject {
    /// A name for messages, e.g. "i2c-1".
    var name: String { get }
    /// SMBus "receive byte": one byte from wherever the device's pointer is.
    func readByte(address: UInt8) throws(BusError) -> UInt8
    /// SMBus "send byte": one byte, no register (a command code, e.g. the DS2482's 1-Wire reset).
    func writeByte(address: UInt8, value: UInt8) throws(BusError)
    func readByteData(address: UInt8, register: UInt8) throws(BusError) -> UInt8
    func writeByteData(address: UInt8, register: UInt8, value: UInt8) throws(BusError)
    func readWordData(address: UInt8, register: UInt8) throws(BusError) -> UInt16
    func writeWordData(address: UInt8, register: UInt8, value: UInt16) throws(BusError)
}
