import BrewCore
import BrewHAL

/// An I2C adapter with simulated chips on it, spoken to in SMBus transactions like the real one.
///
/// Each SMBus call becomes a sequence of wire events for the addressed `SimulatedI2CDevice`
/// (START, register pointer, data bytes, repeated START, STOP), with SMBus byte order on the wire:
/// words are sent and received low byte first. Register semantics and register byte order are the
/// chip's own business.
///
/// Failures look like a real bus's:
/// - an address outside 0x08…0x77 (7-bit, not reserved) → `.invalidRequest`, nothing on the wire;
/// - nobody attached at the address, or the device `disconnect`ed → `.noDevice` (address NACK);
/// - a device NACKing a data byte → `.io`;
/// - faults scheduled with `fail(at:next:with:)` → that kind, before the device sees anything
///   (so a failed write has not taken effect).
///
/// Not thread-safe: like the real adapter it belongs to the one control loop that owns it.
public final class SimulatedI2CBus: I2CBus {
    /// Lowest and highest addresses a device may use; 0x00–0x07 and 0x78–0x7F are reserved by the
    /// I2C specification (general call, CBUS, HS-mode, 10-bit addressing …).
    public static let validAddresses: ClosedRange<UInt8> = 0x08...0x77

    public let name: String

    /// Every SMBus call made on this bus, whatever its outcome (including NACKs, injected faults
    /// and rejected addresses).
    public private(set) var transactionCount = 0

    private var devices: [(any SimulatedI2CDevice)?] = Array(repeating: nil, count: 128)
    private var disconnected: [Bool] = Array(repeating: false, count: 128)
    private var pendingFailures: [Int] = Array(repeating: 0, count: 128)
    private var pendingFailureKind: [BusError.Kind] = Array(repeating: .io, count: 128)

    public init(name: String = "sim-i2c") {
        self.name = name
    }

    // MARK: Wiring

    /// Puts a device on the bus at a 7-bit address.
    /// Throws `.invalidRequest` for a reserved or out-of-range address or one already taken.
    public func attach(_ device: any SimulatedI2CDevice, at address: UInt8) throws(BusError) {
        try checkAddress(address, register: nil)
        if devices[Int(address)] != nil {
            throw BusError(.invalidRequest, bus: name, address: Int(address),
                           detail: "address already taken by another simulated device")
        }
        devices[Int(address)] = device
        disconnected[Int(address)] = false
    }

    /// Takes the device off the bus entirely (the address NACKs from now on).
    public func detach(at address: UInt8) {
        guard address < 128 else { return }
        devices[Int(address)] = nil
        disconnected[Int(address)] = false
    }

    /// The device attached at an address, connected or not.
    public func device(at address: UInt8) -> (any SimulatedI2CDevice)? {
        address < 128 ? devices[Int(address)] : nil
    }

    // MARK: Fault injection

    /// A loose wire: the device stays attached (and keeps its register contents, it is still powered)
    /// but does not acknowledge its address until `reconnect`.
    public func disconnect(_ address: UInt8) {
        guard address < 128 else { return }
        disconnected[Int(address)] = true
    }

    public func reconnect(_ address: UInt8) {
        guard address < 128 else { return }
        disconnected[Int(address)] = false
    }

    public func isConnected(_ address: UInt8) -> Bool {
        address < 128 && devices[Int(address)] != nil && !disconnected[Int(address)]
    }

    /// The next `count` transactions addressed to `address` fail with `kind` (replacing any failures
    /// still scheduled there). Scheduled failures take precedence over a disconnect.
    public func fail(at address: UInt8, next count: Int = 1, with kind: BusError.Kind) {
        precondition(count >= 0, "failure count must not be negative")
        guard address < 128 else { return }
        pendingFailures[Int(address)] = count
        pendingFailureKind[Int(address)] = kind
    }

    /// How many scheduled failures at `address` have not happened yet.
    public func pendingFailures(at address: UInt8) -> Int {
        address < 128 ? pendingFailures[Int(address)] : 0
    }

    /// Cancels all scheduled failures and reconnects every attached device.
    public func clearFaults() {
        for i in 0..<128 {
            pendingFailures[i] = 0
            disconnected[i] = false
        }
    }

