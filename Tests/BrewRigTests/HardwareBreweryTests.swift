import BrewConfig
import BrewCore
import BrewHAL
import BrewProcess
import BrewRig
import BrewSim
import XCTest
import BrewRigIO

/// The real-rig backend with its buses simulated at the device level: the MCP9808 is a simulated
/// chip read through the real driver; GPIO lines are recorded outputs and settable inputs.
final class HardwareBreweryTests: XCTestCase {
    final class Line: DigitalOutput {
        let name: String
        var isOn = false
        var writes = 0
        var failing = false
        init(_ name: String) { self.name = name }
        func set(_ on: Bool) throws(BusError) {
            writes += 1
            if failing { throw BusError(.io, bus: "gpio", detail: "line stuck") }
            isOn = on
        }
    }

    final class Buses: RigBusProvider {
        let i2c = SimulatedI2CBus()
        var lines: [Int: Line] = [:]
        var levels: [Int: Bool] = [:]
        var pulses: [Int: [UInt64]] = [:]
        var nowNs: UInt64 = 10_000_000_000
        func i2cBus(_ id: String) throws(BusError) -> any I2CBus { i2c }
        func modbusClient(_ id: String) throws(BusError) -> any ModbusClient { throw BusError(.noDevice, bus: id, detail: "none") }
        func gpioOutput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> any DigitalOutput {
            let l = lines[line] ?? Line(name)
            lines[line] = l
            try l.set(false)   // requested at its safe level, as the kernel does
            return l
        }
        func levelInput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> () throws(BusError) -> Bool {
            { () throws(BusError) -> Bool in self.levels[line] ?? false }
        }
        func pulseInput(bus: String, line: Int, name: String) throws(BusError) -> (_ each: (UInt64) -> Void) throws(BusError) -> UInt64 {
            { (each: (UInt64) -> Void) throws(BusError) -> UInt64 in
                for t in self.pulses[line] ?? [] { each(t) }
                self.pulses[line] = []
                return self.nowNs
            }
        }
    }

    let rigText = """
    name = "Bench rig"
    backend = "linux"

    [buses.i2c]
    type = "i2c"
    adapter = 1

    [buses.gpio]
    type = "gpio"
    chip = "gpiochip0"

    [sensors.mash_probe]
    type = "mcp9808"
    bus = "i2c"
    address = 0x18

    [sensors.level]
    type = "level_switch"
    bus = "gpio"
    line = 16
    active_low = true
    wet_when = "closed"

    [sensors.flow]
    type = "pulse_flow_meter"
    bus = "gpio"
    line = 12
    k_factor = 450

    [outputs.element]
    type = "heater"
    bus = "gpio"
    line = 17

    [outputs.pump]
    type = "pump"
    bus = "gpio"
    line = 22

    [vessels.mash_tun]
    role = "mash_tun"
    name = "Mash tun"
    capacity = "50 L"
    sensor = "mash_probe"
    recirculation_pump = "pump"
    level_switch = "level"
    flow_meter = "flow"

    [vessels.mash_tun.heater]
    output = "element"
    power = "3500 W"
    pid = { kp = 25, ti = "300 s" }

    [[interlocks]]
    output = "element"
    requires = [{ sensor = "level", is = "wet" }, { output = "pump", is = "on" }, { sensor = "flow", above = "2 L/min" }]
    reason = "no flow through the RIMS tube"
    """

    func heat(_ on: Bool, pump: Bool) -> [ProcessController.VesselOutput] {
        var o = ProcessController.VesselOutput()
        o.heaterOn = on
        o.pumpOn = pump
        return [o]
    }

