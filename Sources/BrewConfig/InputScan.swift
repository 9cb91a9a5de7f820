/// A cheap first pass over a file's text, before anything else reads it: it measures nesting
/// depth, keys per table, list lengths, the number of values and the length of every text
/// against `InputLimits`, and names the first place one is exceeded. TOMLKit converts a parsed
/// document recursively, so thirty thousand dotted-key components overflow the stack; this pass
/// is what keeps such a file from ever reaching it.
///
/// It is a small TOML lexer over the UTF-8 bytes (every TOML delimiter is ASCII): strings in all
/// four forms, comments, `[table]` and `[[array]]` headers, dotted and quoted keys, lists and
/// inline tables. It does not judge syntax (toml++ does that next, with its own message); on text
/// that is not TOML it still ends, every loop consuming input, in time linear in the text, with
/// nesting bounded by the limit it checks.
struct InputScan {
    struct Violation: Error, Sendable {
        var position: SourcePosition
        var message: String
    }

    /// The first limit the text exceeds, or nil when it is within all of them.
    static func check(_ text: String) -> Violation? {
        var scan = InputScan(bytes: Array(text.utf8))
        do throws(Violation) {
            try scan.document()
            return nil
        } catch {
            return error
        }
    }

    /// Where the byte at `offset` is written (for "the file goes on past 1 MiB here").
    static func position(ofByte offset: Int, in bytes: some Collection<UInt8>) -> SourcePosition {
        var p = SourcePosition.start
        for (n, b) in bytes.enumerated() {
            if n >= offset { break }
            if b == UInt8(ascii: "\n") {
                p.line += 1
                p.column = 1
            } else if b & 0xC0 != 0x80 {
                p.column += 1
            }
        }
        return p
    }

    /// The file-size limit's error at `position`.
    static func tooLarge(at position: SourcePosition) -> Violation {
        Violation(position: position,
                  message: "the file goes on past \(InputLimits.fileSizeText) here; brewctl reads recipe and hardware files of up to "
                      + "\(InputLimits.fileSizeText) (real ones are a few KiB): is this the right file?")
    }

    // MARK: - Tables as the text builds them

    /// A table or key, named by its parent and its name, so every table's keys can be counted
    /// without building path strings (which would cost depth × keys).
    private struct NodeKey: Hashable {
        var parent: Int
        var name: [UInt8]
    }

    private var nodes: [NodeKey: Int] = [:]
    /// Per node: its depth, how many keys it has, and for a `[[table]]` its elements so far and
    /// the newest one.
    private var depthOf: [Int] = [0]
    private var keyCount: [Int] = [0]
    private var elementCount: [Int] = [0]
    private var lastElement: [Int] = [-1]
    private var values = 0

    private mutating func newNode(depth: Int) -> Int {
        depthOf.append(depth)
        keyCount.append(0)
        elementCount.append(0)
        lastElement.append(-1)
        return depthOf.count - 1
    }

    private mutating func countValue(at p: SourcePosition) throws(Violation) {
        values += 1
        if values > InputLimits.values {
            throw Violation(position: p, message: "the file has more than \(InputLimits.values) keys and list elements; brewctl reads "
                                + "at most \(InputLimits.values) (a real recipe or rig has a few hundred): split it, or look for generated text")
        }
    }

    private mutating func checkDepth(_ depth: Int, at p: SourcePosition) throws(Violation) {
        if depth > InputLimits.depth {
            throw Violation(position: p, message: "this value is nested \(depth) levels deep (dotted keys, [table] headers, { } and [ ] "
                                + "together); brewctl reads at most \(InputLimits.depth) levels (real files use 5 or so): flatten it, "
                                + "or look for a runaway dotted key or unclosed brackets")
        }
    }

    /// The key `name` of table `parent`, made if new.
    private mutating func child(_ parent: Int, _ key: ScannedKey) throws(Violation) -> Int {
        let nodeKey = NodeKey(parent: parent, name: key.name)
        if let existing = nodes[nodeKey] { return existing }
        let depth = depthOf[parent] + 1
        try checkDepth(depth, at: key.position)
        keyCount[parent] += 1
        if keyCount[parent] > InputLimits.keysPerTable {
            throw Violation(position: key.position, message: "this table has more than \(InputLimits.keysPerTable) keys; brewctl reads "
                                + "at most \(InputLimits.keysPerTable) in one table: split it, or look for generated text")
        }
        try countValue(at: key.position)
        let id = newNode(depth: depth)
        nodes[nodeKey] = id
        return id
    }

