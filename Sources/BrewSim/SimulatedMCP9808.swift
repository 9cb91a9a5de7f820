import BrewCore
import BrewHAL

/// A Microchip MCP9808 temperature sensor at register level (datasheet DS25095A, section 5).
///
/// Register file, all 16-bit and sent MSB first except the 8-bit resolution register:
///
/// | ptr  | register        | behaviour here                                                        |
/// |------|-----------------|-----------------------------------------------------------------------|
/// | 0x00 | RFU             | reads 0x0000, writes ignored                                          |
/// | 0x01 | CONFIG          | bits 10–0; lock bits sticky until power-on reset (see `writeConfig`)  |
/// | 0x02 | T_UPPER         | bits 12–2 (two's complement, 0.25 °C); ignored while Win. Lock set    |
/// | 0x03 | T_LOWER         | as T_UPPER                                                            |
/// | 0x04 | T_CRIT          | as T_UPPER; ignored while Crit. Lock set                              |
/// | 0x05 | T_A             | read-only: flags 15–13, sign 12, 13-bit two's complement in 1/16 °C  |
/// | 0x06 | Manufacturer ID | read-only, 0x0054                                                     |
/// | 0x07 | Device ID/rev   | read-only, 0x0400                                                     |
/// | 0x08 | Resolution      | 8-bit, bits 1–0 (POR 0b11 = 0.0625 °C)                                |
/// | else | reserved        | reads 0x0000, writes ignored                                          |
///
/// Writes to read-only registers are ignored (the chip ACKs and does nothing). The register pointer
/// persists between transactions, so an SMBus "receive byte" reads the last-pointed register.
/// A register write takes effect when the host has sent all its bytes (MSB first); a short write
/// is ignored, bytes beyond the register's width are ignored. Reading past a register's width
/// returns 0xFF (nothing drives the line; undocumented on the real chip).
///
/// Simplifications: T_A follows `temperature` immediately (no t_CONV delay), the Alert output is
/// modelled as comparator mode without hysteresis and only shows up in CONFIG's Alert Stat bit.
public final class SimulatedMCP9808: SimulatedI2CDevice {
    public enum Register {
        public static let rfu: UInt8 = 0x00
        public static let config: UInt8 = 0x01
        public static let upperLimit: UInt8 = 0x02
        public static let lowerLimit: UInt8 = 0x03
        public static let criticalLimit: UInt8 = 0x04
        public static let ambient: UInt8 = 0x05
        public static let manufacturerID: UInt8 = 0x06
        public static let deviceID: UInt8 = 0x07
        public static let resolution: UInt8 = 0x08
    }

    /// CONFIG bits.
    public enum Config {
        public static let hysteresisMask: UInt16 = 0x0600
        public static let shutdown: UInt16 = 0x0100
        public static let criticalLock: UInt16 = 0x0080
        public static let windowLock: UInt16 = 0x0040
        public static let interruptClear: UInt16 = 0x0020
        public static let alertStatus: UInt16 = 0x0010
        public static let alertControl: UInt16 = 0x0008
        public static let alertSelect: UInt16 = 0x0004
        public static let alertPolarity: UInt16 = 0x0002
        public static let alertMode: UInt16 = 0x0001
    }

    /// The range the chip is specified to measure; the simulated plant may go beyond it, the chip
    /// reports the nearest end.
    public static let measurableRange: ClosedRange<Double> = -40...125

    /// The temperature at the sensor, set by the simulated plant. Must not be NaN.
    public var temperature: Celsius {
        didSet { precondition(!temperature.value.isNaN, "simulated MCP9808 given a NaN temperature") }
    }

    public let manufacturerID: UInt16
    public let deviceIDAndRevision: UInt16

    public private(set) var config: UInt16 = 0
    public private(set) var upperLimit: UInt16 = 0
    public private(set) var lowerLimit: UInt16 = 0
    public private(set) var criticalLimit: UInt16 = 0
    /// Resolution register bits 1–0: 0 = 0.5 °C, 1 = 0.25 °C, 2 = 0.125 °C, 3 = 0.0625 °C.
    public private(set) var resolutionBits: UInt8 = 0b11
    /// The register pointer as last written by the host.
    public private(set) var pointer: UInt8 = 0

