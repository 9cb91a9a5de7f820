import BrewCore
import XCTest

final class StepEngineTests: XCTestCase {
    func testHeatCompletesAtTargetAndKeepsHolding() throws {
        var d = EngineDriver(try Fixtures.engine([
            .init("Heat strike water", .heat(.hotLiquorTank, to: Celsius(72))),
            .init("Wait", .confirm(message: "go", actions: [])),
        ]))
        d.tick()
        XCTAssertEqual(d.engine.regimes[0], .hold(Celsius(72)))
        XCTAssertEqual(d.engine.stepIndex, 0)
        d.temps[0] = Celsius(71.5)
        d.tick()
        XCTAssertEqual(d.engine.stepIndex, 0, "0.5 K short is not reached")
        d.temps[0] = Celsius(71.8)
        d.tick()
        XCTAssertEqual(d.engine.stepIndex, 1)
        XCTAssertEqual(d.engine.regimes[0], .hold(Celsius(72)), "heat keeps the vessel at temperature afterwards")
        XCTAssertEqual(d.events(.stepCompleted).count, 1)
    }

    func testHeatWaitsWithoutAValidReading() throws {
        var d = EngineDriver(try Fixtures.engine([.init("Heat", .heat(.hotLiquorTank, to: Celsius(50)))]))
        d.temps[0] = nil
        d.run(100)
        XCTAssertEqual(d.engine.stepIndex, 0)
        d.temps[0] = Celsius(50)
        d.tick()
        XCTAssertTrue(d.engine.isFinished)
    }

    func testRestCountsOnlyTimeInBandAfterReachingTarget() throws {
        var d = EngineDriver(try Fixtures.engine([
            .init("Sacch rest", .rest(.mashTun, at: Celsius(66), duration: .minutes(10))),
        ]))
        // 5 min below target: the timer must not run.
        d.run(300, vessel: 1) { _ in 60 }
        XCTAssertEqual(d.engine.regimes[1], .hold(Celsius(66)))
        XCTAssertTrue(d.events(.targetReached).isEmpty)
        // Reach the target at t = 301.
        d.run(1, vessel: 1) { _ in 65.8 }
        XCTAssertEqual(d.events(.targetReached).count, 1)
        let reached = d.now
        // 5 min in band, then 2 min out of band (not counted), then 2 min without a reading.
        d.run(300, vessel: 1) { _ in 66.4 }
        d.run(120, vessel: 1) { _ in 64.0 }
        d.temps[1] = nil
        d.run(120)
        XCTAssertFalse(d.engine.isFinished)
        d.run(299, vessel: 1) { _ in 65.5 }
        XCTAssertFalse(d.engine.isFinished, "only 9 min 59 s counted so far")
        d.run(1, vessel: 1) { _ in 65.5 }
        XCTAssertTrue(d.engine.isFinished)
        XCTAssertEqual((d.now - reached).value, 600 + 240, accuracy: 1e-6)
    }

    func testRampMovesSetpointLinearlyAndEndsWhenTimeAndTemperatureAreReached() throws {
        var d = EngineDriver(try Fixtures.engine([
            .init("Ramp", .ramp(.mashTun, to: Celsius(72), duration: .minutes(10))),
            .init("Wait", .confirm(message: "go", actions: [])),
        ]))
        d.temps[1] = Celsius(62)
        d.tick()
        let start = d.now
        XCTAssertEqual(d.engine.regimes[1].setpoint(at: start + Seconds(300))?.value ?? 0, 67, accuracy: 1e-9)
        XCTAssertEqual(d.engine.regimes[1].setpoint(at: start + Seconds(900))?.value ?? 0, 72, accuracy: 1e-9)
        // Temperature already at 72 early: the ramp still takes its time.
        d.run(300, vessel: 1) { _ in 72 }
        XCTAssertEqual(d.engine.stepIndex, 0)
        // Time is up but the vessel lags behind: it waits.
        d.run(400, vessel: 1) { _ in 70 }
        XCTAssertEqual(d.engine.stepIndex, 0)
        d.run(1, vessel: 1) { _ in 71.9 }
        XCTAssertEqual(d.engine.stepIndex, 1)
        XCTAssertEqual(d.engine.regimes[1].setpoint(at: d.now), Celsius(72), "ramp holds its end temperature afterwards")
    }

