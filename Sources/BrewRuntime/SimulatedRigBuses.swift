import BrewCore
import BrewDrivers
import BrewHAL
import BrewRigIO
import BrewSim

/// The simulated plant, shared by the simulated brewery and its buses (the buses read it, the
/// brewery advances it).
final class PlantBox {
    var plant: SimulatedPlant
    init(_ plant: SimulatedPlant) { self.plant = plant }
}

/// The simulated brewery's buses, at the device level, so `RigIO` and the real drivers run on them
/// exactly as on a board: MCP9808 chips on simulated I2C buses, transmitters' registers on
/// simulated Modbus links, level switches and pulse flow meters on simulated GPIO lines, and
/// outputs as simulated lines whose state — not the controller's wish — the physics sees. What
/// each device reports comes from the plant: a vessel's probes see its liquid, its flow meter
/// the flow its pump really moves, its level switch its real volume.
final class SimulatedRigBuses: RigBusProvider {
    let rig: RigSpec
    private let box: PlantBox
    private(set) var i2c: [String: SimulatedI2CBus] = [:]
    private(set) var modbus: [String: SimulatedModbusClient] = [:]
    /// Each temperature chip by sensor id.
    private var chips: [String: SimulatedMCP9808] = [:]
    private var registers: [String: (device: SimulatedModbusDevice, input: Bool, address: UInt16, value: ModbusValue)] = [:]
    /// Outputs by id.
    private(set) var lines: [String: SimulatedLine] = [:]
    /// Where each sensor sits: its vessel and the vessel key naming it (found once, not per read).
    private let placement: [String: (vessel: Int, key: String)]
    /// Per sensor: a value it reports instead of the truth, or a bias (injected faults).
    var overrides: [String: SensorOverride] = [:]
    /// Buses whose devices have latched up: they answer nothing until power-cycled.
    private(set) var latchedUp: Set<String> = []
    private(set) var reinitialisations: [String: Int] = [:]
    private var pulseState: [String: (at: Double, owed: Double)] = [:]

    enum SensorOverride: Sendable {
        case reads(Double)
        case bias(Double)
    }

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    init(rig: RigSpec, box: PlantBox) throws(SetupError) {
        self.rig = rig
        self.box = box
        var placement: [String: (vessel: Int, key: String)] = [:]
        for sensor in rig.sensors { if let p = rig.vesselOf(sensor: sensor.id) { placement[sensor.id] = (p.index, p.key) } }
        self.placement = placement
        for bus in rig.buses {
            switch bus.kind {
            case .i2c(let adapter): i2c[bus.id] = SimulatedI2CBus(name: "sim-i2c-\(adapter)")
            case .modbusRTU(let rtu): modbus[bus.id] = SimulatedModbusClient(name: "sim-\(rtu.device)")
            case .modbusTCP(let tcp): modbus[bus.id] = SimulatedModbusClient(name: "sim-\(tcp.host):\(tcp.port)")
            case .gpio, .oneWire: break
            }
        }
        for sensor in rig.sensors {
            switch (sensor.part, sensor.connection) {
            case (.mcp9808, .i2c(let address)):
                guard let bus = i2c[sensor.bus] else { throw SetupError(description: "sensor `\(sensor.id)`: bus `\(sensor.bus)` is not a simulated I2C bus") }
                let chip = SimulatedMCP9808(temperature: truth(sensor))
                do { try bus.attach(chip, at: UInt8(truncatingIfNeeded: address)) } catch { throw SetupError(description: "sensor `\(sensor.id)`: \(error)") }
                chips[sensor.id] = chip
            case (.modbusRegister, .modbus(let p)):
                guard let client = modbus[sensor.bus] else { throw SetupError(description: "sensor `\(sensor.id)`: bus `\(sensor.bus)` is not a simulated Modbus bus") }
                let unit = UInt8(clamping: p.unit)
                let device = client.devices[unit] ?? SimulatedModbusDevice()
                client.attach(device, unit: unit)
                registers[sensor.id] = (device, p.registerType == .input, UInt16(clamping: p.register), ModbusValue(p))
            case (.levelSwitch, _), (.pulseFlowMeter, _):
                break   // read from the plant when asked
            default:
                throw SetupError(description: "sensor `\(sensor.id)`: the simulated brewery cannot simulate a \(sensor.part.rawValue) there")
            }
        }
        refresh()
    }

    /// What a sensor should report now: its vessel's probe (temperature), or the room.
    private func truth(_ sensor: RigSpec.Sensor) -> Celsius {
        guard let (v, key) = placement[sensor.id], key == "sensor", v < box.plant.vessels.count else { return rig.site.ambient }
        return box.plant[v].probe
    }

    /// Puts the plant's present values into every chip and register (before each read). Every
    /// simulated device reports the truth in its own units (raw = value ÷ scale); the file's
    /// calibration offset is then added by `RigSensor`, as on a real rig.
    func refresh() {
        for sensor in rig.sensors where chips[sensor.id] != nil || registers[sensor.id] != nil {
            var value = truth(sensor).value
            switch overrides[sensor.id] {
            case .reads(let v)?: value = v
            case .bias(let b)?: value += b
            case nil: break
            }
            let raw = value / sensor.scale
            if let chip = chips[sensor.id] { chip.temperature = Celsius(raw) }
            if let r = registers[sensor.id] {
                let words = r.value.encode(raw)
                if r.input { r.device.setInput(r.address, words) } else { r.device.setHolding(r.address, words) }
            }
        }
    }

