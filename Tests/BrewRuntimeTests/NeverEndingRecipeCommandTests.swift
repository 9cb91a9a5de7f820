import BrewTestSupport
import Foundation
import XCTest

/// The binary on recipes that would never end (issue 10, part 9): `validate` and `run` refuse
/// what the plan can know in advance, at the step's line; warnings are shown and do not refuse.
final class NeverEndingRecipeCommandTests: XCTestCase {
    /// The simulated club brewery with a recirculation pump minimum on the mash tun.
    private func rig(in dir: URL) throws -> String {
        var text = try String(contentsOfFile: shipped("Hardware/sim.toml"), encoding: .utf8)
        let anchor = "min_flow = \"3 L/min\""
        guard let r = text.range(of: anchor) else { throw TestFailure("\(anchor) not in sim.toml") }
        text.replaceSubrange(r, with: anchor + "\nmin_pump_volume = \"15 L\"")
        let path = dir.appendingPathComponent("rig.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private static let imported = """
    name = "Imported from BeerSmith"

    [[steps]]
    name = "Fill"
    kind = "confirm"
    message = "Fill"
    actions = [{ action = "fill", vessel = "mash_tun", volume = "6 L" }, { action = "fill", vessel = "kettle", volume = "12 L" }]

    [[steps]]
    name = "Mash"
    kind = "rest"
    vessel = "mash_tun"
    temperature = "82 C"
    duration = "60 min"

    [[steps]]
    name = "Boil"
    kind = "boil"
    vessel = "kettle"
    duration = "60 min"

    [[steps]]
    name = "Chill"
    kind = "chill"
    vessel = "kettle"
    temperature = "8 C"
    """

    func testValidateAndRunRefuseEachNeverEndingStepAtItsLine() throws {
        let dir = temporaryFolder(self, "brewctl-never")
        let hardware = try rig(in: dir)
        let recipe = dir.appendingPathComponent("imported.toml").path
        try Self.imported.write(toFile: recipe, atomically: true, encoding: .utf8)
        let validate = try brewctl(["validate", "--hardware", hardware, recipe])
        XCTAssertEqual(validate.status, 1, validate.description)
        let lines = validate.stderr.split(separator: "\n").map(String.init).filter { $0.contains(": error: ") }
        // The rest above the mash tun's 80 °C, the mash below its pump's 15 L, the kettle below its
        // element's 15 L, the chill below the 12 °C mains water.
        XCTAssertEqual(lines.count, 4, validate.description)
        let expected: [(line: Int, words: String)] = [(9, "max_temperature of 80.0 °C"), (9, "`min_pump_volume`"), (16, "`min_volume`"),
                                                      (22, "mains water")]
        for (got, want) in zip(lines, expected) {
            XCTAssertTrue(got.hasPrefix("\(recipe):\(want.line):1: error: "), got)
            XCTAssertTrue(got.contains(want.words), got)
        }
        XCTAssertFalse(validate.stdout.contains(": ok"), validate.description)

        let db = dir.appendingPathComponent("batches.sqlite").path
        let run = try brewctl(["run", recipe, "--hardware", hardware, "--fast", "--yes", "--db", db])
        XCTAssertEqual(run.status, 2, run.description)
        XCTAssertEqual(run.stderr.components(separatedBy: ": error: ").count - 1, 4, run.description)
        XCTAssertTrue(run.stderr.contains("nothing was switched on"), run.description)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db), "no batch was started")
    }

    func testAWarningIsShownAndTheRecipeStillValidates() throws {
        let dir = temporaryFolder(self, "brewctl-warn")
        let recipe = dir.appendingPathComponent("close.toml").path
        try """
        name = "Close to the limit"

        [[steps]]
        name = "Fill"
        kind = "confirm"
        message = "Fill"
        actions = [{ action = "fill", vessel = "mash_tun", volume = "30 L" }]

        [[steps]]
        name = "Mash out"
        kind = "rest"
        vessel = "mash_tun"
        temperature = "79 C"
        duration = "10 min"
        """.write(toFile: recipe, atomically: true, encoding: .utf8)
        let validate = try brewctl(["validate", recipe])
        XCTAssertEqual(validate.status, 0, validate.description)
        XCTAssertTrue(validate.stderr.hasPrefix("\(recipe):9:1: warning: steps[1]: step 2 (Mash out): the rest at 79.0 °C is within 2 K"),
                      validate.description)
        XCTAssertTrue(validate.stdout.contains("\(recipe): ok — Close to the limit, 2 steps, fits Simulated club brewery (1 warning above)"),
                      validate.description)
    }

    /// Past what the plan can know: a kettle element too small for its losses (900 W, lid off).
    /// `run --yes` ends failed within the window instead of running for ever, saying why.
    func testAnUnattendedRunWhoseTargetIsUnreachableEndsFailedSayingWhy() throws {
        let dir = temporaryFolder(self, "brewctl-stall")
        var text = try String(contentsOfFile: shipped("Hardware/sim.toml"), encoding: .utf8)
        for (from, to) in [("power = \"9000 W\"", "power = \"900 W\""), ("heat_loss = \"15 W/K\"", "heat_loss = \"60 W/K\"")] {
            XCTAssertTrue(text.contains(from), from)
            text = text.replacingOccurrences(of: from, with: to)
        }
        let hardware = dir.appendingPathComponent("weak.toml").path
        try text.write(toFile: hardware, atomically: true, encoding: .utf8)
        let recipe = dir.appendingPathComponent("warm.toml").path
        try """
        name = "Warm the kettle"

        [[steps]]
        name = "Fill"
        kind = "confirm"
        message = "Fill the kettle"
        actions = [{ action = "fill", vessel = "kettle", volume = "40 L" }]

        [[steps]]
        name = "Heat"
        kind = "heat"
        vessel = "kettle"
        temperature = "70 C"
        """.write(toFile: recipe, atomically: true, encoding: .utf8)
        let validate = try brewctl(["validate", "--hardware", hardware, recipe])
        XCTAssertEqual(validate.status, 0, "nothing a plan can know: \(validate.description)")

        let db = dir.appendingPathComponent("batches.sqlite").path
        let run = try brewctl(["run", recipe, "--hardware", hardware, "--fast", "--yes", "--brewer", "ci", "--db", db])
        XCTAssertEqual(run.status, 1, run.description)
        let all = run.stdout + run.stderr
        XCTAssertTrue(all.contains("batch failed: Kettle: no progress towards 70.0 °C"), run.description)
        let show = try brewctl(["log", "show", "1", "--db", db])
        XCTAssertEqual(show.status, 0, show.description)
        XCTAssertTrue(show.stdout.contains("failed"), show.description)
        XCTAssertTrue(show.stdout.contains("no progress towards 70.0 °C"), show.description)
    }
}
