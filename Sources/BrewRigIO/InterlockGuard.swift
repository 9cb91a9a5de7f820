import BrewCore

/// Decides, output by output, whether what the controller wants may happen, from the rig's
/// interlocks (`RigSpec.effectiveInterlocks`) and the latest sensor values — and says so once,
/// not every tick: an alarm when an interlock starts holding an output off (after its grace) or
/// trips it, `alarm-cleared` when a held output may run again. Tripped outputs stay off until
/// `acknowledge`. Pure apart from its own state; the caller supplies how conditions read
/// (`holds`) and, only when something is to be said, in words (`explain`) — so a tick with
/// nothing to say builds no text.
public struct InterlockGuard: Sendable {
    public let interlocks: [RigSpec.Interlock]
    private var states: [State]
    private let byOutput: [String: [Int]]

    private struct State: Sendable {
        /// Since when the output has been wanted on while a condition was unmet (hold).
        var unmetSince: Instant?
        var alarmed = false
        /// Since when the output has been running (trip: the grace runs from here).
        var runningSince: Instant?
        /// Why the output was tripped, until acknowledged.
        var tripped: String?
    }

    public init(interlocks: [RigSpec.Interlock]) {
        self.interlocks = interlocks
        states = Array(repeating: State(), count: interlocks.count)
        var by: [String: [Int]] = [:]
        for (k, il) in interlocks.enumerated() { by[il.output, default: []].append(k) }
        // Holds first: a trip's running time only counts while the holds let the output run.
        byOutput = by.mapValues { ks in ks.sorted { (interlocks[$0].action == .hold ? 0 : 1, $0) < (interlocks[$1].action == .hold ? 0 : 1, $1) } }
    }

    public var guardedOutputs: Set<String> { Set(byOutput.keys) }

    /// Outputs stopped by a trip and waiting for acknowledgement, with why.
    public var tripped: [(output: String, why: String)] {
        interlocks.indices.compactMap { k in states[k].tripped.map { (interlocks[k].output, $0) } }
    }

    /// Whether `output` may be on now that the controller wants it `wanted`. `holds` tests a
    /// condition; `explain` says why one does not hold.
    public mutating func decide(_ output: String, wanted: Bool, at now: Instant, holds: (RigSpec.Interlock.Condition) -> Bool,
                                explain: (RigSpec.Interlock.Condition) -> String, events: inout [ProcessEvent]) -> Bool {
        guard let list = byOutput[output] else { return wanted }
        var allowed = wanted
        for k in list {
            let il = interlocks[k]
            var s = states[k]
            // Nothing to decide or to clear: the conditions need not even be read.
            if !wanted, !s.alarmed, s.runningSince == nil, s.unmetSince == nil { continue }
            let failing = il.requires.first { !holds($0) }
            func what() -> String { il.reason ?? il.name ?? "interlock on \(output)" }
            switch il.action {
            case .hold:
                if let failing, wanted {
                    allowed = false
                    let since = s.unmetSince ?? now
                    s.unmetSince = since
                    if !s.alarmed, now - since >= il.grace {
                        s.alarmed = true
                        events.append(ProcessEvent(.alarm, "\(output) held off — \(what()): \(explain(failing))"))
                    }
                } else {
                    s.unmetSince = nil
                    if failing == nil, s.alarmed {
                        s.alarmed = false
                        events.append(ProcessEvent(.alarmCleared, "\(output) may run again — \(what()): condition holds"))
                    }
                }
            case .trip:
                if s.tripped != nil {
                    allowed = false
                } else if allowed {
                    let since = s.runningSince ?? now
                    s.runningSince = since
                    if let failing, now - since >= il.grace {
                        let why = "\(what()): \(explain(failing)) (running for \(Format.duration(now - since)))"
                        s.tripped = why
                        s.runningSince = nil
                        allowed = false
                        events.append(ProcessEvent(.alarm, "\(output) stopped — \(why); off until acknowledged (brewctl ack)"))
                    }
                } else {
                    s.runningSince = nil
                }
            }
            states[k] = s
        }
        return allowed
    }

    /// Clears every trip (the operator has looked); returns the outputs it released.
    public mutating func acknowledge(by actor: String?, events: inout [ProcessEvent]) -> [String] {
        var released: [String] = []
        for k in states.indices where states[k].tripped != nil {
            states[k].tripped = nil
            released.append(interlocks[k].output)
            events.append(ProcessEvent(.alarmCleared, "\(interlocks[k].output): trip acknowledged — it may run again", actor: actor))
        }
        return released
    }
}
