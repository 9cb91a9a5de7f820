import ArgumentParser
import BrewConfig
import BrewCore
import BrewLog
import BrewRig
import BrewRuntime
import Foundation
import BrewRigIO

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Brew a recipe.",
        discussion: """
        Shows the current step, what it waits for, each vessel's temperature against its target, heater output, \
        time left in the step and for the batch, and alerts as they happen. Manual steps wait for Enter \
        (--yes confirms them automatically). Ctrl-C holds every heater off and asks whether to abort.
        If a batch in the log was interrupted (crash, kill, power cut), run first asks at the terminal whether to \
        resume it or start anew (the old one is then marked abandoned); under systemd it resumes it by itself; \
        otherwise (--yes, or no terminal) it refuses unless --new is given — use `brewctl resume`.
        Exit status: 0 when the batch completed; 1 when it was aborted or failed; 2 when a file could not be read \
        or was invalid.
        """
    )

    @Argument(help: "The recipe file, e.g. Recipes/ipa.toml.")
    var recipe: String

    @Option(help: "The rig's hardware file (default: the configured rig, else Hardware/sim.toml).")
    var hardware: String?

    @Flag(help: "Simulation only: run as fast as the machine can.")
    var fast = false

    @Option(help: "Simulation only: run this many times faster than real time, e.g. 60.")
    var speed: Double?

    @Flag(name: .shortAndLong, help: "Confirm manual steps automatically (simulation and CI).")
    var yes = false

    @Option(help: "Who is brewing, for the log (default: $USER).")
    var brewer: String?

    @Option(help: "The batch database (default: $BREWCTL_DB, $STATE_DIRECTORY/batches.sqlite under systemd, else ~/.local/share/brewctl/batches.sqlite).")
    var db: String?

    @Flag(help: "After the run, print wall time, CPU time and peak memory (for benchmarks).")
    var stats = false

    @Flag(help: "Start a new batch even if one was interrupted (that one is marked abandoned in the log).")
    var new = false

    func validate() throws { try validatePace(fast: fast, speed: speed) }

    func run() throws {
        StandardStream.output.patience = .never   // a batch never waits for whoever reads its output
        let started = Date()
        let env = ProcessInfo.processInfo.environment
        let dbPath = db ?? BatchLog.defaultPath(environment: env)
        let who = brewer ?? env["USER"] ?? env["LOGNAME"] ?? accountName() ?? "unknown"
        if FileManager.default.fileExists(atPath: dbPath) {
            let log: BatchLog
            do { log = try BatchLog(path: dbPath, durability: fast ? .normal : .full) } catch { fail("\(error)", code: 2) }
            if let interrupted = try? log.interruptedBatches().first {
                let what = "batch \(interrupted.id) (\(Format.printable(interrupted.info.recipeName)), started \(interrupted.info.startedAt.formatted(date: .abbreviated, time: .shortened)) by \(Format.printable(interrupted.info.brewer))) was interrupted"
                if new {
                    try log.abandon(interrupted.id, reason: "a new batch was started with --new", wall: Date(), actor: who)
                    print("\(what); marked abandoned (--new).")
                } else if runningUnderSystemd(env) {
                    print("\(what); resuming it (running as a service).")
                    try resumeBatch(interrupted, log: log, options: ResumeOptions(hardware: hardware, fast: fast, speed: speed, yes: yes, brewer: brewer, db: db, stats: stats))
                    return
                } else if !yes, isatty(STDIN_FILENO) == 1 {
                    print("\(what). Resume it [r], start a new batch and mark it abandoned [n], or quit [q]? ", terminator: "")
                    switch (readLine() ?? "q").trimmingCharacters(in: .whitespaces).lowercased() {
                    case "r", "resume", "", "y", "yes":
                        try resumeBatch(interrupted, log: log, options: ResumeOptions(hardware: hardware, fast: fast, speed: speed, yes: yes, brewer: brewer, db: db, stats: stats))
                        return
                    case "n", "new":
                        try log.abandon(interrupted.id, reason: "the brewer started a new batch instead", wall: Date(), actor: who)
                    default:
                        fail("nothing was started; \(what)", code: 1)
                    }
                } else {
                    fail("\(what): resume it with `brewctl resume\(db.map { " --db \($0)" } ?? "")`, or start a new batch with --new (which marks it abandoned); nothing was switched on", code: 2)
                }
            }
        }
        let choice: HardwareChoice
        do {
            choice = try HardwareChoice.resolve(explicit: hardware, environment: env)
        } catch {
            fail("\(error)", code: 2)
        }
        print(choice.banner)

        let rig: RigSpec
        let recipeModel: Recipe
        var loadErrors: [String] = []
        var unreadable = false
        var loadedRig: RigSpec?
        var loadedRecipe: RecipeLoader.Located?
        do { loadedRig = try HardwareLoader.load(path: choice.path) } catch {
            loadErrors.append(error.description)
            unreadable = unreadable || error.errors.contains { $0.isUnreadable }
        }
        do { loadedRecipe = try RecipeLoader.loadLocated(path: recipe) } catch {
            loadErrors.append(error.description)
            unreadable = unreadable || error.errors.contains { $0.isUnreadable }
        }
        guard let r = loadedRig, let rec = loadedRecipe else {
            for line in loadErrors { printDiagnostic(line) }
            fail(unreadable ? "could not read the files above" : "fix the errors above; nothing was switched on", code: 2)
        }
        rig = r
        recipeModel = rec.recipe
        let plan: BrewPlan
        do {
            plan = try BrewPlan.bind(recipeModel, to: rig)
        } catch {
            for e in error.errors { printDiagnostic(rec.error(step: e.step, e.message).description) }
            fail("the recipe cannot run on the rig \(rig.name); nothing was switched on", code: 2)
        }

        let backend: any RigBackend
        let clock: any LoopClock
        let label: String
        switch rig.backend {
        case .simulated:
            do { backend = try SimulatedBrewery(rig: rig) } catch { fail("\(error)", code: 2) }
            let speedValue: Double? = fast ? nil : (speed ?? 1)
            label = fast ? "fast" : speedValue == 1 ? "real time" : "\(Format.fixed(speedValue ?? 1, speedValue?.rounded() == speedValue ? 0 : 1))x"
            clock = SimulationClock(speed: speedValue)
        case .linux:
            guard !fast, speed == nil else {
                fail("--fast and --speed are for the simulated brewery; \(rig.name) runs in real time — nothing was switched on", code: 2)
            }
            backend = try realRig(rig, plan: plan)
            label = "real time"
            clock = MonotonicClock()
        }
        let log: BatchLog
        // A flat-out simulation needs no fsync per commit (a crash of brewctl loses nothing
        // either way); everything else syncs every commit (docs/logging.md, "Durability").
        do { log = try BatchLog(path: dbPath, durability: fast ? .normal : .full) } catch { fail("\(error)", code: 2) }

        let console = TerminalConsole(brewer: who, autoConfirm: yes)
        let runner = BatchRunner(
            plan: plan, backend: backend, log: log, clock: clock, console: console,
            options: .init(brewer: who, autoConfirm: yes, recipePath: recipe, hardwarePath: choice.path,
                           speedLabel: label, startedAt: started))
        runner.supervisor = supervisor()
        console.start()
        let result = runner.run()
        let wall = Date().timeIntervalSince(started)
        if stats { print(ResourceUsage.report(wall: wall)) }
        switch result.outcome {
        case .completed:
            print("✔ Batch \(result.batchID) completed: \(plan.recipe.name) — \(Format.duration(result.brewTime)) of brew time. Log: brewctl log show \(result.batchID)\(db.map { " --db \($0)" } ?? "")")
        case .aborted, .failed:
            printError("batch \(result.batchID): \(result.outcome.summary)")
            throw ExitCode(1)
        }
    }
}

