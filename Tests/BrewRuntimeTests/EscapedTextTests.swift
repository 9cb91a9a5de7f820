import BrewLog
import Foundation
import XCTest

/// Names and messages from people, files and the batch log reach the terminal with their control
/// characters escaped: ESC, CR, BEL, C1 controls, DEL and bidirectional overrides cannot clear,
/// retitle or rewrite the screen, wherever brewctl prints them.
final class EscapedTextTests: XCTestCase {
    /// Clears the screen, retitles the window, returns to the line start to overwrite it, a CSI
    /// as one C1 byte, DEL, a right-to-left override, an isolate, a forged second line and a tab.
    private let hostile = "IPA\u{1B}[2J\u{1B}]0;owned\u{07}\r\u{9B}31m\u{7F}\u{202E}lager\u{2066}\n[00:00] ✔ forged\tok\u{08}"
    /// How it must be printed.
    private let escaped = #"IPA\e[2J\e]0;owned\a\r\u{9b}31m\x7f\u{202e}lager\u{2066}\n[00:00] ✔ forged\tok\b"#

    /// What in `text` would act on the terminal, once the sequences the live display itself sends
    /// (clear the line, go up a line; the terminal's CR LF) are taken out.
    private func rawControls(in text: String) -> [String] {
        var rest = text
        for own in ["\u{1B}[1A\u{1B}[2K", "\r\u{1B}[2K", "\r\n"] { rest = rest.replacingOccurrences(of: own, with: "\n") }
        return rest.unicodeScalars.filter { s in
            switch s.value {
            case 0x0A: false
            case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: true
            default: false
            }
        }.map { String(format: "U+%04X", $0.value) }
    }

    /// A batch whose every text holds control characters, as an older brewctl or another program
    /// could have written it.
    private func hostileLog(_ path: String, finished: Bool) throws -> BatchLog {
        let log = try BatchLog(path: path)
        let id = try log.startBatch(BatchInfo(recipeName: hostile, recipePath: "Recipes/\(hostile).toml", hardwarePath: "Hardware/sim.toml",
                                              brewer: "ann\(hostile)", startedAt: Date(), simulated: true, speed: "fast\u{1B}[5m"))
        _ = try log.addChannel(batch: id, name: "hlt\u{1B}[8m.temperature", unit: "°C")
        let step = try log.stepStarted(batch: id, position: 0, kind: "confirm", name: "Mash \(hostile)", at: 0, wall: Date())
        try log.event(batch: id, at: 0, wall: Date(), kind: .alarm, message: "Probe \(hostile)", actor: "bob\(hostile)")
        if finished {
            try log.stepEnded(step: step, at: 60, wall: Date(), outcome: "aborted")
            try log.finishBatch(id, outcome: .aborted, reason: "stopped by \(hostile)", wall: Date())
        } else {
            try log.saveState(BatchState(batch: id, stepIndex: 0, brewTime: 60, wall: Date(), bootID: nil, uptime: nil, payload: Data()))
        }
        return log
    }

    func testLogShowAndListPrintWhatTheDatabaseHoldsEscaped() throws {
        let db = temporaryFolder(self, "brewctl-escaped").appendingPathComponent("batches.sqlite").path
        _ = try hostileLog(db, finished: true)
        let shown = try brewctl(["log", "show", "1", "--db", db])
        XCTAssertEqual(shown.status, 0, "\(shown)")
        XCTAssertEqual(rawControls(in: shown.stdout), [], shown.stdout)
        let lines = shown.stdout.components(separatedBy: "\n")
        for line in ["Batch 1: \(escaped)", "  brewer     ann\(escaped)", "  recipe     Recipes/\(escaped).toml",
                     "  outcome    aborted: stopped by \(escaped)"] {
            XCTAssertTrue(lines.contains(line), "\(line) — in:\n\(shown.stdout)")
        }
        for part in ["Mash \(escaped)", "Probe \(escaped)", "bob\(escaped)", #"hlt\e[8m.temperature"#] {
            XCTAssertTrue(lines.contains { $0.contains(part) }, "\(part) — in:\n\(shown.stdout)")
        }
        // One line per step and per event: a line break in a name stays in its cell.
        let events = try XCTUnwrap(lines.firstIndex(of: "Events"))
        XCTAssertEqual(lines[(events + 1)...].filter { !$0.isEmpty }.count, 2, "header and one event:\n\(shown.stdout)")
        XCTAssertFalse(shown.stdout.contains("\n[00:00] ✔ forged"), "no forged line:\n\(shown.stdout)")

        let listed = try brewctl(["log", "list", "--db", db])
        XCTAssertEqual(listed.status, 0, "\(listed)")
        XCTAssertEqual(rawControls(in: listed.stdout), [], listed.stdout)
        XCTAssertEqual(listed.stdout.components(separatedBy: "\n").filter { !$0.isEmpty }.count, 2, "header and one batch:\n\(listed.stdout)")
        XCTAssertTrue(listed.stdout.contains(#"fast\e[5m"#), listed.stdout)
    }

    func testAnInterruptedBatchIsAnnouncedEscaped() throws {
        let run = try BrewctlRun(for: self)
        _ = try hostileLog(run.database, finished: false)
        let result = try brewctl(["run", run.recipe.path, "--new", "--fast", "--yes", "--db", run.database])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertEqual(rawControls(in: result.stdout + result.stderr), [], result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("batch 1 (\(escaped), started ") && result.stdout.contains("by ann\(escaped)) was interrupted; marked abandoned (--new)."),
                      result.stdout)
    }

    /// `brewctl confirm` requests come through the database, so whoever wrote them, their names
    /// reach the live display — escaped.
    func testNamesFromTheDatabaseReachTheLiveDisplayEscaped() throws {
        let run = try BrewctlRun(for: self)
        let tty = try PseudoTerminal()
        tty.resize(columns: 120, rows: 30)
        guard let terminal = FileHandle(forUpdatingAtPath: tty.slavePath) else { throw XCTSkip("cannot open \(tty.slavePath)") }
        try run.start(["run", run.recipe.path, "--speed", "300", "--brewer", "ann"], stdout: terminal, stdin: terminal,
                      environment: ["TERM": "xterm"], for: self)
        try terminal.close()
        XCTAssertTrue(tty.wait(for: "press Enter"), tty.transcript)
        // What `brewctl confirm` writes, with a name no command line would let through.
        let log = try BatchLog(path: run.database)
        // The controller says what it waits for at its next sample.
        var asked: (presence: ControllerPresence, key: String)?
        let deadline = Date().addingTimeInterval(30)
        while asked == nil, Date() < deadline {
            if let presence = try log.presence(batch: 1), let waiting = presence.waiting { asked = (presence, waiting.key) } else { usleep(50_000) }
        }
        let (presence, key) = try XCTUnwrap(asked, "the batch waits for its first step:\n\(tty.transcript)")
        try log.request(.confirm, batch: 1, answers: key, controller: presence.session, by: "mallory\(hostile)", wall: Date())
        XCTAssertTrue(tty.wait(for: "✔ Confirmed: Fill the HLT (mallory"), tty.transcript)
        XCTAssertTrue(tty.wait(for: "Batch complete"), tty.transcript)
        let (exited, stderr) = run.finish(within: 60)
        XCTAssertTrue(exited, stderr)
        XCTAssertEqual(run.process.terminationStatus, 0, "\(tty.transcript)\n\(stderr)")
        let screen = String(decoding: tty.bytes, as: UTF8.self)
        XCTAssertEqual(rawControls(in: screen), [], screen)
        XCTAssertTrue(screen.contains("(mallory\(escaped))"), screen)
    }
}
