import BrewConfig
import BrewCore
import BrewProcess
import BrewRuntime
import BrewSim
import Foundation
import XCTest

/// Faults below the physics — a chip that stops answering on the I2C bus, a latched-up bus, a
/// Modbus transmitter that times out or sends bad CRCs, a pump that moves nothing, a still that
/// loses its coolant — injected into the simulated brewery, where the same `RigIO` a real rig
/// runs reads the simulated devices through the real drivers. See docs/safety.md.
extension FaultInjectionTests {
    static func simToml() throws -> String { try String(contentsOfFile: shipped("Hardware/sim.toml"), encoding: .utf8) }

    /// The brew time of the first alarm whose message contains `text`.
    func firstAlarm(_ run: Run, containing text: String, file: StaticString = #filePath, line: UInt = #line) throws -> (event: ProcessEvent, at: Seconds) {
        try XCTUnwrap(run.alarms.first { $0.event.message.contains(text) },
                      "no alarm containing “\(text)”: \(run.alarms.map(\.event.message))", file: file, line: line)
    }

    func testAProbeThatStopsAnsweringOnTheI2CBusTurnsItsHeaterOffAtOnceAndTheBatchCarriesOn() throws {
        // The mash is heated towards mash-out from 2 h 12 min; its MCP9808 stops acknowledging
        // (a broken lead: every transfer NACKs) at 2 h 15 min and is plugged back at 2 h 16 min 40 s.
        let lost = 8100.0, back = 8200.0, ack = 8300.0
        let run = try brew(script: [(Seconds(ack), .acknowledge(by: "ann"))]) { brewery in
            let i2c = try XCTUnwrap(brewery.buses["i2c"])
            brewery.schedule(at: Instant(seconds: lost)) { (_: SimulatedBrewery) in i2c.disconnect(0x19) }
            brewery.schedule(at: Instant(seconds: back)) { (_: SimulatedBrewery) in i2c.reconnect(0x19) }
        }
        XCTAssertEqual(run.result.outcome, .completed, "the batch carries on once the probe answers again")
        let alarm = try firstAlarm(run, containing: "Mash tun:")
        XCTAssertTrue(alarm.event.message.contains("noDevice: no ACK"), alarm.event.message)
        XCTAssertTrue(alarm.event.message.contains("still failing after re-initialising i2c"), alarm.event.message)
        XCTAssertTrue(alarm.event.message.hasSuffix("heater off"), alarm.event.message)
        XCTAssertGreaterThanOrEqual(alarm.at.value, lost)
        XCTAssertLessThanOrEqual(alarm.at.value, lost + 1, "at the first reading after the fault")
        XCTAssertTrue(run.heaterOn(Self.mash, from: lost - 30, to: lost - 0.1), "it was heating before")
        assertOffFromTheAlarm(run, vessel: Self.mash, at: alarm.at.value, until: back - 0.05)
        XCTAssertGreaterThanOrEqual(run.brewery.reinitialisations["i2c"] ?? 0, 1, "the bus was re-initialised before the fault stood")
        let cleared = try XCTUnwrap(run.console.events.first { $0.event.kind == .alarmCleared && $0.event.vessel == Self.mash && $0.at.value > lost })
        XCTAssertGreaterThanOrEqual(cleared.at.value, back)
        XCTAssertTrue(run.heaterOn(Self.mash, from: cleared.at.value), "heating resumed")
        XCTAssertEqual(run.alarms.count, 1, "one alarm for the outage: \(run.alarms.map(\.event.message))")
        // The alarm stays on screen, cleared or not, until someone acknowledges it.
        let shown = run.console.samples.filter { $0.brewTime.value > alarm.at.value + 0.5 && $0.brewTime.value < ack - 0.5 }
        XCTAssertFalse(shown.isEmpty)
        XCTAssertTrue(shown.allSatisfy { $0.unacknowledgedAlarms.count == 1 && $0.unacknowledgedAlarms[0].hasPrefix("[2:15:00] Mash tun:") },
                      "\(shown.first?.unacknowledgedAlarms ?? [])")
        XCTAssertTrue(run.console.samples.filter { $0.brewTime.value > ack + 1.5 }.allSatisfy(\.unacknowledgedAlarms.isEmpty))
        let seen = try XCTUnwrap(run.console.events.first { $0.event.message.hasPrefix("Acknowledged:") })
        XCTAssertEqual(seen.event.message, "Acknowledged: 1 alarm seen, none latched")
        XCTAssertEqual(seen.event.actor, "ann")
    }

