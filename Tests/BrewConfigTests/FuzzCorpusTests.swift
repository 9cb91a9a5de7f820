@testable import BrewConfig
import BrewCore
import Foundation
import XCTest

/// The libFuzzer corpus (`Tests/Fuzz/`: the shapes and what `scripts/fuzz --merge` kept) replayed by `swift test`, with the
/// same checks as the fuzz targets: every input the fuzzer kept — the deep and wide shapes and
/// anything that once crashed — gives a value or errors placed in the file, and a hardware file
/// that loads salvages to exactly its outputs.
final class FuzzCorpusTests: XCTestCase {
    func inputs(_ folder: String) throws -> [(String, Data)] {
        let dir = Repo.path("Tests/Fuzz/\(folder)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        return try names.map { ($0, try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))) }
    }

    func checkPlaced(_ errors: [ConfigError], _ name: String) {
        for e in errors {
            XCTAssertTrue(e.line >= 1 && e.column >= 1, "\(name): \(e)")
        }
    }

    func testTheRecipeCorpus() throws {
        let corpus = try inputs("recipe") + inputs("shapes")
        XCTAssertGreaterThan(corpus.count, 10, "the corpus is in the repository")
        for (name, data) in corpus {
            let text = String(decoding: data, as: UTF8.self)
            do { _ = try RecipeLoader.parse(text, file: name) } catch { checkPlaced(error.errors, name) }
        }
    }

    func testTheHardwareCorpus() throws {
        let corpus = try inputs("hardware") + inputs("shapes")
        XCTAssertGreaterThan(corpus.count, 10, "the corpus is in the repository")
        for (name, data) in corpus {
            let text = String(decoding: data, as: UTF8.self)
            var rig: RigSpec?
            do { rig = try HardwareLoader.parse(text, file: name) } catch { checkPlaced(error.errors, name) }
            let salvage = OutputSalvage.salvage(data, file: name)
            if let rig, String(data: data, encoding: .utf8) != nil {
                XCTAssertEqual(salvage.outputs, rig.outputs, name)
            }
        }
    }

    /// The corpus stays small enough to keep in git.
    func testTheCorpusIsSmall() throws {
        let total = try (inputs("recipe") + inputs("hardware") + inputs("shapes")).reduce(0) { $0 + $1.1.count }
        XCTAssertLessThan(total, 1 << 20)
    }
}