    func testHoldAndOffAreInstantAndChainInOneTick() throws {
        var d = EngineDriver(try Fixtures.engine([
            .init("Sparge water", .hold(.hotLiquorTank, at: Celsius(77))),
            .init("Kettle off", .off(.kettle)),
            .init("Wait", .confirm(message: "go", actions: [])),
            .init("HLT off", .off(.hotLiquorTank)),
        ]))
        d.tick()
        XCTAssertEqual(d.engine.stepIndex, 2)
        XCTAssertEqual(d.engine.regimes[0], .hold(Celsius(77)))
        XCTAssertTrue(d.engine.awaitsConfirmation)
        XCTAssertTrue(d.engine.confirm(by: "ann"))
        d.tick()
        XCTAssertEqual(d.engine.regimes[0], .off)
        XCTAssertTrue(d.engine.isFinished)
        XCTAssertEqual(d.engine.phase, .completed)
    }

    func testConfirmWaitsForTheOperatorAndCarriesActionsAndActor() throws {
        let actions: [OperatorAction] = [.transfer(from: .hotLiquorTank, to: .mashTun, Litres(40))]
        var d = EngineDriver(try Fixtures.engine([.init("Strike", .confirm(message: "Pump 40 L", actions: actions))]))
        XCTAssertFalse(d.engine.confirm(by: "too early"), "nothing is waiting before the step starts")
        d.run(3600)
        XCTAssertEqual(d.events(.prompt).map(\.message), ["Pump 40 L"])
        XCTAssertFalse(d.engine.isFinished)
        XCTAssertTrue(d.engine.confirm(by: "ann"))
        XCTAssertFalse(d.engine.confirm(by: "bob"), "a step is confirmed once")
        d.tick()
        let confirmation = try XCTUnwrap(d.events(.confirmation).first)
        XCTAssertEqual(confirmation.actor, "ann")
        XCTAssertEqual(confirmation.actions, actions)
        XCTAssertTrue(d.engine.isFinished)
    }

    func testBoilCountsFromDetectionAndAnnouncesAdditionsByTimeLeft() throws {
        let additions = [
            Addition("Citra", amount: "30 g", at: .remaining(.minutes(15))),
            Addition("Magnum", amount: "40 g", at: .remaining(.minutes(60))),
            Addition("Mosaic", amount: "60 g", at: .flameout),
            Addition("Columbus", amount: "20 g", at: .firstWort),
            Addition("Whirlfloc", at: .remaining(.minutes(15))),
        ]
        var d = EngineDriver(try Fixtures.engine([
            .init("Boil", .boil(.kettle, duration: .minutes(60), additions: additions, power: nil)),
        ]))
        // Heating from 70 °C at 1 K per 10 s, plateauing at 100 °C (sea level).
        d.run(320, vessel: 2) { t in min(100, 70 + t / 10) }
        XCTAssertEqual(d.events(.addition).map(\.message), ["Add 20 g Columbus — first-wort addition, before the boil"])
        XCTAssertEqual(d.engine.regimes[2], .power(.full), "full power until the boil is detected")
        XCTAssertNil(d.engine.boilStarted, "reaching 100 °C is not yet a boil: it must hold there")
        var announced: [(String, Double)] = []
        var seen = 1
        while !d.engine.isFinished, d.now.seconds < 10_000 {
            d.temps[2] = Celsius(min(100, 70 + (d.now.seconds + 0.1) / 10))
            d.tick(0.1)
            if d.engine.boilStarted != nil, !d.engine.isFinished {
                XCTAssertEqual(d.engine.regimes[2], .power(Percent(60)), "boil power from the hardware file")
            }
            let adds = d.events(.addition)
            while seen < adds.count {
                announced.append((adds[seen].message, d.now.seconds))
                seen += 1
            }
        }
        let detected = try XCTUnwrap(d.events(.boilDetected).first)
        XCTAssertTrue(detected.message.contains("Boil detected"))
        let boilStart = try XCTUnwrap(d.engine.boilStarted)
        // 100 °C is reached at t = 300 s; detection needs 30 s of plateau.
        XCTAssertEqual(boilStart.seconds, 330, accuracy: 1.01)
        announced = announced.map { ($0.0, $0.1 - boilStart.seconds) }
        XCTAssertEqual(announced.map(\.0), [
            "Add 40 g Magnum — 60 min left in boil",
            "Add 30 g Citra — 15 min left in boil",
            "Add Whirlfloc — 15 min left in boil",
            "Add 60 g Mosaic — flame-out",
        ])
        let expectedOffsets: [Double] = [0, 2700, 2700, 3600]
        for (got, want) in zip(announced.map(\.1), expectedOffsets) { XCTAssertEqual(got, want, accuracy: 0.11) }
        XCTAssertEqual(d.now.seconds - boilStart.seconds, 3600, accuracy: 0.11)
        XCTAssertEqual(d.engine.regimes[2], .off, "the boil leaves the heater off")
    }

