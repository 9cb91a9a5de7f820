import ArgumentParser
import BrewConfig
import BrewCore
import BrewHost
import BrewLog
import BrewRig
import BrewRigIO
import BrewRuntime
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Brew a recipe.",
        discussion: """
        Shows the current step, what it waits for, each vessel's temperature against its target, heater output, \
        time left in the step and for the batch, and alerts as they happen. Manual steps wait for Enter \
        (--yes confirms them automatically). Ctrl-C holds every heater off and asks whether to abort.
        If a batch in the log was interrupted (crash, kill, power cut, a signal), run first asks at the terminal \
        whether to resume it or start anew (the old one is then marked abandoned); under systemd it resumes it by \
        itself; otherwise (--yes, or no terminal) it refuses unless --new is given — use `brewctl resume`. A batch \
        another brewctl is running is never touched.
        Exit status: 0 the batch completed; 1 it was aborted or failed; 2 a file could not be read or was invalid, \
        or another controller holds the batch or the rig (nothing was switched on); 3 brewctl was stopped (a signal, \
        a full disk) with every output off and the batch interrupted — `brewctl resume` continues it; 64 usage error.
        """
    )

    @Argument(help: "The recipe file, e.g. Recipes/ipa.toml.")
    var recipe: String

    @OptionGroup var session: SessionOptions

    @Flag(help: "Start a new batch even if one was interrupted (that one is marked abandoned in the log).")
    var new = false

    func run() throws {
        let signals = StopSignals()
        StandardStream.output.patience = .never   // a batch never waits for whoever reads its output
        let started = Date()
        let dbPath = session.databasePath
        let who = session.who()
        if FileManager.default.fileExists(atPath: dbPath) {
            let log: BatchLog
            do { log = try BatchLog(path: dbPath, durability: session.fast ? .normal : .full) } catch { fail("\(error)", code: ExitStatus.refused) }
            let waiting: [BatchRecord]
            do { waiting = try BatchLocks.interrupted(in: log) } catch { fail("\(error)", code: ExitStatus.refused) }
            if let interrupted = waiting.first {
                let what = "batch \(interrupted.id) (\(Format.printable(interrupted.info.recipeName)), started \(interrupted.info.startedAt.formatted(date: .abbreviated, time: .shortened)) by \(Format.printable(interrupted.info.brewer))) was interrupted"
                if new {
                    abandon(interrupted, in: log, reason: "a new batch was started with --new", by: who)
                    print("\(what); marked abandoned (--new).")
                } else if runningUnderSystemd(session.environment) {
                    print("\(what); resuming it (running as a service).")
                    resumeBatch(interrupted, log: log, options: session, signals: signals)
                } else if !session.yes, isatty(STDIN_FILENO) == 1 {
                    print("\(what). Resume it [r], start a new batch and mark it abandoned [n], or quit [q]? ", terminator: "")
                    switch (readLine() ?? "q").trimmingCharacters(in: .whitespaces).lowercased() {
                    case "r", "resume", "", "y", "yes":
                        resumeBatch(interrupted, log: log, options: session, signals: signals)
                    case "n", "new":
                        abandon(interrupted, in: log, reason: "the brewer started a new batch instead", by: who)
                    default:
                        fail("nothing was started; \(what)", code: ExitStatus.failed)
                    }
                } else {
                    fail("\(what): resume it with `brewctl resume\(session.dbFlag)`, or start a new batch with --new (which marks it abandoned); nothing was switched on", code: ExitStatus.refused)
                }
            }
        }
        let choice: HardwareChoice
        do { choice = try HardwareChoice.resolve(explicit: session.hardware, environment: session.environment) } catch {
            fail("\(error)", code: ExitStatus.refused)
        }
        print(choice.banner)

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
        guard let rig = loadedRig, let located = loadedRecipe else {
            for line in loadErrors { printDiagnostic(line) }
            fail(unreadable ? "could not read the files above" : "fix the errors above; nothing was switched on", code: ExitStatus.refused)
        }
        let plan: BrewPlan
        do { plan = try BrewPlan.bind(located.recipe, to: rig) } catch {
            for e in error.errors { printDiagnostic(located.error(step: e.step, e.message).description) }
            fail("the recipe cannot run on the rig \(rig.name); nothing was switched on", code: ExitStatus.refused)
        }
        for w in BrewPlan.review(located.recipe, on: rig).warnings { printDiagnostic(located.warning(step: w.step, w.message).description) }

        let backend: any RigBackend
        let clock: any LoopClock
        let label: String
        var rigLock: [KernelLock] = []
        Rehearsal.refuseOnRealRig(session, rig: rig)
        switch rig.backend {
        case .simulated:
            let brewery: SimulatedBrewery
            do { brewery = try SimulatedBrewery(rig: rig) } catch { fail("\(error)", code: ExitStatus.refused) }
            Rehearsal.stage(on: brewery, rig: rig, options: session)
            backend = brewery
            let speedValue: Double? = session.fast ? nil : (session.speed ?? 1)
            label = session.fast ? "fast" : speedValue == 1 ? "real time" : "\(Format.fixed(speedValue ?? 1, speedValue?.rounded() == speedValue ? 0 : 1))x"
            clock = SimulationClock(speed: speedValue)
        case .linux:
            guard !session.fast, session.speed == nil else {
                fail("--fast and --speed are for the simulated brewery; \(rig.name) runs in real time — nothing was switched on", code: ExitStatus.refused)
            }
            rigLock = lockRig(rig)
            backend = try realRig(rig, plan: plan)
            label = "real time"
            clock = MonotonicClock()
        }
        let log: BatchLog
        // A flat-out simulation needs no fsync per commit (a crash of brewctl loses nothing
        // either way); everything else syncs every commit (docs/logging.md, "Durability").
        do { log = try BatchLog(path: dbPath, durability: session.fast ? .normal : .full) } catch { fail("\(error)", code: ExitStatus.refused) }
        BatchSession(plan: plan, rig: rig, rigPath: choice.path, recipePath: recipe, backend: backend, clock: clock, log: log,
                     speedLabel: label, startedAt: started, resume: nil, batchLock: nil, rigLock: rigLock, signals: signals,
                     options: session, brewer: who).run()
    }

    /// Marks an interrupted batch abandoned — only while nobody runs it (its lock is taken for it).
    private func abandon(_ batch: BatchRecord, in log: BatchLog, reason: String, by who: String) {
        do {
            let lock = try BatchLocks.claim(batch.id, in: log)
            try log.abandon(batch.id, reason: reason, wall: Date(), actor: who)
            lock.release()
        } catch {
            fail("\(error); nothing was started", code: ExitStatus.refused)
        }
    }
}

