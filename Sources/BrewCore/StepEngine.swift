/// Walks a brew plan step by step: decides what each vessel should be doing (its `Regime`),
/// when a step is done, and what people must be told. Pure: it is handed the time and the
/// valid temperatures, and returns nothing but state changes and events.
public struct StepEngine: Sendable {
    /// What a vessel is being asked to do; the process controller turns it into heater demands.
    public enum Regime: Hashable, Sendable {
        case off
        /// Regulate at a temperature.
        case hold(Celsius)
        /// Regulate on a setpoint moving linearly from `from` to `to`.
        case ramp(from: Celsius, to: Celsius, start: Instant, duration: Seconds)
        /// Fixed heater power (heating to a boil, a rolling boil).
        case power(Percent)
        /// Heater off, chiller on.
        case chill

        public func setpoint(at now: Instant) -> Celsius? {
            switch self {
            case .hold(let t): return t
            case .ramp(let a, let b, let start, let duration):
                let f = duration.value > 0 ? min(1, max(0, (now - start).value / duration.value)) : 1
                return Celsius(a.value + (b.value - a.value) * f)
            case .off, .power, .chill: return nil
            }
        }

        public var isHeating: Bool {
            switch self {
            case .hold, .ramp, .power: true
            case .off, .chill: false
            }
        }
    }

    public struct Settings: Hashable, Sendable {
        /// A heat, rest or ramp target counts as reached within this distance.
        public var reachTolerance = Kelvin(0.3)
        /// A rest's timer runs only while the temperature is within this band of the target.
        public var restBand = Kelvin(1.0)
        /// A boil is recognised within this distance of the local boiling point …
        public var boilMargin = Kelvin(1.0)
        /// … once the temperature has stayed there and stopped rising for this long.
        public var boilStableWindow = Seconds(30)
        public var boilStableRise = Kelvin(0.15)
        /// Fallback when the boiling point is not where the altitude says (wrong altitude,
        /// a probe that reads off): a plateau above `plateauFloor` that has not risen more than
        /// `plateauRise` in `plateauWindow` is a boil too, with a warning.
        public var plateauFloor = Celsius(90)
        public var plateauWindow = Seconds(180)
        public var plateauRise = Kelvin(0.2)
        /// Nominal operator time for a confirmation, for the batch estimate only.
        public var confirmEstimate = Seconds.minutes(3)
        /// Nominal chilling rate for the estimate when nothing better is known, K/s.
        public var chillRateEstimate = 4.0 / 60
        /// Start from a persisted state instead of step 0 (resume after a crash). See
        /// "Snapshot and restore" below and docs/logging.md for the gap rules.
        public var resume: Resume?
        public init() {}
    }

    public enum Phase: Hashable, Sendable {
        case running
        case completed
        case aborted(String)
    }

    public let plan: BrewPlan
    public let settings: Settings
    public private(set) var regimes: [Regime]
    public private(set) var stepIndex = 0
    public private(set) var stepStartedAt: Instant?
    public private(set) var phase = Phase.running

    // Progress within the current step.
    private var reachedAt: Instant?
    private var countedTime = Seconds.zero
    private var lastAdvance: Instant?
    private var boilStartedAt: Instant?
    private var dueAdditions: [Addition] = []
    private var confirmation: String?
    private var history: TemperatureHistory
    /// After a resume: boil/whirlpool additions due before this instant fell in the gap (missed).
    private var missedBefore: Instant?
    /// After a resume inside a ramp: the ramp restarts from the current temperature with this
    /// much of its duration left.
    private var rampRestart: Seconds?

    public init(plan: BrewPlan, settings: Settings = Settings()) {
        self.plan = plan
        self.settings = settings
        regimes = Array(repeating: .off, count: plan.vessels.count)
        history = TemperatureHistory(capacity: Int(max(settings.plateauWindow.value, settings.boilStableWindow.value)) + 2)
        if let resume = settings.resume { restore(resume) }
    }

