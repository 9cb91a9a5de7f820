import BrewControl
import BrewCore
import BrewProcess
import XCTest

/// A resumed controller continues its heater loops where the snapshot left them, so the element's
/// demand after a crash is the demand before it, not a cold start.
final class ProcessControllerResumeTests: XCTestCase {
    func testHeaterLoopsAreRestoredBumplessly() throws {
        let rig = RigSpec(
            name: "one", source: "test", backend: .simulated, buses: [], sensors: [], outputs: [],
            vessels: [RigSpec.Vessel(id: "mash", role: .mashTun, name: "Mash tun", capacity: Litres(100), temperatureSensor: "s",
                                     heater: RigSpec.Heater(output: "h", power: Watts(3500), tuning: .init(kp: 60, ti: Seconds(600))),
                                     recirculationPump: "p")])
        let plan = try BrewPlan.bind(Recipe(name: "t", steps: [.init("Rest", .rest(.mashTun, at: Celsius(66), duration: .minutes(60)))]), to: rig)
        var running = ProcessController(plan: plan, rig: rig)
        var events: [ProcessEvent] = []
        // Settle near the setpoint so the integral holds something worth keeping.
        for s in 0..<600 {
            let t = 65.6 + 0.0005 * Double(s)
            running.tick(at: Instant(seconds: Double(s)), readings: [TemperatureReading(value: Celsius(t), takenAt: Instant(seconds: Double(s)))],
                         events: &events)
        }
        let saved = running.heaterLoopSnapshots(origin: .zero)
        XCTAssertNotNil(saved[0])
        let before = running.outputs[0].demand

        var resumed = ProcessController(plan: plan, rig: rig, resuming: StepEngine.Resume(
            snapshot: running.engine.snapshot(origin: .zero), origin: .zero, resumeAt: Instant(seconds: 600), gap: .zero))
        var cold = resumed
        resumed.restoreHeaterLoops(saved, origin: .zero)
        // The PID's memory, mode and demand come back exactly; the SSR's energy carry is applied
        // at its next window, so it is not compared here.
        let restored = try XCTUnwrap(resumed.heaterLoopSnapshots(origin: .zero)[0])
        let original = try XCTUnwrap(saved[0])
        XCTAssertEqual(restored.pid, original.pid)
        XCTAssertEqual(restored.mode, original.mode)
        XCTAssertEqual(restored.demand, original.demand)
        XCTAssertEqual(restored.setpoint, original.setpoint)

        let reading = [TemperatureReading(value: Celsius(65.9), takenAt: Instant(seconds: 600))]
        resumed.tick(at: Instant(seconds: 600), readings: reading, events: &events)
        cold.tick(at: Instant(seconds: 600), readings: reading, events: &events)
        XCTAssertEqual(resumed.outputs[0].demand.value, before.value, accuracy: 2, "continues near the demand it had")
        XCTAssertNotEqual(cold.outputs[0].demand.value, resumed.outputs[0].demand.value, accuracy: 2,
                          "a cold start would not (the integral matters here)")
    }

    func testALatchedHeaterFaultSurvivesAResume() throws {
        let rig = RigSpec(
            name: "one", source: "test", backend: .simulated, buses: [], sensors: [], outputs: [],
            vessels: [RigSpec.Vessel(id: "hlt", role: .hotLiquorTank, name: "HLT", capacity: Litres(100), temperatureSensor: "s",
                                     heater: RigSpec.Heater(output: "h", power: Watts(5500), tuning: .init(kp: 60, ti: Seconds(600))))])
        let plan = try BrewPlan.bind(Recipe(name: "t", steps: [.init("Heat", .heat(.hotLiquorTank, to: Celsius(72)))]), to: rig)
        var c = ProcessController(plan: plan, rig: rig)
        c.restoreHeaterFaults(["HLT: element dead or dry — heater off until acknowledged"])
        var events: [ProcessEvent] = []
        c.tick(at: .zero, readings: [TemperatureReading(value: Celsius(20), takenAt: .zero)], events: &events)
        XCTAssertFalse(c.outputs[0].heaterOn, "still latched off after the resume")
        XCTAssertEqual(c.heaterFaults[0], "HLT: element dead or dry — heater off until acknowledged")
        XCTAssertNotNil(c.acknowledge(vessel: 0, by: "ann"))
        c.tick(at: Instant(seconds: 1), readings: [TemperatureReading(value: Celsius(20), takenAt: Instant(seconds: 1))], events: &events)
        XCTAssertTrue(c.outputs[0].heaterOn, "heats again once acknowledged")
    }
}
