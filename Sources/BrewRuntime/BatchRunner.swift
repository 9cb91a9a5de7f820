import BrewCore
import BrewLog
import BrewProcess
import Foundation

/// Runs one batch: the loop that reads the rig, ticks the process controller, drives the outputs,
/// logs everything and talks to the operator. The loop is the only code that asks a clock for
/// the time, once per tick, and it sleeps to absolute deadlines so it never drifts.
///
/// However it ends, every output is off before the first tick and after the last. A batch ends
/// completed, aborted (only ever by a person) or failed; or it is *interrupted* — a signal, a
/// storage fault — with its state committed, so `brewctl resume` continues it (docs/safety.md,
/// "How brewctl stops").
public final class BatchRunner {
    public struct Options: Sendable {
        public var brewer: String
        /// Confirm manual steps automatically (simulation and CI).
        public var autoConfirm: Bool
        public var recipePath: String
        public var hardwarePath: String
        /// "fast", "60x", "real time" — recorded with the batch.
        public var speedLabel: String
        /// Wall-clock time at the start of the batch (of its first run, when resuming).
        public var startedAt: Date
        /// Samples are written to the database at least this often (brew time); events and step
        /// changes are written at once.
        public var flushInterval: Seconds
        /// After a gap longer than this (brewing steps), heating waits for the operator.
        public var longGap: Seconds
        /// Where wall-clock times for the record come from.
        public var wallClock: any WallClock
        /// This controller's session: requests from other processes are for it alone.
        public var session: String
        public var processID: Int32
        /// Called with a new batch's number as soon as it exists, before anything else: takes the
        /// batch's lock (one controller per batch). A throw ends the run before the first tick.
        public var claimBatch: (@Sendable (Int64) throws -> Void)?

        public init(brewer: String, autoConfirm: Bool, recipePath: String, hardwarePath: String, speedLabel: String,
                    startedAt: Date, flushInterval: Seconds = Seconds(5), longGap: Seconds = .minutes(10),
                    wallClock: any WallClock = SystemWallClock(), session: String = UUID().uuidString,
                    processID: Int32 = getpid(), claimBatch: (@Sendable (Int64) throws -> Void)? = nil) {
            self.longGap = longGap
            self.brewer = brewer
            self.autoConfirm = autoConfirm
            self.recipePath = recipePath
            self.hardwarePath = hardwarePath
            self.speedLabel = speedLabel
            self.startedAt = startedAt
            self.flushInterval = flushInterval
            self.wallClock = wallClock
            self.session = session
            self.processID = processID
            self.claimBatch = claimBatch
        }
    }

    public enum Outcome: Equatable, Sendable {
        case completed
        case aborted(String)
        case failed(String)
        /// Stopped with every output off and the state committed: `brewctl resume` continues it.
        case interrupted(String)

