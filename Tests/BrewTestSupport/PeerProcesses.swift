#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// Real peers for bus tests — a pymodbus server, socat, misbehaving devices — started as child
/// processes that die with the test.
public enum Peers {
    /// The folder of peer scripts (`Tests/BrewLinuxTests/Peers`).
    public static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("BrewLinuxTests/Peers")

    /// Skips on a developer machine without the peer; in CI (CI=true) its absence is a failure.
    public static func require(_ check: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        if run(check) == 0 { return }
        let message = "\(what) is not installed (scripts/setup --tests installs it)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(message, file: file, line: line) }
        throw XCTSkip(message)
    }

    public static func requirePymodbus() throws { try require(["python3", "-c", "import pymodbus"], "pymodbus") }

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

    /// Starts a background process that is killed when `test` ends.
    public static func spawn(_ arguments: [String], for test: XCTestCase) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        test.addTeardownBlock { stop(p) }
        return p
    }

    public static func stop(_ p: Process) {
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

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

    /// The pymodbus server (`modbus_server.py`) on loopback, ready to answer.
    public static func modbusServer(port: Int, for test: XCTestCase) throws -> Process {
        let server = try spawn(["python3", scripts.appendingPathComponent("modbus_server.py").path, "--tcp", String(port)], for: test)
        XCTAssertTrue(waitUntil { listening(port) }, "the pymodbus server did not start on port \(port)")
        return server
    }
}
