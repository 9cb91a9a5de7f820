import BrewCore
import BrewDrivers
import BrewHAL
import BrewProcess
import BrewSim

/// The simulated club brewery as a backend: vessel physics, MCP9808 chips on simulated I2C buses
/// read through the real MCP9808 driver, and simulated GPIO outputs whose state — not the
/// controller's wish — is what the physics sees.
public final class SimulatedBrewery: RigBackend {
    public let rig: RigSpec
    public var isSimulated: Bool { true }
    /// The physical truth, for tests and for the operator's actions.
    public private(set) var plant: SimulatedPlant
    public private(set) var buses: [String: SimulatedI2CBus] = [:]
    public private(set) var chips: [SimulatedMCP9808?] = []
    private var sensors: [MCP9808?] = []
    private var offsets: [Kelvin] = []
    private var heaters: [SimulatedDigitalOutput?] = []
    private var pumps: [SimulatedDigitalOutput?] = []
    private var chillers: [SimulatedDigitalOutput?] = []
    private let roles: [VesselRole]

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(rig: RigSpec) throws(SetupError) {
        self.rig = rig
        plant = SimulatedPlant(rig: rig, step: min(rig.control.tick, Seconds(0.1)))
        roles = rig.vessels.map(\.role)
        for bus in rig.buses {
            if case .i2c(let adapter) = bus.kind { buses[bus.id] = SimulatedI2CBus(name: "sim-i2c-\(adapter)") }
        }
        func output(_ id: String?) -> SimulatedDigitalOutput? { id.map { SimulatedDigitalOutput(name: $0) } }
        for (i, vessel) in rig.vessels.enumerated() {
            heaters.append(output(vessel.heater?.output))
            pumps.append(output(vessel.recirculationPump))
            chillers.append(output(vessel.chillerValve))
            guard let spec = rig.sensor(id: vessel.temperatureSensor), let bus = buses[spec.bus] else {
                throw SetupError(description: "\(vessel.name): sensor `\(vessel.temperatureSensor)` is not on a simulated I2C bus")
            }
            let chip = SimulatedMCP9808(temperature: plant[i].probe)
            do {
                try bus.attach(chip, at: UInt8(truncatingIfNeeded: spec.address))
                sensors.append(try MCP9808(bus: bus, address: UInt8(truncatingIfNeeded: spec.address)))
            } catch {
                throw SetupError(description: "\(vessel.name): \(error)")
            }
            chips.append(chip)
            offsets.append(spec.offset)
        }
    }

    public func allOff() {
        for o in heaters + pumps + chillers { try? o?.set(false) }
        syncPlant()
    }

    public func advance(to now: Instant) {
        while let next = scheduledFaults.first, next.at <= now {
            scheduledFaults.removeFirst()
            next.apply(&plant)
        }
        plant.advance(to: now)
    }

    // MARK: Fault injection (tests, demonstrations)

    private var scheduledFaults: [(at: Instant, apply: @Sendable (inout SimulatedPlant) -> Void)] = []

    /// Injects `fault` into vessel `vessel` when the brew reaches `at` (brew time from the start).
    public func inject(_ fault: SimulatedVessel.Fault, vessel: Int, at: Instant) {
        schedule(at: at) { $0.inject(fault, vessel: vessel) }
    }

    /// Repairs every injected fault of vessel `vessel` at `at`.
    public func repair(vessel: Int, at: Instant) {
        schedule(at: at) { $0.clearFaults(vessel: vessel) }
    }

    /// Changes the physical world at `at` (a fault, a repair, an unannounced disturbance).
    public func schedule(at: Instant, _ change: @escaping @Sendable (inout SimulatedPlant) -> Void) {
        scheduledFaults.append((at, change))
        scheduledFaults.sort { $0.at < $1.at }
    }

    public func read(at now: Instant, into readings: inout [TemperatureReading?]) {
        for i in sensors.indices {
            guard let sensor = sensors[i] else {
                readings[i] = .fault("no sensor", at: now)
                continue
            }
            chips[i]?.temperature = plant[i].probe
            do {
                let t = try sensor.readTemperature()
                readings[i] = TemperatureReading(value: t + offsets[i], takenAt: now)
            } catch {
                readings[i] = .fault(error.description, at: now)
            }
        }
    }

    public func apply(_ outputs: [ProcessController.VesselOutput]) -> [String] {
        var failures: [String] = []
        for i in outputs.indices {
            let o = outputs[i]
            func drive(_ out: SimulatedDigitalOutput?, _ on: Bool) {
                guard let out, out.isOn != on else { return }
                do { try out.set(on) } catch { failures.append("\(out.name): \(error)") }
            }
            drive(heaters[i], o.heaterOn)
            drive(pumps[i], o.pumpOn)
            drive(chillers[i], o.chillerOpen)
        }
        syncPlant()
        return failures
    }

    /// Continues from a whole plant snapshot (a resumed simulation), or throws, changing
    /// nothing, when it was taken on another rig. The outputs stay as they are (off, before a
    /// resumed run's first tick), but the plant keeps the actuators the snapshot's tick left it
    /// with until the next tick applies new ones: the physics up to that tick belongs to the
    /// snapshot's tick, as it would have without the interruption.
    public func restorePlant(_ snapshot: SimulatedPlant.Snapshot) throws(SimulatedPlant.RestoreError) {
        try plant.restore(snapshot)
    }

    public func operatorDid(_ actions: [OperatorAction]) -> [String] {
        actions.compactMap { plant.perform($0, roles: roles) }
    }

    /// The physics sees what the outputs really did.
    private func syncPlant() {
        for i in heaters.indices {
            plant.setHeater(i, on: heaters[i]?.isOn ?? false)
            plant.setPump(i, on: pumps[i]?.isOn ?? false)
            plant.setChiller(i, open: chillers[i]?.isOn ?? false)
        }
    }
}
