import BrewControl
import BrewCore
import BrewProcess
import Foundation
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

/// A seamless resume (the simulated brewery, stopped together with brewctl) continues the tick
/// exactly: each SSR's window, the readings already judged, the probe checks and a shared
/// circuit's plan are taken up where they were, so every output after the resume is the one an
/// uninterrupted controller would have switched.
final class ProcessControllerSeamlessResumeTests: XCTestCase {
    /// An HLT and a RIMS mash tun on one 6 kW circuit (they cannot both run flat out), holding.
    static func setup() throws -> (BrewPlan, RigSpec) {
        let tuning = RigSpec.Tuning(kp: 60, ti: Seconds(900))
        let rig = RigSpec(
            name: "two", source: "test", backend: .simulated, buses: [], sensors: [], outputs: [],
            vessels: [
                RigSpec.Vessel(id: "hlt", role: .hotLiquorTank, name: "HLT", capacity: Litres(100), temperatureSensor: "a",
                               heater: RigSpec.Heater(output: "h1", power: Watts(5500), window: Seconds(2), tuning: tuning)),
                RigSpec.Vessel(id: "mash", role: .mashTun, name: "Mash tun", capacity: Litres(100), temperatureSensor: "b",
                               heater: RigSpec.Heater(output: "h2", power: Watts(3500), window: Seconds(2), tuning: tuning),
                               recirculationPump: "p"),
            ], interlocks: [], circuits: [RigSpec.Circuit(id: "socket", limit: Watts(6000), heaters: ["h1", "h2"])])
        let recipe = Recipe(name: "t", steps: [
            .init("Sparge water", .hold(.hotLiquorTank, at: Celsius(77))),
            .init("Rest", .rest(.mashTun, at: Celsius(66), duration: .minutes(30))),
        ])
        return (try BrewPlan.bind(recipe, to: rig), rig)
    }

    /// A lumped two-vessel plant, read once a second with some probe noise (so the demands move
    /// from one sample to the next) and quantised like an MCP9808.
    struct Plant {
        var temperature = [74.0, 64.0]
        let power = [5500.0, 3500.0]
        let capacity = [60_000.0, 200_000.0]

        mutating func step(_ outputs: [ProcessController.VesselOutput], dt: Double) {
            for i in temperature.indices {
                let heat = (outputs[i].heaterOn ? power[i] : 0) - 40 * (temperature[i] - 18)
                temperature[i] += heat * dt / capacity[i]
            }
        }

        func readings(at t: Instant) -> [TemperatureReading?] {
            temperature.indices.map { i in
                let noise = 0.15 * sin(t.seconds * 1.7 + Double(i))
                return TemperatureReading(value: Celsius(((temperature[i] + noise) * 16).rounded() / 16), takenAt: t)
            }
        }
    }

    /// Ticks every 0.1 s from tick `from` to `to`, reading every tenth tick; returns every heater switching.
    static func run(_ c: inout ProcessController, _ plant: inout Plant, readings: inout [TemperatureReading?],
                    from: Int, to: Int) -> [[Bool]] {
        var events: [ProcessEvent] = []
        var switched: [[Bool]] = []
        for k in from..<to {
            let now = Instant(seconds: Double(k) / 10)
            if k > 0 { plant.step(c.outputs, dt: 0.1) }
            if k % 10 == 0 { readings = plant.readings(at: now) }
            c.tick(at: now, readings: readings, events: &events)
            switched.append(c.outputs.map(\.heaterOn))
        }
        return switched
    }

    /// A controller continuing `running` after tick `k` (brew time zero at instant zero): with the
    /// tick state and each SSR's window when `exact`, otherwise only the engine and the loops'
    /// memory (what a resume after a gap restores).
    static func resumed(_ running: ProcessController, plan: BrewPlan, rig: RigSpec, afterTick k: Int, exact: Bool) -> ProcessController {
        var resumed = ProcessController(plan: plan, rig: rig, resuming: StepEngine.Resume(
            snapshot: running.engine.snapshot(origin: .zero), origin: .zero, resumeAt: Instant(seconds: Double(k + 1) / 10), gap: .zero,
            seamless: true))
        resumed.restoreHeaterLoops(running.heaterLoopSnapshots(origin: .zero), origin: .zero, continuing: exact)
        if exact { XCTAssertTrue(resumed.restoreTickState(running.tickState(origin: .zero), origin: .zero)) }
        return resumed
    }

    /// A controller on the plant, run from the start up to (not including) tick `k`.
    static func started(until k: Int) throws -> (BrewPlan, RigSpec, ProcessController, Plant, [TemperatureReading?]) {
        let (plan, rig) = try setup()
        var running = ProcessController(plan: plan, rig: rig)
        var plant = Plant()
        var readings: [TemperatureReading?] = [nil, nil]
        _ = run(&running, &plant, readings: &readings, from: 0, to: k)
        return (plan, rig, running, plant, readings)
    }

    func testEveryOutputAfterASeamlessResumeIsTheUninterruptedOne() throws {
        var (plan, rig, running, plant, readings) = try Self.started(until: 4_520)
        // Stopped at every tick of four 2 s windows (the circuit alternates which heater goes
        // first), samples in between included: each resumed controller switches exactly as the
        // uninterrupted one for the next minute.
        for stop in 4_520..<4_600 {
            _ = Self.run(&running, &plant, readings: &readings, from: stop, to: stop + 1)
            XCTAssertNotNil(running.tickState(origin: .zero).circuits.first?.origin, "the circuit is sharing")
            var resumed = Self.resumed(running, plan: plan, rig: rig, afterTick: stop, exact: true)
            XCTAssertEqual(resumed.tickState(origin: .zero), running.tickState(origin: .zero))
            XCTAssertEqual(resumed.heaterLoopSnapshots(origin: .zero), running.heaterLoopSnapshots(origin: .zero))

            // The same plant and the last readings go on with both.
            var reference = running, plant1 = plant, readings1 = readings
            var plant2 = plant, readings2 = readings
            let expected = Self.run(&reference, &plant1, readings: &readings1, from: stop + 1, to: stop + 601)
            let got = Self.run(&resumed, &plant2, readings: &readings2, from: stop + 1, to: stop + 601)
            XCTAssertEqual(got, expected, "stopped after tick \(stop)")
            XCTAssertEqual(plant2.temperature, plant1.temperature)
            XCTAssertEqual(resumed.engine.snapshot(origin: .zero), reference.engine.snapshot(origin: .zero))
            XCTAssertTrue(Set(expected.map { $0[0] }).count == 2 && Set(expected.map { $0[1] }).count == 2, "both heaters switched")
        }
    }

    func testWithoutTheTickStateTheWindowsRestartAndTheOutputsDiffer() throws {
        var (plan, rig, running, plant, readings) = try Self.started(until: 4_537)
        var resumed = Self.resumed(running, plan: plan, rig: rig, afterTick: 4_536, exact: false)
        var plant2 = plant, readings2 = readings
        let expected = Self.run(&running, &plant, readings: &readings, from: 4_537, to: 4_600)
        let got = Self.run(&resumed, &plant2, readings: &readings2, from: 4_537, to: 4_600)
        XCTAssertNotEqual(got, expected, "the approximate resume of the heater loops switches differently")
    }
}