    func testALatchedUpBusIsPowerCycledThroughItsResetLineBeforeAnyFaultStands() throws {
        // The same brewery with the sensors' 3.3 V switched by a MOSFET on GPIO 25.
        var text = try Self.simToml()
        text = text.replacingOccurrences(of: "adapter = 1                 # /dev/i2c-1 on a Raspberry Pi",
                                         with: "adapter = 1\nreset_output = \"i2c_power\"\nreset_time = \"200 ms\"")
        text += "\n[outputs.i2c_power]\ntype = \"bus_reset\"\nbus = \"gpio\"\nline = 25\n"
        let latch = 8100.0
        let run = try brew(rigText: text) { brewery in
            brewery.schedule(at: Instant(seconds: latch)) { (b: SimulatedBrewery) in b.latchUp(bus: "i2c") }
        }
        XCTAssertEqual(run.result.outcome, .completed)
        XCTAssertTrue(run.alarms.isEmpty, "the power cycle brought the bus back before any fault stood: \(run.alarms.map(\.event.message))")
        let alert = try XCTUnwrap(run.console.events.first { $0.event.message.contains("power-cycled") }, "no power-cycle alert")
        XCTAssertTrue(alert.event.message.contains("bus i2c power-cycled through i2c_power"), alert.event.message)
        XCTAssertGreaterThanOrEqual(alert.at.value, latch)
        XCTAssertLessThanOrEqual(alert.at.value, latch + 1)
        XCTAssertFalse(run.brewery.isLatchedUp(bus: "i2c"))
        XCTAssertEqual(run.brewery.io.powerCycles, 1)
    }

    func testALatchedUpBusWithoutAResetLineIsAFaultForEveryVesselOnIt() throws {
        let latch = 8100.0
        let run = try brew(abortAt: latch + 60) { brewery in
            brewery.schedule(at: Instant(seconds: latch)) { (b: SimulatedBrewery) in b.latchUp(bus: "i2c") }
        }
        let vessels = Set(run.alarms.filter { $0.at.value >= latch }.compactMap(\.event.vessel))
        XCTAssertEqual(vessels, [Self.hlt, Self.mash, Self.kettle], "\(run.alarms.map(\.event.message))")
        XCTAssertFalse(run.heaterOn(Self.mash, from: latch + 1), "no vessel heats blind")
        XCTAssertFalse(run.heaterOn(Self.hlt, from: latch + 1))
        XCTAssertEqual(run.brewery.io.powerCycles, 0)
    }