    public var isFinished: Bool { phase != .running }
    public var currentStep: Recipe.Step? { stepIndex < plan.recipe.steps.count ? plan.recipe.steps[stepIndex] : nil }
    /// True while the current step waits for the operator's confirmation.
    public var awaitsConfirmation: Bool {
        guard phase == .running, stepStartedAt != nil, let step = currentStep, step.kind.manualPrompt != nil else { return false }
        return confirmation == nil
    }
    public var boilStarted: Instant? { boilStartedAt }

    /// Records the operator's confirmation of the current step; false if nothing is waiting for one.
    public mutating func confirm(by actor: String) -> Bool {
        guard awaitsConfirmation else { return false }
        confirmation = actor
        return true
    }

    /// Ends the batch: every vessel off.
    public mutating func abort(at now: Instant, reason: String, by actor: String?, events: inout [ProcessEvent]) {
        guard phase == .running else { return }
        for i in regimes.indices { regimes[i] = .off }
        phase = .aborted(reason)
        events.append(ProcessEvent(.aborted, "Batch aborted: \(reason)", step: stepIndex, actor: actor))
    }

    /// Moves the process on to `now`. `temperatures[i]` is vessel i's valid reading, or nil when
    /// there is none to trust (then nothing that depends on it can complete or count time).
    public mutating func advance(at now: Instant, temperatures: [Celsius?], events: inout [ProcessEvent]) {
        guard phase == .running else { return }
        if let left = rampRestart { restartRamp(at: now, left: left, temperatures: temperatures) }
        // Zero-time steps (hold, off, an already-reached heat) finish in the same tick, so the
        // loop is bounded by the number of steps.
        var guardCount = plan.recipe.steps.count + 1
        while phase == .running, guardCount > 0 {
            guardCount -= 1
            if stepIndex >= plan.recipe.steps.count {
                finish(at: now, events: &events)
                return
            }
            if stepStartedAt == nil { start(at: now, temperatures: temperatures, events: &events) }
            guard progress(at: now, temperatures: temperatures, events: &events) else { break }
            complete(at: now, events: &events)
        }
        lastAdvance = now
    }

    // MARK: - Step life cycle

    private mutating func start(at now: Instant, temperatures: [Celsius?], events: inout [ProcessEvent]) {
        let step = plan.recipe.steps[stepIndex]
        let v = plan.stepVessel[stepIndex]
        stepStartedAt = now
        reachedAt = nil
        countedTime = .zero
        lastAdvance = now
        boilStartedAt = nil
        confirmation = nil
        dueAdditions = []
        history.reset()
        events.append(ProcessEvent(.stepStarted, "Step \(stepIndex + 1)/\(plan.recipe.steps.count): \(step.name)", step: stepIndex, vessel: v))
        switch step.kind {
        case .heat(_, let target), .hold(_, let target):
            if let v { regimes[v] = .hold(target) }
        case .rest(_, let target, _):
            if let v { regimes[v] = .hold(target) }
        case .ramp(_, let target, let duration):
            if let v {
                let from = temperatures[v] ?? regimes[v].setpoint(at: now) ?? target
                regimes[v] = .ramp(from: from, to: target, start: now, duration: duration)
            }
        case .off:
            if let v { regimes[v] = .off }
        case .boil(_, _, let additions, _):
            if let v { regimes[v] = .power(.full) }
            // Announced in the order they fall due: first-wort now, the rest by time left.
            for a in additions where a.timing == .firstWort {
                events.append(ProcessEvent(.addition, "\(a.instruction) — first-wort addition, before the boil", step: stepIndex, vessel: v))
            }
            dueAdditions = additions.filter { $0.timing != .firstWort }.sorted { ($0.timeLeft ?? .zero) > ($1.timeLeft ?? .zero) }
        case .chill(_, let target):
            if let v {
                regimes[v] = .chill
                if !plan.vessels[v].hasChillerValve {
                    events.append(ProcessEvent(.alert, "Start the chiller on the \(plan.vessels[v].name) — chilling to \(target)", step: stepIndex, vessel: v))
                }
            }
        case .confirm(let message, _):
            events.append(ProcessEvent(.prompt, message, step: stepIndex))
        case .whirlpool(_, let duration, let temperature, let additions):
            if let v {
                // Hop stand: cool to the stand temperature first (without the heater), then keep it there.
                let t = temperatures[v]
                if let temperature, t.map({ $0.value > temperature.value }) ?? true {
                    regimes[v] = .chill
                } else {
                    regimes[v] = temperature.map { .hold($0) } ?? .off
                    reachedAt = now
                }
                events.append(ProcessEvent(.alert, "Start the whirlpool in the \(plan.vessels[v].name) — \(Format.minutes(duration))"
                                           + (temperature.map { " at \($0)" } ?? ""), step: stepIndex, vessel: v))
            }
            dueAdditions = additions.sorted { ($0.timeLeft ?? .zero) > ($1.timeLeft ?? .zero) }
        case .sparge(let sparge):
            // Only manual sparges reach the engine (BrewPlan refuses automated ones for now).
            events.append(ProcessEvent(.prompt, sparge.instruction, step: stepIndex))
        case .transfer, .ferment, .distill:
            abort(at: now, reason: "this release cannot run \(step.kind.keyword) steps", by: nil, events: &events)
        }
    }

