import BrewCore
import BrewHAL
import BrewProcess
import BrewRuntime

/// A real rig as the runtime's backend: each vessel's probe read through its driver, heaters,
/// pumps and valves switched through `RigOutputs`, and the hardware file's interlocks enforced at
/// the outputs — a heater whose interlock does not hold is not switched on, whatever the
/// controller asked, and the reason is reported.
///
/// Outputs are written only when their state changes, so a Modbus relay module sees a request per
/// change, not ten a second.
public final class HardwareBrewery: RigBackend {
    public let rig: RigSpec
    public var isSimulated: Bool { false }
    private let sensors: RigSensors
    private let outputs: RigOutputs
    private let buses: any RigBusProvider
    private var probes: [RigSensor?]
    private var probeErrors: [String?]
    /// Interlock sensors, by id, opened lazily, with their latest reading (refreshed every `read`).
    private var interlockSensors: [String: RigSensor] = [:]
    private var interlockValues: [String: Result<Double, BusError>] = [:]
    private var commanded: [String: Bool] = [:]

    /// Opens every vessel's probe and drives every output to its safe state. Nothing is switched on.
    public init(rig: RigSpec, buses: any RigBusProvider, now: @escaping () -> Instant) {
        self.rig = rig
        self.buses = buses
        sensors = RigSensors(rig: rig, buses: buses, now: now)
        outputs = RigOutputs(rig: rig, buses: buses)
        probes = []
        probeErrors = []
        for vessel in rig.vessels {
            guard let spec = rig.sensor(id: vessel.temperatureSensor) else {
                probes.append(nil)
                probeErrors.append("no sensor `\(vessel.temperatureSensor)`")
                continue
            }
            do throws(BusError) {
                probes.append(try sensors.open(spec))
                probeErrors.append(nil)
            } catch {
                probes.append(nil)
                probeErrors.append(error.description)
            }
        }
        for interlock in rig.interlocks {
            for condition in interlock.requires {
                if let id = condition.sensorID, interlockSensors[id] == nil, let spec = rig.sensor(id: id) {
                    if let s = try? sensors.open(spec) { interlockSensors[id] = s }
                }
            }
        }
        allOff()
    }

    /// The devices a plan needs: the probe and the outputs of every vessel a step works on, and
    /// every sensor an interlock of those outputs reads.
    public static func devices(for plan: BrewPlan, on rig: RigSpec) -> (sensors: Set<String>, outputs: Set<String>) {
        var sensorIDs: Set<String> = []
        var outputIDs: Set<String> = []
        for index in Set(plan.stepVessel.compactMap { $0 }) where index < rig.vessels.count {
            let v = rig.vessels[index]
            sensorIDs.insert(v.temperatureSensor)
            for id in [v.heater?.output, v.recirculationPump, v.chillerValve].compactMap({ $0 }) { outputIDs.insert(id) }
        }
        for interlock in rig.interlocks where outputIDs.contains(interlock.output) {
            for condition in interlock.requires { if let id = condition.sensorID { sensorIDs.insert(id) } }
        }
        return (sensorIDs, outputIDs)
    }

    public func allOff() {
        for result in outputs.allOff() { commanded[result.output] = result.error == nil ? false : nil }
    }

    public func advance(to now: Instant) {}

    public func read(at now: Instant, into readings: inout [TemperatureReading?]) {
        for i in probes.indices where i < readings.count {
            guard let probe = probes[i] else {
                readings[i] = .fault(probeErrors[i] ?? "no probe", at: now)
                continue
            }
            do throws(BusError) {
                readings[i] = TemperatureReading(value: Celsius(try probe.read()), takenAt: now)
            } catch {
                readings[i] = recover(vessel: i, after: error, at: now)
            }
        }
        for (id, sensor) in interlockSensors {
            do throws(BusError) { interlockValues[id] = .success(try sensor.read()) } catch { interlockValues[id] = .failure(error) }
        }
    }

