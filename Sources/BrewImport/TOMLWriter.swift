/// A small TOML emitter for the recipe files `brewctl import` writes: basic strings with every
/// character TOML requires escaped, inline tables, and comment lines that cannot break out.
enum TOML {
    /// A basic string: `"…"`, with quotes, backslashes and control characters escaped.
    static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            out += escape(scalar, multiline: false)
        }
        return out + "\""
    }

    /// A multi-line basic string. Newlines are kept; quotes are escaped so no `"""` can occur.
    static func multiline(_ s: String) -> String {
        var body = ""
        let text = s.replacingOccurrences(of: "\r\n", with: "\n")
        for scalar in text.unicodeScalars {
            body += escape(scalar, multiline: true)
        }
        if !body.hasSuffix("\n") { body += "\n" }
        return "\"\"\"\n" + body + "\"\"\""
    }

    private static func escape(_ c: Unicode.Scalar, multiline: Bool) -> String {
        switch c {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\n": return multiline ? "\n" : "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        case "\u{08}": return "\\b"
        case "\u{0C}": return "\\f"
        default:
            if c.value < 0x20 || c.value == 0x7F || (0x80...0x9F).contains(c.value) {
                return "\\u" + hex4(c.value)
            }
            return String(c)
        }
    }

    private static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }

    /// `{ key = value, … }` from already rendered values.
    static func inline(_ pairs: [(String, String)]) -> String {
        "{ " + pairs.map { "\($0.0) = \($0.1)" }.joined(separator: ", ") + " }"
    }

    /// One comment line per line of `text`; control characters (which TOML forbids in comments) become spaces.
    static func comment(_ text: String, indent: String = "") -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let clean = String(String.UnicodeScalarView(line.unicodeScalars.map { c in
                (c.value < 0x20 && c != "\t") || c.value == 0x7F ? " " : c
            }))
            return clean.isEmpty ? "#" : "# \(indent)\(clean)"
        }
    }
}
