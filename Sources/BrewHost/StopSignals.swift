import CStopSignals
import Foundation

/// Every signal that can end the process, caught so that each one reaches the same safe stop:
/// outputs off, the stop logged with its cause, the batch interrupted and resumable
/// (docs/safety.md, "How brewctl stops"). The handler (C, `CStopSignals`) only counts; the
/// control loop polls `take()` once a tick, so a signal never interrupts a bus transfer or a
/// database commit half-way.
public final class StopSignals: @unchecked Sendable {
    /// What a signal asks of a running controller.
    public enum Request: Equatable, Sendable {
        /// Ctrl-C at the terminal: hold the heat and ask the person what to do. `cause` names it
        /// and its sender, for when nobody is there to ask.
        case interrupt(cause: String)
        /// Ctrl-Z: brewctl does not suspend while it holds the rig (an output would stay as it
        /// is for as long as it stays stopped); it says so and carries on.
        case suspend
        /// Any other signal: the controller is stopping (`cause` says which and from whom).
        case stop(cause: String)
    }

    /// The signals that stop the controller. Every catchable signal whose default is to end the
    /// process is here; SIGINT and SIGTSTP have meanings of their own; SIGCHLD, SIGWINCH, SIGURG
    /// and SIGCONT do nothing by default and are left so. SIGPIPE and SIGXFSZ count only when
    /// another process sends them (our own write to a closed pipe fails with EPIPE instead, and
    /// the display detaches); a real crash stays a crash (the guard switches the rig off).
    public static let stopping: [Int32] = {
        var s: [Int32] = [SIGHUP, SIGQUIT, SIGTERM, SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ,
                          SIGPWR, SIGSTKFLT, SIGIO, SIGSYS, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]
        #if os(Linux)
        let rtmin = Int32(__libc_current_sigrtmin()), rtmax = Int32(__libc_current_sigrtmax())
        if rtmin > 0, rtmax >= rtmin { s += Array(rtmin...rtmax) }
        #endif
        return s
    }()

    private var seen: [Int32: Int] = [:]
    private var seenTotal = 0
    private let lock = NSLock()

    /// Installs the handlers. Background-terminal stops (SIGTTIN, SIGTTOU) are ignored: a
    /// brewctl started with `&` must not be frozen by the terminal driver for printing a line.
    public init() {
        let all = Self.stopping + [SIGINT, SIGTSTP]
        _ = all.withUnsafeBufferPointer { brewctl_signals_install($0.baseAddress, Int32($0.count)) }
        signal(SIGTTIN, SIG_IGN)
        signal(SIGTTOU, SIG_IGN)
    }

    /// The next request since the last call, most serious first (nil: none).
    public func take() -> Request? {
        lock.lock()
        defer { lock.unlock() }
        // Called every tick: when no signal came since the last look, one load says so.
        let total = Int(brewctl_signals_total())
        guard total != seenTotal else { return nil }
        seenTotal = total
        for sig in Self.stopping where fresh(sig) {
            return .stop(cause: Self.describe(sig, from: brewctl_signals_sender(sig)))
        }
        if fresh(SIGINT) { return .interrupt(cause: Self.describe(SIGINT, from: brewctl_signals_sender(SIGINT))) }
        if fresh(SIGTSTP) { return .suspend }
        return nil
    }

    private func fresh(_ sig: Int32) -> Bool {
        let n = Int(brewctl_signals_count(sig))
        guard n > seen[sig, default: 0] else { return false }
        seen[sig] = n
        return true
    }

    /// Hands every signal back to its default action (the run is over).
    public func restore() {
        for sig in Self.stopping + [SIGINT, SIGTSTP] { brewctl_signals_restore(sig) }
    }

    /// "SIGHUP (the terminal hung up) from process 4711".
    public static func describe(_ sig: Int32, from pid: Int32) -> String {
        let meaning: String? = switch sig {
        case SIGHUP: "the terminal or SSH session hung up"
        case SIGINT: "Ctrl-C"
        case SIGTERM: "asked to stop: systemctl stop, a shutdown or kill"
        case SIGQUIT: "quit from the keyboard"
        case SIGPIPE: "a broken pipe"
        case SIGPWR: "power failing"
        case SIGXCPU: "CPU time limit"
        default: nil
        }
        var text = name(sig) + (meaning.map { " (\($0))" } ?? "")
        if pid > 0 { text += " from process \(pid)\(ProcessTable.command(of: pid).map { " (\($0))" } ?? "")" }
        return text
    }

    /// The signal's name, "SIGTERM", "SIGRTMIN+3".
    public static func name(_ sig: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT",
            SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE",
            SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGSTKFLT: "SIGSTKFLT", SIGTSTP: "SIGTSTP", SIGXCPU: "SIGXCPU",
            SIGXFSZ: "SIGXFSZ", SIGVTALRM: "SIGVTALRM", SIGPROF: "SIGPROF", SIGIO: "SIGIO", SIGPWR: "SIGPWR", SIGSYS: "SIGSYS",
        ]
        if let n = names[sig] { return n }
        #if os(Linux)
        let rtmin = Int32(__libc_current_sigrtmin())
        if sig >= rtmin { return sig == rtmin ? "SIGRTMIN" : "SIGRTMIN+\(sig - rtmin)" }
        #endif
        return "signal \(sig)"
    }
}
