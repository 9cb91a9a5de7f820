/// A 64-bit 1-Wire registration number: family code (byte 0, sent first), 48-bit serial number
/// (bytes 1–6), CRC-8 of bytes 0–6 (byte 7). Held as a `UInt64` with byte 0 in the low byte, the
/// order the bits go on the wire (LSB of byte 0 first) — the same convention as
/// `RigSpec.Sensor.Connection.oneWire(rom:)`.
public struct OneWireROM: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// From the eight bytes in wire order (family code first, CRC last).
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 8, "a 1-Wire ROM code has 8 bytes")
        var v: UInt64 = 0
        for (i, b) in bytes.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        value = v
    }

    /// A ROM code from family and serial, with its CRC computed (for simulated devices and tests).
    public init(family: UInt8, serial: UInt64) {
        var v = UInt64(family) | (serial & 0xFFFF_FFFF_FFFF) << 8
        var crc: UInt8 = 0
        for i in 0..<7 { crc = DallasCRC8.update(crc, UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
        v |= UInt64(crc) << 56
        value = v
    }

    /// Byte `i` (0 = family code, 7 = CRC) as sent on the wire.
    @inlinable public func byte(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    /// Bit `i` (0…63) in wire order.
    @inlinable public func bit(_ i: Int) -> Bool { (value >> UInt64(i)) & 1 != 0 }

    public var familyCode: UInt8 { byte(0) }
    public var serialNumber: UInt64 { (value >> 8) & 0xFFFF_FFFF_FFFF }
    public var crc: UInt8 { byte(7) }

    /// Whether byte 7 is the CRC-8 of bytes 0–6.
    public var isCRCValid: Bool {
        var crc: UInt8 = 0
        for i in 0..<7 { crc = DallasCRC8.update(crc, byte(i)) }
        return crc == byte(7)
    }

    /// Linux w1 style, family and serial: "28-00000a1b2c3d".
    public var description: String {
        var serial = String(serialNumber, radix: 16)
        while serial.count < 12 { serial = "0" + serial }
        var family = String(familyCode, radix: 16)
        if family.count < 2 { family = "0" + family }
        return family + "-" + serial
    }
}