    func testReadsThroughTheDriverAndEnforcesInterlocksAtTheOutputs() throws {
        let rig = try HardwareLoader.parse(rigText, file: "bench.toml")
        let buses = Buses()
        let chip = SimulatedMCP9808(temperature: Celsius(64.25))
        try buses.i2c.attach(chip, at: 0x18)
        var t = Instant.zero
        let brewery = HardwareBrewery(rig: rig, buses: buses, now: { t })
        let element = try XCTUnwrap(buses.lines[17]), pump = try XCTUnwrap(buses.lines[22])
        XCTAssertFalse(element.isOn || pump.isOn, "everything off from the start")

        var readings: [TemperatureReading?] = [nil]
        brewery.read(at: t, into: &readings)
        XCTAssertEqual(readings[0]?.value, Celsius(64.25))

        // Dry: the element stays off, and the alarm says why — once, not every tick.
        XCTAssertEqual(brewery.apply(heat(true, pump: true)), [], "an interlock holding an output is not a failed output")
        XCTAssertFalse(element.isOn)
        XCTAssertTrue(pump.isOn)
        XCTAssertEqual(brewery.heatersApplied, [false])
        var events = brewery.takeEvents()
        XCTAssertEqual(events.map(\.kind), [.alarm])
        XCTAssertTrue(events[0].message.hasPrefix("element held off — no flow through the RIMS tube: level reads dry"), events[0].message)
        for _ in 0..<10 { _ = brewery.apply(heat(true, pump: true)) }
        XCTAssertTrue(brewery.takeEvents().isEmpty, "held, and already said")

        // Wet, pump running, but no flow yet: still held.
        buses.levels[16] = true
        t = t + Seconds(1)
        brewery.read(at: t, into: &readings)
        _ = brewery.apply(heat(true, pump: true))
        XCTAssertFalse(element.isOn)
        XCTAssertEqual(brewery.io.blockedBy("element"), "no flow through the RIMS tube (flow reads 0.00, needs more than 2.00)")

        // 20 pulses a second at 450 pulses/L is 2.7 L/min: now it may heat, and the alarm clears.
        buses.pulses[12] = (0..<20).map { buses.nowNs - 1_000_000_000 + UInt64($0) * 50_000_000 }
        t = t + Seconds(1)
        brewery.read(at: t, into: &readings)
        XCTAssertEqual(brewery.apply(heat(true, pump: true)), [])
        XCTAssertTrue(element.isOn)
        XCTAssertEqual(brewery.heatersApplied, [true])
        events = brewery.takeEvents()
        XCTAssertEqual(events.map(\.kind), [.alarmCleared], "\(events.map(\.message))")

        // The pump stops: the element goes off in the same tick, before anything else.
        _ = brewery.apply(heat(true, pump: false))
        XCTAssertFalse(pump.isOn)
        XCTAssertFalse(element.isOn)
        XCTAssertEqual(brewery.heatersApplied, [false])
        events = brewery.takeEvents()
        XCTAssertTrue(events.first?.message.contains("pump is off") == true, "\(events.map(\.message))")
    }

    func testAPumpWithoutFlowIsStoppedAsRunningDryUntilAcknowledged() throws {
        let withoutInterlocks = try XCTUnwrap(rigText.components(separatedBy: "[[interlocks]]").first)
        let rig = try HardwareLoader.parse(withoutInterlocks, file: "bench.toml")
        let buses = Buses()
        try buses.i2c.attach(SimulatedMCP9808(temperature: Celsius(40)), at: 0x18)
        var t = Instant.zero
        let brewery = HardwareBrewery(rig: rig, buses: buses, now: { t })
        let pump = try XCTUnwrap(buses.lines[22])
        var readings: [TemperatureReading?] = [nil]
        // The implied dry-run protection: 20 s to prime, then no flow stops the pump.
        for k in 0...25 {
            t = Instant(seconds: Double(k))
            brewery.read(at: t, into: &readings)
            _ = brewery.apply(heat(false, pump: true))
            XCTAssertEqual(pump.isOn, k < 20, "at \(k) s")
        }
        let trip = try XCTUnwrap(brewery.takeEvents().first { $0.kind == .alarm })
        XCTAssertTrue(trip.message.hasPrefix("pump stopped — Mash tun: pump running dry (no flow): flow reads 0.00"), trip.message)
        XCTAssertEqual(brewery.io.tripped.map(\.output), ["pump"])

        // A crash and a restart: the trip is part of the saved state and holds again.
        let saved = brewery.latchedTrips
        XCTAssertEqual(saved.count, 1)
        XCTAssertTrue(saved[0].hasPrefix("pump: Mash tun: pump running dry"), saved[0])
        let restarted = HardwareBrewery(rig: rig, buses: buses, now: { t })
        restarted.restoreTrips(saved)
        restarted.read(at: t, into: &readings)
        _ = restarted.apply(heat(false, pump: true))
        XCTAssertFalse(pump.isOn, "still tripped after the restart")

        XCTAssertEqual(restarted.acknowledge(by: "ann"), ["pump"])
        _ = restarted.apply(heat(false, pump: true))
        XCTAssertTrue(pump.isOn, "acknowledged: it may prime again")
    }

    func testOutputsAreWrittenOnlyWhenTheyChangeAndRetriedAfterAFailure() throws {
        let withoutInterlocks = try XCTUnwrap(rigText.components(separatedBy: "[[interlocks]]").first)
        let rig = try HardwareLoader.parse(withoutInterlocks, file: "bench.toml")
        let buses = Buses()
        try buses.i2c.attach(SimulatedMCP9808(), at: 0x18)
        let brewery = HardwareBrewery(rig: rig, buses: buses, now: { .zero })
        let pump = try XCTUnwrap(buses.lines[22])
        let before = pump.writes
        for _ in 0..<10 { _ = brewery.apply(heat(false, pump: true)) }
        XCTAssertEqual(pump.writes, before + 1, "one write for one change, not one per tick")

        pump.failing = true
        let failures = brewery.apply(heat(false, pump: false))
        XCTAssertTrue(failures.first?.contains("line stuck") == true, "\(failures)")
        pump.failing = false
        XCTAssertEqual(brewery.apply(heat(false, pump: false)), [], "retried on the next tick")
        XCTAssertFalse(pump.isOn)
    }

