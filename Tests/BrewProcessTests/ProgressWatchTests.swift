import BrewCore
import BrewProcess
import XCTest

/// `ProgressWatch` at exact instants: what counts as progress, the window and its sizing, and no
/// alarm on slow plants, slow approaches, probe noise, timers or a person's hold.
final class ProgressWatchTests: XCTestCase {
    private let up = StepEngine.Awaiting.temperature(vessel: 0, target: Celsius(70), rising: true, chilling: false)

    /// Feeds `temperature(t)` once a second for `seconds`; returns the first stall and when.
    private func watch(_ w: inout ProgressWatch, _ awaiting: StepEngine.Awaiting, rate: Double = 0.01, from start: Double = 0,
                       for seconds: Double, heaterOn: Bool = true, held: Bool = false, paused: Bool = false,
                       ambient: Celsius? = Celsius(18), coolant: Celsius? = Celsius(12),
                       temperature: (Double) -> Double?) -> (stall: ProgressWatch.Stall, at: Double)? {
        var t = start
        while t <= start + seconds {
            let reading = temperature(t).map(Celsius.init)
            if let s = w.observe(step: 1, awaiting: awaiting, temperatures: [reading], heatingRate: rate, heaterOn: heaterOn, held: held,
                                 paused: paused, ambient: ambient, coolant: coolant, at: Instant(seconds: t)) {
                return (s, t)
            }
            t += 1
        }
        return nil
    }

    func testATemperatureThatComesNoCloserIsAStallAfterExactlyOneWindow() throws {
        var w = ProgressWatch()
        let found = try XCTUnwrap(watch(&w, up, for: 3 * 3600) { _ in 40 })
        XCTAssertEqual(found.at, 20 * 60, "the 20-minute window, from the step's start")
        XCTAssertEqual(found.stall.target, Celsius(70))
        XCTAssertEqual(found.stall.heaterDuty, 1, accuracy: 1e-9)
        XCTAssertEqual(w.withoutProgress(at: Instant(seconds: found.at)), Seconds(20 * 60))
        // Found once, not every tick after.
        XCTAssertNil(watch(&w, up, from: found.at + 1, for: 600) { _ in 40 })
        // An acknowledgement starts a new window.
        w.restart()
        let again = try XCTUnwrap(watch(&w, up, from: found.at + 700, for: 3600) { _ in 40 })
        XCTAssertEqual(again.at, found.at + 700 + 20 * 60)
    }

    func testALostProbeFromTheStartIsAStallToo() {
        var w = ProgressWatch()
        XCTAssertEqual(watch(&w, up, for: 3600) { _ in nil }?.at, 20 * 60)
    }

    func testHeldOffAtTheOutputIsMeasured() throws {
        var w = ProgressWatch()
        let found = try XCTUnwrap(watch(&w, up, for: 3600, heaterOn: false, held: true) { _ in 40 })
        XCTAssertEqual(found.stall.heldShare, 1, accuracy: 1e-9)
        XCTAssertEqual(found.stall.heaterDuty, 0, accuracy: 1e-9)
    }

    func testSlowButSteadyApproachesAreNeverAStall() {
        // 0.2 K/min heating, a final approach that halves the gap every 5 min, a passive cool-down
        // of 0.1 K per 10 min: all come closer by a quarter kelvin well within their window.
        var w = ProgressWatch()
        XCTAssertNil(watch(&w, up, for: 2 * 3600) { t in min(69.7, 40 + 0.2 * t / 60) })
        var w2 = ProgressWatch()
        XCTAssertNil(watch(&w2, up, for: 3 * 3600) { t in 70 - 10 * pow(0.5, t / 300) })
        var w3 = ProgressWatch()
        let down = StepEngine.Awaiting.temperature(vessel: 0, target: Celsius(60), rising: false, chilling: false)
        XCTAssertNil(watch(&w3, down, for: 5 * 3600) { t in max(60.3, 65 - 0.01 * t / 60) }, "passive cooling gets a longer window")
    }

