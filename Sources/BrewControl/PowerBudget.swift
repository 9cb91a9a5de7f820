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
/// Pure: the caller asks `isOn(heater, at: phase)` each tick.
public struct PowerBudget: Sendable {
    public struct Heater: Hashable, Sendable {
        public var power: Watts
        public init(power: Watts) { self.power = power }
    }

    /// One window's schedule: for each heater, its on-intervals (seconds from the window start).
    public struct Plan: Hashable, Sendable {
        public var window: Seconds
        public var intervals: [[ClosedRange<Double>]]
        /// What each heater really gets, % of the window.
        public var realised: [Percent]
        /// True when some request was cut to fit the limit.
        public var limited: Bool

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
    /// is placed first (pass the window number).
    public func plan(window: Seconds, demands: [Percent], rotation: Int = 0) -> Plan {
        let w = window.value
        let n = heaters.count
        var wanted = (0..<n).map { i in min(1, max(0, (i < demands.count ? demands[i].value : 0) / 100)) * w }
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
        return Plan(window: window, intervals: intervals, realised: realised, limited: limited)
    }
}
