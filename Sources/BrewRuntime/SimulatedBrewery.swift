import BrewCore
import BrewHAL
import BrewProcess
import BrewRigIO
import BrewSim

/// The simulated club brewery as a backend: vessel physics, and the rig's devices simulated at
/// the device level (`SimulatedRigBuses`) under the very `RigIO` a real rig runs — the real
/// drivers read the simulated chips, the interlocks and the protections brewctl implies hold the
/// simulated outputs, a latched-up bus is power-cycled through its reset line. The physics sees
/// what the outputs really did, not what the controller wished.
public final class SimulatedBrewery: RigIOBackend {
    public let rig: RigSpec
    public var isSimulated: Bool { true }
    let box: PlantBox
    let devices: SimulatedRigBuses
    public let io: RigIO
    /// Each vessel's heater, pump(s) and chiller valve lines (all opened, off, by `RigIO`'s start).
    private var lines: [(heater: SimulatedLine?, pumps: [SimulatedLine], chiller: SimulatedLine?)] = []

    /// The physical truth, for tests and for the operator's actions.
    public var plant: SimulatedPlant { box.plant }
    /// The liquid's own temperature in each vessel (the physics; the probe lags and is noisy).
    public var trueTemperatures: [Celsius?] { box.plant.vessels.map { $0.temperature } }
    /// The simulated I2C buses, by bus id (tests disconnect chips on them: a NACK).
    public var buses: [String: SimulatedI2CBus] { devices.i2c }
    /// The simulated Modbus links, by bus id (tests inject timeouts and CRC errors on them).
    public var modbusLinks: [String: SimulatedModbusClient] { devices.modbus }

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(rig: RigSpec) throws(SetupError) {
        self.rig = rig
        box = PlantBox(SimulatedPlant(rig: rig, step: min(rig.control.tick, Seconds(0.1))))
        do {
            devices = try SimulatedRigBuses(rig: rig, box: box)
        } catch {
            throw SetupError(description: error.description)
        }
        let box = self.box
        io = RigIO(rig: rig, buses: devices, now: { box.plant.now }, pause: { _ in })
        let devices = self.devices
        lines = rig.vessels.map { v in
            (v.heater.flatMap { devices.lines[$0.output] }, [v.recirculationPump, v.pump].compactMap { $0.flatMap { devices.lines[$0] } },
             v.chillerValve.flatMap { devices.lines[$0] })
        }
        syncPlant()
    }

    public func allOff() {
        io.allOff()
        syncPlant()
    }

    /// What the rehearsal schedule did since the rig's events were last taken (`+Rehearsal`).
    var rehearsalEvents: [ProcessEvent] = []

    public func takeEvents() -> [ProcessEvent] {
        let staged = rehearsalEvents
        rehearsalEvents = []
        return staged + io.takeEvents()
    }

    public func advance(to now: Instant) {
        while let next = scheduled.first, next.at <= now {
            scheduled.removeFirst()
            next.apply(self)
        }
        box.plant.advance(to: now)
    }

    public func read(at now: Instant, into readings: inout [TemperatureReading?]) {
        devices.refresh()
        io.read(at: now, into: &readings)
    }

    public func apply(_ outputs: [ProcessController.VesselOutput]) -> [String] {
        let failures = io.apply(outputs)
        syncPlant()
        return failures
    }

    public func operatorDid(_ actions: [OperatorAction]) -> [String] {
        actions.compactMap { box.plant.perform($0, roles: rig.vessels.map(\.role)) }
    }


    /// Sets the plant's actuators directly, outputs untouched (rebuilding a plant for an old
    /// snapshot; see `restorePlant(approximately:actions:)`).
    func setActuators(_ outputs: [ProcessController.VesselOutput]) {
        for (i, o) in outputs.enumerated() where i < plant.vessels.count {
            box.plant.setHeater(i, on: o.heaterOn)
            box.plant.setPump(i, on: o.pumpOn)
            box.plant.setChiller(i, open: o.chillerOpen)
        }
    }

    /// The physics sees what the outputs really did.
    private func syncPlant() {
        for (i, l) in lines.enumerated() {
            box.plant.setHeater(i, on: l.heater?.isOn ?? false)
            box.plant.setPump(i, on: l.pumps.contains { $0.isOn })
            box.plant.setChiller(i, open: l.chiller?.isOn ?? false)
        }
    }

    // MARK: Fault injection (tests, demonstrations)

    private var scheduled: [(at: Instant, apply: (SimulatedBrewery) -> Void)] = []

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
        schedule(at: at) { (brewery: SimulatedBrewery) in change(&brewery.box.plant) }
    }

    /// Does something to the simulated brewery at `at`: a bus fault, a repair, a disturbance.
    public func schedule(at: Instant, _ change: @escaping (SimulatedBrewery) -> Void) {
        scheduled.append((at, change))
        scheduled.sort { $0.at < $1.at }
    }

    /// Sensor `id` reports `value` (in its unit) from now on, whatever the truth.
    public func override(sensor id: String, reads value: Double) { devices.overrides[id] = .reads(value) }
    /// Sensor `id` reads `bias` too high (negative: too low) from now on.
    public func override(sensor id: String, bias: Double) { devices.overrides[id] = .bias(bias) }
    /// Sensor `id` reports the truth again.
    public func clearOverride(sensor id: String) { devices.overrides[id] = nil }

    /// Every device on I2C bus `bus` stops answering until its power is cut (a latch-up, as a
    /// long cable or an ESD spike can cause): only a power cycle through the bus's reset output
    /// brings it back.
    public func latchUp(bus: String) { devices.latchUp(bus: bus) }
    /// Whether a latch-up of `bus` is still in force.
    public func isLatchedUp(bus: String) -> Bool { devices.latchedUp.contains(bus) }
    /// How often the runtime re-initialised each bus.
    public var reinitialisations: [String: Int] { devices.reinitialisations }

    /// Continues from a whole plant snapshot (a resumed simulation), or throws, changing
    /// nothing, when it was taken on another rig. The outputs stay as they are (off, before a
    /// resumed run's first tick), but the plant keeps the actuators the snapshot's tick left it
    /// with until the next tick applies new ones: the physics up to that tick belongs to the
    /// snapshot's tick, as it would have without the interruption. The interlocks decide on the
    /// values they held at the snapshot (`interlockMemory`), as the uninterrupted run did until its
    /// next sample; a snapshot that did not keep them has its interlock sensors read at once.
    public func restorePlant(_ snapshot: SimulatedPlant.Snapshot, interlockMemory: [RigIO.RememberedValue]? = nil) throws(SimulatedPlant.RestoreError) {
        try box.plant.restore(snapshot)
        devices.refresh()
        if let interlockMemory { io.restoreInterlockMemory(interlockMemory) } else { io.readInterlockSensors() }
    }
}
