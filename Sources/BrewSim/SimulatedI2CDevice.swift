import BrewCore
import BrewHAL

/// The device side of an I2C bus, one byte at a time, the way a chip sees the wire.
///
/// `SimulatedI2CBus` turns each SMBus call into these events (START/repeated START with a direction,
/// bytes written by the host, bytes clocked out to the host, STOP). The chip implements its own
/// register-pointer semantics and its own byte order; the bus implements SMBus framing (a word is
/// low byte first on the wire). So a chip whose 16-bit registers go out MSB first (like the MCP9808)
/// really does arrive byte-swapped in `readWordData`, exactly as on Linux, and a driver that
/// forgets the swap fails its tests.
///
/// Address acknowledgement is the bus's business (attached, connected); a device attached to the bus
/// always ACKs its own address. Nothing here allocates.
public protocol SimulatedI2CDevice: AnyObject {
    /// START (or repeated START) addressed to this device. `read` is the R/W bit: true when the host
    /// is about to clock bytes out of the device, false when it is about to write bytes to it.
    func i2cStart(read: Bool)

    /// The host wrote one byte. Returns true to ACK it, false to NACK it.
    /// After a START for writing, the first byte is conventionally the register pointer.
    func i2cWrite(_ byte: UInt8) -> Bool

    /// The host clocks one byte out of the device.
    func i2cRead() -> UInt8

    /// STOP: the transaction is over (a chip commits a completed register write here).
    func i2cStop()
}
