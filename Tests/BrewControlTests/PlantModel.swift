import BrewControl
import BrewCore

/// A first-order plant with dead time, the textbook model of a heated vessel:
/// τ·dT/dt = K·u − (T − T_ambient), seen through a pure transport delay.
struct FirstOrderPlantWithDeadTime {
    var gain: Double          // K per % at steady state
    var timeConstant: Double  // s
    var deadTime: Double      // s
    var ambient: Double
    var temperature: Double
    private var delayLine: [Double]
    private var head = 0
    let dt: Double

    init(gain: Double, timeConstant: Double, deadTime: Double, ambient: Double, dt: Double) {
        self.gain = gain
        self.timeConstant = timeConstant
        self.deadTime = deadTime
        self.ambient = ambient
        self.temperature = ambient
        self.dt = dt
        delayLine = Array(repeating: ambient, count: max(1, Int((deadTime / dt).rounded())))
    }

    /// Advance by dt with heater fraction `u` (0…1); returns the delayed (measured) temperature.
    mutating func step(heaterFraction u: Double) -> Double {
        temperature += dt / timeConstant * (gain * 100 * u - (temperature - ambient))
        let measured = delayLine[head]
        delayLine[head] = temperature
        head = (head + 1) % delayLine.count
        return measured
    }
}

struct StepResponse {
    var overshoot: Double
    /// Settling time: from here on the measurement stays within the band (nil: it never does).
    var settledAt: Double?
    /// Largest |error| over the last quarter of the run (the steady-state ripple).
    var steadyStateError: Double
    var final: Double
}

/// Close the loop: a HeaterLoop on the plant, sampling every `samplePeriod`, ticking every dt.
func runStepResponse(tuning: PIDTuning, plant initial: FirstOrderPlantWithDeadTime, setpoint: Double, duration: Double,
                     samplePeriod: Double = 1, throughSSR window: Seconds? = nil, band: Double = 0.3) -> StepResponse {
    var plant = initial
    var loop = HeaterLoop(tuning: tuning, output: TimeProportionedOutput(window: window ?? Seconds(plant.dt)))
    var measured = plant.temperature
    var lastSample = -Double.infinity
    var peak = -Double.infinity
    var lastOutside = 0.0
    var steady = 0.0
    var t = 0.0
    loop.setMode(.pid, at: Instant(seconds: 0), measurement: Celsius(measured), setpoint: Celsius(setpoint))
    while t < duration {
        let now = Instant(seconds: t)
        var fresh: Celsius?
        if t - lastSample >= samplePeriod - 1e-9 {
            lastSample = t
            fresh = Celsius(measured)
        }
        loop.control(at: now, newMeasurement: fresh, setpoint: Celsius(setpoint))
        let u: Double
        if window == nil {
            _ = loop.output(at: now)
            u = loop.demand.fraction   // ideal continuous actuator
        } else {
            u = loop.output(at: now) ? 1 : 0
        }
        measured = plant.step(heaterFraction: u)
        peak = max(peak, measured)
        if abs(measured - setpoint) > band { lastOutside = t }
        if t > duration * 0.75 { steady = max(steady, abs(measured - setpoint)) }
        t += plant.dt
    }
    let settled = abs(measured - setpoint) <= band ? lastOutside + plant.dt : nil
    return StepResponse(overshoot: peak - setpoint, settledAt: settled, steadyStateError: steady, final: measured)
}
