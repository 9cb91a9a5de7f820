import BrewCore
import BrewHAL

/// Maxim DS18B20 1-Wire digital thermometer (datasheet 19-7487), reached through a `DS2482`
/// bridge by its ROM code (family code 0x28).
///
/// ## Conversion time without blocking the control loop
///
/// A 12-bit conversion takes up to 750 ms (375/187.5/93.75 ms at 11/10/9 bits) and the scratchpad
/// holds the *previous* result until it is done — or the power-on value 85 °C if there was none.
/// The driver never sleeps. It is **pipelined**: `init` starts the first conversion, and each
/// `readTemperature()` reads the conversion started before it and immediately starts the next
/// one. The driver remembers when the conversion started (from the injected monotonic clock,
/// `now`) and refuses to touch the scratchpad before `conversionTime` has passed: such a call
/// throws `.timeout` ("conversion not finished") without any bus traffic. With the control loop's
/// 1 s sample period the result is therefore at most one sample period old, and a read never
/// returns a value from before the previous call. Callers that schedule on their own can use
/// `startConversion()`, `isConversionDue` and `readConversion()` directly.
///
/// ## What a reading must pass
///
/// - the scratchpad's CRC-8 (byte 8 over bytes 0–7) → `.checksum`;
/// - not all 0xFF (nobody drove the line: probe gone after the presence pulse) → `.noDevice`;
/// - not all 0x00 (data line stuck low; zeros have a valid CRC) → `.badResponse`;
/// - the configuration byte's fixed bits (bit 7 = 0, bits 4–0 = 1) → `.badResponse`;
/// - the 85 °C power-on value 0x0550 is refused as `.deviceFault` unless the previous good reading
///   was within `powerOnValueTolerance` of 85 °C (the probe reset — brown-out, loose VDD — and
///   never converted; a wort really at 85 °C arrives there from a neighbouring reading);
/// - −55…+125 °C, the chip's range (so e.g. the −127 "disconnected" value some libraries use
///   cannot pass for a reading) → `.badResponse`.
///
/// No presence pulse is `.noDevice`; a 1-Wire short is `.deviceFault` (from the bridge).
public final class DS18B20: TemperatureSensor {
    public static let familyCode: UInt8 = 0x28

    public enum Command {
        public static let convertT: UInt8 = 0x44
        public static let readScratchpad: UInt8 = 0xBE
        public static let writeScratchpad: UInt8 = 0x4E
    }

    /// The temperature register's power-on value, +85 °C.
    public static let powerOnValue: UInt16 = 0x0550
    public static let measurableRange: ClosedRange<Double> = -55...125
    /// Maximum conversion time at 12 bits (datasheet t_CONV); halves with each bit less.
    public static let maxConversionTime12Bit = Seconds(0.75)

    public let bridge: DS2482
    public let channel: Int
    public let rom: OneWireROM
    public let name: String
    /// How close to 85 °C the previous good reading must be for a 0x0550 reading to be believed.
    public var powerOnValueTolerance = Kelvin(2)

    /// 9…12, from the scratchpad's configuration register (bits 6–5).
    public private(set) var resolutionBits = 12
    /// When the conversion in progress was started, if one is.
    public private(set) var conversionStartedAt: Instant?
    /// The last reading that passed every check.
    public private(set) var lastGoodReading: Celsius?

    private let now: () -> Instant

    /// Checks the ROM code (CRC, family 0x28), reads the scratchpad once (CRC, resolution) and starts
    /// the first conversion. `now` is a monotonic clock (the runtime's `LoopClock.now`).
    public init(bridge: DS2482, channel: Int = 0, rom: OneWireROM, now: @escaping () -> Instant) throws(BusError) {
        self.bridge = bridge
        self.channel = channel
        self.rom = rom
        self.now = now
        self.name = "DS18B20 \(rom) @ \(bridge.bus.name):0x\(MCP9808.hex(UInt16(bridge.address), digits: 2))/IO\(channel)"
        guard rom.isCRCValid else {
            throw BusError(.invalidRequest, bus: bridge.bus.name, address: Int(bridge.address),
                           detail: "ROM code \(rom) has a bad CRC (0x\(MCP9808.hex(UInt16(rom.crc), digits: 2)))")
        }
        guard rom.familyCode == Self.familyCode else {
            throw BusError(.invalidRequest, bus: bridge.bus.name, address: Int(bridge.address),
                           detail: "ROM code \(rom) has family 0x\(MCP9808.hex(UInt16(rom.familyCode), digits: 2)), a DS18B20 has 0x28")
        }
        _ = try readScratchpad()
        try startConversion()
    }

    /// Maximum conversion time at the probe's resolution: 750 ms at 12 bits, 93.75 ms at 9.
    public var conversionTime: Seconds {
        Self.maxConversionTime12Bit * (1.0 / Double(1 << (12 - resolutionBits)))
    }

    /// Whether the conversion in progress has had its full conversion time.
    public var isConversionDue: Bool {
        guard let started = conversionStartedAt else { return false }
        return now() - started >= conversionTime
    }

    /// Match ROM, Convert T. The probe must be externally powered (VDD), which the bridge's
    /// active pull-up assumes; parasite power would need the strong pull-up during conversion.
    public func startConversion() throws(BusError) {
        conversionStartedAt = nil
        try address()
        try bridge.writeWireByte(Command.convertT)
        conversionStartedAt = now()
    }

