import BrewCore

/// Notices a step that cannot make progress: the temperature it waits for has not come closer
/// by `minimumProgress` for a whole window — the target is beyond what the rig can do, or the
/// output that would get it there is held off (an interlock, a latch, a dead pump). A step whose
/// timer runs, or that waits for a person, is making progress by definition; a rise while the
/// vessel's element was off all along (a cold fill warming to the room) is not. Pure: it is handed
/// the time (docs/safety.md, "A step that makes no progress").
///
/// The window is `window` (20 min), longer for a slow plant: the time the vessel's full power
/// needs to move its contents by `plantFactor` × `minimumProgress` (a heating belt on a
/// fermenter gets hours), and `passiveFactor` times longer where only the vessel's losses to the
/// room can cool it (a rest below the temperature it is at). Never longer than `longestWindow`.
public struct ProgressWatch: Sendable {
    public struct Settings: Hashable, Sendable {
        public var minimumProgress = Kelvin(0.25)
        public var window = Seconds.minutes(20)
        public var plantFactor = 4.0
        public var passiveFactor = 3.0
        public var longestWindow = Seconds.hours(6)
        /// The status line stops showing time left once this long has passed without progress.
        public var showAfter = Seconds.minutes(5)
        public init() {}
    }

    /// What was found: the step, its vessel and target, and since when nothing came closer.
    public struct Stall: Hashable, Sendable {
        public var step: Int
        public var vessel: Int
        public var target: Celsius
        public var rising: Bool
        public var chilling: Bool
        public var since: Instant
        public var window: Seconds
        /// The share of the window the heater was on (0–1), and wanted on but held off at the output.
        public var heaterDuty: Double
        public var heldShare: Double
    }

    private struct Watching: Sendable {
        var step: Int
        var vessel: Int
        var target: Celsius
        var rising: Bool
        var chilling: Bool
        var window: Seconds
        /// When the temperature last came closer (or the watch started).
        var since: Instant
        /// The closest it has come, K still to go.
        var closest: Double?
        var onSeconds = 0.0
        var heldSeconds = 0.0
        var lastObserved: Instant
    }

    public let settings: Settings
    /// Where a step counts as there: within this of its target (the engine's reach tolerance).
    public let doneWithin: Kelvin
    private var watching: Watching?
    /// The stall found and not yet acknowledged.
    public private(set) var stalled: Stall?
    private var restartPending = false
    /// Per vessel: until when its readings are still settling after liquid went in or out (the
    /// probe falls from the room's temperature to a cold fill's): no progress is judged on them.
    private var settlingUntil: [Int: Instant] = [:]

    public init(settings: Settings = Settings(), doneWithin: Kelvin = Kelvin(0.3)) {
        self.settings = settings
        self.doneWithin = doneWithin
    }

    /// Looks at one tick. `heatingRate` is the vessel's full-power rate at this step (K/s);
    /// `heaterOn` what its heater really did since the last tick, `held` whether it was wanted on
    /// but held off at the output; `paused` true while a person holds every heater off. Returns a
    /// stall the first time one is found.
    public mutating func observe(step: Int, awaiting: StepEngine.Awaiting, temperatures: [Celsius?], heatingRate: Double,
                                 heaterOn: Bool, held: Bool, paused: Bool, at now: Instant) -> Stall? {
        guard !paused, case .temperature(let v, let target, let rising, let chilling) = awaiting else {
            // A timer runs, a person is asked, or a person holds the heat: nothing to watch.
            watching = nil
            return nil
        }
        if let until = settlingUntil[v] {
            guard now >= until else {
                // A fill moves the reading away from the target by itself: the window starts
                // once the probe has settled on the new contents.
                watching = nil
                return nil
            }
            settlingUntil[v] = nil
        }
        let t = v < temperatures.count ? temperatures[v] : nil
        if restartPending || watching.map({ $0.step != step || $0.vessel != v || $0.target != target || $0.rising != rising }) ?? true {
            restartPending = false
            watching = Watching(step: step, vessel: v, target: target, rising: rising, chilling: chilling,
                                window: window(rate: heatingRate, rising: rising, chilling: chilling), since: now, closest: nil, lastObserved: now)
        }
        guard var w = watching else { return nil }
        let dt = max(0, now.seconds - w.lastObserved.seconds)
        w.lastObserved = now
        if heaterOn { w.onSeconds += dt }
        if held { w.heldSeconds += dt }
        if let t {
            let toGo = rising ? target.value - t.value : t.value - target.value
            let doneAt = chilling ? 0 : doneWithin.value
            if w.closest == nil { w.closest = toGo }
            if let closest = w.closest {
                // Never more than the step still needs: the last fraction of a kelvin counts too.
                let needed = max(0.05, min(settings.minimumProgress.value, closest - doneAt))
                // A cold vessel warms towards the room by itself: with its element held off
                // all along, that is not progress — only a rise the element took part in is.
                let heated = !rising || heatingRate <= 0 || w.onSeconds > 0
                if toGo <= doneAt || (toGo <= closest - needed && heated) {
                    w.closest = toGo
                    w.since = now
                    w.onSeconds = 0
                    w.heldSeconds = 0
                }
            }
        }
        watching = w
        let span = now - w.since
        guard stalled == nil, span >= w.window else { return nil }
        let total = max(1e-9, span.value)
        let stall = Stall(step: step, vessel: v, target: target, rising: rising, chilling: chilling, since: w.since, window: w.window,
                          heaterDuty: min(1, w.onSeconds / total), heldShare: min(1, w.heldSeconds / total))
        stalled = stall
        return stall
    }

    /// How long the watched step has gone without coming closer (nil when nothing is watched).
    public func withoutProgress(at now: Instant) -> Seconds? {
        watching.map { now - $0.since }
    }

    /// Liquid or grain went into or out of vessel `v` (or the controller resumed and cannot know
    /// whether it just did): its readings are not judged until `until`, and the window starts then.
    public mutating func disturbed(vessel v: Int, until: Instant) {
        settlingUntil[v] = max(until, settlingUntil[v] ?? until)
    }

    /// Someone has looked (the stall's alarm was acknowledged): the window starts again.
    public mutating func restart() {
        stalled = nil
        restartPending = true
    }

    /// The window for a vessel whose full power moves it `rate` K/s (0: unknown or no heater).
    func window(rate: Double, rising: Bool, chilling: Bool) -> Seconds {
        var w = settings.window.value
        if rising {
            w = max(w, rate > 0 ? settings.plantFactor * settings.minimumProgress.value / rate : settings.longestWindow.value)
        } else if !chilling {
            w *= settings.passiveFactor
        }
        return Seconds(min(w, settings.longestWindow.value))
    }
}