    public func apply(_ wanted: [ProcessController.VesselOutput]) -> [String] {
        var failures: [String] = []
        func drive(_ id: String?, _ on: Bool) {
            guard let id else { return }
            var on = on
            if on, let why = blockedBy(id, wanted: wanted) {
                on = false
                failures.append("\(id) held off by interlock: \(why)")
            }
            guard commanded[id] != on else { return }
            do throws(BusError) {
                try outputs.set(id, on: on)
                commanded[id] = on
            } catch {
                commanded[id] = nil   // unknown: try again next tick
                failures.append("\(id): \(error)")
            }
        }
        // Pumps and valves first, so an interlock on "the pump runs" sees this tick's pump.
        for (i, o) in wanted.enumerated() where i < rig.vessels.count {
            drive(rig.vessels[i].recirculationPump, o.pumpOn)
            drive(rig.vessels[i].chillerValve, o.chillerOpen)
        }
        for (i, o) in wanted.enumerated() where i < rig.vessels.count {
            drive(rig.vessels[i].heater?.output, o.heaterOn)
        }
        return failures
    }

    public func operatorDid(_ actions: [OperatorAction]) -> [String] { [] }

    /// Bus re-initialisations made to bring a probe back, for the log and tests.
    public private(set) var recoveries = 0

    /// A probe that stopped answering: its bus is started afresh and the chip re-probed (a fresh
    /// driver: identity checked, configuration written again, as after a power cycle) and read
    /// once more before the fault stands. Errors that mean "not yet" (a conversion still running)
    /// or "the chip answered wrongly" are not worth a bus reset.
    private func recover(vessel i: Int, after error: BusError, at now: Instant) -> TemperatureReading {
        guard [.noDevice, .io, .checksum].contains(error.kind), let spec = probes[i]?.spec else {
            return .fault(error.description, at: now)
        }
        recoveries += 1
        buses.reinitialise(bus: spec.bus)
        do throws(BusError) {
            let fresh = try sensors.open(spec)
            probes[i] = fresh
            return TemperatureReading(value: Celsius(try fresh.read()), takenAt: now)
        } catch {
            return .fault("\(error) (still failing after re-initialising \(spec.bus))", at: now)
        }
    }

    /// The first unmet condition of `output`'s interlocks, in words, or nil when it may run.
    func blockedBy(_ output: String, wanted: [ProcessController.VesselOutput]) -> String? {
        for interlock in rig.interlocks(for: output) {
            for condition in interlock.requires {
                if let problem = unmet(condition) {
                    return (interlock.reason ?? interlock.name ?? "interlock") + " (\(problem))"
                }
            }
        }
        return nil
    }

    private func unmet(_ condition: RigSpec.Interlock.Condition) -> String? {
        switch condition {
        case .output(let id, let on):
            return (commanded[id] ?? false) == on ? nil : "\(id) is \(on ? "off" : "on")"
        case .level(let sensor, let wet):
            return check(sensor) { ($0 == 1) == wet ? nil : "\(sensor) reads \($0 == 1 ? "wet" : "dry")" }
        case .above(let sensor, let limit):
            return check(sensor) { $0 > limit ? nil : "\(sensor) reads \(Format.fixed($0, 2)), needs more than \(Format.fixed(limit, 2))" }
        case .below(let sensor, let limit):
            return check(sensor) { $0 < limit ? nil : "\(sensor) reads \(Format.fixed($0, 2)), needs less than \(Format.fixed(limit, 2))" }
        }
    }

    /// A sensor that cannot be read fails every condition on it: unsure means off.
    private func check(_ sensor: String, _ test: (Double) -> String?) -> String? {
        switch interlockValues[sensor] {
        case .success(let v)?: test(v)
        case .failure(let error)?: "\(sensor) cannot be read: \(error.kind.rawValue)"
        case nil: "\(sensor) not read yet"
        }
    }
}
