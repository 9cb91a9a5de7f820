extension Format {
    /// Text from a person, a file or a database, made safe to print: every character that could
    /// move the cursor, clear the screen, ring the bell, retitle the window or reorder what follows
    /// is shown as a visible escape instead of being sent to the terminal. A recipe named
    /// "IPA\e[2J" or a brewer "ann\r[12:00] ✔ Confirmed" can then neither wipe nor forge the
    /// brewing terminal, however old the database or whatever program wrote it.
    ///
    /// Escaped: C0 controls (ESC → `\e`, CR → `\r`, LF → `\n`, TAB → `\t`, BEL → `\a`, BS → `\b`,
    /// NUL → `\0`, VT → `\v`, FF → `\f`, the rest as `\x1f`), DEL (`\x7f`), C1 controls (`\u{9b}`),
    /// the bidirectional embeddings, overrides, isolates and marks (U+061C, U+200E–200F,
    /// U+202A–202E, U+2066–2069) and the line and paragraph separators (U+2028–2029).
    /// Backslashes are left as they are, so paths read as typed.
    ///
    /// `keepingLayout` keeps line feeds and tabs, for text that is laid out in lines and columns
    /// (a multi-line message); a field printed on one line (a name in a table, an event in the live
    /// display) escapes them too, so it cannot start a forged line of its own.
    public static func printable(_ text: String, keepingLayout: Bool = false) -> String {
        func escape(_ s: Unicode.Scalar) -> String? {
            switch s.value {
            case 0x0A, 0x09: return keepingLayout ? nil : (s.value == 0x0A ? "\\n" : "\\t")
            case 0x1B: return "\\e"
            case 0x0D: return "\\r"
            case 0x07: return "\\a"
            case 0x08: return "\\b"
            case 0x00: return "\\0"
            case 0x0B: return "\\v"
            case 0x0C: return "\\f"
            case 0x01...0x1F, 0x7F: return "\\x" + hex(s.value, digits: 2)
            case 0x80...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029:
                return "\\u{" + hex(s.value, digits: 1) + "}"
            default: return nil
            }
        }
        // Nearly everything printed is clean: hand it back untouched, without building a copy.
        guard text.unicodeScalars.contains(where: { escape($0) != nil }) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for s in text.unicodeScalars {
            if let e = escape(s) { out += e } else { out.unicodeScalars.append(s) }
        }
        return out
    }

    private static func hex(_ v: UInt32, digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
