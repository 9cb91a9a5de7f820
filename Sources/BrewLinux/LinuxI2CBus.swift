#if canImport(Glibc)
import Glibc
#endif
import BrewHAL
import CI2C

/// An I2C adapter on Linux, `/dev/i2c-N`, spoken to with libi2c's SMBus calls — what the kernel's
/// own drivers use, and what `i2c-stub` answers in the hardware-in-the-loop test.
///
/// Each transaction selects the peripheral (`I2C_SLAVE`) and makes the SMBus call; a failure that
/// can be transient (arbitration lost, a NACK from a chip that was busy converting, a bus timeout)
/// is retried at most `retries` times. Errors name the bus, address and register. The descriptor
/// is opened once and kept; `reopen()` starts again after the adapter went away (USB adapters).
public final class LinuxI2CBus: I2CBus {
    public let adapter: Int
    public let name: String
    public let retries: Int
    private var fd: Int32 = -1
    private var selected: UInt8?

    /// Opens `/dev/i2c-<adapter>`. Throws `.io` naming the device when it cannot be opened (no
    /// such adapter, or not in the `i2c` group), and `.invalidRequest` when it cannot do SMBus
    /// byte and word transfers.
    public init(adapter: Int, retries: Int = 2) throws(BusError) {
        self.adapter = adapter
        self.name = "i2c-\(adapter)"
        self.retries = max(0, retries)
        try reopen()
    }

    deinit { if fd >= 0 { close(fd) } }

    public var devicePath: String { "/dev/i2c-\(adapter)" }

    public func reopen() throws(BusError) {
        if fd >= 0 { close(fd) }
        selected = nil
        fd = open(devicePath, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw BusError(e == ENOENT ? .noDevice : .io, bus: name,
                           detail: "cannot open \(devicePath): \(String(cString: strerror(e)))"
                               + (e == EACCES ? " (add the user to the i2c group)" : ""))
        }
        var functions: UInt = 0
        let rc = brew_i2c_functions(fd, &functions)
        guard rc == 0 else { throw Self.error(-rc, bus: name, address: nil, register: nil, doing: "I2C_FUNCS") }
        let needed = UInt(I2C_FUNC_SMBUS_BYTE_DATA | I2C_FUNC_SMBUS_WORD_DATA)
        guard functions & needed == needed else {
            throw BusError(.invalidRequest, bus: name, detail: "adapter cannot do SMBus byte and word transfers")
        }
    }

    public func readByte(address: UInt8) throws(BusError) -> UInt8 {
        UInt8(truncatingIfNeeded: try transfer(address, nil, "read byte") { i2c_smbus_read_byte($0) })
    }

    public func writeByte(address: UInt8, value: UInt8) throws(BusError) {
        _ = try transfer(address, nil, "write byte") { i2c_smbus_write_byte($0, value) }
    }

    public func readByteData(address: UInt8, register: UInt8) throws(BusError) -> UInt8 {
        UInt8(truncatingIfNeeded: try transfer(address, register, "read byte data") { i2c_smbus_read_byte_data($0, register) })
    }

    public func writeByteData(address: UInt8, register: UInt8, value: UInt8) throws(BusError) {
        _ = try transfer(address, register, "write byte data") { i2c_smbus_write_byte_data($0, register, value) }
    }

    public func readWordData(address: UInt8, register: UInt8) throws(BusError) -> UInt16 {
        UInt16(truncatingIfNeeded: try transfer(address, register, "read word data") { i2c_smbus_read_word_data($0, register) })
    }

    public func writeWordData(address: UInt8, register: UInt8, value: UInt16) throws(BusError) {
        _ = try transfer(address, register, "write word data") { i2c_smbus_write_word_data($0, register, value) }
    }

    /// Whether something acknowledges `address` (a quick read, as `i2cdetect -r` does), for scans.
    public func probe(address: UInt8) -> Bool {
        (try? transfer(address, nil, "probe", attempts: 1) { i2c_smbus_read_byte($0) }) != nil
    }

    // MARK: - Internals

    private func transfer(_ address: UInt8, _ register: UInt8?, _ what: String, attempts: Int? = nil,
                          _ call: (Int32) -> Int32) throws(BusError) -> Int32 {
        guard address >= 0x03, address <= 0x77 else {
            throw BusError(.invalidRequest, bus: name, address: Int(address), register: register.map(Int.init),
                           detail: "0x\(String(address, radix: 16)) is not a 7-bit device address")
        }
        guard fd >= 0 else { throw BusError(.io, bus: name, address: Int(address), detail: "\(devicePath) is not open") }
        var last: BusError?
        for _ in 0..<(attempts ?? retries + 1) {
            if selected != address {
                let rc = brew_i2c_select(fd, Int32(address))
                guard rc == 0 else { throw Self.error(-rc, bus: name, address: address, register: register, doing: "select") }
                selected = address
            }
            let result = call(fd)
            if result >= 0 { return result }
            let error = Self.error(-result, bus: name, address: address, register: register, doing: what)
            last = error
            if error.kind == .invalidRequest { throw error }
        }
        throw last ?? BusError(.io, bus: name, address: Int(address), detail: "\(what) failed")
    }

    /// libi2c hands back −errno; the kernel's I2C core uses ENXIO/EREMOTEIO for a NACK,
    /// ETIMEDOUT for a stuck bus, EBADMSG for a PEC mismatch, EAGAIN for lost arbitration.
    static func error(_ code: Int32, bus: String, address: UInt8?, register: UInt8?, doing what: String) -> BusError {
        let kind: BusError.Kind
        switch code {
        case ENXIO, EREMOTEIO, ENODEV: kind = .noDevice   // i2c-stub and some adapters: ENODEV
        case ETIMEDOUT: kind = .timeout
        case EBADMSG: kind = .checksum
        case EINVAL, EOPNOTSUPP, EPROTONOSUPPORT: kind = .invalidRequest
        default: kind = .io
        }
        return BusError(kind, bus: bus, address: address.map(Int.init), register: register.map(Int.init),
                        detail: "\(what): \(String(cString: strerror(code)))")
    }
}
