import BrewConfig
import BrewCore
import BrewHost
import BrewLog
import BrewRig
import BrewRuntime
import Foundation

/// One controller running one batch, as `run` and `resume` both set it up once the plan, the rig
/// and the backend are chosen: the batch lock, the guard, the terminal, the runner, and how the
/// process ends (docs/safety.md, "How brewctl stops").
struct BatchSession {
    var plan: BrewPlan
    var rig: RigSpec
    var rigPath: String
    var recipePath: String
    var backend: any RigBackend
    var clock: any LoopClock
    var log: BatchLog
    var speedLabel: String
    var startedAt: Date
    var resume: ResumePoint?
    /// Held for a resumed batch before its state was read; a new batch takes its own.
    var batchLock: KernelLock?
    var rigLock: [KernelLock]
    var signals: StopSignals
    var options: SessionOptions
    var brewer: String

    /// Runs the batch and ends the process with its exit status.
    func run() -> Never {
        let wallStarted = Date()
        // A stop asked for while the files were read and the devices probed: nothing has run.
        if case .stop(let cause)? = signals.take() {
            fail("stopped before the batch began (\(cause)); nothing was switched on", code: resume == nil ? ExitStatus.refused : ExitStatus.interrupted)
        }
        let integrity: String?
        do { integrity = try log.integrityProblem() } catch { integrity = "the check could not run: \(error)" }
        if let problem = integrity {
            fail("the batch log \(log.path) fails its integrity check (\(problem)): nothing was started. Keep a copy, then repair it (sqlite3 \(log.path) \".recover\") or log elsewhere with --db PATH", code: ExitStatus.refused)
        }
        if !log.keepReserve() || (log.freeSpace() ?? .max) < 8 << 20 {
            fail("the disk holding \(log.path) is (nearly) full: a batch could not be logged — free some space first; nothing was switched on", code: ExitStatus.refused)
        }
        let lockHolder = LockBox(batchLock)
        let guardProcess = rig.backend == .linux && !runningUnderSystemd(options.environment)
            ? ControllerGuard(hardware: rigPath, db: log.path) : nil
        let console = TerminalConsole(brewer: brewer, autoConfirm: options.yes, signals: signals)
        let runner = BatchRunner(
            plan: plan, backend: backend, log: log, clock: clock, console: console,
            options: .init(brewer: brewer, autoConfirm: options.yes, recipePath: recipePath, hardwarePath: rigPath,
                           speedLabel: speedLabel, startedAt: startedAt,
                           claimBatch: { [database = log.path] id in lockHolder.lock = try BatchLocks.claim(id, database: database) }),
            resume: resume)
        runner.supervisor = supervisor()
        console.start()
        let result = runner.run()
        // Everything is off and logged: the guard has nothing left to do.
        guardProcess?.done()
        // exit() runs no deinit: let go of the locks (their files go with them) by hand.
        lockHolder.lock?.release()
        for lock in rigLock { lock.release() }
        if options.stats { print(ResourceUsage.report(wall: Date().timeIntervalSince(wallStarted))) }
        let logHint = "brewctl log show \(result.batchID)\(options.dbFlag)"
        switch result.outcome {
        case .completed:
            print("✔ Batch \(result.batchID) completed: \(Format.printable(plan.recipe.name)) — \(Format.duration(result.brewTime)) of brew time. Log: \(logHint)")
            exit(ExitStatus.completed)
        case .aborted, .failed:
            printError("batch \(result.batchID): \(result.outcome.summary)")
            exit(ExitStatus.failed)
        case .interrupted:
            printError("batch \(result.batchID): \(result.outcome.summary)")
            exit(ExitStatus.interrupted)
        }
    }
}

/// The batch lock a new batch takes once it has a number (set from the runner's claim).
final class LockBox: @unchecked Sendable {
    var lock: KernelLock?
    init(_ lock: KernelLock?) { self.lock = lock }
}