    /// A new element of the list at `depth` (a list element or a `[[table]]`): counts it.
    private mutating func element(number: Int, depth: Int, at p: SourcePosition) throws(Violation) {
        try checkDepth(depth, at: p)
        if number > InputLimits.listLength {
            throw Violation(position: p, message: "this list has more than \(InputLimits.listLength) elements; brewctl reads at most "
                                + "\(InputLimits.listLength) in one list (or [[table]]s of one name): split it, or look for generated text")
        }
        try countValue(at: p)
    }

    // MARK: - Bytes

    private let b: [UInt8]
    private var i = 0
    private var line = 1
    private var column = 1

    private init(bytes: [UInt8]) {
        // A byte-order mark is not part of the text (toml++ skips it; columns start after it).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { b = Array(bytes.dropFirst(3)) } else { b = bytes }
    }

    private var atEnd: Bool { i >= b.count }
    private var peek: UInt8? { i < b.count ? b[i] : nil }
    private func peek(_ ahead: Int) -> UInt8? { i + ahead < b.count ? b[i + ahead] : nil }
    private var position: SourcePosition { SourcePosition(line: line, column: column) }

    private mutating func advance() {
        guard i < b.count else { return }
        if b[i] == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if b[i] & 0xC0 != 0x80 {
            column += 1  // a continuation byte is part of the character before it
        }
        i += 1
    }

    private static func isBareKey(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }

    private mutating func skipSpaces() {
        while let c = peek, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { advance() }
    }

    private mutating func skipToEndOfLine() {
        while let c = peek, c != UInt8(ascii: "\n") { advance() }
    }

