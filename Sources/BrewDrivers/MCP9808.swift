import BrewCore
import BrewHAL

/// Microchip MCP9808 ±0.5 °C digital temperature sensor on I2C (datasheet DS25095A).
///
/// Creating one probes the chip: manufacturer ID (register 0x06) must be 0x0054 and the device ID
/// (upper byte of register 0x07) 0x04, shutdown mode is left if some earlier user set it, and the
/// resolution register (0x08) is set to 0.0625 °C and read back. `probe()` does it all again, e.g.
/// after the bus recovered or the chip was power-cycled.
///
/// The chip's 16-bit registers go out MSB first while an SMBus word is assembled LSB first, so every
/// word is byte-swapped after reading (as Linux's jc42 driver does).
///
/// Reading allocates nothing; errors come from the bus (naming bus, address and register) or are
/// `.badResponse` for values the chip cannot legitimately send.
public final class MCP9808: TemperatureSensor {
    /// The eight addresses selectable with pins A2–A0 (0b0011_A2A1A0).
    public static let addresses: ClosedRange<UInt8> = 0x18...0x1F

    public enum Register {
        public static let config: UInt8 = 0x01
        public static let ambient: UInt8 = 0x05
        public static let manufacturerID: UInt8 = 0x06
        public static let deviceID: UInt8 = 0x07
        public static let resolution: UInt8 = 0x08
    }

    public static let expectedManufacturerID: UInt16 = 0x0054
    public static let expectedDeviceID: UInt8 = 0x04
    /// Resolution register value for 0.0625 °C (power-up default, t_CONV ≈ 250 ms).
    public static let resolutionSixteenth: UInt8 = 0x03
    /// CONFIG bit 8: shutdown (T_A stops converting and holds its last value).
    public static let configShutdown: UInt16 = 0x0100
    /// What the chip is specified to measure. A reading outside this cannot be trusted.
    public static let measurableRange: ClosedRange<Double> = -40...125

    public let bus: any I2CBus
    public let address: UInt8
    public let name: String

    /// Probes the chip at `address` on `bus` (see the type's documentation).
    /// Throws `.invalidRequest` for an address no MCP9808 can have, `.badResponse` if something else
    /// answers there, or whatever the bus threw.
    public init(bus: any I2CBus, address: UInt8 = 0x18) throws(BusError) {
        guard Self.addresses.contains(address) else {
            throw BusError(.invalidRequest, bus: bus.name, address: Int(address),
                           detail: "an MCP9808 can only be at 0x18…0x1F")
        }
        self.bus = bus
        self.address = address
        self.name = "MCP9808 @ \(bus.name):0x\(Self.hex(UInt16(address), digits: 2))"
        try probe()
    }

    /// Identifies the chip and configures it for continuous 0.0625 °C conversions.
    public func probe() throws(BusError) {
        let manufacturer = try readRegister(Register.manufacturerID)
        guard manufacturer == Self.expectedManufacturerID else {
            throw badResponse(Register.manufacturerID,
                              "manufacturer ID reads 0x\(Self.hex(manufacturer, digits: 4)), an MCP9808 has 0x0054")
        }
        let device = try readRegister(Register.deviceID)
        guard UInt8(device >> 8) == Self.expectedDeviceID else {
            throw badResponse(Register.deviceID,
                              "device ID/revision reads 0x\(Self.hex(device, digits: 4)), an MCP9808 has device ID 0x04 in the upper byte")
        }

        // A chip left in shutdown by someone else would keep reporting a stale temperature forever.
        // SHDN can always be cleared, even when the alert limits are locked.
        let config = try readRegister(Register.config)
        if config & Self.configShutdown != 0 {
            try writeRegister(Register.config, config & ~Self.configShutdown)
            let after = try readRegister(Register.config)
            guard after & Self.configShutdown == 0 else {
                throw badResponse(Register.config, "chip stays in shutdown (CONFIG 0x\(Self.hex(after, digits: 4)))")
            }
        }

        try bus.writeByteData(address: address, register: Register.resolution, value: Self.resolutionSixteenth)
        let resolution = try bus.readByteData(address: address, register: Register.resolution)
        guard resolution & 0x03 == Self.resolutionSixteenth else {
            throw badResponse(Register.resolution,
                              "resolution reads 0x\(Self.hex(UInt16(resolution), digits: 2)) after writing 0x03")
        }
    }

    /// One reading of the ambient temperature register (0x05).
    public func readTemperature() throws(BusError) -> Celsius {
        let raw = try readRegister(Register.ambient)
        let celsius = Self.decodeAmbient(raw)
        guard Self.measurableRange.contains(celsius.value) else {
            throw badResponse(Register.ambient,
                              "T_A 0x\(Self.hex(raw, digits: 4)) decodes to \(celsius), outside the chip's −40…+125 °C")
        }
        return celsius
    }

    /// Decodes a T_A register value (as the chip holds it, bit 15 first on the wire): bits 15–13 are
    /// the T_CRIT/T_UPPER/T_LOWER flags and are masked out, bit 12 is the sign of a 13-bit two's
    /// complement number of 1/16 °C. 0x0190 → +25.0 °C, 0x1FF0 → −1.0 °C, 0x1E00 → −32.0 °C.
    ///
    /// (The datasheet's sample code computes negatives as 256 − (…), which has the sign backwards;
    /// its text says two's complement, which is what this does.)
    @inlinable
    public static func decodeAmbient(_ raw: UInt16) -> Celsius {
        let bits = Int(raw & 0x1FFF)
        let sixteenths = bits & 0x1000 != 0 ? bits - 0x2000 : bits
        return Celsius(Double(sixteenths) / 16)
    }

    // MARK: Internals

    /// A 16-bit register as the chip holds it (SMBus word byte-swapped).
    private func readRegister(_ register: UInt8) throws(BusError) -> UInt16 {
        try bus.readWordData(address: address, register: register).byteSwapped
    }

    private func writeRegister(_ register: UInt8, _ value: UInt16) throws(BusError) {
        try bus.writeWordData(address: address, register: register, value: value.byteSwapped)
    }

    private func badResponse(_ register: UInt8, _ detail: String) -> BusError {
        BusError(.badResponse, bus: bus.name, address: Int(address), register: Int(register), detail: detail)
    }

    static func hex(_ value: UInt16, digits: Int) -> String {
        var s = String(value, radix: 16, uppercase: true)
        while s.count < digits { s = "0" + s }
        return s
    }
}