        /// One line for the terminal.
        public var summary: String {
            switch self {
            case .completed: "batch completed"
            case .aborted(let why): "batch aborted: \(why)"
            case .failed(let why): "batch failed: \(why)"
            case .interrupted(let why): "batch interrupted: \(why)"
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
    public internal(set) var controller: ProcessController

    var readings: [TemperatureReading?]
    var events: [ProcessEvent] = []
    var channels: [Channels] = []
    var batchID: Int64 = 0
    var stepRow: Int64?
    var origin = Instant.zero
    /// Heating waits for the operator after a long gap.
    var gapHold = false
    /// Alarms raised since the last acknowledgement, shown until acknowledged.
    var unacknowledged: [String] = []
    /// Alarms this batch has raised in all its runs (requests to acknowledge count them).
    var alarmsRaised = 0
    /// The prompt on screen while a step waits for its confirmation.
    var prompt: String?
    /// What other processes were last told (written again only when it changes).
    var announced: ControllerPresence?
    /// Set when the controller must stop (a signal): the loop ends at this tick.
    var stopCause: String?
    /// A step made no progress in an unattended batch: it ends failed, with this reason.
    var unattendedStall: String?
    var applied: AppliedOutputs

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
        applied = AppliedOutputs(vessels: plan.vessels.count)
    }

    /// The calendar time for the record, now (not start + brew time: a --fast batch would end
    /// hours in the future).
    func wall() -> Date { options.wallClock.now() }
    func brewTime(_ t: Instant) -> Seconds { t - origin }

    /// Brews the batch to its end (or its interruption). Every output is safe before the first
    /// tick and after the last, however the run ends.
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
            var samples = Self.count(startBrew - slack, per: samplePeriod.value, .up)
            var nextSample = origin + samplePeriod * Double(samples)
            var nextFlush = now + options.flushInterval
            var tickIndex = Self.count(startBrew, per: tick.value, .toNearestOrAwayFromZero)
            var deadline = origin + tick * Double(tickIndex)
            while !controller.isFinished {
                now = clock.now()
                backend.advance(to: now)
                let sampling = now.seconds >= nextSample.seconds - slack
                if sampling { backend.read(at: now, into: &readings) }

                while let input = console.poll() { handle(input, at: now) }
                if stopCause != nil { break }
                // `brewctl ack` / `brewctl confirm` from another terminal, a script or the service's
                // operator, through the batch database.
                if sampling {
                    for request in try log.takeOperatorRequests(batch: batchID) { handle(request, at: now) }
                }
                if gapHold, options.autoConfirm, backend.isSimulated { releaseGapHold(by: "\(options.brewer) (--yes)") }
                if options.autoConfirm, controller.awaitsConfirmation {
                    _ = controller.confirm(by: "\(options.brewer) (--yes)")
                }
                clock.operatorWaiting(controller.awaitsConfirmation || controller.heatingPaused)

                controller.tick(at: now, readings: readings, events: &events)
                if controller.newStall != nil, options.autoConfirm { unattendedStall = controller.newStall?.message }
                let wanted = controller.outputs.map(\.heaterOn)
                for failure in backend.apply(controller.outputs) {
                    events.append(ProcessEvent(.alarm, "output failed: \(failure)"))
                }
                let switched = backend.heatersApplied
                if !switched.isEmpty {
                    // What holds a wanted heater off, once a sample (for a step that makes no progress).
                    let held = sampling ? switched.indices.map { i in
                        i < wanted.count && wanted[i] && !switched[i] ? backend.heaterBlockedBy(vessel: i) : nil
                    } : []
                    controller.noteApplied(heaters: switched, heldBecause: held)
                }
                applied.tick(at: brewTime(now).value, heatersOn: switched.isEmpty ? controller.outputs.map(\.heaterOn) : switched)
                events.append(contentsOf: backend.takeEvents())
                // This tick's samples before its events: a step change commits the state of this
                // tick, and the samples of this tick with it.
                if sampling { recordSamples(at: now) }
                try dispatchEvents(at: now)

                if sampling {
                    let current = status(at: now)
                    console.update(current)
                    try announceIfChanged()
                    supervisor?.alive(status: "\(current.stepName): \(current.waitingFor)")
                    samples += 1
                    nextSample = origin + samplePeriod * Double(samples)
                    if nextSample <= now {   // the loop fell behind: resynchronise rather than burst
                        samples = Self.count((now - origin).value, per: samplePeriod.value, .down) + 1
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
                // Unattended (--yes): nobody can put a stalled step right, so the batch ends here.
                if unattendedStall != nil { break }
                tickIndex += 1
                deadline = origin + tick * Double(tickIndex)
                if deadline < now {   // fell behind (a slow disk, a paused VM): skip, don't burst
                    tickIndex = Self.count((now - origin).value, per: tick.value, .down) + 1
                    deadline = origin + tick * Double(tickIndex)
                }
                clock.sleep(until: deadline)
            }
            backend.allOff()
            if let cause = stopCause {
                let outcome = stopInterrupted(cause: cause, at: now)
                return Result(outcome: outcome, batchID: batchID, brewTime: brewTime(now), ticks: ticks)
            }
            let outcome: Outcome
            switch controller.engine.phase {
            case .completed: outcome = .completed
            case .aborted(let why): outcome = .aborted(why)
            case .running: outcome = .failed(unattendedStall ?? "stopped while running")
            }
            if let stall = unattendedStall {
                events.append(ProcessEvent(.alert, "Unattended (--yes): nobody can put this right, so the batch ends failed with every output off — \(stall)",
                                           step: controller.engine.stepIndex, actor: "brewctl"))
                try dispatchEvents(at: now)
            }
            try finish(outcome, at: now)
            supervisor?.stopping()
            console.finish()
            return Result(outcome: outcome, batchID: batchID, brewTime: brewTime(now), ticks: ticks)
        } catch let fault as StorageFault {
            backend.allOff()
            let outcome = begun ? storageStop(fault, at: now) : .failed(fault.description)
            supervisor?.stopping()
            console.finish()
            return Result(outcome: outcome, batchID: batchID, brewTime: brewTime(now), ticks: ticks)
        } catch {
            backend.allOff()
            let outcome = Outcome.failed("\(error)")
            // A resume that could not start leaves the interrupted batch as it was, resumable; so
            // does a new batch that never got going (its lock was refused): nothing ran.
            if begun || (resume == nil && batchID > 0 && !(error is ClaimRefused)) { try? finish(outcome, at: now) }
            supervisor?.stopping()
            console.finish()
            return Result(outcome: outcome, batchID: batchID, brewTime: brewTime(now), ticks: ticks)
        }
    }

    /// Whole periods in `span` (rounded as asked), never trapping on a value from outside: a
    /// brew time from a damaged snapshot is refused before it gets here, and this is the net.
    static func count(_ span: Double, per period: Double, _ rule: FloatingPointRoundingRule) -> Int {
        let n = (span / period).rounded(rule)
        return n.isFinite ? Int(max(-1e15, min(1e15, n))) : 0
    }

    /// A new batch's lock was refused: the batch row stays as created and is finished as failed
    /// by nobody (it never ran); the message names who holds it.
    struct ClaimRefused: Error, CustomStringConvertible {
        var description: String
    }

    private func begin(at now: Instant) throws {
        if let resume {
            try beginResumed(resume, at: now)
            try announceIfChanged()
            return
        }
        controller = ProcessController(plan: plan, rig: backend.rig)
        let rig = backend.rig
        batchID = try log.startBatch(BatchInfo(
            recipeName: plan.recipe.name, recipePath: options.recipePath, hardwarePath: options.hardwarePath,
            brewer: options.brewer, startedAt: options.startedAt, simulated: backend.isSimulated, speed: options.speedLabel))
        if let claim = options.claimBatch {
            do { try claim(batchID) } catch { throw ClaimRefused(description: "\(error)") }
        }
        try log.atomically {
            try createChannels()
            try log.event(batch: batchID, at: Seconds.zero.value, wall: wall(), kind: .info,
                          message: "Brewing \(plan.recipe.name) on \(rig.name) (\(backend.isSimulated ? "simulated" : "hardware"), \(options.speedLabel))",
                          actor: options.brewer)
            try announceIfChanged()
        }
    }

    private func finish(_ outcome: Outcome, at now: Instant) throws {
        let (text, reason): (BatchOutcome, String?) = switch outcome {
        case .completed: (.completed, nil)
        case .aborted(let why): (.aborted, why)
        case .failed(let why): (.failed, why)
        case .interrupted(let why): (.failed, why)   // not reached: an interrupted batch is not finished
        }
        let t = brewTime(now).value
        try withReserve {
            try log.atomically {
                if let row = stepRow { try log.stepEnded(step: row, at: t, wall: wall(), outcome: text.rawValue) }
                try log.finishBatch(batchID, outcome: text, reason: reason, wall: wall(), brewTime: t)
            }
        }
    }

    /// Runs `body`; if the disk is full, gives the log's reserve back to the disk and tries once
    /// more — enough room to record how the batch ended.
    func withReserve(_ body: () throws -> Void) throws {
        do { try body() } catch let fault as StorageFault where fault.kind == .full {
            log.releaseReserve()
            try body()
        }
    }

    // MARK: - Stopping without ending the batch

    /// A signal asked the controller to stop: outputs are already off; the stop is logged with
    /// its cause and the state committed, so the batch is interrupted and resumable.
    private func stopInterrupted(cause: String, at now: Instant) -> Outcome {
        let text = "Stopped: \(cause) — every output off; batch \(batchID) is interrupted, resume it with `brewctl resume`"
        events.append(ProcessEvent(.alert, text, actor: "brewctl"))
        var outcome = Outcome.interrupted(cause)
        do {
            try withReserve {
                try log.atomically {
                    try dispatchEventsInTransaction(at: now)
                    try log.withdrawPresence(batch: batchID)
                    try log.flush(state: persistedState(at: now))
                }
            }
        } catch {
            outcome = .interrupted("\(cause); the stop could not be logged (\(error)) — the batch resumes from its last saved state")
        }
        supervisor?.stopping()
        console.finish()
        return outcome
    }

    /// The log's storage failed mid-batch: outputs are already off. Nothing committed is lost
    /// (SQLite rolled the failed transaction back); the stop is written where it still can be —
    /// into the reserve's room on a full disk, into a rescued copy when the file was deleted or
    /// replaced under us — and the batch is left interrupted, to be resumed once it is fixed.
    private func storageStop(_ fault: StorageFault, at now: Instant) -> Outcome {
        let text = "Stopped: \(fault.reason) — every output off; batch \(batchID) is interrupted"
        events.append(ProcessEvent(.alarm, text, actor: "brewctl"))
        func record() throws {
            try log.atomically {
                try dispatchEventsInTransaction(at: now)
                try log.withdrawPresence(batch: batchID)
                try log.flush(state: persistedState(at: now), checkingFile: false)
            }
        }
        switch fault.kind {
        case .full:
            log.releaseReserve()
            let logged = (try? record()) != nil
            return .interrupted("\(fault.reason); every output is off\(logged ? " and the stop is logged" : ""). Free some space on that disk, then `brewctl resume` continues the batch")
        case .deleted, .replaced:
            // The connection still reaches the old file: finish the record there, then copy it
            // out so nothing already logged is lost.
            try? record()
            let rescue = log.path + ".rescued-\(Int(wall().timeIntervalSince1970))"
            do {
                try log.rescue(to: rescue)
                return .interrupted("\(fault.reason); every output is off. Everything logged until now is saved in \(rescue): move it back to \(log.path) (or use --db \(rescue)) and `brewctl resume` continues the batch")
            } catch {
                return .interrupted("\(fault.reason); every output is off; what it held could not be saved (\(error))")
            }
        case .ioError, .readOnly, .damaged:
            let logged = (try? record()) != nil
            return .interrupted("\(fault.reason); every output is off\(logged ? "" : ", and the stop could not be logged"). Fix the disk, then `brewctl resume` continues from the last saved state")
        }
    }
}
