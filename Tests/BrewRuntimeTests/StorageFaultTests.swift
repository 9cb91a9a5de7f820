#if canImport(Glibc)
import Glibc
#endif
import BrewLog
import BrewTestSupport
import Foundation
import GRDB
import XCTest

/// Storage faults lose nothing and leave a true record (docs/safety.md, "Storage faults"): a disk
/// that fills mid-brew, a log deleted or replaced under a running batch, a log the user may only
/// read, a damaged log, and several processes opening one new log at once.
final class StorageFaultTests: XCTestCase {
    /// A small filesystem of its own (tmpfs) for the log, so the disk can really fill. Needs root
    /// (CI is); elsewhere the test fails unless BREWCTL_SKIP_PEERS asks to skip such set-ups.
    private func smallDisk(megabytes: Int) throws -> URL {
        let dir = temporaryFolder(self, "brewctl-full")
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", dir.path]
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else {
            let message = "cannot mount a small tmpfs for the disk-full test (needs root)"
            if ProcessInfo.processInfo.environment["BREWCTL_SKIP_PEERS"] != nil { throw XCTSkip(message) }
            XCTFail(message + "; set BREWCTL_SKIP_PEERS=1 to skip it")
            throw XCTSkip(message)
        }
        addTeardownBlock {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = ["-l", dir.path]
            try? umount.run()
            umount.waitUntilExit()
        }
        return dir
    }

