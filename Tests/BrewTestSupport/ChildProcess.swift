#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// A process a test starts — the `brewctl` binary, a Python peer, socat — with everything it
/// writes kept: both pipes are drained while it runs (so a chatty child never blocks on a full
/// pipe), a test can wait for a line instead of sleeping, and the report names the command, how
/// it ended and what it said on standard error. `XCTestCase.keep(_:)` prints that report when
/// the test fails.
public final class ChildProcess: @unchecked Sendable {
    /// How a child ended and what it wrote.
    public struct Output: CustomStringConvertible, Sendable {
        public var status: Int32
        /// False when a signal ended it.
        public var exited: Bool
        public var stdout: String
        public var stderr: String
        public let command: String

        /// The command, how it ended, its standard error and the end of its standard output: the
        /// message to give an assertion about it.
        public var description: String { ChildProcess.report(command, status: "\(exited ? "exited" : "killed by signal") \(status)", stdout: stdout, stderr: stderr) }
    }

    public let command: String
    private let process = Process()
    private let condition = NSCondition()
    private var out = Data()
    private var err = Data()
    private var openPipes = 2

    /// Starts `executable` with `arguments`; standard input is /dev/null unless `input` is given.
    /// `environment` replaces the test's environment when given.
    public init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                directory: URL? = nil, input: FileHandle = FileHandle.nullDevice) throws {
        command = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input
        try process.run()
        drain(stdout.fileHandleForReading, errors: false)
        drain(stderr.fileHandleForReading, errors: true)
    }

    /// A command found on PATH (`python3`, `socat`).
    public convenience init(command arguments: [String], environment: [String: String]? = nil) throws {
        try self.init(URL(fileURLWithPath: "/usr/bin/env"), arguments, environment: environment)
    }

    private func drain(_ handle: FileHandle, errors: Bool) {
        let thread = Thread {
            while true {
                let data = handle.availableData
                self.condition.lock()
                if data.isEmpty {
                    self.openPipes -= 1
                } else if errors {
                    self.err.append(data)
                } else {
                    self.out.append(data)
                }
                self.condition.broadcast()
                self.condition.unlock()
                if data.isEmpty { return }
            }
        }
        thread.start()
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// What it has written to standard output so far.
    public var stdout: String { locked { String(decoding: out, as: UTF8.self) } }
    /// What it has written to standard error so far.
    public var stderr: String { locked { String(decoding: err, as: UTF8.self) } }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    /// Waits until standard output holds `text` after its first `offset` bytes; false when the
    /// child closed its output or `seconds` passed first.
    @discardableResult
    public func waitForOutput(_ text: String, after offset: Int = 0, seconds: Double = 30) -> Bool {
        wait(seconds) { $0.out.count > offset && String(decoding: $0.out.dropFirst(offset), as: UTF8.self).contains(text) }
    }

    /// Waits until standard error holds `text`; false when it closed or `seconds` passed first.
    @discardableResult
    public func waitForErrors(_ text: String, seconds: Double = 30) -> Bool {
        wait(seconds) { String(decoding: $0.err, as: UTF8.self).contains(text) }
    }

    /// How many bytes of standard output have arrived (a mark for `waitForOutput(_:after:)`).
    public var outputCount: Int { locked { out.count } }

    private func wait(_ seconds: Double, until satisfied: (ChildProcess) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !satisfied(self) {
            if openPipes == 0 || !condition.wait(until: deadline) { return satisfied(self) }
        }
        return true
    }

    public func interrupt() { kill(process.processIdentifier, SIGINT) }
    public func terminate() { kill(process.processIdentifier, SIGTERM) }

    /// SIGKILL if it is still running, and reaps it.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits for it to end and its pipes to close. A child still running after `seconds` is
    /// killed, and that is a test failure naming it.
    public func finish(seconds: Double = 900, file: StaticString = #filePath, line: UInt = #line) -> Output {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning {
            stop()
            XCTFail("`\(command)` was still running after \(seconds) s and was killed\n\(report)", file: file, line: line)
        }
        process.waitUntilExit()
        _ = wait(10) { $0.openPipes == 0 }
        return locked {
            Output(status: process.terminationStatus, exited: process.terminationReason == .exit,
                   stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self), command: command)
        }
    }

    /// The command, how it is doing, its standard error and the end of its standard output.
    public var report: String {
        let state = process.isRunning ? "still running" : "\(process.terminationReason == .exit ? "exited" : "killed by signal") \(process.terminationStatus)"
        return Self.report(command, status: state, stdout: stdout, stderr: stderr)
    }

    static func report(_ command: String, status: String, stdout: String, stderr: String) -> String {
        let tail = stdout.split(separator: "\n", omittingEmptySubsequences: false).suffix(40).joined(separator: "\n")
        return "`\(command)`: \(status)\n--- its standard error ---\n\(stderr.isEmpty ? "(nothing)" : stderr)\n"
            + "--- the end of its standard output ---\n\(tail.isEmpty ? "(nothing)" : tail)\n---"
    }
}

extension XCTestCase {
    /// Ties `child` to this test: it is killed when the test ends, and when the test failed its
    /// report (command, exit, standard error, last lines of output) is printed with the failure.
    public func keep(_ child: ChildProcess) {
        addTeardownBlock { [weak self] in
            child.stop()
            if (self?.testRun?.totalFailureCount ?? 0) > 0 { print(child.report) }
        }
    }
}
