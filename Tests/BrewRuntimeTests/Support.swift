import BrewCore
import BrewProcess
import BrewRuntime
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
/// repository's debug build when `orDebugBuild`; skips the test when there is none.
func brewctlExecutable(orDebugBuild: Bool = true) throws -> URL {
    var candidates = [Bundle.main.bundleURL.appendingPathComponent("brewctl"),
                      Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("brewctl")]
    if orDebugBuild { candidates.append(repositoryRoot.appendingPathComponent(".build/debug/brewctl")) }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw XCTSkip("brewctl executable not built next to the tests (looked in \(candidates.map(\.path)))")
    }
    return found
}

/// A console that records everything and answers prompts from a script.
final class RecordingConsole: OperatorConsole {
    struct Sample {
        var brewTime: Seconds
        var stepNumber: Int
        var temperatures: [Celsius?]
        var targets: [Celsius?]
        var unacknowledgedAlarms: [String] = []
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
                              unacknowledgedAlarms: status.unacknowledgedAlarms))
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
