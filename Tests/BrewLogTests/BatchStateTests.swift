import BrewLog
import GRDB
import Foundation
import XCTest

final class BatchStateTests: XCTestCase {
    private func info() -> BatchInfo {
        BatchInfo(recipeName: "IPA", recipePath: "Recipes/ipa.toml", hardwarePath: "Hardware/sim.toml", brewer: "ci",
                  startedAt: Date(timeIntervalSince1970: 1_000), simulated: true, speed: "fast")
    }

    func testStateIsSavedWithTheSamplesAndAnInterruptedBatchCanBeFoundAndAbandoned() throws {
        let log = try BatchLog.inMemory()
        let id = try log.startBatch(info())
        let ch = try log.addChannel(batch: id, name: "hlt.temperature", unit: "°C")
        XCTAssertEqual(try log.interruptedBatches().map(\.id), [], "no state yet: nothing to resume")
        log.record(channel: ch, batch: id, at: 1, value: 20)
        let state = BatchState(batch: id, stepIndex: 3, brewTime: 1, wall: Date(timeIntervalSince1970: 1_001),
                               bootID: "b", uptime: 5, payload: Data("{\"x\":1}".utf8))
        try log.flush(state: state)
        XCTAssertEqual(try log.sampleCount(batch: id), 1)
        XCTAssertEqual(try log.state(batch: id), state)
        XCTAssertEqual(try log.interruptedBatches().map(\.id), [id])

        try log.abandon(id, reason: "new batch", wall: Date(timeIntervalSince1970: 2_000), actor: "ci")
        XCTAssertEqual(try log.interruptedBatches().map(\.id), [])
        XCTAssertNil(try log.state(batch: id))
        let detail = try XCTUnwrap(try log.batch(id))
        XCTAssertEqual(detail.batch.outcome, .abandoned)
        XCTAssertTrue(detail.events.contains { $0.kind == .abort && $0.message.contains("Abandoned") })
    }

    func testAtomicallyRollsBackEverythingWhenOneWriteFails() throws {
        let log = try BatchLog.inMemory()
        let id = try log.startBatch(info())
        XCTAssertThrowsError(try log.atomically {
            try log.event(batch: id, at: 1, wall: Date(), kind: .info, message: "one", actor: nil)
            try log.saveState(BatchState(batch: id, stepIndex: 0, brewTime: 1, wall: Date(), bootID: nil, uptime: nil, payload: Data("{}".utf8)))
            throw BatchLogError("disk full")
        })
        XCTAssertEqual(try log.batch(id)?.events.count, 0)
        XCTAssertNil(try log.state(batch: id))
    }

    func testAFinishedBatchHasNothingToResume() throws {
        let log = try BatchLog.inMemory()
        let id = try log.startBatch(info())
        try log.saveState(BatchState(batch: id, stepIndex: 0, brewTime: 1, wall: Date(), bootID: nil, uptime: nil, payload: Data("{}".utf8)))
        try log.finishBatch(id, outcome: .completed, reason: nil, wall: Date())
        XCTAssertEqual(try log.interruptedBatches().map(\.id), [])
    }
}

/// The resumable state is stored as the bytes it is; states that older versions stored as text
/// still read back; operator requests from another process are taken, and looking for them costs
/// nothing while no other connection wrote.
final class BatchStatePayloadTests: XCTestCase {
    private func info() -> BatchInfo {
        BatchInfo(recipeName: "IPA", recipePath: "Recipes/ipa.toml", hardwarePath: "Hardware/sim.toml", brewer: "ci",
                  startedAt: Date(timeIntervalSince1970: 1_000), simulated: true, speed: "fast")
    }

