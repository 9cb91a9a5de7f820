import BrewCore
import Foundation

public enum SourceFormat: String, Sendable {
    case beerXML = "BeerXML 1.0"
    case beerJSON = "BeerJSON 1.0"
}

/// Something in the source that could not be carried over exactly; printed as
/// `warning: "Pliny clone": MASH_STEP "Decoction" (type Decoction) imported as a rest; …`.
public struct ImportWarning: Sendable, Equatable, CustomStringConvertible {
    public var recipe: String
    public var message: String
    public var description: String { "warning: \"\(recipe)\": \(message)" }
}

/// One recipe turned into brewctl TOML.
public struct ImportedRecipe: Sendable {
    public var name: String
    /// File name stem for it: "pliny-the-elder-clone".
    public var slug: String
    public var toml: String
    public var warnings: [ImportWarning]
}

public struct ImportResult: Sendable {
    public var format: SourceFormat
    public var recipes: [ImportedRecipe]
    /// Every warning, file-level ones first.
    public var warnings: [ImportWarning] { fileWarnings + recipes.flatMap(\.warnings) }
    public var fileWarnings: [ImportWarning]
}

/// A file that could not be imported at all (unreadable, not BeerXML/BeerJSON, malformed).
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Turns BeerXML 1.0 and BeerJSON 1.0 exports into brewctl recipes. See docs/import.md.
public enum RecipeImporter {
    public static func importFile(path: String) throws(ImportError) -> ImportResult {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ImportError("\(path): no such file")
        }
        guard !isDir.boolValue else { throw ImportError("\(path): is a directory, not a recipe file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError("\(path): cannot be read")
        }
        return try importData(data, fileName: (path as NSString).lastPathComponent)
    }

    public static let maxBytes = 32 * 1024 * 1024

