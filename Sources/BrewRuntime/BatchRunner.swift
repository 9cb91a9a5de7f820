import BrewCore
import BrewLog
import BrewProcess
import Foundation

/// Runs one batch: the loop that reads the rig, ticks the process controller, drives the outputs,
/// logs everything and talks to the operator. The loop is the only code that asks a clock for
/// the time, once per tick, and it sleeps to absolute deadlines so it never drifts.
public final class BatchRunner {
    public struct Options: Sendable {
        public var brewer: String
        /// Confirm manual steps automatically (simulation and CI).
        public var autoConfirm: Bool
        public var recipePath: String
        public var hardwarePath: String
        /// "fast", "60x", "real time" — recorded with the batch.
        public var speedLabel: String
        /// Wall-clock time at the start; log timestamps are this plus brew time.
        public var startedAt: Date
        /// Samples are written to the database at least this often (brew time); events and step
        /// changes are written at once.
        public var flushInterval: Seconds
        /// After a gap longer than this (brewing steps), heating waits for the operator.
        public var longGap: Seconds

        public init(brewer: String, autoConfirm: Bool, recipePath: String, hardwarePath: String, speedLabel: String,
                    startedAt: Date, flushInterval: Seconds = Seconds(5), longGap: Seconds = .minutes(10)) {
            self.longGap = longGap
            self.brewer = brewer
            self.autoConfirm = autoConfirm
            self.recipePath = recipePath
            self.hardwarePath = hardwarePath
            self.speedLabel = speedLabel
            self.startedAt = startedAt
            self.flushInterval = flushInterval
        }
    }

    public enum Outcome: Equatable, Sendable {
        case completed
        case aborted(String)
        case failed(String)

        /// One line for the terminal.
        public var summary: String {
            switch self {
            case .completed: "batch completed"
            case .aborted(let why): "batch aborted: \(why)"
            case .failed(let why): "batch failed: \(why)"
            }
        }
    }

    public struct Result: Sendable {
        public var outcome: Outcome
        public var batchID: Int64
        public var brewTime: Seconds
        public var ticks: Int
    }

    public let plan: BrewPlan
    public let backend: any RigBackend
    /// Told that the loop is alive once per healthy sample (systemd and hardware watchdogs).
    public var supervisor: (any LoopSupervisor)?
    public let log: BatchLog
    public let clock: any LoopClock
    public let console: any OperatorConsole
    public let options: Options
    /// Where the run continues an interrupted batch (nil: a new batch from step 0).
    public let resume: ResumePoint?
    /// The controller's state, readable after the run (tests inspect it).
    public private(set) var controller: ProcessController

    private var readings: [TemperatureReading?]
    private var events: [ProcessEvent] = []
    private var channels: [(temperature: Int64, target: Int64, heater: Int64?, pump: Int64?, chiller: Int64?)] = []
    private var batchID: Int64 = 0
    private var stepRow: Int64?
    private var origin = Instant.zero
    /// Heating waits for the operator after a long gap.
    private var gapHold = false
    /// Alarms raised since the last acknowledgement, shown until acknowledged.
    private var unacknowledged: [String] = []

    public init(plan: BrewPlan, backend: any RigBackend, log: BatchLog, clock: any LoopClock,
                console: any OperatorConsole, options: Options, resume: ResumePoint? = nil) {
        self.resume = resume
        self.plan = plan
        self.backend = backend
        self.log = log
        self.clock = clock
        self.console = console
        self.options = options
        controller = ProcessController(plan: plan, rig: backend.rig)
        readings = Array(repeating: nil, count: plan.vessels.count)
    }

    private func wall(_ t: Instant) -> Date { options.startedAt.addingTimeInterval(t.seconds - origin.seconds) }
    private func brewTime(_ t: Instant) -> Seconds { t - origin }