    func testBoilNotDetectedWhileStillRisingBelowBoilingPoint() throws {
        var d = EngineDriver(try Fixtures.engine([.init("Boil", .boil(.kettle, duration: .minutes(60), additions: [], power: nil))]))
        // Creeping up by 0.1 K/min just below the boiling point: neither at the boil nor a plateau.
        d.run(1100, vessel: 2) { t in 97 + t / 600 }
        XCTAssertTrue(d.events(.boilDetected).isEmpty)
        XCTAssertNil(d.engine.boilStarted)
        // At the boiling point it is a boil: the engine was looking.
        d.run(300, vessel: 2) { _ in 100 }
        XCTAssertNotNil(d.engine.boilStarted)
    }

    func testBoilDetectedByPlateauWhenAltitudeIsWrongWithAWarning() throws {
        // Configured at sea level, but the wort plateaus at 95 °C (really ≈ 1500 m up).
        var d = EngineDriver(try Fixtures.engine([.init("Boil", .boil(.kettle, duration: .minutes(30), additions: [], power: nil))]))
        d.run(1200, vessel: 2) { t in min(95, 60 + t / 10) }
        let detected = try XCTUnwrap(d.events(.boilDetected).first)
        XCTAssertTrue(detected.message.contains("check the altitude"), detected.message)
        XCTAssertEqual(try XCTUnwrap(d.engine.boilStarted).seconds, 350 + 180, accuracy: 1.01)
    }

    func testACoolingKettleAboveNinetyIsNotTakenForABoil() throws {
        // Heat held off (a gap hold, a tripped element): the wort cools from 98 °C at 2 K/min,
        // then sags and recovers through the plateau window — neither is a boil.
        var d = EngineDriver(try Fixtures.engine([.init("Boil", .boil(.kettle, duration: .minutes(30), additions: [], power: nil))]))
        d.run(240, vessel: 2) { t in 98 - t / 30 }
        d.run(460, vessel: 2) { t in 94 + 3 * sin(t / 400 * .pi) }
        XCTAssertTrue(d.events(.boilDetected).isEmpty, "\(d.events(.boilDetected).map(\.message))")
        XCTAssertNil(d.engine.boilStarted)
        // Heat back on and at the boiling point: that is a boil.
        d.run(300, vessel: 2) { _ in 100 }
        XCTAssertNotNil(d.engine.boilStarted)
    }

    func testBoilingPointFollowsAltitude() throws {
        XCTAssertEqual(Water.boilingPoint(at: Metres(0)).value, 100, accuracy: 0.05)
        XCTAssertEqual(Water.boilingPoint(at: Metres(1000)).value, 96.7, accuracy: 0.2)
        var d = EngineDriver(try Fixtures.engine([.init("Boil", .boil(.kettle, duration: .minutes(1), additions: [], power: nil))],
                                                 rig: Fixtures.rig(altitude: 1000)))
        d.run(900, vessel: 2) { t in min(Water.boilingPoint(at: Metres(1000)).value, 70 + t / 10) }
        XCTAssertNotNil(d.engine.boilStarted)
        XCTAssertFalse(try XCTUnwrap(d.events(.boilDetected).first).message.contains("check the altitude"))
    }

