import BrewConfig
import BrewCore
import Foundation
import XCTest

/// SplitMix64: small, fast, and the same sequence on every machine.
struct FuzzRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// 0..<n (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

/// Mutates the shipped files many thousand times (and feeds pure garbage) to every loader:
/// each must return a model or throw errors that point into the file — never crash or hang.
final class FuzzTests: XCTestCase {
    /// Values that have broken parsers before: extremes, non-finite numbers, wrong types,
    /// odd units and odd strings.
    static let tokens: [String] = [
        "nan", "+nan", "-nan", "inf", "-inf", "+inf", "0", "-0", "-1", "1e308", "-1e308", "5e-324",
        "9223372036854775807", "-9223372036854775808", "0x7FFFFFFFFFFFFFFF", "0o777", "0b101", "1_000",
        "3.14", "true", "false", "1979-05-27", "07:32:00", "1979-05-27T07:32:00Z", "1979-05-27 07:32:00",
        "[]", "{}", "[1, \"a\"]", "[[1], [2]]", "{ a = 1 }", "{ action = \"fill\" }", "[{}]", "[{ what = 1 }]",
        "\"\"", "\" \"", "\"x\"", "\"nan C\"", "\"inf s\"", "\"1e400 C\"", "\"1e-400 s\"", "\"-5 min\"", "\"0 s\"",
        "\"99999999999999999999 min\"", "\"1 h 30 min\"", "\"1h30min\"", "\"152 °F\"", "\"66 ° C\"", "\"300 K\"",
        "\"5500 W\"", "\"5.5 kW\"", "\"20 kJ/K\"", "\"4 W/K\"", "\"65 %\"", "\"120 m\"", "\"78 L\"", "\"500 g\"",
        "\"°\"", "\"C\"", "\"--1 s\"", "\"1..2 L\"", "\"1e\"", "\".\"", "\"+\"", "\"1 2 3\"", "\"1 h 2\"",
        "\"first wort\"", "\"flameout\"", "\"fill\"", "\"transfer\"", "\"add_grain\"", "\"hlt\"", "\"kettle\"",
        "\"i2c\"", "\"gpio\"", "\"mcp9808\"", "\"heater\"", "\"pump\"", "\"valve\"", "\"linux\"", "\"boil\"",
        "\"\\u0000\"", "\"a\\u0000b\"", "'literal'", "'''multi\nline'''", "\"\"\"multi\nline\"\"\"", "\"\\uD800\"",
        "\"\u{1F37A}\"", "\"\u{202E}\"", "\"e\u{301}\"", String(repeating: "9", count: 400),
        "\"" + String(repeating: "x", count: 2000) + "\"", String(repeating: "[", count: 300),
    ]

    /// Fragments that change TOML structure.
    static let structure: [String] = [
        "[", "]", "[[", "]]", "{", "}", "=", ",", ".", "\"", "'", "\"\"\"", "'''", "#", "\n", "\r\n", "\t", " ",
        "[[steps]]\n", "[steps]\n", "[vessels.x]\n", "[vessels.hlt.heater]\n", "[site]\n", "[[steps.additions]]\n",
        "a.b.c = 1\n", "\"quoted key\" = 2\n", "'' = 3\n", "x = ", "\\", "\u{FEFF}", "\0", "\u{7F}", "\u{1}",
        "\u{2028}", "\u{2029}", "\u{85}", "\u{A0}", "\u{3000}", "\u{B}", "\u{C}", "\r", "x = [", "x = {", "[[[", "]]]",
    ]

    static let keys: [String] = [
        "name", "kind", "vessel", "temperature", "duration", "additions", "power", "message", "actions", "at", "what",
        "amount", "action", "volume", "from", "to", "mass", "role", "capacity", "sensor", "heater", "pid", "kp", "ti",
        "td", "type", "bus", "address", "line", "chip", "adapter", "seed", "backend", "tick", "tempreature", "x", "é",
    ]