    /// Every device on `bus` stops answering until the bus is power-cycled (an I2C latch-up).
    func latchUp(bus: String) {
        guard let b = i2c[bus] else { return }
        latchedUp.insert(bus)
        for address in SimulatedI2CBus.validAddresses where b.device(at: address) != nil { b.disconnect(address) }
    }

    private func powerCycled(bus: String) {
        guard latchedUp.remove(bus) != nil, let b = i2c[bus] else { return }
        for address in SimulatedI2CBus.validAddresses where b.device(at: address) != nil { b.reconnect(address) }
    }

    // MARK: RigBusProvider

    func i2cBus(_ id: String) throws(BusError) -> any I2CBus {
        guard let b = i2c[id] else { throw BusError(.io, bus: id, detail: "no simulated I2C bus `\(id)`") }
        return b
    }

    func modbusClient(_ id: String) throws(BusError) -> any ModbusClient {
        guard let c = modbus[id] else { throw BusError(.io, bus: id, detail: "no simulated Modbus bus `\(id)`") }
        return c
    }

    /// Re-initialising a simulated bus changes nothing — a latched-up bus needs its power cut —
    /// but is counted, for tests.
    func reinitialise(bus id: String) { reinitialisations[id, default: 0] += 1 }

    func gpioOutput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> any DigitalOutput {
        if let l = lines[name] { try l.set(false); return l }
        var cut: (() -> Void)?
        if rig.output(id: name)?.kind == .busReset, let target = rig.buses.first(where: { $0.reset?.output == name })?.id {
            cut = { [weak self] in self?.powerCycled(bus: target) }
        }
        let out = SimulatedLine(name: name, cut: cut)
        lines[name] = out
        return out
    }

    func levelInput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> () throws(BusError) -> Bool {
        guard let spec = rig.sensor(id: name), case .levelSwitch(_, _, let wetWhen) = spec.connection else {
            throw BusError(.invalidRequest, bus: bus, detail: "no simulated level switch `\(name)`")
        }
        let place = placement[name]
        return { [box, rig] () throws(BusError) -> Bool in
            var wet = false
            if let (v, key) = place, v < box.plant.vessels.count {
                let vessel = box.plant[v]
                // A coolant switch reads wet while coolant flows; a level switch while the liquid
                // reaches it (at the vessel's minimum volume, 5 L if it has none).
                wet = key == "coolant_flow" ? !vessel.faults.contains(.coolantLost)
                                            : vessel.water.value >= (rig.vessels[v].minVolume ?? Litres(5)).value
            }
            return wet == (wetWhen == .closed)   // true: the switch is closed
        }
    }

    func pulseInput(bus: String, line: Int, name: String) throws(BusError) -> (_ each: (UInt64) -> Void) throws(BusError) -> UInt64 {
        guard let spec = rig.sensor(id: name), case .pulses(_, let perLitre) = spec.connection else {
            throw BusError(.invalidRequest, bus: bus, detail: "no simulated flow meter `\(name)`")
        }
        return { [weak self] (each: (UInt64) -> Void) throws(BusError) -> UInt64 in
            guard let self else { return 0 }
            let now = self.box.plant.now.seconds
            // Pulses are laid evenly over the time since the last drain, at the flow the plant
            // has now; whole pulses only, the fraction is owed to the next drain.
            // A meter opened on a running pump (a resumed simulation) has seen its last window of
            // pulses, as a real one that kept counting would have.
            var state = self.pulseState[name] ?? (now - 2, 0)
            let dt = now - state.at
            if dt > 0 {
                let litresPerSecond = self.flow(name) / 60
                let due = state.owed + litresPerSecond * perLitre * dt
                let n = Int(due.rounded(.down))
                if n > 0 {
                    for k in 1...n { each(Self.ns(state.at + dt * Double(k) / Double(n))) }
                }
                state = (now, due - Double(n))
            }
            self.pulseState[name] = state
            return Self.ns(now)
        }
    }

    /// The plant clock as a kernel timestamp (never 0).
    private static func ns(_ seconds: Double) -> UInt64 { UInt64(max(0, seconds + 1) * 1e9) }

    /// Litres per minute through a flow meter now.
    func flow(_ sensor: String) -> Double {
        guard let (v, key) = placement[sensor], v < box.plant.vessels.count else { return 0 }
        let vessel = box.plant[v]
        let sim = rig.vessels[v].simulation ?? RigSpec.Simulation()
        switch key {
        case "flow_meter":
            // The plant's pump, not the output line: after a resume the plant runs on as it was
            // until the first tick switches the lines again. Below the vessel's `min_pump_volume`
            // (1 L without one) the pump draws air: it moves nothing.
            let least = rig.vessels[v].minPumpVolume?.value ?? 1
            return vessel.pumpOn && !vessel.faults.contains(.pumpFailed) && vessel.water.value >= max(1, least) ? sim.pumpFlow : 0
        case "coolant_flow":
            return vessel.faults.contains(.coolantLost) ? 0 : sim.coolantFlow
        default:
            return 0
        }
    }
}

/// A GPIO output line of the simulated brewery. A bus's reset line has `cut`: switching it on
/// cuts the bus's power, which is what clears a latched-up device.
final class SimulatedLine: DigitalOutput {
    let name: String
    private(set) var isOn = false
    private let cut: (() -> Void)?
    init(name: String, cut: (() -> Void)? = nil) {
        self.name = name
        self.cut = cut
    }
    func set(_ on: Bool) throws(BusError) {
        if on && !isOn { cut?() }
        isOn = on
    }
}
