import BrewConfig
import BrewCore
import BrewProcess
import BrewRuntime
import BrewSim
import Foundation
import XCTest

/// Faults staged the way members rehearse them — `[[simulation.faults]]` in the rig's file — on
/// short brews: each kind raises its alarm (or alert), the affected output goes off, and the
/// batch's record says it was a rehearsal. See docs/safety.md, "Rehearsing alarms".
extension FaultInjectionTests {
    /// 40 L in the HLT, heated to 75 °C and held for 20 min: about 35 min of brew time.
    static let hltRecipe = """
    name = "Rehearsal"

    [[steps]]
    name = "Fill the HLT"
    kind = "confirm"
    message = "Fill the HLT"
    actions = [{ action = "fill", vessel = "hlt", volume = "40 L" }]

    [[steps]]
    name = "Heat the HLT"
    kind = "heat"
    vessel = "hlt"
    temperature = "75 C"

    [[steps]]
    name = "Hold the HLT"
    kind = "rest"
    vessel = "hlt"
    temperature = "75 C"
    duration = "20 min"
    """

    /// sim.toml (or `rig`) with `faults` appended, brewed on `recipe` with its staged faults.
    func rehearse(_ faults: String, rig: String? = nil, recipe: String = FaultInjectionTests.hltRecipe, abortAt: Double? = nil,
                  script: [(Seconds, OperatorInput)] = []) throws -> Run {
        let text = try (rig ?? Self.simToml()) + "\n" + faults
        return try brew(recipeText: recipe, rigText: text, abortAt: abortAt, script: script) { brewery in
            XCTAssertFalse(brewery.rig.rehearsals.isEmpty, "the rig file staged nothing")
            try brewery.stage(brewery.rig.rehearsals)
        }
    }

    func alerts(_ run: Run, _ prefix: String) -> [(event: ProcessEvent, at: Seconds)] {
        run.console.events.filter { $0.event.kind == .alert && $0.event.message.hasPrefix(prefix) }
    }

    func testARehearsedDeadElementIsCaughtByItsEffectAndTheRecordSaysItWasARehearsal() throws {
        let run = try rehearse("[[simulation.faults]]\nat = \"3 min\"\nvessel = \"hlt\"\nfault = \"dead_element\"\n", abortAt: 1200)
        let staged = try XCTUnwrap(alerts(run, "rehearsal staged: ").first, "the start of the batch says it is a rehearsal")
        XCTAssertEqual(staged.event.message, "rehearsal staged: dead_element on vessel `hlt` at 03:00 — staged by test-rig.toml:\(try Self.simToml().filter { $0 == "\n" }.count + 2)")
        XCTAssertLessThan(staged.at.value, 1.5)
        let fired = try XCTUnwrap(alerts(run, "rehearsal: ").first)
        XCTAssertTrue(fired.event.message.hasPrefix("rehearsal: HLT element dead from 03:00 — staged by test-rig.toml:"), fired.event.message)
        XCTAssertEqual(fired.at.value, 180, accuracy: 0.11)
        let alarm = try firstAlarm(run, containing: "element dead or dry")
        XCTAssertTrue(alarm.event.message.hasPrefix("HLT: heating at 100 %"), alarm.event.message)
        XCTAssertGreaterThan(alarm.at.value, 180)
        XCTAssertLessThanOrEqual(alarm.at.value, 180 + 300)
        XCTAssertTrue(run.heaterOn(Self.hlt, from: 0, to: 179), "it was heating before")
        assertOffFromTheAlarm(run, vessel: Self.hlt, at: alarm.at.value)
    }

    func testARehearsedWeldedSSRWhileTheHLTHolds() throws {
        let recipe = Self.hltRecipe.replacingOccurrences(of: "75 C", with: "35 C")
        let run = try rehearse("[[simulation.faults]]\nat = \"15 min\"\noutput = \"hlt_element\"\nfault = \"welded_ssr\"\n", recipe: recipe, abortAt: 1800)
        XCTAssertNotNil(alerts(run, "rehearsal: HLT element welded on (its SSR) from 15:00").first, "\(run.console.events.map(\.event.message))")
        let alarm = try firstAlarm(run, containing: "welded SSR")
        XCTAssertGreaterThan(alarm.at.value, 900)
        XCTAssertLessThanOrEqual(alarm.at.value, 900 + 600)
        XCTAssertFalse(run.alarms.contains { $0.at.value < 900 }, "\(run.alarms.map(\.event.message))")
        assertOffFromTheAlarm(run, vessel: Self.hlt, at: alarm.at.value)
        XCTAssertTrue(run.brewery.plant[Self.hlt].faults.contains(.weldedSSR), "welded to the end: no `for`")
    }

