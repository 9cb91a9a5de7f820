import BrewCore

/// Shares one supply circuit between its heaters, window by window, so that at no instant the
/// elements switched on together draw more than the circuit's limit.
///
/// Each window every heater asks for an on-time. If the energy asked for does not fit
/// (`Σ power·on-time > limit·window`) every request is scaled down in proportion. The on-times are
/// then laid out on the window's timeline one heater after another — each takes the earliest
/// stretches where its power still fits under the limit — so heaters that cannot run together
/// interleave (the HLT heats while the kettle element rests). Whatever could not be placed is
/// not delivered, and `plan` says what each heater really gets, so its PID can be told. The
/// order in which heaters are placed rotates every window, so no heater is always last.
///
/// Each heater's own SSR limits are kept as its own time-proportioned output would: a request is
/// rounded to a pulse the SSR can do (`minimumOn`, `minimumOff`) and the rounding is carried into
/// the next window (`carry`, which the caller keeps), so the average power is right; a stretch of
/// on-time the layout leaves shorter than `minimumOn`, or a gap shorter than `minimumOff`, is
/// dropped rather than switched. Dropping only ever removes load, so the limit still holds.
///
/// Pure: the caller asks `isOn(heater, at: phase)` each tick.
public struct PowerBudget: Sendable {
    public struct Heater: Hashable, Sendable {
        public var power: Watts
        public var minimumOn: Seconds
        public var minimumOff: Seconds
        public init(power: Watts, minimumOn: Seconds = .zero, minimumOff: Seconds = .zero) {
            self.power = power
            self.minimumOn = minimumOn
            self.minimumOff = minimumOff
        }
    }

    /// One window's schedule: for each heater, its on-intervals (seconds from the window start).
    public struct Plan: Hashable, Sendable {
        public var window: Seconds
        public var intervals: [[ClosedRange<Double>]]
        /// What each heater really gets, % of the window.
        public var realised: [Percent]
        /// True when some request was cut to fit the limit.
        public var limited: Bool
        /// Each heater's rounding to its minimum on/off times, s of full power, to add to its next
        /// window's request (`plan(…, carry:)`).
        public var carry: [Double]

        /// Whether heater `i` conducts at `phase` seconds into the window. Intervals are
        /// half-open [start, end).
        public func isOn(_ i: Int, at phase: Double) -> Bool {
            intervals[i].contains { phase >= $0.lowerBound && phase < $0.upperBound }
        }

        /// Power drawn at `phase`.
        public func load(at phase: Double, powers: [Watts]) -> Double {
            intervals.indices.reduce(0) { $0 + (isOn($1, at: phase) ? powers[$1].value : 0) }
        }
    }

    public let limit: Watts
    public let heaters: [Heater]

    public init(limit: Watts, heaters: [Heater]) {
        self.limit = limit
        self.heaters = heaters
    }

    /// True when every heater can be on at once: nothing needs sharing.
    public var fitsTogether: Bool { heaters.reduce(0) { $0 + $1.power.value } <= limit.value + 1e-9 }

    /// Plans one window. `demands[i]` is heater i's wanted duty; `rotation` picks which heater
    /// is placed first (pass the window number); `carry` is the last plan's `carry`.
    public func plan(window: Seconds, demands: [Percent], rotation: Int = 0, carry: [Double] = []) -> Plan {
        let w = window.value
        let n = heaters.count
        var wanted = (0..<n).map { i in min(1, max(0, (i < demands.count ? demands[i].value : 0) / 100)) * w }
        // Round each request to a pulse its SSR can do, carrying the difference (as
        // `TimeProportionedOutput` does); zero demand forgives what is owed.
        var nextCarry = Array(repeating: 0.0, count: n)
        for i in 0..<n where wanted[i] > 0 {
            let owed = max(0, min(w, wanted[i] + (i < carry.count ? carry[i] : 0)))
            var on = owed
            let minOn = heaters[i].minimumOn.value, minOff = heaters[i].minimumOff.value
            if on > 0, on < minOn {
                on = on >= minOn / 2 ? minOn : 0
            } else if on < w, w - on < minOff {
                on = w - on <= minOff / 2 ? w : w - minOff
            }
            on = min(on, w)
            nextCarry[i] = max(-w, min(w, owed - on))
            wanted[i] = on
        }
        // A heater that alone exceeds the limit can never run.
        for i in 0..<n where heaters[i].power.value > limit.value + 1e-9 { wanted[i] = 0 }
        let energy = (0..<n).reduce(0.0) { $0 + heaters[$1].power.value * wanted[$1] }
        var limited = false
        if energy > limit.value * w + 1e-9 {
            let f = limit.value * w / energy
            for i in 0..<n { wanted[i] *= f }
            limited = true
        }
        // The timeline as segments of constant load: boundaries and the load in each.
        var cuts: [Double] = [0, w]
        var loads: [Double] = [0]
        var intervals = Array(repeating: [ClosedRange<Double>](), count: n)
        var realised = Array(repeating: Percent.off, count: n)
        for k in 0..<n {
            let i = n > 0 ? (k + (rotation % n + n) % n) % n : 0
            var left = wanted[i]
            guard left > 1e-9 else { continue }
            let p = heaters[i].power.value
            var s = 0
            while s < loads.count, left > 1e-9 {
                if loads[s] + p <= limit.value + 1e-9 {
                    let a = cuts[s], b = min(cuts[s + 1], a + left)
                    if b < cuts[s + 1] {   // split the segment at b
                        cuts.insert(b, at: s + 1)
                        loads.insert(loads[s], at: s + 1)
                    }
                    loads[s] += p
                    left -= b - a
                    if let last = intervals[i].last, abs(last.upperBound - a) < 1e-12 {
                        intervals[i][intervals[i].count - 1] = last.lowerBound...b
                    } else {
                        intervals[i].append(a...b)
                    }
                }
                s += 1
            }
            if left > 1e-9 { limited = true }
            realised[i] = Percent((wanted[i] - max(0, left)) / w * 100)
        }
        // The layout may have cut a heater's time into stretches its SSR cannot do.
        for i in 0..<n where heaters[i].minimumOn.value > 0 || heaters[i].minimumOff.value > 0 {
            var kept: [ClosedRange<Double>] = []
            for r in intervals[i] {
                if let last = kept.last, r.lowerBound - last.upperBound < heaters[i].minimumOff.value - 1e-9 {
                    // Too short a rest between two stretches: keep the longer one.
                    if r.upperBound - r.lowerBound > last.upperBound - last.lowerBound { kept[kept.count - 1] = r }
                    continue
                }
                kept.append(r)
            }
            kept.removeAll { $0.upperBound - $0.lowerBound < heaters[i].minimumOn.value - 1e-9 }
            let total = kept.reduce(0) { $0 + $1.upperBound - $1.lowerBound }
            if total + 1e-9 < realised[i].value / 100 * w { limited = true }
            intervals[i] = kept
            realised[i] = Percent(total / w * 100)
        }
        return Plan(window: window, intervals: intervals, realised: realised, limited: limited, carry: nextCarry)
    }
}
