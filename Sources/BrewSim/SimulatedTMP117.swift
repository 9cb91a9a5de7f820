import BrewCore
import BrewHAL

/// A Texas Instruments TMP117 at register level (datasheet SNOSD82, section 7.6), its conversions
/// timed against an injected clock.
///
/// | ptr  | register      | behaviour here                                                        |
/// |------|---------------|-----------------------------------------------------------------------|
/// | 0x00 | Temp_Result   | read-only; 0x8000 after reset until the first cycle finishes;          |
/// |      |               | reading clears Data_Ready                                             |
/// | 0x01 | Configuration | POR 0x0220; bits 15–12 read-only flags; Soft_Reset (bit 1) resets;    |
/// |      |               | reading clears Data_Ready                                             |
/// | 0x02 | THigh_Limit   | POR 0x6000                                                            |
/// | 0x03 | TLow_Limit    | POR 0x8000                                                            |
/// | 0x0F | Device_ID     | read-only, 0x0117 (settable to stand in for another chip)             |
/// | else | reserved      | reads 0x0000, writes ignored                                          |
///
/// Continuous mode (MOD 00 or 10): a result every cycle (CONV period or averaging time, the longer) from the last configuration
/// write or reset, converting the `temperature` at that moment (quantised to 1/128 °C, clamped to
/// the chip's −256…+255.99 °C format). Shutdown (01) stops converting; one-shot (11) converts once
/// after the averaging time and then shuts down. Alert flags and EEPROM are not modelled.
public final class SimulatedTMP117: SimulatedI2CDevice {
    public let clock: SimulatedClock
    public var temperature: Celsius {
        didSet { precondition(!temperature.value.isNaN, "simulated TMP117 given a NaN temperature") }
    }
    public var deviceID: UInt16

    public private(set) var configuration: UInt16 = 0x0220
    public private(set) var result: UInt16 = 0x8000
    public private(set) var highLimit: UInt16 = 0x6000
    public private(set) var lowLimit: UInt16 = 0x8000
    public private(set) var dataReady = false
    public private(set) var conversions = 0
    /// The register pointer as last written by the host.
    public var pointer: UInt8 { port.pointer }

    private var cycleStart: Instant
    private var nextResultAt: Instant?

    private var port = WordRegisterPort()

    public init(temperature: Celsius = Celsius(20), deviceID: UInt16 = 0x0117, clock: SimulatedClock) {
        self.temperature = temperature
        self.deviceID = deviceID
        self.clock = clock
        self.cycleStart = clock.now
        restartCycle()
    }

    public func powerOnReset() {
        configuration = 0x0220
        result = 0x8000
        highLimit = 0x6000
        lowLimit = 0x8000
        dataReady = false
        port.resetPointer()
        restartCycle()
    }

    public static func encode(_ t: Celsius) -> UInt16 {
        let counts = min(32767, max(-32768, Int((t.value * 128).rounded(.down))))
        return UInt16(bitPattern: Int16(counts))
    }

    private var mode: UInt16 { (configuration >> 10) & 3 }
    private var averaging: UInt16 { (configuration >> 5) & 3 }
    private var conv: Int { Int((configuration >> 7) & 7) }

    /// Active conversion time per AVG setting (15.5 ms, 125 ms, 500 ms, 1 s) and standby cycle per
    /// CONV setting, from the datasheet's conversion cycle table (kept separate from the driver's).
    private static let activeTime: [Double] = [0.0155, 0.125, 0.5, 1]
    private static let convCycle: [Double] = [0.0155, 0.125, 0.25, 0.5, 1, 4, 8, 16]
    private var activeTime: Seconds { Seconds(Self.activeTime[Int(averaging)]) }
    private var cycleTime: Seconds { Seconds(max(Self.convCycle[conv], Self.activeTime[Int(averaging)])) }

    private func restartCycle() {
        cycleStart = clock.now
        nextResultAt = mode == 1 ? nil : clock.now + activeTime
    }

    /// Publishes every conversion whose time has come.
    private func settle() {
        while let due = nextResultAt, clock.now >= due {
            result = Self.encode(temperature)
            dataReady = true
            conversions += 1
            if mode == 3 {
                configuration = configuration & ~0x0C00 | 0x0400      // back to shutdown
                nextResultAt = nil
            } else {
                nextResultAt = due + cycleTime
            }
        }
    }

    public func registerValue(_ register: UInt8) -> UInt16 {
        settle()
        switch register {
        case 0x00: return result
        case 0x01: return configuration & 0x0FFE | (dataReady ? 0x2000 : 0)
        case 0x02: return highLimit
        case 0x03: return lowLimit
        case 0x0F: return deviceID
        default: return 0
        }
    }

    private func write(_ register: UInt8, _ value: UInt16) {
        settle()
        switch register {
        case 0x01:
            if value & 0x0002 != 0 { powerOnReset(); return }
            configuration = value & 0x0FFC
            restartCycle()
        case 0x02: highLimit = value
        case 0x03: lowLimit = value
        default: break
        }
    }

    // MARK: SimulatedI2CDevice

    public func i2cStart(read: Bool) {
        if let w = port.finishWrite() { write(w.register, w.value) }
        if read {
            port.beginRead(registerValue(port.pointer))
            if port.pointer == 0x00 || port.pointer == 0x01 { dataReady = false }   // reading clears Data_Ready
        } else {
            port.beginWrite()
        }
    }

    public func i2cWrite(_ byte: UInt8) -> Bool { port.write(byte) }

    public func i2cRead() -> UInt8 { port.read() }

    public func i2cStop() {
        if let w = port.stop() { write(w.register, w.value) }
    }
}