    /// Spaces, newlines and comments.
    private mutating func skipTrivia() {
        while let c = peek {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n") {
                advance()
            } else if c == UInt8(ascii: "#") {
                skipToEndOfLine()
            } else {
                break
            }
        }
    }

    // MARK: - Statements

    private mutating func document() throws(Violation) {
        var table = 0
        while !atEnd {
            let start = i
            skipTrivia()
            guard let c = peek else { break }
            if c == UInt8(ascii: "[") {
                table = try header()
            } else {
                try keyValue(in: table)
            }
            skipSpaces()
            if i == start { advance() }  // never stall
            // The rest of the line: a comment, or text toml++ will refuse.
            skipToEndOfLine()
        }
    }

    /// `[a.b]` or `[[a.b]]`; returns the table the key/values after it belong to.
    private mutating func header() throws(Violation) -> Int {
        let at = position
        advance()  // [
        let isArray = peek == UInt8(ascii: "[")
        if isArray { advance() }
        let keys = try dottedKey()
        skipSpaces()
        if peek == UInt8(ascii: "]") { advance() }
        if isArray, peek == UInt8(ascii: "]") { advance() }
        var node = 0
        for (n, key) in keys.enumerated() {
            node = try child(node, key)
            if isArray && n == keys.count - 1 {
                elementCount[node] += 1
                try element(number: elementCount[node], depth: depthOf[node] + 1, at: at)
                let e = newNode(depth: depthOf[node] + 1)
                lastElement[node] = e
                node = e
            } else if lastElement[node] >= 0 {
                node = lastElement[node]
            }
        }
        return node
    }

    /// `a.b = value` in `table`.
    private mutating func keyValue(in table: Int) throws(Violation) {
        let keys = try dottedKey()
        guard !keys.isEmpty else {
            skipToEndOfLine()
            return
        }
        var node = table
        for key in keys { node = try child(node, key) }
        skipSpaces()
        guard peek == UInt8(ascii: "=") else { return }
        advance()
        skipSpaces()
        try value(depth: depthOf[node])
    }

    private struct ScannedKey {
        var name: [UInt8]
        var position: SourcePosition
    }

    /// `a`, `a.b`, `"quoted".c`, `'literal'.d`; stops before `=`, `]` or anything else.
    private mutating func dottedKey() throws(Violation) -> [ScannedKey] {
        var keys: [ScannedKey] = []
        while true {
            skipSpaces()
            let at = position
            guard let c = peek else { break }
            let start: Int
            let end: Int
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                (start, end) = try oneLineString(limit: InputLimits.keyLength, what: "key")
            } else if Self.isBareKey(c) {
                start = i
                var count = 0
                while let k = peek, Self.isBareKey(k) {
                    count += 1
                    if count > InputLimits.keyLength { throw Self.tooLong(at: at, what: "key") }
                    advance()
                }
                end = i
            } else {
                break
            }
            // Keys as written (a key in quotes and the same key bare are one key).
            keys.append(ScannedKey(name: Array(b[start..<max(start, end)]), position: at))
            // Each component is a level: no need to read further than the limit.
            try checkDepth(keys.count, at: at)
            skipSpaces()
            guard peek == UInt8(ascii: ".") else { break }
            advance()
        }
        return keys
    }

    static func tooLong(at p: SourcePosition, what: String) -> Violation {
        let limit = what == "key" ? InputLimits.keyLength : InputLimits.textLength
        return Violation(position: p, message: "this \(what) is longer than \(limit) characters; brewctl reads \(what)s of up to "
                             + "\(limit) characters: shorten it, or look for an unclosed quote")
    }

    // MARK: - Values

    /// A value whose key (or list) sits at `depth`.
    private mutating func value(depth: Int) throws(Violation) {
        guard let c = peek else { return }
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            if peek(1) == c && peek(2) == c {
                try multilineString()
            } else {
                _ = try oneLineString(limit: InputLimits.textLength, what: "text")
            }
        case UInt8(ascii: "["):
            try list(depth: depth)
        case UInt8(ascii: "{"):
            try inlineTable(depth: depth)
        default:
            // Numbers, booleans, dates and times (which may hold one space).
            while let v = peek, v != UInt8(ascii: ","), v != UInt8(ascii: "]"), v != UInt8(ascii: "}"), v != UInt8(ascii: "#"),
                  v != UInt8(ascii: "\n"), v != UInt8(ascii: "\r"), v != UInt8(ascii: "["), v != UInt8(ascii: "{") {
                advance()
            }
        }
    }

    private mutating func list(depth: Int) throws(Violation) {
        advance()  // [
        var count = 0
        while true {
            skipTrivia()
            guard let c = peek else { return }
            if c == UInt8(ascii: "]") {
                advance()
                return
            }
            if c == UInt8(ascii: ",") {
                advance()
                continue
            }
            count += 1
            try element(number: count, depth: depth + 1, at: position)
            let before = i
            try value(depth: depth + 1)
            if i == before { advance() }
        }
    }

    private mutating func inlineTable(depth: Int) throws(Violation) {
        advance()  // {
        let table = newNode(depth: depth)
        while true {
            skipTrivia()
            guard let c = peek else { return }
            if c == UInt8(ascii: "}") {
                advance()
                return
            }
            if c == UInt8(ascii: ",") {
                advance()
                continue
            }
            let before = i
            let keys = try dottedKey()
            if keys.isEmpty {
                if i == before { advance() }
                continue
            }
            var node = table
            for key in keys { node = try child(node, key) }
            skipSpaces()
            if peek == UInt8(ascii: "=") {
                advance()
                skipTrivia()
                try value(depth: depthOf[node])
            }
            if i == before { advance() }
        }
    }

    /// A `"…"` or `'…'` string on one line (the cursor is on its quote); returns where its content
    /// starts and ends, the cursor after it.
    private mutating func oneLineString(limit: Int, what: String) throws(Violation) -> (Int, Int) {
        let at = position
        let quote = b[i]
        advance()
        let start = i
        var count = 0
        while let c = peek, c != UInt8(ascii: "\n") {
            if c == quote {
                let end = i
                advance()
                return (start, end)
            }
            if c & 0xC0 != 0x80 {
                count += 1
                if count > limit { throw Self.tooLong(at: at, what: what) }
            }
            advance()
            if quote == UInt8(ascii: "\"") && c == UInt8(ascii: "\\"), let e = peek, e != UInt8(ascii: "\n") { advance() }
        }
        return (start, i)
    }

    /// A `"""…"""` or `'''…'''` string (the cursor is on its first quote).
    private mutating func multilineString() throws(Violation) {
        let at = position
        let quote = b[i]
        advance(); advance(); advance()
        var count = 0
        while let c = peek {
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
            if c & 0xC0 != 0x80 {
                count += 1
                if count > InputLimits.textLength { throw Self.tooLong(at: at, what: "text") }
            }
            advance()
            if quote == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") { advance() }
        }
    }
}
