// rigbench: what the real-rig backend costs the Pi, measured on the club brewery's hardware file
// with every chip simulated at the register level, so the real drivers run (see scripts/benchmark-rig).
//
//   rigbench [iterations [reads|ticks|both [hardware file]]]
//
// Prints the CPU time of one full read of the rig's sensors and of one control tick's output
// step (HardwareBrewery.apply with unchanged outputs). Allocations are counted by running it
// under valgrind at two iteration counts (the script does that): the difference is per iteration.
#if canImport(Glibc)
import Glibc
#endif
import BrewConfig
import BrewCore
import BrewHAL
import BrewProcess
import BrewRig
import BrewSim
import BrewRigIO

/// The club rig's buses, simulated: chips on an I2C bus, transmitters on a Modbus line, GPIO.
final class BenchBuses: RigBusProvider {
    let i2c = SimulatedI2CBus(name: "i2c-1")
    let modbus = SimulatedModbusClient(name: "rs485")
    let clock: SimulatedClock
    final class Line: DigitalOutput {
        let name: String
        var isOn = false
        init(_ name: String) { self.name = name }
        func set(_ on: Bool) throws(BusError) { isOn = on }
    }

    init(rig: RigSpec, clock: SimulatedClock) throws {
        self.clock = clock
        try i2c.attach(SimulatedMCP9808(temperature: Celsius(72.5)), at: 0x18)
        try i2c.attach(SimulatedTMP117(temperature: Celsius(66.5), clock: clock), at: 0x48)
        let bridge = SimulatedDS2482(channels: 8)
        for sensor in rig.sensors {
            if case .oneWire(let rom) = sensor.connection, case .oneWire(let wire)? = rig.bus(id: sensor.bus)?.kind {
                bridge.attach(SimulatedDS18B20(rom: OneWireROM(rom), temperature: Celsius(18.5), clock: clock), channel: wire.channel)
            }
        }
        try i2c.attach(bridge, at: 0x1B)
        let kettle = SimulatedModbusDevice()
        kettle.setInput(0, [995])
        modbus.attach(kettle, unit: 1)
        let gravity = SimulatedModbusDevice()
        let bits = Float(1.012).bitPattern
        gravity.setHolding(100, [UInt16(bits >> 16), UInt16(truncatingIfNeeded: bits)])
        modbus.attach(gravity, unit: 2)
    }

    func i2cBus(_ id: String) throws(BusError) -> any I2CBus { i2c }
    func modbusClient(_ id: String) throws(BusError) -> any ModbusClient { modbus }
    func gpioOutput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> any DigitalOutput { Line(name) }
    func levelInput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> () throws(BusError) -> Bool {
        { () throws(BusError) -> Bool in true }
    }
    func pulseInput(bus: String, line: Int, name: String) throws(BusError) -> (_ each: (UInt64) -> Void) throws(BusError) -> UInt64 {
        var t: UInt64 = 1_000_000_000
        return { (each: (UInt64) -> Void) throws(BusError) -> UInt64 in
            t += 100_000_000
            each(t)   // one pulse per read: a steady trickle
            return t
        }
    }
}

func cpuNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

let iterations = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 20_000
/// "reads", "ticks" or both: valgrind counts each part's allocations separately.
let part = CommandLine.arguments.dropFirst(2).first ?? "both"
let path = CommandLine.arguments.dropFirst(3).first ?? "Hardware/club-brewery.toml"
let rig: RigSpec
do { rig = try HardwareLoader.load(path: path) } catch {
    print("rigbench: \(error)")
    exit(2)
}
let clock = SimulatedClock()
let buses = try BenchBuses(rig: rig, clock: clock)
let sensors = RigSensors(rig: rig, buses: buses, now: clock.read)
var opened: [RigSensor] = []
for spec in rig.sensors {
    do throws(BusError) { opened.append(try sensors.open(spec)) } catch {
        print("rigbench: \(spec.id): \(error)")
        exit(1)
    }
}
let brewery = HardwareBrewery(rig: rig, buses: buses, now: clock.read)
var wanted = Array(repeating: ProcessController.VesselOutput(), count: rig.vessels.count)
for i in wanted.indices { wanted[i].pumpOn = rig.vessels[i].recirculationPump != nil }
_ = brewery.apply(wanted)

var sink = 0.0
var failures = 0
clock.advance(by: Seconds(1))
let readStart = cpuNanoseconds()
for _ in 0..<(part == "ticks" ? 0 : iterations) {
    clock.advance(by: Seconds(1))   // one sample period: every DS18B20 conversion is due
    for s in opened {
        do throws(BusError) { sink += try s.read() } catch { failures += 1 }
    }
}
let readNs = Double(cpuNanoseconds() - readStart) / Double(iterations)

let tickStart = cpuNanoseconds()
for _ in 0..<(part == "reads" ? 0 : iterations * 10) {
    failures += brewery.apply(wanted).count
}
let tickNs = Double(cpuNanoseconds() - tickStart) / Double(iterations * 10)

print("rig: \(rig.name), \(opened.count) sensors, \(rig.outputs.count) outputs; \(iterations) reads, \(iterations * 10) ticks")
print("full sensor read: \(Format.fixed(readNs / 1000, 1)) µs CPU (drivers + simulated chips)")
print("control tick output step: \(Format.fixed(tickNs, 0)) ns CPU (outputs unchanged, interlocks checked)")
print("read failures: \(failures)  (checksum \(Format.fixed(sink, 0)))")