    func testModbusTimeoutsAndCRCErrorsDuringTheMashTurnTheHeaterOffUntilTheTransmitterAnswersAgain() throws {
        // The mash probe is a PT100 transmitter on RS-485 (unit 3, tenths of a degree in register 0).
        var text = try Self.simToml()
        let probe = """
        [sensors.mash_probe]
        type = "mcp9808"
        bus = "i2c"
        address = 0x19
        """
        XCTAssertTrue(text.contains(probe), "sim.toml changed: update this test's rig")
        text = text.replacingOccurrences(of: probe, with: """
        [buses.rs485]
        type = "modbus_rtu"
        device = "/dev/ttyUSB0"
        baud = 9600

        [sensors.mash_probe]
        type = "modbus_register"
        bus = "rs485"
        unit = 3
        register = 0
        data_type = "int16"
        quantity = "temperature"
        scale = 0.1
        """)
        let timeouts = 8100.0, crcs = 8150.0
        let run = try brew(rigText: text) { brewery in
            let rs485 = try XCTUnwrap(brewery.modbusLinks["rs485"])
            brewery.schedule(at: Instant(seconds: timeouts)) { (_: SimulatedBrewery) in
                rs485.fail(unit: 3, with: Array(repeating: .timeout, count: 5))
            }
            brewery.schedule(at: Instant(seconds: crcs)) { (_: SimulatedBrewery) in
                rs485.fail(unit: 3, with: Array(repeating: .crc, count: 6))
            }
        }
        XCTAssertEqual(run.result.outcome, .completed)
        let mashAlarms = run.alarms.filter { $0.event.vessel == Self.mash }
        XCTAssertEqual(mashAlarms.count, 2, "\(run.alarms.map(\.event.message))")
        let timeout = try firstAlarm(run, containing: "no response")
        XCTAssertEqual(timeout.at.value, timeouts, accuracy: 1)
        XCTAssertTrue(timeout.event.message.hasPrefix("Mash tun:"), timeout.event.message)
        assertOffFromTheAlarm(run, vessel: Self.mash, at: timeout.at.value, until: timeouts + 4.9)
        let crc = try firstAlarm(run, containing: "CRC")
        XCTAssertEqual(crc.at.value, crcs, accuracy: 1)
        XCTAssertTrue(crc.event.message.contains("still failing after re-initialising rs485"), crc.event.message)
        assertOffFromTheAlarm(run, vessel: Self.mash, at: crc.at.value, until: crcs + 2.9)
        let cleared = run.console.events.filter { $0.event.kind == .alarmCleared && $0.event.vessel == Self.mash }
        XCTAssertEqual(cleared.count, 2, "each outage clears when readings return")
        XCTAssertTrue(run.heaterOn(Self.mash, from: crcs + 3, to: crcs + 120), "heating resumed after the CRC errors")
    }

    func testAPumpThatStopsMovingWortHoldsTheRIMSElementAndIsStoppedAsRunningDry() throws {
        // The mash pump air-locks at 2 h 15 min while the RIMS heats to mash-out; the brewer
        // bleeds it at 2 h 20 min and acknowledges.
        let fails = 8100.0, fixed = 8400.0, ack = 8410.0
        let run = try brew(script: [(Seconds(ack), .acknowledge(by: "ann"))]) { brewery in
            brewery.inject(.pumpFailed, vessel: Self.mash, at: Instant(seconds: fails))
            brewery.repair(vessel: Self.mash, at: Instant(seconds: fixed))
        }
        XCTAssertEqual(run.result.outcome, .completed, "the batch carries on after the pump is fixed and the trip acknowledged")
        XCTAssertTrue(run.heaterOn(Self.mash, from: fails - 30, to: fails - 0.1), "the RIMS was heating before")
        // The meter averages over 2 s: the element is off within that, plus one reading.
        XCTAssertFalse(run.heaterOn(Self.mash, from: fails + 3, to: ack), "no heat into a tube without flow")
        // The pump has long primed, so it trips at once; its element is then held by "the pump runs".
        let trip = try firstAlarm(run, containing: "mash_pump stopped")
        XCTAssertTrue(trip.event.message.contains("pump running dry (no flow): mash_flow reads 0."), trip.event.message)
        let held = try firstAlarm(run, containing: "rims_element held off")
        XCTAssertTrue(held.event.message.contains("the recirculation pump must run while the element heats: mash_pump is off"), held.event.message)
        XCTAssertEqual(held.at.value, trip.at.value, accuracy: 0.2, "in the same tick")
        XCTAssertTrue(trip.event.message.contains("off until acknowledged"), trip.event.message)
        XCTAssertEqual(trip.event.vessel, Self.mash, "logged against the mash tun")
        XCTAssertLessThanOrEqual(trip.at.value, fails + 3)
        XCTAssertFalse(run.alarms.contains { $0.event.message.contains("element dead") },
                       "a held-off element is not taken for a dead one: \(run.alarms.map(\.event.message))")
        let released = try XCTUnwrap(run.console.events.first { $0.event.message.contains("Acknowledged:") && $0.at.value >= ack })
        XCTAssertTrue(released.event.message.contains("mash_pump may run again"), released.event.message)
        XCTAssertTrue(run.heaterOn(Self.mash, from: ack, to: ack + 120), "heating resumed once the pump pumped again")
    }

