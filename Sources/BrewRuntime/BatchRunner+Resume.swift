import BrewCore
import BrewLog
import BrewProcess
import BrewSim
import Foundation

/// The batch's resumable state: saved with every step change and samples flush, and read back
/// when an interrupted batch continues (docs/logging.md, "Resume after a crash").
extension BatchRunner {
    /// The state persisted with every step change and samples flush.
    func persistedState(at now: Instant) throws -> BatchState {
        let snapshot = BatchSnapshot(recipeName: plan.recipe.name, steps: plan.recipe.steps.map(\.name),
                                     brewTime: brewTime(now).value, engine: controller.engine.snapshot(origin: origin),
                                     heaterLoops: controller.heaterLoopSnapshots(origin: origin),
                                     plant: nil, gapHold: gapHold, heaterFaults: controller.heaterFaults,
                                     simulation: (backend as? SimulatedBrewery)?.plant.snapshot(),
                                     tick: controller.tickState(origin: origin), readings: readings.map { $0?.snapshot(origin: origin) },
                                     unacknowledged: unacknowledged, trips: backend.latchedTrips, applied: applied,
                                     interlockMemory: (backend as? SimulatedBrewery)?.io.interlockMemory.map(SavedInterlockValue.init))
        return BatchState(batch: batchID, stepIndex: controller.engine.stepIndex, brewTime: brewTime(now).value, wall: wall(),
                          bootID: SystemClock.bootID, uptime: SystemClock.uptime(), payload: snapshot.encoded())
    }

    func beginResumed(_ r: ResumePoint, at now: Instant) throws {
        let snap = r.snapshot
        guard snap.recipeName == plan.recipe.name, snap.steps == plan.recipe.steps.map(\.name) else {
            throw BatchLogError("batch \(r.batchID) was brewing \(snap.recipeName) with other steps than \(options.recipePath) has now; it cannot be resumed with this recipe file")
        }
        batchID = r.batchID
        // Requests made to the controller that stopped are not for this one: a confirmation
        // given while the batch was down must not release anything now.
        for stale in try log.expireRequests(batch: batchID, why: "made while no controller ran this batch, or to the one before") {
            let what = stale.kind == .confirm ? "confirmation" : "acknowledgement"
            events.append(ProcessEvent(.alert, "Did not take a \(what) from \(stale.actor): it was made before this controller started; ask again if it still holds",
                                       actor: stale.actor))
        }
        alarmsRaised = try log.alarmCount(batch: batchID)
        // The simulated plant first: only when it is restored exactly does the batch go on as if
        // nothing had happened (seamless); otherwise the gap rules apply as on a real rig.
        var notes: [String] = []
        var seamless = false
        if let brewery = backend as? SimulatedBrewery {
            let done = plan.recipe.steps.prefix(min(snap.engine.stepIndex, plan.recipe.steps.count))
            let actions = done.flatMap { $0.kind.manualPrompt?.actions ?? [] }
            if let exact = snap.simulation {
                do {
                    try brewery.restorePlant(exact, interlockMemory: snap.interlockMemory?.map(\.remembered))
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
        controller.watchesStartOver(at: now)
        unacknowledged = snap.unacknowledged ?? []
        backend.restoreTrips(snap.trips ?? [])
        if seamless, let tick = snap.tick, controller.restoreTickState(tick, origin: origin) {
            // The readings the next ticks would still have used (the next sample is up to a
            // sample period away).
            for (i, reading) in (snap.readings ?? []).enumerated() where i < readings.count {
                readings[i] = reading.map { TemperatureReading($0, origin: origin) }
            }
            if let saved = snap.applied?.fitting(vessels: plan.vessels.count) { applied = saved }
        }
        try findChannels(r.channels)
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
}
