import BrewTestSupport
import Foundation
import XCTest

/// A command running in tmux, a real terminal emulator, on a server of its own: what a brewer
/// would see is read back from tmux's screen (`capture-pane`), resizing the window sends the
/// program SIGWINCH as a terminal window does, and keys are typed into it.
final class Tmux {
    /// The server's socket, in a folder of its own (a socket path must stay short).
    private let folder = URL(fileURLWithPath: "/tmp/brewctl-tmux-\(UUID().uuidString.prefix(8))")
    private var socket: String { folder.appendingPathComponent("s").path }
    let session = "brew"
    /// The server, run in the foreground (-D) as this test's own child: a server that daemonized
    /// itself would keep the descriptor Foundation watches for a child's exit, and the tmux
    /// command that started it would never be seen to end.
    private let server = Process()

    /// Starts `command` (a shell command line) in a window `columns` × `rows`. The pane stays
    /// after the command ends, so its last words can still be read.
    init(columns: Int, rows: Int, command: String, environment: [String: String]) throws {
        try Peers.require(["tmux", "-V"], "tmux")
        var env = brewctlEnvironment()
        for (k, v) in environment { env[k] = v }
        env["LC_ALL"] = "C.UTF-8"   // tmux reads the program's output as UTF-8 only in a UTF-8 locale
        env.removeValue(forKey: "TMUX")
        self.environment = env
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["tmux", "-S", socket, "-f", "/dev/null", "-D"]
        server.environment = env
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket), Date() < deadline { usleep(20_000) }
        let started = tmux(["new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)", command])
        guard started.status == 0 else { throw TmuxError("tmux new-session failed: \(started.output)") }
        _ = tmux(["set-option", "-t", session, "remain-on-exit", "on"])
    }

    private let environment: [String: String]

    deinit {
        _ = tmux(["kill-server"])
        if server.isRunning { server.terminate() }
        server.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The screen as lines, wrapped lines joined (`joined`) or as the rows on screen, with the
    /// history above it (`history`); trailing blanks and blank lines at the end dropped.
    func screen(joined: Bool = true, history: Bool = false) -> [String] {
        var args = ["capture-pane", "-p", "-t", session]
        if joined { args.append("-J") }
        if history { args += ["-S", "-"] }
        var lines = tmux(args).output.components(separatedBy: "\n").map { line in
            String(line.reversed().drop { $0 == " " }.reversed())
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// The screen's lines (wrapped lines joined, with the history) and its rows as they are on
    /// screen, both of one moment: taken again until the screen stood still between them.
    func views() -> (lines: [String], rows: [String]) {
        var last: ([String], [String]) = ([], [])
        for _ in 0..<20 {
            let before = screen(joined: false)
            let lines = screen(history: true)
            if screen(joined: false) == before { return (lines, before) }
            last = (lines, before)
            usleep(50_000)
        }
        return last
    }

    /// Waits until `predicate` holds for the screen (history included); false after `seconds`.
    @discardableResult
    func wait(seconds: Double = 30, until predicate: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if predicate(screen(history: true)) { return true }
            usleep(100_000)
        }
        return predicate(screen(history: true))
    }

    func resize(columns: Int) { _ = tmux(["resize-window", "-t", session, "-x", "\(columns)"]) }

    /// tmux key names: "Enter", "C-c", or literal text.
    func keys(_ keys: String...) { _ = tmux(["send-keys", "-t", session] + keys) }

    private func tmux(_ arguments: [String]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["tmux", "-S", socket] + arguments
        p.environment = environment
        // Into a file: nothing to read to an end that might not come.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: file) }
        guard FileManager.default.createFile(atPath: file.path, contents: nil),
              let out = FileHandle(forWritingAtPath: file.path) else { return (-1, "cannot create \(file.path)") }
        defer { try? out.close() }
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return (-1, "\(error)") }
        p.waitUntilExit()
        let data = (try? Data(contentsOf: file)) ?? Data()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

struct TmuxError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
