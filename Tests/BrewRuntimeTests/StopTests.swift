#if canImport(Glibc)
import Glibc
#endif
import BrewLog
import BrewTestSupport
import Foundation
import XCTest

/// Every way the process ends switches off, logs, and keeps the batch resumable (docs/safety.md,
/// "How brewctl stops"): every catchable signal reaches the same safe stop, a signal never aborts
/// a batch, and a controller that dies without stopping has its rig switched off by its guard.
final class StopTests: XCTestCase {
    /// The signals brewctl must turn into a stop: every catchable one whose default would end the
    /// process, SIGINT without a terminal to ask included. (SIGKILL and SIGSTOP cannot be caught.)
    static let stopping: [(Int32, String)] = [
        (SIGHUP, "SIGHUP"), (SIGINT, "SIGINT"), (SIGQUIT, "SIGQUIT"), (SIGTERM, "SIGTERM"), (SIGPIPE, "SIGPIPE"),
        (SIGUSR1, "SIGUSR1"), (SIGUSR2, "SIGUSR2"), (SIGALRM, "SIGALRM"), (SIGVTALRM, "SIGVTALRM"), (SIGPROF, "SIGPROF"),
        (SIGXCPU, "SIGXCPU"), (SIGXFSZ, "SIGXFSZ"), (SIGPWR, "SIGPWR"), (SIGSTKFLT, "SIGSTKFLT"), (SIGIO, "SIGIO"),
        (SIGSYS, "SIGSYS"), (SIGSEGV, "SIGSEGV"), (SIGBUS, "SIGBUS"), (SIGILL, "SIGILL"), (SIGFPE, "SIGFPE"),
        (SIGABRT, "SIGABRT"), (SIGTRAP, "SIGTRAP"), (rtmin() + 3, "SIGRTMIN+3"), (rtmax(), "SIGRTMIN+"),
    ]

    static func rtmin() -> Int32 { Int32(__libc_current_sigrtmin()) }
    static func rtmax() -> Int32 { Int32(__libc_current_sigrtmax()) }

