import BrewCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Standard output or standard error, written with write(2) and every result checked.
///
/// - A stream that fails — a closed pipe (EPIPE), a terminal whose SSH session dropped (EIO), a
///   full disk (ENOSPC) — is *detached*: nothing more is written to it, and nothing traps
///   (Foundation's `FileHandle.write` traps on EPIPE). SIGPIPE is held back around each write, so
///   a closed pipe is an error here whatever the process does with the signal.
/// - A reader that stops reading never blocks the control loop: pipes and terminals are written
///   through a non-blocking descriptor of their own (reopened, so the shell's shared one is left
///   blocking), sockets (the journal) with `MSG_DONTWAIT`; what the reader cannot take yet waits
///   in a bounded backlog, and text that does not fit in it is dropped whole — never half a line
///   or half a redraw.
///
/// Each call says how long it may wait: the loop never waits, a command printing a table waits
/// for its reader as long as that takes (`| less`), the last lines of a run wait a little.
final class StandardStream: @unchecked Sendable {
    static let output = StandardStream(fd: STDOUT_FILENO, name: "standard output")
    static let error = StandardStream(fd: STDERR_FILENO, name: "standard error")

    enum Wait {
        case never
        case upTo(seconds: Double)
        case asLongAsItTakes
    }

    enum Outcome: Equatable {
        /// All of it reached the descriptor.
        case written
        /// Some waits in the backlog for the reader; it goes out with the next writes.
        case queued
        /// None of it was taken: the backlog is full.
        case dropped
        /// The stream has failed; nothing is written any more.
        case detached
    }

    let name: String
    /// How long `print` waits for a reader: as long as it takes, as for any command's output —
    /// except while a batch runs (`run`, `resume`), which must never wait for one; what is queued
    /// then goes out when brewctl exits, within a couple of seconds, or not at all.
    var patience = Wait.asLongAsItTakes
    /// At most this much waits for a slow reader (a few hundred redraws of the live display).
    static let backlogLimit = 256 * 1024

    private enum Target {
        /// A pipe or terminal opened again without blocking.
        case nonBlocking(Int32)
        /// A socket: sends that never block and never raise SIGPIPE.
        case socket(Int32)
        /// A pipe or terminal that could not be reopened: written only when poll(2) says it has room.
        case guarded(Int32)
        /// A regular file (or anything else that does not stall): written as it is.
        case plain(Int32)

        var fd: Int32 {
            switch self {
            case .nonBlocking(let fd), .socket(let fd), .guarded(let fd), .plain(let fd): fd
            }
        }
    }

    private let lock = NSLock()
    private let target: Target
    private var backlog: [UInt8] = []
    private var failure: String?

    init(fd: Int32, name: String) {
        self.name = name
        _ = Self.flushAtExit
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            target = .plain(fd)   // not open: the first write says so and detaches it
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFSOCK:
            target = .socket(fd)
        case S_IFIFO, S_IFCHR:
            // A description of our own: O_NONBLOCK on the inherited one would be the shell's too.
            let own = open("/proc/self/fd/\(fd)", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
            target = own >= 0 ? .nonBlocking(own) : .guarded(fd)
        default:
            target = .plain(fd)
        }
    }

    /// What is still queued goes out at exit (`exit`, or returning from main), waiting a little.
    private static let flushAtExit: Void = {
        atexit {
            StandardStream.output.flush(within: 2)
            StandardStream.error.flush(within: 2)
        }
    }()