    public static func importData(_ data: Data, fileName: String) throws(ImportError) -> ImportResult {
        guard data.count <= maxBytes else { throw ImportError("\(fileName): larger than 32 MB; not a recipe export") }
        var bytes = [UInt8](data)
        // UTF-8 byte order mark.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let utf16 = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
        let first = utf16 ? nil : bytes.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        if utf16 || first == UInt8(ascii: "<") {
            return try importXML(Data(bytes), fileName: fileName)
        }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try importJSON(Data(bytes), fileName: fileName)
        }
        if first == nil { throw ImportError("\(fileName): the file is empty") }
        throw ImportError("\(fileName): not BeerXML or BeerJSON (it starts with neither `<` nor `{`)")
    }

    static func importXML(_ data: Data, fileName: String) throws(ImportError) -> ImportResult {
        var fileWarnings: [ImportWarning] = []
        // Decode the text ourselves and hand the parser clean UTF-8: exports often declare
        // ISO-8859-1 but are UTF-8 (or the reverse), and invalid bytes must never reach the parser.
        let text: String
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            guard let t = String(data: data, encoding: .utf16) else { throw ImportError("\(fileName): not readable as UTF-16 text") }
            text = t
        } else if let t = String(data: data, encoding: .utf8) {
            text = t
        } else {
            text = String(data: data, encoding: .windowsCP1252) ?? String(decoding: data.map { $0 < 0x80 ? $0 : 0x3F }, as: UTF8.self)
            if !(String(data: data.prefix(200), encoding: .isoLatin1)?.lowercased().contains("8859") ?? false) {
                fileWarnings.append(ImportWarning(recipe: fileName, message: "the file is not valid UTF-8; read as Windows-1252 (Latin-1)"))
            }
        }
        var clean = text.replacingOccurrences(of: "\u{FEFF}", with: "")
        if let regex = try? NSRegularExpression(pattern: "^(\\s*<\\?xml[^>]*encoding\\s*=\\s*)([\"'])[^\"']*([\"'])", options: [.caseInsensitive]) {
            clean = regex.stringByReplacingMatches(in: clean, range: NSRange(clean.startIndex..., in: clean), withTemplate: "$1$2UTF-8$3")
        }
        let data = Data(clean.utf8)
        var tree: XNode
        switch XMLTreeBuilder.parse(data) {
        case .success(let root):
            tree = root
        case .failure(let failure):
            // Bare `&` in names ("Hops & Grain") is the most common reason exports are not well-formed.
            if case let text = clean,
               let regex = try? NSRegularExpression(pattern: "&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)"),
               case let range = NSRange(text.startIndex..., in: text), regex.firstMatch(in: text, range: range) != nil,
               case let repaired = regex.stringByReplacingMatches(in: text, range: range, withTemplate: "&amp;"),
               case .success(let root) = XMLTreeBuilder.parse(Data(repaired.utf8)) {
                tree = root
                fileWarnings.append(ImportWarning(recipe: fileName, message: "the file has bare `&` characters (not well-formed XML); read them as `&amp;`"))
            } else {
                throw ImportError("\(fileName):\(failure.line):\(failure.column): error: not well-formed XML: \(failure.message)")
            }
        }
        let drafts = BeerXMLReader.read(tree)
        guard !drafts.isEmpty else {
            throw ImportError("\(fileName): no <RECIPE> in this XML file; is it a BeerXML recipe export?")
        }
        return ImportResult(format: .beerXML, recipes: build(drafts, fileName: fileName, format: .beerXML), fileWarnings: fileWarnings)
    }

    static func importJSON(_ data: Data, fileName: String) throws(ImportError) -> ImportResult {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let ns = error as NSError
            let detail = (ns.userInfo["NSDebugDescription"] as? String) ?? "not valid JSON"
            throw ImportError("\(fileName): error: not valid JSON: \(detail)")
        }
        guard let recipes = BeerJSONReader.recipes(in: root) else {
            throw ImportError("\(fileName): no \"recipes\" in this JSON file; is it a BeerJSON export?")
        }
        guard !recipes.isEmpty else { throw ImportError("\(fileName): the \"recipes\" list is empty") }
        let drafts = BeerJSONReader.read(recipes)
        return ImportResult(format: .beerJSON, recipes: build(drafts, fileName: fileName, format: .beerJSON), fileWarnings: [])
    }

    static func build(_ drafts: [Draft], fileName: String, format: SourceFormat) -> [ImportedRecipe] {
        var used: Set<String> = []
        return drafts.enumerated().map { i, draft in
            var b = BrewDayBuilder(draft: draft, source: fileName, format: format, position: (i + 1, drafts.count))
            let toml = b.build()
            var slug = slugify(draft.name)
            if slug.isEmpty { slug = "recipe-\(i + 1)" }
            if used.contains(slug) {
                var n = 2
                while used.contains("\(slug)-\(n)") { n += 1 }
                slug = "\(slug)-\(n)"
            }
            used.insert(slug)
            return ImportedRecipe(name: draft.name, slug: slug, toml: toml,
                                  warnings: b.draft.warnings.map { ImportWarning(recipe: draft.name, message: $0) })
        }
    }

    /// "Pliny the Elder (clone) #2" → "pliny-the-elder-clone-2"; accents folded, at most 60 characters.
    public static func slugify(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        var out = ""
        var dash = false
        for c in folded.unicodeScalars {
            if c.isASCII, CharacterSet.alphanumerics.contains(c) {
                if dash, !out.isEmpty { out += "-" }
                out.unicodeScalars.append(c)
                dash = false
            } else {
                dash = true
            }
        }
        if out.count > 60 {
            out = String(out.prefix(60))
            while out.hasSuffix("-") { out.removeLast() }
        }
        return out.lowercased()
    }

    /// The recipe `selector` names: a 1-based index, or a name (exact, then case-insensitive, then slug).
    public static func select(_ recipes: [ImportedRecipe], _ selector: String) throws(ImportError) -> ImportedRecipe {
        let s = selector.trimmingCharacters(in: .whitespaces)
        if let i = Int(s) {
            guard i >= 1, i <= recipes.count else {
                throw ImportError("--recipe \(i): the file has \(recipes.count) recipe\(recipes.count == 1 ? "" : "s") (\(list(recipes)))")
            }
            return recipes[i - 1]
        }
        if let r = recipes.first(where: { $0.name == s }) ?? recipes.first(where: { $0.name.lowercased() == s.lowercased() })
            ?? recipes.first(where: { $0.slug == slugify(s) }) {
            return r
        }
        throw ImportError("--recipe \"\(s)\": no recipe of that name; the file has \(list(recipes))")
    }

    public static func list(_ recipes: [ImportedRecipe]) -> String {
        recipes.enumerated().map { "\($0.offset + 1) \"\($0.element.name)\"" }.joined(separator: ", ")
    }
}