    /// Returns true when the current step is done.
    private mutating func progress(at now: Instant, temperatures: [Celsius?], events: inout [ProcessEvent]) -> Bool {
        let step = plan.recipe.steps[stepIndex]
        let v = plan.stepVessel[stepIndex]
        let t = v.flatMap { temperatures[$0] }
        switch step.kind {
        case .hold, .off:
            return true
        case .heat(_, let target):
            guard let t else { return false }
            return t.value >= target.value - settings.reachTolerance.value
        case .rest(_, let target, let duration):
            let dt = now - (lastAdvance ?? now)
            guard let t else { return false }
            let error = abs(t.value - target.value)
            if reachedAt == nil {
                if error <= settings.reachTolerance.value {
                    reachedAt = now
                    events.append(ProcessEvent(.targetReached, "\(vesselName(v)) at \(target) — rest timer started (\(Format.duration(duration)))", step: stepIndex, vessel: v))
                }
                return duration.value <= 0 && reachedAt != nil
            }
            if error <= settings.restBand.value { countedTime = countedTime + dt }
            return countedTime >= duration
        case .ramp(_, let target, let duration):
            guard let t, let start = stepStartedAt else { return false }
            let reached = abs(t.value - target.value) <= settings.reachTolerance.value
            if reached, reachedAt == nil, now - start >= duration {
                reachedAt = now
                events.append(ProcessEvent(.targetReached, "\(vesselName(v)) reached \(target)", step: stepIndex, vessel: v))
            }
            return reachedAt != nil
        case .boil(_, let duration, _, let power):
            guard let v else { return true }
            if boilStartedAt == nil {
                guard let t else { return false }
                if history.record(t, at: now), let message = boilDetected(t) {
                    boilStartedAt = now
                    regimes[v] = .power(power ?? plan.vessels[v].boilPower)
                    events.append(ProcessEvent(.boilDetected, message, step: stepIndex, vessel: v))
                } else {
                    return false
                }
            }
            guard let started = boilStartedAt else { return false }
            let left = duration - (now - started)
            while let next = dueAdditions.first, let due = next.timeLeft, left.value <= due.value + 1e-9 {
                dueAdditions.removeFirst()
                let when = due.value <= 0 ? "flame-out" : "\(Format.minutes(due)) left in boil"
                let dueAt = started + (duration - due)
                let missed = missedBefore.map { dueAt < $0 } ?? false
                events.append(ProcessEvent(.addition, missed ? "MISSED while brewctl was down: \(next.instruction) — was due at \(when) (\(dueAt)); add it now or note it"
                                                             : "\(next.instruction) — \(when)", step: stepIndex, vessel: v))
            }
            return left.value <= 1e-9
        case .chill(_, let target):
            guard let t else { return false }
            return t.value <= target.value
        case .confirm, .sparge:
            return confirmation != nil
        case .whirlpool(_, let duration, let temperature, _):
            guard let v else { return true }
            if reachedAt == nil {
                guard let temperature, let t, t.value <= temperature.value else { return false }
                reachedAt = now
                regimes[v] = .hold(temperature)
                events.append(ProcessEvent(.targetReached, "\(vesselName(v)) at \(temperature) — whirlpool timer started (\(Format.minutes(duration)))",
                                           step: stepIndex, vessel: v))
            }
            guard let started = reachedAt else { return false }
            let left = duration - (now - started)
            while let next = dueAdditions.first, let due = next.timeLeft, left.value <= due.value + 1e-9 {
                dueAdditions.removeFirst()
                let missed = missedBefore.map { started + (duration - due) < $0 } ?? false
                events.append(ProcessEvent(.addition, (missed ? "MISSED while brewctl was down: " : "")
                                           + "\(next.instruction) — \(Format.minutes(due)) left in the whirlpool", step: stepIndex, vessel: v))
            }
            return left.value <= 1e-9
        case .transfer, .ferment, .distill:
            return false
        }
    }

