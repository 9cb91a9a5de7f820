import BrewCore

/// Decides, output by output, whether what the controller wants may happen, from the rig's
/// interlocks (`RigSpec.effectiveInterlocks`) and the latest sensor values — and says so once,
/// not every tick: an alarm when an interlock starts holding an output off (after its grace) or
/// trips it, `alarm-cleared` when a held output may run again. Tripped outputs stay off until
/// `acknowledge`.
///
/// Outputs and sensors are numbered once (the order the caller gives), and the conditions compiled
/// to those numbers, so a tick decides every output with array lookups only; a condition is put
/// into words (`explain`) only when something is to be said. Pure apart from its own state.
public struct InterlockGuard: Sendable {
    public let interlocks: [RigSpec.Interlock]
    private let tests: [[Test]]
    /// For each output number, the interlocks guarding it: holds first, as a trip's running time
    /// only counts while the holds let the output run.
    private let byOutput: [[Int]]
    private var states: [State]

    /// A condition on numbered outputs and sensors.
    private enum Test: Sendable {
        case output(Int, on: Bool)
        case level(Int, wet: Bool)
        case above(Int, Double)
        case below(Int, Double)
        /// Names something the caller did not number: never holds (unsure means off).
        case unknown
    }

    private struct State: Sendable {
        /// Since when the output has been wanted on while a condition was unmet (hold).
        var unmetSince: Instant?
        var alarmed = false
        /// Since when the output has been running (trip: the grace runs from here).
        var runningSince: Instant?
        /// Why the output was tripped, until acknowledged.
        var tripped: String?
    }

    /// `outputs` and `sensors` number the rig's outputs and sensors for `decide`.
    public init(interlocks: [RigSpec.Interlock], outputs: [String], sensors: [String]) {
        self.interlocks = interlocks
        let o = Dictionary(outputs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let s = Dictionary(sensors.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        tests = interlocks.map { il in
            il.requires.map { c -> Test in
                switch c {
                case .output(let id, let on): o[id].map { .output($0, on: on) } ?? .unknown
                case .level(let id, let wet): s[id].map { .level($0, wet: wet) } ?? .unknown
                case .above(let id, let v): s[id].map { .above($0, v) } ?? .unknown
                case .below(let id, let v): s[id].map { .below($0, v) } ?? .unknown
                }
            }
        }
        byOutput = outputs.map { id in
            interlocks.indices.filter { interlocks[$0].output == id }
                .sorted { (interlocks[$0].action == .hold ? 0 : 1, $0) < (interlocks[$1].action == .hold ? 0 : 1, $1) }
        }
        states = Array(repeating: State(), count: interlocks.count)
    }

    /// Outputs stopped by a trip and waiting for acknowledgement, with why.
    public var tripped: [(output: String, why: String)] {
        interlocks.indices.compactMap { k in states[k].tripped.map { (interlocks[k].output, $0) } }
    }

    /// Whether output number `output` may be on now that the controller wants it `wanted`.
    /// `isOn` tells whether an output is on now, `value` a sensor's latest good value (nil when it
    /// cannot be read: that fails every condition on it), `explain` why a condition does not hold.
    public mutating func decide(_ output: Int, wanted: Bool, at now: Instant, isOn: (Int) -> Bool, value: (Int) -> Double?,
                                explain: (RigSpec.Interlock.Condition) -> String, events: inout [ProcessEvent]) -> Bool {
        guard output >= 0, output < byOutput.count else { return wanted }
        var allowed = wanted
        for k in byOutput[output] {
            var s = states[k]
            // Nothing to decide or to clear: the conditions need not even be read.
            if !wanted, !s.alarmed, s.runningSince == nil, s.unmetSince == nil { continue }
            let failing = tests[k].firstIndex { !Self.holds($0, isOn, value) }
            let il = interlocks[k]
            func what() -> String { il.reason ?? il.name ?? "interlock on \(il.output)" }
            switch il.action {
            case .hold:
                if let failing, wanted {
                    allowed = false
                    let since = s.unmetSince ?? now
                    s.unmetSince = since
                    if !s.alarmed, now - since >= il.grace {
                        s.alarmed = true
                        events.append(ProcessEvent(.alarm, "\(il.output) held off — \(what()): \(explain(il.requires[failing]))"))
                    }
                } else {
                    s.unmetSince = nil
                    if failing == nil, s.alarmed {
                        s.alarmed = false
                        events.append(ProcessEvent(.alarmCleared, "\(il.output) may run again — \(what()): condition holds"))
                    }
                }
            case .trip:
                if s.tripped != nil {
                    allowed = false
                } else if allowed {
                    let since = s.runningSince ?? now
                    s.runningSince = since
                    if let failing, now - since >= il.grace {
                        let why = "\(what()): \(explain(il.requires[failing])) (running for \(Format.duration(now - since)))"
                        s.tripped = why
                        s.runningSince = nil
                        allowed = false
                        events.append(ProcessEvent(.alarm, "\(il.output) stopped — \(why); off until acknowledged (brewctl ack)"))
                    }
                } else {
                    s.runningSince = nil
                }
            }
            states[k] = s
        }
        return allowed
    }

    /// The first interlock of output number `output` with a condition that does not hold now,
    /// and that condition (nil when the output may run).
    public func firstUnmet(_ output: Int, isOn: (Int) -> Bool, value: (Int) -> Double?)
        -> (interlock: RigSpec.Interlock, condition: RigSpec.Interlock.Condition)? {
        guard output >= 0, output < byOutput.count else { return nil }
        for k in byOutput[output] {
            if let c = tests[k].firstIndex(where: { !Self.holds($0, isOn, value) }) { return (interlocks[k], interlocks[k].requires[c]) }
        }
        return nil
    }

    private static func holds(_ t: Test, _ isOn: (Int) -> Bool, _ value: (Int) -> Double?) -> Bool {
        switch t {
        case .output(let o, let on): return isOn(o) == on
        case .level(let s, let wet): return value(s).map { ($0 == 1) == wet } ?? false
        case .above(let s, let limit): return value(s).map { $0 > limit } ?? false
        case .below(let s, let limit): return value(s).map { $0 < limit } ?? false
        case .unknown: return false
        }
    }

    /// Latches trips again after a restart (they were part of the batch's saved state): an output
    /// that was stopped stays stopped until acknowledged, whatever happened in between.
    public mutating func restoreTrips(_ trips: [(output: String, why: String)]) {
        for t in trips {
            if let k = interlocks.indices.first(where: { interlocks[$0].output == t.output && interlocks[$0].action == .trip && states[$0].tripped == nil }) {
                states[k].tripped = t.why
            }
        }
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
