#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Real peers for bus tests — a pymodbus server, socat, misbehaving devices — started as child
/// processes that die with the test, their output kept (`ChildProcess`) and printed when it fails.
public enum Peers {
    /// The folder of peer scripts (`Tests/BrewLinuxTests/Peers`).
    public static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("BrewLinuxTests/Peers")

    /// The variable that lets a developer without the peers skip the tests that need them.
    public static let skipVariable = "BREWCTL_SKIP_PEERS"

    /// A missing peer fails the test: a suite that passes by skipping has tested nothing. Only
    /// `BREWCTL_SKIP_PEERS=1`, asked for explicitly, turns that into a skip — and never in CI
    /// (`CI=true`), where every peer must be installed.
    public static func missing(_ message: String) -> Error {
        let environment = ProcessInfo.processInfo.environment
        if environment[skipVariable] == "1", environment["CI"] != "true" {
            return XCTSkip("\(message) (skipped: \(skipVariable)=1)")
        }
        if environment["CI"] == "true" { return TestFailure("\(message) (CI=true: every peer must be there)") }
        return TestFailure("\(message); or set \(skipVariable)=1 to skip the tests that need it")
    }

    /// Throws `missing(_:)` unless `check` runs successfully.
    public static func require(_ check: [String], _ what: String) throws {
        if run(check) == 0 { return }
        throw missing("\(what) is not installed (scripts/setup --tests installs it)")
    }

    public static func requirePython() throws { try require(["python3", "-V"], "python3") }
    public static func requirePymodbus() throws { try require(["python3", "-c", "import pymodbus"], "pymodbus") }
    public static func requireSocat() throws { try require(["socat", "-V"], "socat") }

    @discardableResult
    public static func run(_ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Starts a background process that is killed when `test` ends; its output is printed if the
    /// test fails.
    public static func spawn(_ arguments: [String], for test: XCTestCase) throws -> ChildProcess {
        let child = try ChildProcess(command: arguments)
        test.keep(child)
        return child
    }

    /// Starts a peer script from `Peers/` and waits for the line it prints once it really serves
    /// ("ready"), instead of sleeping and hoping. A peer that dies or stays silent is a failure
    /// with its standard error.
    public static func start(_ script: String, _ arguments: [String], ready: String = "ready", seconds: Double = 20,
                             for test: XCTestCase) throws -> ChildProcess {
        let child = try spawn(["python3", scripts.appendingPathComponent(script).path] + arguments, for: test)
        guard child.waitForOutput(ready + "\n", seconds: seconds) else {
            throw TestFailure("the peer \(script) did not say \"\(ready)\" within \(seconds) s\n\(child.report)")
        }
        return child
    }

    public static func stop(_ child: ChildProcess) { child.stop() }

    public static func waitUntil(_ seconds: Double = 15, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = loopback(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    public static func listening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = loopback(port: port)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return addr
    }

    /// The pymodbus server (`modbus_server.py`) on loopback, listening and ready to answer.
    public static func modbusServer(port: Int, for test: XCTestCase) throws -> ChildProcess {
        try start("modbus_server.py", ["--tcp", String(port)], for: test)
    }

    /// The pymodbus server on one end of a serial line (8N1; a pseudo-terminal carries no parity).
    public static func modbusServer(rtu device: String, for test: XCTestCase) throws -> ChildProcess {
        try start("modbus_server.py", ["--rtu", device, "--baud", "19200", "--parity", "N"], for: test)
    }
}