    private mutating func complete(at now: Instant, events: inout [ProcessEvent]) {
        let step = plan.recipe.steps[stepIndex]
        let v = plan.stepVessel[stepIndex]
        switch step.kind {
        case .boil:
            if let v { regimes[v] = .off }
        case .chill(_, let target):
            if let v {
                regimes[v] = .off
                if !plan.vessels[v].hasChillerValve {
                    events.append(ProcessEvent(.alert, "\(plan.vessels[v].name) is at \(target) — stop the chiller", step: stepIndex, vessel: v))
                }
            }
        case .confirm(_, let actions):
            events.append(ProcessEvent(.confirmation, "Confirmed: \(step.name)", step: stepIndex, actor: confirmation, actions: actions))
        case .sparge(let sparge):
            events.append(ProcessEvent(.confirmation, "Confirmed: \(step.name)", step: stepIndex, actor: confirmation, actions: sparge.actions))
        case .whirlpool:
            if let v { regimes[v] = .off }
        case .heat, .rest, .ramp, .hold, .off, .transfer, .ferment, .distill:
            break
        }
        events.append(ProcessEvent(.stepCompleted, "Done: \(step.name)", step: stepIndex, vessel: v))
        stepIndex += 1
        stepStartedAt = nil
        missedBefore = nil
        rampRestart = nil
    }

    private mutating func finish(at now: Instant, events: inout [ProcessEvent]) {
        for i in regimes.indices { regimes[i] = .off }
        phase = .completed
        events.append(ProcessEvent(.completed, "Batch complete: \(plan.recipe.name)"))
    }

    private func boilDetected(_ t: Celsius) -> String? {
        let expected = plan.boilingPoint
        if t.value >= expected.value - settings.boilMargin.value,
           let rise = history.rise(over: settings.boilStableWindow), rise.value <= settings.boilStableRise.value,
           let low = history.minimum(over: settings.boilStableWindow), low.value >= expected.value - settings.boilMargin.value {
            return "Boil detected at \(t) (boiling point here \(expected)) — boil timer started"
        }
        // A plateau is flat: a kettle cooling (heat held off, lid off) has not "stopped rising".
        if t.value >= settings.plateauFloor.value,
           let rise = history.rise(over: settings.plateauWindow), abs(rise.value) <= settings.plateauRise.value,
           let low = history.minimum(over: settings.plateauWindow), low.value >= t.value - 2 * settings.plateauRise.value {
            return "Boil detected by plateau at \(t), but the boiling point here should be \(expected) — check the altitude in the hardware file and the probe's calibration; boil timer started"
        }
        return nil
    }

    private func vesselName(_ v: Int?) -> String { v.map { plan.vessels[$0].name } ?? "—" }

    // MARK: - What the step waits for (the progress watch)

