/// A compact binary encoding for state that is written often — the resumable batch state is
/// replaced every few seconds of brew time — where a keyed text format costs more than the
/// control it protects. Fields are written in a fixed order, without names: each type writes its
/// fields in `encode(to:)` and reads them back in the same order in `init(from:)`. The reader
/// carries the format version, so a later version can add a field and still read the older one.
///
/// Doubles are their IEEE 754 bits (exact, NaN and infinities included), integers zigzag
/// varints, strings a length and UTF-8, optionals a presence byte, arrays a count.
public protocol BinaryCodable {
    func encode(to writer: inout BinaryWriter)
    init(from reader: inout BinaryReader) throws
}

public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Writes the values in order: a type's `encode(to:)` is one call listing its fields.
    @inlinable
    public mutating func write<each T: BinaryCodable>(_ value: repeat each T) {
        repeat (each value).encode(to: &self)
    }

    public mutating func writeRaw(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    @usableFromInline
    mutating func writeByte(_ b: UInt8) { bytes.append(b) }

    @usableFromInline
    mutating func writeFixed(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @usableFromInline
    mutating func writeVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
}

public struct BinaryReader {
    public struct Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The format version being read.
    public let version: Int
    private let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0, version: Int) {
        self.bytes = bytes
        self.offset = offset
        self.version = version
    }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func read<T: BinaryCodable>(_ type: T.Type = T.self) throws -> T { try T(from: &self) }

    /// Reads exactly these bytes (a magic number) or throws.
    public mutating func expect(_ raw: [UInt8], _ what: String) throws {
        guard bytes.count - offset >= raw.count, bytes[offset..<offset + raw.count].elementsEqual(raw) else { throw Error("not \(what)") }
        offset += raw.count
    }

    mutating func readByte() throws -> UInt8 {
        guard offset < bytes.count else { throw Error("truncated at byte \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readFixed() throws -> UInt64 {
        guard bytes.count - offset >= 8 else { throw Error("truncated at byte \(offset)") }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        offset += 8
        return v
    }

    mutating func readVarint() throws -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            guard shift < 64 else { throw Error("varint too long at byte \(offset)") }
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    /// A count or length, checked against what is left so a damaged one cannot allocate wildly.
    mutating func readCount() throws -> Int {
        let n = try readVarint()
        guard n <= UInt64(bytes.count - offset) else { throw Error("a count of \(n) at byte \(offset) runs past the end") }
        return Int(n)
    }
}

extension Double: BinaryCodable {
    @inlinable public func encode(to w: inout BinaryWriter) { w.writeFixed(bitPattern) }
    public init(from r: inout BinaryReader) throws { self.init(bitPattern: try r.readFixed()) }
}

extension UInt64: BinaryCodable {
    @inlinable public func encode(to w: inout BinaryWriter) { w.writeFixed(self) }
    public init(from r: inout BinaryReader) throws { self = try r.readFixed() }
}

extension Int: BinaryCodable {
    // Zigzag, so small negative numbers stay short too.
    @inlinable public func encode(to w: inout BinaryWriter) { w.writeVarint(UInt64(bitPattern: Int64((self << 1) ^ (self >> 63)))) }
    public init(from r: inout BinaryReader) throws {
        let z = try r.readVarint()
        self = Int(Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1))))
    }
}

extension Bool: BinaryCodable {
    @inlinable public func encode(to w: inout BinaryWriter) { w.writeByte(self ? 1 : 0) }
    public init(from r: inout BinaryReader) throws {
        switch try r.readByte() {
        case 0: self = false
        case 1: self = true
        case let b: throw BinaryReader.Error("not a Bool: \(b) at byte \(r.offset - 1)")
        }
    }
}

extension String: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        let utf8 = self.utf8
        w.writeVarint(UInt64(utf8.count))
        w.writeRaw(Array(utf8))
    }
    public init(from r: inout BinaryReader) throws {
        let n = try r.readCount()
        var raw: [UInt8] = []
        raw.reserveCapacity(n)
        for _ in 0..<n { raw.append(try r.readByte()) }
        self = String(decoding: raw, as: UTF8.self)
    }
}

extension Optional: BinaryCodable where Wrapped: BinaryCodable {
    @inlinable public func encode(to w: inout BinaryWriter) {
        if let value = self {
            w.writeByte(1)
            value.encode(to: &w)
        } else {
            w.writeByte(0)
        }
    }
    public init(from r: inout BinaryReader) throws {
        switch try r.readByte() {
        case 0: self = nil
        case 1: self = try Wrapped(from: &r)
        case let b: throw BinaryReader.Error("not an optional's tag: \(b) at byte \(r.offset - 1)")
        }
    }
}

extension Array: BinaryCodable where Element: BinaryCodable {
    @inlinable public func encode(to w: inout BinaryWriter) {
        w.writeVarint(UInt64(count))
        for e in self { e.encode(to: &w) }
    }
    public init(from r: inout BinaryReader) throws {
        let n = try r.readCount()   // every element takes at least a byte
        self = []
        reserveCapacity(n)
        for _ in 0..<n { append(try Element(from: &r)) }
    }
}

/// CRC-32 (IEEE 802.3, as zlib computes it) over bytes: a saved state carries one, so a state
/// damaged on disk or edited by hand is refused as damaged instead of read as nonsense numbers.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// Over a contiguous array: the state is checksummed with every flush, and a generic walk
    /// across the module boundary cost a tenth of a flat-out simulation.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        table.withUnsafeBufferPointer { t in
            bytes.withUnsafeBufferPointer { b in
                var c: UInt32 = 0xFFFF_FFFF
                for x in b { c = t[Int((c ^ UInt32(x)) & 0xFF)] ^ (c >> 8) }
                return c ^ 0xFFFF_FFFF
            }
        }
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 { checksum(Array(bytes)) }
}
