#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// The real `brewctl` run as a child process, its output collected as it comes (so a test can
/// wait for a line, and a full pipe never stalls it), its stderr kept for every failure message.
final class BrewctlProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private let outPipe = Pipe(), errPipe = Pipe()

    init(_ arguments: [String], environment: [String: String?] = [:], stdin: FileHandle? = FileHandle.nullDevice,
         executable: URL? = nil, for test: XCTestCase) throws {
        process.executableURL = try executable ?? brewctlExecutable()
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        var env = ProcessInfo.processInfo.environment
        env["BREWCTL_CONFIG"] = "/nonexistent/brewctl-config.toml"
        env["XDG_CONFIG_HOME"] = "/nonexistent"
        env["INVOCATION_ID"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = outPipe
        process.standardError = errPipe
        if let stdin { process.standardInput = stdin }
        outPipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            self?.lock.lock(); self?.out.append(d); self?.lock.unlock()
        }
        errPipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            self?.lock.lock(); self?.err.append(d); self?.lock.unlock()
        }
        try process.run()
        let p = process
        test.addTeardownBlock { if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
    var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }
    /// Everything it said, for failure messages.
    var transcript: String { "--- stdout (last 1500) ---\n\(stdout.suffix(1500))\n--- stderr ---\n\(stderr.suffix(3000))" }

    /// Waits until stdout contains `text` (or the process ended, or the time is up).
    @discardableResult
    func waitFor(_ text: String, seconds: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if stdout.contains(text) { return true }
            if !process.isRunning { usleep(100_000); return stdout.contains(text) }
            usleep(20_000)
        }
        return stdout.contains(text)
    }

    /// Waits for the end; returns the exit status (128 + n when a signal n ended it).
    @discardableResult
    func finish(seconds: Double = 300) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        // Let the readability handlers drain what is left.
        usleep(100_000)
        outPipe.fileHandleForReading.readabilityHandler = nil
        errPipe.fileHandleForReading.readabilityHandler = nil
        lock.lock()
        out.append(outPipe.fileHandleForReading.readDataToEndOfFile())
        err.append(errPipe.fileHandleForReading.readDataToEndOfFile())
        lock.unlock()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Runs brewctl to its end and returns (status, stdout, stderr).
    static func run(_ arguments: [String], environment: [String: String?] = [:], for test: XCTestCase) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = try BrewctlProcess(arguments, environment: environment, for: test)
        let status = p.finish()
        return (status, p.stdout, p.stderr)
    }
}

/// A fresh folder for one test's databases and files, removed after it.
func temporaryFolder(_ test: XCTestCase, _ name: String = "brewctl") -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}
