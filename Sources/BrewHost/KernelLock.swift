import Foundation

/// An exclusive lock the kernel keeps for as long as this process holds the file open (`flock`):
/// it dies with its holder, so a crashed or killed controller never leaves a stale lock. Used for
/// "one controller per batch" (a lock file beside the batch database) and "one controller per rig"
/// (the rig's own device nodes: two hardware files naming the same gpiochip are the same rig).
public final class KernelLock: @unchecked Sendable {
    /// Who holds a lock, as the kernel says (`/proc/locks`).
    public struct Holder: Equatable, Sendable, CustomStringConvertible {
        public var pid: Int32
        /// Its command line, when it can be read.
        public var command: String?

        public var description: String {
            pid > 0 ? "process \(pid)\(command.map { " (\($0))" } ?? "")" : "another process"
        }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Someone else holds it.
        case held(by: Holder, path: String)
        /// The file could not be opened or created.
        case unavailable(path: String, reason: String)

        public var description: String {
            switch self {
            case .held(let holder, let path): "\(path) is held by \(holder)"
            case .unavailable(let path, let reason): "cannot lock \(path): \(reason)"
            }
        }
    }

    public let path: String
    private var fd: Int32
    /// A lock file of our own is removed when released (a device node never is).
    private let removeOnRelease: Bool

    private init(path: String, fd: Int32, removeOnRelease: Bool) {
        self.path = path
        self.fd = fd
        self.removeOnRelease = removeOnRelease
    }

    deinit { release() }

    /// Takes the lock on a lock file of brewctl's own (created if needed, removed on release),
    /// without waiting.
    public static func lockFile(_ path: String) throws(Failure) -> KernelLock {
        // The file may be unlinked by a holder that is releasing it between our open and our
        // flock; then what we locked is no longer the file at `path`: open it again.
        for _ in 0..<8 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else { throw .unavailable(path: path, reason: String(cString: strerror(errno))) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let e = errno
                close(fd)
                if e == EWOULDBLOCK { throw .held(by: holder(of: path) ?? Holder(pid: 0), path: path) }
                throw .unavailable(path: path, reason: String(cString: strerror(e)))
            }
            var mine = stat(), there = stat()
            if fstat(fd, &mine) == 0, stat(path, &there) == 0, mine.st_ino == there.st_ino, mine.st_dev == there.st_dev {
                return KernelLock(path: path, fd: fd, removeOnRelease: true)
            }
            close(fd)
        }
        throw .unavailable(path: path, reason: "it keeps being replaced")
    }

    /// Takes the lock on an existing file that is not ours to create or remove (a device node),
    /// without waiting. Opened read-only and non-blocking, so neither a serial line's carrier nor
    /// a write permission is needed.
    public static func existing(_ path: String) throws(Failure) -> KernelLock {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw .unavailable(path: path, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            close(fd)
            if e == EWOULDBLOCK { throw .held(by: holder(of: path) ?? Holder(pid: 0), path: path) }
            throw .unavailable(path: path, reason: String(cString: strerror(e)))
        }
        return KernelLock(path: path, fd: fd, removeOnRelease: false)
    }

    /// Lets go (also when the lock is dropped; the kernel does it when the process ends).
    public func release() {
        guard fd >= 0 else { return }
        // Unlinked while still held, so nobody can lock the old file after we let go.
        if removeOnRelease { unlink(path) }
        close(fd)
        fd = -1
    }

    /// Who holds an exclusive `flock` on `path` now, from `/proc/locks`, without taking any lock
    /// (a probe that took a shared lock could make a real controller's attempt fail). nil: nobody,
    /// or the file does not exist.
    public static func holder(of path: String) -> Holder? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        guard let text = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        // glibc's dev_t encoding (gnu_dev_major/minor are macros Swift cannot see).
        let dev = UInt64(st.st_dev)
        let major = ((dev >> 8) & 0xFFF) | ((dev >> 32) & ~UInt64(0xFFF))
        let minor = (dev & 0xFF) | ((dev >> 12) & ~UInt64(0xFF))
        for line in text.split(separator: "\n") {
            // "3: FLOCK  ADVISORY  WRITE 4711 08:01:1234567 0 EOF" (device major:minor in hex);
            // a blocked waiter's line starts with "->" and is not a holder.
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 6, !f[0].hasPrefix("->"), f[1] == "FLOCK", f[3] == "WRITE", let pid = Int32(f[4]) else { continue }
            let id = f[5].split(separator: ":")
            guard id.count == 3, UInt64(id[0], radix: 16) == major, UInt64(id[1], radix: 16) == minor,
                  UInt64(id[2]) == UInt64(st.st_ino) else { continue }
            return Holder(pid: pid, command: ProcessTable.command(of: pid))
        }
        return nil
    }

    /// Whether someone holds `path` (see `holder(of:)`).
    public static func isHeld(_ path: String) -> Bool { holder(of: path) != nil }
}