    func testThreeMashProbesOutvoteABadOneAndTwoThatDisagreeStopTheHeat() throws {
        // The mash tun with three probes in the same liquid: the MCP9808 of sim.toml and two more.
        var text = try Self.simToml()
        text = text.replacingOccurrences(of: "sensor = \"mash_probe\"", with: "sensors = [\"mash_probe\", \"mash_probe_b\", \"mash_probe_c\"]\nprobe_tolerance = \"1 K\"")
        text += """

        [sensors.mash_probe_b]
        type = "mcp9808"
        bus = "i2c"
        address = 0x1B

        [sensors.mash_probe_c]
        type = "mcp9808"
        bus = "i2c"
        address = 0x1C

        """
        // b drifts 5 K high at 2 h 15 min (a probe pulled out into the hot RIMS outlet); c's lead
        // breaks at 2 h 16 min 40 s, leaving a and b to disagree; b is put back at 2 h 18 min 20 s.
        let drift = 8100.0, broken = 8200.0, fixed = 8300.0
        let run = try brew(rigText: text) { brewery in
            let i2c = try XCTUnwrap(brewery.buses["i2c"])
            brewery.schedule(at: Instant(seconds: drift)) { (b: SimulatedBrewery) in b.override(sensor: "mash_probe_b", bias: 5) }
            brewery.schedule(at: Instant(seconds: broken)) { (_: SimulatedBrewery) in i2c.disconnect(0x1C) }
            brewery.schedule(at: Instant(seconds: fixed)) { (b: SimulatedBrewery) in b.clearOverride(sensor: "mash_probe_b") }
        }
        XCTAssertEqual(run.result.outcome, .completed)
        let outvoted = try XCTUnwrap(run.console.events.first { $0.event.message.contains("outvoted") }, "no outvoted alert")
        XCTAssertEqual(outvoted.event.kind, .alert)
        XCTAssertTrue(outvoted.event.message.hasPrefix("Mash tun: mash_probe_b 7"), outvoted.event.message)
        XCTAssertTrue(outvoted.event.message.contains("outvoted by mash_probe, mash_probe_c"), outvoted.event.message)
        XCTAssertEqual(outvoted.at.value, drift, accuracy: 1)
        XCTAssertTrue(run.heaterOn(Self.mash, from: drift + 1, to: broken - 0.1), "outvoted: the mash keeps heating on the two that agree")
        XCTAssertFalse(run.alarms.contains { $0.at.value < broken }, "\(run.alarms.map(\.event.message))")

        let disagree = try firstAlarm(run, containing: "probes disagree")
        XCTAssertTrue(disagree.event.message.hasPrefix("Mash tun: probes disagree: mash_probe 7"), disagree.event.message)
        XCTAssertTrue(disagree.event.message.contains("more than 1.00 K apart"), disagree.event.message)
        XCTAssertTrue(disagree.event.message.contains("mash_probe_c failed"), disagree.event.message)
        XCTAssertEqual(disagree.at.value, broken, accuracy: 1)
        assertOffFromTheAlarm(run, vessel: Self.mash, at: disagree.at.value, until: fixed - 0.05)
        let cleared = try XCTUnwrap(run.console.events.first { $0.event.kind == .alarmCleared && $0.event.vessel == Self.mash })
        XCTAssertGreaterThanOrEqual(cleared.at.value, fixed)
        XCTAssertTrue(run.console.events.contains { $0.event.message.contains("controlling on") == false && $0.event.message.contains("mash_probe_c failed") && $0.at.value >= fixed },
                      "after the repair the vessel carries on on a and b, c's failure still said")
        XCTAssertTrue(run.heaterOn(Self.mash, from: cleared.at.value))
    }

