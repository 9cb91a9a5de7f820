import BrewCore

/// Judges one probe's good-quality readings beyond what a single reading can show (missing,
/// stale, out of range and bus faults are judged by `TemperatureReading.problem`):
///
/// - *Rate limit*: a reading further from the last accepted one than the contents could move
///   (`max(rateFloor, rateFactor × the vessel's full-power heating rate)` × Δt + `jumpAllowance`)
///   is rejected once; if the next reading agrees with it, it was real and is accepted.
/// - *Stuck*: the very same raw value for at least `stuckTime` while the element delivered at
///   least `stuckDuty` and should have moved it by `stuckExpectedRise` — a frozen converter or a
///   driver returning a cached value. Not judged near the boiling point (a boil is flat). Stuck
///   stays stuck until the value changes.
///
/// Pure; the caller turns the heater off on `.stuck` and carries on with the last accepted
/// reading on `.rejected`.
public struct SensorHealth: Sendable {
    public struct Settings: Hashable, Sendable {
        public var rateFloor = 5.0
        public var rateFactor = 3.0
        public var jumpAllowance = Kelvin(0.5)
        public var stuckTime = Seconds(60)
        public var stuckDuty = Percent(50)
        public var stuckExpectedRise = Kelvin(0.5)
        public var boilMargin = Kelvin(1.0)
        public init() {}
    }

    public enum Verdict: Hashable, Sendable {
        case accepted
        /// An implausible jump, ignored this once; the text says what was seen.
        case rejected(String)
        case stuck(String)
    }

    public let settings: Settings
    private var last: (at: Double, value: Double)?
    private var pending: (at: Double, value: Double)?
    private var sameSince: Double?
    private var sameValue: Double?
    private var expectedSinceSame = 0.0
    private var onSinceSame = 0.0
    private var isStuck = false
    private var stuckText = ""
    private var expectChangeUntil: Double?

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// Liquid is arriving at the probe (a transfer into the vessel, a fill): any jump until
    /// `until` is real — a dry probe meeting hot wort moves faster than any heater could.
    public mutating func expectChange(until: Instant) { expectChangeUntil = until.seconds }

    /// Forget everything (a new batch, a long gap).
    public mutating func reset() { self = SensorHealth(settings: settings) }

    /// One good-quality reading. `duty` is the element's real duty (0–1) since the previous
    /// reading; `heatingRate` the full-power rate of the vessel as it is now, K/s.
    public mutating func judge(_ value: Celsius, at now: Instant, duty: Double, heatingRate: Double, boilingPoint: Celsius) -> Verdict {
        let t = now.seconds, y = value.value
        let rate = max(settings.rateFloor, settings.rateFactor * heatingRate)
        func plausible(from p: (at: Double, value: Double)) -> Bool {
            abs(y - p.value) <= settings.jumpAllowance.value + rate * max(0, t - p.at)
        }
        let expected = expectChangeUntil.map { t <= $0 } ?? false
        if let p = last, !expected, !plausible(from: p) {
            if let q = pending, plausible(from: q) {
                pending = nil   // two readings agree: the jump was real
            } else {
                pending = (t, y)
                return .rejected("jumped from \(Celsius(p.value)) to \(value) in \(Format.duration(Seconds(t - p.at))) "
                                 + "(more than \(Format.fixed(rate, 1)) K/s is not plausible) — reading ignored")
            }
        } else {
            pending = nil
        }

        // Stuck: the same raw value, while the heater should have moved it.
        let dt = last.map { max(0, t - $0.at) } ?? 0
        last = (t, y)
        if y == sameValue, let since = sameSince {
            expectedSinceSame += heatingRate * min(1, max(0, duty)) * dt
            onSinceSame += min(1, max(0, duty)) * dt
            if isStuck { return .stuck(stuckText) }
            let span = t - since
            if span >= settings.stuckTime.value, onSinceSame / span * 100 >= settings.stuckDuty.value,
               expectedSinceSame >= settings.stuckExpectedRise.value, y < boilingPoint.value - settings.boilMargin.value {
                isStuck = true
                stuckText = stuckMessage(y, since: since, t: t)   // one text per episode: one alarm
                return .stuck(stuckText)
            }
        } else {
            sameValue = y
            sameSince = t
            expectedSinceSame = 0
            onSinceSame = 0
            isStuck = false
        }
        return .accepted
    }

    private func stuckMessage(_ y: Double, since: Double, t: Double) -> String {
        "stuck at exactly \(Celsius(y)) for \(Format.duration(Seconds(t - since))) while heating should have moved it ≈ "
            + "\(Format.fixed(expectedSinceSame, 1)) K — probe or converter frozen?"
    }
}

extension SensorHealth {
    /// The checks' memory (instants as brew time, s after `origin`), for a seamless resume: the
    /// last accepted reading and a pending jump, and how long the value has been the same.
    public struct Snapshot: Hashable, Sendable, Codable {
        public var lastAt: Double?
        public var lastValue: Double?
        public var pendingAt: Double?
        public var pendingValue: Double?
        public var sameSince: Double?
        public var sameValue: Double?
        public var expectedSinceSame: Double
        public var onSinceSame: Double
        public var isStuck: Bool
        public var stuckText: String
        public var expectChangeUntil: Double?
    }

    public func snapshot(origin: Instant) -> Snapshot {
        func bt(_ t: Double?) -> Double? { t.map { $0 - origin.seconds } }
        return Snapshot(lastAt: bt(last?.at), lastValue: last?.value, pendingAt: bt(pending?.at), pendingValue: pending?.value,
                        sameSince: bt(sameSince), sameValue: sameValue, expectedSinceSame: expectedSinceSame, onSinceSame: onSinceSame,
                        isStuck: isStuck, stuckText: stuckText, expectChangeUntil: bt(expectChangeUntil))
    }

    public mutating func restore(_ s: Snapshot, origin: Instant) {
        func at(_ t: Double?) -> Double? { t.map { origin.seconds + $0 } }
        last = nil
        pending = nil
        if let t = at(s.lastAt), let v = s.lastValue { last = (t, v) }
        if let t = at(s.pendingAt), let v = s.pendingValue { pending = (t, v) }
        sameSince = at(s.sameSince)
        sameValue = s.sameValue
        expectedSinceSame = s.expectedSinceSame
        onSinceSame = s.onSinceSame
        isStuck = s.isStuck
        stuckText = s.stuckText
        expectChangeUntil = at(s.expectChangeUntil)
    }
}
