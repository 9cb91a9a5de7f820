import BrewCore
import BrewProcess
import BrewRuntime
import BrewTestSupport
import Foundation
import XCTest

/// The repository root, found from this file (tests read the shipped recipes and rigs).
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: (#filePath as NSString).resolvingSymlinksInPath).deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path),
           FileManager.default.fileExists(atPath: url.appendingPathComponent("Recipes").path) {
            return url
        }
        url.deleteLastPathComponent()
    }
    fatalError("repository root not found above \(#filePath)")
}()

func shipped(_ relative: String) -> String { repositoryRoot.appendingPathComponent(relative).path }

/// The `brewctl` executable built with these tests (next to the test bundle), else the
/// repository's debug build when `orDebugBuild`. Not finding it is a failure: `swift test` builds
/// it, and a test of the binary that skips has tested nothing.
func brewctlExecutable(orDebugBuild: Bool = true) throws -> URL {
    var candidates = [Bundle.main.bundleURL.appendingPathComponent("brewctl"),
                      Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("brewctl")]
    if orDebugBuild { candidates.append(repositoryRoot.appendingPathComponent(".build/debug/brewctl")) }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw TestFailure("brewctl executable not built next to the tests (looked in \(candidates.map(\.path))); `swift build` builds it")
    }
    return found
}

/// The environment the binary runs in under test: the test's own, but no configured rig, not
/// under systemd and no service watchdog, unless `changes` says otherwise (nil removes a variable).
func brewctlEnvironment(_ changes: [String: String?] = [:]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["BREWCTL_CONFIG"] = "/nonexistent/brewctl-config.toml"
    env["XDG_CONFIG_HOME"] = "/nonexistent"
    for name in ["INVOCATION_ID", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "BREWCTL_WATCHDOG", "BREWCTL_DB"] {
        env[name] = nil
    }
    for (name, value) in changes { env[name] = value }
    return env
}

extension XCTestCase {
    /// Starts the real `brewctl` in the repository root. It is killed when the test ends, and its
    /// standard error and last output are printed if the test fails.
    func startBrewctl(_ arguments: [String], environment: [String: String?] = [:], orDebugBuild: Bool = true,
                      input: FileHandle = FileHandle.nullDevice) throws -> ChildProcess {
        let child = try ChildProcess(try brewctlExecutable(orDebugBuild: orDebugBuild), arguments,
                                     environment: brewctlEnvironment(environment), directory: repositoryRoot, input: input)
        keep(child)
        return child
    }

    /// Runs the real `brewctl` to the end: exit status, standard output and standard error (its
    /// `description` is all of that, for assertion messages).
    func brewctl(_ arguments: [String], environment: [String: String?] = [:], orDebugBuild: Bool = true,
                 file: StaticString = #filePath, line: UInt = #line) throws -> ChildProcess.Output {
        try startBrewctl(arguments, environment: environment, orDebugBuild: orDebugBuild).finish(file: file, line: line)
    }
}

/// A console that records everything and answers prompts from a script.
final class RecordingConsole: OperatorConsole {
    struct Sample {
        var brewTime: Seconds
        var stepNumber: Int
        var temperatures: [Celsius?]
        var targets: [Celsius?]
        var unacknowledgedAlarms: [String] = []
        var stepTimeLeft: Seconds?
        var batchTimeLeft: Seconds?
        var noProgress: Seconds?
        var stalled = false
        var demands: [Percent] = []
        var faults: [String?] = []
    }

    var events: [(event: ProcessEvent, at: Seconds)] = []
    var samples: [Sample] = []
    /// Inputs handed out on the next polls, once their brew time has come.
    var script: [(at: Seconds, input: OperatorInput)] = []
    private var lastBrewTime = Seconds.zero
    var finished = false

    func show(_ event: ProcessEvent, at brewTime: Seconds) { events.append((event, brewTime)) }

    func update(_ status: RunStatus) {
        lastBrewTime = status.brewTime
        samples.append(Sample(brewTime: status.brewTime, stepNumber: status.stepNumber,
                              temperatures: status.vessels.map(\.temperature), targets: status.vessels.map(\.target),
                              unacknowledgedAlarms: status.unacknowledgedAlarms, stepTimeLeft: status.stepTimeLeft,
                              batchTimeLeft: status.batchTimeLeft, noProgress: status.noProgress, stalled: status.stalled,
                              demands: status.vessels.map(\.demand), faults: status.vessels.map(\.fault)))
    }

    func poll() -> OperatorInput? {
        guard let next = script.first, next.at <= lastBrewTime else { return nil }
        script.removeFirst()
        return next.input
    }

    func finish() { finished = true }

    func first(_ kind: ProcessEvent.Kind, step: Int? = nil) -> (event: ProcessEvent, at: Seconds)? {
        events.first { $0.event.kind == kind && (step == nil || $0.event.step == step) }
    }
}