    /// T_A as held while in shutdown (the last conversion before SHDN was set).
    private var heldAmbientCode: Int?

    // Wire state of the transaction in progress.
    private enum Phase { case idle, writing, reading }
    private var phase: Phase = .idle
    private var bytesWritten = 0
    private var pendingValue: UInt16 = 0
    private var readValue: UInt16 = 0
    private var readWidth = 0
    private var bytesRead = 0

    /// The identity registers can be changed to stand in for a different chip at the same address.
    public init(temperature: Celsius = Celsius(20), manufacturerID: UInt16 = 0x0054, deviceIDAndRevision: UInt16 = 0x0400) {
        precondition(!temperature.value.isNaN, "simulated MCP9808 given a NaN temperature")
        self.temperature = temperature
        self.manufacturerID = manufacturerID
        self.deviceIDAndRevision = deviceIDAndRevision
    }

    /// Power cycle: every writable register back to its POR value, locks released.
    public func powerOnReset() {
        config = 0
        upperLimit = 0
        lowerLimit = 0
        criticalLimit = 0
        resolutionBits = 0b11
        pointer = 0
        heldAmbientCode = nil
        phase = .idle
    }

    public var isShutdown: Bool { config & Config.shutdown != 0 }

    /// Size of the current resolution step in 1/16 °C: 8, 4, 2 or 1.
    public var resolutionStepSixteenths: Int { 8 >> Int(resolutionBits) }

    /// The temperature T_A currently encodes, as the driver should decode it.
    public var reportedTemperature: Celsius { Celsius(Double(ambientCode) / 16) }

    // MARK: Register contents

    /// The value a register read returns right now, as the chip holds it (bit 15 = first bit on
    /// the wire for 16-bit registers).
    public func registerValue(_ register: UInt8) -> UInt16 {
        switch register {
        case Register.config: return config | (alertAsserted ? Config.alertStatus : 0)
        case Register.upperLimit: return upperLimit
        case Register.lowerLimit: return lowerLimit
        case Register.criticalLimit: return criticalLimit
        case Register.ambient: return ambientRegister
        case Register.manufacturerID: return manufacturerID
        case Register.deviceID: return deviceIDAndRevision
        case Register.resolution: return UInt16(resolutionBits)
        default: return 0
        }
    }

    /// Width of a register in bytes.
    public static func width(of register: UInt8) -> Int {
        register == Register.resolution ? 1 : 2
    }

    /// Temperature as the chip encodes it at a resolution: clamped to the measurable range, rounded
    /// down to the resolution step (the low bits stay clear, which in two's complement is a floor),
    /// in signed 1/16 °C.
    public static func ambientCode(for temperature: Celsius, resolutionBits: UInt8) -> Int {
        let clamped = min(measurableRange.upperBound, max(measurableRange.lowerBound, temperature.value))
        let sixteenths = Int((clamped * 16).rounded(.down))
        let shift = 3 - Int(resolutionBits & 0b11)
        return (sixteenths >> shift) << shift
    }

