import BrewLog
import Foundation
import GRDB
import XCTest

/// Every number from a person or from the database is untrusted: no trap, a clear refusal
/// (docs/safety.md, "Nothing typed or stored crashes the controller").
final class UntrustedInputTests: XCTestCase {
    func testOutOfRangeSpeedsAndNamesAreUsageErrors() throws {
        for speed in ["1e19", "1e400", "inf", "nan", "-5", "0", "1000001"] {
            let r = try BrewctlProcess.run(["run", "Recipes/ipa.toml", "--speed", speed, "--yes", "--db", "/nonexistent/x.sqlite"], for: self)
            XCTAssertEqual(r.status, 64, "--speed \(speed): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("--speed"), "--speed \(speed): \(r.stderr)")
        }
        for name in [String(repeating: "x", count: 65), "ann\u{1B}]0;pwned\u{07}", "bob\rcarol", "\u{202E}evil", "   "] {
            let r = try BrewctlProcess.run(["run", "Recipes/ipa.toml", "--fast", "--yes", "--brewer", name, "--db", "/nonexistent/x.sqlite"], for: self)
            XCTAssertEqual(r.status, 64, "--brewer \(name.debugDescription): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("\u{1B}"), "no raw ESC echoed back")
        }
    }

    /// A batch whose saved state was damaged — numbers out of any range, a text where a number
    /// belongs, a snapshot with a byte changed — is refused by `resume` naming the batch, and
    /// `brewctl log` still shows everything that was logged.
    func testADamagedBatchStateIsRefusedAndTheLogStillReads() throws {
        let dir = temporaryFolder(self, "brewctl-damaged")
        let base = dir.appendingPathComponent("base.sqlite").path
        let run = try BrewctlProcess(["run", "Recipes/ipa.toml", "--speed", "400", "--yes", "--db", base], for: self)
        XCTAssertTrue(run.waitFor("Heat strike water"), run.transcript)
        kill(run.pid, SIGTERM)
        XCTAssertEqual(run.finish(), 3, run.transcript)
        try checkpoint(base)

        let damages: [(String, String)] = [
            ("brew_time = 1e308", "UPDATE batch_state SET brew_time = 1e308"),
            ("brew_time = -1", "UPDATE batch_state SET brew_time = -1"),
            ("brew_time as text", "UPDATE batch_state SET brew_time = 'soon'"),
            ("step_index as text", "UPDATE batch_state SET step_index = 'two'"),
            ("step_index = 999", "UPDATE batch_state SET step_index = 999"),
            ("step_index = 1e300", "UPDATE batch_state SET step_index = 1e300"),
            ("wall = 1e308", "UPDATE batch_state SET wall = 1e308"),
            ("uptime as text", "UPDATE batch_state SET uptime = 'x'"),
            ("state replaced by text", "UPDATE batch_state SET state = 'hello'"),
            ("state a byte changed", "FLIP"),
            ("state truncated", "UPDATE batch_state SET state = substr(state, 1, 100)"),
            ("state empty", "UPDATE batch_state SET state = x''"),
            ("speed label nonsense", "UPDATE batch SET speed = '1e400x'"),
        ]
        for (what, sql) in damages {
            let db = dir.appendingPathComponent("\(what).sqlite").path
            try FileManager.default.copyItem(atPath: base, toPath: db)
            try DatabaseQueue(path: db).write { db in
                if sql == "FLIP" {
                    var blob = try XCTUnwrap(try Data.fetchOne(db, sql: "SELECT state FROM batch_state"))
                    blob[blob.startIndex + blob.count / 2] ^= 0x04
                    try db.execute(sql: "UPDATE batch_state SET state = ?", arguments: [blob])
                } else {
                    try db.execute(sql: sql)
                }
            }
            let resume = try BrewctlProcess.run(["resume", "--fast", "--yes", "--db", db], for: self)
            if what == "speed label nonsense" {
                // Not part of the state: the batch resumes, at real time's stand-in, with --fast here.
                XCTAssertEqual(resume.status, 0, "\(what): \(resume.stderr)")
                continue
            }
            XCTAssertEqual(resume.status, 2, "\(what): \(resume.stderr)")
            XCTAssertTrue(resume.stderr.contains("batch 1"), "\(what): \(resume.stderr)")
            XCTAssertTrue(resume.stderr.contains("damaged") || resume.stderr.contains("cannot be read"), "\(what): \(resume.stderr)")
            let show = try BrewctlProcess.run(["log", "show", "1", "--db", db], for: self)
            XCTAssertEqual(show.status, 0, "\(what): \(show.stderr)")
            XCTAssertTrue(show.stdout.contains("Heat strike water"), what)
            let list = try BrewctlProcess.run(["log", "list", "--db", db], for: self)
            XCTAssertEqual(list.status, 0, "\(what): \(list.stderr)")
        }
    }

    /// Rows of the log itself with nonsense in them: `brewctl log` says which row cannot be read
    /// and exits 2 — it never traps.
    func testNonsenseInTheLogsOwnRowsIsAClearErrorNotACrash() throws {
        let dir = temporaryFolder(self, "brewctl-nonsense")
        let base = dir.appendingPathComponent("base.sqlite").path
        XCTAssertEqual(try BrewctlProcess.run(["run", "Recipes/ipa.toml", "--fast", "--yes", "--db", base], for: self).status, 0)
        try checkpoint(base)
        for (what, sql) in [("started_at as text", "UPDATE batch SET started_at = 'monday'"),
                            ("started_at 1e308", "UPDATE batch SET started_at = 1e308"),
                            ("event wall -1e300", "UPDATE event SET wall = -1e300 WHERE id = 2"),
                            ("event time 1e308", "UPDATE event SET t = 1e308 WHERE id = 3"),
                            ("sample time as text", "UPDATE sample SET t = 'x' WHERE t = (SELECT MAX(t) FROM sample)"),
                            ("step position 1e300", "UPDATE step SET position = 1e300 WHERE id = 2"),
                            ("brew time inf", "UPDATE batch SET brew_time = 9e999")] {
            let db = dir.appendingPathComponent("\(what).sqlite").path
            try FileManager.default.copyItem(atPath: base, toPath: db)
            try DatabaseQueue(path: db).write { try $0.execute(sql: sql) }
            for command in [["log", "list"], ["log", "show", "1"], ["log", "export", "1", "--format", "csv"], ["log", "export", "1", "--format", "json"]] {
                let r = try BrewctlProcess.run(command + ["--db", db], for: self)
                XCTAssertTrue([0, 1, 2].contains(r.status), "\(what) \(command): status \(r.status) (a trap is 132/133/134): \(r.stderr.suffix(400))")
                if r.status != 0 { XCTAssertTrue(r.stderr.contains("cannot be read") || r.stderr.contains("batch"), "\(what) \(command): \(r.stderr)") }
            }
        }
    }

    /// Everything into the main file, so a copy of it alone is the whole log.
    private func checkpoint(_ path: String) throws {
        try DatabaseQueue(path: path).writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}
