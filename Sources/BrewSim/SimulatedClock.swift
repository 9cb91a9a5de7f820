import BrewCore

/// A monotonic clock for simulated chips and the drivers talking to them: time moves only when a
/// test (or the simulation) says so, so conversion times can be checked to the millisecond.
///
/// `perRead` optionally advances the clock by a fixed step every time it is read, which stands in
/// for the time bus transactions take when a driver polls a busy flag.
public final class SimulatedClock {
    public private(set) var now: Instant
    public var perRead: Seconds

    public init(_ start: Instant = .zero, perRead: Seconds = .zero) {
        self.now = start
        self.perRead = perRead
    }

    /// The current instant (then advances by `perRead`).
    public func read() -> Instant {
        let t = now
        now = now + perRead
        return t
    }

    public func advance(by step: Seconds) {
        precondition(step.value >= 0, "a monotonic clock does not go back")
        now = now + step
    }

    public func set(_ instant: Instant) {
        precondition(instant >= now, "a monotonic clock does not go back")
        now = instant
    }
}