    /// Brews the batch to its end. Every output is safe before the first tick and after the last,
    /// however the run ends; a failure of the log or of the rig ends the run as `failed`.
    public func run() -> Result {
        backend.allOff()
        let rig = backend.rig
        let tick = rig.control.tick
        let samplePeriod = rig.control.samplePeriod
        // A resumed run continues the brew time where the snapshot left it, plus the gap, one
        // tick on (that tick's instant was already handled before the snapshot).
        let startBrew = resume.map { $0.firstTick(tick: tick) } ?? 0
        origin = clock.now() - Seconds(startBrew)
        var ticks = 0
        var now = origin + Seconds(startBrew)
        var begun = false
        do {
            try begin(at: now)
            begun = true
            supervisor?.started(batch: batchID)
            // Deadlines are counted in whole ticks and samples from the origin, not summed, so
            // rounding never drifts a 1 s sample to 1.1 s over a five-hour brew day.
            let slack = tick.value * 1e-6
            var samples = Int(((startBrew - slack) / samplePeriod.value).rounded(.up))
            var nextSample = origin + samplePeriod * Double(samples)
            var nextFlush = now + options.flushInterval
            var tickIndex = Int((startBrew / tick.value).rounded())
            var deadline = origin + tick * Double(tickIndex)
            while !controller.isFinished {
                now = clock.now()
                backend.advance(to: now)
                let sampling = now.seconds >= nextSample.seconds - slack
                if sampling { backend.read(at: now, into: &readings) }

                while let input = console.poll() { handle(input, at: now) }
                // `brewctl ack` / `brewctl confirm` from another terminal, a script or the service's
                // operator, through the batch database.
                if sampling {
                    for request in try log.takeOperatorRequests(batch: batchID) {
                        handle(request.kind == "confirm" ? .confirm(by: request.actor) : .acknowledge(by: request.actor), at: now)
                    }
                }
                if gapHold, options.autoConfirm, backend.isSimulated { releaseGapHold(by: "\(options.brewer) (--yes)") }
                if options.autoConfirm, controller.awaitsConfirmation {
                    _ = controller.confirm(by: "\(options.brewer) (--yes)")
                }
                clock.operatorWaiting(controller.awaitsConfirmation || controller.heatingPaused)

                controller.tick(at: now, readings: readings, events: &events)
                for failure in backend.apply(controller.outputs) {
                    events.append(ProcessEvent(.alarm, "output failed: \(failure)"))
                }
                let applied = backend.heatersApplied
                if !applied.isEmpty { controller.noteApplied(heaters: applied) }
                events.append(contentsOf: backend.takeEvents())
                // This tick's samples before its events: a step change commits the state of this
                // tick, and the samples of this tick with it.
                if sampling { recordSamples(at: now) }
                try dispatchEvents(at: now)

                if sampling {
                    let current = status(at: now)
                    console.update(current)
                    supervisor?.alive(status: "\(current.stepName): \(current.waitingFor)")
                    samples += 1
                    nextSample = origin + samplePeriod * Double(samples)
                    if nextSample <= now {   // the loop fell behind: resynchronise rather than burst
                        samples = Int(((now - origin) / samplePeriod).rounded(.down)) + 1
                        nextSample = origin + samplePeriod * Double(samples)
                    }
                }
                if now >= nextFlush {
                    // Samples and the resumable state in one transaction: a crash loses at most
                    // this interval of samples, and a resume continues exactly after them.
                    try log.flush(state: persistedState(at: now))
                    nextFlush = now + options.flushInterval
                }
                ticks += 1
                tickIndex += 1
                deadline = origin + tick * Double(tickIndex)
                if deadline < now {   // fell behind (a slow disk, a paused VM): skip, don't burst
                    tickIndex = Int(((now - origin) / tick).rounded(.down)) + 1
                    deadline = origin + tick * Double(tickIndex)
                }
                clock.sleep(until: deadline)
            }
            backend.allOff()
            let outcome: Outcome
            switch controller.engine.phase {
            case .completed: outcome = .completed
            case .aborted(let why): outcome = .aborted(why)
            case .running: outcome = .failed("stopped while running")
            }
            try finish(outcome, at: now)
            supervisor?.stopping()
            console.finish()
            return Result(outcome: outcome, batchID: batchID, brewTime: brewTime(now), ticks: ticks)
        } catch {
            backend.allOff()
            let outcome = Outcome.failed("\(error)")
            // A resume that could not start leaves the interrupted batch as it was, resumable.
            if begun || resume == nil { try? finish(outcome, at: now) }
            console.finish()
            return Result(outcome: outcome, batchID: batchID, brewTime: brewTime(now), ticks: ticks)
        }
    }

