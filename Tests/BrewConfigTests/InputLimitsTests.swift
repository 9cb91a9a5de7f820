import BrewConfig
import BrewCore
import Foundation
import XCTest

/// Files far deeper, wider or larger than any real one: each loader refuses them with one error
/// that names the limit and points into the file, quickly — never a crash (TOMLKit's recursive
/// conversion overflowed the stack on 30,000 dotted-key components) or gigabytes of memory.
final class InputLimitsTests: XCTestCase {
    /// The shapes, each as (what, text, words the error must contain).
    static let shapes: [(String, String, String)] = {
        let n = 30_000
        return [
            ("deep dotted key", "name = \"T\"\n" + Array(repeating: "a", count: n).joined(separator: ".") + " = 1\n", "nested 33 levels"),
            ("deep quoted dotted key", Array(repeating: "\"a b\"", count: 40).joined(separator: " . ") + " = 1\n", "nested 33 levels"),
            ("deep table header", "[" + Array(repeating: "a", count: n).joined(separator: ".") + "]\nx = 1\n", "nested 33 levels"),
            ("deep array-of-tables header", "[[" + Array(repeating: "a", count: n).joined(separator: ".") + "]]\n", "nested 33 levels"),
            ("deep inline tables", "x = " + String(repeating: "{ a = ", count: n) + "1" + String(repeating: " }", count: n) + "\n", "nested 33 levels"),
            ("deep lists", "x = " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "\n", "nested 33 levels"),
            ("deep mixed", "[a.b.c.d]\ne.f.g = " + String(repeating: "[{ h = ", count: 20) + "\n", "nested 33 levels"),
            ("wide table", (0..<n).map { "k\($0) = 1\n" }.joined(), "more than 1000 keys"),
            ("wide table by headers", (0..<2_000).map { "[outputs.o\($0)]\n" }.joined(), "more than 1000 keys"),
            ("wide inline table", "x = { " + (0..<2_000).map { "k\($0) = 1" }.joined(separator: ", ") + " }\n", "more than 1000 keys"),
            ("long list", "x = [" + String(repeating: "1, ", count: n) + "]\n", "more than 1000 elements"),
            ("many array tables", String(repeating: "[[steps]]\n", count: n), "more than 1000 elements"),
            ("many values", (0..<30).map { t in "[t\(t)]\n" + (0..<900).map { "k\($0) = 1\n" }.joined() }.joined(), "more than 20000 keys and list elements"),
            ("long text", "name = \"" + String(repeating: "x", count: 20_000) + "\"\n", "longer than 10000 characters"),
            ("long multi-line text", "notes = '''\n" + String(repeating: "Stir.\n", count: 5_000) + "'''\n", "longer than 10000 characters"),
            ("long key", String(repeating: "k", count: 5_000) + " = 1\n", "longer than 200 characters"),
            ("long quoted key", "\"" + String(repeating: "k", count: 5_000) + "\" = 1\n", "longer than 200 characters"),
            ("huge file", "name = \"T\"\n" + String(repeating: "# a comment line that goes on and on\n", count: 40_000), "past 1 MiB"),
        ]
    }()

    func check(_ what: String, _ errors: [ConfigError], _ words: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(errors.count, 1, "\(what): \(errors.prefix(3))", file: file, line: line)
        guard let e = errors.first else { return }
        XCTAssertTrue(e.message.contains(words), "\(what): \(e)", file: file, line: line)
        XCTAssertTrue(e.message.contains("brewctl reads"), "\(what): says the limit: \(e)", file: file, line: line)
        XCTAssertGreaterThanOrEqual(e.line, 1, "\(what): placed in the file: \(e)", file: file, line: line)
        XCTAssertGreaterThanOrEqual(e.column, 1, "\(what): placed in the file: \(e)", file: file, line: line)
        XCTAssertTrue(e.description.hasPrefix("\(e.file):\(e.line):\(e.column): error: "), "\(what): \(e)", file: file, line: line)
    }

    func testRecipeLoaderRefusesEveryShapeWithALocatedError() {
        for (what, text, words) in Self.shapes {
            let started = Date()
            check(what, recipeErrors(text, file: "deep.toml"), words)
            XCTAssertLessThan(Date().timeIntervalSince(started), 5, "\(what): refused quickly")
        }
    }

    func testHardwareLoaderRefusesEveryShapeWithALocatedError() {
        for (what, text, words) in Self.shapes {
            let started = Date()
            check(what, hardwareErrors(text, file: "deep.toml"), words)
            XCTAssertLessThan(Date().timeIntervalSince(started), 5, "\(what): refused quickly")
        }
    }

    func testTheErrorPointsAtWhereTheLimitIsCrossed() {
        // The 33rd component of the dotted key, on line 2.
        let dotted = "name = \"T\"\n" + Array(repeating: "ab", count: 40).joined(separator: ".") + " = 1\n"
        XCTAssertEqual(recipeErrors(dotted).first.map { [$0.line, $0.column] }, [2, 1 + 32 * 3])
        // The 33rd `[`.
        let lists = "x = " + String(repeating: "[", count: 40) + "\n"
        XCTAssertEqual(recipeErrors(lists).first.map { [$0.line, $0.column] }, [1, 5 + 32])
        // The 1001st key of [outputs], by its header.
        let wide = (0..<1_001).map { "[outputs.o\($0)]\n" }.joined()
        XCTAssertEqual(hardwareErrors(wide).first.map { [$0.line, $0.column] }, [1_001, 10])
        // The file is cut at 1 MiB: the line and column of its 1,048,577th byte.
        let huge = String(repeating: "#234567\n", count: (InputLimits.fileBytes / 8) + 10)
        XCTAssertEqual(recipeErrors(huge).first.map { [$0.line, $0.column] }, [InputLimits.fileBytes / 8 + 1, 1])
        // After a multi-byte character, columns count characters, as toml++'s do.
        let accented = "name = \"é\"\nx = " + String(repeating: "[", count: 40) + "\n"
        XCTAssertEqual(recipeErrors(accented).first.map { [$0.line, $0.column] }, [2, 5 + 32])
    }

