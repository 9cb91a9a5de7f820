import ArgumentParser
import BrewConfig
import BrewCore
import BrewHost
import BrewLog
import BrewRig
import BrewRuntime
import Foundation

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resume the most recent interrupted batch (after a crash, a kill, a stop, a reboot or a power cut).",
        discussion: """
        Continues the batch from its last saved state (saved at every step change and every 5 s of brew time), \
        in the same batch of the log, with the recipe and hardware files it was started with. What the gap means \
        depends on the step (docs/logging.md, "Resume after a crash"); after a gap of more than 10 minutes on a \
        real rig every heater is held off until you confirm. A batch another brewctl is running is refused, naming it.
        Exit status: 0 the batch completed; 1 it was aborted or failed, or you declined; 2 there is no interrupted \
        batch, a file could not be read, its saved state is damaged, or another controller holds it; 3 stopped \
        again (a signal, a full disk) and still resumable; 64 usage error.
        """
    )

    @OptionGroup var session: SessionOptions

    @Option(help: "The batch to resume (default: the most recent interrupted one).")
    var batch: Int64?

    func run() throws {
        let signals = StopSignals()
        StandardStream.output.patience = .never   // a batch never waits for whoever reads its output
        let dbPath = session.databasePath
        guard FileManager.default.fileExists(atPath: dbPath) else {
            fail("there is no batch log at \(dbPath), so no interrupted batch to resume", code: ExitStatus.refused)
        }
        let log: BatchLog
        do { log = try BatchLog(path: dbPath, durability: session.fast ? .normal : .full) } catch { fail("\(error)", code: ExitStatus.refused) }
        let record: BatchRecord
        do {
            if let batch {
                guard let found = try log.batches().first(where: { $0.id == batch }) else { fail("there is no batch \(batch) in \(dbPath)", code: ExitStatus.refused) }
                if let runner = BatchLocks.runner(of: batch, in: log) {
                    fail("batch \(batch) is being run by \(runner): one controller per batch — it is not interrupted", code: ExitStatus.refused)
                }
                guard found.outcome == nil else { fail("batch \(batch) already ended (\(found.outcome?.rawValue ?? "")); nothing to resume", code: ExitStatus.refused) }
                record = found
            } else {
                guard let found = try BatchLocks.interrupted(in: log).first else {
                    let running = try BatchLocks.running(in: log)
                    fail(running.first.map { "no interrupted batch to resume in \(dbPath): batch \($0.id) is being run by \(BatchLocks.runner(of: $0.id, in: log).map(\.description) ?? "another brewctl")" }
                        ?? "no interrupted batch to resume in \(dbPath)", code: ExitStatus.refused)
                }
                record = found
            }
        } catch {
            fail("\(error)", code: ExitStatus.refused)
        }
        if !session.yes, isatty(STDIN_FILENO) == 1 {
            print("Resume batch \(record.id) (\(Format.printable(record.info.recipeName)), started by \(Format.printable(record.info.brewer)))? [Y/n] ", terminator: "")
            let answer = (readLine() ?? "n").trimmingCharacters(in: .whitespaces).lowercased()
            guard answer.isEmpty || answer == "y" || answer == "yes" else { fail("not resumed", code: ExitStatus.failed) }
        }
        resumeBatch(record, log: log, options: session, signals: signals)
    }
}

/// Resumes `batch` from its saved state: the recipe and rig it was started with (or `--hardware`),
/// at the batch's own simulation speed unless told otherwise. Takes the batch's lock first, so two
/// controllers can never resume one batch. Ends the process like `run`.
func resumeBatch(_ batch: BatchRecord, log: BatchLog, options o: SessionOptions, signals: StopSignals) -> Never {
    let batchLock: KernelLock
    do { batchLock = try BatchLocks.claim(batch.id, in: log) } catch { fail("\(error)", code: ExitStatus.refused) }
    let rigPath = o.hardware ?? batch.info.hardwarePath
    let rig: RigSpec
    let located: RecipeLoader.Located
    do { rig = try HardwareLoader.load(path: rigPath) } catch {
        printDiagnostic(error.description)
        fail("batch \(batch.id) cannot be resumed: its hardware file \(rigPath) does not load (--hardware FILE to give another)", code: ExitStatus.refused)
    }
    do { located = try RecipeLoader.loadLocated(path: batch.info.recipePath) } catch {
        printDiagnostic(error.description)
        fail("batch \(batch.id) cannot be resumed: its recipe \(batch.info.recipePath) does not load", code: ExitStatus.refused)
    }
    let plan: BrewPlan
    do { plan = try BrewPlan.bind(located.recipe, to: rig) } catch {
        for e in error.errors { printDiagnostic(located.error(step: e.step, e.message).description) }
        fail("batch \(batch.id) cannot be resumed on the rig \(rig.name)", code: ExitStatus.refused)
    }
    let simulated = rig.backend == .simulated
    let point: ResumePoint
    do { point = try ResumePoint.load(batch: batch.id, from: log, simulated: simulated, plan: plan) } catch {
        fail("\(error) — brewctl log show \(batch.id)\(o.dbFlag) still shows everything it logged", code: ExitStatus.refused)
    }

    let backend: any RigBackend
    let clock: any LoopClock
    var rigLock: [KernelLock] = []
    let first = Instant(seconds: point.firstTick(tick: rig.control.tick))
    Rehearsal.refuseOnRealRig(o, rig: rig)
    switch rig.backend {
    case .simulated:
        let brewery: SimulatedBrewery
        do { brewery = try SimulatedBrewery(rig: rig) } catch { fail("\(error)", code: ExitStatus.refused) }
        Rehearsal.stage(on: brewery, rig: rig, options: o, logged: Rehearsal.logged(batch: batch.id, in: log), resumingAt: Seconds(first.seconds))
        backend = brewery
        let recorded: Double? = switch batch.info.speed {
        case "fast": nil
        case "real time": 1
        default: Double(batch.info.speed.replacingOccurrences(of: "x", with: "")).flatMap { $0 > 0 && $0 <= SessionOptions.maximumSpeed ? $0 : nil } ?? 1
        }
        let speedValue = o.fast ? nil : (o.speed ?? recorded)
        // The simulated plant restarts at the snapshot's plant time, so the clock does too.
        clock = SimulationClock(start: first, speed: speedValue)
    case .linux:
        guard !o.fast, o.speed == nil else {
            fail("--fast and --speed are for the simulated brewery; \(rig.name) runs in real time — nothing was switched on", code: ExitStatus.refused)
        }
        rigLock = lockRig(rig)
        do { backend = try realRig(rig, plan: plan) } catch { fail("\(error)", code: ExitStatus.refused) }
        clock = MonotonicClock()
    }
    let who = o.brewer ?? o.who(fallback: batch.info.brewer)
    print("Resuming batch \(batch.id): \(Format.printable(plan.recipe.name)) at step \(min(point.snapshot.engine.stepIndex + 1, plan.recipe.steps.count))/\(plan.recipe.steps.count), brew time \(Format.duration(Seconds(point.state.brewTime))); the gap was \(point.gap.length.map { Format.duration($0) } ?? "of unknown length") (\(point.gap.measuredBy)).")
    BatchSession(plan: plan, rig: rig, rigPath: rigPath, recipePath: batch.info.recipePath, backend: backend, clock: clock, log: log,
                 speedLabel: batch.info.speed, startedAt: batch.info.startedAt, resume: point, batchLock: batchLock, rigLock: rigLock,
                 signals: signals, options: o, brewer: who).run()
}
