import BrewControl
import BrewCore
import XCTest

final class PowerBudgetTests: XCTestCase {
    func testASingleHeaterAloneIsUnaffected() {
        let b = PowerBudget(limit: Watts(7360), heaters: [.init(power: Watts(5500))])
        for d in [0.0, 3, 37.5, 99, 100] {
            let p = b.plan(window: Seconds(2), demands: [Percent(d)])
            XCTAssertEqual(p.realised[0].value, d, accuracy: 1e-9)
            XCTAssertFalse(p.limited)
            XCTAssertEqual(p.intervals[0].reduce(0) { $0 + $1.upperBound - $1.lowerBound }, d / 100 * 2, accuracy: 1e-9)
        }
    }

    func testTwoHeatersOverTheLimitInterleaveAndShareFairly() {
        // HLT 5.5 kW + kettle 9 kW on a 10 kW supply: never both at once.
        let powers = [Watts(5500), Watts(9000)]
        let b = PowerBudget(limit: Watts(10_000), heaters: powers.map { .init(power: $0) })
        var total = [0.0, 0.0]
        for window in 0..<100 {
            let p = b.plan(window: Seconds(2), demands: [.full, .full], rotation: window)
            for k in 0..<200 {
                let phase = Double(k) / 100
                XCTAssertLessThanOrEqual(p.load(at: phase, powers: powers), 10_000, "window \(window) at \(phase) s")
                XCTAssertFalse(p.isOn(0, at: phase) && p.isOn(1, at: phase))
            }
            XCTAssertTrue(p.limited)
            total[0] += p.realised[0].value
            total[1] += p.realised[1].value
        }
        let a = total[0] / 100, k = total[1] / 100
        XCTAssertEqual(a + k, 100, accuracy: 1, "the window is used to the full: one or the other is always on")
        XCTAssertEqual(a, k, accuracy: 5, "fair share over time: HLT \(a) %, kettle \(k) %")
    }

    func testSmallDemandsThatFitAreDeliveredInFull() {
        let powers = [Watts(5500), Watts(9000)]
        let b = PowerBudget(limit: Watts(10_000), heaters: powers.map { .init(power: $0) })
        let p = b.plan(window: Seconds(2), demands: [Percent(30), Percent(60)])
        XCTAssertEqual(p.realised[0].value, 30, accuracy: 1e-9)
        XCTAssertEqual(p.realised[1].value, 60, accuracy: 1e-9)
        XCTAssertFalse(p.limited)
        XCTAssertFalse((0..<2000).contains { p.isOn(0, at: Double($0) / 1000) && p.isOn(1, at: Double($0) / 1000) })
    }

    func testNeverOverTheLimitOverLongRandomRuns() {
        var seed: UInt64 = 7
        func unit() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / 9_007_199_254_740_992.0
        }
        for _ in 0..<200 {
            let n = 2 + Int(unit() * 4)
            let powers = (0..<n).map { _ in Watts(1000 + unit() * 8000) }
            let limit = Watts(max(powers.map(\.value).max() ?? 0, 3000 + unit() * 15_000))
            let b = PowerBudget(limit: limit, heaters: powers.map { .init(power: $0) })
            for window in 0..<50 {
                let demands = (0..<n).map { _ in Percent(unit() < 0.2 ? 0 : unit() * 100) }
                let p = b.plan(window: Seconds(2), demands: demands, rotation: window)
                for k in 0..<20 {   // every 100 ms tick, as the controller samples it
                    XCTAssertLessThanOrEqual(p.load(at: Double(k) / 10, powers: powers), limit.value + 1e-6)
                }
                for i in 0..<n { XCTAssertLessThanOrEqual(p.realised[i].value, demands[i].value + 1e-9) }
            }
        }
    }

    func testMinimumOnTimesRoundWithACarrySoTheAveragePowerIsRight() {
        // A contactor-switched element: at least 0.5 s on, at least 0.5 s off, in a 2 s window.
        let b = PowerBudget(limit: Watts(10_000), heaters: [.init(power: Watts(5500), minimumOn: Seconds(0.5), minimumOff: Seconds(0.5)),
                                                            .init(power: Watts(3000))])
        var carry: [Double] = []
        var delivered = 0.0
        for window in 0..<100 {
            let p = b.plan(window: Seconds(2), demands: [Percent(10), Percent(50)], rotation: window, carry: carry)
            carry = p.carry
            for r in p.intervals[0] { XCTAssertGreaterThanOrEqual(r.upperBound - r.lowerBound, 0.5 - 1e-9, "no pulse shorter than minimum_on") }
            delivered += p.realised[0].value
        }
        XCTAssertEqual(delivered / 100, 10, accuracy: 0.6, "0.2 s a window is not possible, but on average 10 % is delivered")

        // Nearly full: a 1.9 s pulse would leave a 0.1 s rest; it is rounded to full (or 1.5 s) and carried.
        let full = b.plan(window: Seconds(2), demands: [Percent(95), .off])
        XCTAssertTrue([100.0, 75.0].contains(full.realised[0].value), "\(full.realised[0])")
        XCTAssertEqual(full.carry[0], 1.9 - full.realised[0].value / 50, accuracy: 1e-9)
    }

    func testLayoutFragmentsTooShortForTheSSRAreDroppedNeverAdded() {
        // Three heaters on a supply that takes two at a time; the third's time may be cut into
        // stretches around the others: none of them shorter than its minimum on-time.
        let powers = [Watts(4000), Watts(4000), Watts(4000)]
        let b = PowerBudget(limit: Watts(8000), heaters: powers.map { .init(power: $0, minimumOn: Seconds(0.4), minimumOff: Seconds(0.3)) })
        var carry: [Double] = []
        for window in 0..<60 {
            let demands = [Percent(Double(30 + window % 50)), Percent(Double(80 - window % 40)), Percent(Double(window * 7 % 100))]
            let p = b.plan(window: Seconds(2), demands: demands, rotation: window, carry: carry)
            carry = p.carry
            for i in 0..<3 {
                for r in p.intervals[i] { XCTAssertGreaterThanOrEqual(r.upperBound - r.lowerBound, 0.4 - 1e-9, "window \(window) heater \(i)") }
                for (a, c) in zip(p.intervals[i], p.intervals[i].dropFirst()) {
                    XCTAssertGreaterThanOrEqual(c.lowerBound - a.upperBound, 0.3 - 1e-9, "rest shorter than minimum_off")
                }
            }
            for k in 0..<200 { XCTAssertLessThanOrEqual(p.load(at: Double(k) / 100, powers: powers), 8000 + 1e-6) }
        }
    }

    func testAHeaterLargerThanTheCircuitNeverRuns() {
        let b = PowerBudget(limit: Watts(3000), heaters: [.init(power: Watts(3500))])
        XCTAssertEqual(b.plan(window: Seconds(2), demands: [.full]).realised[0], .off)
    }
}

