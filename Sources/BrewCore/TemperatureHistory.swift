/// A fixed-size record of one vessel's temperature at one-second spacing, for questions like
/// "how much did it rise in the last 30 s?". Allocated once; recording never allocates.
public struct TemperatureHistory: Sendable {
    private var values: [Double]
    private var head = -1
    private var count = 0
    private var lastTime = -Double.infinity
    public let spacing: Double

    public init(capacity: Int = 241, spacing: Seconds = Seconds(1)) {
        values = Array(repeating: .nan, count: max(2, capacity))
        self.spacing = spacing.value
    }

    /// Records `value` if at least `spacing` has passed since the last record; returns whether it did.
    @discardableResult
    public mutating func record(_ value: Celsius, at now: Instant) -> Bool {
        guard now.seconds - lastTime >= spacing - 1e-9 else { return false }
        lastTime = now.seconds
        head = (head + 1) % values.count
        values[head] = value.value
        count = min(count + 1, values.count)
        return true
    }

    public mutating func reset() {
        head = -1
        count = 0
        lastTime = -.infinity
    }

    /// How much the temperature rose over the last `window` (nil until that much history exists).
    public func rise(over window: Seconds) -> Kelvin? {
        let back = Int((window.value / spacing).rounded())
        guard back > 0, back < count else { return nil }
        let then = values[(head - back + values.count) % values.count]
        return Kelvin(values[head] - then)
    }

    /// The smallest value over the last `window`, to tell a plateau from noise.
    public func minimum(over window: Seconds) -> Celsius? {
        let back = Int((window.value / spacing).rounded())
        guard back > 0, back < count else { return nil }
        var lowest = Double.infinity
        for k in 0...back { lowest = min(lowest, values[(head - k + values.count) % values.count]) }
        return Celsius(lowest)
    }
}

extension TemperatureHistory {
    /// The recorded values, oldest first, and when the last was recorded — what a resumed boil
    /// detection needs to go on without waiting for its stable window again.
    public struct Snapshot: Hashable, Sendable, Codable {
        public var values: [Double]
        /// Time of the last record, s after `origin` (nil: nothing recorded yet).
        public var lastTime: Double?
        public init(values: [Double], lastTime: Double?) {
            self.values = values
            self.lastTime = lastTime
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// `origin`: the instant times are counted from (brew time zero, so a resumed run on another
    /// clock can place them again).
    public func snapshot(origin: Instant = .zero) -> Snapshot {
        let n = values.count
        let ordered = (0..<count).map { values[(head - count + 1 + $0 + n) % n] }
        return Snapshot(values: ordered, lastTime: count > 0 ? lastTime - origin.seconds : nil)
    }

    /// Replaces the history with a snapshot's (its newest values if it holds more than fit).
    public mutating func restore(_ s: Snapshot, origin: Instant = .zero) {
        reset()
        let kept = s.values.suffix(values.count)
        for (i, v) in kept.enumerated() { values[i] = v }
        count = kept.count
        head = count - 1
        if count > 0, let t = s.lastTime { lastTime = origin.seconds + t }
    }
}