    func testARehearsedStuckProbeForThreeMinutes() throws {
        let run = try rehearse("[[simulation.faults]]\nat = \"3 min\"\nvessel = \"hlt\"\nfault = \"probe_stuck\"\nfor = \"3 min\"\n")
        XCTAssertEqual(run.result.outcome, .completed, "the batch carries on once the probe is back")
        let alarm = try firstAlarm(run, containing: "stuck at exactly")
        XCTAssertTrue(alarm.event.message.hasPrefix("HLT:"), alarm.event.message)
        XCTAssertGreaterThan(alarm.at.value, 180)
        XCTAssertLessThanOrEqual(alarm.at.value, 360)
        assertOffFromTheAlarm(run, vessel: Self.hlt, at: alarm.at.value, until: 359.9)
        let over = try XCTUnwrap(alerts(run, "rehearsal over: probe_stuck on HLT probe ended at 06:00").first, "\(run.console.events.map(\.event.message))")
        XCTAssertEqual(over.at.value, 360, accuracy: 0.11)
        XCTAssertTrue(run.heaterOn(Self.hlt, from: 361), "heating again once the probe moves")
    }

    func testARehearsedLostProbeIsABusFaultNotAStuckOne() throws {
        let run = try rehearse("[[simulation.faults]]\nat = \"3 min\"\nsensor = \"hlt_probe\"\nfault = \"probe_lost\"\nfor = \"2 min\"\n")
        XCTAssertEqual(run.result.outcome, .completed)
        let alarm = try firstAlarm(run, containing: "HLT:")
        XCTAssertTrue(alarm.event.message.contains("noDevice: no ACK"), alarm.event.message)
        XCTAssertFalse(alarm.event.message.contains("stuck"), alarm.event.message)
        XCTAssertEqual(alarm.at.value, 180, accuracy: 1.01)
        assertOffFromTheAlarm(run, vessel: Self.hlt, at: alarm.at.value, until: 299.9)
        let cleared = try XCTUnwrap(run.console.events.first { $0.event.kind == .alarmCleared && $0.event.vessel == Self.hlt })
        XCTAssertGreaterThanOrEqual(cleared.at.value, 300)
        XCTAssertTrue(run.heaterOn(Self.hlt, from: cleared.at.value))
    }

    func testARehearsedNACKBurstOnTheI2CBus() throws {
        let run = try rehearse("[[simulation.faults]]\nat = \"3 min\"\nbus = \"i2c\"\nfault = \"i2c_nack\"\nfor = \"30 s\"\n")
        XCTAssertEqual(run.result.outcome, .completed)
        let alarm = try firstAlarm(run, containing: "HLT:")
        XCTAssertTrue(alarm.event.message.contains("noDevice"), alarm.event.message)
        assertOffFromTheAlarm(run, vessel: Self.hlt, at: alarm.at.value, until: 209.9)
        XCTAssertTrue(run.alarms.contains { $0.event.vessel == Self.kettle }, "every probe on the bus: \(run.alarms.map(\.event.message))")
        XCTAssertNotNil(alerts(run, "rehearsal: bus `i2c` not acknowledging (I2C NACK) from 03:00 for 30 s").first)
        XCTAssertTrue(run.heaterOn(Self.hlt, from: 211, to: 400), "heating again after the burst")
    }

    func testRehearsedModbusTimeoutsAndCRCErrors() throws {
        var rig = try Self.simToml()
        let probe = "[sensors.hlt_probe]\ntype = \"mcp9808\"\nbus = \"i2c\"\naddress = 0x18\n"
        XCTAssertTrue(rig.contains(probe), "sim.toml changed: update this test's rig")
        rig = rig.replacingOccurrences(of: probe, with: """
        [buses.rs485]
        type = "modbus_rtu"
        device = "/dev/ttyUSB0"
        baud = 9600

        [sensors.hlt_probe]
        type = "modbus_register"
        bus = "rs485"
        unit = 3
        register = 0
        quantity = "temperature"
        scale = 0.1

        """)
        let run = try rehearse("""
        [[simulation.faults]]
        at = "3 min"
        bus = "rs485"
        fault = "modbus_timeout"
        for = "20 s"

        [[simulation.faults]]
        at = "6 min"
        sensor = "hlt_probe"
        fault = "modbus_crc"
        count = 6
        """, rig: rig)
        XCTAssertEqual(run.result.outcome, .completed)
        let timeout = try firstAlarm(run, containing: "no response")
        XCTAssertEqual(timeout.at.value, 180, accuracy: 1.01)
        assertOffFromTheAlarm(run, vessel: Self.hlt, at: timeout.at.value, until: 199.9)
        let crc = try firstAlarm(run, containing: "CRC")
        XCTAssertEqual(crc.at.value, 360, accuracy: 1.01)
        XCTAssertEqual(run.console.events.filter { $0.event.kind == .alarmCleared && $0.event.vessel == Self.hlt }.count, 2)
        XCTAssertTrue(run.heaterOn(Self.hlt, from: 380, to: 600), "heating after the CRC errors")
    }

