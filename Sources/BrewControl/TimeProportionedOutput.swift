import BrewCore

/// Turns a 0–100 % demand into SSR on/off over a fixed window ("time-proportioning"), with
/// minimum on and off times so a contactor or a zero-cross SSR is not chattered, and a maximum
/// duty to cap an element's power.
///
/// Decisions are taken at each window start. Pulses too short to honour the minimum on/off
/// times are not lost: the energy is carried into later windows (first-order sigma–delta), so
/// 3 % on a 2 s window with a 0.5 s minimum still averages 3 %.
public struct TimeProportionedOutput: Sendable {
    public let window: Seconds
    public let minimumOn: Seconds
    public let minimumOff: Seconds
    public let maximumDuty: Percent

    /// Windows are numbered from `origin`, so ticks that do not divide the window evenly (or
    /// arrive late) never stretch or skip one.
    private var origin: Instant?
    private var windowIndex = 0
    private var onTime: Double = 0
    /// Energy owed (s of full power) going into the current window, and what was really
    /// delivered in it: ticks quantise the pulse, and the difference is carried, not lost.
    private var owed: Double = 0
    private var delivered: Double = 0
    private var carry: Double = 0
    private var lastTick: Instant?
    /// Carry restored from a snapshot, applied to the first window after a resume.
    private var pendingCarry: Double = 0
    /// Duty of the current window as actually scheduled (after limits and carry).
    public private(set) var appliedDuty = Percent.off
    public private(set) var isOn = false

    public init(window: Seconds, minimumOn: Seconds = .zero, minimumOff: Seconds = .zero, maximumDuty: Percent = .full) {
        self.window = Seconds(max(0.001, window.value))
        self.minimumOn = Seconds(min(max(0, minimumOn.value), self.window.value))
        self.minimumOff = Seconds(min(max(0, minimumOff.value), self.window.value))
        self.maximumDuty = maximumDuty
    }

    /// Call every tick; returns whether the SSR should conduct now.
    public mutating func update(at now: Instant, demand: Percent) -> Bool {
        let w = window.value
        // A tiny epsilon keeps tick times like 0.30000000000000004 in the window they belong to.
        let epsilon = 1e-9 * max(1, abs(now.seconds))
        if isOn, let last = lastTick, now > last { delivered += now.seconds - last.seconds }
        lastTick = now
        if let o = origin, now >= o {
            let index = Int(((now.seconds - o.seconds) + epsilon) / w)
            if index != windowIndex {
                windowIndex = index
                carry = max(-w, min(w, owed - delivered))
                planWindow(demand: demand)
            }
        } else {
            origin = now
            windowIndex = 0
            carry = pendingCarry
            pendingCarry = 0
            planWindow(demand: demand)
        }
        let phase = now.seconds - origin!.seconds - Double(windowIndex) * w
        isOn = phase + epsilon < onTime
        return isOn
    }

    private mutating func planWindow(demand: Percent) {
        let w = window.value
        let cap = min(w, maximumDuty.value / 100 * w)
        let wanted = min(demand.value, maximumDuty.value) / 100 * w
        guard wanted > 0 else {
            // Zero demand means off, and forgives any energy still owed.
            carry = 0
            owed = 0
            delivered = 0
            onTime = 0
            appliedDuty = .off
            return
        }
        var on = max(0, wanted + carry)
        if on < minimumOn.value {
            // Too short a pulse: round to the nearest one the SSR can do; the rest is carried.
            on = on >= minimumOn.value / 2 ? minimumOn.value : 0
        } else if on < w, w - on < minimumOff.value {
            on = w - on <= minimumOff.value / 2 ? w : w - minimumOff.value
        }
        on = min(on, cap)
        owed = wanted + carry
        delivered = 0
        onTime = on
        appliedDuty = Percent(on / w * 100)
    }

    /// Off now, whatever the window: for faults, aborts and leaving heater control.
    public mutating func forceOff(at now: Instant) {
        origin = nil
        lastTick = nil
        onTime = 0
        owed = 0
        delivered = 0
        carry = 0
        isOn = false
        appliedDuty = .off
    }
}

extension TimeProportionedOutput {
    /// What the output owes (the sigma–delta carry) for resuming a batch, and the window in
    /// progress. After a gap the window restarts at the resume (a new origin), so only the energy
    /// debt is kept and the SSR starts off; a seamless resume (the simulated brewery, stopped with
    /// the controller) continues the window exactly where it was.
    public struct Snapshot: Hashable, Sendable, Codable {
        public var carry: Double
        /// The window in progress (nil when the output was off, and in snapshots from before it was kept).
        public var window: Window?
    }

    /// The current window's schedule and accounting; instants as brew time (s after `origin`).
    public struct Window: Hashable, Sendable, Codable {
        public var origin: Double
        public var index: Int
        public var onTime: Double
        public var owed: Double
        public var delivered: Double
        public var carry: Double
        public var lastTick: Double?
        public var appliedDuty: Double
        public var isOn: Bool
    }

    public func snapshot(origin zero: Instant = .zero) -> Snapshot {
        let w = origin.map {
            Window(origin: $0.seconds - zero.seconds, index: windowIndex, onTime: onTime, owed: owed, delivered: delivered, carry: carry,
                   lastTick: lastTick.map { $0.seconds - zero.seconds }, appliedDuty: appliedDuty.value, isOn: isOn)
        }
        return Snapshot(carry: max(-window.value, min(window.value, owed - delivered)), window: w)
    }

    /// `continuing`: take up the saved window as it was (seamless resume); otherwise start off,
    /// with the carry applied to the first window.
    public mutating func restore(_ s: Snapshot, origin zero: Instant = .zero, continuing: Bool = false) {
        forceOff(at: .zero)
        guard continuing, let w = s.window else {
            pendingCarry = s.carry
            return
        }
        origin = zero + Seconds(w.origin)
        windowIndex = w.index
        onTime = w.onTime
        owed = w.owed
        delivered = w.delivered
        carry = w.carry
        lastTick = w.lastTick.map { zero + Seconds($0) }
        appliedDuty = Percent(w.appliedDuty)
        isOn = w.isOn
    }
}
