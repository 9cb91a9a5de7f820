import BrewCore

/// Combines a vessel's redundant temperature probes into the one reading the controller uses.
///
/// - One probe: its reading, as it is.
/// - Probes that fail (bus fault, stale, out of range) are left out and named in the note; the
///   vessel carries on with the rest — redundancy spent, not the batch.
/// - Two good probes must agree within the tolerance: then their mean is used. If they disagree
///   nobody can tell which is right, so the vessel's reading is a fault (heater off, alarm).
/// - Three or more: the median decides; probes within the tolerance of it agree, and if they are
///   a majority their mean is used and the others are outvoted (named in the note). Without a
///   majority the reading is a fault.
///
/// The reading's time is the oldest of the probes used, so staleness is never understated. And
/// the hard limit is never voted away: if any good probe reads at or above the vessel's limit,
/// that reading is the vessel's (the controller then turns the heater off and says why). Pure.
public enum ProbeVote {
    public struct Probe: Sendable {
        public var id: String
        public var reading: TemperatureReading
        public init(id: String, reading: TemperatureReading) {
            self.id = id
            self.reading = reading
        }
    }

    public struct Outcome: Sendable, Equatable {
        public var reading: TemperatureReading
        /// What the operator should know: a probe failed or was outvoted (nil when all agree).
        public var note: String?
    }

    public static func combine(_ probes: [Probe], tolerance: Kelvin, at now: Instant, staleAfter: Seconds, limit: Celsius? = nil) -> Outcome {
        guard probes.count > 1 else {
            return Outcome(reading: probes.first?.reading ?? .fault("no probe", at: now), note: nil)
        }
        var good: [Probe] = []
        var failed: [String] = []
        for p in probes {
            if let problem = p.reading.problem(at: now, staleAfter: staleAfter) {
                failed.append("\(p.id) failed (\(problem))")
            } else {
                good.append(p)
            }
        }
        if let limit, let hot = good.filter({ $0.reading.value >= limit }).max(by: { $0.reading.value < $1.reading.value }) {
            return Outcome(reading: hot.reading, note: "\(hot.id) reads \(hot.reading.value), at or above the limit of \(limit): not voted away")
        }
        func reading(_ used: [Probe]) -> TemperatureReading {
            let mean = used.reduce(0.0) { $0 + $1.reading.value.value } / Double(used.count)
            return TemperatureReading(value: Celsius(mean), takenAt: used.map(\.reading.takenAt).min()!)
        }
        func listed(_ ps: [Probe]) -> String { ps.map { "\($0.id) \($0.reading.value)" }.joined(separator: ", ") }
        let tol = tolerance.value
        switch good.count {
        case 0:
            return Outcome(reading: .fault("all \(probes.count) probes failed: " + failed.joined(separator: "; "), at: now), note: nil)
        case 1:
            return Outcome(reading: good[0].reading,
                           note: "controlling on \(good[0].id) alone: " + failed.joined(separator: "; "))
        case 2:
            guard abs(good[0].reading.value.value - good[1].reading.value.value) <= tol else {
                let extra = failed.isEmpty ? "" : "; " + failed.joined(separator: "; ")
                return Outcome(reading: .fault("probes disagree: \(listed(good)) — more than \(tolerance) apart, "
                                               + "cannot tell which is right\(extra)", at: now), note: nil)
            }
            return Outcome(reading: reading(good), note: failed.isEmpty ? nil : failed.joined(separator: "; "))
        default:
            let values = good.map(\.reading.value.value).sorted()
            let n = values.count
            let median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2
            let agreeing = good.filter { abs($0.reading.value.value - median) <= tol }
            guard agreeing.count * 2 > good.count else {
                return Outcome(reading: .fault("no majority among the probes: \(listed(good)) — none agree within \(tolerance)", at: now),
                               note: nil)
            }
            let outvoted = good.filter { abs($0.reading.value.value - median) > tol }
            var notes = failed
            if !outvoted.isEmpty {
                let others = agreeing.map(\.id).joined(separator: ", ")
                notes.append("\(listed(outvoted)) outvoted by \(others) (\(Celsius(median)))")
            }
            return Outcome(reading: reading(agreeing), note: notes.isEmpty ? nil : notes.joined(separator: "; "))
        }
    }
}
