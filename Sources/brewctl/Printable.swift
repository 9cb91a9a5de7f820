/// Text from a person, a file or the database, made safe to print on a terminal: control
/// characters (ESC, CR, BEL, the C1 set, DEL) and bidirectional overrides are shown escaped,
/// so a name cannot move the cursor, clear the screen or rewrite the brewing terminal.
enum Printable {
    static func text(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            if needsEscape(u) {
                switch u {
                case "\u{1B}": out += "\\e"
                case "\r": out += "\\r"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default: out += u.value <= 0xFF ? "\\x" + hex(u.value, 2) : "\\u{" + hex(u.value, 4) + "}"
                }
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value) || (0x202A...0x202E).contains(u.value) || (0x2066...0x2069).contains(u.value)
    }

    private static func hex(_ v: UInt32, _ digits: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
