import BrewCore

/// Thermal-runaway detection for one heated vessel, in the manner of Klipper's `verify_heater`,
/// but brewing-aware: the expected rise is derived from the element's power and the heat
/// capacity of what the vessel holds, not a fixed number; the boiling plateau is expected; and a
/// known disturbance (dough-in, a transfer, an addition) restarts the watch.
///
/// A pure value with no clock: it is handed each fresh sample with the time, the measured
/// temperature, the heater's real duty over the interval since the previous sample, and what the
/// vessel is being asked to do. It answers with findings that say what was expected and what
/// was seen.
///
/// - *No rise at high duty* (fault): over a window of at least `minimumWindow`, long enough
///   for the expected rise to reach `minimumExpectedRise`, the heater delivered on average at
///   least `minimumDuty`, yet the temperature rose less than `seenFraction` of the expected
///   `power·efficiency·∫duty dt / C − losses`. A dead element, a dry-fired RIMS tube, a probe
///   out of the liquid. Never within `boilMargin` of the boiling point.
/// - *Rise with the heater off* (fault): the heater has been off for at least `offWindow` and
///   the temperature rose more than `offRiseMargin` over that span — a welded SSR.
/// - *Far from the setpoint* (warning): more than `farBand` from the setpoint for longer than
///   the time the element should need to close the gap × `farFactor` + `farMargin`.
///
/// The probe's response (`probeDelay`: its dead time plus its lag, e.g. a thermowell's) is
/// allowed for in all three: heat is only expected to show `probeDelay` after it went in; the
/// welded-SSR check ignores the first 2 × `probeDelay` after switch-off, while the probe catches
/// up with a rise that happened while the element was on; and after a disturbance the watch
/// waits 3 × `probeDelay` longer, while a slow probe still settles on the new contents.
public struct HeaterWatch: Sendable {
    public struct Settings: Hashable, Sendable {
        /// The shortest window the no-rise check judges over (Klipper's `check_gain_time`).
        public var minimumWindow = Seconds(120)
        /// How far back the watch remembers; a rise that needs longer to show is not judged.
        public var maximumWindow = Seconds.minutes(20)
        /// The expected rise must be at least this much before a shortfall means anything
        /// (probe noise is ~0.03 K, the MCP9808 quantises to 0.0625 K; lag hides a few tenths).
        public var minimumExpectedRise = Kelvin(1.5)
        /// Judged only while the heater delivered at least this much on average, %.
        public var minimumDuty = Percent(50)
        /// A fault when the seen rise is below this share of the expected one.
        public var seenFraction = 0.35
        /// Nothing is expected to rise within this distance of the boiling point.
        public var boilMargin = Kelvin(1.0)
        /// Losses assumed when predicting a rise, W/K above ambient: generous, so a badly
        /// insulated vessel is not taken for a dead element.
        public var assumedLoss = 15.0
        /// A rise of more than `offRiseMargin` after the heater has been off for at least
        /// `offWindow` is a welded SSR.
        public var offWindow = Seconds(120)
        public var offRiseMargin = Kelvin(2.0)
        /// After a disturbance (dough-in, a transfer, an addition) the watch waits this long
        /// for the contents to mix before it starts a new window.
        public var settleAfterDisturbance = Seconds(120)
        /// Far-from-setpoint warning: band, and slack on the expected time to get there.
        public var farBand = Kelvin(5)
        public var farFactor = 1.5
        public var farMargin = Seconds.minutes(10)
        public init() {}
    }

    /// What the vessel and its element are, at this sample.
    public struct Context: Hashable, Sendable {
        public var name: String
        /// The regulated setpoint, or nil (off, chill, fixed power).
        public var setpoint: Celsius?
        /// Heat capacity of the contents and the vessel, J/K.
        public var heatCapacity: Double
        /// Liquid in the vessel, for the message.
        public var volume: Litres?
        public var power: Watts
        public var efficiency: Double
        public var maximumDuty: Percent
        public var ambient: Celsius
        public var boilingPoint: Celsius
        public init(name: String, setpoint: Celsius?, heatCapacity: Double, volume: Litres?, power: Watts, efficiency: Double = 1,
                    maximumDuty: Percent = .full, ambient: Celsius, boilingPoint: Celsius) {
            self.name = name
            self.setpoint = setpoint
            self.heatCapacity = heatCapacity
            self.volume = volume
            self.power = power
            self.efficiency = efficiency
            self.maximumDuty = maximumDuty
            self.ambient = ambient
            self.boilingPoint = boilingPoint
        }
        /// Full-power heating rate, K/s, before losses.
        public var heatingRate: Double { power.value * efficiency / max(1, heatCapacity) }
    }