    /// Each signal, sent by another process mid-brew: exit 3, the stop logged with the signal's
    /// name and its sender, the batch without an outcome and with its state — resumable; one of
    /// them is then resumed to the end.
    func testEverySignalStopsTheBatchInterruptedAndResumable() throws {
        let dir = temporaryFolder(self, "brewctl-signals")
        for (n, (sig, name)) in Self.stopping.enumerated() {
            let db = dir.appendingPathComponent("s\(n).sqlite").path
            let run = try BrewctlProcess(["run", "Recipes/ipa.toml", "--speed", "300", "--yes", "--brewer", "ci", "--db", db], for: self)
            XCTAssertTrue(run.waitFor("Heat strike water"), "\(name): the batch did not get going\n\(run.transcript)")
            kill(run.pid, sig)
            let status = run.finish(seconds: 30)
            XCTAssertEqual(status, 3, "\(name): exit status\n\(run.transcript)")
            XCTAssertTrue(run.stderr.contains("batch 1: batch interrupted: \(name)"), "\(name)\n\(run.transcript)")
            XCTAssertTrue(run.stderr.contains("from process \(getpid())"), "\(name): the sender is named\n\(run.transcript)")

            let log = try BatchLog.reading(path: db)
            let batch = try XCTUnwrap(try log.batches().first, name)
            XCTAssertNil(batch.outcome, "\(name): never aborted by a signal")
            XCTAssertNotNil(try log.state(batch: 1), "\(name): its state is kept, so it can be resumed")
            let stop = try XCTUnwrap(try log.batch(1)?.events.last, name)
            XCTAssertTrue(stop.message.hasPrefix("Stopped: \(name)"), "\(name): \(stop.message)")
            XCTAssertTrue(stop.message.contains("every output off"), stop.message)
            XCTAssertFalse(try log.batch(1)?.steps.contains { $0.outcome == "failed" || $0.outcome == "aborted" } ?? true, name)
        }
        // Resumable indeed: the first one, to the end.
        let db = dir.appendingPathComponent("s0.sqlite").path
        let resume = try BrewctlProcess(["resume", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(resume.finish(), 0, resume.transcript)
        XCTAssertTrue(resume.stdout.contains("Batch 1 completed"), resume.transcript)
    }

    /// Signals that mean nothing for a controller leave it running; Ctrl-Z does not suspend it
    /// (an output would stay as it is for as long as it stays stopped).
    func testHarmlessSignalsAndCtrlZLeaveTheBatchRunning() throws {
        let db = temporaryFolder(self, "brewctl-harmless").appendingPathComponent("b.sqlite").path
        let run = try BrewctlProcess(["run", "Recipes/ipa.toml", "--speed", "100", "--yes", "--db", db], for: self)
        XCTAssertTrue(run.waitFor("Heat strike water"), run.transcript)
        for sig in [SIGWINCH, SIGCHLD, SIGURG, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU] {
            kill(run.pid, sig)
            usleep(300_000)
            XCTAssertTrue(run.process.isRunning, "signal \(sig) ended it\n\(run.transcript)")
        }
        // Still running, not stopped: its brew time goes on.
        let state = try BatchLog.reading(path: db)
        let before = try XCTUnwrap(try state.state(batch: 1)).brewTime
        XCTAssertTrue(Peers.waitUntil(10) { ((try? state.state(batch: 1))?.brewTime ?? 0) > before + 30 }, "brew time goes on\n\(run.transcript)")
        XCTAssertTrue(run.stdout.contains("brewctl does not suspend"), run.transcript)
        kill(run.pid, SIGTERM)
        XCTAssertEqual(run.finish(), 3, run.transcript)
    }

    // MARK: - At the outputs of a real rig

    /// SIGTERM and SIGHUP on a real rig (`ModbusBenchRig`: relay coils on a pymodbus server): the
    /// heater coil, on before, is off after; the batch is interrupted and resumable, and a resume
    /// switches the heater on again.
    func testASignalSwitchesTheRealHeaterOffAndTheBatchResumes() throws {
        let bench = try ModbusBenchRig(for: self)
        let recipe = try bench.heatRecipe(to: "90 C"), db = bench.database()
        // Started, stopped by SIGTERM; resumed, stopped by SIGHUP.
        for (sig, name) in [(SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")] {
            let brew = try BrewctlProcess(name == "SIGTERM" ? ["run", recipe, "--hardware", bench.path, "--yes", "--db", db]
                                                            : ["resume", "--yes", "--db", db], for: self)
            XCTAssertTrue(bench.waitForElement(true), "\(name): the heater came on\n\(brew.transcript)")
            kill(brew.pid, sig)
            XCTAssertEqual(brew.finish(seconds: 30), 3, "\(name)\n\(brew.transcript)")
            XCTAssertEqual(bench.element, false, "\(name): the heater coil is off after the stop")
            XCTAssertEqual(bench.valve, false, "\(name): the valve too")
            let log = try BatchLog.reading(path: db)
            XCTAssertNil(try log.batches().first?.outcome, "\(name): interrupted, not ended")
            XCTAssertTrue(try log.batch(1)?.events.contains { $0.message.hasPrefix("Stopped: \(name)") } ?? false, name)
        }
    }

    /// SIGKILL cannot be caught: the controller's guard sees it die and switches the rig off
    /// (a Raspberry Pi keeps a released GPIO line at its last level), and says so in the log.
    func testAKilledControllersGuardSwitchesTheRigOff() throws {
        let bench = try ModbusBenchRig(for: self)
        let db = bench.database()
        let brew = try BrewctlProcess(["run", try bench.heatRecipe(to: "90 C"), "--hardware", bench.path, "--yes", "--db", db], for: self)
        XCTAssertTrue(bench.waitForElement(true), "the heater came on\n\(brew.transcript)")
        // Long enough for the state to be saved at least once (every 5 s of brew time).
        XCTAssertTrue(Peers.waitUntil(15) { ((try? BatchLog.reading(path: db).state(batch: 1)) ?? nil) != nil }, brew.transcript)
        kill(brew.pid, SIGKILL)
        _ = brew.finish()
        XCTAssertTrue(bench.waitForElement(false, seconds: 10), "the guard switched the heater off\n\(brew.transcript)")
        let log = try BatchLog.reading(path: db)
        XCTAssertTrue(Peers.waitUntil(10) {
            ((try? log.batch(1)) ?? nil)?.events.contains { $0.message.contains("ended without stopping") && $0.actor == "brewctl guard" } ?? false
        }, "the record says what happened")
        XCTAssertNil(try log.batches().first?.outcome, "still resumable")
        XCTAssertTrue(brew.stderr.contains("brewctl guard: the controller (process \(brew.pid)) ended without stopping: its guard switched every output off"),
                      brew.transcript)
    }
}
