import BrewCore
import BrewHAL

/// Texas Instruments ADS1115 16-bit delta-sigma ADC on I2C (datasheet SBAS444), at 0x48…0x4B
/// (ADDR to GND, VDD, SDA, SCL), used single-shot and single-ended (AIN0…AIN3 against GND).
///
/// Registers are 16-bit, MSB first (SMBus words byte-swapped): conversion (0x00, two's complement,
/// +FS = 0x7FFF, −FS = 0x8000), config (0x01), Lo_thresh/Hi_thresh (0x02/0x03, unused).
///
/// Config register: OS (15; write 1 to start a single shot, reads 0 while converting and 1 when
/// idle), MUX (14–12; 100…111 = AINx vs GND), PGA (11–9), MODE (8; 1 = single-shot), DR (7–5),
/// comparator bits (4–0; COMP_QUE = 11 disables it). The chip has no ID register, so `init`
/// writes an idle configuration and checks the read-back (bits 14–0): a TMP117 or nothing at all
/// at the address does not pass.
///
/// A conversion takes 1/DR (1.2 ms at 860 SPS … 125 ms at 8 SPS). Two ways to use it, neither of
/// which sleeps: `startConversion` then `readConversion` once the caller's schedule says
/// `conversionTime` has passed (`.timeout` if OS still reads 0), or `measure`, which starts and
/// polls OS at most `pollLimit` times — meant for the fast data rates, where a conversion lasts
/// about as long as a few I2C transactions.
public final class ADS1115 {
    public static let addresses: ClosedRange<UInt8> = 0x48...0x4B

    public enum Register {
        public static let conversion: UInt8 = 0x00
        public static let config: UInt8 = 0x01
    }

    /// PGA setting (config bits 11–9) and its full-scale range.
    public enum Gain: UInt16, Sendable, CaseIterable {
        case fs6_144 = 0, fs4_096 = 1, fs2_048 = 2, fs1_024 = 3, fs0_512 = 4, fs0_256 = 5
        public var fullScale: Double {
            switch self {
            case .fs6_144: 6.144
            case .fs4_096: 4.096
            case .fs2_048: 2.048
            case .fs1_024: 1.024
            case .fs0_512: 0.512
            case .fs0_256: 0.256
            }
        }
        /// The smallest range that holds `volts` (for a hardware file's "full scale").
        public init?(fullScale volts: Double) {
            guard let g = Gain.allCases.first(where: { abs($0.fullScale - volts) < 1e-9 }) else { return nil }
            self = g
        }
    }

    /// Data rate (config bits 7–5).
    public enum DataRate: UInt16, Sendable, CaseIterable {
        case sps8 = 0, sps16, sps32, sps64, sps128, sps250, sps475, sps860
        public var samplesPerSecond: Int { [8, 16, 32, 64, 128, 250, 475, 860][Int(rawValue)] }
        public var conversionTime: Seconds { Seconds(1.0 / Double(samplesPerSecond)) }
    }

    public enum ConfigBits {
        public static let os: UInt16 = 0x8000
        public static let singleShot: UInt16 = 0x0100
        public static let comparatorDisabled: UInt16 = 0x0003
    }

    public let bus: any I2CBus
    public let address: UInt8
    public let name: String
    public let dataRate: DataRate
    public var pollLimit: Int
    /// Channel and gain of the conversion last started.
    public private(set) var pending: (channel: Int, gain: Gain)?

    public init(bus: any I2CBus, address: UInt8 = 0x48, dataRate: DataRate = .sps860, pollLimit: Int = 50) throws(BusError) {
        guard Self.addresses.contains(address) else {
            throw BusError(.invalidRequest, bus: bus.name, address: Int(address), detail: "an ADS1115 can only be at 0x48…0x4B")
        }
        self.bus = bus
        self.address = address
        self.dataRate = dataRate
        self.pollLimit = max(1, pollLimit)
        self.name = "ADS1115 @ \(bus.name):0x\(MCP9808.hex(UInt16(address), digits: 2))"
        try probe()
    }

    public var conversionTime: Seconds { dataRate.conversionTime }

    /// Config word for a single-shot conversion (without OS).
    public func config(channel: Int, gain: Gain) -> UInt16 {
        UInt16(0b100 | channel) << 12 | gain.rawValue << 9 | ConfigBits.singleShot | dataRate.rawValue << 5
            | ConfigBits.comparatorDisabled
    }

    public func probe() throws(BusError) {
        let idle = config(channel: 0, gain: .fs2_048)
        try writeRegister(Register.config, idle)
        let readBack = try readRegister(Register.config)
        guard readBack & 0x7FFF == idle else {
            throw fault(.badResponse, Register.config,
                        "config reads back 0x\(MCP9808.hex(readBack, digits: 4)) after writing 0x\(MCP9808.hex(idle, digits: 4)): not an ADS1115?")
        }
        pending = nil
    }

    /// Starts a single-shot conversion of AINchannel against GND.
    public func startConversion(channel: Int, gain: Gain) throws(BusError) {
        guard (0...3).contains(channel) else {
            throw fault(.invalidRequest, Register.config, "channel \(channel): an ADS1115 has AIN0…AIN3")
        }
        pending = nil
        try writeRegister(Register.config, ConfigBits.os | config(channel: channel, gain: gain))
        pending = (channel, gain)
    }

    /// The result of the conversion last started, in volts. `.timeout` if the chip is still
    /// converting; `.invalidRequest` if none was started; `.badResponse` if the config no longer
    /// shows the channel and gain that were started (someone else, or a reset, changed it).
    public func readConversion() throws(BusError) -> Double {
        guard let (channel, gain) = pending else {
            throw fault(.invalidRequest, Register.conversion, "no conversion started")
        }
        let cfg = try readRegister(Register.config)
        guard cfg & ConfigBits.os != 0 else {
            throw fault(.timeout, Register.config, "conversion on AIN\(channel) still in progress")
        }
        guard cfg & 0x7FFF == config(channel: channel, gain: gain) else {
            throw fault(.badResponse, Register.config,
                        "config reads 0x\(MCP9808.hex(cfg, digits: 4)), not the AIN\(channel) conversion that was started (chip reset?)")
        }
        pending = nil
        let raw = try readRegister(Register.conversion)
        return Self.volts(raw, gain: gain)
    }

    /// Start, poll OS (bounded by `pollLimit`), read.
    public func measure(channel: Int, gain: Gain) throws(BusError) -> Double {
        try startConversion(channel: channel, gain: gain)
        for _ in 0..<pollLimit {
            let cfg = try readRegister(Register.config)
            if cfg & ConfigBits.os != 0 { return try readConversion() }
        }
        pending = nil
        throw fault(.timeout, Register.config,
                    "conversion on AIN\(channel) not finished after \(pollLimit) polls (\(dataRate.samplesPerSecond) SPS)")
    }

    /// Conversion register → volts: two's complement, full scale / 32768 per LSB.
    @inlinable
    public static func volts(_ raw: UInt16, gain: Gain) -> Double {
        Double(Int16(bitPattern: raw)) * gain.fullScale / 32768
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
