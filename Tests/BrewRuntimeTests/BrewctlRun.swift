import BrewLog
import Foundation
import XCTest

/// `brewctl` started as a child with its standard output wherever a test puts it (a pipe the test
/// reads or not, a full disk, a terminal) and its standard error kept, for the tests of what
/// brewctl writes and where. One folder (recipe, database) for all the commands a test starts.
final class BrewctlRun {
    private(set) var process = Process()
    private var stderr = Pipe()
    let directory: URL
    var database: String { directory.appendingPathComponent("batches.sqlite").path }

    /// A folder of the test's own (removed afterwards) with a two-step recipe: a confirmation,
    /// then the HLT heated to 40 °C — half an hour of brew time, a second at --fast.
    init(for test: XCTestCase) throws {
        directory = temporaryFolder(test, "brewctl-out")
        try """
        name = "Warm water"

        [[steps]]
        name = "Fill the HLT"
        kind = "confirm"
        message = "Fill the HLT with 78 L of water, then confirm"
        actions = [{ action = "fill", vessel = "hlt", volume = "78 L" }]

        [[steps]]
        name = "Warm the HLT"
        kind = "heat"
        vessel = "hlt"
        temperature = "40 C"
        """.write(to: recipe, atomically: true, encoding: .utf8)
    }

    var recipe: URL { directory.appendingPathComponent("warm.toml") }

    /// Starts `brewctl arguments… --db <the test's database>`, through `sh -c` when `shell`
    /// prefixes it (e.g. `trap "" HUP;`).
    func start(_ arguments: [String], stdout: Any, stdin: Any = FileHandle.nullDevice, shell: String? = nil,
               environment: [String: String?] = [:], for test: XCTestCase) throws {
        let brewctl = try brewctlExecutable()
        process = Process()
        stderr = Pipe()
        let all = arguments + ["--db", database]
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "\(shell) exec \"$0\" \"$@\"", brewctl.path] + all
        } else {
            process.executableURL = brewctl
            process.arguments = all
        }
        process.currentDirectoryURL = repositoryRoot
        process.environment = brewctlEnvironment(environment)
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        let p = process
        test.addTeardownBlock { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
    }

    /// Waits for the child to end, at most `seconds` (then kills it); its standard error (brewctl
    /// writes a few lines there at most, so the pipe cannot fill meanwhile).
    func finish(within seconds: Double) -> (exited: Bool, stderr: String) {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        let exited = !process.isRunning
        if !exited { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        return (exited, String(decoding: errors, as: UTF8.self))
    }

    /// The batch as the log has it: completed, every step completed, a sample a second.
    func assertCompletedBatch(_ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let log = try BatchLog(path: database)
        let detail = try XCTUnwrap(try log.batch(1), "no batch in the log — \(context)", file: file, line: line)
        XCTAssertEqual(detail.batch.outcome, .completed, context, file: file, line: line)
        XCTAssertEqual(detail.steps.map(\.outcome), ["completed", "completed"], context, file: file, line: line)
        let last = try XCTUnwrap(detail.events.last, context, file: file, line: line)
        XCTAssertGreaterThan(last.at, 20 * 60, "half an hour of brew time — \(context)", file: file, line: line)
        XCTAssertGreaterThanOrEqual(detail.sampleCount, Int(last.at) * detail.channels.count * 9 / 10,
                                    "a sample a second to the end — \(context)", file: file, line: line)
    }
}