    func testARehearsedDryPumpTripsAndHoldsTheRIMS() throws {
        let recipe = """
        name = "Mash water"

        [[steps]]
        name = "Fill the mash tun"
        kind = "confirm"
        message = "Fill the mash tun"
        actions = [{ action = "fill", vessel = "mash_tun", volume = "30 L" }]

        [[steps]]
        name = "Heat"
        kind = "heat"
        vessel = "mash_tun"
        temperature = "66 C"
        """
        let run = try rehearse("[[simulation.faults]]\nat = \"3 min\"\nvessel = \"mash_tun\"\nfault = \"pump_dry\"\n", recipe: recipe, abortAt: 600)
        let trip = try firstAlarm(run, containing: "mash_pump stopped")
        XCTAssertTrue(trip.event.message.contains("running dry"), trip.event.message)
        XCTAssertLessThanOrEqual(trip.at.value, 180 + 3)
        XCTAssertTrue(run.heaterOn(Self.mash, from: 120, to: 179.9))
        XCTAssertFalse(run.heaterOn(Self.mash, from: 183), "no RIMS heat without flow")
    }

    func testRehearsedSpikesAreReportedWithoutAnAlarm() throws {
        let run = try rehearse("[[simulation.faults]]\nat = \"2 min\"\nvessel = \"hlt\"\nfault = \"probe_spikes\"\nby = \"12 K\"\nevery = \"60 s\"\nfor = \"10 min\"\n")
        XCTAssertEqual(run.result.outcome, .completed)
        XCTAssertTrue(run.alarms.isEmpty, "\(run.alarms.map(\.event.message))")
        let jumps = run.console.events.filter { $0.event.message.contains("jumped") }
        XCTAssertGreaterThanOrEqual(jumps.count, 5, "each spike is reported")
        XCTAssertTrue(jumps.allSatisfy { $0.at.value >= 120 && $0.at.value <= 721 })
    }

    func testAResumedBatchHasTheFaultsStillInForceAndNotThoseOver() throws {
        let rig = try HardwareLoader.parse(try Self.simToml(), file: "sim.toml")
        let brewery = try SimulatedBrewery(rig: rig)
        func f(_ kind: RehearsedFault.Kind, _ target: RehearsedFault.Target, at: Double, for d: Double? = nil, count: Int? = nil) -> RehearsedFault {
            RehearsedFault(kind: kind, target: target, at: Seconds(at), lasting: d.map(Seconds.init), count: count, origin: "test")
        }
        try brewery.stage([f(.deadElement, .vessel("hlt"), at: 300),                    // in force
                           f(.weldedSSR, .vessel("kettle"), at: 100, for: 200),        // over before the resume
                           f(.i2cNack, .bus("i2c"), at: 500, count: 3),                // a burst that was over
                           f(.pumpDry, .vessel("mash_tun"), at: 900)],                 // still to come
                          resumingAt: Seconds(600))
        brewery.advance(to: Instant(seconds: 600))
        XCTAssertEqual(brewery.plant[Self.hlt].faults, [.elementOpen])
        XCTAssertEqual(brewery.plant[Self.kettle].faults, [])
        XCTAssertEqual(brewery.buses["i2c"]?.pendingFailures(at: 0x18), 0)
        XCTAssertEqual(brewery.plant[Self.mash].faults, [])
        let messages = brewery.takeEvents().map(\.message)
        XCTAssertTrue(messages.contains("rehearsal: HLT element dead from 05:00 (still in force after the resume) — staged by test"), "\(messages)")
        XCTAssertEqual(messages.filter { $0.hasPrefix("rehearsal staged: ") }.count, 2, "\(messages)")
        brewery.advance(to: Instant(seconds: 900))
        XCTAssertEqual(brewery.plant[Self.mash].faults, [.pumpFailed])
    }
}