    /// What the current step needs before it can go on, as the progress watch sees it.
    public enum Awaiting: Hashable, Sendable {
        /// Nothing the temperature must do: a person, a zero-time step, a finished batch.
        case nothing
        /// A timer runs by itself (a rest in its band, a ramp on its line, a boil, a whirlpool).
        case timer
        /// Vessel `vessel` must come to `target`: rising, or falling (`chilling` when a chiller
        /// does it, else only the vessel's losses to the room).
        case temperature(vessel: Int, target: Celsius, rising: Bool, chilling: Bool)
    }

    public func awaiting(at now: Instant, temperatures: [Celsius?]) -> Awaiting {
        guard phase == .running, stepStartedAt != nil, let step = currentStep, let v = plan.stepVessel[stepIndex] else { return .nothing }
        let t = v < temperatures.count ? temperatures[v] : nil
        func toward(_ target: Celsius) -> Awaiting {
            let rising = t.map { $0.value < target.value } ?? true
            return .temperature(vessel: v, target: target, rising: rising, chilling: false)
        }
        func inBand(of target: Celsius) -> Bool { t.map { abs($0.value - target.value) <= settings.restBand.value } ?? false }
        switch step.kind {
        case .heat(_, let target):
            return .temperature(vessel: v, target: target, rising: true, chilling: false)
        case .rest(_, let target, _):
            return reachedAt != nil && inBand(of: target) ? .timer : toward(target)
        case .ramp(_, let target, let duration):
            if let start = stepStartedAt, now - start < duration, let setpoint = regimes[v].setpoint(at: now), inBand(of: setpoint) { return .timer }
            return toward(target)
        case .boil:
            if boilStartedAt != nil { return .timer }
            return .temperature(vessel: v, target: Celsius(plan.boilingPoint.value - settings.boilMargin.value), rising: true, chilling: false)
        case .chill(_, let target):
            return .temperature(vessel: v, target: target, rising: false, chilling: true)
        case .whirlpool(_, _, let temperature, _):
            if reachedAt != nil { return .timer }
            guard let temperature else { return .nothing }
            return .temperature(vessel: v, target: temperature, rising: false, chilling: true)
        case .hold, .off, .confirm, .sparge, .transfer, .ferment, .distill:
            return .nothing
        }
    }

    // MARK: - What the brewer sees

    /// What the current step is doing and waiting for, in a brewer's words.
    public func waitingFor(at now: Instant, temperatures: [Celsius?]) -> String {
        guard phase == .running else {
            if case .aborted(let why) = phase { return "aborted: \(why)" }
            return "complete"
        }
        guard let step = currentStep else { return "finishing" }
        switch step.kind {
        case .heat(_, let target): return "heating to \(target)"
        case .rest(_, let target, _):
            return reachedAt == nil ? "bringing to \(target)" : "resting at \(target)"
        case .ramp(_, let target, _):
            return "ramping to \(target)"
        case .hold(_, let target): return "holding \(target)"
        case .off: return "heater off"
        case .boil:
            return boilStartedAt == nil ? "heating to a boil (\(plan.boilingPoint))" : "boiling"
        case .chill(_, let target): return "chilling to \(target)"
        case .confirm(let message, _): return "waiting for you: \(message)"
        case .sparge(let sparge): return "waiting for you: \(sparge.instruction)"
        case .whirlpool(_, _, let temperature, _):
            if reachedAt == nil, let temperature { return "cooling to \(temperature) for the whirlpool" }
            return "whirlpool"
        case .transfer, .ferment, .distill: return "cannot run \(step.kind.keyword) steps"
        }
    }

    /// Time left in the current step, and for the whole batch, as best known now.
    public func estimate(at now: Instant, temperatures: [Celsius?]) -> (step: Seconds?, batch: Seconds?) {
        guard phase == .running, stepIndex < plan.recipe.steps.count else { return (.zero, .zero) }
        let current = remaining(step: stepIndex, at: now, temperatures: temperatures, live: true)
        var total = current ?? .zero
        var lastTarget = Array(repeating: Celsius?.none, count: plan.vessels.count)
        for (i, r) in regimes.enumerated() { lastTarget[i] = r.setpoint(at: now) ?? temperatures[i] }
        if let v = plan.stepVessel[stepIndex], let target = finalTemperature(of: plan.recipe.steps[stepIndex].kind) {
            lastTarget[v] = target
        }
        var next = stepIndex + 1
        while next < plan.recipe.steps.count {
            total = total + nominal(step: next, from: &lastTarget)
            next += 1
        }
        return (current, total)
    }

