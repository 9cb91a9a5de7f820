import BrewConfig
import Foundation

/// Which hardware file a run uses, and why — said on the first line of output.
struct HardwareChoice {
    var path: String
    var banner: String

    struct NotFound: Error, CustomStringConvertible {
        var description: String
    }

    /// `--hardware` wins; then the rig named in brewctl's config file; then the simulated club
    /// brewery, `Hardware/sim.toml`.
    static func resolve(explicit: String?, environment env: [String: String]) throws -> HardwareChoice {
        if let explicit {
            return HardwareChoice(path: explicit, banner: "Rig: \(explicit) (from --hardware)")
        }
        if let config = try ToolConfig.find(environment: env), let hardware = config.hardware {
            return HardwareChoice(path: hardware, banner: "Rig: \(hardware) (from \(config.source))")
        }
        for candidate in simulatedBreweryCandidates(environment: env) where FileManager.default.fileExists(atPath: candidate) {
            return HardwareChoice(path: candidate, banner: "Rig: the simulated club brewery (\(candidate)) — no hardware file configured, nothing real is switched")
        }
        throw NotFound(description: "no hardware file given and Hardware/sim.toml not found; run from the brewctl folder, pass --hardware FILE, or set BREWCTL_HOME")
    }

    /// Where `Hardware/sim.toml` may be: the working directory, `$BREWCTL_HOME`, beside or above
    /// the executable (a build folder inside the source tree), and the system share directory.
    static func simulatedBreweryCandidates(environment env: [String: String]) -> [String] {
        var paths = ["Hardware/sim.toml"]
        if let home = env["BREWCTL_HOME"] { paths.append(home + "/Hardware/sim.toml") }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            paths.append(dir.appendingPathComponent("Hardware/sim.toml").path)
            paths.append(dir.appendingPathComponent("share/brewctl/Hardware/sim.toml").path)
            dir = dir.deletingLastPathComponent()
        }
        paths.append("/usr/share/brewctl/Hardware/sim.toml")
        return paths
    }
}
