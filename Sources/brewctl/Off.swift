import ArgumentParser
import BrewConfig
import BrewCore
import BrewRig
import Foundation
import BrewRigIO

/// `brewctl off`: every output of the rig to its safe state, then exit. For people, and for the
/// service's `ExecStopPost=` — on Raspberry Pi kernels a GPIO line keeps its last level when the
/// process holding it dies, so a crashed brewctl could otherwise leave an SSR on.
struct Off: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Switch every heater, pump and valve of the rig off, then exit.",
        discussion: """
        Each output is driven off on its own, so one that fails does not stop the others. \
        Exit status: 0 when every output is off; 1 when any could not be switched (listed); 2 when the hardware \
        file could not be read.
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
        do { rig = try HardwareLoader.load(path: choice.path) } catch {
            for e in error.errors { printDiagnostic(e.description) }
            fail("cannot read \(choice.path): nothing was switched", code: 2)
        }
        guard rig.backend == .linux else {
            print("\(rig.name) is simulated: nothing real to switch off.")
            return
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
        if failed > 0 {
            printError("\(failed) of \(rig.outputs.count) outputs could not be switched off — check them by hand")
            throw ExitCode(1)
        }
    }
}