    private func begin(at now: Instant) throws {
        if let resume {
            try beginResumed(resume, at: now)
            return
        }
        controller = ProcessController(plan: plan, rig: backend.rig)
        let rig = backend.rig
        batchID = try log.startBatch(BatchInfo(
            recipeName: plan.recipe.name, recipePath: options.recipePath, hardwarePath: options.hardwarePath,
            brewer: options.brewer, startedAt: options.startedAt, simulated: backend.isSimulated, speed: options.speedLabel))
        for (i, v) in rig.vessels.enumerated() {
            let temperature = try log.addChannel(batch: batchID, name: "\(v.id).temperature", unit: "°C")
            let target = try log.addChannel(batch: batchID, name: "\(v.id).target", unit: "°C")
            let heater = plan.vessels[i].hasHeater ? try log.addChannel(batch: batchID, name: "\(v.id).heater", unit: "%") : nil
            let pump = plan.vessels[i].hasRecirculationPump ? try log.addChannel(batch: batchID, name: "\(v.id).pump", unit: "on") : nil
            let chiller = plan.vessels[i].hasChillerValve ? try log.addChannel(batch: batchID, name: "\(v.id).chiller", unit: "on") : nil
            channels.append((temperature, target, heater, pump, chiller))
        }
        try log.event(batch: batchID, at: Seconds.zero.value, wall: options.startedAt, kind: .info,
                      message: "Brewing \(plan.recipe.name) on \(rig.name) (\(backend.isSimulated ? "simulated" : "hardware"), \(options.speedLabel))",
                      actor: options.brewer)
    }

    private func handle(_ input: OperatorInput, at now: Instant) {
        switch input {
        case .confirm(let actor):
            if gapHold { releaseGapHold(by: actor) } else { _ = controller.confirm(by: actor) }
        case .interrupt:
            controller.pauseHeating(true)
            events.append(ProcessEvent(.alert, "Interrupted: every heater held off while you decide whether to abort", actor: options.brewer))
        case .abort(let actor):
            controller.pauseHeating(true)
            controller.abort(at: now, reason: "stopped by \(actor)", by: actor, events: &events)
        case .carryOn(let actor):
            controller.pauseHeating(gapHold)
            events.append(ProcessEvent(.alert, "Not aborted: carrying on, heaters back under control", actor: actor))
        case .acknowledge(let actor):
            acknowledge(by: actor)
        }
    }

    /// Clears the latched heater faults, saying which, and by whom (or that there were none).
    private func acknowledge(by actor: String) {
        let names = controller.heaterFaults.enumerated().compactMap { i, f in f.map { _ in plan.vessels[i].name } }
        _ = controller.acknowledgeAll(by: actor)
        // Outputs an interlock tripped (a pump that ran dry) may run again too.
        let outputs = backend.acknowledge(by: actor)
        events.append(contentsOf: backend.takeEvents())
        var parts: [String] = []
        if !names.isEmpty { parts.append("\(names.joined(separator: ", ")) may heat again") }
        if !outputs.isEmpty { parts.append("\(outputs.joined(separator: ", ")) may run again") }
        let seen = unacknowledged.count
        unacknowledged.removeAll()
        let text: String
        if !parts.isEmpty {
            text = "Acknowledged: " + parts.joined(separator: "; ")
        } else if seen > 0 {
            text = "Acknowledged: \(seen) alarm\(seen == 1 ? "" : "s") seen, none latched"
        } else {
            text = "Acknowledged: no latched alarms"
        }
        events.append(ProcessEvent(.confirmation, text, actor: actor))
    }

