#if canImport(Glibc)
import Glibc
#endif
import BrewCore
import BrewHAL
@testable import BrewLinux
import Foundation
import XCTest

/// sd_notify over a real Unix datagram socket, and the watchdog's feeding and magic close against a
/// file standing in for /dev/watchdog.
final class SupervisionTests: XCTestCase {
    func receiver(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(rc, 0, String(cString: strerror(errno)))
        addTeardownBlock { close(fd); unlink(path) }
        return fd
    }

    func receive(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : ""
    }

    func testNotifiesSystemdAndDerivesTheWatchdogInterval() throws {
        let path = NSTemporaryDirectory() + "brewctl-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let fd = try receiver(path)
        let notifier = try XCTUnwrap(SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "10000000"]))
        XCTAssertEqual(notifier.watchdogInterval, Seconds(5), "half of WatchdogSec")
        XCTAssertTrue(notifier.send("READY=1\nSTATUS=Mash rest"))
        XCTAssertEqual(receive(fd), "READY=1\nSTATUS=Mash rest")
        XCTAssertTrue(notifier.send("WATCHDOG=1"))
        XCTAssertEqual(receive(fd), "WATCHDOG=1")
    }

    func testNotStartedBySystemdMeansNoNotifier() throws {
        XCTAssertNil(SystemdNotifier(environment: [:]))
        XCTAssertNil(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]))
        // A watchdog meant for another process (WATCHDOG_PID) is not ours to feed.
        let other = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/x", "WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "1"])
        XCTAssertNil(try XCTUnwrap(other, "a notify socket is still ours to notify").watchdogInterval)
    }

    func testWatchdogIsFedAndClosedWithTheMagicV() throws {
        let path = NSTemporaryDirectory() + "brewctl-watchdog-\(getpid())"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        addTeardownBlock { unlink(path) }
        do {
            let dog = try HardwareWatchdog(path: path)
            try dog.feed()
            try dog.feed()
            dog.disarm()
            XCTAssertThrowsError(try dog.feed(), "closed after the magic close")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "**V")
        XCTAssertThrowsError(try HardwareWatchdog(path: "/nonexistent/watchdog")) { error in
            XCTAssertEqual((error as? BusError)?.kind, .noDevice)
        }
    }
}
