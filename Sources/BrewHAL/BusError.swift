import BrewCore

/// The one error every bus and device call can throw. Drivers and backends map their failures onto
/// these few kinds so the safety layer can act on them without knowing the bus.
public struct BusError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// Nobody answered at that address (I2C NACK, Modbus unit silent).
        case noDevice
        /// The device answered too late or not at all within the response timeout.
        case timeout
        /// A checksum failed (Modbus CRC, 1-Wire CRC, SMBus PEC).
        case checksum
        /// The device answered, but with something that cannot be right (wrong ID, bad length).
        case badResponse
        /// The device reported an error of its own (Modbus exception, fault flag).
        case deviceFault
        /// The bus itself failed (adapter gone, permission denied, link down).
        case io
        /// The call was invalid for this bus (address out of range, unsupported operation).
        case invalidRequest
    }

    public var kind: Kind
    /// Which bus, e.g. "i2c-1" or "sim-i2c".
    public var bus: String
    public var address: Int?
    public var register: Int?
    public var detail: String

    public init(_ kind: Kind, bus: String, address: Int? = nil, register: Int? = nil, detail: String) {
        self.kind = kind
        self.bus = bus
        self.address = address
        self.register = register
        self.detail = detail
    }

    public var description: String {
        var place = bus
        if let address { place += " address 0x" + hex(address) }
        if let register { place += " register 0x" + hex(register) }
        return "\(place): \(kind.rawValue): \(detail)"
    }

    private func hex(_ v: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return s.count < 2 ? "0" + s : s
    }
}