/// systemd starts services with INVOCATION_ID set (and StateDirectory= sets STATE_DIRECTORY).
func runningUnderSystemd(_ env: [String: String]) -> Bool {
    env["INVOCATION_ID"].map { !$0.isEmpty } ?? false
}

/// Refuses to run blind: every device the recipe needs must answer and read plausibly before
/// the real rig is handed to the runtime. Nothing is switched on here (outputs are opened off).
func realRig(_ rig: RigSpec, plan: BrewPlan) throws -> HardwareBrewery {
    let needed = HardwareBrewery.devices(for: plan, on: rig)
    let buses = LinuxRigBuses(rig: rig)
    let clock = MonotonicClock()
    var rows: [HardwareCheck.Row] = []
    do {
        // Scoped so the probe's handles are released before the brewery opens its own.
        let sensors = RigSensors(rig: rig, buses: buses, now: clock.now)
        rows = HardwareCheck.sensors(of: rig, ids: needed.sensors, using: sensors, sleep: { usleep(UInt32($0.value * 1e6)) })
        rows += HardwareCheck.outputs(of: rig, using: RigOutputs(rig: rig, buses: buses)).filter { needed.outputs.contains($0.id) }
    }
    let bad = rows.filter { !$0.ok }
    guard bad.isEmpty else {
        printError("refusing to run blind: \(bad.count) device(s) the recipe needs are missing or not reading plausibly")
        printToStandardError(HardwareCheck.table(bad))
        fail("fix the devices above (brewctl hardware check shows them all); nothing was switched on", code: 2)
    }
    let brewery = HardwareBrewery(rig: rig, buses: buses, now: clock.now)
    // A DS18B20's first conversion takes up to 750 ms: let it finish before the first sample.
    if rig.sensors.contains(where: { needed.sensors.contains($0.id) && $0.part == .ds18b20 }) { usleep(800_000) }
    return brewery
}

/// systemd's watchdog and a hardware watchdog, when the service has them; a watchdog that is
/// named but cannot be opened stops the run before anything is switched on.
func supervisor() -> ServiceSupervisor? {
    do { return try ServiceSupervisor.fromEnvironment(ProcessInfo.processInfo.environment) } catch {
        fail("\(error): refusing to run without the watchdog BREWCTL_WATCHDOG names; nothing was switched on", code: 2)
    }
}

/// `--fast` and `--speed` (simulation only), shared by `run` and `resume`.
func validatePace(fast: Bool, speed: Double?) throws {
    if fast && speed != nil { throw ValidationError("Use either --fast or --speed, not both.") }
    if let speed, !(speed > 0 && speed.isFinite) { throw ValidationError("--speed must be a positive number, e.g. 60.") }
}

func printError(_ line: String) {
    printToStandardError("brewctl: " + line)
}

/// Prints a compiler-style `file:line:column: error: …` line (or several) to stderr as it is (only
/// control characters escaped), so editors and scripts can jump to it.
func printDiagnostic(_ text: String) {
    printToStandardError(text)
}

/// Prints a one-line reason and exits with `code`.
func fail(_ message: String, code: Int32) -> Never {
    printError(message)
    exit(code)
}

/// The login name of the account running brewctl, for the log when $USER is not set (services,
/// some terminals).
func accountName() -> String? {
    guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return nil }
    return String(cString: name)
}
