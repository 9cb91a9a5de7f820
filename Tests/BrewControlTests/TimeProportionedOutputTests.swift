import BrewControl
import BrewCore
import XCTest

final class TimeProportionedOutputTests: XCTestCase {
    /// Fraction of time on over `seconds`, ticking every `tick`.
    private func duty(_ out: inout TimeProportionedOutput, demand: Double, seconds: Double, tick: Double = 0.1,
                      from start: Double = 0) -> (duty: Double, shortestOn: Double, shortestOff: Double) {
        var on = 0.0, t = start
        var runStart = start, state: Bool?
        var shortestOn = Double.infinity, shortestOff = Double.infinity
        while t < start + seconds - 1e-9 {
            let s = out.update(at: Instant(seconds: t), demand: Percent(demand))
            if s != state {
                if let prev = state {
                    let len = t - runStart
                    if prev { shortestOn = min(shortestOn, len) } else { shortestOff = min(shortestOff, len) }
                }
                state = s
                runStart = t
            }
            if s { on += tick }
            t += tick
        }
        return (on / seconds, shortestOn, shortestOff)
    }

    func testDutyMatchesDemand() {
        for demand in [0.0, 10, 25, 50, 75, 90, 100] {
            var out = TimeProportionedOutput(window: Seconds(2))
            let r = duty(&out, demand: demand, seconds: 200)
            XCTAssertEqual(r.duty * 100, demand, accuracy: 0.6, "demand \(demand) %")
        }
    }

    func testMinimumOnAndOffAreRespectedAndSmallDemandsAverageOut() {
        var out = TimeProportionedOutput(window: Seconds(2), minimumOn: Seconds(0.5), minimumOff: Seconds(0.5))
        let low = duty(&out, demand: 3, seconds: 400)
        XCTAssertEqual(low.duty * 100, 3, accuracy: 0.5, "sigma-delta carry keeps 3 % on average")
        XCTAssertGreaterThanOrEqual(low.shortestOn, 0.5 - 1e-9)
        var out2 = TimeProportionedOutput(window: Seconds(2), minimumOn: Seconds(0.5), minimumOff: Seconds(0.5))
        let high = duty(&out2, demand: 97, seconds: 400)
        XCTAssertEqual(high.duty * 100, 97, accuracy: 0.5)
        XCTAssertGreaterThanOrEqual(high.shortestOff, 0.5 - 1e-9)
    }

    func testMaximumDutyCapsPower() {
        var out = TimeProportionedOutput(window: Seconds(2), maximumDuty: Percent(60))
        let r = duty(&out, demand: 100, seconds: 100)
        XCTAssertEqual(r.duty * 100, 60, accuracy: 0.6)
        XCTAssertEqual(out.appliedDuty.value, 60, accuracy: 1e-9)
    }

    func testZeroDemandIsOffAndForgivesDebt() {
        var out = TimeProportionedOutput(window: Seconds(2), minimumOn: Seconds(1))
        _ = duty(&out, demand: 20, seconds: 3)   // builds up some carry
        let r = duty(&out, demand: 0, seconds: 20, from: 3)
        // The window running at the change may finish its pulse; after that nothing.
        var later = out
        let tail = duty(&later, demand: 0, seconds: 10, from: 23)
        XCTAssertEqual(tail.duty, 0)
        XCTAssertLessThan(r.duty, 0.1)
    }

    func testForceOffIsImmediate() {
        var out = TimeProportionedOutput(window: Seconds(10))
        XCTAssertTrue(out.update(at: Instant(seconds: 0), demand: .full))
        out.forceOff(at: Instant(seconds: 1))
        XCTAssertFalse(out.isOn)
        XCTAssertEqual(out.appliedDuty, .off)
    }

    func testHeaterLoopOffModeSwitchesOffInTheSameCall() {
        var loop = HeaterLoop(tuning: PIDTuning(kp: 20, ti: Seconds(300)), output: TimeProportionedOutput(window: Seconds(2)))
        loop.setMode(.fixed(.full), at: Instant(seconds: 0), measurement: nil, setpoint: nil)
        XCTAssertTrue(loop.output(at: Instant(seconds: 0)))
        loop.setMode(.off, at: Instant(seconds: 0.5), measurement: nil, setpoint: nil)
        XCTAssertFalse(loop.output(at: Instant(seconds: 0.5)), "off within the same tick, mid-window")
        XCTAssertEqual(loop.demand, .off)
    }

    func testHeaterLoopFixedPowerHonoursMaximumDuty() {
        var loop = HeaterLoop(tuning: PIDTuning(kp: 20, ti: Seconds(300)),
                              output: TimeProportionedOutput(window: Seconds(2), maximumDuty: Percent(70)))
        loop.setMode(.fixed(.full), at: Instant(seconds: 0), measurement: nil, setpoint: nil)
        XCTAssertEqual(loop.demand.value, 70)
        loop.setMode(.pid, at: Instant(seconds: 1), measurement: Celsius(20), setpoint: Celsius(66))
        XCTAssertLessThanOrEqual(loop.demand.value, 70, "PID also limited to the element's maximum duty")
        XCTAssertEqual(loop.pid.tuning.outputMax, 70)
    }

    func testHeaterLoopWithoutMeasurementStaysCold() {
        var loop = HeaterLoop(tuning: PIDTuning(kp: 20, ti: Seconds(300)), output: TimeProportionedOutput(window: Seconds(2)))
        loop.setMode(.pid, at: Instant(seconds: 0), measurement: nil, setpoint: Celsius(66))
        loop.control(at: Instant(seconds: 0), newMeasurement: nil, setpoint: Celsius(66))
        XCTAssertFalse(loop.output(at: Instant(seconds: 0)))
        loop.control(at: Instant(seconds: 1), newMeasurement: Celsius(20), setpoint: Celsius(66))
        XCTAssertFalse(loop.output(at: Instant(seconds: 1)), "the running (empty) window finishes first")
        XCTAssertTrue(loop.output(at: Instant(seconds: 2)), "heats from the next window once a reading arrives")
    }
}