    private func remaining(step i: Int, at now: Instant, temperatures: [Celsius?], live: Bool) -> Seconds? {
        let kind = plan.recipe.steps[i].kind
        let v = plan.stepVessel[i]
        let t = v.flatMap { temperatures[$0] }
        func heatTime(to target: Celsius) -> Seconds {
            guard let v, let t, target.value > t.value else { return .zero }
            return Seconds((target.value - t.value) / max(1e-6, plan.heatingRate(vessel: v, atStep: i)))
        }
        switch kind {
        case .heat(_, let target): return heatTime(to: target)
        case .rest(_, let target, let duration):
            return reachedAt == nil ? heatTime(to: target) + duration : duration - countedTime
        case .ramp(_, let target, let duration):
            let start = stepStartedAt ?? now
            return max(duration - (now - start), heatTime(to: target))
        case .hold, .off: return .zero
        case .boil(_, let duration, _, _):
            if let started = boilStartedAt { return duration - (now - started) }
            return heatTime(to: plan.boilingPoint) + settings.boilStableWindow + duration
        case .chill(_, let target):
            guard let t else { return nil }
            return Seconds(max(0, t.value - target.value) / settings.chillRateEstimate)
        case .confirm, .sparge: return nil
        case .whirlpool(_, let duration, let temperature, _):
            if let started = reachedAt { return duration - (now - started) }
            guard let t, let temperature else { return duration }
            return Seconds(max(0, t.value - temperature.value) / settings.chillRateEstimate) + duration
        case .transfer, .ferment, .distill: return nil
        }
    }

    private func nominal(step i: Int, from lastTarget: inout [Celsius?]) -> Seconds {
        let kind = plan.recipe.steps[i].kind
        let v = plan.stepVessel[i]
        func heatTime(to target: Celsius) -> Seconds {
            guard let v, let from = lastTarget[v], target.value > from.value else { return .zero }
            return Seconds((target.value - from.value) / max(1e-6, plan.heatingRate(vessel: v, atStep: i)))
        }
        var time: Seconds
        switch kind {
        case .heat(_, let target): time = heatTime(to: target)
        case .rest(_, let target, let duration): time = heatTime(to: target) + duration
        case .ramp(_, let target, let duration): time = max(duration, heatTime(to: target))
        case .hold, .off: time = .zero
        case .boil(_, let duration, _, _): time = heatTime(to: plan.boilingPoint) + settings.boilStableWindow + duration
        case .chill(_, let target):
            let from = v.flatMap { lastTarget[$0] } ?? plan.boilingPoint
            time = Seconds(max(0, from.value - target.value) / settings.chillRateEstimate)
        case .whirlpool(_, let duration, let temperature, _):
            let from = v.flatMap { lastTarget[$0] } ?? plan.boilingPoint
            time = duration + Seconds(max(0, from.value - (temperature ?? from).value) / settings.chillRateEstimate)
        case .transfer, .ferment, .distill:
            time = .zero
        case .confirm, .sparge:
            time = settings.confirmEstimate
            // Liquid moved at a confirmation arrives at its source's temperature.
            for case .transfer(let from, let to, _) in kind.manualPrompt?.actions ?? [] {
                if let a = plan.vessels.firstIndex(where: { $0.role == from }),
                   let b = plan.vessels.firstIndex(where: { $0.role == to }) { lastTarget[b] = lastTarget[a] }
            }
        }
        if let v, let target = finalTemperature(of: kind) { lastTarget[v] = target }
        return time
    }