    func testAStillThatLosesItsCoolantHasItsHeatCutAndSaysWhy() throws {
        // A pot still warming its wash (distillation runs themselves are not run by this release;
        // the still's element and its coolant interlock are the same either way).
        let rig = """
        name = "Test still"
        backend = "simulated"

        [buses.i2c]
        type = "i2c"
        adapter = 1

        [buses.gpio]
        type = "gpio"
        chip = "gpiochip0"

        [sensors.still_probe]
        type = "mcp9808"
        bus = "i2c"
        address = 0x18

        [sensors.coolant]
        type = "pulse_flow_meter"
        bus = "gpio"
        line = 5
        k_factor = 450

        [outputs.still_element]
        type = "heater"
        bus = "gpio"
        line = 17

        [vessels.still]
        role = "still"
        capacity = "50 L"
        sensor = "still_probe"
        coolant_flow = "coolant"
        max_temperature = "100 C"

        [vessels.still.heater]
        output = "still_element"
        power = "3000 W"
        pid = { kp = 60, ti = "900 s" }

        [vessels.still.simulation]
        initial_volume = "40 L"
        coolant_flow = "4 L/min"
        """
        let recipe = """
        name = "Warm the wash"

        [[steps]]
        name = "Warm the wash"
        kind = "heat"
        vessel = "still"
        temperature = "60 C"

        [[steps]]
        name = "Hold"
        kind = "rest"
        vessel = "still"
        temperature = "60 C"
        duration = "20 min"
        """
        // The hose comes off the condenser at 10 min, mid heat-up; it is back on at 12 min.
        let lost = 600.0, back = 720.0
        let run = try brew(recipeText: recipe, rigText: rig) { still in
            still.inject(.coolantLost, vessel: 0, at: Instant(seconds: lost))
            still.repair(vessel: 0, at: Instant(seconds: back))
        }
        XCTAssertEqual(run.result.outcome, .completed, "the run carries on once coolant flows again")
        XCTAssertTrue(run.heaterOn(0, from: lost - 60, to: lost - 0.1), "it was heating before")
        let cut = try XCTUnwrap(run.recorder.applied.first { $0.at.seconds >= lost && !$0.heaterOn[0] }, "the heat was never cut")
        XCTAssertLessThanOrEqual(cut.at.seconds, lost + 2 + 1, "within the meter's 2 s window and one reading")
        XCTAssertFalse(run.heaterOn(0, from: lost + 3, to: back - 0.05), "no heat without coolant")
        XCTAssertFalse(run.brewery.plant[0].faults.contains(.coolantLost))
        let alarm = try firstAlarm(run, containing: "still_element held off")
        XCTAssertTrue(alarm.event.message.hasSuffix("Still: no heat without coolant through the condenser: coolant reads 0.00, needs more than 1.00"),
                      alarm.event.message)
        XCTAssertLessThanOrEqual(alarm.at.value, lost + 3 + 5, "after its 5 s grace")
        XCTAssertEqual(run.alarms.count, 1, "\(run.alarms.map(\.event.message))")
        let cleared = try XCTUnwrap(run.console.events.first { $0.event.kind == .alarmCleared })
        XCTAssertGreaterThanOrEqual(cleared.at.value, back)
        XCTAssertTrue(run.heaterOn(0, from: back, to: back + 60), "heating again once coolant flows")
    }
}
