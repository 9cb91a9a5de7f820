import ArgumentParser
import BrewConfig
import BrewCore
import BrewHost
import BrewLog
import BrewRig
import BrewRigIO
import Foundation

/// The controller's guard: a small process of its own that outlives the controller by a moment.
/// On a Raspberry Pi a GPIO line keeps its last level when the process holding it dies, so a
/// controller that is killed (SIGKILL, the OOM killer) or crashes would leave an SSR on. The
/// guard waits on a pipe from the controller; a clean stop writes "done" and the guard exits;
/// if the pipe closes without it — the controller died — the guard switches every output of the
/// rig off and logs it. Under systemd `ExecStopPost=brewctl off` does the same, so the service
/// runs without a guard (docs/safety.md, "How brewctl stops").
struct Guard: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Internal: switch the rig off if the controller dies without stopping.",
        shouldDisplay: false
    )

    @Option(help: "The controller's process id.")
    var parent: Int32

    @Option(help: "The rig's hardware file.")
    var hardware: String

    @Option(help: "The batch database.")
    var db: String?

    func run() throws {
        for sig in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU] { signal(sig, SIG_IGN) }
        var word: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if n > 0 { word += buffer[..<n]; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        if String(decoding: word, as: UTF8.self).contains("done") { return }

        // The controller is gone, and with it every line and bus it held.
        guard let rig = try? HardwareLoader.load(path: hardware), rig.backend == .linux else { return }
        var lock: [KernelLock] = []
        for _ in 0..<20 {
            do {
                lock = try RigLock.acquire(rig)
                break
            } catch let held as RigLock.Held {
                // Someone else already took the rig (a new controller switched it off at its start).
                if held.holder.pid != parent { return }
                usleep(100_000)
            } catch {
                break
            }
        }
        var failed: [String] = []
        for _ in 0..<10 {
            failed = RigOutputs(rig: rig, buses: LinuxRigBuses(rig: rig)).allOff().compactMap { r in r.error.map { "\(r.output): \($0)" } }
            if failed.isEmpty { break }
            usleep(200_000)   // a line the kernel has not released yet
        }
        withExtendedLifetime(lock) {}
        let words = failed.isEmpty
            ? "its guard switched every output off"
            : "its guard could not switch \(failed.joined(separator: "; ")) off — check them by hand"
        writeStandardError("brewctl guard: the controller (process \(parent)) ended without stopping: \(words)\n")
        recordDeath(words)
    }

    /// Logs the controller's death on the batch it was running (the one whose controller row
    /// names its process), so the record says what happened.
    private func recordDeath(_ words: String) {
        guard let path = db, FileManager.default.fileExists(atPath: path), let log = try? BatchLog(path: path) else { return }
        for batch in (try? log.unfinishedBatches()) ?? [] {
            guard let presence = try? log.presence(batch: batch.id), presence.pid == parent,
                  let state = try? log.state(batch: batch.id) else { continue }
            try? log.atomically {
                try log.event(batch: batch.id, at: state.brewTime, wall: Date(), kind: .alarm,
                              message: "The controller (process \(parent)) ended without stopping — killed or crashed: \(words). The batch is interrupted; `brewctl resume` continues it",
                              actor: "brewctl guard")
                try log.withdrawPresence(batch: batch.id)
            }
        }
    }
}

/// The running controller's side of the guard: spawned before the first output can be switched
/// on, told "done" when the controller has stopped cleanly.
final class ControllerGuard {
    private var channel: Int32 = -1
    let pid: pid_t

    /// Starts `brewctl guard` in a session of its own (so the terminal's Ctrl-C and hang-up do
    /// not reach it) with the read end of a pipe as its input; nil when it cannot be started
    /// (said on stderr: the run goes on, as it would without one).
    init?(hardware: String, db: String?) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let args = [exe, "guard", "--parent", "\(getpid())", "--hardware", hardware] + (db.map { ["--db", $0] } ?? [])
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO)
        posix_spawnattr_setflags(&attributes, Int16(0x80))   // POSIX_SPAWN_SETSID (glibc), a macro Swift cannot see
        var child: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        let rc = posix_spawn(&child, exe, &actions, &attributes, argv, environ)
        close(fds[0])
        guard rc == 0 else {
            close(fds[1])
            printError("could not start the controller's guard (\(String(cString: strerror(rc)))): if this process is killed, run `brewctl off`")
            return nil
        }
        channel = fds[1]
        pid = child
    }

    /// The controller stopped cleanly and switched everything off itself.
    func done() {
        guard channel >= 0 else { return }
        _ = "done\n".withCString { write(channel, $0, 5) }
        close(channel)
        channel = -1
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
