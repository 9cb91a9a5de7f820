import Foundation
import TOMLKit

/// A TOML value copied out of TOMLKit into plain Swift, so validation never touches the C++ tree
/// (and the tree can be freed at once).
indirect enum ConfigValue: Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// A TOML date, time or date-time; the loaders never want one, so only its kind is kept.
    case dateTime(String)
    case table(ConfigTable)
    case array([ConfigValue])

    /// "a string", "an integer", … for "found …" messages.
    var typeDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a number"
        case .boolean: "true/false"
        case .dateTime(let kind): kind
        case .table: "a table"
        case .array: "a list"
        }
    }

    /// The value as it might be quoted in a message.
    var displayText: String {
        switch self {
        case .string(let s): "\"\(s)\""
        case .integer(let i): "\(i)"
        case .float(let d): d.isNaN ? "nan" : d.isInfinite ? (d > 0 ? "inf" : "-inf") : "\(d)"
        case .boolean(let b): "\(b)"
        case .dateTime(let kind): kind
        case .table: "a table"
        case .array: "a list"
        }
    }
}

/// A TOML table's entries, keyed by name.
struct ConfigTable: Sendable {
    var entries: [String: ConfigValue] = [:]
    var keys: [String] { Array(entries.keys) }
    subscript(key: String) -> ConfigValue? { entries[key] }
}

/// A parsed file: its text, its values, and where each key is written.
struct ConfigDocument: Sendable {
    let file: String
    let root: ConfigTable
    let locator: SourceLocator

    /// Reads a file as UTF-8 text, or explains why it cannot be read.
    static func read(path: String) throws(ConfigErrors) -> String {
        func unreadable(_ message: String, line: Int = 0, column: Int = 0) -> ConfigErrors {
            ConfigErrors(errors: [ConfigError(file: path, line: line, column: column, key: "", message: message, unreadable: true)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw unreadable("no such file")
        }
        if isDirectory.boolValue { throw unreadable("this is a folder, not a file") }
        // Never more than the limit and one byte: a huge file (or /dev/zero) is refused, not read.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw unreadable("cannot read this file (permission denied?)")
        }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: InputLimits.fileBytes + 1) ?? Data() } catch {
            throw unreadable("cannot read this file: \(error.localizedDescription)")
        }
        if data.count > InputLimits.fileBytes {
            let tooLarge = InputScan.tooLarge(at: InputScan.position(ofByte: InputLimits.fileBytes, in: data))
            throw ConfigErrors(errors: [ConfigError(file: path, line: tooLarge.position.line, column: tooLarge.position.column,
                                                    key: "", message: tooLarge.message)])
        }
        if let text = String(data: data, encoding: .utf8) { return text }
        let (line, column) = firstInvalidUTF8(in: data)
        throw unreadable("this is not UTF-8 text (save it as UTF-8)", line: line, column: column)
    }

    /// Line and column of the first byte that is not valid UTF-8.
    static func firstInvalidUTF8(in data: Data) -> (Int, Int) {
        var line = 1
        var column = 1
        var iterator = data.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if Unicode.UTF8.decode(encoded) == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .error:
                return (line, column)
            case .emptyInput:
                return (line, column)
            }
        }
    }

    /// Parses TOML text. A syntax error stops here (toml++ reports the first one only).
    static func parse(_ text: String, file: String) throws(ConfigErrors) -> ConfigDocument {
        // Size, depth and counts first: nothing below may see a file beyond `InputLimits`.
        if text.utf8.count > InputLimits.fileBytes {
            let tooLarge = InputScan.tooLarge(at: InputScan.position(ofByte: InputLimits.fileBytes, in: text.utf8))
            throw ConfigErrors(errors: [ConfigError(file: file, line: tooLarge.position.line, column: tooLarge.position.column,
                                                    key: "", message: tooLarge.message)])
        }
        if let violation = InputScan.check(text) {
            throw ConfigErrors(errors: [ConfigError(file: file, line: violation.position.line, column: violation.position.column,
                                                    key: "", message: violation.message)])
        }
        // toml++ sees the text as a C string, so a NUL would silently end the file early.
        if let (line, column) = position(ofFirst: "\0", in: text) {
            throw ConfigErrors(errors: [ConfigError(file: file, line: line, column: column, key: "",
                                                    message: "the file contains a NUL character; is it really a text file?")])
        }
        // Text toml++ 3.4 would assert on is changed so that it rejects it cleanly at the same place;
        // an earlier syntax error is still reported first.
        let locator = SourceLocator(text: text)
        var parseable = text
        if !locator.hazards.isEmpty {
            var scalars = Array(text.unicodeScalars)
            for hazard in locator.hazards where hazard.offset >= 0 && hazard.offset < scalars.count {
                scalars[hazard.offset] = hazard.replacement
            }
            parseable = ""
            parseable.unicodeScalars.append(contentsOf: scalars)
        }
        func hazardError(_ hazard: SourceLocator.Hazard) -> ConfigErrors {
            ConfigErrors(errors: [ConfigError(file: file, line: hazard.position.line, column: hazard.position.column, key: "",
                                              message: "TOML syntax: \(hazard.message)")])
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: parseable)
        } catch let error as TOMLParseError {
            let at = SourcePosition(line: max(1, error.source.begin.line), column: max(1, error.source.begin.column))
            if let hazard = locator.hazards.first, !(at < hazard.position) { throw hazardError(hazard) }
            throw ConfigErrors(errors: [ConfigError(file: file, line: at.line, column: at.column,
                                                    key: "", message: "TOML syntax: \(error.description)")])
        } catch {
            throw ConfigErrors(errors: [ConfigError(file: file, line: 1, column: 1, key: "", message: "TOML syntax: \(error)")])
        }
        if let hazard = locator.hazards.first {
            // Never reached while the scanner and toml++ agree; if they do not, refuse the file
            // rather than load text that was changed.
            table.clear()
            throw hazardError(hazard)
        }
        if !locator.nulKeys.isEmpty {
            table.clear()
            throw ConfigErrors(errors: locator.nulKeys.map {
                ConfigError(file: file, line: $0.line, column: $0.column, key: "", message: "a key may not contain the NUL character (\\u0000)")
            })
        }
        let root = convert(table)
        // TOMLKit never frees a parsed document; clearing it frees everything but the root node.
        table.clear()
        return ConfigDocument(file: file, root: root, locator: locator)
    }

    static func position(ofFirst target: Unicode.Scalar, in text: String) -> (Int, Int)? {
        var line = 1
        var column = 1
        for s in text.unicodeScalars {
            if s == target { return (line, column) }
            if s == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return nil
    }

    private static func convert(_ table: TOMLTable) -> ConfigTable {
        var out = ConfigTable()
        for key in table.keys {
            // A key holding "\u0000" comes back cut short and cannot be looked up: skip it.
            guard let value = table[key] else { continue }
            out.entries[key] = convert(value)
        }
        return out
    }

    private static func convert(_ value: TOMLValueConvertible) -> ConfigValue {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return value.int.map { .integer($0) } ?? .float(.nan)
        case .double: return .float(value.double ?? .nan)
        case .bool: return .boolean(value.bool ?? false)
        case .date: return .dateTime("a date")
        case .time: return .dateTime("a time of day")
        case .dateTime: return .dateTime("a date and time")
        case .table:
            guard let t = value.table else { return .table(ConfigTable()) }
            return .table(convert(t))
        case .array:
            guard let a = value.array else { return .array([]) }
            var items: [ConfigValue] = []
            let count = a.count
            items.reserveCapacity(count)
            for i in 0..<count { items.append(convert(a[i])) }
            return .array(items)
        }
    }
}