    private func finalTemperature(of kind: StepKind) -> Celsius? {
        switch kind {
        case .heat(_, let t), .rest(_, let t, _), .ramp(_, let t, _), .hold(_, let t), .chill(_, let t): t
        case .boil: plan.boilingPoint
        case .whirlpool(_, _, let t, _): t
        case .off, .confirm, .sparge, .transfer, .ferment, .distill: nil
        }
    }
}

// MARK: - Snapshot and restore (resume after a crash, reboot or power cut)

extension StepEngine {
    /// A vessel's regime as plain numbers (instants as brew time, s since the batch started).
    public struct RegimeSnapshot: Hashable, Sendable, Codable {
        public var kind: String
        public var from: Double?
        public var to: Double?
        public var start: Double?
        public var duration: Double?
    }

    /// Everything the engine knows, with instants stored as brew time so a resumed run on a new
    /// clock can place them again. Not kept: which additions fell in a gap (`missedBefore`) and a
    /// ramp's pending restart — both are settled by the first advance after a resume, before any
    /// snapshot can be taken again.
    public struct Snapshot: Hashable, Sendable, Codable {
        public var stepIndex: Int
        public var stepStartedAt: Double?
        /// "running", "completed" or "aborted".
        public var phase: String
        public var abortReason: String?
        public var reachedAt: Double?
        /// Time counted towards a rest (in band only).
        public var countedTime: Double
        public var lastAdvance: Double?
        public var boilStartedAt: Double?
        /// How many of the step's timed additions were already announced.
        public var additionsAnnounced: Int
        public var confirmation: String?
        public var regimes: [RegimeSnapshot]
        /// The boil detection's temperature history while a boil is being recognised (nil when
        /// empty, and in snapshots from before it was kept).
        public var history: TemperatureHistory.Snapshot?
    }

    /// How to continue from a snapshot. `origin` is the instant of brew time zero on the new
    /// clock; `resumeAt` the first instant of the resumed run (brew time of the snapshot plus
    /// `gap`, the time the controller was down, which counts as brew time).
    ///
    /// `seamless`: nothing happened while the controller was down — the simulated brewery, whose
    /// plant stopped with it and is restored exactly. The engine then simply goes on: the time
    /// since its last advance counts as it would have, a ramp keeps its line and the boil
    /// detection keeps its history. Otherwise the gap rules apply (`restore`), and a boil still
    /// being recognised needs its stable window again (a history from before a gap would join
    /// readings minutes apart as if they were seconds apart).
    public struct Resume: Hashable, Sendable {
        public var snapshot: Snapshot
        public var origin: Instant
        public var resumeAt: Instant
        public var gap: Seconds
        public var seamless: Bool
        public init(snapshot: Snapshot, origin: Instant, resumeAt: Instant, gap: Seconds, seamless: Bool = false) {
            self.snapshot = snapshot
            self.origin = origin
            self.resumeAt = resumeAt
            self.gap = gap
            self.seamless = seamless
        }
    }

    public func snapshot(origin: Instant) -> Snapshot {
        func bt(_ i: Instant?) -> Double? { i.map { $0.seconds - origin.seconds } }
        let regimes = self.regimes.map { r -> RegimeSnapshot in
            switch r {
            case .off: RegimeSnapshot(kind: "off")
            case .hold(let t): RegimeSnapshot(kind: "hold", to: t.value)
            case .ramp(let a, let b, let start, let d): RegimeSnapshot(kind: "ramp", from: a.value, to: b.value, start: bt(start), duration: d.value)
            case .power(let p): RegimeSnapshot(kind: "power", to: p.value)
            case .chill: RegimeSnapshot(kind: "chill")
            }
        }
        let (phaseName, reason): (String, String?) = switch phase {
        case .running: ("running", nil)
        case .completed: ("completed", nil)
        case .aborted(let why): ("aborted", why)
        }
        let scheduled = stepIndex < plan.recipe.steps.count ? Self.timedAdditions(plan.recipe.steps[stepIndex].kind).count : 0
        return Snapshot(stepIndex: stepIndex, stepStartedAt: bt(stepStartedAt), phase: phaseName, abortReason: reason,
                        reachedAt: bt(reachedAt), countedTime: countedTime.value, lastAdvance: bt(lastAdvance),
                        boilStartedAt: bt(boilStartedAt), additionsAnnounced: stepStartedAt == nil ? 0 : max(0, scheduled - dueAdditions.count),
                        confirmation: confirmation, regimes: regimes, history: history.isEmpty ? nil : history.snapshot(origin: origin))
    }

