import BrewLog
import Foundation
import XCTest

final class BatchLogTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_790_000_000)

    private func info(_ name: String = "American IPA") -> BatchInfo {
        BatchInfo(recipeName: name, recipePath: "Recipes/ipa.toml", hardwarePath: "Hardware/sim.toml", brewer: "ann",
                  startedAt: start, simulated: true, speed: "fast")
    }

    private func temporaryPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewlog-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.appendingPathComponent("sub/batches.sqlite").path
    }

    func testABatchWithStepsEventsAndSamplesReadsBack() throws {
        let log = try BatchLog.inMemory()
        let id = try log.startBatch(info())
        let temp = try log.addChannel(batch: id, name: "mash.temperature", unit: "°C")
        let heater = try log.addChannel(batch: id, name: "mash.heater", unit: "%")
        let step = try log.stepStarted(batch: id, position: 0, kind: "rest", name: "Saccharification rest", at: 0, wall: start)
        for s in 0..<10 {
            log.record(channel: temp, batch: id, at: Double(s), value: 60 + Double(s) / 10)
            log.record(channel: heater, batch: id, at: Double(s), value: s == 5 ? nil : 40)
        }
        try log.event(batch: id, at: 3, wall: start.addingTimeInterval(3), kind: .alert, message: "Add 30 g Citra", actor: nil)
        try log.event(batch: id, at: 4, wall: start.addingTimeInterval(4), kind: .confirmation, message: "grain added", actor: "ann")
        try log.stepEnded(step: step, at: 9, wall: start.addingTimeInterval(9), outcome: "completed")
        try log.finishBatch(id, outcome: .completed, reason: nil, wall: start.addingTimeInterval(10))

        let d = try XCTUnwrap(try log.batch(id))
        XCTAssertEqual(d.batch.info, info())
        XCTAssertEqual(d.batch.outcome, .completed)
        XCTAssertEqual(d.batch.finishedAt, start.addingTimeInterval(10))
        XCTAssertEqual(d.channels.map(\.name), ["mash.temperature", "mash.heater"])
        XCTAssertEqual(d.steps.count, 1)
        XCTAssertEqual(d.steps[0].endedAt, 9)
        XCTAssertEqual(d.steps[0].outcome, "completed")
        XCTAssertEqual(d.events.map(\.kind), [.alert, .confirmation])
        XCTAssertEqual(d.events[1].actor, "ann")
        XCTAssertEqual(d.sampleCount, 20)
        let heaterSamples = try log.samples(channel: heater)
        XCTAssertEqual(heaterSamples.count, 10)
        XCTAssertNil(heaterSamples[5].value, "a missing value is stored as NULL, not as a made-up number")
        XCTAssertEqual(try log.samples(channel: temp).last?.value ?? 0, 60.9, accuracy: 1e-9)
        XCTAssertNil(try log.batch(id + 1))
    }

    func testBatchesAreListedAndAnUnfinishedOneHasNoOutcome() throws {
        let log = try BatchLog.inMemory()
        let a = try log.startBatch(info("IPA"))
        try log.finishBatch(a, outcome: .aborted, reason: "stopped by ann", wall: start)
        _ = try log.startBatch(info("Hefeweizen"))
        let all = try log.batches()
        XCTAssertEqual(all.map(\.info.recipeName), ["IPA", "Hefeweizen"])
        XCTAssertEqual(all[0].outcome, .aborted)
        XCTAssertEqual(all[0].reason, "stopped by ann")
        XCTAssertNil(all[1].outcome)
    }

    func testTwoHundredThousandSamplesAreAllKept() throws {
        let log = try BatchLog(path: temporaryPath())
        let id = try log.startBatch(info())
        let channels = try (0..<10).map { try log.addChannel(batch: id, name: "c\($0)", unit: "°C") }
        for t in 0..<20_000 {
            for c in channels { log.record(channel: c, batch: id, at: Double(t), value: Double(t % 100)) }
            if t % 5 == 4 { try log.flush() }
        }
        try log.flush()
        XCTAssertEqual(try log.sampleCount(batch: id), 200_000)
    }

    func testWhatWasFlushedSurvivesReopeningTheFile() throws {
        let path = temporaryPath()
        do {
            let log = try BatchLog(path: path)
            let id = try log.startBatch(info())
            let c = try log.addChannel(batch: id, name: "kettle.temperature", unit: "°C")
            log.record(channel: c, batch: id, at: 1, value: 99.5)
            try log.flush()
            try log.event(batch: id, at: 1, wall: start, kind: .alarm, message: "kettle: probe lost — heater off", actor: "brewctl")
        }
        let reopened = try BatchLog(path: path)
        let d = try XCTUnwrap(try reopened.batch(1))
        XCTAssertEqual(d.sampleCount, 1)
        XCTAssertEqual(d.events.first?.kind, .alarm)
        XCTAssertNil(d.batch.outcome, "an interrupted batch stays open, with everything logged before the crash")
    }

    func testDefaultPathFollowsXDGAndSystemd() {
        XCTAssertEqual(BatchLog.defaultPath(environment: ["HOME": "/home/ann"]), "/home/ann/.local/share/brewctl/batches.sqlite")
        XCTAssertEqual(BatchLog.defaultPath(environment: ["HOME": "/home/ann", "XDG_DATA_HOME": "/data"]), "/data/brewctl/batches.sqlite")
        XCTAssertEqual(BatchLog.defaultPath(environment: ["HOME": "/home/ann", "STATE_DIRECTORY": "/var/lib/brewctl"]),
                       "/var/lib/brewctl/batches.sqlite")
        XCTAssertEqual(BatchLog.defaultPath(environment: ["STATE_DIRECTORY": "/var/lib/brewctl", "BREWCTL_DB": "/tmp/x.sqlite"]),
                       "/tmp/x.sqlite")
    }

    func testUnopenableLocationGivesAClearError() {
        XCTAssertThrowsError(try BatchLog(path: "/proc/brewctl-cannot-be-here/batches.sqlite")) { error in
            XCTAssertTrue("\(error)".contains("--db"), "\(error)")
        }
    }

    func testCSVExportIsWideAndQuotesPerRFC4180() throws {
        let log = try BatchLog.inMemory()
        let id = try log.startBatch(info())
        let t = try log.addChannel(batch: id, name: "mash.temperature", unit: "°C")
        let h = try log.addChannel(batch: id, name: "mash.heater", unit: "%")
        for s in 0..<3 {
            log.record(channel: t, batch: id, at: Double(s), value: 66.25)
            log.record(channel: h, batch: id, at: Double(s), value: s == 1 ? nil : 30)
        }
        try log.event(batch: id, at: 1, wall: start, kind: .alert, message: "Add 30 g Citra, \"whole\"", actor: nil)
        try log.event(batch: id, at: 1.5, wall: start, kind: .info, message: "between samples", actor: nil)
        var out = ""
        try log.exportCSV(batch: id) { out += $0 }
        let lines = out.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        XCTAssertEqual(lines[0], "brew_time_s,elapsed,mash.temperature [°C],mash.heater [%],events")
        XCTAssertEqual(lines[1], "0,0:00:00,66.25,30,")
        XCTAssertEqual(lines[2], "1,0:00:01,66.25,,\"alert: Add 30 g Citra, \"\"whole\"\"\"")
        XCTAssertEqual(lines[3], "1.5,0:00:01,,,info: between samples")
        XCTAssertEqual(lines[4], "2,0:00:02,66.25,30,")
        XCTAssertEqual(lines.count, 5)
    }

    /// A message or a channel name with a line break (CR LF among them) in it stays one field.
    func testCSVQuotesLineBreaksWhateverTheyAre() throws {
        let log = try BatchLog.inMemory()
        let id = try log.startBatch(info())
        let t = try log.addChannel(batch: id, name: "hlt\r\ntemperature", unit: "°C")
        log.record(channel: t, batch: id, at: 0, value: 20)
        try log.event(batch: id, at: 0, wall: start, kind: .info, message: "one\r\ntwo\rthree\nfour \u{1B}[2J", actor: "ann\r\n")
        var out = ""
        try log.exportCSV(batch: id) { out += $0 }
        // Records are ended by CR LF outside quotes (RFC 4180); count them by scalar.
        var records: [[String]] = [[""]]
        var quoted = false
        var previous: Unicode.Scalar?
        for s in out.unicodeScalars {
            if s == "\"" { quoted.toggle() } else if !quoted && s == "," { records[records.count - 1].append("") }
            else if !quoted && s == "\n" && previous == "\r" { records[records.count - 1][records[records.count - 1].count - 1].removeLast(); records.append([""]) }
            else { records[records.count - 1][records[records.count - 1].count - 1].unicodeScalars.append(s) }
            previous = s
        }
        XCTAssertEqual(records.last, [""], out)
        records.removeLast()
        XCTAssertEqual(records.count, 2, "a header and one row:\n\(out)")
        XCTAssertEqual(records.first?[2], "hlt\r\ntemperature [°C]")
        XCTAssertEqual(records.last?.last, "info: one\r\ntwo\rthree\nfour \u{1B}[2J (ann\r\n)", "data is kept as it is, quoted")
    }

    func testJSONExportRoundTrips() throws {
        let log = try BatchLog.inMemory()
        let id = try log.startBatch(info())
        let t = try log.addChannel(batch: id, name: "kettle.temperature", unit: "°C")
        log.record(channel: t, batch: id, at: 0, value: 20)
        log.record(channel: t, batch: id, at: 1, value: nil)
        try log.finishBatch(id, outcome: .completed, reason: nil, wall: start)
        let json = try JSONSerialization.jsonObject(with: try log.exportJSON(batch: id)) as? [String: Any]
        let channels = try XCTUnwrap(json?["channels"] as? [[String: Any]])
        XCTAssertEqual(channels.first?["name"] as? String, "kettle.temperature")
        let samples = try XCTUnwrap(channels.first?["samples"] as? [[Any]])
        XCTAssertEqual(samples.count, 2)
        XCTAssertTrue(samples[1][1] is NSNull)
        XCTAssertEqual((json?["batch"] as? [String: Any])?["outcome"] as? String, "completed")
        XCTAssertThrowsError(try log.exportJSON(batch: 99))
    }

    /// Writers opening one new log from many threads at once (each its own connection, as other
    /// processes would be) all succeed: the schema is created exactly once.
    func testConcurrentFirstOpensNeverRace() throws {
        for round in 0..<20 {
            let path = temporaryPath()
            final class Errors: @unchecked Sendable {
                let lock = NSLock()
                var all: [String] = []
                func add(_ e: String) { lock.lock(); all.append(e); lock.unlock() }
            }
            let errors = Errors()
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do { _ = try BatchLog(path: path).batches() } catch { errors.add("\(error)") }
            }
            XCTAssertEqual(errors.all, [], "round \(round)")
        }
    }

    /// A reader never creates, migrates or writes: an empty file stays empty, and a log of an
    /// older schema is read as it is.
    func testAReaderNeverWrites() throws {
        let path = temporaryPath()
        XCTAssertThrowsError(try BatchLog.reading(path: path), "no file: nothing created")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        XCTAssertThrowsError(try BatchLog.reading(path: path))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, 0, "an empty file stays empty")
        let writer = try BatchLog(path: path)
        _ = try writer.startBatch(BatchInfo(recipeName: "r", recipePath: "r.toml", hardwarePath: "h.toml", brewer: "a",
                                            startedAt: Date(timeIntervalSince1970: 1), simulated: true, speed: "fast"))
        let reader = try BatchLog.reading(path: path)
        XCTAssertEqual(try reader.batches().map(\.info.recipeName), ["r"])
        XCTAssertThrowsError(try reader.startBatch(BatchInfo(recipeName: "x", recipePath: "", hardwarePath: "", brewer: "",
                                                             startedAt: Date(), simulated: true, speed: "")))
    }

    /// What the log promises: real rigs sync every commit (GRDB's WAL set-up sets NORMAL itself;
    /// ours is applied after it).
    func testFullDurabilityIsReallySet() throws {
        let log = try BatchLog(path: temporaryPath(), durability: .full)
        XCTAssertEqual(try log.pragma("synchronous"), "2", "FULL")
        let fast = try BatchLog(path: temporaryPath(), durability: .normal)
        XCTAssertEqual(try fast.pragma("synchronous"), "1", "NORMAL")
    }
}
