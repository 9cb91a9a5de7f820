import BrewControl
import BrewCore
import BrewHAL
import BrewProcess

/// A rig's sensors and outputs as the control loop uses them, on whatever buses it is given —
/// the board's real ones or the simulated brewery's. The real rig and the simulation run this
/// same code, so every protection here is brewed in CI:
///
/// - each vessel's probes read through their drivers and voted (`ProbeVote`);
/// - a probe that stops answering gets its bus re-initialised, and where the rig can, power-cycled
///   through the bus's reset output, before its fault stands;
/// - every output switched only when the interlocks allow (`InterlockGuard`), pumps and valves
///   before heaters so "the pump runs" means this tick's pump;
/// - outputs written only when their state changes (a Modbus relay sees a request per change).
///
/// What happened that the operator should know (an interlock holding or tripping, a power cycle,
/// a probe outvoted) is queued as events for the runner (`takeEvents`).
public final class RigIO {
    public let rig: RigSpec
    public let sensors: RigSensors
    public let outputs: RigOutputs
    private let buses: any RigBusProvider
    private let now: () -> Instant
    private let pause: (Seconds) -> Void

    private var opened: [String: RigSensor] = [:]
    /// Outputs and sensors by number (their order in the hardware file), so a tick works with
    /// array lookups: what each output was last set to (nil: unknown, write again), and the
    /// latest value of each sensor an interlock reads.
    private let outputIDs: [String]
    private let outputNumber: [String: Int]
    private let sensorNumber: [String: Int]
    private var commanded: [Bool?]
    private var values: [Result<Double, BusError>?]
    /// Each vessel's heater, recirculation pump and chiller valve, by output number.
    private let vesselOutputs: [(heater: Int?, pump: Int?, chiller: Int?)]
    private let interlockSensors: [String]
    /// Which sensors (by number) an interlock reads, and which of those are not vessel probes
    /// (a probe an interlock reads is taken from the probe's own read, not read twice).
    private let watched: [Bool]
    private let interlockOnlySensors: [String]
    private var guardian: InterlockGuard
    private var lastPowerCycle: [String: Instant] = [:]
    private var voteNotes: [String?]
    private var voteNoteAt: [Instant?]
    private var events: [ProcessEvent] = []

    /// Each vessel's heater, pump and chiller valve as really switched by the last `apply`
    /// (false when held off, tripped or failed).
    public private(set) var heatersOn: [Bool]
    public private(set) var pumpsOn: [Bool]
    public private(set) var chillersOpen: [Bool]
    /// Bus re-initialisations and power cycles made to bring probes back, for the log and tests.
    public private(set) var recoveries = 0
    public private(set) var powerCycles = 0
    /// A bus is power-cycled at most this often: a dead chip must not stall the loop every second.
    public var powerCycleInterval = Seconds(60)

