/// Collects every problem in a file, each placed at the line and column of its key or value.
final class Diagnostics {
    let file: String
    let locator: SourceLocator
    private(set) var errors: [ConfigError] = []

    enum Anchor {
        /// Where the key is written (unknown keys, keys that do not apply).
        case key
        /// Where the value is written (bad values); for a table, its header or `{`.
        case value
    }

    init(file: String, locator: SourceLocator) {
        self.file = file
        self.locator = locator
    }

    func report(_ path: ConfigPath, _ anchor: Anchor = .value, _ message: String, expected: String? = nil, suggestion: String? = nil) {
        let at = anchor == .key ? locator.keyPosition(path) : locator.valuePosition(path)
        report(path, at: at, message, expected: expected, suggestion: suggestion)
    }

    /// An error about `path` shown at another place (a missing key: at its table's header).
    func report(_ path: ConfigPath, at: SourcePosition, _ message: String, expected: String? = nil, suggestion: String? = nil) {
        errors.append(ConfigError(file: file, line: max(1, at.line), column: max(1, at.column), key: path.description,
                                  message: message, expected: expected, suggestion: suggestion))
    }

    /// "there is no sensor `x`" at `path`: what would fit there (`candidates`, or `fallback` when
    /// there are none) and the closest id that is declared at all as a suggestion.
    func reportUnknown(_ noun: String, _ id: String, at path: ConfigPath, candidates: [String], fallback: String, declared: [String]) {
        report(path, .value, "there is no \(noun) `\(id)`", expected: candidates.isEmpty ? fallback : "one of " + Suggest.list(candidates),
               suggestion: Suggest.closest(to: id, in: declared).map { "did you mean `\($0)`?" })
    }

    /// The errors in the order they appear in the file, duplicates removed.
    var sortedErrors: [ConfigError] {
        var seen = Set<ConfigError>()
        let unique = errors.filter { seen.insert($0).inserted }
        return unique.enumerated().sorted { a, b in
            (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
        }.map(\.element)
    }
}

/// Allowed range of a quantity, in the kind's base unit.
/// Formats a limit for messages ("105 °C", "30 d").
typealias LimitFormatter = @Sendable (Double) -> String

struct Bounds: Sendable {
    var min: Double?
    var minExclusive = false
    var max: Double?
    var maxExclusive = false
    var show: LimitFormatter

    static func between(_ lo: Double, _ hi: Double, _ show: @escaping LimitFormatter) -> Bounds {
        Bounds(min: lo, max: hi, show: show)
    }

    static func positive(max: Double? = nil, _ show: @escaping LimitFormatter) -> Bounds {
        Bounds(min: 0, minExclusive: true, max: max, show: show)
    }

    static func nonNegative(max: Double? = nil, _ show: @escaping LimitFormatter) -> Bounds {
        Bounds(min: 0, max: max, show: show)
    }

    /// nil when `v` is allowed, else (too low?, the allowed range in words).
    func violation(_ v: Double) -> (low: Bool, allowed: String)? {
        let low = min.map { minExclusive ? !(v > $0) : !(v >= $0) } ?? false
        let high = max.map { maxExclusive ? !(v < $0) : !(v <= $0) } ?? false
        guard low || high || v.isNaN else { return nil }
        return (low, allowed)
    }

    var allowed: String {
        switch (min, max) {
        case (let lo?, let hi?):
            if !minExclusive && !maxExclusive { return "from \(show(lo)) to \(show(hi))" }
            return "\(minExclusive ? "more than" : "at least") \(show(lo)) and \(maxExclusive ? "less than" : "at most") \(show(hi))"
        case (let lo?, nil):
            return minExclusive ? "more than \(show(lo))" : "\(show(lo)) or more"
        case (nil, let hi?):
            return maxExclusive ? "less than \(show(hi))" : "\(show(hi)) or less"
        case (nil, nil):
            return "any value"
        }
    }
}

/// Number formatting for messages: "105", "0.5", "1e+20".
enum Show {
    static func number(_ v: Double) -> String {
        if v.isFinite, v == v.rounded(), abs(v) < 1e15 { return "\(Int(v))" }
        return "\(v)"
    }
    static func unit(_ u: String) -> LimitFormatter { { number($0) + (u.isEmpty ? "" : " " + u) } }
    static let celsius = unit("°C")
    static let kelvin = unit("K")
    static let litres = unit("L")
    static let kilograms = unit("kg")
    static let watts = unit("W")
    static let percent = unit("%")
    static let metres = unit("m")
    static let joulesPerKelvin = unit("J/K")
    static let wattsPerKelvin = unit("W/K")
    static let plain = unit("")
    @Sendable static func duration(_ v: Double) -> String {
        if v != 0, v.truncatingRemainder(dividingBy: 86_400) == 0 { return number(v / 86_400) + " d" }
        if v != 0, v.truncatingRemainder(dividingBy: 3600) == 0 { return number(v / 3600) + " h" }
        if v != 0, v.truncatingRemainder(dividingBy: 60) == 0 { return number(v / 60) + " min" }
        if v != 0, abs(v) < 1 { return number((v * 1000).rounded()) + " ms" }
        return number(v) + " s"
    }
}

/// Did-you-mean: the candidate nearest to a misspelling (optimal string alignment distance,
/// case-insensitive), if it is near enough to be a plausible typo.
enum Suggest {
    static func closest(to word: String, in candidates: [String], caseSensitive: Bool = false) -> String? {
        let w = Array(caseSensitive ? word : word.lowercased())
        guard !w.isEmpty, w.count <= 64 else { return nil }
        var best: (String, Int)?
        for candidate in candidates {
            let c = Array(caseSensitive ? candidate : candidate.lowercased())
            var d = distance(w, c)
            // "temp" for "temperature", "boil_pow" for "boil_power".
            if w.count >= 3, c.starts(with: w) { d = min(d, 1) }
            if best == nil || d < best!.1 { best = (candidate, d) }
        }
        guard let (candidate, d) = best else { return nil }
        let limit = max(1, min(3, w.count / 3))
        return d <= limit && candidate != word ? candidate : nil
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    v = min(v, previous2[j - 2] + 1)
                }
                current[j] = v
            }
            previous2 = previous
            previous = current
        }
        return previous[b.count]
    }

    /// "`a`, `b` or `c`".
    static func list(_ names: [String], _ conjunction: String = "or") -> String {
        let quoted = names.map { "`\($0)`" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " \(conjunction) " + quoted[quoted.count - 1]
    }
}

