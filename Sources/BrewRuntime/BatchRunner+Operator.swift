import BrewCore
import BrewLog
import BrewProcess
import Foundation

/// What people ask of the batch — at its terminal, or from another process through the log —
/// and what the batch tells them it waits for (docs/safety.md, "Operator requests").
extension BatchRunner {
    func handle(_ input: OperatorInput, at now: Instant) {
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
            acknowledge(by: actor, seen: nil)
        case .stop(let cause):
            controller.pauseHeating(true)
            if stopCause == nil { stopCause = cause }
        }
    }

    /// A request from another process counts only if it answers what waits now, and was made to
    /// this controller: a confirmation made before a crash, for another step, or after the
    /// prompt was answered is refused and the refusal logged, never applied late.
    func handle(_ request: OperatorRequest, at now: Instant) {
        let verdict: String
        if request.controller != options.session {
            verdict = "refused: it was made to an earlier controller of this batch"
        } else {
            switch request.kind {
            case .confirm:
                let waiting = self.waiting
                if let waiting, request.answers == waiting.key {
                    handle(.confirm(by: request.actor), at: now)
                    verdict = "confirmed: \(waiting.text)"
                } else {
                    verdict = "refused: it answered \(request.answers.map { "“\($0)”" } ?? "nothing in particular"), but the batch "
                        + (waiting.map { "now waits for “\($0.key)”" } ?? "waits for no confirmation now")
                }
            case .ack:
                if let seen = request.answers.flatMap(Int.init), seen >= 0 {
                    verdict = "acknowledged: " + acknowledge(by: request.actor, seen: seen)
                } else {
                    verdict = "refused: it does not say which alarms it saw"
                }
            }
        }
        try? log.settle(request, outcome: verdict)
        if verdict.hasPrefix("refused") {
            let what = request.kind == .confirm ? "a confirmation" : "an acknowledgement"
            events.append(ProcessEvent(.alert, "Did not take \(what) from \(request.actor): \(verdict.dropFirst("refused: ".count))",
                                       actor: request.actor))
        }
    }

    /// What a person can answer now: the gap hold first (heating waits on it), else the step's prompt.
    var waiting: ControllerPresence.Waiting? {
        if gapHold {
            return .gapHold(key: "gap", text: "Check the vessels after the interruption, then confirm to heat again")
        }
        guard controller.awaitsConfirmation, !options.autoConfirm else { return nil }
        let step = controller.engine.stepIndex
        let name = controller.engine.currentStep?.name ?? "step \(step + 1)"
        return .prompt(key: "step \(step + 1): \(name)", text: prompt ?? name)
    }

    /// Tells other processes what the batch waits for, when that changed since it last did.
    func announceIfChanged() throws {
        guard batchID > 0 else { return }
        let now = ControllerPresence(session: options.session, pid: options.processID, startedAt: announced?.startedAt ?? wall(),
                                     waiting: waiting, alarmsRaised: alarmsRaised,
                                     alarmsPending: max(unacknowledged.count, controller.heaterFaults.compactMap { $0 }.count + backend.latchedTrips.count),
                                     latestAlarm: unacknowledged.last)
        guard now != announced else { return }
        try log.announce(now, batch: batchID)
        announced = now
    }

    /// Acknowledges the alarms — all of them (at the terminal, where they are on screen), or the
    /// first `seen` the batch raised (a request says how many its sender saw; one raised since is
    /// not acknowledged by it). Latched heaters and tripped outputs are released only when every
    /// alarm is acknowledged. Says what was acknowledged, by whom; returns the words.
    @discardableResult
    func acknowledge(by actor: String, seen: Int?) -> String {
        let newer = seen.map { max(0, alarmsRaised - $0) } ?? 0
        if newer > 0 {
            // Only the alarms it saw: the oldest of those still to acknowledge.
            let count = max(0, unacknowledged.count - newer)
            unacknowledged.removeFirst(count)
            let text = "Acknowledged \(count) alarm\(count == 1 ? "" : "s"); \(newer) raised since \(newer == 1 ? "is" : "are") still to acknowledge"
                + " (latest: \(unacknowledged.last ?? "—")), and latched heaters and outputs stay off until \(newer == 1 ? "it is" : "they are")"
            events.append(ProcessEvent(.confirmation, text, actor: actor))
            return text
        }
        let names = controller.heaterFaults.enumerated().compactMap { i, f in f.map { _ in plan.vessels[i].name } }
        _ = controller.acknowledgeAll(by: actor)
        // Outputs an interlock tripped (a pump that ran dry) may run again too.
        let outputs = backend.acknowledge(by: actor)
        events.append(contentsOf: backend.takeEvents())
        var parts: [String] = []
        if !names.isEmpty { parts.append("\(names.joined(separator: ", ")) may heat again") }
        if !outputs.isEmpty { parts.append("\(outputs.joined(separator: ", ")) may run again") }
        let count = unacknowledged.count
        unacknowledged.removeAll()
        let text: String
        if !parts.isEmpty {
            text = "Acknowledged: " + parts.joined(separator: "; ")
        } else if count > 0 {
            text = "Acknowledged: \(count) alarm\(count == 1 ? "" : "s") seen, none latched"
        } else {
            text = "Acknowledged: no latched alarms"
        }
        events.append(ProcessEvent(.confirmation, text, actor: actor))
        return text
    }

    func releaseGapHold(by actor: String) {
        gapHold = false
        controller.pauseHeating(false)
        events.append(ProcessEvent(.confirmation, "Checked after the interruption: heating again", actor: actor))
    }
}