    /// Drives every output to its safe state. `pause` waits during a bus power cycle (real time on
    /// a rig; nothing in a simulation).
    public init(rig: RigSpec, buses: any RigBusProvider, now: @escaping () -> Instant, pause: @escaping (Seconds) -> Void) {
        self.rig = rig
        self.buses = buses
        self.now = now
        self.pause = pause
        sensors = RigSensors(rig: rig, buses: buses, now: now)
        outputs = RigOutputs(rig: rig, buses: buses)
        let interlocks = rig.effectiveInterlocks
        outputIDs = rig.outputs.map(\.id)
        let outputNumber = Dictionary(outputIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        self.outputNumber = outputNumber
        sensorNumber = Dictionary(rig.sensors.map(\.id).enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        commanded = Array(repeating: nil, count: rig.outputs.count)
        values = Array(repeating: nil, count: rig.sensors.count)
        vesselOutputs = rig.vessels.map { v in
            (v.heater.flatMap { outputNumber[$0.output] }, v.recirculationPump.flatMap { outputNumber[$0] },
             v.chillerValve.flatMap { outputNumber[$0] })
        }
        guardian = InterlockGuard(interlocks: interlocks, outputs: outputIDs, sensors: rig.sensors.map(\.id))
        var ids: [String] = []
        for il in interlocks {
            for c in il.requires { if let id = c.sensorID, !ids.contains(id) { ids.append(id) } }
        }
        interlockSensors = ids
        watched = rig.sensors.map { ids.contains($0.id) }
        let probes = Set(rig.vessels.flatMap(\.temperatureSensors))
        interlockOnlySensors = ids.filter { !probes.contains($0) }
        heatersOn = Array(repeating: false, count: rig.vessels.count)
        pumpsOn = heatersOn
        chillersOpen = heatersOn
        voteNotes = Array(repeating: nil, count: rig.vessels.count)
        voteNoteAt = Array(repeating: nil, count: rig.vessels.count)
        for v in rig.vessels {
            for id in v.temperatureSensors { _ = try? open(id) }
        }
        for id in interlockSensors { _ = try? open(id) }
        allOff()
    }

    /// Outputs stopped by an interlock trip, waiting for acknowledgement.
    public var tripped: [(output: String, why: String)] { guardian.tripped }

    /// Latches saved trips again (a resumed batch): those outputs stay off until acknowledged.
    public func restoreTrips(_ trips: [(output: String, why: String)]) { guardian.restoreTrips(trips) }

    /// Events since the last call, oldest first.
    public func takeEvents() -> [ProcessEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Every output to its safe state, each independently.
    public func allOff() {
        for result in outputs.allOff() {
            if let n = outputNumber[result.output] { commanded[n] = result.error == nil ? false : nil }
        }
        for i in heatersOn.indices {
            heatersOn[i] = false
            pumpsOn[i] = false
            chillersOpen[i] = false
        }
    }

    // MARK: Reading

    /// Reads every vessel's probes (voted into one reading per vessel) and every sensor an
    /// interlock reads. A failed read becomes a `.fault` reading, never a thrown error.
    public func read(at now: Instant, into readings: inout [TemperatureReading?]) {
        for (i, vessel) in rig.vessels.enumerated() where i < readings.count {
            if vessel.redundantSensors.isEmpty {
                readings[i] = temperature(vessel.temperatureSensor, at: now)
                continue
            }
            let probes = vessel.temperatureSensors.map { ProbeVote.Probe(id: $0, reading: temperature($0, at: now)) }
            let outcome = ProbeVote.combine(probes, tolerance: vessel.probeTolerance, at: now, staleAfter: rig.control.staleAfter,
                                            limit: vessel.maxTemperature)
            readings[i] = outcome.reading
            note(vote: outcome.note, vessel: i, at: now)
        }
        for id in interlockOnlySensors { if let n = sensorNumber[id] { values[n] = value(id) } }
    }

    /// Reads every sensor an interlock depends on (each `read` does; also on its own after the
    /// simulated plant is restored from a snapshot that did not keep `interlockMemory`).
    public func readInterlockSensors() {
        for id in interlockSensors { if let n = sensorNumber[id] { values[n] = value(id) } }
    }

    /// What an interlock last read of one sensor: a value, a failed read, or nothing yet.
    public struct RememberedValue: Hashable, Sendable {
        public var sensor: String
        public var value: Double?
        public var failure: BusError?
        public init(sensor: String, value: Double?, failure: BusError?) {
            self.sensor = sensor
            self.value = value
            self.failure = failure
        }
    }

    /// The values the interlocks decide on until the next sample reads them again. Kept with a
    /// simulated batch's state: the plant may have changed since the last sample (a fill confirmed
    /// between samples wets a level switch), and an uninterrupted run goes on deciding on the
    /// values read before that until the next sample — so must a resumed one.
    public var interlockMemory: [RememberedValue] {
        interlockSensors.compactMap { id in
            guard let n = sensorNumber[id] else { return nil }
            return switch values[n] {
            case .success(let v)?: RememberedValue(sensor: id, value: v, failure: nil)
            case .failure(let e)?: RememberedValue(sensor: id, value: nil, failure: e)
            case nil: RememberedValue(sensor: id, value: nil, failure: nil)
            }
        }
    }

    /// Takes up saved interlock values (a seamless resume). Sensors the memory does not name —
    /// a hardware file changed since — are read now instead.
    public func restoreInterlockMemory(_ memory: [RememberedValue]) {
        let byID = Dictionary(memory.map { ($0.sensor, $0) }, uniquingKeysWith: { a, _ in a })
        for id in interlockSensors {
            guard let n = sensorNumber[id] else { continue }
            if let m = byID[id] {
                values[n] = m.value.map { .success($0) } ?? m.failure.map { .failure($0) }
            } else {
                values[n] = value(id)
            }
        }
    }

    private func temperature(_ id: String, at now: Instant) -> TemperatureReading {
        let result = value(id)
        if let n = sensorNumber[id], watched[n] { values[n] = result }
        return switch result {
        case .success(let v): TemperatureReading(value: Celsius(v), takenAt: now)
        case .failure(let e): .fault(e.description, at: now)
        }
    }

    /// A probe that is outvoted or failed among its peers: said once when it starts (and again
    /// if it changes, at most once a minute), and once when all agree again.
    private func note(vote: String?, vessel i: Int, at now: Instant) {
        guard vote != voteNotes[i] else { return }
        let name = rig.vessels[i].name
        if let vote {
            guard voteNoteAt[i].map({ now - $0 >= Seconds(60) }) ?? true || voteNotes[i] == nil else { return }
            events.append(ProcessEvent(.alert, "\(name): \(vote)", vessel: i))
            voteNoteAt[i] = now
        } else {
            events.append(ProcessEvent(.alert, "\(name): all probes agree again", vessel: i))
        }
        voteNotes[i] = vote
    }

    private func open(_ id: String) throws(BusError) -> RigSensor {
        if let s = opened[id] { return s }
        guard let spec = rig.sensor(id: id) else { throw BusError(.invalidRequest, bus: rig.source, detail: "no sensor `\(id)`") }
        let s = try sensors.open(spec)
        opened[id] = s
        answered.insert(id)   // opening checks the device's identity, where it has one
        return s
    }

    /// One sensor's value, with recovery: errors that mean the device stopped answering (no
    /// device, an I/O error, a bad checksum) get the bus re-initialised and the device re-opened —
    /// identity checked and configuration written again, as after a power cycle — and, if that
    /// does not bring it back and the bus has a reset output, the bus power-cycled. Only then does
    /// the error stand. "Not yet" (a conversion running) or a wrong answer are not worth a reset.
    private func value(_ id: String) -> Result<Double, BusError> {
        do throws(BusError) {
            let v = try open(id).read()
            answered.insert(id)
            return .success(v)
        } catch {
            // Only a device that was answering and stopped is worth a bus reset: one that never
            // answered (not fitted, not needed today) must not disturb the bus every second.
            guard answered.contains(id), [.noDevice, .io, .checksum].contains(error.kind), let spec = rig.sensor(id: id) else {
                return .failure(error)
            }
            recoveries += 1
            reinitialise(spec.bus)
            let afterReinit: BusError
            switch reopen(id) {
            case .success(let v): return .success(v)
            case .failure(let e): afterReinit = e
            }
            guard let (busID, reset) = resetLine(for: spec.bus),
                  lastPowerCycle[busID].map({ now() - $0 >= powerCycleInterval }) ?? true else {
                return .failure(stillFailing(afterReinit, "after re-initialising \(spec.bus)"))
            }
            powerCycle(busID, reset, because: id)
            switch reopen(id) {
            case .success(let v):
                events.append(ProcessEvent(.alert, "\(id) answers again after power-cycling bus \(busID)"))
                return .success(v)
            case .failure(let e):
                return .failure(stillFailing(e, "after power-cycling \(busID)"))
            }
        }
    }

    /// Sensors that have been opened or given a value since brewctl started.
    private var answered: Set<String> = []

    /// Opens the device afresh (identity and configuration again) and reads it once.
    private func reopen(_ id: String) -> Result<Double, BusError> {
        opened[id] = nil
        do throws(BusError) { return .success(try open(id).read()) } catch { return .failure(error) }
    }

    private func stillFailing(_ e: BusError, _ what: String) -> BusError {
        BusError(e.kind, bus: e.bus, address: e.address, register: e.register, detail: "\(e.detail) (still failing \(what))")
    }

    private func reinitialise(_ bus: String) {
        buses.reinitialise(bus: bus)
        sensors.forget(bus: bus)
        if case .oneWire(let wire)? = rig.bus(id: bus)?.kind { sensors.forget(bus: wire.i2cBus) }
        // Every device opened on the bus must be opened afresh.
        for (id, _) in opened where rig.sensor(id: id).map({ on($0.bus, busOrBridge: bus) }) ?? false { opened[id] = nil }
    }

    /// True when a sensor on `sensorBus` is reached through `bus` (itself, or a 1-Wire bridge on it).
    private func on(_ sensorBus: String, busOrBridge bus: String) -> Bool {
        if sensorBus == bus { return true }
        if case .oneWire(let wire)? = rig.bus(id: sensorBus)?.kind { return wire.i2cBus == bus }
        return false
    }

    /// The bus whose supply can be cut for a sensor on `bus`: the bus itself, or the I2C bus a
    /// 1-Wire bridge hangs on.
    private func resetLine(for bus: String) -> (String, RigSpec.Bus.Reset)? {
        guard let b = rig.bus(id: bus) else { return nil }
        if let r = b.reset { return (bus, r) }
        if case .oneWire(let wire) = b.kind, let r = rig.bus(id: wire.i2cBus)?.reset { return (wire.i2cBus, r) }
        return nil
    }

    /// Cuts the bus's supply for `reset.time` and restores it. Heaters regulated on a probe of
    /// that bus are switched off first: no element heats blind while its probe is unpowered (the
    /// next `apply` decides again, on the next reading).
    private func powerCycle(_ busID: String, _ reset: RigSpec.Bus.Reset, because sensor: String) {
        for (i, v) in rig.vessels.enumerated() {
            guard let heater = v.heater?.output, let n = outputNumber[heater],
                  v.temperatureSensors.contains(where: { rig.sensor(id: $0).map { on($0.bus, busOrBridge: busID) } ?? false }) else { continue }
            if commanded[n] != false {
                do throws(BusError) {
                    try outputs.set(heater, on: false)
                    commanded[n] = false
                } catch {
                    commanded[n] = nil
                }
            }
            heatersOn[i] = false
        }
        lastPowerCycle[busID] = now()
        powerCycles += 1
        do throws(BusError) {
            try outputs.set(reset.output, on: true)
            pause(reset.time)
            try outputs.set(reset.output, on: false)
            pause(reset.time)   // let the devices power up before they are spoken to
        } catch {
            try? outputs.set(reset.output, on: false)
            events.append(ProcessEvent(.alarm, "could not power-cycle bus \(busID) through \(reset.output): \(error)"))
        }
        events.append(ProcessEvent(.alert, "bus \(busID) power-cycled through \(reset.output): \(sensor) stopped answering"))
        reinitialise(busID)
    }

    // MARK: Outputs

    /// Switches the outputs to what the controller wants, as far as the interlocks allow.
    /// Returns a message for every output that failed to switch.
    public func apply(_ wanted: [ProcessController.VesselOutput]) -> [String] {
        let t = now()
        var failures: [String] = []
        func drive(_ n: Int?, _ on: Bool, vessel: Int) -> Bool {
            guard let n else { return false }
            let before = events.count
            let allowed = guardian.decide(n, wanted: on, at: t, isOn: isOn, value: latest, explain: explain, events: &events)
            // What an interlock said about a vessel's output belongs to that vessel in the log.
            for k in before..<events.count { events[k].vessel = vessel }
            if commanded[n] != allowed {
                do throws(BusError) {
                    try outputs.set(outputIDs[n], on: allowed)
                    commanded[n] = allowed
                } catch {
                    commanded[n] = nil   // unknown: try again next tick
                    failures.append("\(outputIDs[n]): \(error)")
                }
            }
            return commanded[n] ?? false
        }
        for (i, o) in wanted.enumerated() where i < vesselOutputs.count {
            pumpsOn[i] = drive(vesselOutputs[i].pump, o.pumpOn, vessel: i)
            chillersOpen[i] = drive(vesselOutputs[i].chiller, o.chillerOpen, vessel: i)
        }
        for (i, o) in wanted.enumerated() where i < vesselOutputs.count {
            heatersOn[i] = drive(vesselOutputs[i].heater, o.heaterOn, vessel: i)
        }
        return failures
    }

    /// Releases outputs stopped by an interlock trip (the operator has looked).
    @discardableResult
    public func acknowledge(by actor: String?) -> [String] {
        guardian.acknowledge(by: actor, events: &events)
    }

    /// The first unmet condition of `output`'s interlocks, in words, or nil when it may run now.
    public func blockedBy(_ output: String) -> String? {
        guard let n = outputNumber[output], let (interlock, condition) = guardian.firstUnmet(n, isOn: isOn, value: latest) else { return nil }
        return (interlock.reason ?? interlock.name ?? "interlock") + " (\(explain(condition)))"
    }

    private func isOn(_ output: Int) -> Bool { commanded[output] ?? false }

    /// A sensor's latest good value; nil when it cannot be read (which fails every condition on
    /// it: unsure means off).
    private func latest(_ sensor: Int) -> Double? {
        if case .success(let v)? = values[sensor] { v } else { nil }
    }

    /// Why a condition that does not hold does not, in words (the guard has tested it).
    private func explain(_ condition: RigSpec.Interlock.Condition) -> String {
        switch condition {
        case .output(let id, let on):
            "\(id) is \(on ? "off" : "on")"
        case .level(let sensor, _):
            reading(sensor) { "\(sensor) reads \($0 == 1 ? "wet" : "dry")" }
        case .above(let sensor, let limit):
            reading(sensor) { "\(sensor) reads \(Format.fixed($0, 2)), needs more than \(Format.fixed(limit, 2))" }
        case .below(let sensor, let limit):
            reading(sensor) { "\(sensor) reads \(Format.fixed($0, 2)), needs less than \(Format.fixed(limit, 2))" }
        }
    }

    private func reading(_ sensor: String, _ words: (Double) -> String) -> String {
        switch sensorNumber[sensor].flatMap({ values[$0] }) {
        case .success(let v)?: words(v)
        case .failure(let error)?: "\(sensor) cannot be read: \(error.kind.rawValue)"
        case nil: "\(sensor) not read yet"
        }
    }
}
