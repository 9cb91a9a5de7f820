#if canImport(Glibc)
import Glibc
#endif
import BrewTestSupport
import Foundation
import XCTest

/// What Ctrl-C and SIGTERM do to a running batch, read where it matters: at the outputs. The rig is
/// real to brewctl (`ModbusBenchRig`: relay coils and a transmitter on a pymodbus server, through
/// libmodbus), and the test reads the element's coil itself — on before the signal, off after it,
/// off at the end — rather than trusting what brewctl prints.
final class StopAtTheOutputsTests: XCTestCase {
    /// How `run` ends when a signal stops it with nobody at a terminal to ask: its exit status, and
    /// the outcome its one-line reason and the batch log name. The one place to change if what a
    /// signal means changes; what the outputs must do does not.
    static let signalled = (status: Int32(3), outcome: "interrupted")

    /// Ctrl-C (SIGINT) and SIGTERM during `brewctl run` on a real rig: the element, switched on by
    /// the heat step, goes off at once — read from the relay coil itself — the run ends cleanly
    /// with a one-line reason, and the log says who stopped it.
    private func assertStopSwitchesTheElementOff(_ stop: (ChildProcess) -> Void, by who: String,
                                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let bench = try ModbusBenchRig(for: self)
        let db = bench.database()
        XCTAssertEqual(bench.element, false, "off before the run", file: file, line: line)
        let run = try startBrewctl(["run", try bench.heatRecipe(to: "80 C"), "--hardware", bench.path, "--yes", "--brewer", "ann", "--db", db])
        guard bench.waitForElement(true) else {
            return XCTFail("the heat step never switched the element on:\n\(run.report)", file: file, line: line)
        }
        XCTAssertTrue(run.waitForOutput("Step 1/2: Heat"), run.report, file: file, line: line)

        // Nobody is at a terminal to ask, so it stops at once.
        let stopped = Date()
        stop(run)
        XCTAssertTrue(bench.waitForElement(false, seconds: 5), "the element stayed on:\n\(run.report)", file: file, line: line)
        XCTAssertLessThan(Date().timeIntervalSince(stopped), 3, "switched off at once, not at some later tick", file: file, line: line)
        let result = run.finish(seconds: 30)
        XCTAssertTrue(result.exited, "exits cleanly, not killed by the signal: \(result)", file: file, line: line)
        XCTAssertEqual(result.status, Self.signalled.status, "\(result)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(Self.signalled.outcome), "\(result)", file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "one-line reason: \(result)", file: file, line: line)
        XCTAssertEqual(try bench.plc.readCoils(unit: 7, address: 1, count: 2), [false, false], "everything off at the end",
                       file: file, line: line)

        let show = try brewctl(["log", "show", "1", "--db", db])
        XCTAssertEqual(show.status, 0, "\(show)", file: file, line: line)
        XCTAssertTrue(show.stdout.contains("outcome    \(Self.signalled.outcome)"), "\(show)", file: file, line: line)
        XCTAssertTrue(show.stdout.contains(who), "\(show)", file: file, line: line)
    }

    func testCtrlCWithNobodyToAskSwitchesTheElementOffAtOnce() throws {
        try assertStopSwitchesTheElementOff({ $0.interrupt() }, by: "ann")
    }

    func testSIGTERMSwitchesTheElementOffAtOnce() throws {
        try assertStopSwitchesTheElementOff({ $0.terminate() }, by: "SIGTERM")
    }

    /// Ctrl-C at a terminal: while its question is open the element's coil is off and stays off,
    /// `n` switches it on again, and `y` aborts the batch with it off.
    func testCtrlCHoldsTheRealElementOffWhileItAsks() throws {
        let bench = try ModbusBenchRig(for: self)
        XCTAssertEqual(bench.element, false, "off before the run")
        let (process, tty) = try startAtTerminal(["run", try bench.heatRecipe(to: "80 C"), "--hardware", bench.path,
                                                  "--brewer", "ann", "--db", bench.database()])
        XCTAssertTrue(tty.wait(for: "Step 1/2: Heat"), tty.transcript)
        XCTAssertTrue(bench.waitForElement(true), "the heat step switched the element on:\n\(tty.transcript)")

        process.interrupt()
        XCTAssertTrue(tty.wait(for: "Abort this batch"), "Ctrl-C asks:\n\(tty.transcript)")
        XCTAssertTrue(bench.waitForElement(false, seconds: 3), "the element is off while it asks:\n\(tty.transcript)")
        // And stays off while nobody answers.
        XCTAssertFalse(Peers.waitUntil(2.5) { bench.element != false }, "the element came back on unanswered:\n\(tty.transcript)")
        XCTAssertTrue(process.isRunning)

        tty.type("n\r")
        XCTAssertTrue(tty.wait(for: "Not aborted"), tty.transcript)
        XCTAssertTrue(bench.waitForElement(true), "heating again after `n`:\n\(tty.transcript)")

        let mark = tty.mark
        process.interrupt()
        XCTAssertTrue(tty.wait(for: "Abort this batch", after: mark), "asked again:\n\(tty.transcript)")
        XCTAssertTrue(bench.waitForElement(false, seconds: 3), tty.transcript)
        tty.type("y\r")
        XCTAssertTrue(tty.wait(for: "brewctl: batch 1:", after: mark), "the one-line reason:\n\(tty.transcript)")
        XCTAssertTrue(Peers.waitUntil(15) { !process.isRunning }, "brewctl ended:\n\(tty.transcript)")
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1, tty.transcript)
        XCTAssertEqual(try bench.plc.readCoils(unit: 7, address: 1, count: 2), [false, false], "everything off at the end")
    }
}
