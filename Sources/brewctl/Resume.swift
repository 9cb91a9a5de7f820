import ArgumentParser
import BrewConfig
import BrewCore
import BrewLog
import BrewRuntime
import Foundation

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resume the most recent interrupted batch (after a crash, a kill, a reboot or a power cut).",
        discussion: """
        Continues the batch from its last saved state (saved at every step change and every 5 s of brew time), \
        in the same batch of the log, with the recipe and hardware files it was started with. What the gap means \
        depends on the step (docs/logging.md, "Resume after a crash"); after a gap of more than 10 minutes on a \
        real rig every heater is held off until you confirm.
        Exit status: 0 when the batch completed; 1 when it was aborted or failed, or you declined; 2 when there is \
        no interrupted batch or a file could not be read.
        """
    )

    @Flag(name: .shortAndLong, help: "Resume without asking and confirm manual steps automatically (scripts, CI).")
    var yes = false

    @Option(help: "The batch database (default as for `brewctl run`).")
    var db: String?

    @Option(help: "The rig's hardware file (default: the one the batch was started with).")
    var hardware: String?

    @Flag(help: "Simulation only: run as fast as the machine can (default: the batch's own speed).")
    var fast = false

    @Option(help: "Simulation only: run this many times faster than real time (default: the batch's own speed).")
    var speed: Double?

    @Option(help: "Who is brewing, for the log (default: $USER).")
    var brewer: String?

    func validate() throws { try validatePace(fast: fast, speed: speed) }

    func run() throws {
        StandardStream.output.patience = .never   // a batch never waits for whoever reads its output
        let env = ProcessInfo.processInfo.environment
        let dbPath = db ?? BatchLog.defaultPath(environment: env)
        guard FileManager.default.fileExists(atPath: dbPath) else {
            fail("there is no batch log at \(dbPath), so no interrupted batch to resume", code: 2)
        }
        let log: BatchLog
        do { log = try BatchLog(path: dbPath, durability: fast ? .normal : .full) } catch { fail("\(error)", code: 2) }
        guard let batch = try log.interruptedBatches().first else {
            fail("no interrupted batch to resume in \(dbPath)", code: 2)
        }
        if !yes, isatty(STDIN_FILENO) == 1 {
            print("Resume batch \(batch.id) (\(Format.printable(batch.info.recipeName)), started by \(Format.printable(batch.info.brewer)))? [Y/n] ", terminator: "")
            let answer = (readLine() ?? "n").trimmingCharacters(in: .whitespaces).lowercased()
            guard answer.isEmpty || answer == "y" || answer == "yes" else { fail("not resumed", code: 1) }
        }
        try resumeBatch(batch, log: log, options: ResumeOptions(hardware: hardware, fast: fast, speed: speed, yes: yes,
                                                               brewer: brewer, db: db, stats: false))
    }
}

struct ResumeOptions {
    var hardware: String?
    var fast: Bool
    var speed: Double?
    var yes: Bool
    var brewer: String?
    var db: String?
    var stats: Bool
}

/// Resumes `batch` from its saved state: the recipe and rig it was started with (or `--hardware`),
/// at the batch's own simulation speed unless told otherwise. Exits like `run`.
func resumeBatch(_ batch: BatchRecord, log: BatchLog, options o: ResumeOptions) throws {
    let started = Date()
    let env = ProcessInfo.processInfo.environment
    let rigPath = o.hardware ?? batch.info.hardwarePath
    let rig: RigSpec
    let located: RecipeLoader.Located
    do { rig = try HardwareLoader.load(path: rigPath) } catch {
        printDiagnostic(error.description)
        fail("batch \(batch.id) cannot be resumed: its hardware file \(rigPath) does not load (--hardware FILE to give another)", code: 2)
    }
    do { located = try RecipeLoader.loadLocated(path: batch.info.recipePath) } catch {
        printDiagnostic(error.description)
        fail("batch \(batch.id) cannot be resumed: its recipe \(batch.info.recipePath) does not load", code: 2)
    }
    let plan: BrewPlan
    do { plan = try BrewPlan.bind(located.recipe, to: rig) } catch {
        for e in error.errors { printDiagnostic(located.error(step: e.step, e.message).description) }
        fail("batch \(batch.id) cannot be resumed on the rig \(rig.name)", code: 2)
    }
    let simulated: Bool
    if case .simulated = rig.backend { simulated = true } else { simulated = false }
    let point: ResumePoint
    do { point = try ResumePoint.load(batch: batch.id, from: log, simulated: simulated) } catch { fail("\(error)", code: 2) }

    let backend: any RigBackend
    let clock: any LoopClock
    let first = Instant(seconds: point.firstTick(tick: rig.control.tick))
    switch rig.backend {
    case .simulated:
        do { backend = try SimulatedBrewery(rig: rig) } catch { fail("\(error)", code: 2) }
        let recorded: Double? = switch batch.info.speed {
        case "fast": nil
        case "real time": 1
        default: Double(batch.info.speed.replacingOccurrences(of: "x", with: "")) ?? 1
        }
        let speedValue = o.fast ? nil : (o.speed ?? recorded)
        // The simulated plant restarts at the snapshot's plant time, so the clock does too.
        clock = SimulationClock(start: first, speed: speedValue)
    case .linux:
        guard !o.fast, o.speed == nil else {
            fail("--fast and --speed are for the simulated brewery; \(rig.name) runs in real time — nothing was switched on", code: 2)
        }
        backend = try realRig(rig, plan: plan)
        clock = MonotonicClock()
    }
    let who = o.brewer ?? env["USER"] ?? env["LOGNAME"] ?? accountName() ?? batch.info.brewer
    print("Resuming batch \(batch.id): \(plan.recipe.name) at step \(min(point.snapshot.engine.stepIndex + 1, plan.recipe.steps.count))/\(plan.recipe.steps.count), brew time \(Format.duration(Seconds(point.state.brewTime))); the gap was \(point.gap.length.map { Format.duration($0) } ?? "of unknown length") (\(point.gap.measuredBy)).")
    let console = TerminalConsole(brewer: who, autoConfirm: o.yes)
    let runner = BatchRunner(
        plan: plan, backend: backend, log: log, clock: clock, console: console,
        options: .init(brewer: who, autoConfirm: o.yes, recipePath: batch.info.recipePath, hardwarePath: rigPath,
                       speedLabel: batch.info.speed, startedAt: batch.info.startedAt),
        resume: point)
    runner.supervisor = supervisor()
    console.start()
    let result = runner.run()
    if o.stats { print(ResourceUsage.report(wall: Date().timeIntervalSince(started))) }
    switch result.outcome {
    case .completed:
        print("✔ Batch \(result.batchID) completed: \(plan.recipe.name) — \(Format.duration(result.brewTime)) of brew time. Log: brewctl log show \(result.batchID)\(o.db.map { " --db \($0)" } ?? "")")
    case .aborted, .failed:
        printError("batch \(result.batchID): \(result.outcome.summary)")
        throw ExitCode(1)
    }
}
