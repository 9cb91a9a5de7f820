#if canImport(Glibc)
import Glibc
#endif
import BrewCore
import BrewHAL

/// Talks to systemd's service manager through `$NOTIFY_SOCKET` (the sd_notify protocol: one
/// datagram of `KEY=value` lines), without linking libsystemd: `READY=1` once the rig is safe and
/// the loop runs, `WATCHDOG=1` only while the control loop is healthy (systemd kills and restarts a
/// service that stops sending it within `WatchdogSec=`), `STATUS=…` for `systemctl status`.
public final class SystemdNotifier {
    private let fd: Int32
    private var address: sockaddr_un
    private let length: socklen_t
    /// Half of systemd's `WatchdogSec=` (from `$WATCHDOG_USEC`): send at least this often.
    public let watchdogInterval: Seconds?

    /// nil when not started by systemd with `Type=notify` (no `$NOTIFY_SOCKET`).
    public init?(environment: [String: String]) {
        guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < 108 else { return nil }
        if let usec = environment["WATCHDOG_USEC"].flatMap(Double.init), usec > 0,
           environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true {
            watchdogInterval = Seconds(usec / 2e6)
        } else {
            watchdogInterval = nil
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        self.fd = fd
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        // "@name" is an abstract socket: its name starts with a NUL byte.
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        address = addr
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
    }

    deinit { close(fd) }

    /// Sends one notification, e.g. "READY=1" or "WATCHDOG=1\nSTATUS=Mash rest 66.5 °C". Returns
    /// false when systemd could not be reached (nothing else to do about it: the watchdog will act).
    @discardableResult
    public func send(_ state: String) -> Bool {
        let message = Array(state.utf8)
        let sent = message.withUnsafeBytes { buf in
            withUnsafePointer(to: &address) {
                // Never block the control loop on systemd: a full queue drops this notification.
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), $0, length)
                }
            }
        }
        return sent == message.count
    }
}

/// A hardware watchdog (`/dev/watchdog`, the Pi's BCM2835 watchdog): once opened it must be fed
/// within its timeout (15 s by default on a Pi) or the board resets — and the fail-safe resistors
/// then hold every output off. brewctl feeds it only while the control loop is healthy.
/// Closing cleanly writes the magic 'V' so a deliberate stop does not reset the board.
public final class HardwareWatchdog {
    public let path: String
    private var fd: Int32

    public init(path: String = "/dev/watchdog") throws(BusError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw BusError(e == ENOENT ? .noDevice : .io, bus: path,
                           detail: "cannot open the watchdog: \(String(cString: strerror(e)))"
                               + (e == EBUSY ? " (another process, e.g. systemd's RuntimeWatchdogSec, holds it)" : ""))
        }
    }

    deinit { disarm() }

    /// Feeds the watchdog. Call from the healthy loop only.
    public func feed() throws(BusError) {
        guard fd >= 0 else { throw BusError(.io, bus: path, detail: "the watchdog is closed") }
        var byte: UInt8 = 0x2A
        guard write(fd, &byte, 1) == 1 else {
            throw BusError(.io, bus: path, detail: "feeding the watchdog failed: \(String(cString: strerror(errno)))")
        }
    }

    /// A deliberate, clean stop: the magic close, so the board is not reset.
    public func disarm() {
        guard fd >= 0 else { return }
        var magic = UInt8(ascii: "V")
        _ = write(fd, &magic, 1)
        close(fd)
        fd = -1
    }
}