    func testChillOpensTheChillerUntilTargetThenOff() throws {
        var d = EngineDriver(try Fixtures.engine([.init("Chill", .chill(.kettle, to: Celsius(20)))]))
        d.run(10, vessel: 2) { _ in 99 }
        XCTAssertEqual(d.engine.regimes[2], .chill)
        XCTAssertTrue(d.events(.alert).isEmpty, "an automated chiller needs no alert")
        d.run(10, vessel: 2) { _ in 20.2 }
        XCTAssertFalse(d.engine.isFinished)
        d.run(1, vessel: 2) { _ in 19.9 }
        XCTAssertTrue(d.engine.isFinished)
        XCTAssertEqual(d.engine.regimes[2], .off)
    }

    func testManualChillerGetsStartAndStopAlerts() throws {
        var d = EngineDriver(try Fixtures.engine([.init("Chill", .chill(.kettle, to: Celsius(20)))], rig: Fixtures.rig(chillerValve: false)))
        d.run(5, vessel: 2) { _ in 90 }
        XCTAssertEqual(d.events(.alert).count, 1)
        d.run(1, vessel: 2) { _ in 19 }
        XCTAssertEqual(d.events(.alert).count, 2)
        XCTAssertTrue(d.events(.alert)[1].message.contains("stop the chiller"))
    }

    func testAbortTurnsEverythingOff() throws {
        var d = EngineDriver(try Fixtures.engine([
            .init("Sparge water", .hold(.hotLiquorTank, at: Celsius(77))),
            .init("Rest", .rest(.mashTun, at: Celsius(66), duration: .minutes(60))),
        ]))
        d.run(10)
        XCTAssertNotEqual(d.engine.regimes, [.off, .off, .off])
        d.engine.abort(at: d.now, reason: "test", by: "ann", events: &d.events)
        XCTAssertEqual(d.engine.regimes, [.off, .off, .off])
        XCTAssertEqual(d.engine.phase, .aborted("test"))
        XCTAssertEqual(d.events(.aborted).first?.actor, "ann")
        d.run(10)
        XCTAssertEqual(d.engine.regimes, [.off, .off, .off], "nothing restarts after an abort")
    }

    func testCompletionTurnsEverythingOffAndSaysSo() throws {
        var d = EngineDriver(try Fixtures.engine([.init("Sparge water", .hold(.hotLiquorTank, at: Celsius(77)))]))
        d.tick()
        XCTAssertTrue(d.engine.isFinished)
        XCTAssertEqual(d.engine.regimes[0], .off)
        XCTAssertEqual(d.events(.completed).count, 1)
    }

    func testEstimateShrinksAsTheDayGoesOn() throws {
        var d = EngineDriver(try Fixtures.engine([
            .init("Fill", .confirm(message: "fill", actions: [.fill(.hotLiquorTank, Litres(60))])),
            .init("Heat", .heat(.hotLiquorTank, to: Celsius(70))),
            .init("Rest", .rest(.hotLiquorTank, at: Celsius(70), duration: .minutes(30))),
        ]))
        d.tick()
        _ = d.engine.confirm(by: "x")
        d.tick()
        let early = d.engine.estimate(at: d.now, temperatures: d.temps)
        // 60 L (+ 10 kJ/K of steel) from 20 to 70 °C with 5.5 kW at 95 % ≈ 41.7 min, plus the 30-min rest.
        let heating = 50 * (60 * 4186 + 10_000) / (5500 * 0.95) / 60
        XCTAssertEqual(try XCTUnwrap(early.batch).minutes, heating + 30, accuracy: 0.5)
        d.temps[0] = Celsius(70)
        d.tick()
        d.run(600)
        let later = d.engine.estimate(at: d.now, temperatures: d.temps)
        XCTAssertEqual(try XCTUnwrap(later.step).minutes, 20, accuracy: 0.1)
        XCTAssertLessThan(try XCTUnwrap(later.batch).value, try XCTUnwrap(early.batch).value)
    }

    func testBindingReportsEveryMissingVessel() throws {
        let recipe = Recipe(name: "wash", steps: [
            .init("Heat", .heat(.still, to: Celsius(78))),
            .init("Ferment", .chill(.fermenter, to: Celsius(20))),
        ])
        XCTAssertThrowsError(try BrewPlan.bind(recipe, to: Fixtures.rig())) { error in
            let failure = error as? BrewPlan.BindingFailure
            XCTAssertEqual(failure?.errors.map(\.step), [0, 1])
            XCTAssertTrue(failure?.description.contains("needs a still") ?? false)
        }
    }
}