/// Reads one TOML table for a loader: typed getters that report what is wrong (and where) and
/// return nil, so the loader can carry on and find the next problem.
final class TableReader {
    let path: ConfigPath
    let table: ConfigTable
    let diagnostics: Diagnostics
    /// What the table is, for messages: "a rest step", "the [site] table".
    var what: String

    init(path: ConfigPath, table: ConfigTable, diagnostics: Diagnostics, what: String) {
        self.path = path
        self.table = table
        self.diagnostics = diagnostics
        self.what = what
    }

    func contains(_ key: String) -> Bool { table[key] != nil }

    /// Keys in the order they are written in the file.
    var orderedKeys: [String] {
        let locator = diagnostics.locator
        return table.keys.map { ($0, locator.keyPosition(path.appending($0))) }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .map(\.0)
    }

    func report(_ key: String, _ anchor: Diagnostics.Anchor = .value, _ message: String, expected: String? = nil, suggestion: String? = nil) {
        diagnostics.report(path.appending(key), anchor, message, expected: expected, suggestion: suggestion)
    }

    func missing(_ key: String, expected: String) {
        diagnostics.report(path.appending(key), at: diagnostics.locator.valuePosition(path),
                           "missing required key `\(key)` in \(what)", expected: expected)
    }

    func wrongType(_ key: String, _ value: ConfigValue, expected: String) {
        report(key, .value, "found \(value.typeDescription)", expected: expected)
    }

    /// A text value; names and ids are at most `longest` characters (`InputLimits`), so a
    /// runaway name never reaches the log and every snapshot.
    func string(_ key: String, required: Bool = false, expected: String = "text in quotes",
                longest: Int = InputLimits.nameLength) -> String? {
        guard let value = table[key] else {
            if required { missing(key, expected: expected) }
            return nil
        }
        guard case .string(let s) = value else {
            wrongType(key, value, expected: expected)
            return nil
        }
        if s.allSatisfy(\.isWhitespace) {
            report(key, .value, "is empty", expected: expected)
            return nil
        }
        let length = s.unicodeScalars.count
        if length > longest {
            report(key, .value, "is \(length) characters long; brewctl takes at most \(longest) here", expected: "a shorter text")
            return nil
        }
        return s
    }

    func integer(_ key: String, required: Bool = false, range: ClosedRange<Int>, expected: String, show: (Int) -> String = { "\($0)" }) -> Int? {
        guard let value = table[key] else {
            if required { missing(key, expected: expected) }
            return nil
        }
        let number: Int
        switch value {
        case .integer(let i):
            number = i
        case .float(let d) where d.isFinite && d == d.rounded() && abs(d) < 1e15:
            number = Int(d)
        default:
            wrongType(key, value, expected: expected)
            return nil
        }
        guard range.contains(number) else {
            report(key, .value, "\(show(number)) is out of range", expected: "\(expected) from \(show(range.lowerBound)) to \(show(range.upperBound))")
            return nil
        }
        return number
    }

    func bool(_ key: String, expected: String = "true or false") -> Bool? {
        guard let value = table[key] else { return nil }
        guard case .boolean(let b) = value else {
            wrongType(key, value, expected: expected)
            return nil
        }
        return b
    }