    /// 13-bit two's complement (bit 12 = sign) of a code in 1/16 °C.
    public static func encode13(_ code: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: code) & 0x1FFF
    }

    /// Signed 1/16 °C from the low 13 bits of a register.
    public static func decode13(_ raw: UInt16) -> Int {
        let bits = Int(raw & 0x1FFF)
        return bits & 0x1000 != 0 ? bits - 0x2000 : bits
    }

    private var ambientCode: Int {
        heldAmbientCode ?? Self.ambientCode(for: temperature, resolutionBits: resolutionBits)
    }

    private var ambientRegister: UInt16 {
        let code = ambientCode
        var value = Self.encode13(code)
        if code >= Self.decode13(criticalLimit) { value |= 0x8000 }
        if code > Self.decode13(upperLimit) { value |= 0x4000 }
        if code < Self.decode13(lowerLimit) { value |= 0x2000 }
        return value
    }

    /// The Alert output (comparator mode, no hysteresis), when enabled by Alert Cnt.
    public var alertAsserted: Bool {
        guard config & Config.alertControl != 0 else { return false }
        let code = ambientCode
        let critical = code >= Self.decode13(criticalLimit)
        if config & Config.alertSelect != 0 { return critical }
        return critical || code > Self.decode13(upperLimit) || code < Self.decode13(lowerLimit)
    }

    private func write(_ register: UInt8, _ value: UInt16) {
        switch register {
        case Register.config: writeConfig(value)
        case Register.upperLimit where config & Config.windowLock == 0: upperLimit = value & 0x1FFC
        case Register.lowerLimit where config & Config.windowLock == 0: lowerLimit = value & 0x1FFC
        case Register.criticalLimit where config & Config.criticalLock == 0: criticalLimit = value & 0x1FFC
        case Register.resolution: resolutionBits = UInt8(value & 0b11)
        default: break   // read-only, reserved, or locked: the chip ACKs and ignores it
        }
    }

    /// CONFIG write rules (datasheet register 5-2): the lock bits can be set but only a power-on
    /// reset clears them; SHDN cannot be set while locked but can be cleared; Alert Cnt/Pol/Mod are
    /// frozen while either lock is set and Alert Sel while Win. Lock is set; Int. Clear reads 0;
    /// Alert Stat is an output.
    private func writeConfig(_ requested: UInt16) {
        let old = config
        let locked = old & (Config.criticalLock | Config.windowLock) != 0
        var new = requested & (Config.hysteresisMask | Config.shutdown | Config.criticalLock | Config.windowLock
            | Config.alertControl | Config.alertSelect | Config.alertPolarity | Config.alertMode)
        new |= old & (Config.criticalLock | Config.windowLock)
        if locked {
            let frozen = Config.alertControl | Config.alertPolarity | Config.alertMode
            new = (new & ~frozen) | (old & frozen)
            if old & Config.shutdown == 0 { new &= ~Config.shutdown }
        }
        if old & Config.windowLock != 0 {
            new = (new & ~Config.alertSelect) | (old & Config.alertSelect)
        }
        let wasShutdown = old & Config.shutdown != 0
        let nowShutdown = new & Config.shutdown != 0
        if nowShutdown && !wasShutdown {
            heldAmbientCode = Self.ambientCode(for: temperature, resolutionBits: resolutionBits)
        } else if !nowShutdown {
            heldAmbientCode = nil
        }
        config = new
    }

    // MARK: SimulatedI2CDevice

    public func i2cStart(read: Bool) {
        finishWrite()
        if read {
            phase = .reading
            readValue = registerValue(pointer)
            readWidth = Self.width(of: pointer)
            bytesRead = 0
        } else {
            phase = .writing
            bytesWritten = 0
            pendingValue = 0
        }
    }

    public func i2cWrite(_ byte: UInt8) -> Bool {
        guard phase == .writing else { return false }
        if bytesWritten == 0 {
            pointer = byte
        } else if bytesWritten <= Self.width(of: pointer) {
            pendingValue = pendingValue << 8 | UInt16(byte)   // MSB first
        }
        bytesWritten += 1
        return true
    }

    public func i2cRead() -> UInt8 {
        guard phase == .reading, bytesRead < readWidth else { return 0xFF }
        defer { bytesRead += 1 }
        let shift = 8 * (readWidth - 1 - bytesRead)
        return UInt8(truncatingIfNeeded: readValue >> UInt16(shift))
    }

    public func i2cStop() {
        finishWrite()
        phase = .idle
    }

    private func finishWrite() {
        guard phase == .writing else { return }
        if bytesWritten - 1 >= Self.width(of: pointer) {
            write(pointer, pendingValue)
        }
        phase = .idle
        bytesWritten = 0
    }
}
