import BrewCore
import BrewHAL

/// A Maxim DS18B20 on a simulated 1-Wire bus, time slot by time slot (datasheet 19-7487).
///
/// ROM commands: Search ROM (0xF0, answering bit/complement and dropping out when the master's
/// direction differs from its bit), Read ROM (0x33), Match ROM (0x55), Skip ROM (0xCC). Function
/// commands: Convert T (0x44; read slots answer 0 while converting, 1 when done), Read Scratchpad
/// (0xBE; nine bytes LSB first, byte 8 the CRC-8 of 0–7), Write Scratchpad (0x4E; TH, TL, config).
///
/// The temperature register changes only when a conversion *finishes* — `conversionTime` after
/// Convert T on the injected clock, with the temperature the probe had when Convert T arrived — so a driver that reads the scratchpad early gets the previous
/// result (or 85 °C after power-on), exactly as on the real probe. `scratchpadReadsDuringConversion`
/// counts such early reads so tests can assert a driver never makes one.
///
/// Faults: `isConnected = false` (unplugged: no presence, line released), `unplugAfterSearchBits`
/// (vanishes in the middle of a ROM search), `corruptScratchpad` (one bit of byte 0 flipped on the
/// wire, so the CRC fails), `readsZeros` (drives every read slot low), `powerOnReset()`.
public final class SimulatedDS18B20: SimulatedOneWireDevice {
    public let rom: OneWireROM
    public let clock: SimulatedClock

    /// The temperature at the probe. Must not be NaN.
    public var temperature: Celsius {
        didSet { precondition(!temperature.value.isNaN, "simulated DS18B20 given a NaN temperature") }
    }
    public var isConnected = true
    public var unplugAfterSearchBits: Int?
    public var corruptScratchpad = false
    public var readsZeros = false
    /// Conversion time at 12 bits (halved per bit less). The datasheet maximum by default.
    public var conversionTime12Bit = Seconds(0.75)

    /// Temperature register as the chip holds it (power-on: 0x0550, +85 °C).
    public private(set) var temperatureRegister: UInt16 = 0x0550
    public private(set) var th: UInt8 = 0x4B
    public private(set) var tl: UInt8 = 0x46
    /// Configuration register: 0 R1 R0 1 1 1 1 1 (power-on 0x7F, 12 bits).
    public private(set) var config: UInt8 = 0x7F
    public private(set) var conversionsStarted = 0
    public private(set) var conversionsCompleted = 0
    public private(set) var scratchpadReadsDuringConversion = 0
    /// When the conversion in progress finishes.
    public private(set) var conversionEndsAt: Instant?

    /// What the conversion in progress will publish: the temperature when Convert T arrived.
    private var pendingRegister: UInt16 = 0x0550

