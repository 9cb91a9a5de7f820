import BrewCore
import BrewHAL
import BrewRigIO

/// What an interlock last read of one sensor, as a batch snapshot keeps it (format 4 on):
/// `RigIO.RememberedValue` in a form the snapshot formats can hold.
public struct SavedInterlockValue: Hashable, Sendable, Codable, BinaryCodable {
    public var sensor: String
    public var value: Double?
    /// A failed read: its kind (`BusError.Kind`'s raw value), bus, address, register and detail.
    public var failureKind: String?
    public var bus: String
    public var address: Int?
    public var register: Int?
    public var detail: String

    public init(_ v: RigIO.RememberedValue) {
        sensor = v.sensor
        value = v.value
        failureKind = v.failure?.kind.rawValue
        bus = v.failure?.bus ?? ""
        address = v.failure?.address
        register = v.failure?.register
        detail = v.failure?.detail ?? ""
    }

    /// The remembered value; a failure of a kind this brewctl does not know reads as an I/O failure
    /// (still a failure: unsure means off).
    public var remembered: RigIO.RememberedValue {
        let failure = failureKind.map { BusError(BusError.Kind(rawValue: $0) ?? .io, bus: bus, address: address, register: register, detail: detail) }
        return RigIO.RememberedValue(sensor: sensor, value: failure == nil ? value : nil, failure: failure)
    }

    public func encode(to w: inout BinaryWriter) { w.write(sensor, value, failureKind, bus, address, register, detail) }

    public init(from r: inout BinaryReader) throws {
        sensor = try r.read()
        value = try r.read()
        failureKind = try r.read()
        bus = try r.read()
        address = try r.read()
        register = try r.read()
        detail = try r.read()
    }
}