    func testAProbeThatStopsAnsweringIsReprobedBeforeTheFaultStands() throws {
        let rig = try HardwareLoader.parse(rigText, file: "bench.toml")
        let buses = Buses()
        let chip = SimulatedMCP9808(temperature: Celsius(66))
        try buses.i2c.attach(chip, at: 0x18)
        let brewery = HardwareBrewery(rig: rig, buses: buses, now: { .zero })
        var readings: [TemperatureReading?] = [nil]

        // One NACK (a glitch, an EMI burst): re-probed and read again, no fault.
        buses.i2c.fail(at: 0x18, next: 1, with: .noDevice)
        brewery.read(at: .zero, into: &readings)
        XCTAssertEqual(readings[0]?.value, Celsius(66))
        XCTAssertEqual(brewery.recoveries, 1)

        // Gone for good: the fault stands, and says a re-initialisation was tried.
        buses.i2c.disconnect(0x18)
        brewery.read(at: .zero, into: &readings)
        guard case .fault(let why)? = readings[0]?.quality else { return XCTFail("\(String(describing: readings[0]))") }
        XCTAssertTrue(why.contains("still failing after re-initialising i2c"), why)

        // Back (re-plugged): read again at the next sample.
        buses.i2c.reconnect(0x18)
        brewery.read(at: .zero, into: &readings)
        XCTAssertEqual(readings[0]?.value, Celsius(66))
    }

    func testAProbeAnInterlockReadsIsReadOncePerSampleAndHoldsTheElement() throws {
        let plain = try XCTUnwrap(rigText.components(separatedBy: "[[interlocks]]").first)
        let guarded = plain + """
        [[interlocks]]
        output = "element"
        requires = [{ sensor = "mash_probe", below = "78 C" }]
        reason = "too hot for the RIMS tube"
        """
        func transactionsPerRead(_ text: String, at celsius: Double) throws -> (Int, HardwareBrewery, Buses) {
            let buses = Buses()
            let chip = SimulatedMCP9808(temperature: Celsius(celsius))
            try buses.i2c.attach(chip, at: 0x18)
            let brewery = HardwareBrewery(rig: try HardwareLoader.parse(text, file: "bench.toml"), buses: buses, now: { .zero })
            var readings: [TemperatureReading?] = [nil]
            brewery.read(at: .zero, into: &readings)
            let before = buses.i2c.transactionCount
            brewery.read(at: .zero, into: &readings)
            return (buses.i2c.transactionCount - before, brewery, buses)
        }
        let (alone, _, _) = try transactionsPerRead(plain, at: 70)
        let (watched, brewery, buses) = try transactionsPerRead(guarded, at: 80)
        XCTAssertGreaterThan(alone, 0)
        XCTAssertEqual(watched, alone, "the probe's own read serves the interlock too")
        buses.levels[16] = true
        _ = brewery.apply(heat(true, pump: false))
        XCTAssertFalse(try XCTUnwrap(buses.lines[17]).isOn)
        XCTAssertEqual(brewery.io.blockedBy("element"), "too hot for the RIMS tube (mash_probe reads 80.00, needs less than 78.00)")
    }

    func testAMissingProbeIsAFaultReadingNotACrash() throws {
        let rig = try HardwareLoader.parse(rigText, file: "bench.toml")
        let buses = Buses()   // nothing at 0x18
        let brewery = HardwareBrewery(rig: rig, buses: buses, now: { .zero })
        var readings: [TemperatureReading?] = [nil]
        brewery.read(at: .zero, into: &readings)
        guard case .fault(let why)? = readings[0]?.quality else { return XCTFail("\(String(describing: readings[0]))") }
        XCTAssertTrue(why.contains("0x18"), why)
        // A device that never answered is not worth a bus reset every second (it may simply not
        // be fitted today); it is looked for again at every read, and used once it answers.
        for _ in 0..<5 { brewery.read(at: .zero, into: &readings) }
        XCTAssertEqual(brewery.recoveries, 0)
        try buses.i2c.attach(SimulatedMCP9808(temperature: Celsius(21.5)), at: 0x18)
        brewery.read(at: .zero, into: &readings)
        XCTAssertEqual(readings[0]?.value, Celsius(21.5))
    }
}
