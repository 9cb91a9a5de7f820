import BrewLog
import BrewTestSupport
import Foundation
import XCTest

/// The controller dies, the batch does not: brew the IPA on the simulated brewery with the real
/// `brewctl`, SIGKILL it at 50 seeded-random points of the brew day (each after the persisted
/// brew time passes a random target, or during start-up when that target is already behind),
/// `brewctl resume --yes` after each, and check the batch log against an uninterrupted run.
///
/// The simulated plant lives in brewctl's process, so it is persisted with the batch state and
/// restored exactly on resume (docs/logging.md, "Resume after a crash"): brew time does not
/// advance while brewctl is down, and the 50 times interrupted batch is the uninterrupted one,
/// step for step, sample for sample.
final class KillResumeTests: XCTestCase {
    /// The binary built with these tests (not a stale debug build: the resume format must match).
    private func start(_ arguments: [String]) throws -> ChildProcess {
        try startBrewctl(arguments, orDebugBuild: false)
    }

    private var watcher: BatchLog?

    /// The brew time of the batch's last persisted state, read the way a second process would.
    private func persistedBrewTime(_ db: String) -> Double? {
        // A reader never migrates: no race with brewctl's own first open of the log.
        if watcher == nil, FileManager.default.fileExists(atPath: db) { watcher = try? BatchLog.reading(path: db) }
        guard let log = watcher, let b = try? log.interruptedBatches().first, let s = try? log.state(batch: b.id) else { return nil }
        return s.brewTime
    }

    func testSIGKILLAtFiftyRandomPointsThenResumeGivesTheUninterruptedBatch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = dir.appendingPathComponent("reference.sqlite").path
        let killed = dir.appendingPathComponent("killed.sqlite").path

        let ref = try start(["run", "Recipes/ipa.toml", "--fast", "--yes", "--brewer", "ci", "--db", reference]).finish()
        XCTAssertEqual(ref.status, 0, "\(ref)")
        let refLog = try BatchLog.reading(path: reference)
        let refDetail = try XCTUnwrap(try refLog.batch(1))
        let brewDay = try XCTUnwrap(refDetail.steps.last?.endedAt)

        // 50 kill targets over the brew day (seeded: the same points every run).
        var rng = SplitMix(seed: 0xB12E_3D4C)
        let targets = (0..<50).map { _ in Double(rng.next() % UInt64(brewDay * 0.97)) + 5 }.sorted()
        var kills = 0
        var finished = false
        var first = true
        for target in targets {
            let p = try start(first ? ["run", "Recipes/ipa.toml", "--speed", "1000", "--yes", "--brewer", "ci", "--db", killed]
                                    : ["resume", "--yes", "--speed", "1000", "--brewer", "ci", "--db", killed])
            first = false
            let deadline = Date().addingTimeInterval(30)
            var extra = Double(rng.next() % 40) / 1000   // a few ms on: kills land anywhere, start-up included
            while p.isRunning, Date() < deadline {
                if let t = persistedBrewTime(killed), t >= target { break }
                usleep(10_000)
                extra = max(0, extra - 0.01)
            }
            if extra > 0 { usleep(useconds_t(extra * 1e6)) }
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                let killedRun = p.finish()
                XCTAssertFalse(killedRun.exited, "\(killedRun)")
                kills += 1
            } else {
                let ended = p.finish()
                finished = ended.status == 0
                XCTFail("brewctl ended by itself before kill \(kills + 1) at brew time \(target): \(ended)")
                break
            }
        }
        XCTAssertGreaterThanOrEqual(kills, 50)
        if !finished {
            let last = try start(["resume", "--yes", "--fast", "--brewer", "ci", "--db", killed]).finish()
            XCTAssertEqual(last.status, 0, "the final resume did not complete the batch: \(last)")
        }
        // Nothing left to resume.
        let none = try start(["resume", "--yes", "--db", killed]).finish()
        XCTAssertEqual(none.status, 2, "\(none)")

        let log = try BatchLog.reading(path: killed)
        XCTAssertEqual(try log.batches().count, 1, "every resume continued the same batch")
        let detail = try XCTUnwrap(try log.batch(1))
        XCTAssertEqual(detail.batch.outcome, .completed)
        // Same step sequence as the uninterrupted run, no step started twice, each step starting
        // and ending at the same brew time.
        XCTAssertEqual(detail.steps.map(\.position), refDetail.steps.map(\.position))
        XCTAssertEqual(detail.steps.map(\.name), refDetail.steps.map(\.name))
        XCTAssertEqual(Set(detail.steps.map(\.position)).count, detail.steps.count)
        XCTAssertTrue(detail.steps.allSatisfy { $0.outcome == "completed" })
        XCTAssertEqual(detail.steps.map(\.startedAt), refDetail.steps.map(\.startedAt))
        XCTAssertEqual(detail.steps.map(\.endedAt), refDetail.steps.map(\.endedAt))
        // The kills really interrupted the run, and it said so when it resumed.
        let resumed = detail.events.filter { $0.message.hasPrefix("Resumed after a gap") }
        XCTAssertGreaterThanOrEqual(resumed.count, 25, "most kills should have been after a resume got going")
        // Every addition announced exactly once, as in the uninterrupted run.
        let additions = refDetail.events.filter { $0.message.contains("left in boil") || $0.message.contains("flame-out") || $0.message.contains("first-wort") }
        XCTAssertFalse(additions.isEmpty)
        for a in additions {
            XCTAssertEqual(detail.events.filter { $0.message == a.message }.count, 1, "addition alert: \(a.message)")
        }
        XCTAssertFalse(detail.events.contains { $0.message.contains("MISSED") })
        // Every other event as in the uninterrupted run, at the same brew time (the first names the
        // speed, 1000x here and fast there).
        func events(_ d: BatchDetail) -> [String] {
            d.events.dropFirst().filter { !$0.message.hasPrefix("Resumed after a gap") }.map { "\($0.at) \($0.kind.rawValue) \($0.message)" }
        }
        XCTAssertEqual(events(detail), events(refDetail))
        // Every sample of every channel as in the uninterrupted run: none lost to a kill (the
        // resume continues right after the last committed one), none different.
        XCTAssertEqual(detail.channels.map(\.name), refDetail.channels.map(\.name))
        for (channel, refChannel) in zip(detail.channels, refDetail.channels) {
            let samples = try log.samples(channel: channel.id), expected = try refLog.samples(channel: refChannel.id)
            XCTAssertEqual(samples.first?.at, 0)
            XCTAssertEqual(samples.count, expected.count, "\(channel.name)")
            let first = zip(samples, expected).first { $0.at != $1.at || $0.value != $1.value }
            XCTAssertNil(first.map { "\(channel.name): \($0.0) ≠ \($0.1)" })
        }
    }
}

/// SplitMix64, for seeded kill points.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
