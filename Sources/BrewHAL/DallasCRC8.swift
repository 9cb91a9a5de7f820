/// The Dallas/Maxim 1-Wire CRC-8: polynomial x⁸ + x⁵ + x⁴ + 1, shifted in LSB first with a zero
/// initial value (Maxim application note 27). It protects every 1-Wire ROM code (byte 7 is the CRC
/// of bytes 0–6) and the DS18B20 scratchpad (byte 8 is the CRC of bytes 0–7). Running the CRC over
/// the data *and* its CRC byte gives 0.
///
/// Note that all-zero data has CRC 0 and so always "passes": a data line stuck low reads as a valid
/// block of zeros. Callers must reject that pattern themselves (the DS18B20 driver does).
public enum DallasCRC8 {
    /// 0x8C is the polynomial 0x31 bit-reversed, for the LSB-first shift register.
    public static let reflectedPolynomial: UInt8 = 0x8C

    /// Feeds one byte into a running CRC.
    @inlinable
    public static func update(_ crc: UInt8, _ byte: UInt8) -> UInt8 {
        var crc = crc
        var byte = byte
        for _ in 0..<8 {
            let mix = (crc ^ byte) & 1
            crc >>= 1
            if mix != 0 { crc ^= reflectedPolynomial }
            byte >>= 1
        }
        return crc
    }

    /// CRC of a byte sequence.
    @inlinable
    public static func checksum<S: Sequence>(_ bytes: S) -> UInt8 where S.Element == UInt8 {
        var crc: UInt8 = 0
        for b in bytes { crc = update(crc, b) }
        return crc
    }
}
