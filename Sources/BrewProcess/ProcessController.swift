import BrewControl
import BrewCore

/// The pure control tick: `tick(at: now, readings)` → outputs and events, with all state in
/// value types. It knows nothing of buses or clocks; the runtime hands it the time and the
/// readings, and carries out what it decides. A simulation calls the very same tick.
///
/// Order inside a tick: judge every reading (a missing, stale, implausible or faulted reading,
/// or a vessel over its hard limit, turns that heater off at once and raises an alarm) →
/// advance the step engine → run each vessel's heater loop on its regime → time-proportion.
public struct ProcessController: Sendable {
    /// What one vessel's actuators should be doing after this tick.
    public struct VesselOutput: Hashable, Sendable {
        public var heaterOn = false
        /// The heater loop's demand (PID or fixed power), before time-proportioning.
        public var demand = Percent.off
        public var setpoint: Celsius?
        public var pumpOn = false
        public var chillerOpen = false
        public init() {}
    }

    public let plan: BrewPlan
    public let staleAfter: Seconds
    public private(set) var engine: StepEngine
    public private(set) var outputs: [VesselOutput]
    /// The reading each vessel is controlled on this tick, or nil when there is none to trust.
    public private(set) var temperatures: [Celsius?]
    /// The fault currently holding each vessel's heater off, if any.
    public private(set) var faults: [String?]
    /// True while every heater is held off on the operator's request (e.g. Ctrl-C pending).
    public private(set) var heatingPaused = false

    private var loops: [HeaterLoop?]
    private let limits: [Celsius]
    private var lastReadingAt: [Instant?]

    public init(plan: BrewPlan, rig: RigSpec, settings: StepEngine.Settings = StepEngine.Settings()) {
        self.plan = plan
        staleAfter = rig.control.staleAfter
        engine = StepEngine(plan: plan, settings: settings)
        let n = plan.vessels.count
        outputs = Array(repeating: VesselOutput(), count: n)
        temperatures = Array(repeating: nil, count: n)
        faults = Array(repeating: nil, count: n)
        lastReadingAt = Array(repeating: nil, count: n)
        limits = rig.vessels.map(\.maxTemperature)
        loops = rig.vessels.map { v in
            v.heater.map { h in
                HeaterLoop(tuning: PIDTuning(kp: h.tuning.kp, ti: h.tuning.ti, td: h.tuning.td),
                           output: TimeProportionedOutput(window: h.window, minimumOn: h.minimumOn, minimumOff: h.minimumOff,
                                                          maximumDuty: h.maximumDuty))
            }
        }
    }

    public var isFinished: Bool { engine.isFinished }

    /// One control tick. `readings[i]` is vessel i's latest reading (nil if none yet).
    public mutating func tick(at now: Instant, readings: [TemperatureReading?], events: inout [ProcessEvent]) {
        for i in temperatures.indices {
            let reading = i < readings.count ? readings[i] : nil
            var problem = reading.map { $0.problem(at: now, staleAfter: staleAfter) } ?? "no reading yet"
            if problem == nil, let value = reading?.value, value >= limits[i] {
                problem = "at \(value), at or above its limit of \(limits[i])"
            }
            temperatures[i] = problem == nil ? reading?.value : nil
            if problem != faults[i] {
                let name = plan.vessels[i].name
                if let problem {
                    let heaterNote = plan.vessels[i].hasHeater ? " — heater off" : ""
                    events.append(ProcessEvent(.alarm, "\(name): \(problem)\(heaterNote)", vessel: i))
                } else if faults[i] != nil, faults[i] != "no reading yet" {
                    events.append(ProcessEvent(.alarmCleared, "\(name): reading is good again", vessel: i))
                }
                faults[i] = problem
            }
        }

        engine.advance(at: now, temperatures: temperatures, events: &events)

        for i in outputs.indices {
            let regime = engine.regimes[i]
            var out = VesselOutput()
            out.setpoint = regime.setpoint(at: now)
            out.pumpOn = plan.vessels[i].hasRecirculationPump && regime.isHeating
            out.chillerOpen = regime == .chill
            if var loop = loops[i] {
                let fresh: Celsius?
                if let t = temperatures[i], let at = readings[i]?.takenAt, at != lastReadingAt[i] {
                    lastReadingAt[i] = at
                    fresh = t
                } else {
                    fresh = nil
                }
                let mode: HeaterMode
                if faults[i] != nil || heatingPaused {
                    mode = .off
                } else {
                    switch regime {
                    case .off, .chill: mode = .off
                    case .hold, .ramp: mode = .pid
                    case .power(let p): mode = .fixed(p)
                    }
                }
                loop.setMode(mode, at: now, measurement: temperatures[i], setpoint: out.setpoint)
                loop.control(at: now, newMeasurement: fresh, setpoint: out.setpoint)
                out.heaterOn = loop.output(at: now)
                out.demand = loop.demand
                loops[i] = loop
            }
            outputs[i] = out
        }
    }

    /// The operator confirmed the step waiting for them; false if none was waiting.
    public mutating func confirm(by actor: String) -> Bool { engine.confirm(by: actor) }

    /// Holds every heater off (or lets them run again) without leaving the current step.
    public mutating func pauseHeating(_ paused: Bool) { heatingPaused = paused }

    /// Ends the batch and turns everything off.
    public mutating func abort(at now: Instant, reason: String, by actor: String?, events: inout [ProcessEvent]) {
        engine.abort(at: now, reason: reason, by: actor, events: &events)
        for i in outputs.indices {
            outputs[i] = VesselOutput()
            if var loop = loops[i] {
                loop.setMode(.off, at: now, measurement: nil, setpoint: nil)
                _ = loop.output(at: now)
                loops[i] = loop
            }
        }
    }
}
