import BrewCore

/// What each vessel's heater really did between two samples — after interlocks, latched faults
/// and the power budget, as the backend switched it — for the log's heater channels. The
/// controller's demand is logged beside it (`<vessel>.heater.demand`): an element an interlock
/// held off for hours shows 0 % applied against 100 % demand, not 100 %.
///
/// Kept per tick: the state switched at one tick holds until the next, so each tick adds the
/// interval since the previous one at the state that was on then. Part of the resumable state,
/// so a resumed simulation logs the very same percentages.
public struct AppliedOutputs: Hashable, Sendable, Codable, BinaryCodable {
    /// Seconds each heater was on since the last sample.
    public private(set) var onTime: [Double]
    /// Seconds since the last sample.
    public private(set) var span: Double
    /// Brew time of the previous tick, and what was switched then.
    public private(set) var lastTick: Double?
    public private(set) var lastOn: [Bool]

    public init(vessels: Int) {
        onTime = Array(repeating: 0, count: vessels)
        span = 0
        lastTick = nil
        lastOn = Array(repeating: false, count: vessels)
    }

    /// The backend switched `heatersOn` at brew time `t`.
    public mutating func tick(at t: Double, heatersOn: [Bool]) {
        if let last = lastTick, t > last {
            let dt = t - last
            span += dt
            for i in onTime.indices where i < lastOn.count && lastOn[i] { onTime[i] += dt }
        }
        lastTick = t
        for i in lastOn.indices { lastOn[i] = i < heatersOn.count && heatersOn[i] }
    }

    /// Each heater's share of the time since the last sample, in %, and a new period begun.
    /// Before any interval has passed, what is switched now.
    public mutating func takeDuties() -> [Double] {
        let duties = onTime.indices.map { i in span > 0 ? min(100, 100 * onTime[i] / span) : (lastOn[i] ? 100 : 0) }
        for i in onTime.indices { onTime[i] = 0 }
        span = 0
        return duties
    }

    /// A saved one, if it fits this rig (`vessels` heaters); nil otherwise.
    public func fitting(vessels: Int) -> AppliedOutputs? {
        onTime.count == vessels && lastOn.count == vessels && span.isFinite && span >= 0
            && onTime.allSatisfy({ $0.isFinite && $0 >= 0 }) && (lastTick?.isFinite ?? true) ? self : nil
    }

    public func encode(to w: inout BinaryWriter) { w.write(onTime, span, lastTick, lastOn) }
    public init(from r: inout BinaryReader) throws {
        onTime = try r.read()
        span = try r.read()
        lastTick = try r.read()
        lastOn = try r.read()
    }
}
