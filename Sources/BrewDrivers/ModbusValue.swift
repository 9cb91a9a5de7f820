import BrewCore
import BrewHAL

/// How a value sits in 16-bit Modbus registers, and the scale and offset from raw to units:
/// `value = raw · scale + offset`.
///
/// 32-bit types take two registers. Each register is big-endian on the wire (the client hands
/// back `UInt16`s already), so only the word order varies between devices: `.big` ("ABCD",
/// Modicon: high word first) or `.little` ("CDAB", word-swapped: low word first). The names match
/// the hardware file's `word_order`.
public struct ModbusValue: Hashable, Sendable {
    public enum DataType: String, Hashable, Sendable, CaseIterable {
        case int16, uint16, int32, uint32, float32
        public var registerCount: Int { self == .int16 || self == .uint16 ? 1 : 2 }
    }
    public enum WordOrder: String, Hashable, Sendable, CaseIterable {
        case big, little
    }

    public var type: DataType
    public var wordOrder: WordOrder
    public var scale: Double
    public var offset: Double

    public init(_ type: DataType, wordOrder: WordOrder = .big, scale: Double = 1, offset: Double = 0) {
        self.type = type
        self.wordOrder = wordOrder
        self.scale = scale
        self.offset = offset
    }

    public var registerCount: Int { type.registerCount }

    /// The raw number in `registers[start...]` (before scale and offset). NaN/∞ float32 come back
    /// as they are; `decode` refuses them.
    public func raw(_ registers: [UInt16], at start: Int = 0) -> Double {
        let first = registers[start]
        switch type {
        case .uint16: return Double(first)
        case .int16: return Double(Int16(bitPattern: first))
        case .uint32, .int32, .float32:
            let second = registers[start + 1]
            let (hi, lo) = wordOrder == .big ? (first, second) : (second, first)
            let bits = UInt32(hi) << 16 | UInt32(lo)
            switch type {
            case .uint32: return Double(bits)
            case .int32: return Double(Int32(bitPattern: bits))
            default: return Double(Float(bitPattern: bits))
            }
        }
    }

    /// Scaled value; nil for a float32 NaN or infinity (a transmitter's "no value").
    public func decode(_ registers: [UInt16], at start: Int = 0) -> Double? {
        let r = raw(registers, at: start)
        guard r.isFinite else { return nil }
        return r * scale + offset
    }

    /// The registers that hold `value` (unscaled by `(value − offset) / scale`, rounded to the
    /// nearest integer for integer types and clamped to the type's range).
    public func encode(_ value: Double) -> [UInt16] {
        let r = (value - offset) / scale
        func words(_ bits: UInt32) -> [UInt16] {
            let hi = UInt16(bits >> 16), lo = UInt16(truncatingIfNeeded: bits)
            return wordOrder == .big ? [hi, lo] : [lo, hi]
        }
        func clamped(_ lo: Double, _ hi: Double) -> Double {
            r.isNaN ? 0 : min(hi, max(lo, r.rounded()))
        }
        switch type {
        case .uint16: return [UInt16(clamped(0, 65535))]
        case .int16: return [UInt16(bitPattern: Int16(clamped(-32768, 32767)))]
        case .uint32: return words(UInt32(clamped(0, 4_294_967_295)))
        case .int32: return words(UInt32(bitPattern: Int32(clamped(-2_147_483_648, 2_147_483_647))))
        case .float32: return words(Float(r).bitPattern)
        }
    }
}

/// Where a value lives on a Modbus device: unit, table, address and format.
public struct ModbusPoint: Hashable, Sendable {
    public enum Table: String, Hashable, Sendable { case holding, input }
    public var unit: UInt8
    public var table: Table
    public var address: UInt16
    public var value: ModbusValue

    public init(unit: UInt8, table: Table = .holding, address: UInt16, value: ModbusValue) {
        self.unit = unit
        self.table = table
        self.address = address
        self.value = value
    }

    /// Reads and decodes the point; a NaN float is `.badResponse`.
    public func read(from client: any ModbusClient) throws(BusError) -> Double {
        let regs: [UInt16]
        switch table {
        case .holding: regs = try client.readHoldingRegisters(unit: unit, address: address, count: value.registerCount)
        case .input: regs = try client.readInputRegisters(unit: unit, address: address, count: value.registerCount)
        }
        guard regs.count == value.registerCount else {
            throw BusError(.badResponse, bus: client.name, address: Int(unit), register: Int(address),
                           detail: "asked for \(value.registerCount) register(s), got \(regs.count)")
        }
        guard let v = value.decode(regs) else {
            throw BusError(.badResponse, bus: client.name, address: Int(unit), register: Int(address),
                           detail: "register holds NaN or infinity (device reports no value)")
        }
        return v
    }
}
