import BrewCore

/// How a heater is driven.
public enum HeaterMode: Hashable, Sendable {
    case off
    /// Fixed power, e.g. a rolling boil where there is no setpoint to hold.
    case fixed(Percent)
    /// Closed loop on the vessel's temperature.
    case pid
}

/// One heater: a PID (or a fixed power) feeding a time-proportioned SSR output. Switching
/// between modes is bumpless; switching to `.off` turns the SSR off in the same call.
public struct HeaterLoop: Sendable {
    public private(set) var pid: PIDController
    public private(set) var output: TimeProportionedOutput
    public private(set) var mode: HeaterMode = .off
    /// Demand in % before time-proportioning.
    public private(set) var demand = Percent.off
    private var setpoint: Celsius?

    public init(tuning: PIDTuning, output: TimeProportionedOutput) {
        var t = tuning
        // The PID must know the element's duty cap, or its integral winds up against it.
        t.outputMax = min(t.outputMax, output.maximumDuty.value)
        pid = PIDController(tuning: t)
        self.output = output
    }

    public mutating func setMode(_ newMode: HeaterMode, at now: Instant, measurement: Celsius?, setpoint newSetpoint: Celsius?) {
        guard newMode != mode else { return }
        let wasOn = mode != .off
        mode = newMode
        switch newMode {
        case .off:
            demand = .off
            output.forceOff(at: now)
        case .fixed(let p):
            demand = Percent(min(p.value, output.maximumDuty.value))
        case .pid:
            if let m = measurement, let sp = newSetpoint {
                pid.start(at: now, measurement: m, setpoint: sp, currentOutput: wasOn ? demand : nil)
                setpoint = sp
                demand = Percent(pid.output)
            } else {
                // Nothing to close the loop on yet: stay cold until a reading arrives.
                demand = .off
                setpoint = nil
                pid = PIDController(tuning: pid.tuning)
            }
        }
    }

    /// Feed a new measurement (nil when none arrived this tick) and the current setpoint.
    public mutating func control(at now: Instant, newMeasurement: Celsius?, setpoint newSetpoint: Celsius?) {
        guard mode == .pid else { return }
        guard let sp = newSetpoint else { demand = .off; return }
        if !pid.isStarted {
            guard let m = newMeasurement else { demand = .off; return }
            pid.start(at: now, measurement: m, setpoint: sp, currentOutput: nil)
            setpoint = sp
        } else if sp != setpoint {
            pid.changeSetpoint(to: sp)
            setpoint = sp
        }
        if let m = newMeasurement {
            demand = pid.update(at: now, measurement: m)
        } else {
            demand = Percent(pid.output)
        }
    }

    /// The heater really gets `applied` (a shared circuit's budget gave it less than asked): the
    /// PID is told, so its integral does not wind up against a limit it cannot see.
    public mutating func actuatorApplied(_ applied: Percent) {
        guard mode == .pid, pid.isStarted, applied.value < demand.value else { return }
        pid.actuatorApplied(applied)
    }

    /// Whether the SSR conducts now.
    public mutating func output(at now: Instant) -> Bool {
        guard mode != .off else {
            output.forceOff(at: now)
            return false
        }
        return output.update(at: now, demand: demand)
    }
}

extension HeaterLoop {
    /// A heater loop's state for resuming a batch: mode, demand, the PID's memory and the
    /// output's energy carry.
    public struct Snapshot: Hashable, Sendable, Codable {
        /// "off", "fixed" or "pid".
        public var mode: String
        public var fixedPower: Double?
        public var demand: Double
        public var setpoint: Double?
        public var pid: PIDController.Snapshot
        public var output: TimeProportionedOutput.Snapshot
    }

    public func snapshot(origin: Instant) -> Snapshot {
        let (name, power): (String, Double?) = switch mode {
        case .off: ("off", nil)
        case .fixed(let p): ("fixed", p.value)
        case .pid: ("pid", nil)
        }
        return Snapshot(mode: name, fixedPower: power, demand: demand.value, setpoint: setpoint?.value,
                        pid: pid.snapshot(origin: origin), output: output.snapshot(origin: origin))
    }

    /// Restores the state. The SSR starts off and its window restarts at the next call, unless
    /// `continuing` (a seamless resume: the simulated brewery), which takes up the saved window.
    public mutating func restore(_ s: Snapshot, origin: Instant, continuing: Bool = false) {
        switch s.mode {
        case "fixed": mode = .fixed(Percent(s.fixedPower ?? 0))
        case "pid": mode = .pid
        default: mode = .off
        }
        demand = Percent(s.demand)
        setpoint = s.setpoint.map { Celsius($0) }
        pid.restore(s.pid, origin: origin)
        output.restore(s.output, origin: origin, continuing: continuing)
    }
}