    /// The finished conversion's result, checked; then the next conversion is started — also when
    /// the result was refused, so one bad reading does not stall the probe. Too early: `.timeout`
    /// without bus traffic, the conversion left running. No conversion running (the last start
    /// failed): one is started and `.timeout` thrown, the result due `conversionTime` later.
    public func readTemperature() throws(BusError) -> Celsius {
        if conversionStartedAt == nil {
            try startConversion()
            throw error(.timeout, Command.convertT,
                        "no conversion was running; started one, result due in \(Int((conversionTime.value * 1000).rounded())) ms")
        }
        if !isConversionDue { return try readConversion() }      // throws "not finished"
        let result: Result<Celsius, BusError>
        do { result = .success(try readConversion()) } catch { result = .failure(error) }
        do {
            try startConversion()
        } catch {
            if case .failure(let first) = result { throw first }
            throw error
        }
        return try result.get()
    }

    /// The result of the conversion in progress, once its conversion time has passed (`.timeout`
    /// before, without bus traffic; `.invalidRequest` when none was started).
    public func readConversion() throws(BusError) -> Celsius {
        guard let started = conversionStartedAt else {
            throw error(.invalidRequest, Command.readScratchpad, "no conversion in progress (call startConversion first)")
        }
        let elapsed = now() - started
        guard elapsed >= conversionTime else {
            throw error(.timeout, Command.readScratchpad,
                        "conversion not finished: \(Int((elapsed.value * 1000).rounded())) ms of \(Int((conversionTime.value * 1000).rounded())) ms")
        }
        conversionStartedAt = nil
        let raw = try readScratchpad()
        let celsius = Self.decode(raw, resolutionBits: resolutionBits)
        if raw == Self.powerOnValue {
            let near = lastGoodReading.map { abs($0.value - 85) <= powerOnValueTolerance.value } ?? false
            guard near else {
                throw error(.deviceFault, Command.readScratchpad,
                            "scratchpad holds the 85 °C power-on value 0x0550: the probe reset and did not convert")
            }
        }
        guard Self.measurableRange.contains(celsius.value) else {
            throw error(.badResponse, Command.readScratchpad,
                        "temperature 0x\(MCP9808.hex(raw, digits: 4)) decodes to \(celsius), outside −55…+125 °C")
        }
        lastGoodReading = celsius
        return celsius
    }

    /// Temperature register (LSB, MSB) as a signed 1/16 °C count, 12-bit two's complement
    /// sign-extended; the bits below the resolution are undefined and masked off.
    /// 0x07D0 → +125, 0x0191 → +25.0625, 0xFF5E → −10.125, 0xFC90 → −55.
    @inlinable
    public static func decode(_ raw: UInt16, resolutionBits: Int = 12) -> Celsius {
        let undefined = UInt16((1 << (12 - min(12, max(9, resolutionBits)))) - 1)
        return Celsius(Double(Int16(bitPattern: raw & ~undefined)) / 16)
    }

    // MARK: Internals

    private func address() throws(BusError) {
        if bridge.channel != channel {
            try bridge.selectChannel(channel)
        }
        do {
            try bridge.select(rom)
        } catch {
            throw BusError(error.kind, bus: error.bus, address: error.address, register: error.register,
                           detail: "\(rom): \(error.detail)")
        }
    }

    /// Read Scratchpad: 9 bytes, CRC checked, without allocating. Updates the resolution from the
    /// configuration byte and returns the temperature register.
    private func readScratchpad() throws(BusError) -> UInt16 {
        try address()
        try bridge.writeWireByte(Command.readScratchpad)
        var crc: UInt8 = 0
        var lsb: UInt8 = 0, msb: UInt8 = 0, config: UInt8 = 0
        var allOnes = true, allZeros = true
        for i in 0..<9 {
            let b = try bridge.readWireByte()
            if b != 0xFF { allOnes = false }
            if b != 0x00 { allZeros = false }
            switch i {
            case 0: lsb = b
            case 1: msb = b
            case 4: config = b
            default: break
            }
            crc = DallasCRC8.update(crc, b)
        }
        if allOnes {
            throw error(.noDevice, Command.readScratchpad, "scratchpad reads all 0xFF: the probe stopped answering")
        }
        if allZeros {
            throw error(.badResponse, Command.readScratchpad, "scratchpad reads all 0x00: data line stuck low")
        }
        guard crc == 0 else {
            throw error(.checksum, Command.readScratchpad, "scratchpad CRC mismatch")
        }
        guard config & 0x9F == 0x1F else {
            throw error(.badResponse, Command.readScratchpad,
                        "configuration byte 0x\(MCP9808.hex(UInt16(config), digits: 2)) is not a DS18B20's")
        }
        resolutionBits = 9 + Int((config >> 5) & 0x03)
        return UInt16(msb) << 8 | UInt16(lsb)
    }

    private func error(_ kind: BusError.Kind, _ command: UInt8, _ detail: String) -> BusError {
        BusError(kind, bus: bridge.bus.name, address: Int(bridge.address), register: Int(command), detail: "\(rom): \(detail)")
    }
}
