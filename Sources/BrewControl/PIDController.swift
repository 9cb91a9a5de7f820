import BrewCore

/// PID tuning in the units a control engineer reads: `kp` in % output per kelvin, integral and
/// derivative times in seconds (the ISA "standard" form), plus the knobs the textbook adds.
public struct PIDTuning: Hashable, Sendable {
    /// Proportional gain, % output per K of error.
    public var kp: Double
    /// Integral time; zero means no integral action.
    public var ti: Seconds
    /// Derivative time; zero means no derivative action.
    public var td: Seconds
    /// N: the derivative is low-pass filtered with time constant td/N, so sensor noise is not
    /// amplified into SSR chatter. 8–20 is usual.
    public var derivativeFilter: Double
    /// b: how much of a setpoint change reaches the proportional term at once. 1 gives the
    /// fastest heat-up; 0 makes every setpoint change fully bumpless (the integral takes it up).
    public var setpointWeight: Double
    public var outputMin: Double
    public var outputMax: Double
    /// Back-calculation (anti-windup) tracking time; nil picks one from ti and td.
    public var trackingTime: Seconds?

    public init(kp: Double, ti: Seconds, td: Seconds = .zero, derivativeFilter: Double = 10, setpointWeight: Double = 1,
                outputMin: Double = 0, outputMax: Double = 100, trackingTime: Seconds? = nil) {
        self.kp = kp
        self.ti = ti
        self.td = td
        self.derivativeFilter = derivativeFilter
        self.setpointWeight = setpointWeight
        self.outputMin = outputMin
        self.outputMax = outputMax
        self.trackingTime = trackingTime
    }

    /// Åström & Hägglund suggest Tt between Td and Ti; sqrt(Ti·Td) for PID, Ti/4 for PI, so a
    /// saturated heater unwinds quickly but the tracking does not fight the integral.
    var effectiveTrackingTime: Double {
        if let t = trackingTime, t.value > 0 { return t.value }
        if ti.value > 0, td.value > 0 { return (ti.value * td.value).squareRoot() }
        return ti.value > 0 ? ti.value / 4 : 1
    }
}

/// A positional PID with derivative on the (filtered) measurement, setpoint weighting,
/// back-calculation anti-windup, output clamping and bumpless start and retuning.
///
/// The integral is kept in output units (%), not in K·s, so that changing kp or ti never
/// makes the output jump, and so that on start it can be preset to the output already applied.
/// Non-finite measurements are ignored: the output holds and the state is not poisoned.
public struct PIDController: Sendable {
    public private(set) var tuning: PIDTuning
    public private(set) var setpoint: Double
    /// Integral term, % output.
    public private(set) var integral: Double = 0
    /// Filtered derivative term, % output.
    public private(set) var derivative: Double = 0
    /// Last computed output (clamped), %.
    public private(set) var output: Double = 0
    private var unclamped: Double = 0
    private var lastMeasurement: Double?
    private var lastTime: Instant?

    public init(tuning: PIDTuning, setpoint: Celsius = Celsius(0)) {
        self.tuning = tuning
        self.setpoint = setpoint.value
    }

    public var isStarted: Bool { lastTime != nil }

    private var proportionalGainOnSetpoint: Double { tuning.kp * tuning.setpointWeight }

    private func proportional(_ y: Double) -> Double { tuning.kp * (tuning.setpointWeight * setpoint - y) }

    private func clamp(_ v: Double) -> Double { min(tuning.outputMax, max(tuning.outputMin, v)) }

    /// Start closing the loop. With `currentOutput` (what the actuator is doing now, e.g. the
    /// fixed boil power) the start is bumpless: the first output equals it. Without one (a cold
    /// start from off) the integral starts empty and the output is the proportional action.
    public mutating func start(at now: Instant, measurement: Celsius, setpoint: Celsius, currentOutput: Percent?) {
        guard measurement.value.isFinite, setpoint.value.isFinite else { return }
        self.setpoint = setpoint.value
        lastMeasurement = measurement.value
        lastTime = now
        derivative = 0
        let p = proportional(measurement.value)
        integral = tuning.ti.value > 0 ? currentOutput.map { clamp($0.value) - p } ?? 0 : 0
        unclamped = p + integral
        output = clamp(unclamped)
    }