    private func dispatchEvents(at now: Instant) throws {
        guard !events.isEmpty else { return }
        // Events, step rows and (on a step change) the resumable state commit together, so a
        // resume never repeats a step the log shows as done, nor skips one.
        try log.atomically { try dispatchEventsInTransaction(at: now) }
    }

    private func dispatchEventsInTransaction(at now: Instant) throws {
        let t = brewTime(now)
        var i = 0
        var stepChanged = false
        // Operator actions can add notes, so walk by index rather than iterate a snapshot.
        while i < events.count {
            let e = events[i]
            i += 1
            try log.event(batch: batchID, at: t.value, wall: wall(now), kind: Self.logKind(e.kind), message: e.message,
                          actor: e.actor ?? (e.kind == .alarm || e.kind == .alarmCleared ? "brewctl" : nil))
            switch e.kind {
            case .stepStarted:
                stepChanged = true
                if let step = e.step {
                    let s = plan.recipe.steps[step]
                    stepRow = try log.stepStarted(batch: batchID, position: step, kind: s.kind.keyword, name: s.name,
                                                  at: t.value, wall: wall(now))
                }
            case .stepCompleted:
                if let row = stepRow { try log.stepEnded(step: row, at: t.value, wall: wall(now), outcome: "completed") }
                stepRow = nil
            case .aborted:
                if let row = stepRow { try log.stepEnded(step: row, at: t.value, wall: wall(now), outcome: "aborted") }
                stepRow = nil
            case .confirmation where !e.actions.isEmpty:
                for note in backend.operatorDid(e.actions) {
                    events.append(ProcessEvent(.alert, "Simulated brewery: \(note)", step: e.step))
                }
            default:
                break
            }
            if e.kind == .alarm { unacknowledged.append("[\(Format.clock(t))] \(e.message)") }
            console.show(e, at: t)
        }
        events.removeAll(keepingCapacity: true)
        if stepChanged, !controller.isFinished { try log.flush(state: persistedState(at: now)) }
    }

    private func recordSamples(at now: Instant) {
        let t = brewTime(now).value
        for i in channels.indices {
            let c = channels[i]
            let out = controller.outputs[i]
            log.record(channel: c.temperature, batch: batchID, at: t, value: controller.temperatures[i]?.value)
            log.record(channel: c.target, batch: batchID, at: t, value: out.setpoint?.value)
            if let h = c.heater { log.record(channel: h, batch: batchID, at: t, value: out.demand.value) }
            if let p = c.pump { log.record(channel: p, batch: batchID, at: t, value: out.pumpOn ? 1 : 0) }
            if let ch = c.chiller { log.record(channel: ch, batch: batchID, at: t, value: out.chillerOpen ? 1 : 0) }
        }
    }

    private func finish(_ outcome: Outcome, at now: Instant) throws {
        let (text, reason): (BatchOutcome, String?) = switch outcome {
        case .completed: (.completed, nil)
        case .aborted(let why): (.aborted, why)
        case .failed(let why): (.failed, why)
        }
        if let row = stepRow { try? log.stepEnded(step: row, at: brewTime(now).value, wall: wall(now), outcome: text.rawValue) }
        try log.finishBatch(batchID, outcome: text, reason: reason, wall: wall(now))
    }