    public struct Finding: Hashable, Sendable, CustomStringConvertible {
        public enum Kind: String, Hashable, Sendable {
            case noRise = "no-rise"
            case riseWhileOff = "rise-while-off"
            case farFromSetpoint = "far-from-setpoint"
        }
        public var kind: Kind
        public var message: String
        /// Faults turn the heater off; warnings only tell the brewer.
        public var isFault: Bool { kind != .farFromSetpoint }
        public var description: String { message }
    }

    private struct Sample: Sendable {
        var at: Double
        var temperature: Double
        /// Cumulative net heat predicted into the contents, J (element minus assumed losses).
        var heat: Double
        /// Cumulative seconds of full-power-equivalent heating.
        var onTime: Double
    }

    public let settings: Settings
    /// How long the probe takes to show a change of the liquid: dead time + lag, s.
    public let probeDelay: Double
    private var samples: [Sample] = []
    private var head = 0
    private var quietUntil: Double?
    private var farSince: Double?
    private var farDeadline: Double?
    private var farSetpoint: Double?
    private var farWarned = false

    public init(settings: Settings = Settings(), probeDelay: Seconds = .zero) {
        self.settings = settings
        self.probeDelay = probeDelay.value.isFinite ? min(max(0, probeDelay.value), 3600) : 0
        samples.reserveCapacity(Int(settings.maximumWindow.value + self.probeDelay) + 8)
    }

    /// Forget the history: after a gap in the readings, or a fault that was handled.
    public mutating func reset() {
        samples.removeAll(keepingCapacity: true)
        head = 0
        farSince = nil
        farDeadline = nil
        farWarned = false
    }

    /// Something changed the contents (dough-in, a transfer in or out, an addition, a lid
    /// opened): start over once it has had `settleAfterDisturbance` to mix.
    public mutating func disturbed(at now: Instant) {
        reset()
        quietUntil = now.seconds + settlingTime.value
    }

    /// How long after a disturbance readings are left to settle: the mixing, and three times the
    /// probe's response while a slow probe catches up with the new contents.
    public var settlingTime: Seconds { settings.settleAfterDisturbance + Seconds(3 * probeDelay) }

    /// One fresh sample. `duty` is the share (0–1) of the interval since the previous sample
    /// during which the element was really switched on.
    public mutating func sample(at now: Instant, temperature: Celsius, duty: Double, context c: Context) -> [Finding] {
        let t = now.seconds, y = temperature.value
        guard y.isFinite, c.heatCapacity > 0 else { return [] }
        if let q = quietUntil {
            if t < q { return [] }
            quietUntil = nil
        }
        let d = min(1, max(0, duty))
        var heat = 0.0, onTime = 0.0
        if let last = samples.last {
            let dt = max(0, t - last.at)
            let loss = settings.assumedLoss * max(0, (last.temperature + y) / 2 - c.ambient.value)
            heat = last.heat + (c.power.value * c.efficiency * d - loss) * dt
            onTime = last.onTime + d * dt
        }
        samples.append(Sample(at: t, temperature: y, heat: heat, onTime: onTime))
        while head < samples.count, t - samples[head].at > settings.maximumWindow.value + probeDelay { head += 1 }
        if head > 512 {
            samples.removeFirst(head)
            head = 0
        }
        var findings: [Finding] = []
        if let f = checkNoRise(c) { findings.append(f) }
        if let f = checkRiseWhileOff(c) { findings.append(f) }
        if let f = checkFar(t: t, y: y, c) { findings.append(f) }
        if findings.contains(where: \.isFault) {
            // Reported once; the watch starts over (the caller turns the heater off).
            samples.removeAll(keepingCapacity: true)
            head = 0
        }
        return findings
    }

    private func describe(_ c: Context) -> String {
        let into = c.volume.map { "\(Format.fixed($0.value, 0)) L" } ?? "\(Format.fixed(c.heatCapacity / 1000, 0)) kJ/K"
        return "\(Watts(c.power.value * c.efficiency)) into \(into)"
    }

