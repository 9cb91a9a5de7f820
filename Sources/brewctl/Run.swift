import ArgumentParser
import BrewConfig
import BrewCore
import BrewLog
import BrewRuntime
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Brew a recipe.",
        discussion: """
        Shows the current step, what it waits for, each vessel's temperature against its target, heater output, \
        time left in the step and for the batch, and alerts as they happen. Manual steps wait for Enter \
        (--yes confirms them automatically). Ctrl-C holds every heater off and asks whether to abort.
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

    func validate() throws {
        if fast && speed != nil { throw ValidationError("Use either --fast or --speed, not both.") }
        if let speed, !(speed > 0 && speed.isFinite) { throw ValidationError("--speed must be a positive number, e.g. 60.") }
    }

    func run() throws {
        let started = Date()
        let env = ProcessInfo.processInfo.environment
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

        guard rig.backend == .simulated else {
            fail("\(choice.path) describes real hardware (backend = \"linux\"); the Linux backends arrive in a later release — nothing was switched on", code: 2)
        }
        let backend: SimulatedBrewery
        do { backend = try SimulatedBrewery(rig: rig) } catch { fail("\(error)", code: 2) }

        let log: BatchLog
        let dbPath = db ?? BatchLog.defaultPath(environment: env)
        do { log = try BatchLog(path: dbPath) } catch { fail("\(error)", code: 2) }

        let speedValue: Double? = fast ? nil : (speed ?? 1)
        let label = fast ? "fast" : speedValue == 1 ? "real time" : "\(Format.fixed(speedValue ?? 1, speedValue?.rounded() == speedValue ? 0 : 1))x"
        let clock = SimulationClock(speed: speedValue)
        let who = brewer ?? env["USER"] ?? env["LOGNAME"] ?? accountName() ?? "unknown"
        let console = TerminalConsole(brewer: who, autoConfirm: yes)
        let runner = BatchRunner(
            plan: plan, backend: backend, log: log, clock: clock, console: console,
            options: .init(brewer: who, autoConfirm: yes, recipePath: recipe, hardwarePath: choice.path,
                           speedLabel: label, startedAt: started))
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

func printError(_ line: String) {
    FileHandle.standardError.write(Data(("brewctl: " + line + "\n").utf8))
}

/// Prints a compiler-style `file:line:column: error: …` line (or several) to stderr as it is, so
/// editors and scripts can jump to it.
func printDiagnostic(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
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
