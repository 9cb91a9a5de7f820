import BrewCore
import BrewHAL

/// Texas Instruments TMP117 ±0.1 °C digital temperature sensor on I2C (datasheet SNOSD82), at
/// 0x48…0x4B (ADD0 to GND, V+, SDA, SCL).
///
/// Creating one probes the chip: the Device ID register (0x0F) must hold 0x117 in bits 11–0 (bits
/// 15–12 are the revision), then the configuration register (0x01) is written for continuous
/// conversion (MOD = 00) with the requested averaging and cycle time and read back.
///
/// Registers are 16-bit, MSB first on the wire, so every SMBus word is byte-swapped (as for the
/// MCP9808). The temperature result (0x00) is 16-bit two's complement, 7.8125 m°C (1/128 °C) per
/// LSB; after a reset it reads 0x8000 (−256 °C) until the first conversion — including averaging —
/// is complete, which the driver refuses as `.deviceFault` ("no conversion yet") rather than pass
/// on as a temperature. Values outside the chip's −55…+150 °C are `.badResponse`.
///
/// In continuous mode the result register always holds the latest finished conversion, so
/// `readTemperature()` never waits. `readIfReady()` additionally uses the Data_Ready flag (bit 13 of
/// the configuration register, cleared by reading either register) to tell a fresh result from
/// one already read.
public final class TMP117: TemperatureSensor {
    public static let addresses: ClosedRange<UInt8> = 0x48...0x4B

    public enum Register {
        public static let temperature: UInt8 = 0x00
        public static let configuration: UInt8 = 0x01
        public static let highLimit: UInt8 = 0x02
        public static let lowLimit: UInt8 = 0x03
        public static let deviceID: UInt8 = 0x0F
    }

    public enum ConfigBits {
        public static let highAlert: UInt16 = 0x8000
        public static let lowAlert: UInt16 = 0x4000
        public static let dataReady: UInt16 = 0x2000
        public static let eepromBusy: UInt16 = 0x1000
        public static let modeMask: UInt16 = 0x0C00      // MOD[1:0], bits 11–10
        public static let convMask: UInt16 = 0x0380      // CONV[2:0], bits 9–7
        public static let averagingMask: UInt16 = 0x0060 // AVG[1:0], bits 6–5
        public static let softReset: UInt16 = 0x0002
        /// The bits a write sets and a read gives back.
        public static let writable: UInt16 = 0x0FFC & ~softReset
    }

    /// AVG[1:0]: conversions averaged per result, and the active conversion time it costs.
    public enum Averaging: UInt16, Sendable, CaseIterable {
        case none = 0, x8 = 1, x32 = 2, x64 = 3
        public var activeTime: Seconds {
            switch self {
            case .none: Seconds(0.0155)
            case .x8: Seconds(0.125)
            case .x32: Seconds(0.5)
            case .x64: Seconds(1)
            }
        }
    }

    /// CONV[2:0] → the nominal cycle period before averaging is taken into account.
    public static let conversionCycle: [Seconds] = [0.0155, 0.125, 0.25, 0.5, 1, 4, 8, 16].map(Seconds.init)

    /// The time between results: the CONV cycle, or the active (averaging) time if that is longer.
    public static func cycleTime(conv: Int, averaging: Averaging) -> Seconds {
        max(conversionCycle[conv & 7], averaging.activeTime)
    }

    public static let expectedDeviceID: UInt16 = 0x0117
    /// The result register's value after reset, before the first conversion: −256 °C.
    public static let resetResult: UInt16 = 0x8000
    public static let measurableRange: ClosedRange<Double> = -55...150

    public let bus: any I2CBus
    public let address: UInt8
    public let name: String
    public let averaging: Averaging
    public let conv: Int

    /// `conv` 0…7 and `averaging` as in the configuration register; the defaults (CONV = 4,
    /// 8 averages) are the chip's power-up setting: one result per second.
    public init(bus: any I2CBus, address: UInt8 = 0x48, averaging: Averaging = .x8, conv: Int = 4) throws(BusError) {
        guard Self.addresses.contains(address) else {
            throw BusError(.invalidRequest, bus: bus.name, address: Int(address), detail: "a TMP117 can only be at 0x48…0x4B")
        }
        guard (0...7).contains(conv) else {
            throw BusError(.invalidRequest, bus: bus.name, address: Int(address), detail: "CONV must be 0…7, not \(conv)")
        }
        self.bus = bus
        self.address = address
        self.averaging = averaging
        self.conv = conv
        self.name = "TMP117 @ \(bus.name):0x\(MCP9808.hex(UInt16(address), digits: 2))"
        try probe()
    }

    /// Time between fresh results with this configuration.
    public var cycleTime: Seconds { Self.cycleTime(conv: conv, averaging: averaging) }

    /// The configuration register value the driver writes: continuous conversion, CONV, AVG.
    public var configuration: UInt16 { UInt16(conv) << 7 | averaging.rawValue << 5 }

    public func probe() throws(BusError) {
        let id = try readRegister(Register.deviceID)
        guard id & 0x0FFF == Self.expectedDeviceID else {
            throw fault(.badResponse, Register.deviceID,
                        "device ID reads 0x\(MCP9808.hex(id, digits: 4)), a TMP117 has 0x117 in bits 11–0")
        }
        try writeRegister(Register.configuration, configuration)
        let readBack = try readRegister(Register.configuration)
        guard readBack & ConfigBits.writable == configuration else {
            throw fault(.badResponse, Register.configuration,
                        "configuration reads back 0x\(MCP9808.hex(readBack, digits: 4)) after writing 0x\(MCP9808.hex(configuration, digits: 4))")
        }
    }

    /// The latest finished conversion.
    public func readTemperature() throws(BusError) -> Celsius {
        try decodeChecked(try readRegister(Register.temperature))
    }

    /// A result only if a conversion finished since the last read of either register (Data_Ready),
    /// nil otherwise.
    public func readIfReady() throws(BusError) -> Celsius? {
        let config = try readRegister(Register.configuration)
        guard config & ConfigBits.dataReady != 0 else { return nil }
        return try readTemperature()
    }

    /// 16-bit two's complement, 1/128 °C: 0x0C80 → 25, 0xFFF0 → −0.125, 0xF380 → −25.
    @inlinable
    public static func decode(_ raw: UInt16) -> Celsius {
        Celsius(Double(Int16(bitPattern: raw)) / 128)
    }

    private func decodeChecked(_ raw: UInt16) throws(BusError) -> Celsius {
        if raw == Self.resetResult {
            throw fault(.deviceFault, Register.temperature, "result reads 0x8000 (−256 °C): no conversion finished since reset")
        }
        let c = Self.decode(raw)
        guard Self.measurableRange.contains(c.value) else {
            throw fault(.badResponse, Register.temperature,
                        "result 0x\(MCP9808.hex(raw, digits: 4)) decodes to \(c), outside the chip's −55…+150 °C")
        }
        return c
    }

    private func readRegister(_ register: UInt8) throws(BusError) -> UInt16 {
        try bus.readWordData(address: address, register: register).byteSwapped
    }

    private func writeRegister(_ register: UInt8, _ value: UInt16) throws(BusError) {
        try bus.writeWordData(address: address, register: register, value: value.byteSwapped)
    }

    private func fault(_ kind: BusError.Kind, _ register: UInt8, _ detail: String) -> BusError {
        BusError(kind, bus: bus.name, address: Int(address), register: Int(register), detail: detail)
    }
}
