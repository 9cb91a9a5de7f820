import BrewLog
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
