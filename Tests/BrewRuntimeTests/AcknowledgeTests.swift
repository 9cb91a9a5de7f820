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
        try log.request(.ack, batch: batch, answers: "0", controller: "s1", by: "bob", wall: Date())
        try log.request(.confirm, batch: batch, answers: "step 1: Fill", controller: "s1", by: "carol", wall: Date())
        let taken = try log.takeOperatorRequests(batch: batch)
        XCTAssertEqual(taken.map(\.kind), [.ack, .confirm])
        XCTAssertEqual(taken.map(\.answers), ["0", "step 1: Fill"])
        XCTAssertEqual(taken.map(\.controller), ["s1", "s1"])
        XCTAssertEqual(taken.map(\.actor), ["bob", "carol"])
        XCTAssertTrue(try log.takeOperatorRequests(batch: batch).isEmpty, "each request is acted on once")
    }

    /// Stands in for `brewctl confirm` in another process: reads what the running batch says it
    /// waits for and answers it through the batch database — or, with `answer`, answers
    /// something else (a prompt that is no longer waiting, another controller's).
    final class ConfirmFromOutside: OperatorConsole {
        let log: BatchLog
        var requested = false
        var events: [ProcessEvent] = []
        var brewTime = Seconds.zero
        var answer: ((ControllerPresence) -> (key: String, session: String))?
        /// When set, aborts this long after the request (a refused one leaves the step waiting,
        /// paced at real time).
        var abortAfterRequest: Seconds?
        private var requestedAt: Seconds?
        init(log: BatchLog) { self.log = log }
        func show(_ event: ProcessEvent, at brewTime: Seconds) { events.append(event) }
        func update(_ status: RunStatus) {
            brewTime = status.brewTime
            guard !requested, let presence = try? log.presence(batch: 1), let waiting = presence.waiting else { return }
            requested = true
            requestedAt = status.brewTime
            let (key, session) = answer?(presence) ?? (waiting.key, presence.session)
            try? log.request(.confirm, batch: 1, answers: key, controller: session, by: "carol", wall: Date())
        }
        var aborted = false
        func poll() -> OperatorInput? {
            let due = abortAfterRequest.flatMap { wait in requestedAt.map { brewTime.value > $0.value + wait.value } } ?? (brewTime.value > 600)
            guard due, !aborted else { return nil }
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

    /// A confirmation counts only for what waits now, made to this controller: one that answers
    /// another prompt, or was made to an earlier controller of the batch, is refused and the
    /// refusal logged — the step still waits.
    func testAConfirmationForAnotherPromptOrControllerIsRefusedAndTheStepStillWaits() throws {
        let rig = try HardwareLoader.load(path: shipped("Hardware/sim.toml"))
        let plan = try BrewPlan.bind(try RecipeLoader.load(path: shipped("Recipes/ipa.toml")), to: rig)
        for (label, answer) in [("another prompt", { (p: ControllerPresence) in ("step 7: Dough in", p.session) }),
                                ("an earlier controller", { (p: ControllerPresence) in (p.waiting?.key ?? "", "an-earlier-session") })] {
            let log = try BatchLog.inMemory()
            let console = ConfirmFromOutside(log: log)
            console.answer = answer
            console.abortAfterRequest = Seconds(4)
            let runner = BatchRunner(plan: plan, backend: try SimulatedBrewery(rig: rig), log: log, clock: SimulationClock(speed: nil),
                                     console: console,
                                     options: .init(brewer: "ci", autoConfirm: false, recipePath: "Recipes/ipa.toml", hardwarePath: "Hardware/sim.toml",
                                                    speedLabel: "fast", startedAt: Date(timeIntervalSince1970: 1_790_000_000)))
            let result = runner.run()
            XCTAssertTrue(console.requested, label)
            XCTAssertNil(console.events.first { $0.kind == .confirmation }, "\(label): nothing confirmed")
            let refusal = try XCTUnwrap(console.events.first { $0.message.hasPrefix("Did not take a confirmation from carol") }, label)
            XCTAssertTrue(refusal.message.contains(label == "another prompt" ? "now waits for “step 1: Fill the HLT”" : "earlier controller"),
                          "\(label): \(refusal.message)")
            XCTAssertFalse(console.events.contains { $0.kind == .stepStarted && $0.message.hasSuffix("Heat strike water") },
                           "\(label): still waiting at the first step")
            let logged = try XCTUnwrap(try log.batch(result.batchID))
            XCTAssertTrue(logged.events.contains { $0.message.hasPrefix("Did not take a confirmation from carol") }, label)
        }
    }
}
