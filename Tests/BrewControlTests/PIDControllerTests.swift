import BrewControl
import BrewCore
import XCTest

final class PIDControllerTests: XCTestCase {
    private let mashLike = FirstOrderPlantWithDeadTime(gain: 0.8, timeConstant: 600, deadTime: 30, ambient: 20, dt: 0.1)
    /// SIMC tuning for K = 0.8 K/%, τ = 600 s, θ = 30 s with τc = 2θ (a cautious, no-overshoot choice).
    private let simc = PIDTuning(kp: 600 / (0.8 * 90), ti: Seconds(360))

    func testStepResponseOnFirstOrderPlantWithDeadTimeSettlesWithoutOvershoot() {
        let r = runStepResponse(tuning: simc, plant: mashLike, setpoint: 66, duration: 4 * 3600)
        XCTAssertNotNil(r.settledAt, "never settled within 66 ± 0.3 °C")
        XCTAssertLessThan(r.overshoot, 1.0, "overshoot \(r.overshoot) K")
        XCTAssertLessThanOrEqual(r.steadyStateError, 0.3)
        XCTAssertEqual(r.final, 66, accuracy: 0.05, "integral action removes the steady-state error")
        XCTAssertLessThan(r.settledAt ?? .infinity, 3600, "too sluggish: \(r.settledAt ?? -1) s")
    }

    func testStepResponseThroughTimeProportionedSSRStillSettles() {
        let r = runStepResponse(tuning: simc, plant: mashLike, setpoint: 66, duration: 4 * 3600, throughSSR: Seconds(2))
        XCTAssertNotNil(r.settledAt)
        XCTAssertLessThan(r.settledAt ?? .infinity, 3600, "too sluggish: \(r.settledAt ?? -1) s")
        XCTAssertLessThan(r.overshoot, 1.0)
        XCTAssertLessThanOrEqual(r.steadyStateError, 0.3, "SSR ripple stays inside the band")
    }

    func testWithoutAntiWindupTheSameLoopWouldOvershoot() {
        // Guards the anti-windup test against being vacuous: an aggressive integral with a
        // very slow tracking time (practically no anti-windup) overshoots well past 1 K.
        var wound = PIDTuning(kp: 8, ti: Seconds(120))
        wound.trackingTime = Seconds(1e9)
        let r = runStepResponse(tuning: wound, plant: mashLike, setpoint: 66, duration: 3 * 3600)
        XCTAssertGreaterThan(r.overshoot, 1.0)
        var guarded = wound
        guarded.trackingTime = nil
        let g = runStepResponse(tuning: guarded, plant: mashLike, setpoint: 66, duration: 3 * 3600)
        XCTAssertLessThan(g.overshoot, r.overshoot / 2, "back-calculation should cut the windup overshoot")
    }

    func testOutputIsClampedToItsRange() {
        var pid = PIDController(tuning: PIDTuning(kp: 50, ti: Seconds(100), outputMin: 0, outputMax: 80))
        pid.start(at: Instant(seconds: 0), measurement: Celsius(20), setpoint: Celsius(70), currentOutput: nil)
        for s in 1...100 {
            let u = pid.update(at: Instant(seconds: Double(s)), measurement: Celsius(20))
            XCTAssertLessThanOrEqual(u.value, 80)
        }
        let hot = pid.update(at: Instant(seconds: 101), measurement: Celsius(95))
        XCTAssertEqual(hot.value, 0, "too hot: clamped at 0, never negative")
    }

    func testDerivativeActsOnMeasurementSoASetpointChangeHasNoDerivativeKick() {
        var pid = PIDController(tuning: PIDTuning(kp: 10, ti: Seconds(600), td: Seconds(60), outputMin: -1000, outputMax: 1000))
        pid.start(at: Instant(seconds: 0), measurement: Celsius(60), setpoint: Celsius(60), currentOutput: Percent(20))
        pid.update(at: Instant(seconds: 1), measurement: Celsius(60))
        let before = pid.output
        pid.changeSetpoint(to: Celsius(61))
        XCTAssertEqual(pid.output - before, 10, accuracy: 1e-9, "only the proportional kp·Δ, no derivative spike")
        let after = pid.update(at: Instant(seconds: 2), measurement: Celsius(60))
        XCTAssertEqual(after.value, before + 10, accuracy: 0.1, "next update: still no derivative kick")
    }

