import BrewControl
import BrewCore
import BrewProcess
import XCTest

final class ProcessControllerTests: XCTestCase {
    /// One vessel (a mash tun with a RIMS pump) holding 66 °C.
    private func controller(maxTemperature: Double = 80) throws -> ProcessController {
        let rig = RigSpec(
            name: "one", source: "test", backend: .simulated, buses: [], sensors: [], outputs: [],
            vessels: [RigSpec.Vessel(id: "mash", role: .mashTun, name: "Mash tun", capacity: Litres(100), temperatureSensor: "s",
                                     heater: RigSpec.Heater(output: "h", power: Watts(3500), tuning: .init(kp: 60, ti: Seconds(600))),
                                     recirculationPump: "p", maxTemperature: Celsius(maxTemperature))])
        let recipe = Recipe(name: "t", steps: [.init("Rest", .rest(.mashTun, at: Celsius(66), duration: .minutes(60)))])
        return ProcessController(plan: try BrewPlan.bind(recipe, to: rig), rig: rig)
    }

    private func good(_ t: Double, at s: Double) -> [TemperatureReading?] {
        [TemperatureReading(value: Celsius(t), takenAt: Instant(seconds: s))]
    }

    func testColdVesselHeatsWithPumpRunning() throws {
        var c = try controller()
        var events: [ProcessEvent] = []
        c.tick(at: Instant(seconds: 0), readings: good(50, at: 0), events: &events)
        XCTAssertTrue(c.outputs[0].heaterOn)
        XCTAssertEqual(c.outputs[0].demand, .full)
        XCTAssertTrue(c.outputs[0].pumpOn)
        XCTAssertEqual(c.outputs[0].setpoint, Celsius(66))
        XCTAssertTrue(events.filter { $0.kind == .alarm }.isEmpty)
    }

    func testFaultedReadingTurnsHeaterOffInTheSameTickAndRaisesOneAlarm() throws {
        var c = try controller()
        var events: [ProcessEvent] = []
        c.tick(at: Instant(seconds: 0), readings: good(50, at: 0), events: &events)
        XCTAssertTrue(c.outputs[0].heaterOn)
        let fault: [TemperatureReading?] = [.fault("sim-i2c-1 address 0x19: noDevice: NACK", at: Instant(seconds: 1))]
        c.tick(at: Instant(seconds: 1), readings: fault, events: &events)
        XCTAssertFalse(c.outputs[0].heaterOn, "heater off within the very tick the fault is seen")
        XCTAssertEqual(c.outputs[0].demand, .off)
        c.tick(at: Instant(seconds: 1.1), readings: fault, events: &events)
        let alarms = events.filter { $0.kind == .alarm }
        XCTAssertEqual(alarms.count, 1, "latched: one alarm per fault, not one per tick")
        XCTAssertTrue(alarms[0].message.contains("NACK"))
        XCTAssertTrue(alarms[0].message.contains("heater off"))
        // The probe comes back: control resumes and the recovery is logged.
        c.tick(at: Instant(seconds: 2), readings: good(50, at: 2), events: &events)
        XCTAssertTrue(c.outputs[0].heaterOn)
        XCTAssertEqual(events.filter { $0.kind == .alarmCleared }.count, 1)
    }

    func testStaleReadingTurnsHeaterOff() throws {
        var c = try controller()
        var events: [ProcessEvent] = []
        let old = good(50, at: 0)
        for k in 0...49 {   // 100 ms ticks, as the runtime does
            c.tick(at: Instant(seconds: Double(k) / 10), readings: old, events: &events)
        }
        XCTAssertTrue(c.outputs[0].heaterOn, "4.9 s old is still fresh enough")
        c.tick(at: Instant(seconds: 5.1), readings: old, events: &events)
        XCTAssertFalse(c.outputs[0].heaterOn)
        XCTAssertTrue(try XCTUnwrap(events.last { $0.kind == .alarm }).message.contains("stale"))
    }

    func testImplausibleAndNaNReadingsTurnHeaterOff() throws {
        for bad in [Double.nan, 400, -60] {
            var c = try controller()
            var events: [ProcessEvent] = []
            c.tick(at: Instant(seconds: 0), readings: good(50, at: 0), events: &events)
            c.tick(at: Instant(seconds: 1), readings: good(bad, at: 1), events: &events)
            XCTAssertFalse(c.outputs[0].heaterOn, "reading \(bad)")
            XCTAssertEqual(events.filter { $0.kind == .alarm }.count, 1)
        }
    }

    func testHardLimitTurnsHeaterOff() throws {
        var c = try controller(maxTemperature: 70)
        var events: [ProcessEvent] = []
        c.tick(at: Instant(seconds: 0), readings: good(50, at: 0), events: &events)
        XCTAssertTrue(c.outputs[0].heaterOn)
        c.tick(at: Instant(seconds: 1), readings: good(70.2, at: 1), events: &events)
        XCTAssertFalse(c.outputs[0].heaterOn)
        XCTAssertTrue(try XCTUnwrap(events.last { $0.kind == .alarm }).message.contains("limit"))
    }

    func testPausedHeatingHoldsHeaterOffWithoutLeavingTheStep() throws {
        var c = try controller()
        var events: [ProcessEvent] = []
        c.tick(at: Instant(seconds: 0), readings: good(50, at: 0), events: &events)
        c.pauseHeating(true)
        c.tick(at: Instant(seconds: 1), readings: good(50, at: 1), events: &events)
        XCTAssertFalse(c.outputs[0].heaterOn)
        XCTAssertEqual(c.engine.stepIndex, 0)
        c.pauseHeating(false)
        c.tick(at: Instant(seconds: 2), readings: good(50, at: 2), events: &events)
        XCTAssertTrue(c.outputs[0].heaterOn)
    }

    func testAbortTurnsEverythingOffForGood() throws {
        var c = try controller()
        var events: [ProcessEvent] = []
        c.tick(at: Instant(seconds: 0), readings: good(50, at: 0), events: &events)
        c.abort(at: Instant(seconds: 0.5), reason: "test", by: "ann", events: &events)
        XCTAssertEqual(c.outputs[0], ProcessController.VesselOutput())
        c.tick(at: Instant(seconds: 1), readings: good(50, at: 1), events: &events)
        XCTAssertFalse(c.outputs[0].heaterOn)
        XCTAssertFalse(c.outputs[0].pumpOn)
        XCTAssertTrue(c.isFinished)
    }

    func testHoldingAtSetpointGivesAPartialDutyThatIsTimeProportioned() throws {
        var c = try controller()
        var events: [ProcessEvent] = []
        // At the setpoint the PID's output comes from its integral; drive it a while slightly low.
        var onTicks = 0, ticks = 0
        for k in 0..<6000 {
            let t = Double(k) * 0.1
            let reading = 65.9
            c.tick(at: Instant(seconds: t), readings: good(reading, at: t.rounded(.down)), events: &events)
            if t > 300 {
                ticks += 1
                if c.outputs[0].heaterOn { onTicks += 1 }
            }
        }
        let demand = c.outputs[0].demand.value
        XCTAssertGreaterThan(demand, 0)
        XCTAssertLessThan(demand, 100)
        // The SSR's on-share over many windows follows the average demand.
        XCTAssertGreaterThan(onTicks, 0)
        XCTAssertLessThan(onTicks, ticks)
    }
}
