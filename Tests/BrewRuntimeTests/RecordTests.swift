import BrewConfig
import BrewCore
import BrewLog
import BrewRuntime
import BrewSim
import Foundation
import XCTest

/// The record says what the outputs did (docs/logging.md, "Channels"): the heater and pump
/// channels are what reached the output after interlocks, trips and latches, the demand is a
/// channel of its own, wall-clock times are real, and the simulated liquid is logged beside the probe.
final class RecordTests: XCTestCase {
    func testHeldAndTrippedOutputsAreLoggedAsAppliedBesideTheDemand() throws {
        let rig = try HardwareLoader.load(path: shipped("Hardware/sim.toml"))
        let plan = try BrewPlan.bind(try RecipeLoader.load(path: shipped("Recipes/ipa.toml")), to: rig)
        let brewery = try SimulatedBrewery(rig: rig)
        // The mash pump air-locks while the RIMS heats to mash-out: the pump trips as running dry,
        // the element is held off; bled and acknowledged later.
        let fails = 8100.0, fixed = 8400.0, ack = 8410.0
        brewery.inject(.pumpFailed, vessel: 1, at: Instant(seconds: fails))
        brewery.repair(vessel: 1, at: Instant(seconds: fixed))
        let console = RecordingConsole()
        console.script = [(Seconds(ack), .acknowledge(by: "ann"))]
        let log = try BatchLog.inMemory()
        let started = Date()
        let runner = BatchRunner(plan: plan, backend: brewery, log: log, clock: SimulationClock(speed: nil), console: console,
                                 options: .init(brewer: "ci", autoConfirm: true, recipePath: "Recipes/ipa.toml", hardwarePath: "Hardware/sim.toml",
                                                speedLabel: "fast", startedAt: started))
        let result = runner.run()
        XCTAssertEqual(result.outcome, .completed)

        let detail = try XCTUnwrap(try log.batch(result.batchID))
        func channel(_ name: String) throws -> [Sample] {
            let c = try XCTUnwrap(detail.channels.first { $0.name == name }, "channel \(name) in \(detail.channels.map(\.name))")
            return try log.samples(channel: c.id)
        }
        func values(_ s: [Sample], _ from: Double, _ to: Double) -> [Double] { s.filter { $0.at >= from && $0.at <= to }.compactMap(\.value) }
        let applied = try channel("mash_tun.heater"), demand = try channel("mash_tun.heater.demand"), pump = try channel("mash_tun.pump")

        // Before: heating, and what was applied follows what was asked over the windows.
        XCTAssertGreaterThan(values(applied, fails - 60, fails - 1).reduce(0, +), 0, "the RIMS heated before")
        // While held: asked for, not applied — and the log says so.
        let heldDemand = values(demand, fails + 5, ack - 1), heldApplied = values(applied, fails + 5, ack - 1)
        XCTAssertGreaterThan(heldDemand.max() ?? 0, 50, "the PID kept asking")
        XCTAssertEqual(heldApplied.max(), 0, "nothing reached the element while the interlock held it")
        XCTAssertEqual(values(pump, fails + 5, ack - 1).max(), 0, "the tripped pump is logged as stopped")
        XCTAssertEqual(values(pump, fails - 60, fails - 1).min(), 1, "and as running before")
        // After the acknowledgement it heats again.
        XCTAssertGreaterThan(values(applied, ack + 5, ack + 300).reduce(0, +), 0)
        // Applied never exceeds 100 %, and is a share of time, not a copy of the demand.
        XCTAssertLessThanOrEqual(applied.compactMap(\.value).max() ?? 0, 100)
        XCTAssertTrue(zip(applied, demand).contains { a, d in (a.value ?? 0) == 100 && (d.value ?? 0) < 100 }
                      || zip(applied, demand).contains { a, d in (a.value ?? 0) != (d.value ?? 0) })

        // The liquid's own temperature beside the probe's: close during a held rest, not equal.
        let probe = try channel("mash_tun.temperature"), liquid = try channel("mash_tun.liquid")
        let during = Array(zip(values(probe, 3000, 3600), values(liquid, 3000, 3600)))
        XCTAssertFalse(during.isEmpty)
        XCTAssertLessThan(during.map { abs($0 - $1) }.max() ?? 99, 1.5)
        XCTAssertTrue(during.contains { $0 != $1 }, "the liquid is not the probe")

        // Real wall-clock times: a flat-out brew day of four hours ends now, not four hours from now.
        let finished = try XCTUnwrap(detail.batch.finishedAt)
        XCTAssertLessThan(finished.timeIntervalSince(started), 600)
        XCTAssertEqual(try XCTUnwrap(detail.batch.brewTime), result.brewTime.value, accuracy: 0.01)
        XCTAssertGreaterThan(result.brewTime.value, 4 * 3600)
        let lastStep = try XCTUnwrap(detail.steps.last?.endedWall)
        XCTAssertLessThan(lastStep.timeIntervalSince(started), 600)
    }
}