    /// The additions of a boil or whirlpool that are announced by time, in the order they fall due.
    static func timedAdditions(_ kind: StepKind) -> [Addition] {
        switch kind {
        case .boil(_, _, let additions, _):
            additions.filter { $0.timing != .firstWort }.sorted { ($0.timeLeft ?? .zero) > ($1.timeLeft ?? .zero) }
        case .whirlpool(_, _, _, let additions):
            additions.sorted { ($0.timeLeft ?? .zero) > ($1.timeLeft ?? .zero) }
        default: []
        }
    }

    /// Gap rules (docs/logging.md, "Resume after a crash"): a rest counts only in-band time, so
    /// the gap never counts; a boil or whirlpool timer runs on brew time, which includes the gap,
    /// and additions that fell due in it are announced as missed; a ramp restarts from the
    /// temperature at resume with the rest of its duration; heat, chill, hold and confirmations
    /// simply continue (a confirmation still waits). A seamless resume has no gap to apply them to.
    private mutating func restore(_ r: Resume) {
        let s = r.snapshot
        func at(_ bt: Double?) -> Instant? { bt.map { r.origin + Seconds($0) } }
        stepIndex = min(max(0, s.stepIndex), plan.recipe.steps.count)
        stepStartedAt = at(s.stepStartedAt)
        switch s.phase {
        case "completed": phase = .completed
        case "aborted": phase = .aborted(s.abortReason ?? "aborted")
        default: phase = .running
        }
        reachedAt = at(s.reachedAt)
        countedTime = Seconds(s.countedTime)
        // The gap is not advanced over: a rest does not count it. Without one, the first tick
        // counts from the last advance, as it would have.
        lastAdvance = r.seamless ? at(s.lastAdvance) ?? r.resumeAt : r.resumeAt
        boilStartedAt = at(s.boilStartedAt)
        confirmation = s.confirmation
        for (i, rs) in s.regimes.enumerated() where i < regimes.count {
            switch rs.kind {
            case "hold": regimes[i] = .hold(Celsius(rs.to ?? 0))
            case "ramp": regimes[i] = .ramp(from: Celsius(rs.from ?? 0), to: Celsius(rs.to ?? 0),
                                            start: at(rs.start) ?? r.resumeAt, duration: Seconds(rs.duration ?? 0))
            case "power": regimes[i] = .power(Percent(rs.to ?? 0))
            case "chill": regimes[i] = .chill
            default: regimes[i] = .off
            }
        }
        guard let step = currentStep, stepStartedAt != nil else { return }
        dueAdditions = Array(Self.timedAdditions(step.kind).dropFirst(s.additionsAnnounced))
        if r.seamless {
            if let h = s.history { history.restore(h, origin: r.origin) }
            return
        }
        if r.gap.value > 0 { missedBefore = r.resumeAt }
        if case .ramp(_, _, let duration) = step.kind, reachedAt == nil, let started = s.stepStartedAt {
            let elapsed = (r.resumeAt.seconds - r.gap.value - r.origin.seconds) - started
            rampRestart = Seconds(max(0, duration.value - max(0, elapsed)))
        }
    }

    private mutating func restartRamp(at now: Instant, left: Seconds, temperatures: [Celsius?]) {
        guard let step = currentStep, case .ramp(_, let target, let duration) = step.kind, let v = plan.stepVessel[stepIndex] else {
            rampRestart = nil
            return
        }
        guard let t = temperatures[v] else { return }   // wait for a reading to ramp from
        regimes[v] = .ramp(from: t, to: target, start: now, duration: left)
        stepStartedAt = now - (duration - left)
        rampRestart = nil
    }
}
