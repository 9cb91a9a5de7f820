/// A path to a value in a TOML document: `steps[3].temperature`, `vessels.kettle.heater.power`.
/// Its `description` is both what error messages show and the key the locator files positions
/// under, so the two always agree.
struct ConfigPath: Hashable, Sendable, CustomStringConvertible {
    enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    private(set) var components: [Component] = []
    /// The dotted form, built as the path grows (the locator files thousands of paths).
    private(set) var description: String = ""

    static let root = ConfigPath()

    static func == (a: ConfigPath, b: ConfigPath) -> Bool { a.description == b.description }
    func hash(into hasher: inout Hasher) { hasher.combine(description) }

    func appending(_ key: String) -> ConfigPath {
        var p = self
        p.components.append(.key(key))
        if !p.description.isEmpty { p.description += "." }
        p.description += Self.quotedIfNeeded(key)
        return p
    }

    func appending(index: Int) -> ConfigPath {
        var p = self
        p.components.append(.index(index))
        p.description += "[\(index)]"
        return p
    }

    var parent: ConfigPath? {
        guard !components.isEmpty else { return nil }
        var p = ConfigPath.root
        for component in components.dropLast() {
            switch component {
            case .key(let k): p = p.appending(k)
            case .index(let i): p = p.appending(index: i)
            }
        }
        return p
    }

