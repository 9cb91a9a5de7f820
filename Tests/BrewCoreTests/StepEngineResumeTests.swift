import BrewCore
import Foundation
import XCTest

/// A seamless resume (the simulated brewery: nothing moved while brewctl was down) continues the
/// engine exactly; a resume after a gap applies the gap rules.
final class StepEngineResumeTests: XCTestCase {
    /// The engine rebuilt from its own snapshot, continuing at `d.now + dt`, in a copy of the driver.
    private func resumed(_ d: EngineDriver, dt: Double = 1, seamless: Bool) -> EngineDriver {
        var settings = StepEngine.Settings()
        settings.resume = StepEngine.Resume(snapshot: d.engine.snapshot(origin: .zero), origin: .zero,
                                            resumeAt: d.now + Seconds(dt), gap: .zero, seamless: seamless)
        var copy = d
        copy.engine = StepEngine(plan: d.engine.plan, settings: settings)
        return copy
    }

    private static func heatUp(_ t: Double) -> Double { min(100, 70 + t / 10) }

    func testASeamlessResumeDuringTheHeatUpToABoilKeepsTheDetectionHistory() throws {
        var d = EngineDriver(try Fixtures.engine([.init("Boil", .boil(.kettle, duration: .minutes(60), additions: [], power: nil))]))
        // At 100 °C from t = 300 s; 15 s into the 30 s the detection needs it to hold there.
        d.run(315, vessel: 2, temperature: Self.heatUp)
        XCTAssertNil(d.engine.boilStarted)
        XCTAssertNotNil(d.engine.snapshot(origin: .zero).history, "the history is in the snapshot")
        var seamless = resumed(d, seamless: true)
        var afterGap = resumed(d, seamless: false)
        d.run(60, vessel: 2, temperature: Self.heatUp)
        seamless.run(60, vessel: 2, temperature: Self.heatUp)
        afterGap.run(60, vessel: 2, temperature: Self.heatUp)
        let uninterrupted = try XCTUnwrap(d.engine.boilStarted)
        XCTAssertEqual(uninterrupted.seconds, 330, accuracy: 1.01)
        XCTAssertEqual(seamless.engine.boilStarted, uninterrupted, "detected at the very same tick")
        XCTAssertEqual(seamless.events.map(\.message), d.events.map(\.message))
        // After a gap the history is not trusted: the 30 s window starts again at the resume.
        XCTAssertEqual(try XCTUnwrap(afterGap.engine.boilStarted).seconds, 316 + 30, accuracy: 1.01)
    }

    func testASeamlessResumeMidRestEndsTheRestAtTheSameTick() throws {
        var d = EngineDriver(try Fixtures.engine([.init("Rest", .rest(.mashTun, at: Celsius(66), duration: .minutes(10)))]))
        d.temps[1] = Celsius(66)
        d.run(200, dt: 0.1)
        var seamless = resumed(d, dt: 0.1, seamless: true)
        var afterGap = resumed(d, dt: 0.1, seamless: false)
        func runToEnd(_ x: inout EngineDriver) -> Double {
            while !x.engine.isFinished, x.now.seconds < 2000 { x.tick(0.1) }
            return x.now.seconds
        }
        let end = runToEnd(&d)
        XCTAssertEqual(runToEnd(&seamless), end, "the first tick after the resume counts its 0.1 s, as it would have")
        XCTAssertEqual(seamless.events.map(\.message), d.events.map(\.message))
        // The gap rule counts nothing across a resume, so the rest ends one tick later.
        XCTAssertEqual(runToEnd(&afterGap), end + 0.1, accuracy: 1e-6)
    }

    func testASeamlessResumeKeepsARampOnItsLine() throws {
        var d = EngineDriver(try Fixtures.engine([.init("Ramp", .ramp(.mashTun, to: Celsius(72), duration: .minutes(10)))]))
        d.temps[1] = Celsius(62)
        d.tick()
        d.run(120)
        d.temps[1] = Celsius(60)   // lagging well behind the line
        var seamless = resumed(d, seamless: true)
        var afterGap = resumed(d, seamless: false)
        d.tick()
        seamless.tick()
        afterGap.tick()
        XCTAssertEqual(seamless.engine.regimes[1], d.engine.regimes[1])
        XCTAssertEqual(try XCTUnwrap(afterGap.engine.regimes[1].setpoint(at: afterGap.now)).value, 60, accuracy: 1e-9,
                       "after a gap the ramp starts again from where the mash is")
    }

    func testHistoryRoundTripsInOrderAfterWrappingAround() {
        var h = TemperatureHistory(capacity: 5)
        for k in 0..<8 { h.record(Celsius(Double(k)), at: Instant(seconds: Double(k))) }
        let s = h.snapshot(origin: Instant(seconds: 2))
        XCTAssertEqual(s.values, [3, 4, 5, 6, 7], "oldest first")
        XCTAssertEqual(s.lastTime, 5)
        var r = TemperatureHistory(capacity: 5)
        r.restore(s, origin: Instant(seconds: 2))
        XCTAssertEqual(r.rise(over: Seconds(4)), h.rise(over: Seconds(4)))
        XCTAssertEqual(r.minimum(over: Seconds(3)), h.minimum(over: Seconds(3)))
        XCTAssertFalse(r.record(Celsius(9), at: Instant(seconds: 7.5)), "the last record's time came back too")
        XCTAssertTrue(r.record(Celsius(9), at: Instant(seconds: 8)))
        XCTAssertEqual(r.rise(over: Seconds(1)), Kelvin(2))
    }

    func testASnapshotFromBeforeTheHistoryWasKeptStillDecodes() throws {
        let old = """
            {"stepIndex":0,"stepStartedAt":0,"phase":"running","reachedAt":null,"countedTime":0,"lastAdvance":12,
             "additionsAnnounced":0,"regimes":[{"kind":"off"},{"kind":"off"},{"kind":"power","to":100}]}
            """
        let s = try JSONDecoder().decode(StepEngine.Snapshot.self, from: Data(old.utf8))
        XCTAssertNil(s.history)
        XCTAssertEqual(s.regimes[2].kind, "power")
        XCTAssertEqual(s.regimes[2].to, 100)
    }
}
