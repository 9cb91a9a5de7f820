import BrewTestSupport
import Foundation
import XCTest

/// Runs the real `brewctl` executable the way a brewer and a script would. Every run keeps its
/// standard error; a failing test prints it (`startBrewctl`).
final class CommandLineTests: XCTestCase {
    private func temporaryDatabase() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-cli-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.appendingPathComponent("batches.sqlite").path
    }

    func testBrewTheIPAFastThenReadTheLog() throws {
        let db = temporaryDatabase()
        let run = try brewctl(["run", "Recipes/ipa.toml", "--fast", "--yes", "--brewer", "ci", "--db", db])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("Rig: the simulated club brewery") == true, "first line: \(lines.first ?? "")")
        XCTAssertTrue(run.stdout.contains("15 min left in boil"), "addition alerts are shown")
        XCTAssertTrue(run.stdout.contains("Batch 1 completed"), run.stdout.suffix(400).description)

        let list = try brewctl(["log", "list", "--db", db])
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("American IPA") || list.stdout.contains("IPA"), list.stdout)
        XCTAssertTrue(list.stdout.contains("completed"))
        XCTAssertTrue(list.stdout.contains("ci"))

        let show = try brewctl(["log", "show", "1", "--db", db])
        XCTAssertEqual(show.status, 0, show.stderr)
        XCTAssertTrue(show.stdout.contains("Steps"))
        XCTAssertTrue(show.stdout.contains("Boil"), show.stdout)

        let csv = try brewctl(["log", "export", "1", "--format", "csv", "--db", db])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let rows = csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        XCTAssertTrue(rows[0].hasPrefix("brew_time_s,elapsed,"), rows[0])
        XCTAssertTrue(rows[0].contains("kettle.temperature [°C]"), rows[0])
        XCTAssertGreaterThan(rows.count, 3 * 3600, "a row per second of a multi-hour brew day")

        let json = try brewctl(["log", "export", "1", "--format", "json", "--db", db])
        XCTAssertEqual(json.status, 0)
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)))

        let missing = try brewctl(["log", "show", "7", "--db", db])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no batch 7"), missing.stderr)
    }

    func testABrokenRecipeIsRefusedWithFileLineAndColumnBeforeAnythingIsSwitched() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.toml")
        try """
        name = "Broken"

        [[steps]]
        name = "Mash"
        kind = "rest"
        vessel = "mash_tun"
        tempreature = 66
        duration = "60 min"
        """.write(to: bad, atomically: true, encoding: .utf8)
        let db = temporaryDatabase()
        let run = try brewctl(["run", bad.path, "--fast", "--yes", "--db", db])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("\(bad.path):7:"), run.stderr)
        XCTAssertTrue(run.stderr.contains("temperature"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db), "nothing was started, not even a log")

        let missing = try brewctl(["run", dir.appendingPathComponent("nope.toml").path, "--fast", "--yes", "--db", db])
        XCTAssertEqual(missing.status, 2)
    }

    // Ctrl-C and SIGTERM during a run are tested where their effect is seen, at the relay coils of
    // a real rig: StopAtTheOutputsTests.

    func testValidateReportsEveryProblemWithExitStatus() throws {
        let clean = try brewctl(["validate", "Recipes/ipa.toml", "Recipes/hefeweizen.toml", "Recipes/dry-stout.toml"])
        XCTAssertEqual(clean.status, 0, clean.stderr)
        XCTAssertEqual(clean.stdout.components(separatedBy: ": ok — ").count - 1, 3, clean.stdout)
        XCTAssertTrue(clean.stdout.hasPrefix("Rig: the simulated club brewery"), clean.stdout)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.toml")
        try """
        name = "Broken"

        [[steps]]
        name = "Mash"
        kind = "rest"
        vessel = "mash_tun"
        temperature = "150 C"
        duration = "60 min"

        [[steps]]
        name = "Boil"
        kind = "boil"
        vessel = "kettle"
        duration = "60 min"
        additions = [{ what = "Citra", amount = "30 g", at = "75 min" }]
        """.write(to: bad, atomically: true, encoding: .utf8)
        // Every problem in every file: the bad recipe's two, and the gin needing a still.
        let invalid = try brewctl(["validate", bad.path, "Recipes/gin.toml", "Recipes/ipa.toml"])
        XCTAssertEqual(invalid.status, 1, invalid.stderr)
        let lines = invalid.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, invalid.stderr)
        XCTAssertTrue(lines[0].hasPrefix("\(bad.path):7:15: error: steps[0].temperature:"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("\(bad.path):15:"), lines[1])
        XCTAssertTrue(lines[1].contains("longer than the boil"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("Recipes/gin.toml:"), lines[2])
        XCTAssertTrue(lines[2].contains("needs a still"), lines[2])
        XCTAssertTrue(invalid.stdout.contains("Recipes/ipa.toml: ok"), "the valid one is still checked")

        let unreadable = try brewctl(["validate", dir.appendingPathComponent("missing.toml").path, "Recipes/ipa.toml"])
        XCTAssertEqual(unreadable.status, 2, unreadable.stderr)
        XCTAssertTrue(unreadable.stderr.contains("missing.toml"), unreadable.stderr)
    }

    func testImportWritesRecipesThatValidate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        // A real BeerSmith export holding four recipes: one file each.
        let imported = try brewctl(["import", "Tests/BrewImportTests/Fixtures/beersmith-recipes.xml", "-o", dir.path + "/"])
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertEqual(files.count, 4, "\(files)")
        XCTAssertTrue(imported.stderr.contains("warning: "), "what could not be mapped is said")
        let paths = files.map { dir.appendingPathComponent($0).path }
        // They are 20 L batches: on the club brewery, whose elements are covered only from 25 L
        // (HLT) and 30 L (kettle), the strike heating and the boil would never end — refused at
        // those steps, as the recipes from the issue should have been.
        let club = try brewctl(["validate", "--hardware", "Hardware/club-brewery.toml"] + paths)
        XCTAssertEqual(club.status, 1, club.description)
        XCTAssertFalse(club.stdout.contains(": ok — "), club.description)
        let errors = club.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        XCTAssertEqual(errors.count, 8, club.description)
        XCTAssertTrue(errors.allSatisfy { $0.contains("(`min_volume`)") && ($0.contains("Heat strike water") || $0.contains("(Boil)")) },
                      club.description)
        // The same brewery with elements covered from 15 L takes them all.
        var text = try String(contentsOfFile: shipped("Hardware/club-brewery.toml"), encoding: .utf8)
        for (from, to) in [("min_volume = \"25 L\"", "min_volume = \"15 L\""), ("min_volume = \"30 L\"", "min_volume = \"10 L\"")] {
            XCTAssertTrue(text.contains(from), from)
            text = text.replacingOccurrences(of: from, with: to)
        }
        let small = dir.appendingPathComponent("small-batch-club.toml").path
        try text.write(toFile: small, atomically: true, encoding: .utf8)
        let validate = try brewctl(["validate", "--hardware", small] + paths)
        XCTAssertEqual(validate.status, 0, validate.stderr)
        XCTAssertEqual(validate.stdout.components(separatedBy: ": ok — ").count - 1, 4, validate.stdout)

        let garbage = dir.appendingPathComponent("not-a-recipe.xml")
        try "<RECIPES><RECIPE><NAME>x</NAME>".write(to: garbage, atomically: true, encoding: .utf8)
        let bad = try brewctl(["import", garbage.path])
        XCTAssertEqual(bad.status, 2, bad.stdout + bad.stderr)
        XCTAssertFalse(bad.stderr.isEmpty)
    }

    func testRunRefusesWhatItCannotRunBeforeSwitchingAnything() throws {
        let db = temporaryDatabase()
        let gin = try brewctl(["run", "Recipes/gin.toml", "--fast", "--yes", "--db", db])
        XCTAssertEqual(gin.status, 2, gin.stderr)
        XCTAssertTrue(gin.stderr.contains("Recipes/gin.toml:"), gin.stderr)
        XCTAssertTrue(gin.stderr.contains("nothing was switched on"), gin.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db), "no batch was started")
    }

    func testBadFlagsAreRefusedWithoutACrash() throws {
        let r = try brewctl(["run", "Recipes/ipa.toml", "--speed", "-3"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("--speed"), r.stderr)
    }
}
