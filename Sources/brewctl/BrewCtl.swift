import ArgumentParser
import BrewCore
import Foundation

/// The entry point: ArgumentParser parses and runs the command; what it says about a command
/// line it cannot take quotes what was typed, so it is printed with control characters escaped
/// like everything else brewctl prints (a typed ESC must not reach the terminal).
@main
enum Main {
    static func main() {
        do {
            var command = try BrewCtl.parseAsRoot()
            try command.run()
        } catch {
            let code = BrewCtl.exitCode(for: error)
            // print and writeStandardError escape what they are given.
            let text = BrewCtl.fullMessage(for: error)
            if code == .success {
                if !text.isEmpty { print(text) }
            } else if !text.isEmpty {
                writeStandardError(text + "\n")
            }
            _ = StandardStream.output.flush(within: 2)
            exit(code.rawValue)
        }
    }
}

struct BrewCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brewctl",
        abstract: "Brewery and distillery control: brew recipes on a real or simulated rig, and keep the club's batch log.",
        discussion: """
        With no --hardware and no configured rig, brewctl uses Hardware/sim.toml, the simulated club brewery.
        Examples:
          brewctl run Recipes/ipa.toml --speed 120 --yes
          brewctl log list
          brewctl log export 1 --format csv > batch1.csv
        Exit status (every command): 0 done; 1 the batch was aborted or failed, or something could not be switched; \
        2 a file or the database could not be read or was refused (nothing was switched on); 3 the controller \
        stopped (a signal, a full disk) with every output off and the batch interrupted, resumable; 64 the \
        command line itself is wrong (an unknown option, a bad value).
        """,
        subcommands: [Run.self, Resume.self, Validate.self, Import.self, Log.self, Off.self, Ack.self, Confirm.self, HardwareCommand.self, Guard.self]
    )
}