    /// The latest sample taken at or before `time` (within the window), for the heat that can
    /// have reached the probe by a later sample.
    private func sample(atOrBefore time: Double) -> Sample? {
        var lo = head, hi = samples.count - 1
        guard lo <= hi, samples[lo].at <= time else { return nil }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if samples[mid].at <= time { lo = mid } else { hi = mid - 1 }
        }
        return samples[lo]
    }

    private func checkNoRise(_ c: Context) -> Finding? {
        guard let now = samples.last else { return nil }
        let bp = c.boilingPoint.value - settings.boilMargin.value
        // The heat the probe can show by now went in up to `probeDelay` ago.
        guard let heatNow = probeDelay > 0 ? sample(atOrBefore: now.at - probeDelay) : now else { return nil }
        var i = samples.count - 2
        // The sample `probeDelay` before the window's start: it only moves back as the start does,
        // so one walk serves the whole scan.
        var j = i
        while i >= head {
            let s = samples[i]
            let span = now.at - s.at
            if s.temperature >= bp { return nil }   // the window reaches the boiling plateau
            if span >= settings.minimumWindow.value {
                // Heat over the same span, `probeDelay` earlier: what this span of readings shows.
                if j > i { j = i }
                while j >= head, samples[j].at > s.at - probeDelay { j -= 1 }
                guard j >= head else { return nil }
                let heatFrom = samples[j]
                let expected = (heatNow.heat - heatFrom.heat) / c.heatCapacity
                if expected >= settings.minimumExpectedRise.value {
                    let duty = (heatNow.onTime - heatFrom.onTime) / max(1e-9, heatNow.at - heatFrom.at)
                    guard duty * 100 >= settings.minimumDuty.value, now.temperature < bp else { return nil }
                    let seen = now.temperature - s.temperature
                    guard seen < settings.seenFraction * expected else { return nil }
                    return Finding(kind: .noRise, message: "\(c.name): heating at \(Format.fixed(duty * 100, 0)) % for \(Format.duration(Seconds(span))) "
                                   + "should have raised it ≈ \(Format.fixed(expected, 1)) K (\(describe(c))); it rose \(Format.fixed(seen, 1)) K"
                                   + " — element dead or dry, or the probe out of the liquid?")
                }
            }
            i -= 1
        }
        return nil
    }

    private func checkRiseWhileOff(_ c: Context) -> Finding? {
        guard let now = samples.last else { return nil }
        // The oldest sample from which the heater has been off throughout.
        var i = samples.count - 1
        while i > head, samples[i - 1].onTime == now.onTime { i -= 1 }
        // A slow probe goes on rising for a while after the element went off: judge from when it
        // has caught up.
        let caughtUp = samples[i].at + 2 * probeDelay
        while i < samples.count - 1, samples[i].at < caughtUp { i += 1 }
        let start = samples[i]
        let span = now.at - start.at
        guard span >= settings.offWindow.value else { return nil }
        var low = start.temperature
        for k in i...(samples.count - 1) { low = min(low, samples[k].temperature) }
        let rise = now.temperature - low
        guard rise > settings.offRiseMargin.value else { return nil }
        return Finding(kind: .riseWhileOff, message: "\(c.name): the heater has been off for \(Format.duration(Seconds(span))) and should not have warmed it; "
                       + "it rose \(Format.fixed(rise, 1)) K (to \(Celsius(now.temperature))) — welded SSR or contactor? heater off, check the element's supply")
    }

    private mutating func checkFar(t: Double, y: Double, _ c: Context) -> Finding? {
        guard let sp = c.setpoint?.value else {
            farSince = nil
            farWarned = false
            return nil
        }
        let gap = sp - y
        guard abs(gap) > settings.farBand.value else {
            farSince = nil
            farWarned = false
            return nil
        }
        if let since = farSince, let old = farSetpoint, abs(old - sp) <= settings.farBand.value {
            _ = since
        } else {
            farSince = t
            farSetpoint = sp
            farWarned = false
            let expected: Double
            if gap > 0 {
                let rate = c.heatingRate * c.maximumDuty.value / 100 - settings.assumedLoss * max(0, sp - c.ambient.value) / c.heatCapacity
                expected = rate > 1e-6 ? gap / rate : .infinity
            } else {
                // Above the setpoint the heater can only wait for the vessel to lose heat.
                let rate = settings.assumedLoss * max(0.1, y - c.ambient.value) / c.heatCapacity
                expected = -gap / rate
            }
            farDeadline = expected.isFinite ? t + expected * settings.farFactor + settings.farMargin.value : nil
        }
        guard !farWarned, let deadline = farDeadline, let since = farSince, t >= deadline else { return nil }
        farWarned = true
        let allowed = deadline - since
        let direction = gap > 0 ? "below" : "above"
        return Finding(kind: .farFromSetpoint, message: "\(c.name): \(Format.fixed(abs(gap), 1)) K \(direction) its setpoint of \(Celsius(sp)) "
                       + "for \(Format.duration(Seconds(t - since))); with \(describe(c)) it should have got there within \(Format.duration(Seconds(allowed)))"
                       + " — check the element, the lid and the probe")
    }
}
