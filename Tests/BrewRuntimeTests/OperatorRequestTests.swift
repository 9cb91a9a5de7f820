#if canImport(Glibc)
import Glibc
#endif
import BrewLog
import BrewTestSupport
import Foundation
import XCTest

/// Operator requests answer what is waiting now (docs/safety.md, "Operator requests"), with the
/// real binaries: `confirm` and `ack` are refused when no controller runs the batch or nothing
/// waits, name what they answer, and a confirmation never carries over to a later controller.
final class OperatorRequestTests: XCTestCase {
    func testAConfirmationCountsOnlyWhileItsPromptWaitsAndAControllerRuns() throws {
        let db = temporaryFolder(self, "brewctl-confirm").appendingPathComponent("b.sqlite").path
        // No --yes: the first step, "Fill the HLT", waits for a person.
        let first = try BrewctlProcess(["run", "Recipes/ipa.toml", "--speed", "60", "--brewer", "ann", "--db", db], for: self)
        XCTAssertTrue(first.waitFor("Fill the HLT"), first.transcript)
        kill(first.pid, SIGTERM)
        XCTAssertEqual(first.finish(), 3, first.transcript)

        // Interrupted: nobody is there to take it, so it is refused, not kept for later.
        let early = try BrewctlProcess.run(["confirm", "--brewer", "bob", "--db", db], for: self)
        XCTAssertEqual(early.status, 2, early.stderr)
        XCTAssertTrue(early.stderr.contains("batch 1 is interrupted"), early.stderr)
        let earlyAck = try BrewctlProcess.run(["ack", "--brewer", "bob", "--db", db], for: self)
        XCTAssertEqual(earlyAck.status, 2, earlyAck.stderr)

        // Resumed: it waits again; nothing confirms it by itself.
        let resumed = try BrewctlProcess(["resume", "--speed", "60", "--db", db], for: self)
        XCTAssertTrue(resumed.waitFor("Resumed after a gap"), resumed.transcript)
        sleep(2)
        XCTAssertFalse(resumed.stdout.contains("Confirmed"), "no stale confirmation\n\(resumed.transcript)")

        let confirm = try BrewctlProcess.run(["confirm", "--brewer", "bob", "--db", db], for: self)
        XCTAssertEqual(confirm.status, 0, confirm.stderr)
        XCTAssertTrue(confirm.stdout.contains("step 1: Fill the HLT"), "it names what it answers: \(confirm.stdout)")
        XCTAssertTrue(confirm.stdout.contains("process \(resumed.pid)"), confirm.stdout)
        XCTAssertTrue(resumed.waitFor("Heat strike water", seconds: 20), resumed.transcript)
        XCTAssertTrue(resumed.stdout.contains("Confirmed: Fill the HLT (bob)"), resumed.transcript)

        // Nothing waits now: refused.
        let again = try BrewctlProcess.run(["confirm", "--brewer", "bob", "--db", db], for: self)
        XCTAssertEqual(again.status, 2, again.stderr)
        XCTAssertTrue(again.stderr.contains("waits for no confirmation now"), again.stderr)
        let noAlarm = try BrewctlProcess.run(["ack", "--brewer", "bob", "--db", db], for: self)
        XCTAssertEqual(noAlarm.status, 2, noAlarm.stderr)
        XCTAssertTrue(noAlarm.stderr.contains("no alarm to acknowledge"), noAlarm.stderr)
        kill(resumed.pid, SIGTERM)
        XCTAssertEqual(resumed.finish(), 3, resumed.transcript)

        let log = try BatchLog.reading(path: db)
        let confirmations = try XCTUnwrap(try log.batch(1)).events.filter { $0.kind == .confirmation }
        XCTAssertEqual(confirmations.map(\.actor), ["bob"], "confirmed once, by bob, after the resume")
    }

    func testARequestForABatchNobodyRunsIsRefusedAndNamesWhy() throws {
        let db = temporaryFolder(self, "brewctl-requests").appendingPathComponent("b.sqlite").path
        let none = try BrewctlProcess.run(["confirm", "--db", db], for: self)
        XCTAssertEqual(none.status, 2, none.stderr)
        XCTAssertTrue(none.stderr.contains("no batch is running"), none.stderr)
        let run = try BrewctlProcess.run(["run", "Recipes/ipa.toml", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(run.status, 0, run.stderr)
        for command in ["confirm", "ack"] {
            let over = try BrewctlProcess.run([command, "--batch", "1", "--db", db], for: self)
            XCTAssertEqual(over.status, 2, over.stderr)
            XCTAssertTrue(over.stderr.contains("batch 1 is not running"), over.stderr)
        }
        let bad = try BrewctlProcess.run(["confirm", "--brewer", "a\u{1B}[2Jb", "--db", db], for: self)
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("control character"), bad.stderr)
    }
}