    /// A new measurement: returns the new output, clamped to the output range.
    @discardableResult
    public mutating func update(at now: Instant, measurement: Celsius) -> Percent {
        let y = measurement.value
        guard y.isFinite else { return Percent(output) }
        guard let t0 = lastTime, let y0 = lastMeasurement else {
            start(at: now, measurement: measurement, setpoint: Celsius(setpoint), currentOutput: Percent(output))
            return Percent(output)
        }
        let dt = now.seconds - t0.seconds
        guard dt > 0 else { return Percent(output) }

        // Integral first (forward Euler on the previous interval), with back-calculation: the
        // gap between what was asked (unclamped) and what was applied bleeds off the integral.
        if tuning.ti.value > 0 {
            let error = setpoint - y0
            let tracking = min(1, dt / tuning.effectiveTrackingTime)
            let step = tuning.kp * dt / tuning.ti.value * error + tracking * (output - unclamped)
            // The integral holds the steady-state output, so it never needs to leave the output
            // range (shifted by the setpoint-weight term). Integration may not push it further
            // out; a bumpless start or retune may leave it outside, and it is then only drawn in.
            // Without this a long full-power heat-up winds it far negative and the last kelvins
            // crawl in.
            let shift = tuning.kp * (tuning.setpointWeight - 1) * setpoint
            let low = tuning.outputMin - shift, high = tuning.outputMax - shift
            integral = min(max(integral + step, min(low, integral)), max(high, integral))
        }
        // Derivative on measurement, first-order filtered (backward difference, stable for any dt).
        if tuning.td.value > 0 {
            let tf = tuning.td.value / max(1, tuning.derivativeFilter)
            derivative = tf / (tf + dt) * derivative - tuning.kp * tuning.td.value / (tf + dt) * (y - y0)
        } else {
            derivative = 0
        }
        lastMeasurement = y
        lastTime = now
        unclamped = proportional(y) + integral + derivative
        output = clamp(unclamped)
        return Percent(output)
    }

    /// Tell the controller what the actuator really did (e.g. a maximum duty or a safety
    /// override held it lower), so the integral does not wind up against a limit it cannot see.
    public mutating func actuatorApplied(_ applied: Percent) {
        output = applied.value
    }

    /// A new setpoint. The derivative acts on the measurement, so there is no derivative kick;
    /// the proportional term moves by kp·b·Δ (nothing at all with `setpointWeight` 0).
    public mutating func changeSetpoint(to newSetpoint: Celsius) {
        guard newSetpoint.value.isFinite, newSetpoint.value != setpoint else { return }
        setpoint = newSetpoint.value
        if let y = lastMeasurement {
            unclamped = proportional(y) + integral + derivative
            output = clamp(unclamped)
        }
    }

    /// New gains without a bump: the integral absorbs the change in the proportional term so
    /// the output stays where it was (as far as the output range allows).
    public mutating func retune(_ newTuning: PIDTuning) {
        let before = output
        tuning = newTuning
        guard let y = lastMeasurement else { return }
        if newTuning.td.value == 0 { derivative = 0 }
        if newTuning.ti.value > 0 {
            integral = before - proportional(y) - derivative
        } else {
            integral = 0
        }
        unclamped = proportional(y) + integral + derivative
        output = clamp(unclamped)
    }
}

extension PIDController {
    /// The controller's memory as plain numbers (times as brew time), for resuming a batch.
    public struct Snapshot: Hashable, Sendable, Codable {
        public var setpoint: Double
        public var integral: Double
        public var derivative: Double
        public var output: Double
        public var unclamped: Double
        public var lastMeasurement: Double?
        public var lastTime: Double?
    }

    public func snapshot(origin: Instant) -> Snapshot {
        Snapshot(setpoint: setpoint, integral: integral, derivative: derivative, output: output, unclamped: unclamped,
                 lastMeasurement: lastMeasurement, lastTime: lastTime.map { $0.seconds - origin.seconds })
    }

    /// Restores the memory (the tuning stays the one given at init, i.e. the hardware file's).
    public mutating func restore(_ s: Snapshot, origin: Instant) {
        setpoint = s.setpoint
        integral = s.integral.isFinite ? s.integral : 0
        derivative = s.derivative.isFinite ? s.derivative : 0
        output = s.output
        unclamped = s.unclamped
        lastMeasurement = s.lastMeasurement
        lastTime = s.lastTime.map { origin + Seconds($0) }
    }
}
