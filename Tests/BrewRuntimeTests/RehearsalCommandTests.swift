import BrewLog
import BrewTestSupport
import Foundation
import XCTest

/// Rehearsals through the real `brewctl`: faults staged in a hardware file's
/// `[[simulation.faults]]` and with `--fault`, their alarms read back from the batch log; the
/// usage errors and the refusal on a real rig.
final class RehearsalCommandTests: XCTestCase {
    /// The HLT held at 75 °C in the background while the kettle rests 15 min just above the tap's
    /// temperature: the batch ends by the clock whatever happens to the HLT's element.
    static let recipe = """
    name = "Rehearse the HLT"

    [[steps]]
    name = "Fill"
    kind = "confirm"
    message = "Fill the HLT with 40 L and the kettle with 30 L"
    actions = [{ action = "fill", vessel = "hlt", volume = "40 L" }, { action = "fill", vessel = "kettle", volume = "30 L" }]

    [[steps]]
    name = "Hold the HLT"
    kind = "hold"
    vessel = "hlt"
    temperature = "75 C"

    [[steps]]
    name = "Rest the kettle"
    kind = "rest"
    vessel = "kettle"
    temperature = "14 C"
    duration = "15 min"
    """

    struct Folder {
        let url: URL
        var db: String { url.appendingPathComponent("batches.sqlite").path }
        var recipe: String { url.appendingPathComponent("rehearse.toml").path }
        func write(_ name: String, _ text: String) throws -> String {
            let path = url.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    func folder() throws -> Folder {
        let f = Folder(url: temporaryFolder(self, "brewctl-rehearsal"))
        _ = try f.write("rehearse.toml", Self.recipe)
        return f
    }

    func events(_ db: String, file: StaticString = #filePath, line: UInt = #line) throws -> [EventRecord] {
        let log = try BatchLog.reading(path: db)
        return try XCTUnwrap(try log.batch(1), "no batch in the log", file: file, line: line).events
    }

    func testAFaultStagedInTheHardwareFileRaisesItsAlarmInTheLog() throws {
        let f = try folder()
        let sim = try String(contentsOfFile: shipped("Hardware/sim.toml"), encoding: .utf8)
        let rig = try f.write("rig.toml", sim + """

        [[simulation.faults]]
        at = "4 min"
        sensor = "hlt_probe"
        fault = "probe_lost"
        for = "1 min"
        """)
        let out = try brewctl(["run", f.recipe, "--hardware", rig, "--fast", "--yes", "--brewer", "ci", "--db", f.db])
        XCTAssertEqual(out.status, 0, "the batch completes once the probe answers again: \(out)")
        let log = try events(f.db)
        let staged = try XCTUnwrap(log.first { $0.message.hasPrefix("rehearsal staged: probe_lost on sensor `hlt_probe` at 04:00, for 1 min — staged by \(rig):") },
                                   "\(log.map(\.message)) — \(out)")
        XCTAssertEqual(staged.kind, .alert)
        XCTAssertTrue(log.contains { $0.kind == .alert && $0.at >= 240 && $0.message.hasPrefix("rehearsal: sensor `hlt_probe` lost (stops answering) from 04:00 for 1 min") },
                      "\(log.map(\.message))")
        XCTAssertTrue(log.contains { $0.kind == .alert && $0.message == "rehearsal over: probe_lost on sensor `hlt_probe` ended at 05:00" }, "\(log.map(\.message))")
        let alarm = try XCTUnwrap(log.first { $0.kind == .alarm && $0.message.hasPrefix("HLT:") }, "\(log.map(\.message)) — \(out)")
        XCTAssertTrue(alarm.message.contains("noDevice"), alarm.message)
        XCTAssertEqual(alarm.at, 240, accuracy: 1.01)
        let cleared = try XCTUnwrap(log.first { $0.kind == .info && $0.message == "HLT: reading is good again" }, "\(out)")
        XCTAssertGreaterThanOrEqual(cleared.at, 300)
    }

    func testADeadElementFromTheCommandLineIsCaughtAndSaidToBeARehearsal() throws {
        let f = try folder()
        let out = try brewctl(["run", f.recipe, "--fast", "--yes", "--brewer", "ci", "--db", f.db, "--fault", "hlt:dead_element@2min"])
        XCTAssertEqual(out.status, 0, "\(out)")
        let log = try events(f.db)
        XCTAssertTrue(log.contains { $0.message == "rehearsal staged: dead_element on vessel `hlt` at 02:00 — staged by --fault hlt:dead_element@2min" },
                      "\(log.map(\.message))")
        let fired = try XCTUnwrap(log.first { $0.message.hasPrefix("rehearsal: HLT element dead from 02:00") }, "\(log.map(\.message))")
        XCTAssertEqual(fired.at, 120, accuracy: 0.2)
        let alarm = try XCTUnwrap(log.first { $0.kind == .alarm }, "\(log.map(\.message)) — \(out)")
        XCTAssertTrue(alarm.message.contains("element dead or dry"), alarm.message)
        XCTAssertGreaterThan(alarm.at, 120)
        XCTAssertLessThanOrEqual(alarm.at, 120 + 300)
        XCTAssertEqual(log.filter { $0.kind == .alarm }.count, 1, "\(log.map(\.message))")
    }

    func testAFaultTheCommandLineCannotParseIsAUsageError() throws {
        let f = try folder()
        for (fault, says) in [("hlt:dead_element", "no @TIME"), ("hlt:melted@1h", "unknown fault `melted`")] {
            let out = try brewctl(["run", f.recipe, "--fast", "--yes", "--db", f.db, "--fault", fault])
            XCTAssertEqual(out.status, 64, "\(out)")
            XCTAssertTrue(out.stderr.contains("--fault '\(fault)': \(says)"), "\(out)")
            XCTAssertTrue(out.stderr.contains("NAME:FAULT@TIME"), "the accepted form: \(out)")
        }
        let unknown = try brewctl(["run", f.recipe, "--fast", "--yes", "--db", f.db, "--fault", "hlt2:dead_element@1h"])
        XCTAssertEqual(unknown.status, 64, "\(unknown)")
        XCTAssertTrue(unknown.stderr.contains("has no vessel, sensor, output or bus `hlt2` — did you mean `hlt`?"), "\(unknown)")
        if FileManager.default.fileExists(atPath: f.db) {
            XCTAssertEqual(try BatchLog.reading(path: f.db).batches().count, 0, "no batch was started")
        }
    }

    func testARealRigRefusesFaults() throws {
        let f = try folder()
        let out = try brewctl(["run", "Recipes/ipa.toml", "--hardware", "Hardware/club-brewery.toml", "--yes", "--db", f.db,
                               "--fault", "hlt:dead_element@1h"])
        XCTAssertEqual(out.status, 2, "\(out)")
        XCTAssertTrue(out.stderr.contains("--fault stages faults on the simulated brewery;"), "\(out)")
        XCTAssertTrue(out.stderr.contains("nothing was switched on"), "\(out)")

        let club = try String(contentsOfFile: shipped("Hardware/club-brewery.toml"), encoding: .utf8)
        let rig = try f.write("club.toml", club + "\n[[simulation.faults]]\nat = \"1 h\"\nvessel = \"hlt\"\nfault = \"dead_element\"\n")
        let file = try brewctl(["validate", "Recipes/ipa.toml", "--hardware", rig])
        XCTAssertNotEqual(file.status, 0, "\(file)")
        let line = club.filter { $0 == "\n" }.count + 2
        XCTAssertTrue(file.stderr.contains("\(rig):\(line):1: error: simulation: a [simulation] table stages faults on the simulated brewery"), "\(file)")
    }
}