    /// Writes zeros until the disk says it is full.
    private func fill(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT, 0o644)
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 64 << 10)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
    }

    func testADiskThatFillsMidBrewInterruptsTheBatchWhichResumesOnceThereIsRoomAgain() throws {
        let dir = try smallDisk(megabytes: 48)
        let db = dir.appendingPathComponent("batches.sqlite").path
        let run = try BrewctlProcess(["run", "Recipes/ipa.toml", "--speed", "500", "--yes", "--brewer", "ci", "--db", db], for: self)
        XCTAssertTrue(run.waitFor("Heat strike water"), run.transcript)
        sleep(1)
        fill(dir.appendingPathComponent("filler").path)
        XCTAssertEqual(run.finish(seconds: 60), 3, run.transcript)
        XCTAssertTrue(run.stderr.contains("the disk holding the batch log is full"), run.transcript)
        XCTAssertTrue(run.stderr.contains("every output is off and the stop is logged"), run.transcript)

        // Still full: nothing starts (it could not be logged).
        let refused = try BrewctlProcess.run(["resume", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("full"), refused.stderr)

        try FileManager.default.removeItem(atPath: dir.appendingPathComponent("filler").path)
        let resumed = try BrewctlProcess.run(["resume", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)

        let log = try BatchLog.reading(path: db)
        let detail = try XCTUnwrap(try log.batch(1))
        XCTAssertEqual(detail.batch.outcome, .completed)
        XCTAssertTrue(detail.events.contains { $0.kind == .alarm && $0.message.hasPrefix("Stopped: the disk holding the batch log is full") },
                      "the log says what happened")
        XCTAssertFalse(detail.steps.contains { $0.outcome != "completed" }, "no step marked failed: \(detail.steps.map { $0.outcome ?? "—" })")
        XCTAssertEqual(detail.steps.map(\.position), Array(0..<detail.steps.count), "every step once")
        // A sample every second of brew time, with no gap nothing covers.
        let channel = try XCTUnwrap(detail.channels.first { $0.name == "hlt.temperature" })
        let times = try log.samples(channel: channel.id).map(\.at)
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        XCTAssertLessThanOrEqual(gaps.max() ?? 99, 1.0 + 1e-6, "largest gap between samples")
    }

    func testALogDeletedOrReplacedUnderARunningBatchStopsItAndNothingLoggedIsLost() throws {
        for replace in [false, true] {
            let dir = temporaryFolder(self, "brewctl-gone")
            let db = dir.appendingPathComponent("batches.sqlite").path
            let run = try BrewctlProcess(["run", "Recipes/ipa.toml", "--speed", "400", "--yes", "--db", db], for: self)
            XCTAssertTrue(run.waitFor("Heat strike water"), run.transcript)
            sleep(1)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
            if replace { try DatabaseQueue(path: db).write { try $0.execute(sql: "CREATE TABLE other (x)") } }
            XCTAssertEqual(run.finish(seconds: 60), 3, run.transcript)
            let word = replace ? "replaced" : "deleted"
            XCTAssertTrue(run.stderr.contains("was \(word)"), run.transcript)
            let rescued = try XCTUnwrap(run.stderr.firstMatch(of: /saved in (\S+batches\.sqlite\.rescued-\d+)/).map { String($0.1) }, run.transcript)
            let log = try BatchLog.reading(path: rescued)
            let detail = try XCTUnwrap(try log.batch(1))
            XCTAssertTrue(detail.events.contains { $0.message.contains("was \(word)") }, "the stop is in the rescued log")
            XCTAssertGreaterThan(detail.sampleCount, 100)
            // And it resumes from the rescued copy.
            let resumed = try BrewctlProcess.run(["resume", "--fast", "--yes", "--db", rescued], for: self)
            XCTAssertEqual(resumed.status, 0, resumed.stderr)
        }
    }

    /// `brewctl log list/show/export` on a log the user can only read: they read, and write nothing.
    func testTheLogReadsForAUserWhoMayOnlyReadIt() throws {
        let dir = temporaryFolder(self, "brewctl-readonly")
        let db = dir.appendingPathComponent("batches.sqlite").path
        XCTAssertEqual(try BrewctlProcess.run(["run", "Recipes/ipa.toml", "--fast", "--yes", "--db", db], for: self).status, 0)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let sum = try Data(contentsOf: URL(fileURLWithPath: db))
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path)
        for f in before { try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: dir.appendingPathComponent(f).path) }
        addTeardownBlock { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path) }
        // As root, permissions do not bind: read as nobody then.
        let asReader: [String] = getuid() == 0 ? ["/usr/sbin/runuser", "-u", "nobody", "--"] : []
        let exe = try brewctlExecutable().path
        for command in [["log", "list"], ["log", "show", "1"], ["log", "export", "1", "--format", "csv"], ["log", "export", "1", "--format", "json"]] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: asReader.first ?? exe)
            p.arguments = Array(asReader.dropFirst()) + (asReader.isEmpty ? [] : [exe]) + command + ["--db", db]
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, "\(command): \(stderr)")
            XCTAssertGreaterThan(stdout.count, 50, "\(command) printed the batch")
            XCTAssertFalse(stderr.contains("readonly"), stderr)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), before, "nothing created")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), sum, "nothing written")
    }

    /// A log that fails SQLite's integrity check is reported before a batch starts on it.
    func testADamagedLogIsReportedBeforeABatchStarts() throws {
        let dir = temporaryFolder(self, "brewctl-corrupt")
        let db = dir.appendingPathComponent("batches.sqlite").path
        XCTAssertEqual(try BrewctlProcess.run(["run", "Recipes/ipa.toml", "--fast", "--yes", "--db", db], for: self).status, 0)
        // Checkpointed into the main file, then a page in the middle overwritten.
        try DatabaseQueue(path: db).writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: db))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2 / 4096 * 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096 * 3))
        try handle.close()
        let run = try BrewctlProcess.run(["run", "Recipes/ipa.toml", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("fails its integrity check") || run.stderr.contains("damaged"), run.stderr)
        XCTAssertTrue(run.stderr.contains("nothing was") , run.stderr)
    }

    /// Several processes opening one new log at once — a starting `brewctl run` and a `brewctl
    /// log`, `confirm` and `ack` from other terminals — never race its creation.
    func testManyProcessesOpeningOneNewLogAtOnceNeverRace() throws {
        let dir = temporaryFolder(self, "brewctl-race")
        // A short batch: what matters is the first moments, when the log is created.
        let recipe = dir.appendingPathComponent("short.toml").path
        try """
        name = "Short"
        [[steps]]
        name = "Fill the HLT"
        kind = "confirm"
        message = "Fill the HLT, then confirm"
        actions = [{ action = "fill", vessel = "hlt", volume = "20 L" }]
        [[steps]]
        name = "Warm it"
        kind = "heat"
        vessel = "hlt"
        temperature = "25 C"
        """.write(toFile: recipe, atomically: true, encoding: .utf8)
        for round in 0..<12 {
            let db = dir.appendingPathComponent("r\(round).sqlite").path
            var others: [BrewctlProcess] = []
            let run = try BrewctlProcess(["run", recipe, "--fast", "--yes", "--db", db], for: self)
            for k in 0..<6 {
                let command = [["ack"], ["confirm"], ["log", "list"]][k % 3]
                others.append(try BrewctlProcess(command + ["--db", db], for: self))
            }
            XCTAssertEqual(run.finish(), 0, "round \(round)\n\(run.transcript)")
            for o in others {
                let status = o.finish()
                XCTAssertTrue([0, 2].contains(status), "round \(round): \(o.process.arguments ?? []) \(status)\n\(o.transcript)")
                XCTAssertFalse(o.stderr.contains("already exists"), o.transcript)
                XCTAssertFalse(o.stderr.contains("locked"), o.transcript)
            }
            XCTAssertFalse(run.stderr.contains("already exists"), run.transcript)
        }
    }
}
