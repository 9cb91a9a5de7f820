import ArgumentParser
import BrewConfig
import BrewCore
import BrewRig
import Foundation
import BrewRigIO

/// `brewctl off`: every output of the rig to its safe state, then exit. For people, and for the
/// service's `ExecStopPost=` — on Raspberry Pi kernels a GPIO line keeps its last level when the
/// process holding it dies, so a crashed brewctl could otherwise leave an SSR on. It is the
/// emergency path: a hardware file with errors still has every output it fully describes
/// switched off (`OutputSalvage`).
struct Off: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Switch every heater, pump and valve of the rig off, then exit.",
        discussion: """
        Each output is driven off on its own, so one that fails does not stop the others. A hardware file with \
        errors does not stop it either: every output whose bus, address and active level the file still states \
        is switched off, and the rest are listed as not switched, with why (a GPIO output whose active level \
        cannot be trusted is never guessed at). A file whose backend cannot be read is taken to be a real rig. \
        Exit status: 0 when every output is off and the file is valid; 1 when any output could not be switched \
        or the file has errors (listed); 2 when the hardware file could not be read at all.
        """
    )

    @Option(help: "The rig's hardware file (default: the configured rig, else Hardware/sim.toml).")
    var hardware: String?

    func run() throws {
        let choice: HardwareChoice
        do { choice = try HardwareChoice.resolve(explicit: hardware, environment: ProcessInfo.processInfo.environment) } catch {
            fail("\(error)", code: 2)
        }
        let rig: RigSpec
        var fileHadErrors = false
        var unswitchable: [OutputSalvage.Unswitchable] = []
        do {
            let loaded = try HardwareLoader.load(path: choice.path)
            guard loaded.backend == .linux else {
                print("\(loaded.name) is simulated: nothing real to switch off.")
                return
            }
            rig = loaded
        } catch {
            let salvage = OutputSalvage.read(path: choice.path)
            for e in salvage.problems { printDiagnostic(e.description) }
            if salvage.unreadable { fail("cannot read \(choice.path): nothing was switched", code: 2) }
            if salvage.isSimulated {
                printError("\(choice.path) has errors and says it is simulated: nothing real to switch off")
                throw ExitCode(1)
            }
            printError("\(choice.path) has errors: switching off the \(salvage.outputs.count) outputs it fully describes")
            fileHadErrors = true
            unswitchable = salvage.unswitchable
            rig = salvage.rig
        }
        // `off` takes no lock: switching off is always allowed. But a controller that holds the
        // rig switches its outputs on again at its next tick, so say who it is and how to stop it.
        let holders = RigLock.holders(rig)
        if let first = holders.first {
            printError("warning: \(first.holder) is controlling this rig (it holds \(first.device)): it will switch its outputs on again at its next tick. To stop it, `kill \(first.holder.pid)` or `systemctl stop brewctl` — it switches everything off and keeps its batch resumable.")
        }
        let outputs = RigOutputs(rig: rig, buses: LinuxRigBuses(rig: rig))
        var failed = 0
        for result in outputs.allOff() {
            if let error = result.error {
                failed += 1
                printError("\(result.output): NOT switched off: \(error)")
            } else {
                print("\(result.output): off")
            }
        }
        for output in unswitchable {
            printError("\(output.output): NOT switched off: \(output.reason)")
        }
        let total = rig.outputs.count + unswitchable.count
        if failed + unswitchable.count > 0 {
            printError("\(failed + unswitchable.count) of \(total) outputs could not be switched off — check them by hand")
            throw ExitCode(1)
        }
        if fileHadErrors {
            printError("every output the file names is off, but the file has errors: fix them (brewctl validate shows them all)")
            throw ExitCode(1)
        }
    }
}
