import BrewCore
import BrewHAL

/// Flow rate and volume from a pulse-output flow meter (Hall-effect turbine, oval gear, reed),
/// computed from kernel edge timestamps. Pure logic: feed it rising-edge times (monotonic
/// nanoseconds) with `record`, or drain an `EdgeEventSource` with `consume`; ask it for the rate
/// at any instant.
///
/// - Volume: pulses / K-factor (pulses per litre), counting every accepted pulse.
/// - Rate: over a sliding `window` ending at `now`: with n ≥ 2 pulses in the window, (n − 1)
///   intervals over the time from the first to the last, but never more than one pulse per
///   `now − last pulse` — so when the pulses stop the rate decays like 1/t instead of holding its
///   last value, and reaches 0 when the last pulse leaves the window. One pulse in the window
///   counts as one pulse per window (a trickle, or flow just starting).
/// - Glitches: a pulse closer than `minimumInterval` to the previous one is contact bounce or
///   noise and is dropped (counted in `rejectedGlitches`); a timestamp earlier than the previous
///   pulse is dropped (counted in `rejectedOutOfOrder`).
///
/// Timestamps live in a ring buffer sized at creation; nothing allocates per pulse.
public struct PulseFlowMeter: Sendable {
    public let pulsesPerLitre: Double
    public let window: UInt64
    public let minimumInterval: UInt64

    public private(set) var totalPulses: UInt64 = 0
    public private(set) var rejectedGlitches = 0
    public private(set) var rejectedOutOfOrder = 0
    public private(set) var lastPulse: UInt64?

    private var ring: [UInt64]
    private var head = 0       // index of the oldest retained timestamp
    private var count = 0

    /// `window` and `minimumInterval` in seconds; `capacity` bounds the pulses remembered for the
    /// rate (the oldest are forgotten first, which only shortens the effective window).
    public init(pulsesPerLitre: Double, window: Seconds = Seconds(2), minimumInterval: Seconds = Seconds(0.0005), capacity: Int = 4096) {
        precondition(pulsesPerLitre > 0, "K-factor must be positive")
        precondition(window.value > 0 && capacity >= 2)
        self.pulsesPerLitre = pulsesPerLitre
        self.window = UInt64(window.value * 1e9)
        self.minimumInterval = UInt64(max(0, minimumInterval.value) * 1e9)
        self.ring = Array(repeating: 0, count: capacity)
    }

    public var volume: Litres { Litres(Double(totalPulses) / pulsesPerLitre) }

    /// One rising edge at `timestamp` ns.
    public mutating func record(pulseAt timestamp: UInt64) {
        if let last = lastPulse {
            if timestamp < last { rejectedOutOfOrder += 1; return }
            if timestamp - last < minimumInterval { rejectedGlitches += 1; return }
        }
        lastPulse = timestamp
        totalPulses += 1
        if count == ring.count {
            ring[head] = timestamp
            head = (head + 1) % ring.count
        } else {
            ring[(head + count) % ring.count] = timestamp
            count += 1
        }
    }

    /// Counts the rising edges among `events` (falling edges are ignored).
    public mutating func consume(_ events: [EdgeEvent]) {
        for e in events where e.kind == .rising { record(pulseAt: e.timestamp) }
    }

    /// Drains an edge source (at most `max` events per call) into the meter.
    public mutating func drain(_ source: any EdgeEventSource, buffer: inout [EdgeEvent], max: Int = 256) throws(BusError) {
        buffer.removeAll(keepingCapacity: true)
        _ = try source.readEdgeEvents(into: &buffer, max: max)
        consume(buffer)
    }

    /// Litres per minute at `now` ns.
    public func rate(at now: UInt64) -> Double {
        guard let last = lastPulse, now >= last, now - last < window else { return 0 }
        let start = now >= window ? now - window : 0
        // Oldest retained pulse inside the window, and how many there are.
        var n = 0
        var first: UInt64 = last
        for i in 0..<count {
            let t = ring[(head + i) % ring.count]
            if t > start && t <= now {
                if n == 0 { first = t }
                n += 1
            }
        }
        let windowSeconds = Double(window) / 1e9
        var pulsesPerSecond: Double
        if n >= 2 && last > first {
            pulsesPerSecond = Double(n - 1) / (Double(last - first) / 1e9)
        } else {
            pulsesPerSecond = 1 / windowSeconds
        }
        if now > last {
            pulsesPerSecond = min(pulsesPerSecond, 1 / (Double(now - last) / 1e9))
        }
        return pulsesPerSecond / pulsesPerLitre * 60
    }
}
