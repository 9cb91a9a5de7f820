#if canImport(Glibc)
import Glibc
#endif
import BrewLog
import BrewTestSupport
import Foundation
import XCTest

/// One controller per batch, and per rig: a second one is refused, naming the process that holds
/// it; the lock dies with its holder (docs/safety.md, "One controller per batch, and per rig").
final class LockTests: XCTestCase {
    /// `resume` and `run --new` while the batch still runs elsewhere: both refused or leave it be;
    /// the batch is brewed once (no step, no alert twice) and never marked abandoned.
    func testASecondControllerOnARunningBatchIsRefusedNamingTheFirst() throws {
        let db = temporaryFolder(self, "brewctl-lock").appendingPathComponent("b.sqlite").path
        let first = try BrewctlProcess(["run", "Recipes/ipa.toml", "--speed", "400", "--yes", "--brewer", "ann", "--db", db], for: self)
        XCTAssertTrue(first.waitFor("Heat strike water"), first.transcript)
        XCTAssertTrue(Peers.waitUntil(10) { ((try? BatchLog.reading(path: db).state(batch: 1)) ?? nil) != nil }, first.transcript)

        let resume = try BrewctlProcess.run(["resume", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(resume.status, 2, resume.stderr)
        XCTAssertTrue(resume.stderr.contains("batch 1 is being run by process \(first.pid)"), resume.stderr)
        XCTAssertTrue(resume.stderr.contains("brewctl run Recipes/ipa.toml"), "the holder's command is named: \(resume.stderr)")

        let explicit = try BrewctlProcess.run(["resume", "--batch", "1", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(explicit.status, 2, explicit.stderr)
        XCTAssertTrue(explicit.stderr.contains("batch 1 is being run by process \(first.pid)"), explicit.stderr)

        // --new starts a batch of its own and leaves the running one alone.
        let new = try BrewctlProcess.run(["run", "Recipes/ipa.toml", "--new", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(new.status, 0, new.stderr)
        XCTAssertFalse(new.stdout.contains("marked abandoned"), new.stdout)
        XCTAssertTrue(first.process.isRunning, "the first batch still runs")
        kill(first.pid, SIGTERM)
        XCTAssertEqual(first.finish(), 3, first.transcript)

        let log = try BatchLog.reading(path: db)
        let one = try XCTUnwrap(try log.batches().first { $0.id == 1 })
        XCTAssertNil(one.outcome, "interrupted by the SIGTERM, never abandoned")
        let steps = try XCTUnwrap(try log.batch(1)).steps.map(\.position)
        XCTAssertEqual(steps, Array(Set(steps)).sorted(), "every step once: \(steps)")

        // The holder gone, the lock is free: it resumes.
        let later = try BrewctlProcess.run(["resume", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(later.status, 0, later.stderr)
        let done = try XCTUnwrap(try log.batch(1))
        XCTAssertEqual(done.steps.map(\.position), Array(0..<done.steps.count), "each step once, in order")
        let alerts = done.events.filter { $0.kind == .alert && $0.message.contains("left in boil") }.map(\.message)
        XCTAssertEqual(alerts.count, Set(alerts).count, "no hop alert twice: \(alerts)")
    }

    /// Two controllers on one real rig — even through two hardware files that name the same bus —
    /// are refused, as are a pulse and a check, naming the running one; `off` still goes through.
    func testASecondControllerOnTheSameRigIsRefusedNamingTheFirst() throws {
        let bench = try ModbusBenchRig(for: self)
        let port = bench.port, rig = bench.path
        // The same devices under another name, in another file.
        let twin = bench.directory.appendingPathComponent("twin.toml").path
        try ModbusBenchRig.text(port: port).replacingOccurrences(of: "Modbus bench rig", with: "the same rig, described again")
            .write(toFile: twin, atomically: true, encoding: .utf8)
        let recipe = try bench.heatRecipe(to: "90 C")
        let first = try BrewctlProcess(["run", recipe, "--hardware", rig, "--yes", "--db", bench.database("a.sqlite")], for: self)
        XCTAssertTrue(bench.waitForElement(true), first.transcript)

        for file in [rig, twin] {
            let second = try BrewctlProcess.run(["run", recipe, "--hardware", file, "--yes", "--db", bench.database("b.sqlite")], for: self)
            XCTAssertEqual(second.status, 2, second.stderr)
            XCTAssertTrue(second.stderr.contains("Modbus TCP 127.0.0.1:\(port) is in use by process \(first.pid)"), second.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: bench.database("b.sqlite")), "no batch was started")
        }
        let pulse = try BrewctlProcess.run(["hardware", "pulse", "element", "--seconds", "1", "--yes", "--hardware", twin], for: self)
        XCTAssertEqual(pulse.status, 2, pulse.stderr)
        XCTAssertTrue(pulse.stderr.contains("in use by process \(first.pid)"), pulse.stderr)
        XCTAssertTrue(first.process.isRunning)
        kill(first.pid, SIGTERM)
        XCTAssertEqual(first.finish(), 3, first.transcript)
        XCTAssertEqual(bench.element, false)
    }
}