    public func status(at now: Instant) -> RunStatus {
        let engine = controller.engine
        let temps = controller.temperatures
        let estimate = engine.estimate(at: now, temperatures: temps)
        let stepVessel = engine.stepIndex < plan.stepVessel.count ? plan.stepVessel[engine.stepIndex] : nil
        let vessels = plan.vessels.indices.map { i -> RunStatus.Vessel in
            let out = controller.outputs[i]
            return RunStatus.Vessel(name: plan.vessels[i].name, temperature: temps[i], target: out.setpoint,
                                    demand: out.demand, heaterOn: out.heaterOn, fault: controller.faults[i],
                                    involved: i == stepVessel || engine.regimes[i] != .off)
        }
        return RunStatus(brewTime: brewTime(now), stepNumber: min(engine.stepIndex + 1, plan.recipe.steps.count),
                         stepCount: plan.recipe.steps.count, stepName: engine.currentStep?.name ?? "done",
                         waitingFor: engine.waitingFor(at: now, temperatures: temps),
                         stepTimeLeft: estimate.step, batchTimeLeft: estimate.batch, vessels: vessels,
                         awaitingConfirmation: engine.awaitsConfirmation || gapHold, heatingPaused: controller.heatingPaused,
                         unacknowledgedAlarms: unacknowledged)
    }

    // MARK: - Persisted state and resume

    /// The state persisted with every step change and samples flush.
    private func persistedState(at now: Instant) throws -> BatchState {
        let snapshot = BatchSnapshot(recipeName: plan.recipe.name, steps: plan.recipe.steps.map(\.name),
                                     brewTime: brewTime(now).value, engine: controller.engine.snapshot(origin: origin),
                                     heaterLoops: controller.heaterLoopSnapshots(origin: origin),
                                     plant: nil, gapHold: gapHold, heaterFaults: controller.heaterFaults,
                                     simulation: (backend as? SimulatedBrewery)?.plant.snapshot(),
                                     tick: controller.tickState(origin: origin), readings: readings.map { $0?.snapshot(origin: origin) },
                                     unacknowledged: unacknowledged, trips: backend.latchedTrips)
        return BatchState(batch: batchID, stepIndex: controller.engine.stepIndex, brewTime: brewTime(now).value, wall: Date(),
                          bootID: SystemClock.bootID, uptime: SystemClock.uptime(), payload: snapshot.encoded())
    }

