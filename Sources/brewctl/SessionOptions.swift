import ArgumentParser
import BrewConfig
import BrewLog
import Foundation

/// The options `run` and `resume` share (one parse, one set of checks).
struct SessionOptions: ParsableArguments {
    @Option(help: "The rig's hardware file (run: default the configured rig, else Hardware/sim.toml; resume: the one the batch was started with).")
    var hardware: String?

    @Flag(help: "Simulation only: run as fast as the machine can.")
    var fast = false

    @Option(help: "Simulation only: run this many times faster than real time, e.g. 60 (at most 1000000).")
    var speed: Double?

    @Flag(name: .shortAndLong, help: "Confirm manual steps automatically (simulation and CI); resume without asking.")
    var yes = false

    @Option(help: "Who is brewing, for the log (default: $USER; at most \(SessionOptions.nameLimit) characters).")
    var brewer: String?

    @Option(help: "The batch database (default: $BREWCTL_DB, $STATE_DIRECTORY/batches.sqlite under systemd, else ~/.local/share/brewctl/batches.sqlite).")
    var db: String?

    @Flag(help: "After the run, print wall time, CPU time and peak memory (for benchmarks).")
    var stats = false

    @Option(name: .customLong("fault"),
            help: ArgumentHelp("Simulation only: stage a fault to rehearse its alarm, e.g. 'hlt:dead_element@1h20min' (repeatable).",
                               discussion: "Written \(FaultOption.form); faults as in [[simulation.faults]] (docs/hardware.md)."))
    var faults: [String] = []

    static let nameLimit = 64
    static let maximumSpeed = 1_000_000.0

    func validate() throws {
        if fast && speed != nil { throw ValidationError("Use either --fast or --speed, not both.") }
        if let speed, !(speed > 0 && speed <= Self.maximumSpeed) {
            throw ValidationError("--speed must be a number above 0 and at most \(Int(Self.maximumSpeed)), e.g. 60 (--fast runs as fast as the machine can).")
        }
        if let brewer { try Self.checkName(brewer, option: "--brewer") }
        for text in faults {
            do { _ = try FaultOption(text) } catch { throw ValidationError(error.description) }
        }
    }

    /// `--fault` as parsed (`validate` has checked every one).
    var faultOptions: [FaultOption] { faults.compactMap { try? FaultOption($0) } }

    /// A person's name for the log: not empty, not too long, no control characters (they would
    /// rewrite the brewing terminal of whoever reads the log).
    static func checkName(_ name: String, option: String) throws {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("\(option) needs a name, e.g. \(option) anna.") }
        if name.count > nameLimit { throw ValidationError("\(option) is \(name.count) characters long; at most \(nameLimit), please.") }
        if let bad = name.unicodeScalars.first(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            throw ValidationError("\(option) holds the control character U+\(String(bad.value, radix: 16, uppercase: true)); type the name as plain text.")
        }
    }

    var environment: [String: String] { ProcessInfo.processInfo.environment }
    var databasePath: String { db ?? BatchLog.defaultPath(environment: environment) }

    /// Who is brewing: `--brewer`, else the login, made safe to print (a name from the
    /// environment is not checked like a typed one, so it is cleaned instead).
    func who(fallback: String = "unknown") -> String { Self.person(brewer, fallback: fallback) }

    static func person(_ brewer: String?, fallback: String = "unknown") -> String {
        if let brewer { return brewer }
        let env = ProcessInfo.processInfo.environment
        let raw = env["USER"] ?? env["LOGNAME"] ?? accountName() ?? fallback
        var scalars = String.UnicodeScalarView()
        for s in raw.unicodeScalars where s.properties.generalCategory != .control && s.properties.generalCategory != .format { scalars.append(s) }
        let clean = String(String(scalars).prefix(Self.nameLimit))
        return clean.isEmpty ? fallback : clean
    }

    /// " --db PATH" for messages that tell the brewer a command to type.
    var dbFlag: String { db.map { " --db \($0)" } ?? "" }
}
