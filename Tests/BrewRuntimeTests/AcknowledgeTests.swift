import BrewConfig
import BrewCore
import BrewLog
import BrewRuntime
import BrewSim
import Foundation
import XCTest

/// A latched heater fault stays latched until someone acknowledges it — at the terminal (`ack`)
/// or with `brewctl ack` through the batch database — and the acknowledgement is logged with who.
final class AcknowledgeTests: XCTestCase {
    func testALatchedHeaterStaysOffUntilAcknowledgedThenHeatsAgain() throws {
        let rig = try HardwareLoader.load(path: shipped("Hardware/sim.toml"))
        let plan = try BrewPlan.bind(try RecipeLoader.load(path: shipped("Recipes/ipa.toml")), to: rig)
        let brewery = try SimulatedBrewery(rig: rig)
        // The HLT's element fails at 5 min and is fixed at 15 min; the brewer acknowledges at 20 min.
        brewery.inject(.elementOpen, vessel: 0, at: Instant(seconds: 300))
        brewery.repair(vessel: 0, at: Instant(seconds: 900))
        let console = RecordingConsole()
        console.script = [(Seconds(1200), .acknowledge(by: "bob")), (Seconds(2400), .abort(by: "bob"))]
        let log = try BatchLog.inMemory()
        let runner = BatchRunner(plan: plan, backend: brewery, log: log, clock: SimulationClock(speed: nil), console: console,
                                 options: .init(brewer: "ci", autoConfirm: true, recipePath: "Recipes/ipa.toml", hardwarePath: "Hardware/sim.toml",
                                                speedLabel: "fast", startedAt: Date(timeIntervalSince1970: 1_790_000_000)))
        let result = runner.run()

        let alarm = try XCTUnwrap(console.events.first { $0.event.kind == .alarm }, "the dead element is caught")
        XCTAssertTrue(alarm.event.message.contains("until acknowledged"), alarm.event.message)
        let ack = try XCTUnwrap(console.events.first { $0.event.kind == .confirmation && $0.event.message.hasPrefix("Acknowledged") })
        XCTAssertEqual(ack.event.message, "Acknowledged: HLT may heat again")
        XCTAssertEqual(ack.event.actor, "bob")
        XCTAssertEqual(ack.at.value, 1200, accuracy: 1.5)
        // Between the repair and the acknowledgement the HLT stayed cold; after it, it heats again.
        let hlt = { (t: Double) in console.samples.last { $0.brewTime.value <= t }?.temperatures[0]?.value ?? .nan }
        XCTAssertEqual(hlt(1190), hlt(910), accuracy: 0.5, "latched off although repaired")
        XCTAssertGreaterThan(hlt(2300), hlt(1200) + 5, "heating again after the acknowledgement")
        let detail = try XCTUnwrap(try log.batch(result.batchID))
        XCTAssertTrue(detail.events.contains { $0.message == "Acknowledged: HLT may heat again" && $0.actor == "bob" })
    }

    func testOperatorRequestsAreTakenOnceInOrder() throws {
        let log = try BatchLog.inMemory()
        let batch = try log.startBatch(BatchInfo(recipeName: "t", recipePath: "t.toml", hardwarePath: "h.toml", brewer: "ann",
                                                 startedAt: Date(), simulated: true, speed: "fast"))
        XCTAssertTrue(try log.takeOperatorRequests(batch: batch).isEmpty)
        try log.requestAcknowledgement(batch: batch, by: "bob", wall: Date())
        try log.requestConfirmation(batch: batch, by: "carol", wall: Date())
        let taken = try log.takeOperatorRequests(batch: batch)
        XCTAssertEqual(taken.map(\.kind), ["ack", "confirm"])
        XCTAssertEqual(taken.map(\.actor), ["bob", "carol"])
        XCTAssertTrue(try log.takeOperatorRequests(batch: batch).isEmpty, "each request is acted on once")
    }

    /// Stands in for `brewctl confirm` in another process: writes the request into the batch
    /// database while the batch runs, as soon as it waits for the brewer.
    final class ConfirmFromOutside: OperatorConsole {
        let log: BatchLog
        var requested = false
        var events: [ProcessEvent] = []
        var brewTime = Seconds.zero
        init(log: BatchLog) { self.log = log }
        func show(_ event: ProcessEvent, at brewTime: Seconds) {
            events.append(event)
            if event.kind == .prompt, !requested {
                requested = true
                try? log.requestConfirmation(batch: 1, by: "carol", wall: Date())
            }
        }
        func update(_ status: RunStatus) { brewTime = status.brewTime }
        var aborted = false
        func poll() -> OperatorInput? {
            guard brewTime.value > 600, !aborted else { return nil }
            aborted = true   // once: poll is asked again until it says nothing
            return .abort(by: "carol")
        }
        func finish() {}
    }

    func testAManualStepIsConfirmedThroughTheBatchDatabase() throws {
        let rig = try HardwareLoader.load(path: shipped("Hardware/sim.toml"))
        let plan = try BrewPlan.bind(try RecipeLoader.load(path: shipped("Recipes/ipa.toml")), to: rig)
        let log = try BatchLog.inMemory()
        let console = ConfirmFromOutside(log: log)
        let runner = BatchRunner(plan: plan, backend: try SimulatedBrewery(rig: rig), log: log, clock: SimulationClock(speed: nil),
                                 console: console,
                                 options: .init(brewer: "ci", autoConfirm: false, recipePath: "Recipes/ipa.toml", hardwarePath: "Hardware/sim.toml",
                                                speedLabel: "fast", startedAt: Date(timeIntervalSince1970: 1_790_000_000)))
        _ = runner.run()
        let confirmed = try XCTUnwrap(console.events.first { $0.kind == .confirmation })
        XCTAssertEqual(confirmed.message, "Confirmed: Fill the HLT")
        XCTAssertEqual(confirmed.actor, "carol")
        XCTAssertTrue(console.events.contains { $0.kind == .stepStarted && $0.message.hasSuffix("Heat strike water") },
                      "and the brew day went on")
    }
}