    /// Up to a limit is fine; one past it is refused — with the text, not the count, deciding.
    func testLimitsAreExactAndIgnoreWhatIsInStringsAndComments() {
        func limitErrors(_ text: String) -> [ConfigError] {
            recipeErrors(text).filter { $0.message.contains("brewctl reads") }
        }
        let header31 = "[" + Array(repeating: "a", count: 31).joined(separator: ".") + "]\nx = 1\n"  // x is the 32nd level
        XCTAssertEqual(limitErrors(header31).count, 0)
        let header32 = "[" + Array(repeating: "a", count: 32).joined(separator: ".") + "]\nx = 1\n"
        XCTAssertEqual(limitErrors(header32).count, 1)
        let list1000 = "x = [" + String(repeating: "1, ", count: 1_000) + "]\n"
        XCTAssertEqual(limitErrors(list1000).count, 0)
        XCTAssertEqual(limitErrors("x = [" + String(repeating: "1, ", count: 1_001) + "]\n").count, 1)
        // Brackets, dots and quotes inside texts and comments are not structure.
        let quoted = "name = \"" + String(repeating: "[{.", count: 1_000) + "\"\n# " + String(repeating: "[", count: 100) + "\n"
            + "notes = '''" + String(repeating: "{", count: 100) + "'''\nstyle = 'a.b.c\\'\n" + "x = \"\\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\n"
        XCTAssertEqual(limitErrors(quoted).count, 0, "\(limitErrors(quoted))")
        // Exactly 1 MiB is read; a byte more is not.
        let exact = "name = \"T\"\n" + String(repeating: "#", count: InputLimits.fileBytes - 12) + "\n"
        XCTAssertEqual(exact.utf8.count, InputLimits.fileBytes)
        XCTAssertEqual(limitErrors(exact).count, 0)
        XCTAssertEqual(limitErrors(exact + "\n").count, 1)
    }

    func testLoadingFromDiskReadsNoMoreThanTheLimit() throws {
        let path = NSTemporaryDirectory() + "brewconfig-huge-\(getpid()).toml"
        let data = Data(String(repeating: "# x\n", count: InputLimits.fileBytes).utf8)  // 4 MiB
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for load in [{ _ = try RecipeLoader.load(path: path) }, { _ = try HardwareLoader.load(path: path) }] as [() throws -> Void] {
            do {
                try load()
                XCTFail("loaded a 4 MiB file")
            } catch let error as ConfigErrors {
                XCTAssertEqual(error.errors.count, 1)
                XCTAssertEqual(error.errors.first.map { [$0.line, $0.column] }, [InputLimits.fileBytes / 4 + 1, 1], "\(error)")
                XCTAssertTrue(error.description.contains("past 1 MiB"), "\(error)")
            }
        }
        // A device that never ends is refused just the same.
        do {
            _ = try HardwareLoader.load(path: "/dev/zero")
            XCTFail("loaded /dev/zero")
        } catch {
            XCTAssertTrue(error.description.contains("past 1 MiB"), "\(error)")
        }
    }

    func testNamesAndStepsAreBounded() {
        let longName = String(repeating: "n", count: InputLimits.nameLength + 1)
        let recipe = "name = \"\(longName)\"\n[[steps]]\nname = \"Heat\"\nkind = \"heat\"\nvessel = \"hlt\"\ntemperature = 70\n"
        let errors = recipeErrors(recipe)
        XCTAssertEqual(errors.map(\.key), ["name"])
        XCTAssertEqual(errors.first.map { [$0.line, $0.column] }, [1, 8])
        XCTAssertEqual(errors.first?.message, "is 201 characters long; brewctl takes at most 200 here")
        // A step name too; a message may be long.
        let step = "name = \"T\"\n[[steps]]\nname = \"\(longName)\"\nkind = \"confirm\"\nmessage = \"\(String(repeating: "m", count: 5_000))\"\n"
        XCTAssertEqual(recipeErrors(step).map(\.key), ["steps[0].name"])
        // 501 steps.
        let many = "name = \"T\"\n" + String(repeating: "[[steps]]\nname = \"Wait\"\nkind = \"confirm\"\nmessage = \"Go\"\n", count: InputLimits.steps + 1)
        let tooMany = recipeErrors(many)
        XCTAssertEqual(tooMany.map(\.key), ["steps"])
        XCTAssertEqual(tooMany.first?.message, "the recipe has 501 steps; brewctl runs at most 500")
        // A rig's name and ids likewise.
        let rig = hardwareErrors("name = \"\(longName)\"\n")
        XCTAssertTrue(rig.contains { $0.key == "name" && $0.message.contains("at most 200") }, "\(rig)")
    }

    func testShippedFilesAreFarWithinTheLimits() throws {
        for dir in ["Recipes", "Hardware"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: Repo.path(dir)) where name.hasSuffix(".toml") {
                let text = try Repo.text("\(dir)/\(name)")
                XCTAssertLessThan(text.utf8.count, InputLimits.fileBytes / 64, name)
            }
        }
    }
}