/// systemd starts services with INVOCATION_ID set (and StateDirectory= sets STATE_DIRECTORY).
func runningUnderSystemd(_ env: [String: String]) -> Bool {
    env["INVOCATION_ID"].map { !$0.isEmpty } ?? false
}

/// One controller per rig: every device of a real rig is locked before any is touched.
func lockRig(_ rig: RigSpec) -> [KernelLock] {
    do { return try RigLock.acquire(rig) } catch {
        fail("\(error); nothing was switched on", code: ExitStatus.refused)
    }
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
        rows = HardwareCheck.sensors(of: rig, ids: needed.sensors, using: sensors, sleep: { usleep(UInt32(max(0, min(10, $0.value)) * 1e6)) })
        rows += HardwareCheck.outputs(of: rig, using: RigOutputs(rig: rig, buses: buses)).filter { needed.outputs.contains($0.id) }
    }
    let bad = rows.filter { !$0.ok }
    guard bad.isEmpty else {
        printError("refusing to run blind: \(bad.count) device(s) the recipe needs are missing or not reading plausibly")
        writeStandardError(HardwareCheck.table(bad) + "\n")
        fail("fix the devices above (brewctl hardware check shows them all); nothing was switched on", code: ExitStatus.refused)
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
        fail("\(error): refusing to run without the watchdog BREWCTL_WATCHDOG names; nothing was switched on", code: ExitStatus.refused)
    }
}

func printError(_ line: String) {
    writeStandardError("brewctl: " + line + "\n")
}

/// Prints a compiler-style `file:line:column: error: …` line (or several) to stderr as it is (only
/// control characters escaped), so editors and scripts can jump to it.
func printDiagnostic(_ text: String) {
    writeStandardError(text + "\n")
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