    private func temporaryPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewlog-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir.appendingPathComponent("batches.sqlite").path
    }

    func testABinaryPayloadRoundTripsByteForByte() throws {
        let log = try BatchLog.inMemory()
        let id = try log.startBatch(info())
        // NULs and bytes that are not UTF-8: text storage would have mangled them.
        let payload = Data([0x42, 0x52, 0x57, 0x53, 0x00, 0xFF, 0xFE, 0x80, 0x00, 0x7B])
        try log.flush(state: BatchState(batch: id, stepIndex: 2, brewTime: 5, wall: Date(timeIntervalSince1970: 1_005),
                                        bootID: nil, uptime: nil, payload: payload))
        XCTAssertEqual(try log.state(batch: id)?.payload, payload)
    }

    func testAStateStoredAsTextByAnOlderVersionReadsBack() throws {
        let path = temporaryPath()
        let id = try BatchLog(path: path).startBatch(info())
        let json = #"{"version":1,"brewTime":5}"#
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO batch_state (batch_id, step_index, brew_time, wall, state) VALUES (?, 0, 5, 1005, ?)",
                           arguments: [id, json])
            XCTAssertEqual(try String.fetchOne(db, sql: "SELECT typeof(state) FROM batch_state"), "text")
        }
        XCTAssertEqual(try BatchLog(path: path).state(batch: id)?.payload, Data(json.utf8))
    }

    func testRequestsFromAnotherConnectionAreTakenOnceAndOwnRequestsToo() throws {
        let path = temporaryPath()
        let running = try BatchLog(path: path)
        let id = try running.startBatch(info())
        XCTAssertTrue(try running.takeOperatorRequests(batch: id).isEmpty)
        XCTAssertTrue(try running.takeOperatorRequests(batch: id).isEmpty, "nothing new: nothing taken")

        // `brewctl ack` in another process.
        try BatchLog(path: path).request(.ack, batch: id, answers: "2", controller: "s", by: "ann", wall: Date(timeIntervalSince1970: 1_010))
        let taken = try running.takeOperatorRequests(batch: id)
        XCTAssertEqual(taken.map(\.kind), [.ack])
        XCTAssertEqual(taken.map(\.answers), ["2"])
        XCTAssertEqual(taken.map(\.actor), ["ann"])
        XCTAssertTrue(try running.takeOperatorRequests(batch: id).isEmpty, "taken once")

        // Through the running batch's own log (a terminal of the same process).
        try running.request(.confirm, batch: id, answers: "gap", controller: "s", by: "bob", wall: Date(timeIntervalSince1970: 1_020))
        XCTAssertEqual(try running.takeOperatorRequests(batch: id).map(\.actor), ["bob"])
        // Another write by another connection that is not a request: looked at, nothing to take.
        try BatchLog(path: path).event(batch: id, at: 30, wall: Date(timeIntervalSince1970: 1_030), kind: .info, message: "x", actor: nil)
        XCTAssertTrue(try running.takeOperatorRequests(batch: id).isEmpty)
        try BatchLog(path: path).request(.confirm, batch: id, answers: "gap", controller: "s", by: "cy", wall: Date(timeIntervalSince1970: 1_040))
        XCTAssertEqual(try running.takeOperatorRequests(batch: id).map(\.actor), ["cy"])
    }

    func testAFlushOfManySamplesKeepsEveryOneAndTheLaterOfTwoAtTheSameTime() throws {
        let log = try BatchLog.inMemory()
        let id = try log.startBatch(info())
        let channels = try (0..<3).map { try log.addChannel(batch: id, name: "c\($0)", unit: "°C") }
        // 150 samples in one flush (several statements' worth), and a second value for one channel
        // and time after the first, in another statement.
        for t in 0..<50 {
            for c in channels { log.record(channel: c, batch: id, at: Double(t), value: Double(t)) }
        }
        log.record(channel: channels[1], batch: id, at: 3, value: -1)
        try log.flush()
        XCTAssertEqual(try log.sampleCount(batch: id), 150)
        let middle = try log.samples(channel: channels[1])
        XCTAssertEqual(middle.map(\.at), (0..<50).map(Double.init))
        XCTAssertEqual(middle[3].value, -1, "the later sample supersedes the earlier")
        XCTAssertEqual(middle[4].value, 4)
        XCTAssertEqual(try log.samples(channel: channels[2]).last?.value, 49)
    }
}