final class SensorHealthTests: XCTestCase {
    func testAOneReadingSpikeIsRejectedOnceAndARealStepIsAcceptedOnTheNextReading() {
        var h = SensorHealth()
        let bp = Celsius(99.6)
        XCTAssertEqual(h.judge(Celsius(66), at: Instant(seconds: 0), duty: 0.1, heatingRate: 0.02, boilingPoint: bp), .accepted)
        guard case .rejected(let why) = h.judge(Celsius(125), at: Instant(seconds: 1), duty: 0.1, heatingRate: 0.02, boilingPoint: bp) else {
            return XCTFail("a 59 K jump in a second is not plausible")
        }
        XCTAssertTrue(why.contains("jumped from 66.0 °C to 125.0 °C"), why)
        XCTAssertEqual(h.judge(Celsius(66.05), at: Instant(seconds: 2), duty: 0.1, heatingRate: 0.02, boilingPoint: bp), .accepted)
        // Two readings that agree are believed.
        XCTAssertNotEqual(h.judge(Celsius(40), at: Instant(seconds: 3), duty: 0.1, heatingRate: 0.02, boilingPoint: bp), .accepted)
        XCTAssertEqual(h.judge(Celsius(40.1), at: Instant(seconds: 4), duty: 0.1, heatingRate: 0.02, boilingPoint: bp), .accepted)
    }

    func testNoiseAndFastHeatingAreNotJumps() {
        var h = SensorHealth()
        var t = 20.0
        for s in 0..<600 {
            t += 0.1 + (s % 2 == 0 ? 0.0625 : -0.0625)
            XCTAssertEqual(h.judge(Celsius(t), at: Instant(seconds: Double(s)), duty: 1, heatingRate: 0.1, boilingPoint: Celsius(99.6)), .accepted)
            if t > 90 { break }
        }
    }

    func testAFrozenValueWhileHeatingIsStuckAndClearsWhenItMovesAgain() throws {
        var h = SensorHealth()
        var verdicts: [SensorHealth.Verdict] = []
        for s in 0...200 {
            verdicts.append(h.judge(Celsius(50.0625), at: Instant(seconds: Double(s)), duty: 1, heatingRate: 0.015, boilingPoint: Celsius(99.6)))
        }
        let first = try XCTUnwrap(verdicts.firstIndex { if case .stuck = $0 { true } else { false } })
        XCTAssertEqual(first, 60, "after stuckTime (60 s) with ≈ 0.9 K expected")
        if case .stuck(let why) = verdicts[first] { XCTAssertTrue(why.contains("stuck at exactly 50.1 °C"), why) }
        // Heater off now, still frozen: stays stuck.
        if case .stuck = h.judge(Celsius(50.0625), at: Instant(seconds: 201), duty: 0, heatingRate: 0.015, boilingPoint: Celsius(99.6)) {} else {
            XCTFail("stays stuck until the value changes")
        }
        XCTAssertEqual(h.judge(Celsius(50.125), at: Instant(seconds: 202), duty: 0, heatingRate: 0.015, boilingPoint: Celsius(99.6)), .accepted)
    }

    func testAFlatReadingWhileHoldingOrBoilingIsNotStuck() {
        var h = SensorHealth()
        for s in 0...3600 {   // holding at 5 % duty: a quantised probe can sit on one value for minutes
            XCTAssertEqual(h.judge(Celsius(66.0), at: Instant(seconds: Double(s)), duty: 0.05, heatingRate: 0.015, boilingPoint: Celsius(99.6)), .accepted)
        }
        var b = SensorHealth()
        for s in 0...3600 {   // a rolling boil at 65 % is flat too
            XCTAssertEqual(b.judge(Celsius(99.5625), at: Instant(seconds: Double(s)), duty: 0.65, heatingRate: 0.03, boilingPoint: Celsius(99.6)), .accepted)
        }
    }
}