    private enum State {
        case idle                                   // waiting for a reset pulse
        case romCommand(UInt8, Int)
        case matchROM(Int)
        case searchROM(Int, Int)                    // bit index, phase 0 bit / 1 complement / 2 direction
        case readROM(Int)
        case functionCommand(UInt8, Int)
        case sending(Int)                           // scratchpad bit index 0..<72
        case writeScratchpad(UInt32, Int)
        case converting
    }
    private var state: State = .idle
    private var sendBuffer: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0)

    public init(rom: OneWireROM, temperature: Celsius = Celsius(20), clock: SimulatedClock) {
        precondition(!temperature.value.isNaN, "simulated DS18B20 given a NaN temperature")
        self.rom = rom
        self.temperature = temperature
        self.clock = clock
    }

    /// Convenience: a DS18B20 (family 0x28) with this serial number and a valid CRC.
    public convenience init(serial: UInt64, temperature: Celsius = Celsius(20), clock: SimulatedClock) {
        self.init(rom: OneWireROM(family: 0x28, serial: serial), temperature: temperature, clock: clock)
    }

    public var resolutionBits: Int { 9 + Int((config >> 5) & 3) }
    public var conversionTime: Seconds { conversionTime12Bit * (1.0 / Double(1 << (12 - resolutionBits))) }
    public var isConverting: Bool { settle(); return conversionEndsAt != nil }

    /// Power cycle: register back to 85 °C, configuration from "EEPROM" (12 bits), conversion lost.
    public func powerOnReset() {
        temperatureRegister = 0x0550
        th = 0x4B; tl = 0x46; config = 0x7F
        conversionEndsAt = nil
        state = .idle
    }

    /// The temperature register for a temperature at a resolution: clamped to −55…+125 °C, rounded
    /// down to the resolution step, 1/16 °C two's complement; undefined low bits read 0.
    public static func encode(_ t: Celsius, resolutionBits: Int) -> UInt16 {
        let clamped = min(125, max(-55, t.value))
        let shift = 12 - resolutionBits
        let count = (Int((clamped * 16).rounded(.down)) >> shift) << shift
        return UInt16(bitPattern: Int16(count))
    }

    /// The nine scratchpad bytes as the chip would send them now (CRC included).
    public func scratchpad() -> [UInt8] {
        settle()
        var b: [UInt8] = [UInt8(truncatingIfNeeded: temperatureRegister), UInt8(temperatureRegister >> 8),
                          th, tl, config, 0xFF, 0x0C, 0x10]
        b.append(DallasCRC8.checksum(b))
        return b
    }

    // MARK: SimulatedOneWireDevice

    public func wireReset() -> Bool {
        settle()
        guard isConnected else { return false }
        state = .romCommand(0, 0)
        return true
    }

    public func writeSlot(_ bit: Bool) { _ = slot(bit) }
    public func readSlot() -> Bool { slot(true) }

    /// One time slot: the master drives `masterBit` (a read slot is a master 1); returns what the
    /// device leaves on the line (wired-AND with the master's bit).
    private func slot(_ masterBit: Bool) -> Bool {
        settle()
        guard isConnected else { return true }
        if readsZeros { return false }
        switch state {
        case .idle:
            return masterBit
        case .romCommand(let acc, let n):
            let v = acc | (masterBit ? 1 << UInt8(n) : 0)
            if n < 7 { state = .romCommand(v, n + 1); return masterBit }
            switch v {
            case 0xF0: state = .searchROM(0, 0)
            case 0x33: state = .readROM(0)
            case 0x55: state = .matchROM(0)
            case 0xCC: state = .functionCommand(0, 0)
            default: state = .idle
            }
            return masterBit
        case .matchROM(let i):
            if masterBit != rom.bit(i) { state = .idle }
            else { state = i == 63 ? .functionCommand(0, 0) : .matchROM(i + 1) }
            return masterBit
        case .readROM(let i):
            let b = rom.bit(i)
            state = i == 63 ? .functionCommand(0, 0) : .readROM(i + 1)
            return masterBit && b
        case .searchROM(let i, let phase):
            if let limit = unplugAfterSearchBits, i >= limit {
                isConnected = false
                state = .idle
                return true
            }
            let b = rom.bit(i)
            switch phase {
            case 0: state = .searchROM(i, 1); return masterBit && b
            case 1: state = .searchROM(i, 2); return masterBit && !b
            default:
                if masterBit != b { state = .idle }
                else { state = i == 63 ? .functionCommand(0, 0) : .searchROM(i + 1, 0) }
                return masterBit
            }
        case .functionCommand(let acc, let n):
            let v = acc | (masterBit ? 1 << UInt8(n) : 0)
            if n < 7 { state = .functionCommand(v, n + 1); return masterBit }
            switch v {
            case 0x44:
                conversionsStarted += 1
                conversionEndsAt = clock.now + conversionTime
                pendingRegister = Self.encode(temperature, resolutionBits: resolutionBits)
                state = .converting
            case 0xBE:
                if conversionEndsAt != nil { scratchpadReadsDuringConversion += 1 }
                let s = scratchpad()
                var first = s[0]
                if corruptScratchpad { first ^= 0x01 }
                sendBuffer = (first, s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8])
                state = .sending(0)
            case 0x4E: state = .writeScratchpad(0, 0)
            default: state = .idle
            }
            return masterBit
        case .sending(let i):
            guard i < 72 else { return masterBit }
            let byte = withUnsafeBytes(of: sendBuffer) { $0[i / 8] }
            state = .sending(i + 1)
            return masterBit && (byte >> UInt8(i % 8)) & 1 != 0
        case .writeScratchpad(let acc, let n):
            let v = acc | (masterBit ? 1 << UInt32(n) : 0)
            if n < 23 { state = .writeScratchpad(v, n + 1); return masterBit }
            th = UInt8(truncatingIfNeeded: v)
            tl = UInt8(truncatingIfNeeded: v >> 8)
            config = UInt8(truncatingIfNeeded: v >> 16) & 0x60 | 0x1F
            state = .idle
            return masterBit
        case .converting:
            return masterBit && conversionEndsAt == nil
        }
    }

    /// Completes a conversion whose time has come.
    private func settle() {
        if let end = conversionEndsAt, clock.now >= end {
            temperatureRegister = pendingRegister
            conversionEndsAt = nil
            conversionsCompleted += 1
        }
    }
}