    static func mutate(_ text: String, _ rng: inout FuzzRandom) -> String {
        var scalars = Array(text.unicodeScalars)
        func randomIndex() -> Int { rng.below(scalars.count + 1) }
        func lineRanges() -> [Range<Int>] {
            var ranges: [Range<Int>] = []
            var start = 0
            for (i, s) in scalars.enumerated() where s == "\n" {
                ranges.append(start..<(i + 1))
                start = i + 1
            }
            if start < scalars.count { ranges.append(start..<scalars.count) }
            return ranges
        }
        let edits = 1 + rng.below(4)
        for _ in 0..<edits {
            switch rng.below(11) {
            case 0:  // delete characters
                guard !scalars.isEmpty else { continue }
                let i = rng.below(scalars.count)
                scalars.removeSubrange(i..<min(scalars.count, i + 1 + rng.below(3)))
            case 1:  // duplicate a run of characters
                guard !scalars.isEmpty else { continue }
                let i = rng.below(scalars.count)
                let run = Array(scalars[i..<min(scalars.count, i + 1 + rng.below(20))])
                scalars.insert(contentsOf: run, at: randomIndex())
            case 2:  // swap two characters
                guard scalars.count > 1 else { continue }
                scalars.swapAt(rng.below(scalars.count), rng.below(scalars.count))
            case 3:  // delete a line
                let lines = lineRanges()
                guard !lines.isEmpty else { continue }
                scalars.removeSubrange(rng.pick(lines))
            case 4:  // duplicate a line
                let lines = lineRanges()
                guard !lines.isEmpty else { continue }
                let line = Array(scalars[rng.pick(lines)])
                let target = rng.pick(lines)
                scalars.insert(contentsOf: line, at: target.lowerBound)
            case 5:  // swap two lines
                let lines = lineRanges()
                guard lines.count > 1 else { continue }
                var a = rng.pick(lines), b = rng.pick(lines)
                if a.lowerBound > b.lowerBound { swap(&a, &b) }
                guard a.upperBound <= b.lowerBound else { continue }
                let la = Array(scalars[a]), lb = Array(scalars[b])
                scalars.replaceSubrange(b, with: la)
                scalars.replaceSubrange(a, with: lb)
            case 6, 7:  // replace a value after `=` with a random token
                let equals = scalars.indices.filter { scalars[$0] == "=" }
                guard !equals.isEmpty else { continue }
                let e = rng.pick(equals)
                var end = e + 1
                while end < scalars.count, scalars[end] != "\n", scalars[end] != ",", scalars[end] != "}" { end += 1 }
                scalars.replaceSubrange((e + 1)..<end, with: Array((" " + rng.pick(tokens)).unicodeScalars))
            case 8:  // random characters, control characters included
                var junk: [Unicode.Scalar] = []
                for _ in 0..<(1 + rng.below(8)) {
                    let choice = rng.below(4)
                    let value: UInt32 = choice == 0 ? UInt32(rng.below(0x20)) : choice == 1 ? UInt32(0x20 + rng.below(0x5F))
                        : choice == 2 ? UInt32(0xA0 + rng.below(0x700)) : UInt32(0x1F300 + rng.below(0x100))
                    junk.append(Unicode.Scalar(value) ?? "?")
                }
                scalars.insert(contentsOf: junk, at: randomIndex())
            case 9:  // TOML structure
                scalars.insert(contentsOf: Array(rng.pick(structure).unicodeScalars), at: randomIndex())
            default:  // a new or misspelt key
                let line = "\(rng.pick(keys)) = \(rng.pick(tokens))\n"
                let lines = lineRanges()
                let at = lines.isEmpty ? 0 : rng.pick(lines).lowerBound
                scalars.insert(contentsOf: Array(line.unicodeScalars), at: at)
            }
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }

    static func garbage(_ rng: inout FuzzRandom) -> String {
        var out = ""
        for _ in 0..<rng.below(200) {
            switch rng.below(4) {
            case 0: out += rng.pick(structure)
            case 1: out += rng.pick(tokens)
            case 2: out += rng.pick(keys)
            default: out.unicodeScalars.append(Unicode.Scalar(UInt32(rng.below(0x80))) ?? "?")
            }
        }
        return out
    }

    /// Short strings of TOML punctuation and atoms: dense coverage of the parser's corners.
    static let atoms: [String] = [
        "[", "]", "[[", "]]", "{", "}", "=", ",", ".", "\"", "'", "\"\"\"", "'''", "#", "\n", "\r", "\r\n", "\t", " ", "\\",
        "a", "b", "1", "0", "-", "+", "_", "e", ":", "T", "Z", "0x", "inf", "nan", "true", "1979-05-27", "07:32", "1.5",
        "\u{2028}", "\u{85}", "\u{A0}", "\u{C}", "\u{7F}", "é", "\"s\"", "'s'", "x = ", "[t]\n", "[[a]]\n",
    ]

    static func tokenSoup(_ rng: inout FuzzRandom) -> String {
        var out = ""
        for _ in 0..<(1 + rng.below(14)) { out += rng.pick(atoms) }
        return out
    }

    /// Every error names the file and points at a real place in it.
    static func check(_ errors: [ConfigError], text: String, file: String, what: String) -> String? {
        if errors.isEmpty { return "\(what): threw no errors" }
        let lineCount = text.unicodeScalars.filter { $0 == "\n" }.count + 1
        for e in errors {
            if e.line < 1 || e.column < 1 { return "\(what): error at \(e.line):\(e.column): \(e)" }
            if e.line > lineCount { return "\(what): error on line \(e.line) of a \(lineCount)-line file: \(e)" }
            if e.file != file || e.message.isEmpty { return "\(what): malformed error \(e)" }
            if e.isUnreadable { return "\(what): text reported unreadable: \(e)" }
        }
        return nil
    }

    enum Loader: CaseIterable {
        case recipe, hardware, toolConfig
    }

    /// Runs a loader on `text`: whether it loaded, or the first broken property.
    static func run(_ loader: Loader, on text: String) -> Result<Bool, FuzzFailure> {
        let file = "fuzz.toml"
        do {
            switch loader {
            case .recipe:
                let recipe = try RecipeLoader.parse(text, file: file)
                if recipe.steps.isEmpty { return .failure(FuzzFailure("recipe loaded without steps")) }
            case .hardware:
                let rig = try HardwareLoader.parse(text, file: file)
                if rig.source != file { return .failure(FuzzFailure("hardware: source not set")) }
                if rig.vessels.isEmpty { return .failure(FuzzFailure("rig loaded without vessels")) }
            case .toolConfig:
                _ = try ToolConfig.parse(text, file: file)
            }
            return .success(true)
        } catch {
            if let problem = check(error.errors, text: text, file: file, what: "\(loader)") { return .failure(FuzzFailure(problem)) }
            return .success(false)
        }
    }

    struct FuzzFailure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    func testMutatedShippedFilesNeverCrash() throws {
        // Every shipped recipe (brewing, fermentation, distillation) and the default rig.
        let recipes = try FileManager.default.contentsOfDirectory(atPath: Repo.path("Recipes"))
            .filter { $0.hasSuffix(".toml") }.sorted().map { ("Recipes/" + $0, Loader.recipe) }
        XCTAssertGreaterThanOrEqual(recipes.count, 8)
        let corpus: [(String, Loader)] = recipes + [("Hardware/sim.toml", .hardware)]
        let rig = try HardwareLoader.load(path: Repo.path("Hardware/sim.toml"))
        var rng = FuzzRandom(seed: 0xB4EB_C7F1)
        let iterationsPerFile = 500
        var loaded = 0
        var rejected = 0
        for (path, loader) in corpus {
            let original = try Repo.text(path)
            var text = original
            for i in 0..<iterationsPerFile {
                // Mostly fresh mutants of the original; sometimes keep mutating the last one.
                text = Self.mutate(i % 4 == 3 ? text : original, &rng)
                // Now and then the other loader too: a recipe is not a rig and must say so.
                let loaders = i % 10 == 0 ? Loader.allCases : [loader]
                for l in loaders {
                    switch Self.run(l, on: text) {
                    case .failure(let problem):
                        XCTFail("\(problem)\n--- input ---\n\(text)")
                        return
                    case .success(let ok):
                        if l == loader {
                            if ok { loaded += 1 } else { rejected += 1 }
                        }
                        // A mutant that loads is then fitted to the rig: that must not crash either.
                        if ok, l == .recipe, let recipe = try? RecipeLoader.parse(text, file: path) {
                            _ = BrewPlan.check(recipe, on: rig)
                        }
                    }
                }
            }
        }
        // The mutations must both break files and leave some loadable, or they test too little.
        print("fuzz: \(loaded) mutants loaded, \(rejected) rejected")
        XCTAssertGreaterThan(loaded, 30)
        XCTAssertGreaterThan(rejected, 2000)
    }

    func testGarbageNeverCrashes() {
        var rng = FuzzRandom(seed: 42)
        for _ in 0..<1500 {
            let text = Self.garbage(&rng)
            for loader in Loader.allCases {
                if case .failure(let problem) = Self.run(loader, on: text) {
                    XCTFail("\(problem)\n--- input ---\n\(text)")
                    return
                }
            }
        }
    }

    func testTokenSoupNeverCrashes() {
        var rng = FuzzRandom(seed: 2026)
        for _ in 0..<4000 {
            let text = Self.tokenSoup(&rng)
            if case .failure(let problem) = Self.run(.recipe, on: text) {
                XCTFail("\(problem)\n--- input ---\n\(text.debugDescription)")
                return
            }
        }
    }

    /// Random bytes on disk: not UTF-8 → unreadable; otherwise errors inside the file.
    func testRandomBytesOnDisk() throws {
        var rng = FuzzRandom(seed: 7)
        let dir = NSTemporaryDirectory() + "brewconfig-fuzz-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var unreadable = 0
        for i in 0..<200 {
            let path = dir + "/f\(i).toml"
            var bytes = [UInt8]()
            for _ in 0..<rng.below(300) { bytes.append(UInt8(truncatingIfNeeded: rng.next())) }
            if i % 2 == 0 { bytes = Array("name = \"x\"\n".utf8) + bytes }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try RecipeLoader.load(path: path)
                XCTFail("random bytes loaded as a recipe")
            } catch {
                XCTAssertFalse(error.errors.isEmpty)
                for e in error.errors {
                    XCTAssertEqual(e.file, path)
                    if e.isUnreadable {
                        XCTAssertGreaterThanOrEqual(e.line, 0)
                        XCTAssertGreaterThanOrEqual(e.column, 0)
                    } else {
                        XCTAssertGreaterThanOrEqual(e.line, 1)
                        XCTAssertGreaterThanOrEqual(e.column, 1)
                    }
                }
                if error.errors.contains(where: \.isUnreadable) { unreadable += 1 }
            }
        }
        XCTAssertGreaterThan(unreadable, 100)
    }
}