    func testSetpointWeightZeroMakesSetpointChangesBumpless() {
        var pid = PIDController(tuning: PIDTuning(kp: 10, ti: Seconds(600), setpointWeight: 0))
        pid.start(at: Instant(seconds: 0), measurement: Celsius(60), setpoint: Celsius(66), currentOutput: Percent(30))
        XCTAssertEqual(pid.output, 30, accuracy: 1e-9, "bumpless start from 30 %")
        pid.changeSetpoint(to: Celsius(76))
        XCTAssertEqual(pid.output, 30, accuracy: 1e-9, "setpoint change does not move the output")
        let later = pid.update(at: Instant(seconds: 10), measurement: Celsius(60))
        XCTAssertGreaterThan(later.value, 30, "the integral then takes the output up")
    }

    func testBumplessStartFromAFixedPower() {
        var pid = PIDController(tuning: PIDTuning(kp: 20, ti: Seconds(300)))
        pid.start(at: Instant(seconds: 0), measurement: Celsius(97), setpoint: Celsius(98), currentOutput: Percent(65))
        XCTAssertEqual(pid.output, 65, accuracy: 1e-9)
        let next = pid.update(at: Instant(seconds: 1), measurement: Celsius(97))
        XCTAssertEqual(next.value, 65 + 20.0 / 300, accuracy: 1e-6, "continues smoothly from 65 %")
    }

    func testRetuneIsBumpless() {
        var pid = PIDController(tuning: PIDTuning(kp: 20, ti: Seconds(300)))
        pid.start(at: Instant(seconds: 0), measurement: Celsius(64), setpoint: Celsius(66), currentOutput: Percent(50))
        pid.update(at: Instant(seconds: 1), measurement: Celsius(64.5))
        let before = pid.output
        pid.retune(PIDTuning(kp: 45, ti: Seconds(120)))
        XCTAssertEqual(pid.output, before, accuracy: 1e-9)
        XCTAssertEqual(pid.tuning.kp, 45)
    }

    func testDerivativeIsFilteredAgainstNoise() {
        // A single 1 K spike: unfiltered D would add kp·td/dt = 10·60/1 = 600 %; N = 10 limits it to kp·N = 100 %.
        var pid = PIDController(tuning: PIDTuning(kp: 10, ti: .zero, td: Seconds(60), derivativeFilter: 10,
                                                  outputMin: -10_000, outputMax: 10_000))
        pid.start(at: Instant(seconds: 0), measurement: Celsius(60), setpoint: Celsius(60), currentOutput: nil)
        pid.update(at: Instant(seconds: 1), measurement: Celsius(61))
        XCTAssertLessThanOrEqual(abs(pid.derivative), 10 * 10 + 1e-9)
        XCTAssertGreaterThan(abs(pid.derivative), 50, "but the derivative does respond")
    }

    func testNonFiniteMeasurementIsIgnored() {
        var pid = PIDController(tuning: PIDTuning(kp: 20, ti: Seconds(300)))
        pid.start(at: Instant(seconds: 0), measurement: Celsius(60), setpoint: Celsius(66), currentOutput: nil)
        let good = pid.update(at: Instant(seconds: 1), measurement: Celsius(60))
        let nan = pid.update(at: Instant(seconds: 2), measurement: Celsius(.nan))
        XCTAssertEqual(nan, good)
        XCTAssertTrue(pid.integral.isFinite)
        let next = pid.update(at: Instant(seconds: 3), measurement: Celsius(60))
        XCTAssertTrue(next.value.isFinite)
    }

    func testActuatorLimitUnwindsTheIntegral() {
        var pid = PIDController(tuning: PIDTuning(kp: 5, ti: Seconds(60), trackingTime: Seconds(5)))
        pid.start(at: Instant(seconds: 0), measurement: Celsius(60), setpoint: Celsius(66), currentOutput: nil)
        for s in 1...300 {
            pid.update(at: Instant(seconds: Double(s)), measurement: Celsius(60))
            pid.actuatorApplied(Percent(40))    // e.g. a power budget held the element at 40 %
        }
        XCTAssertLessThan(pid.integral, 40, "integral tracks the 40 % that was really applied")
    }
}