    private func beginResumed(_ r: ResumePoint, at now: Instant) throws {
        let snap = r.snapshot
        guard snap.recipeName == plan.recipe.name, snap.steps == plan.recipe.steps.map(\.name) else {
            throw BatchLogError("batch \(r.batchID) was brewing \(snap.recipeName) with other steps than \(options.recipePath) has now; it cannot be resumed with this recipe file")
        }
        batchID = r.batchID
        // The simulated plant first: only when it is restored exactly does the batch go on as if
        // nothing had happened (seamless); otherwise the gap rules apply as on a real rig.
        var notes: [String] = []
        var seamless = false
        if let brewery = backend as? SimulatedBrewery {
            let done = plan.recipe.steps.prefix(min(snap.engine.stepIndex, plan.recipe.steps.count))
            let actions = done.flatMap { $0.kind.manualPrompt?.actions ?? [] }
            if let exact = snap.simulation {
                do {
                    try brewery.restorePlant(exact)
                    seamless = true
                } catch {
                    notes.append("the saved plant does not fit this rig (\(error)); restored approximately")
                    notes += brewery.restorePlant(approximately: PlantSnapshot(summarising: exact), actions: actions)
                }
            } else if let plant = snap.plant {
                notes.append("restored approximately from a snapshot of an older brewctl")
                notes += brewery.restorePlant(approximately: plant, actions: actions)
            }
        }
        controller = ProcessController(plan: plan, rig: backend.rig,
                                       resuming: StepEngine.Resume(snapshot: snap.engine, origin: origin, resumeAt: now, gap: r.brewTimeGap,
                                                                   seamless: seamless))
        controller.restoreHeaterLoops(snap.heaterLoops, origin: origin, continuing: seamless)
        controller.restoreHeaterFaults(snap.heaterFaults ?? [])
        unacknowledged = snap.unacknowledged ?? []
        backend.restoreTrips(snap.trips ?? [])
        if seamless, let tick = snap.tick, controller.restoreTickState(tick, origin: origin) {
            // The readings the next ticks would still have used (the next sample is up to a
            // sample period away).
            for (i, reading) in (snap.readings ?? []).enumerated() where i < readings.count {
                readings[i] = reading.map { TemperatureReading($0, origin: origin) }
            }
        }
        // Channels by name, as `begin` created them.
        let byName = Dictionary(r.channels.map { ($0.name, $0.id) }, uniquingKeysWith: { a, _ in a })
        for v in backend.rig.vessels {
            guard let temperature = byName["\(v.id).temperature"], let target = byName["\(v.id).target"] else {
                throw BatchLogError("batch \(r.batchID) has no channels for \(v.id): was it brewed on another rig?")
            }
            channels.append((temperature, target, byName["\(v.id).heater"], byName["\(v.id).pump"], byName["\(v.id).chiller"]))
        }
        stepRow = snap.engine.stepStartedAt != nil ? r.openStep?.id : nil
        // Nothing after the snapshot was committed with it; drop any stray samples beyond it.
        try log.discardSamples(batch: batchID, after: r.state.brewTime)

        let gapText = r.gap.length.map { Format.duration($0) } ?? "unknown length"
        let step = controller.engine.currentStep
        let position = "step \(min(controller.engine.stepIndex + 1, plan.recipe.steps.count))/\(plan.recipe.steps.count)\(step.map { " \($0.name)" } ?? "")"
        let brewNote = backend.isSimulated
            ? "the simulated brewery stopped with brewctl, so brew time continues from \(Format.duration(Seconds(r.state.brewTime)))"
            : "brew time continues across the gap"
        events.append(ProcessEvent(.alert, "Resumed after a gap of \(gapText) (\(r.gap.measuredBy)) at \(position); \(brewNote). \(step.map { Self.gapRule($0.kind) } ?? "")",
                                   step: controller.engine.stepIndex, actor: options.brewer))
        for note in notes { events.append(ProcessEvent(.alert, "Simulated brewery: \(note)")) }
        let physicalGap = backend.isSimulated ? Seconds.zero : (r.gap.length ?? Seconds(.infinity))
        if snap.gapHold || (physicalGap > options.longGap && controller.engine.phase == .running) {
            gapHold = true
            controller.pauseHeating(true)
            events.append(ProcessEvent(.alarm, "brewctl was down for \(gapText), longer than \(Format.duration(options.longGap)): every heater is held off until you have checked the vessels and confirm (Enter)"))
            events.append(ProcessEvent(.prompt, "Check the vessels after the interruption, then confirm to heat again", step: controller.engine.stepIndex))
        }
    }

    private func releaseGapHold(by actor: String) {
        gapHold = false
        controller.pauseHeating(false)
        events.append(ProcessEvent(.confirmation, "Checked after the interruption: heating again", actor: actor))
    }

    /// What a gap means for the step it fell in, in a brewer's words (docs/logging.md).
    static func gapRule(_ kind: StepKind) -> String {
        switch kind {
        case .rest: "A rest counts only time in its band: the gap does not count."
        case .boil: "The boil timer runs on across the gap; additions that fell due in it are announced as missed."
        case .whirlpool: "The whirlpool timer runs on across the gap; additions that fell due in it are announced as missed."
        case .ramp: "The ramp starts again from the current temperature with the rest of its time."
        case .heat, .hold: "Heating continues to the target."
        case .chill: "Chilling continues to the target."
        case .confirm, .sparge: "Still waiting for your confirmation."
        case .off: "The heater stays off."
        case .ferment: "A fermentation follows its calendar (not run by this release)."
        case .transfer, .distill: "Not run by this release."
        }
    }

    private static func logKind(_ kind: ProcessEvent.Kind) -> EventKind {
        switch kind {
        case .stepStarted, .stepCompleted: .step
        case .targetReached, .boilDetected, .alarmCleared, .completed: .info
        case .addition, .alert, .prompt: .alert
        case .confirmation: .confirmation
        case .alarm: .alarm
        case .aborted: .abort
        }
    }
}
