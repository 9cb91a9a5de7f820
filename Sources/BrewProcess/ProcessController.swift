import BrewControl
import BrewCore

/// The pure control tick: `tick(at: now, readings)` → outputs and events, with all state in
/// value types. It knows nothing of buses or clocks; the runtime hands it the time and the
/// readings, and carries out what it decides. A simulation calls the very same tick.
///
/// Order inside a tick: judge every reading (a missing, stale, implausible or faulted reading,
/// a stuck probe, or a vessel over its hard limit, turns that heater off at once and raises an
/// alarm; a single implausible jump is ignored) → advance the step engine → watch each heater
/// for thermal runaway (`HeaterWatch`: a fault latches the heater off until acknowledged) → run
/// each vessel's heater loop on its regime → time-proportion, sharing each supply circuit
/// (`PowerBudget`) so its limit is never exceeded. See docs/safety.md.
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
    /// The fault currently holding each vessel's heater off, if any: a reading fault, or a
    /// latched heater fault (runaway) awaiting acknowledgement.
    public var faults: [String?] { readingFaults.indices.map { readingFaults[$0] ?? heaterFaults[$0] } }
    /// What is wrong with each vessel's reading, if anything (clears when the reading is good again).
    public private(set) var readingFaults: [String?]
    /// A heater fault found by the runaway watch (no rise at high duty, a rise with the heater
    /// off): the heater stays off for the batch until `acknowledge(vessel:)`.
    public private(set) var heaterFaults: [String?]
    /// The settings of the runaway watch and the sensor checks.
    public let watchSettings: HeaterWatch.Settings
    public let sensorSettings: SensorHealth.Settings
    /// True while every heater is held off on the operator's request (e.g. Ctrl-C pending).
    public private(set) var heatingPaused = false
    /// Notices a step that cannot make progress (docs/safety.md, "A step that makes no progress").
    public private(set) var progress: ProgressWatch
    /// A stall found at the last tick, for the runner (an unattended batch ends failed on it);
    /// the message is the alarm's.
    public private(set) var newStall: (stall: ProgressWatch.Stall, message: String)?
    /// Why each vessel's heater was last held off at its output although wanted (the rig says:
    /// an interlock, a trip), for the stall's message.
    private var heldBecause: [String?]
    private var heldNow: [Bool]

    private var loops: [HeaterLoop?]
    private let limits: [Celsius]
    private var lastReadingAt: [Instant?]

    // Safety state (docs/safety.md).
    private let heaterSpecs: [RigSpec.Heater?]
    private let ambient: Celsius
    /// What each vessel's chiller is cooled with (its own coolant, else the mains water).
    private let coolants: [Celsius]
    private var watches: [HeaterWatch]
    private var health: [SensorHealth]
    /// The last reading each vessel accepted, and the reading last judged (so each is judged once).
    private var accepted: [TemperatureReading?]
    private var judgedAt: [Instant?]
    private var stuck: [String?]
    private var spikeAlertAt: [Instant?]
    /// Seconds each heater was really on since its last judged sample, and when that was.
    private var onTime: [Double]
    private var sampleAt: [Instant?]
    private var lastTick: Instant?
    private var circuits: [CircuitState]
    private var circuitOf: [Int?]
    private var pendingEvents: [ProcessEvent] = []

    /// One shared supply circuit: its budget, member vessels and the current window's plan.
    private struct CircuitState: Sendable {
        var id: String
        var budget: PowerBudget
        var members: [Int]
        var window: Seconds
        var origin: Instant?
        var index = -1
        var plan: PowerBudget.Plan?
        /// Each member's rounding to its SSR's minimum on/off times that the current window was
        /// planned with (what goes into the next is the plan's own `carry`).
        var plannedCarry: [Double] = []
        /// The demands the current window was planned for (so a resume can plan it again).
        var demands: [Percent] = []
    }

    public init(plan: BrewPlan, rig: RigSpec, settings: StepEngine.Settings = StepEngine.Settings(),
                watch: HeaterWatch.Settings = HeaterWatch.Settings(), sensors: SensorHealth.Settings = SensorHealth.Settings(),
                progress: ProgressWatch.Settings = ProgressWatch.Settings()) {
        self.plan = plan
        self.progress = ProgressWatch(settings: progress, doneWithin: settings.reachTolerance)
        staleAfter = rig.control.staleAfter
        engine = StepEngine(plan: plan, settings: settings)
        let n = plan.vessels.count
        outputs = Array(repeating: VesselOutput(), count: n)
        temperatures = Array(repeating: nil, count: n)
        readingFaults = Array(repeating: nil, count: n)
        heaterFaults = Array(repeating: nil, count: n)
        lastReadingAt = Array(repeating: nil, count: n)
        limits = rig.vessels.map(\.maxTemperature)
        watchSettings = watch
        sensorSettings = sensors
        heaterSpecs = rig.vessels.map(\.heater)
        ambient = rig.site.ambient
        coolants = rig.vessels.map { rig.coolant(of: $0) }
        // Each probe's response: the simulated plant states it; a real vessel may (`probe_response`).
        watches = (0..<n).map { i in
            let v = i < rig.vessels.count ? rig.vessels[i] : nil
            let delay = v?.simulation.map { $0.sensorLag + $0.sensorDeadTime } ?? v?.probeResponse ?? .zero
            return HeaterWatch(settings: watch, probeDelay: delay)
        }
        health = Array(repeating: SensorHealth(settings: sensors), count: n)
        accepted = Array(repeating: nil, count: n)
        judgedAt = Array(repeating: nil, count: n)
        stuck = Array(repeating: nil, count: n)
        spikeAlertAt = Array(repeating: nil, count: n)
        onTime = Array(repeating: 0, count: n)
        sampleAt = Array(repeating: nil, count: n)
        heldBecause = Array(repeating: nil, count: n)
        heldNow = Array(repeating: false, count: n)
        var circuitOf = Array(repeating: Int?.none, count: n)
        var circuits: [CircuitState] = []
        for c in rig.circuits {
            let members = rig.vessels.indices.filter { i in rig.vessels[i].heater.map { c.heaters.contains($0.output) } ?? false }
            guard !members.isEmpty else { continue }
            let budget = PowerBudget(limit: c.limit, heaters: members.map {
                let h = rig.vessels[$0].heater!
                return .init(power: h.power, minimumOn: h.minimumOn, minimumOff: h.minimumOff)
            })
            // Heaters that can all run at once never need sharing: their own outputs stay in charge.
            guard !budget.fitsTogether else { continue }
            let window = members.map { rig.vessels[$0].heater!.window }.max()!
            for m in members { circuitOf[m] = circuits.count }
            circuits.append(CircuitState(id: c.id, budget: budget, members: members, window: window))
        }
        self.circuits = circuits
        self.circuitOf = circuitOf
        loops = rig.vessels.map { v in
            v.heater.map { h in
                HeaterLoop(tuning: PIDTuning(kp: h.tuning.kp, ti: h.tuning.ti, td: h.tuning.td),
                           output: TimeProportionedOutput(window: h.window, minimumOn: h.minimumOn, minimumOff: h.minimumOff,
                                                          maximumDuty: h.maximumDuty))
            }
        }
    }

    public var isFinished: Bool { engine.isFinished }
    /// Whether a step waits for the operator (read every tick: asked here rather than through a
    /// copy of the whole engine).
    public var awaitsConfirmation: Bool { engine.awaitsConfirmation }

    /// One control tick. `readings[i]` is vessel i's latest reading (nil if none yet).
    public mutating func tick(at now: Instant, readings: [TemperatureReading?], events: inout [ProcessEvent]) {
        events.append(contentsOf: pendingEvents)
        pendingEvents.removeAll()
        // What each heater really did since the last tick (the outputs as last applied).
        if let last = lastTick, now > last {
            for i in outputs.indices where outputs[i].heaterOn { onTime[i] += now.seconds - last.seconds }
        }
        lastTick = now

        var fresh = Array(repeating: false, count: temperatures.count)
        for i in temperatures.indices {
            let name = plan.vessels[i].name
            var reading = i < readings.count ? readings[i] : nil
            // Each good reading is judged once: rate limit, stuck probe.
            if let r = reading, r.problem(at: now, staleAfter: staleAfter) == nil, r.takenAt != judgedAt[i] {
                judgedAt[i] = r.takenAt
                let duty = sampleDuty(i, at: r.takenAt, consume: false)
                switch health[i].judge(r.value, at: r.takenAt, duty: duty, heatingRate: heatingRate(i), boilingPoint: plan.boilingPoint) {
                case .accepted:
                    accepted[i] = r
                    stuck[i] = nil
                    fresh[i] = true
                case .rejected(let why):
                    if spikeAlertAt[i].map({ (now - $0).value >= 60 }) ?? true {
                        spikeAlertAt[i] = now
                        events.append(ProcessEvent(.alert, "\(name): reading \(why)", vessel: i))
                    }
                case .stuck(let why):
                    accepted[i] = r
                    stuck[i] = why
                }
            }
            // Fail safe: a good reading at the hard limit counts even if it is an implausible jump.
            let raw = reading.flatMap { $0.problem(at: now, staleAfter: staleAfter) == nil ? $0.value : nil }
            if raw != nil {
                // A rejected jump: carry on with the last accepted reading (it goes stale in time).
                reading = accepted[i]
            }
            var problem = reading.map { $0.problem(at: now, staleAfter: staleAfter) } ?? "no reading yet"
            if problem == nil, let why = stuck[i] { problem = why }
            if let value = raw, value >= limits[i] {
                problem = "at \(value), at or above its limit of \(limits[i])"
            } else if problem == nil, let value = reading?.value, value >= limits[i] {
                problem = "at \(value), at or above its limit of \(limits[i])"
            }
            temperatures[i] = problem == nil ? reading?.value : nil
            if problem != nil {
                fresh[i] = false
                watches[i].reset()
            }
            if problem != readingFaults[i] {
                if let problem {
                    let heaterNote = plan.vessels[i].hasHeater ? " — heater off" : ""
                    events.append(ProcessEvent(.alarm, "\(name): \(problem)\(heaterNote)", vessel: i))
                } else if readingFaults[i] != nil, readingFaults[i] != "no reading yet" {
                    events.append(ProcessEvent(.alarmCleared, "\(name): reading is good again", vessel: i))
                }
                readingFaults[i] = problem
            }
        }

        let before = events.count
        engine.advance(at: now, temperatures: temperatures, events: &events)
        noteDisturbances(in: events[before...], at: now)
        watchProgress(at: now, events: &events)

        // Thermal-runaway watch, on each fresh sample.
        for i in outputs.indices where heaterSpecs[i] != nil && fresh[i] {
            guard let t = temperatures[i], let at = accepted[i]?.takenAt else { continue }
            let duty = sampleDuty(i, at: at, consume: true)
            if outputs[i].chillerOpen {
                // The chiller takes out heat the watch's balance knows nothing of (a heat step
                // followed by a chill would read as "no rise at full power"): nothing is judged
                // while it runs, and the watch starts over, settling, once it closes.
                watches[i].disturbed(at: at)
                continue
            }
            let findings = watches[i].sample(at: at, temperature: t, duty: duty, context: watchContext(i, at: now))
            for f in findings {
                if f.isFault {
                    if heaterFaults[i] == nil || heaterFaults[i] != f.message {
                        heaterFaults[i] = f.message
                        events.append(ProcessEvent(.alarm, f.message + " — heater off until acknowledged", vessel: i))
                    }
                } else {
                    events.append(ProcessEvent(.alert, f.message, vessel: i))
                }
            }
        }

        for i in outputs.indices {
            let regime = engine.regimes[i]
            var out = VesselOutput()
            out.setpoint = regime.setpoint(at: now)
            out.pumpOn = plan.vessels[i].hasRecirculationPump && regime.isHeating
            out.chillerOpen = regime == .chill
            if var loop = loops[i] {
                let fresh: Celsius?
                if let t = temperatures[i], let at = accepted[i]?.takenAt, at != lastReadingAt[i] {
                    lastReadingAt[i] = at
                    fresh = t
                } else {
                    fresh = nil
                }
                let mode: HeaterMode
                if readingFaults[i] != nil || heaterFaults[i] != nil || heatingPaused {
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
        shareCircuits(at: now)
    }

    /// The progress watch on the step in hand, with what the heater did since the last tick (the
    /// outputs as last applied). A stall latches the vessel's heater off until acknowledged, as a
    /// heater fault does, and is told once, with what holds it and what to do.
    private mutating func watchProgress(at now: Instant, events: inout [ProcessEvent]) {
        newStall = nil
        let awaiting = engine.awaiting(at: now, temperatures: temperatures)
        var rate = 0.0, on = false, held = false
        var coolant: Celsius?
        if case .temperature(let v, _, _, _) = awaiting, v < outputs.count {
            rate = plan.heatingRate(vessel: v, atStep: engine.stepIndex)
            on = outputs[v].heaterOn
            held = heldNow[v]
            coolant = v < coolants.count ? coolants[v] : nil
        }
        guard let stall = progress.observe(step: engine.stepIndex, awaiting: awaiting, temperatures: temperatures, heatingRate: rate,
                                           heaterOn: on, held: held, paused: heatingPaused, ambient: ambient, coolant: coolant,
                                           at: now) else { return }
        let v = stall.vessel
        let message = ProgressWatch.explain(stall, vessel: plan.vessels[v], temperature: temperatures[v], at: now,
                                            readingFault: readingFaults[v], heaterFault: heaterFaults[v],
                                            heldBy: stall.heldShare > 0 ? heldBecause[v] : nil)
        if heaterFaults[v] == nil { heaterFaults[v] = "no progress towards \(stall.target) — heater off until acknowledged" }
        watches[v].reset()
        events.append(ProcessEvent(.alarm, message, step: stall.step, vessel: v))
        newStall = (stall, message)
    }

    /// Duty (0–1) of vessel i's heater since its last judged sample; `consume` starts a new interval.
    private mutating func sampleDuty(_ i: Int, at t: Instant, consume: Bool) -> Double {
        let span = sampleAt[i].map { t.seconds - $0.seconds } ?? 0
        let duty = span > 0 ? min(1, onTime[i] / span) : (outputs[i].heaterOn ? 1 : 0)
        if consume || sampleAt[i] == nil {
            sampleAt[i] = t
            onTime[i] = 0
        }
        return duty
    }

    /// What the vessel holds now, as the plan knows it (nil when the recipe never says).
    private func contents(_ i: Int) -> BrewPlan.Contents? {
        guard !plan.contentsAtStep.isEmpty else { return nil }
        let c = plan.contentsAtStep[min(engine.stepIndex, plan.contentsAtStep.count - 1)][i]
        return c.water.value >= 1 ? c : nil
    }

    private func heatingRate(_ i: Int) -> Double {
        guard let c = contents(i) else { return 0 }
        return plan.vessels[i].heatingPower.value / c.heatCapacity(empty: plan.vessels[i].emptyHeatCapacity)
    }

    private func watchContext(_ i: Int, at now: Instant) -> HeaterWatch.Context {
        let h = heaterSpecs[i]!
        let c = contents(i)
        // Unknown contents: nothing can be expected of the element (the welded-SSR check still runs).
        let capacity = c.map { $0.heatCapacity(empty: plan.vessels[i].emptyHeatCapacity) } ?? .infinity
        return HeaterWatch.Context(name: plan.vessels[i].name, setpoint: engine.regimes[i].setpoint(at: now), heatCapacity: capacity,
                                   volume: c?.water, power: h.power,
                                   efficiency: h.power.value > 0 ? plan.vessels[i].heatingPower.value / h.power.value : 1,
                                   maximumDuty: h.maximumDuty, ambient: ambient, boilingPoint: plan.boilingPoint)
    }

    /// Liquid or grain moved into or out of a vessel, or an addition went in: its watch starts over.
    private mutating func noteDisturbances(in new: ArraySlice<ProcessEvent>, at now: Instant) {
        func index(_ role: VesselRole) -> Int? { plan.vessels.firstIndex { $0.role == role } }
        func disturbed(_ v: Int) {
            watches[v].disturbed(at: now)
            progress.disturbed(vessel: v, until: now + watches[v].settlingTime)
            health[v].expectChange(until: now + watchSettings.settleAfterDisturbance)
        }
        for e in new {
            switch e.kind {
            case .confirmation:
                for a in e.actions {
                    switch a {
                    case .fill(let r, _), .addGrain(let r, _):
                        if let v = index(r) { disturbed(v) }
                    case .transfer(let from, let to, _):
                        if let v = index(from) { disturbed(v) }
                        if let v = index(to) { disturbed(v) }
                    }
                }
            case .addition:
                if let v = e.vessel { disturbed(v) }
            default:
                break
            }
        }
    }

    /// Heaters on a shared circuit follow the circuit's plan for the current window instead of
    /// their own time-proportioning, so together they never exceed its limit.
    private mutating func shareCircuits(at now: Instant) {
        for k in circuits.indices {
            var c = circuits[k]
            let w = c.window.value
            if c.origin == nil { c.origin = now }
            let elapsed = now.seconds - c.origin!.seconds
            let index = Int((elapsed + 1e-9 * max(1, abs(now.seconds))) / w)
            if index != c.index || c.plan == nil {
                c.index = index
                let demands = c.members.map { m in
                    loops[m].map { $0.mode == .off ? Percent.off : Percent(min($0.demand.value, $0.output.maximumDuty.value)) } ?? .off
                }
                c.demands = demands
                c.plannedCarry = c.plan?.carry ?? []
                c.plan = c.budget.plan(window: c.window, demands: demands, rotation: index, carry: c.plannedCarry)
            }
            let phase = elapsed - Double(index) * w
            for (j, m) in c.members.enumerated() {
                let running = loops[m].map { $0.mode != .off } ?? false
                outputs[m].heaterOn = running && c.plan!.isOn(j, at: phase + 1e-9)
                // What the budget really gives this window, so the PID does not wind up against it.
                if running, c.plan!.limited { loops[m]?.actuatorApplied(c.plan!.realised[j]) }
            }
            circuits[k] = c
        }
    }

    /// What the outputs really did with this tick's `outputs`: a heater an interlock held off was
    /// off, whatever was asked. The runaway watch and the sensor checks judge each element by its
    /// real duty, so a held-off element is never taken for a dead one. `heldBecause` says, for a
    /// heater wanted on but held off, what the rig said holds it (nil: not held, or not known).
    public mutating func noteApplied(heaters: [Bool], heldBecause reasons: [String?] = []) {
        for i in outputs.indices where i < heaters.count {
            heldNow[i] = outputs[i].heaterOn && !heaters[i]
            if heldNow[i], i < reasons.count, let why = reasons[i] { heldBecause[i] = why }
            outputs[i].heaterOn = heaters[i]
        }
    }

    /// Clears a latched heater fault on vessel `vessel` (the brewer has looked at it); returns
    /// the fault it cleared, or nil if there was none. The heater returns to its regime on the
    /// next tick, and the acknowledgement is logged as `alarm-cleared` then.
    @discardableResult
    public mutating func acknowledge(vessel: Int, by actor: String? = nil) -> String? {
        guard vessel >= 0, vessel < heaterFaults.count, let fault = heaterFaults[vessel] else { return nil }
        heaterFaults[vessel] = nil
        watches[vessel].reset()
        if progress.stalled?.vessel == vessel { progress.restart() }
        pendingEvents.append(ProcessEvent(.alarmCleared, "\(plan.vessels[vessel].name): heater fault acknowledged — heater back under control",
                                          vessel: vessel, actor: actor))
        return fault
    }

    /// Clears every latched heater fault; returns the vessels it cleared.
    @discardableResult
    public mutating func acknowledgeAll(by actor: String? = nil) -> [Int] {
        // The brewer has looked: a step that made no progress gets a new window.
        progress.restart()
        return heaterFaults.indices.filter { acknowledge(vessel: $0, by: actor) != nil }
    }

    /// The operator confirmed the step waiting for them; false if none was waiting.
    public mutating func confirm(by actor: String) -> Bool { engine.confirm(by: actor) }

    /// Each vessel's heater loop state (nil without a heater), for the resume snapshot.
    public func heaterLoopSnapshots(origin: Instant) -> [HeaterLoop.Snapshot?] {
        loops.map { $0?.snapshot(origin: origin) }
    }

    /// Latches the heater faults a snapshot held again (they stay until acknowledged).
    public mutating func restoreHeaterFaults(_ faults: [String?]) {
        for i in heaterFaults.indices where i < faults.count { heaterFaults[i] = faults[i] }
    }

    /// Continues each heater loop where a snapshot left it: the PID's memory and the SSR's energy
    /// carry, so a resumed batch picks up without a bump. `continuing` (a seamless resume) takes
    /// up each SSR's window where it was, too.
    public mutating func restoreHeaterLoops(_ snapshots: [HeaterLoop.Snapshot?], origin: Instant, continuing: Bool = false) {
        for i in loops.indices where i < snapshots.count {
            if let s = snapshots[i] { loops[i]?.restore(s, origin: origin, continuing: continuing) }
        }
    }

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

// MARK: - Resuming

extension ProcessController {
    /// After a resume the runaway watch (and the progress watch) has no history: it cannot know that liquid went in a
    /// minute before the stop, and a window that starts inside the fill's mixing, or inside the
    /// element's own warm-up, would read as "no rise at full power". So each watch starts over as
    /// after a disturbance — it judges again once `settleAfterDisturbance` has passed.
    public mutating func watchesStartOver(at now: Instant) {
        for i in watches.indices {
            watches[i].disturbed(at: now)
            progress.disturbed(vessel: i, until: now + watches[i].settlingTime)
        }
    }
}

// MARK: - The tick's own memory, for a seamless resume

extension ProcessController {
    /// What the tick remembers from one tick to the next besides the step engine and the heater
    /// loops: each vessel's last accepted reading and which reading was judged last, the reading
    /// faults, the stuck-probe and rate-limit memory (`SensorHealth`), the heater's on-time since
    /// its last sample, the outputs as last decided, and each shared circuit's window. Instants
    /// are brew time (s after `origin`).
    ///
    /// Restored only by a seamless resume (the simulated brewery, which stopped with brewctl):
    /// after a real gap a reading from before it is stale and the checks must start over.
    /// The runaway watch (`HeaterWatch`) is not kept — up to 20 min of samples per heater would be
    /// written every few seconds; it starts over after any resume (`watchesStartOver`), which on
    /// a healthy plant changes no output, and delays a finding by at most its window plus the
    /// settling time.
    public struct TickState: Hashable, Sendable, Codable {
        public struct Vessel: Hashable, Sendable, Codable {
            public var heaterOn: Bool
            public var demand: Double
            public var setpoint: Double?
            public var pumpOn: Bool
            public var chillerOpen: Bool
            public var accepted: TemperatureReading.Snapshot?
            public var judgedAt: Double?
            public var lastReadingAt: Double?
            public var readingFault: String?
            public var stuck: String?
            public var spikeAlertAt: Double?
            public var onTime: Double
            public var sampleAt: Double?
            public var health: SensorHealth.Snapshot
        }

        /// A shared circuit's current window: when its windows started, which one, and the
        /// demands and minimum-pulse carry it was planned with (the plan itself is computed again
        /// from them).
        public struct Circuit: Hashable, Sendable, Codable {
            public var origin: Double?
            public var index: Int
            public var demands: [Double]
            public var carry: [Double]
            public init(origin: Double?, index: Int, demands: [Double], carry: [Double]) {
                self.origin = origin
                self.index = index
                self.demands = demands
                self.carry = carry
            }
        }

        public var lastTick: Double?
        public var vessels: [Vessel]
        public var circuits: [Circuit]
    }

    public func tickState(origin: Instant) -> TickState {
        func bt(_ i: Instant?) -> Double? { i.map { $0.seconds - origin.seconds } }
        let vessels = outputs.indices.map { i in
            TickState.Vessel(heaterOn: outputs[i].heaterOn, demand: outputs[i].demand.value, setpoint: outputs[i].setpoint?.value,
                             pumpOn: outputs[i].pumpOn, chillerOpen: outputs[i].chillerOpen,
                             accepted: accepted[i]?.snapshot(origin: origin), judgedAt: bt(judgedAt[i]), lastReadingAt: bt(lastReadingAt[i]),
                             readingFault: readingFaults[i], stuck: stuck[i], spikeAlertAt: bt(spikeAlertAt[i]), onTime: onTime[i],
                             sampleAt: bt(sampleAt[i]), health: health[i].snapshot(origin: origin))
        }
        let circuits = self.circuits.map {
            TickState.Circuit(origin: bt($0.origin), index: $0.index, demands: $0.demands.map(\.value), carry: $0.plannedCarry)
        }
        return TickState(lastTick: bt(lastTick), vessels: vessels, circuits: circuits)
    }

    /// Takes up a saved tick state (seamless resume only; see `TickState`). Returns false, and
    /// changes nothing, when it was saved for another number of vessels or circuits.
    @discardableResult
    public mutating func restoreTickState(_ s: TickState, origin: Instant) -> Bool {
        guard s.vessels.count == outputs.count, s.circuits.count == circuits.count else { return false }
        func at(_ t: Double?) -> Instant? { t.map { origin + Seconds($0) } }
        lastTick = at(s.lastTick)
        for (i, v) in s.vessels.enumerated() {
            var out = VesselOutput()
            out.heaterOn = v.heaterOn
            out.demand = Percent(v.demand)
            out.setpoint = v.setpoint.map { Celsius($0) }
            out.pumpOn = v.pumpOn
            out.chillerOpen = v.chillerOpen
            outputs[i] = out
            accepted[i] = v.accepted.map { TemperatureReading($0, origin: origin) }
            judgedAt[i] = at(v.judgedAt)
            lastReadingAt[i] = at(v.lastReadingAt)
            readingFaults[i] = v.readingFault
            stuck[i] = v.stuck
            spikeAlertAt[i] = at(v.spikeAlertAt)
            onTime[i] = v.onTime
            sampleAt[i] = at(v.sampleAt)
            health[i].restore(v.health, origin: origin)
        }
        for (k, c) in s.circuits.enumerated() {
            circuits[k].origin = at(c.origin)
            circuits[k].index = c.index
            circuits[k].demands = c.demands.map { Percent($0) }
            circuits[k].plannedCarry = c.carry
            circuits[k].plan = c.origin == nil ? nil
                : circuits[k].budget.plan(window: circuits[k].window, demands: circuits[k].demands, rotation: c.index, carry: c.carry)
        }
        return true
    }
}