    func testAColdVesselWarmingToTheRoomWithItsElementHeldOffIsNotProgress() throws {
        // Filled at 12 °C in an 18 °C room, element held off by its level switch: it warms by
        // itself, a quarter kelvin every few minutes, and that is still a stall.
        var w = ProgressWatch()
        let found = try XCTUnwrap(watch(&w, up, for: 3600, heaterOn: false, held: true) { t in 18 - 6 * exp(-t / 7200) })
        XCTAssertEqual(found.at, 20 * 60)
        // The same rise with the element taking part is progress.
        var heating = ProgressWatch()
        XCTAssertNil(watch(&heating, up, for: 3600, heaterOn: true) { t in 18 - 6 * exp(-t / 7200) })
    }

    func testAChillCreepingTowardsACoolantWarmerThanItsTargetIsNotProgressNearIt() throws {
        // Chilling to 9 °C with 12 °C mains: the wort comes down fast, then creeps towards 12 °C;
        // within 1 K of the coolant that creep is a stall, found a window later.
        let chill = StepEngine.Awaiting.temperature(vessel: 0, target: Celsius(9), rising: false, chilling: true)
        var w = ProgressWatch()
        let found = try XCTUnwrap(watch(&w, chill, for: 4 * 3600) { t in 12 + 58 * exp(-t / 900) })
        let within1K = 900 * log(58.0)   // when it is 1 K above the coolant
        XCTAssertGreaterThan(found.at, within1K - 600, "not while it still came down fast")
        XCTAssertLessThanOrEqual(found.at, within1K + 20 * 60 + 1, "a window after it got within 1 K")
        // To 14 °C, above the coolant, the same approach is progress until it gets there.
        var ok = ProgressWatch()
        let above = StepEngine.Awaiting.temperature(vessel: 0, target: Celsius(14), rising: false, chilling: true)
        XCTAssertNil(watch(&ok, above, for: 4 * 3600) { t in max(13.9, 12 + 58 * exp(-t / 900)) })
    }

    func testProbeNoiseIsNotProgress() throws {
        // ±0.1 K of noise around a stuck 40 °C, quantised like an MCP9808: still a stall.
        var w = ProgressWatch()
        var seed: UInt64 = 42
        let found = watch(&w, up, for: 3600) { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let noise = (Double(seed >> 11) / Double(1 << 53) - 0.5) * 0.2
            return ((40 + noise) / 0.0625).rounded() * 0.0625
        }
        XCTAssertEqual(found?.at, 20 * 60)
    }

    func testTheWindowIsSizedFromThePlant() throws {
        // A 100 W heating belt on 45 L: ≈ 0.0005 K/s at full power, so a window of ≈ 33 min.
        var w = ProgressWatch()
        let rate = 95.0 / (45 * 4186 + 10_000)
        let found = try XCTUnwrap(watch(&w, up, rate: rate, for: 6 * 3600) { _ in 18 })
        XCTAssertEqual(found.stall.window.value, 4 * 0.25 / rate, accuracy: 1)
        XCTAssertGreaterThan(found.at, 30 * 60)
        // And a belt that brings it half a kelvin closer an hour is never a stall on it.
        var slow = ProgressWatch()
        XCTAssertNil(watch(&slow, up, rate: rate, for: 8 * 3600) { t in 18 + 0.5 * t / 3600 })
        // No heater at all: the longest window.
        XCTAssertEqual(ProgressWatch().settings.longestWindow, Seconds.hours(6))
        var none = ProgressWatch()
        XCTAssertEqual(watch(&none, up, rate: 0, for: 7 * 3600) { _ in 18 }?.at, 6 * 3600)
    }

    func testTimersPeopleAndAPauseAreNotWatched() {
        var w = ProgressWatch()
        XCTAssertNil(watch(&w, .timer, for: 3 * 3600) { _ in 40 })
        XCTAssertNil(watch(&w, .nothing, for: 3 * 3600) { _ in 40 })
        XCTAssertNil(watch(&w, up, for: 3 * 3600, paused: true) { _ in 40 })
        XCTAssertNil(w.withoutProgress(at: Instant(seconds: 3 * 3600)))
    }
}
