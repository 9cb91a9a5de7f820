/// One problem in a configuration file (a recipe, a hardware file, brewctl's `config.toml`),
/// pointing at the line and column where it is written, compiler style.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file as it was named to the loader.
    public var file: String
    /// 1-based line; 0 when the problem is the file as a whole (missing, unreadable).
    public var line: Int
    /// 1-based column, in Unicode characters; 0 when the problem is the file as a whole.
    public var column: Int
    /// Dotted path of the offending key, e.g. `steps[3].temperature` (array indices count from 0)
    /// or `vessels.kettle.heater.power`; empty for a problem with the file itself.
    public var key: String
    /// What is wrong.
    public var message: String
    /// What was expected, e.g. `a temperature like "66 C" or 66`.
    public var expected: String?
    /// A hint, e.g. "did you mean `temperature`?".
    public var suggestion: String?
    /// True when the file could not be read at all (missing, a folder, not UTF-8), as opposed to
    /// readable content that is invalid.
    public var isUnreadable: Bool
    /// True for a warning: something that may still work but probably will not (a rest close to
    /// the vessel's limit); it is shown, and does not make the file invalid.
    public var isWarning = false

    public init(file: String, line: Int, column: Int, key: String, message: String, expected: String? = nil,
                suggestion: String? = nil, unreadable: Bool = false) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
        self.expected = expected
        self.suggestion = suggestion
        self.isUnreadable = unreadable
    }

    /// `Recipes/ipa.toml:12:5: error: steps[3].temperature: <message>; expected <expected>; <suggestion>`
    public var description: String {
        let severity = isWarning ? "warning" : "error"
        var text = line > 0 ? "\(file):\(line):\(max(column, 1)): \(severity): " : "\(file): \(severity): "
        if !key.isEmpty { text += "\(key): " }
        text += message
        if let expected, !expected.isEmpty { text += "; expected \(expected)" }
        if let suggestion, !suggestion.isEmpty { text += "; \(suggestion)" }
        return text
    }
}

/// Every problem found in one file, in the order they appear in it.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public init(errors: [ConfigError]) { self.errors = errors }
    /// One line per error.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
