#if canImport(Glibc)
import Glibc
#endif
import BrewTestSupport
import Foundation
import XCTest

/// Notifications a reader thread collected.
final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ m: String) { lock.lock(); list.append(m); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return list }
}

/// `brewctl run` as systemd starts it: it tells systemd it is ready, keeps sending WATCHDOG=1 from
/// the healthy loop, feeds a hardware watchdog the same way and closes it cleanly at the end — and
/// refuses to run at all when the watchdog it was given cannot be opened.
final class ServiceSupervisionTests: XCTestCase {
    func testNotifiesSystemdAndFeedsTheWatchdogFromTheLoop() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-svc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let socketPath = dir.appendingPathComponent("notify").path
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in socketPath.utf8.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        var size: Int32 = 8 << 20   // room for a whole brew day's notifications
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let dog = dir.appendingPathComponent("watchdog").path
        XCTAssertTrue(FileManager.default.createFile(atPath: dog, contents: nil))

        // Read as systemd does, while it runs (the kernel queues only a few hundred datagrams).
        let received = Received()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 1024)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return }
                let message = String(decoding: buffer[..<n], as: UTF8.self)
                received.append(message)
                if message == "STOPPING=1" { return }
            }
        }
        reader.start()
        let run = try brewctl(["run", "Recipes/ipa.toml", "--fast", "--yes", "--db", dir.appendingPathComponent("b.sqlite").path],
                              environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "10000000", "BREWCTL_WATCHDOG": dog])
        XCTAssertEqual(run.status, 0, "\(run)")
        XCTAssertTrue(Peers.waitUntil(10) { received.messages.last == "STOPPING=1" }, "the run said it was stopping")
        let messages = received.messages
        XCTAssertTrue(messages.first?.hasPrefix("READY=1\nSTATUS=Brewing batch 1") == true, "\(messages.prefix(2))")
        let alive = messages.filter { $0.hasPrefix("WATCHDOG=1") }
        // One per healthy sample of a four-hour brew day; at --fast a few may be dropped rather
        // than block the loop.
        XCTAssertGreaterThan(alive.count, 1000)
        XCTAssertTrue(alive.contains { $0.contains("STATUS=Boil: boiling") }, "the status says what it is doing")
        XCTAssertEqual(messages.last, "STOPPING=1")

        let fed = try String(contentsOfFile: dog, encoding: .utf8)
        XCTAssertGreaterThan(fed.count, 1000)
        XCTAssertTrue(fed.hasSuffix("*V"), "fed from the loop, closed with the magic V at the end")
    }

    func testRefusesToRunWhenItsWatchdogCannotBeOpened() throws {
        let db = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-svc-\(UUID().uuidString).sqlite").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: db) }
        let run = try brewctl(["run", "Recipes/ipa.toml", "--fast", "--yes", "--db", db], environment: ["BREWCTL_WATCHDOG": "/nonexistent/watchdog"])
        XCTAssertEqual(run.status, 2, "\(run)")
        XCTAssertTrue(run.stderr.contains("refusing to run without the watchdog"), "\(run)")
    }
}