    /// Bare keys as written; anything else in double quotes, as TOML would need it.
    static func quotedIfNeeded(_ key: String) -> String {
        if !key.isEmpty, key.unicodeScalars.allSatisfy(isBareKeyScalar) { return key }
        var out = "\""
        for s in key.unicodeScalars {
            switch s {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if s.value < 0x20 || s.value == 0x7F {
                    out += "\\u" + String(s.value, radix: 16).leftPadded(to: 4)
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out + "\""
    }

    static func isBareKeyScalar(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": true
        default: false
        }
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

/// A place in the source text (1-based line and column; columns count Unicode scalars, as
/// toml++ does in its own parse errors).
struct SourcePosition: Hashable, Sendable, Comparable {
    var line: Int
    var column: Int
    static let start = SourcePosition(line: 1, column: 1)
    static func < (a: SourcePosition, b: SourcePosition) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}

/// TOMLKit gives values but no positions, so this scans the source text itself and records, for
/// every key path, where its key and its value are written. It understands what the loaders
/// meet: comments, `[table]` and `[[array.of.tables]]` headers (with indices), dotted and quoted
/// keys, all four string forms, arrays (indexed elements) and inline tables.
///
/// It runs before toml++ does (it also finds the text toml++ must not see, `Hazard`), so it takes
/// any text: every loop consumes input, nesting is bounded, and it never indexes past the end.
/// On valid TOML it agrees with toml++ about where every statement, string and list begins and ends.
struct SourceLocator: Sendable {
    struct Entry: Sendable {
        /// Where the key is written (for a table from a header: the `[`).
        var key: SourcePosition
        /// Where the value starts (for a table: its header `[` or its `{`).
        var value: SourcePosition
        /// Only implied, e.g. `vessels` by `[vessels.hlt]`; an explicit definition replaces it.
        var implicit: Bool
    }

    private(set) var entries: [String: Entry] = [:]

    init(text: String) {
        var scanner = Scanner(text: text)
        scanner.scanDocument()
        entries = scanner.entries
        hazards = scanner.hazards
        nulKeys = scanner.nulKeys
    }

    /// Text that toml++ 3.4 does not reject cleanly but asserts on (debug builds abort; release
    /// builds assume it cannot happen, which is undefined behaviour), so it must never reach it:
    /// a table header whose name does not start with a key character (`[=`, `[[[a]]]`,
    /// marzer/tomlplusplus#301), and a list element that starts with `}` or a Unicode line
    /// separator (`a = [}`). Replacing the character with `replacement` makes toml++ reject the
    /// text at the same place.
    struct Hazard: Sendable {
        /// Index of the offending character among the text's Unicode scalars.
        var offset: Int
        var position: SourcePosition
        var found: Unicode.Scalar
        var replacement: Unicode.Scalar
        var message: String
    }

    /// Hazards in file order.
    private(set) var hazards: [Hazard] = []
    /// Where quoted keys holding U+0000 are written (TOMLKit would hand them back cut short).
    private(set) var nulKeys: [SourcePosition] = []

    /// Where `path`'s key is written; walks up to the nearest located parent if need be.
    func keyPosition(_ path: ConfigPath) -> SourcePosition {
        var p: ConfigPath? = path
        while let current = p {
            if let e = entries[current.description] { return e.key }
            p = current.parent
        }
        return .start
    }

    /// Where `path`'s value is written; walks up to the nearest located parent if need be.
    func valuePosition(_ path: ConfigPath) -> SourcePosition {
        var p: ConfigPath? = path
        while let current = p {
            if let e = entries[current.description] { return current == path ? e.value : e.key }
            p = current.parent
        }
        return .start
    }

    // MARK: - Scanner

    private struct Scanner {
        let s: [Unicode.Scalar]
        var i = 0
        var line = 1
        var column = 1
        var entries: [String: Entry] = [:]
        /// How many `[[x]]` headers each array-of-tables path has had so far.
        var arrayTableCounts: [String: Int] = [:]
        var hazards: [Hazard] = []
        /// Quoted keys holding U+0000, which TOMLKit cannot hand back intact.
        var nulKeys: [SourcePosition] = []
        /// How deeply arrays and inline tables are nested here.
        var depth = 0
        static let maximumDepth = 300
        /// Scalars dropped from the front (a byte-order mark).
        let offset: Int

        init(text: String) {
            var scalars = Array(text.unicodeScalars)
            if scalars.first == "\u{FEFF}" {
                scalars.removeFirst()
                offset = 1
            } else {
                offset = 0
            }
            s = scalars
        }

        var atEnd: Bool { i >= s.count }
        var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }
        func peek(_ offset: Int) -> Unicode.Scalar? {
            let j = i + offset
            return j >= 0 && j < s.count ? s[j] : nil
        }
        var position: SourcePosition { SourcePosition(line: line, column: column) }

        mutating func advance() {
            guard i < s.count else { return }
            if s[i] == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += 1
        }

        mutating func record(_ path: ConfigPath, key: SourcePosition, value: SourcePosition, implicit: Bool) {
            let name = path.description
            if let existing = entries[name] {
                if existing.implicit && !implicit {
                    entries[name] = Entry(key: key, value: value, implicit: false)
                }
            } else {
                entries[name] = Entry(key: key, value: value, implicit: implicit)
            }
        }

        mutating func skipSpaces() {
            while let c = peek, c == " " || c == "\t" { advance() }
        }

        mutating func skipToEndOfLine() {
            var j = i
            while j < s.count, s[j] != "\n" { j += 1 }
            column += j - i
            i = j
        }

        /// Spaces, newlines and comments (inside arrays and inline tables).
        mutating func skipTrivia() {
            while let c = peek {
                if c == " " || c == "\t" || c == "\r" || c == "\n" {
                    advance()
                } else if c == "#" {
                    skipToEndOfLine()
                } else {
                    break
                }
            }
        }

        mutating func scanDocument() {
            var table = ConfigPath.root
            while !atEnd {
                let start = i
                skipTrivia()
                guard let c = peek else { break }
                if c == "[" {
                    table = scanHeader()
                } else {
                    scanKeyValue(base: table)
                }
                // Whatever follows on the line (a comment, or text toml++ would have refused).
                skipSpaces()
                if peek == "#" { skipToEndOfLine() }
                if i == start { advance() }  // never stall
                if let c = peek, c != "\n", c != "\r" { skipToEndOfLine() }
            }
        }

        /// `[a.b]` or `[[a.b]]`; returns the table the following key/values belong to.
        mutating func scanHeader() -> ConfigPath {
            let at = position
            advance()  // [
            var isArray = false
            var hadSpace = false
            while peek == " " || peek == "\t" {
                advance()
                hadSpace = true
            }
            if peek == "[", !hadSpace {
                isArray = true
                advance()
                skipSpaces()
            }
            // toml++ 3.4 takes it for granted that a header's name starts here.
            if let c = peek, c != "]", !ConfigPath.isBareKeyScalar(c), c != "\"", c != "'", !(c == "[" && hadSpace) {
                hazards.append(Hazard(offset: i + offset, position: position, found: c, replacement: "]",
                                      message: "a table header needs a name after `[`, found \(Self.show(c))"))
            }
            let keys = scanDottedKey()
            skipSpaces()
            if peek == "]" { advance() }
            if isArray, peek == "]" { advance() }
            guard !keys.isEmpty else { return .root }

            var path = ConfigPath.root
            for (n, key) in keys.enumerated() {
                path = path.appending(key.name)
                let isLast = n == keys.count - 1
                if isLast && isArray {
                    record(path, key: at, value: at, implicit: true)
                    let name = path.description
                    let index = arrayTableCounts[name, default: 0]
                    arrayTableCounts[name] = index + 1
                    path = path.appending(index: index)
                    record(path, key: at, value: at, implicit: false)
                } else {
                    record(path, key: at, value: at, implicit: !isLast)
                    if let count = arrayTableCounts[path.description], count > 0 {
                        path = path.appending(index: count - 1)
                    }
                }
            }
            return path
        }

        /// `key = value` (dotted keys allowed) relative to `base`.
        mutating func scanKeyValue(base: ConfigPath) {
            let keys = scanDottedKey()
            guard !keys.isEmpty else {
                skipToEndOfLine()
                return
            }
            var path = base
            for (n, key) in keys.enumerated() {
                path = path.appending(key.name)
                if n < keys.count - 1 {
                    record(path, key: key.position, value: key.position, implicit: true)
                }
            }
            skipSpaces()
            guard peek == "=" else {
                record(path, key: keys[keys.count - 1].position, value: keys[keys.count - 1].position, implicit: false)
                return
            }
            advance()
            skipSpaces()
            let last = keys[keys.count - 1].position
            scanValue(path: path, keyPosition: last)
        }

        struct ScannedKey {
            var name: String
            var position: SourcePosition
        }

        /// `a`, `a.b`, `"quoted key".c`, `'literal'.d` — stops before `=`, `]`, or anything else.
        mutating func scanDottedKey() -> [ScannedKey] {
            var keys: [ScannedKey] = []
            while true {
                skipSpaces()
                let at = position
                guard let c = peek else { break }
                var name = ""
                if c == "\"" {
                    name = scanBasicStringContent()
                } else if c == "'" {
                    name = scanLiteralStringContent()
                } else if ConfigPath.isBareKeyScalar(c) {
                    while let k = peek, ConfigPath.isBareKeyScalar(k) {
                        name.unicodeScalars.append(k)
                        advance()
                    }
                } else {
                    break
                }
                if name.unicodeScalars.contains("\0") { nulKeys.append(at) }
                keys.append(ScannedKey(name: name, position: at))
                skipSpaces()
                if peek == "." {
                    advance()
                } else {
                    break
                }
            }
            return keys
        }

        /// A `"…"` string (one line), decoded well enough for keys; leaves the cursor after it.
        mutating func scanBasicStringContent() -> String {
            advance()  // "
            var out = ""
            while let c = peek, c != "\n" {
                if c == "\"" {
                    advance()
                    return out
                }
                if c == "\\" {
                    advance()
                    guard let e = peek, e != "\n" else { break }
                    advance()
                    switch e {
                    case "n": out += "\n"
                    case "t": out += "\t"
                    case "r": out += "\r"
                    case "b": out += "\u{08}"
                    case "f": out += "\u{0C}"
                    case "e": out += "\u{1B}"
                    case "u", "U":
                        let digits = e == "u" ? 4 : 8
                        var value: UInt32 = 0
                        var ok = true
                        for _ in 0..<digits {
                            guard let h = peek, let d = Self.hexValue(h) else {
                                ok = false
                                break
                            }
                            value = value &* 16 &+ d
                            advance()
                        }
                        if ok, let scalar = Unicode.Scalar(value) { out.unicodeScalars.append(scalar) }
                    default: out.unicodeScalars.append(e)
                    }
                    continue
                }
                out.unicodeScalars.append(c)
                advance()
            }
            return out
        }

        /// Skips a one-line `"…"` or `'…'` value without decoding it.
        mutating func skipString(quote: Unicode.Scalar) {
            advance()
            while i < s.count {
                let c = s[i]
                if c == "\n" { return }
                if quote == "\"" && c == "\\" {
                    advance()
                    if i < s.count, s[i] != "\n" { advance() }
                    continue
                }
                advance()
                if c == quote { return }
            }
        }

        /// "`}`" or "U+2028".
        static func show(_ c: Unicode.Scalar) -> String {
            if c.value < 0x20 || c.value == 0x7F || (0x80...0x9F).contains(c.value) || c == "\u{2028}" || c == "\u{2029}" {
                return "U+" + String(c.value, radix: 16, uppercase: true).leftPadded(to: 4)
            }
            return "`\(c)`"
        }

        static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
            switch c {
            case "0"..."9": c.value - 48
            case "a"..."f": c.value - 87
            case "A"..."F": c.value - 55
            default: nil
            }
        }

        /// A `'…'` string (one line); leaves the cursor after it.
        mutating func scanLiteralStringContent() -> String {
            advance()  // '
            var out = ""
            while let c = peek, c != "\n" {
                advance()
                if c == "'" { return out }
                out.unicodeScalars.append(c)
            }
            return out
        }

        /// Skips a `"""…"""` or `'''…'''` string (the cursor is on its first quote).
        mutating func skipMultilineString(quote: Unicode.Scalar) {
            advance(); advance(); advance()
            while let c = peek {
                if quote == "\"" && c == "\\" {
                    advance()
                    advance()
                    continue
                }
                if c == quote && peek(1) == quote && peek(2) == quote {
                    advance(); advance(); advance()
                    // Up to two more quotes belong to the content: `""""` ends with a quote.
                    var extra = 0
                    while extra < 2, peek == quote {
                        advance()
                        extra += 1
                    }
                    return
                }
                advance()
            }
        }

        mutating func scanValue(path: ConfigPath, keyPosition: SourcePosition) {
            let at = position
            record(path, key: keyPosition, value: at, implicit: false)
            guard let c = peek else { return }
            // toml++ refuses values nested deeper than 256; stop before our own stack is at risk.
            if (c == "[" || c == "{") && depth >= Self.maximumDepth {
                i = s.count
                return
            }
            depth += 1
            defer { depth -= 1 }
            switch c {
            case "\"", "'":
                if peek(1) == c && peek(2) == c {
                    skipMultilineString(quote: c)
                } else {
                    skipString(quote: c)
                }
            case "[":
                scanArray(path: path)
            case "{":
                scanInlineTable(path: path)
            default:
                // Numbers, booleans, dates and times (which may contain one space).
                while let v = peek, v != ",", v != "]", v != "}", v != "#", v != "\n", v != "\r" { advance() }
            }
        }

        mutating func scanArray(path: ConfigPath) {
            advance()  // [
            var index = 0
            var afterValue = false
            while true {
                skipTrivia()
                guard let c = peek else { return }
                if c == "]" {
                    advance()
                    return
                }
                if c == "," {
                    advance()
                    afterValue = false
                    continue
                }
                // toml++ 3.4 takes it for granted that a value starts here.
                if !afterValue, c == "}" || c == "\u{2028}" || c == "\u{2029}" || c == "\u{85}" {
                    hazards.append(Hazard(offset: i + offset, position: position, found: c, replacement: ",",
                                          message: "expected a value in the list, found \(Self.show(c))"))
                }
                afterValue = true
                let before = i
                let element = path.appending(index: index)
                let at = position
                scanValue(path: element, keyPosition: at)
                index += 1
                if i == before { advance() }
            }
        }

        mutating func scanInlineTable(path: ConfigPath) {
            advance()  // {
            while true {
                skipTrivia()
                guard let c = peek else { return }
                if c == "}" {
                    advance()
                    return
                }
                if c == "," {
                    advance()
                    continue
                }
                let before = i
                let keys = scanDottedKey()
                if keys.isEmpty {
                    if i == before { advance() }
                    continue
                }
                var p = path
                for (n, key) in keys.enumerated() {
                    p = p.appending(key.name)
                    if n < keys.count - 1 {
                        record(p, key: key.position, value: key.position, implicit: true)
                    }
                }
                skipSpaces()
                let keyAt = keys[keys.count - 1].position
                if peek == "=" {
                    advance()
                    skipTrivia()
                    scanValue(path: p, keyPosition: keyAt)
                } else {
                    record(p, key: keyAt, value: keyAt, implicit: false)
                }
                if i == before { advance() }
            }
        }
    }
}