    /// Why the stream was detached, or nil while it works.
    var failed: String? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    /// Whether earlier text still waits for the reader.
    var isBacklogged: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !backlog.isEmpty
    }

    /// Queues `text` and writes what the reader takes within `wait`. A write that never waits is
    /// queued whole, or not at all when the backlog is full.
    @discardableResult
    func write(_ text: String, wait: Wait) -> Outcome {
        lock.lock()
        defer { lock.unlock() }
        guard failure == nil else { return .detached }
        let bytes = Array(text.utf8)
        if case .never = wait, backlog.count + bytes.count > Self.backlogLimit {
            drain(wait)
            if failure != nil { return .detached }
            if backlog.count + bytes.count > Self.backlogLimit { return .dropped }
        }
        backlog.append(contentsOf: bytes)
        drain(wait)
        if failure != nil { return .detached }
        // A write that may wait takes any size (an export); what its reader did not take in time
        // is kept only up to the limit.
        if backlog.count > Self.backlogLimit { backlog.removeLast(backlog.count - Self.backlogLimit) }
        return backlog.isEmpty ? .written : .queued
    }

    /// Writes what waits in the backlog, waiting at most `seconds` for the reader; true when all
    /// of it went.
    @discardableResult
    func flush(within seconds: Double) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard failure == nil else { return false }
        drain(.upTo(seconds: seconds))
        return failure == nil && backlog.isEmpty
    }

    /// Stops writing for good (a reader that stopped reading at the end of a run).
    func detach(because reason: String) {
        lock.lock()
        defer { lock.unlock() }
        if failure == nil { failure = reason }
        backlog.removeAll()
    }

    // MARK: - Writing (under `lock`)

    private func drain(_ wait: Wait) {
        let deadline: Double? = switch wait {
        case .never: 0
        case .upTo(let seconds): monotonicSeconds() + max(0, seconds)
        case .asLongAsItTakes: nil
        }
        var sent = 0
        defer { backlog.removeFirst(sent) }
        while sent < backlog.count {
            let n = backlog.withUnsafeBytes { all in attempt(UnsafeRawBufferPointer(rebasing: all[sent...])) }
            if n > 0 {
                sent += n
                continue
            }
            if n < 0 {
                let e = errno
                failure = "\(name) failed (\(String(cString: strerror(e))))"
                return
            }
            // Full: wait for room as long as this write may.
            let timeout: Int32
            if let deadline {
                let left = deadline - monotonicSeconds()
                guard left > 0 else { return }
                timeout = Int32(min(left, 1) * 1000) + 1
            } else {
                timeout = 1000
            }
            var p = pollfd(fd: target.fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&p, 1, timeout)
        }
    }

    /// One write: bytes taken (> 0), 0 when the reader has no room now, -1 on an error (errno).
    private func attempt(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        while true {
            let n: Int
            switch target {
            case .socket(let fd):
                n = send(fd, base, bytes.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            case .guarded(let fd):
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                guard poll(&p, 1, 0) > 0 else { return 0 }
                // POLLOUT promises room for PIPE_BUF bytes on a pipe, and a few hundred on a terminal.
                n = withSIGPIPEHeld { Glibc.write(fd, base, min(bytes.count, 512)) }
            case .nonBlocking(let fd), .plain(let fd):
                n = withSIGPIPEHeld { Glibc.write(fd, base, bytes.count) }
            }
            if n > 0 { return n }
            if n == 0 { return 0 }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return 0
            default: return -1
            }
        }
    }

    private func monotonicSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

/// Runs one write with SIGPIPE blocked in this thread, and takes back the SIGPIPE a closed pipe
/// raised, so the write fails with EPIPE instead of the signal ending brewctl mid-batch.
private func withSIGPIPEHeld(_ write: () -> Int) -> Int {
    var pipe = sigset_t()
    sigemptyset(&pipe)
    sigaddset(&pipe, SIGPIPE)
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &pipe, &previous)
    let n = write()
    let e = errno
    if n < 0, e == EPIPE, sigismember(&previous, SIGPIPE) == 0 {
        var pending = sigset_t()
        sigpending(&pending)
        if sigismember(&pending, SIGPIPE) == 1 {
            var now = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipe, nil, &now)
        }
    }
    pthread_sigmask(SIG_SETMASK, &previous, nil)
    errno = e
    return n
}

// MARK: - What the commands print

/// Every `print` in brewctl comes here (this shadows the standard library's): the text goes to
/// standard output through `StandardStream`, so a closed pipe never traps, with control
/// characters escaped (`Format.printable`, line breaks and tabs kept), so nothing a recipe, a rig
/// file or the batch log holds can rewrite the terminal. It waits for its reader as long as that
/// takes, as any command's output does (`patience`), and not at all once the stream is detached.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    StandardStream.output.write(Format.printable(text, keepingLayout: true) + terminator, wait: StandardStream.output.patience)
}

/// Text to standard error (with its own line breaks), escaped as `print` does: a closed or broken
/// stderr (the terminal hung up, a pipe's reader gone) loses the text but never ends the process,
/// and a reader that is not reading (a stalled journal) holds brewctl for a few seconds at most.
func writeStandardError(_ text: String) {
    StandardStream.error.write(Format.printable(text, keepingLayout: true), wait: .upTo(seconds: 5))
}