    /// A quantity in `kind`'s base unit, checked against `bounds`.
    func quantity(_ key: String, _ kind: QuantityKind, required: Bool = false, bounds: Bounds? = nil, context: String? = nil) -> Double? {
        guard let value = table[key] else {
            if required { missing(key, expected: kind.expected) }
            return nil
        }
        return quantity(value, at: path.appending(key), kind, bounds: bounds, context: context)
    }

    /// A quantity from any value (also used for list elements).
    func quantity(_ value: ConfigValue, at path: ConfigPath, _ kind: QuantityKind, bounds: Bounds?, context: String?) -> Double? {
        let number: Double
        switch value {
        case .integer(let i):
            guard kind.defaultUnit != nil else {
                diagnostics.report(path, .value, "\(i) has no unit", expected: kind.expected,
                                   suggestion: "write the unit in quotes, e.g. \"\(i) min\"")
                return nil
            }
            number = Double(i)
        case .float(let d):
            guard d.isFinite else {
                diagnostics.report(path, .value, "\(value.displayText) is not a finite number", expected: kind.expected)
                return nil
            }
            guard kind.defaultUnit != nil else {
                diagnostics.report(path, .value, "\(Show.number(d)) has no unit", expected: kind.expected,
                                   suggestion: "write the unit in quotes, e.g. \"\(Show.number(d)) min\"")
                return nil
            }
            number = d
        case .string(let s):
            do {
                number = try QuantityParser.parse(s, as: kind)
            } catch {
                let (message, suggestion) = error.message(for: s, kind: kind)
                diagnostics.report(path, .value, message, expected: kind.expected, suggestion: suggestion)
                return nil
            }
        default:
            diagnostics.report(path, .value, "found \(value.typeDescription)", expected: kind.expected)
            return nil
        }
        if let bounds, let violation = bounds.violation(number) {
            let message = "\(value.displayText) is too \(violation.low ? "low" : "high")" + (context.map { " for \($0)" } ?? "")
            diagnostics.report(path, .value, message, expected: "\(kind.noun) \(violation.allowed)")
            return nil
        }
        return number
    }

    /// One of a fixed set of words, with did-you-mean.
    func choice<T>(_ key: String, required: Bool = false, what kindName: String, options: [String],
                   parse: (String) -> T?) -> T? {
        let expected = "one of " + Suggest.list(options)
        guard let value = table[key] else {
            if required { missing(key, expected: expected) }
            return nil
        }
        guard case .string(let s) = value else {
            wrongType(key, value, expected: expected)
            return nil
        }
        if let v = parse(s) { return v }
        report(key, .value, "unknown \(kindName) \"\(s)\"", expected: expected,
               suggestion: Suggest.closest(to: s, in: options).map { "did you mean `\($0)`?" })
        return nil
    }

    /// A sub-table (`[a.b]` or an inline `{ … }`).
    func table(_ key: String, required: Bool = false, what: String, expected: String) -> TableReader? {
        guard let value = table[key] else {
            if required { missing(key, expected: expected) }
            return nil
        }
        guard case .table(let t) = value else {
            wrongType(key, value, expected: expected)
            return nil
        }
        return TableReader(path: path.appending(key), table: t, diagnostics: diagnostics, what: what)
    }

    /// A list; nil (and reported) when the key holds something else.
    func array(_ key: String, required: Bool = false, expected: String) -> [ConfigValue]? {
        guard let value = table[key] else {
            if required { missing(key, expected: expected) }
            return nil
        }
        guard case .array(let items) = value else {
            wrongType(key, value, expected: expected)
            return nil
        }
        return items
    }

    /// Reports keys nobody asked for: unknown ones (with did-you-mean) and known ones that do not
    /// belong here (`duration` on a heat step). `applicable` nil means "all of `known`".
    func checkKeys(known: [String], applicable: [String]? = nil) {
        let valid = applicable ?? known
        for key in orderedKeys where !valid.contains(key) {
            if known.contains(key) {
                report(key, .key, "`\(key)` does not apply to \(what)",
                       suggestion: "\(what) takes " + Suggest.list(valid, "and"))
            } else {
                let near = Suggest.closest(to: key, in: valid) ?? Suggest.closest(to: key, in: known)
                report(key, .key, "unknown key `\(key)` in \(what)",
                       suggestion: near.map { "did you mean `\($0)`?" } ?? ("valid keys here: " + Suggest.list(valid, "and")))
            }
        }
    }

    /// Sub-tables of a table of named entries (`[vessels.hlt]`, `[vessels.kettle]`, …) in file order.
    func namedTables(what: (String) -> String, expected: String) -> [(id: String, reader: TableReader)] {
        var out: [(String, TableReader)] = []
        for key in orderedKeys {
            guard let value = table[key] else { continue }
            guard case .table(let t) = value else {
                report(key, .value, "found \(value.typeDescription)", expected: expected)
                continue
            }
            out.append((key, TableReader(path: path.appending(key), table: t, diagnostics: diagnostics, what: what(key))))
        }
        return out
    }
}