    // MARK: I2CBus (SMBus transactions)

    /// SMBus "receive byte": reads one byte from wherever the device's register pointer points.
    public func readByte(address: UInt8) throws(BusError) -> UInt8 {
        let device = try begin(address, register: nil)
        device.i2cStart(read: true)
        let value = device.i2cRead()
        device.i2cStop()
        return value
    }

    /// SMBus "send byte": one byte after the address, no register pointer (a bare command code).
    /// A NACKed byte is `.io`, with `register` nil.
    public func writeByte(address: UInt8, value: UInt8) throws(BusError) {
        let device = try begin(address, register: nil)
        device.i2cStart(read: false)
        guard device.i2cWrite(value) else {
            device.i2cStop()
            throw BusError(.io, bus: name, address: Int(address), detail: "device NACKed byte 0x" + Self.hex2(value))
        }
        device.i2cStop()
    }

    static func hex2(_ v: UInt8) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return s.count < 2 ? "0" + s : s
    }

    public func readByteData(address: UInt8, register: UInt8) throws(BusError) -> UInt8 {
        let device = try begin(address, register: register)
        device.i2cStart(read: false)
        try send(register, to: device, address: address, register: register)
        device.i2cStart(read: true)
        let value = device.i2cRead()
        device.i2cStop()
        return value
    }

    public func writeByteData(address: UInt8, register: UInt8, value: UInt8) throws(BusError) {
        let device = try begin(address, register: register)
        device.i2cStart(read: false)
        try send(register, to: device, address: address, register: register)
        try send(value, to: device, address: address, register: register)
        device.i2cStop()
    }

    /// SMBus "read word": the first byte on the wire is the low byte of the result.
    public func readWordData(address: UInt8, register: UInt8) throws(BusError) -> UInt16 {
        let device = try begin(address, register: register)
        device.i2cStart(read: false)
        try send(register, to: device, address: address, register: register)
        device.i2cStart(read: true)
        let first = device.i2cRead()
        let second = device.i2cRead()
        device.i2cStop()
        return UInt16(first) | UInt16(second) << 8
    }

    /// SMBus "write word": the low byte of `value` goes on the wire first.
    public func writeWordData(address: UInt8, register: UInt8, value: UInt16) throws(BusError) {
        let device = try begin(address, register: register)
        device.i2cStart(read: false)
        try send(register, to: device, address: address, register: register)
        try send(UInt8(truncatingIfNeeded: value), to: device, address: address, register: register)
        try send(UInt8(truncatingIfNeeded: value >> 8), to: device, address: address, register: register)
        device.i2cStop()
    }

    // MARK: Internals

    private func checkAddress(_ address: UInt8, register: UInt8?) throws(BusError) {
        guard Self.validAddresses.contains(address) else {
            throw BusError(.invalidRequest, bus: name, address: Int(address), register: register.map(Int.init),
                           detail: address > 0x7F ? "not a 7-bit address" : "reserved I2C address")
        }
    }

    /// Address phase: counts the transaction, applies scheduled faults, and returns the device that
    /// ACKed its address.
    private func begin(_ address: UInt8, register: UInt8?) throws(BusError) -> any SimulatedI2CDevice {
        transactionCount += 1
        try checkAddress(address, register: register)
        let slot = Int(address)
        if pendingFailures[slot] > 0 {
            pendingFailures[slot] -= 1
            throw BusError(pendingFailureKind[slot], bus: name, address: slot, register: register.map(Int.init),
                           detail: "injected fault")
        }
        guard let device = devices[slot], !disconnected[slot] else {
            throw BusError(.noDevice, bus: name, address: slot, register: register.map(Int.init),
                           detail: "no ACK for address")
        }
        return device
    }

    private func send(_ byte: UInt8, to device: any SimulatedI2CDevice, address: UInt8, register: UInt8) throws(BusError) {
        guard device.i2cWrite(byte) else {
            device.i2cStop()
            throw BusError(.io, bus: name, address: Int(address), register: Int(register),
                           detail: "device NACKed a written byte")
        }
    }
}
