import BrewCore
import BrewLog
import BrewProcess
import Foundation

/// What the batch puts in the log: its channels, samples and events (docs/logging.md).
extension BatchRunner {
    /// One vessel's channels, by their row in the log (nil: the vessel has no such thing).
    struct Channels {
        var temperature: Int64
        var target: Int64
        /// What the heater really did (after interlocks, latches and the power budget), and what
        /// the controller asked of it.
        var heater: Int64?
        var heaterDemand: Int64?
        /// Pump and chiller valve as really switched.
        var pump: Int64?
        var chiller: Int64?
        /// The simulated liquid's own temperature, beside the probe's (simulated rigs only).
        var liquid: Int64?
    }

    /// The channels of a new batch.
    func createChannels() throws {
        let rig = backend.rig
        let truth = !backend.trueTemperatures.isEmpty
        for (i, v) in rig.vessels.enumerated() {
            let p = plan.vessels[i]
            func add(_ name: String, _ unit: String) throws -> Int64 { try log.addChannel(batch: batchID, name: "\(v.id).\(name)", unit: unit) }
            channels.append(Channels(
                temperature: try add("temperature", "°C"), target: try add("target", "°C"),
                heater: p.hasHeater ? try add("heater", "%") : nil, heaterDemand: p.hasHeater ? try add("heater.demand", "%") : nil,
                pump: p.hasRecirculationPump ? try add("pump", "on") : nil, chiller: p.hasChillerValve ? try add("chiller", "on") : nil,
                liquid: truth ? try add("liquid", "°C") : nil))
        }
    }

    /// A resumed batch's channels, by name as `createChannels` made them. Channels a batch logged
    /// by an older brewctl lacks (demand, liquid) are added, so they are logged from here on.
    func findChannels(_ known: [ChannelRecord]) throws {
        let byName = Dictionary(known.map { ($0.name, $0.id) }, uniquingKeysWith: { a, _ in a })
        let truth = !backend.trueTemperatures.isEmpty
        for (i, v) in backend.rig.vessels.enumerated() {
            let p = plan.vessels[i]
            guard let temperature = byName["\(v.id).temperature"], let target = byName["\(v.id).target"] else {
                throw BatchLogError("batch \(batchID) has no channels for \(v.id): was it brewed on another rig?")
            }
            func existing(_ name: String, _ unit: String, if wanted: Bool) throws -> Int64? {
                guard wanted else { return nil }
                return try byName["\(v.id).\(name)"] ?? log.addChannel(batch: batchID, name: "\(v.id).\(name)", unit: unit)
            }
            channels.append(Channels(
                temperature: temperature, target: target,
                heater: try existing("heater", "%", if: p.hasHeater), heaterDemand: try existing("heater.demand", "%", if: p.hasHeater),
                pump: try existing("pump", "on", if: p.hasRecirculationPump), chiller: try existing("chiller", "on", if: p.hasChillerValve),
                liquid: try existing("liquid", "°C", if: truth)))
        }
    }

    func recordSamples(at now: Instant) {
        let t = brewTime(now).value
        let duties = applied.takeDuties()
        let pumps = backend.pumpsApplied, chillers = backend.chillersApplied, truth = backend.trueTemperatures
        for i in channels.indices {
            let c = channels[i]
            let out = controller.outputs[i]
            log.record(channel: c.temperature, batch: batchID, at: t, value: controller.temperatures[i]?.value)
            log.record(channel: c.target, batch: batchID, at: t, value: out.setpoint?.value)
            if let h = c.heater { log.record(channel: h, batch: batchID, at: t, value: i < duties.count ? duties[i] : nil) }
            if let d = c.heaterDemand { log.record(channel: d, batch: batchID, at: t, value: out.demand.value) }
            if let p = c.pump { log.record(channel: p, batch: batchID, at: t, value: (i < pumps.count ? pumps[i] : out.pumpOn) ? 1 : 0) }
            if let ch = c.chiller {
                log.record(channel: ch, batch: batchID, at: t, value: (i < chillers.count ? chillers[i] : out.chillerOpen) ? 1 : 0)
            }
            if let l = c.liquid { log.record(channel: l, batch: batchID, at: t, value: i < truth.count ? truth[i]?.value : nil) }
        }
    }

    func dispatchEvents(at now: Instant) throws {
        guard !events.isEmpty else { return }
        // Events, step rows and (on a step change) the resumable state commit together, so a
        // resume never repeats a step the log shows as done, nor skips one.
        try log.atomically { try dispatchEventsInTransaction(at: now) }
    }

    func dispatchEventsInTransaction(at now: Instant) throws {
        let t = brewTime(now)
        let stamp = wall()
        var i = 0
        var stepChanged = false
        // Operator actions can add notes, so walk by index rather than iterate a snapshot.
        while i < events.count {
            let e = events[i]
            i += 1
            try log.event(batch: batchID, at: t.value, wall: stamp, kind: Self.logKind(e.kind), message: e.message,
                          actor: e.actor ?? (e.kind == .alarm || e.kind == .alarmCleared ? "brewctl" : nil))
            switch e.kind {
            case .stepStarted:
                stepChanged = true
                prompt = nil
                if let step = e.step, step >= 0, step < plan.recipe.steps.count {
                    let s = plan.recipe.steps[step]
                    stepRow = try log.stepStarted(batch: batchID, position: step, kind: s.kind.keyword, name: s.name,
                                                  at: t.value, wall: stamp)
                }
            case .stepCompleted:
                if let row = stepRow { try log.stepEnded(step: row, at: t.value, wall: stamp, outcome: "completed") }
                stepRow = nil
            case .aborted:
                if let row = stepRow { try log.stepEnded(step: row, at: t.value, wall: stamp, outcome: "aborted") }
                stepRow = nil
            case .prompt:
                prompt = e.message
            case .confirmation where !e.actions.isEmpty:
                for note in backend.operatorDid(e.actions) {
                    events.append(ProcessEvent(.alert, "Simulated brewery: \(note)", step: e.step))
                }
            default:
                break
            }
            if e.kind == .alarm {
                alarmsRaised += 1
                unacknowledged.append("[\(Format.clock(t))] \(e.message)")
            }
            console.show(e, at: t)
        }
        events.removeAll(keepingCapacity: true)
        if stepChanged, !controller.isFinished { try log.flush(state: persistedState(at: now)) }
        try announceIfChanged()
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
        // The estimate stops pretending once the step has long made no progress.
        let watch = controller.progress
        let without = watch.stalled.map { now - $0.since } ?? watch.withoutProgress(at: now)
        let noProgress = without.flatMap { watch.stalled != nil || $0 >= watch.settings.showAfter ? $0 : nil }
        var status = RunStatus(brewTime: brewTime(now), stepNumber: min(engine.stepIndex + 1, plan.recipe.steps.count),
                               stepCount: plan.recipe.steps.count, stepName: engine.currentStep?.name ?? "done",
                               waitingFor: engine.waitingFor(at: now, temperatures: temps),
                               stepTimeLeft: noProgress == nil ? estimate.step : nil, batchTimeLeft: noProgress == nil ? estimate.batch : nil,
                               vessels: vessels, awaitingConfirmation: engine.awaitsConfirmation || gapHold,
                               heatingPaused: controller.heatingPaused, unacknowledgedAlarms: unacknowledged)
        status.noProgress = noProgress
        status.stalled = watch.stalled != nil
        return status
    }

    static func logKind(_ kind: ProcessEvent.Kind) -> EventKind {
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
