import BrewCore
import XCTest

/// `BrewPlan.review`: every step that could never end on the rig is an error at that step, and
/// what may still work but probably will not is a warning (docs/recipes.md, "What validate checks
/// against the rig"). One test per class, each with the case that passes beside it.
final class PlanLimitTests: XCTestCase {
    private func fill(_ role: VesselRole, _ litres: Double) -> Recipe.Step {
        Recipe.Step("Fill", .confirm(message: "fill", actions: [.fill(role, Litres(litres))]))
    }

    private func review(_ steps: [Recipe.Step], on rig: RigSpec = Fixtures.rig()) -> (errors: [BrewPlan.BindingError], warnings: [BrewPlan.BindingError]) {
        let r = BrewPlan.review(Recipe(name: "t", steps: steps), on: rig)
        XCTAssertEqual(r.plan == nil, !r.errors.isEmpty, "a plan exactly when there is no error")
        return (r.errors, r.warnings)
    }

    private func with(_ vessel: Int, on rig: RigSpec = Fixtures.rig(), _ change: (inout RigSpec.Vessel) -> Void) -> RigSpec {
        var r = rig
        change(&r.vessels[vessel])
        return r
    }

    // MARK: The kettle filled below its element's minimum volume

    func testAnElementThatWouldNeverBeCoveredIsAnErrorAtTheStepThatHeats() {
        let rig = with(2) { $0.minVolume = Litres(25) }
        let boil = Recipe.Step("Boil", .boil(.kettle, duration: .minutes(60), additions: [], power: nil))
        let low = review([fill(.kettle, 20), boil], on: rig)
        XCTAssertEqual(low.errors.map(\.step), [1], "\(low.errors)")
        XCTAssertTrue(low.errors[0].message.contains("with 20.0 L in the Kettle, below the 25.0 L that covers its element (`min_volume`)"),
                      low.errors[0].message)
        // Enough to cover it, with room for the boil-off: nothing to say.
        let fine = review([fill(.kettle, 40), boil], on: rig)
        XCTAssertEqual(fine.errors, [])
        XCTAssertEqual(fine.warnings, [])
        // Every heating kind is checked, not only the boil.
        let hlt = with(0) { $0.minVolume = Litres(10) }
        for kind: StepKind in [.heat(.hotLiquorTank, to: Celsius(70)), .rest(.hotLiquorTank, at: Celsius(70), duration: .minutes(5)),
                               .ramp(.hotLiquorTank, to: Celsius(70), duration: .minutes(5)), .hold(.hotLiquorTank, at: Celsius(70))] {
            let r = review([fill(.hotLiquorTank, 5), Recipe.Step("s", kind)], on: hlt)
            XCTAssertEqual(r.errors.map(\.step), [1], "\(kind): \(r.errors)")
        }
    }

    func testABoilThatMayEvaporateBelowTheElementIsAWarning() {
        // 9 kW at 60 % for 90 min evaporates up to about 12 L.
        let rig = with(2) { $0.minVolume = Litres(25) }
        let r = review([fill(.kettle, 30), Recipe.Step("Boil", .boil(.kettle, duration: .minutes(90), additions: [], power: nil))], on: rig)
        XCTAssertEqual(r.errors, [])
        XCTAssertEqual(r.warnings.map(\.step), [1], "\(r.warnings)")
        XCTAssertTrue(r.warnings[0].message.contains("may evaporate up to"), r.warnings[0].message)
    }

    func testContentsTheRecipeNeverStatesAreAWarningWhereAnElementNeedsCovering() {
        let rig = with(0) { $0.minVolume = Litres(10) }
        let r = review([Recipe.Step("Heat", .heat(.hotLiquorTank, to: Celsius(70)))], on: rig)
        XCTAssertEqual(r.errors, [])
        XCTAssertEqual(r.warnings.count, 1, "\(r.warnings)")
        XCTAssertTrue(r.warnings[0].message.contains("never says what the HLT holds"), r.warnings[0].message)
        // Without a minimum volume there is nothing to warn about.
        XCTAssertEqual(review([Recipe.Step("Heat", .heat(.hotLiquorTank, to: Celsius(70)))]).warnings, [])
    }

    // MARK: A rest above the vessel's max_temperature, a target above the boil

    func testATargetAtOrAboveMaxTemperatureIsAnErrorAndCloseToItAWarning() {
        let rig = with(1) { $0.maxTemperature = Celsius(80) }
        let steps = [fill(.mashTun, 40), Recipe.Step("Mash out", .rest(.mashTun, at: Celsius(82), duration: .minutes(10)))]
        let over = review(steps, on: rig)
        XCTAssertEqual(over.errors.map(\.step), [1])
        XCTAssertTrue(over.errors[0].message.contains("the rest at 82.0 °C is at or above the Mash tun's max_temperature of 80.0 °C"),
                      over.errors[0].message)
        let close = review([fill(.mashTun, 40), Recipe.Step("Mash out", .rest(.mashTun, at: Celsius(78.5), duration: .minutes(10)))], on: rig)
        XCTAssertEqual(close.errors, [])
        XCTAssertEqual(close.warnings.map(\.step), [1])
        XCTAssertTrue(close.warnings[0].message.contains("within 2 K of the Mash tun's max_temperature"), close.warnings[0].message)
        XCTAssertEqual(review([fill(.mashTun, 40), Recipe.Step("Mash out", .rest(.mashTun, at: Celsius(76), duration: .minutes(10)))], on: rig).warnings, [])
    }

    func testATargetAboveTheLocalBoilingPointIsAnError() {
        // At 2000 m water boils at about 93.4 °C.
        let rig = Fixtures.rig(altitude: 2000)
        let r = review([fill(.hotLiquorTank, 50), Recipe.Step("Heat", .heat(.hotLiquorTank, to: Celsius(96)))], on: rig)
        XCTAssertEqual(r.errors.map(\.step), [1])
        XCTAssertTrue(r.errors[0].message.contains("above the boiling point here (93."), r.errors[0].message)
        XCTAssertTrue(review([fill(.hotLiquorTank, 50), Recipe.Step("Heat", .heat(.hotLiquorTank, to: Celsius(96)))]).errors.isEmpty,
                      "at sea level 96 °C is reachable")
    }

    func testABoilInAVesselLimitedBelowTheBoilingPointIsAnError() {
        let rig = with(2) { $0.maxTemperature = Celsius(95) }
        let r = review([fill(.kettle, 50), Recipe.Step("Boil", .boil(.kettle, duration: .minutes(60), additions: [], power: nil))], on: rig)
        XCTAssertEqual(r.errors.map(\.step), [1])
        XCTAssertTrue(r.errors[0].message.contains("at or above the Kettle's max_temperature of 95.0 °C"), r.errors[0].message)
    }

    // MARK: A chill target below the coolant

    func testAChillToOrBelowTheCoolantIsAnErrorAndCloseAboveItAWarning() {
        let rig = Fixtures.rig()   // mains water 12 °C
        let cold = review([fill(.kettle, 50), Recipe.Step("Chill", .chill(.kettle, to: Celsius(9)))], on: rig)
        XCTAssertEqual(cold.errors.map(\.step), [1])
        XCTAssertTrue(cold.errors[0].message.contains("at or below the mains water (`mains_water` in [site]) at 12.0 °C"), cold.errors[0].message)
        let close = review([fill(.kettle, 50), Recipe.Step("Chill", .chill(.kettle, to: Celsius(13)))], on: rig)
        XCTAssertEqual(close.errors, [])
        XCTAssertEqual(close.warnings.count, 1)
        // A colder coolant (glycol) makes the same chill possible.
        let glycol = with(2, on: rig) { $0.coolantTemperature = Celsius(2) }
        let r = review([fill(.kettle, 50), Recipe.Step("Chill", .chill(.kettle, to: Celsius(9)))], on: glycol)
        XCTAssertEqual(r.errors, [])
        XCTAssertEqual(r.warnings, [])
        // The whirlpool's stand temperature is cooled to the same way.
        let stand = review([fill(.kettle, 50), Recipe.Step("Stand", .whirlpool(.kettle, duration: .minutes(20), temperature: Celsius(10), additions: []))])
        XCTAssertEqual(stand.errors.map(\.step), [1])
    }

    func testAFermentationStageAtOrBelowItsCoolantIsAnError() {
        var rig = Fixtures.rig()
        let belt = RigSpec.Heater(output: "belt", power: Watts(100), tuning: .init(kp: 50, ti: Seconds(3600)))
        rig.vessels.append(RigSpec.Vessel(id: "fv", role: .fermenter, name: "Conical", capacity: Litres(60), temperatureSensor: "f",
                                          heater: belt, chillerValve: "glycol", maxTemperature: Celsius(40)))
        let profile = FermentationProfile(stages: [
            FermentationStage(name: "Primary", kind: .hold(Celsius(10)), duration: .minutes(60 * 24 * 7)),
            FermentationStage(name: "Crash", kind: .ramp(to: Celsius(1)), duration: .minutes(60 * 24 * 2)),
        ])
        let steps = [fill(.fermenter, 45), Recipe.Step("Ferment", .ferment(.fermenter, profile))]
        let mains = review(steps, on: rig)
        XCTAssertEqual(mains.errors.count, 2, "both stages are colder than the mains water: \(mains.errors)")
        XCTAssertTrue(mains.errors.allSatisfy { $0.step == 1 })
        rig.vessels[3].coolantTemperature = Celsius(-2)
        XCTAssertEqual(review(steps, on: rig).errors, [])
        rig.vessels[3].maxTemperature = Celsius(8)
        XCTAssertTrue(review(steps, on: rig).errors.contains { $0.message.contains("max_temperature of 8.0 °C") })
    }

    // MARK: A mash so small the recirculation pump runs dry

    func testARecirculatedMashBelowThePumpsMinimumIsAnError() {
        let rig = with(1) { $0.minPumpVolume = Litres(15) }
        let rest = Recipe.Step("Rest", .rest(.mashTun, at: Celsius(66), duration: .minutes(60)))
        let small = review([fill(.mashTun, 8), rest], on: rig)
        XCTAssertEqual(small.errors.map(\.step), [1])
        XCTAssertTrue(small.errors[0].message.contains("below the 15.0 L its recirculation pump needs to draw from (`min_pump_volume`)"),
                      small.errors[0].message)
        XCTAssertEqual(review([fill(.mashTun, 30), rest], on: rig).errors, [])
        // Nothing in the mash tun at all, as far as the recipe says: a warning, pump minimum or not.
        let unknown = review([rest])
        XCTAssertEqual(unknown.errors, [])
        XCTAssertTrue(unknown.warnings.contains { $0.message.contains("recirculation pump, but the recipe never says") }, "\(unknown.warnings)")
    }

    // MARK: Distillation

    func testAStillRunThatCouldNeverReachItsCutsIsAnError() {
        let heater = RigSpec.Heater(output: "e", power: Watts(3000), tuning: .init(kp: 50, ti: Seconds(600)))
        var still = RigSpec.Vessel(id: "still", role: .still, name: "Pot still", capacity: Litres(50), temperatureSensor: "t", heater: heater,
                                   headSensor: "h", coolantFlow: "c", minVolume: Litres(20))
        still.maxTemperature = Celsius(105)
        let rig = RigSpec(name: "r", source: "r", backend: .simulated, site: .init(altitude: Metres(1500)), buses: [], sensors: [],
                          outputs: [], vessels: [still])
        func run(charge: Double, end: Double) -> Recipe.Step {
            Recipe.Step("Strip", .distill(.still, DistillationRun(kind: .stripping, charge: Litres(charge), heatUpPower: Percent(100),
                                                                  runPower: Percent(80), equilibrate: nil,
                                                                  cuts: [Cut(.lowWines, receiver: "jar", until: nil)],
                                                                  end: .headTemperature(Celsius(end)))))
        }
        // At 1500 m water boils near 95 °C: a head at 98 °C never comes.
        let hot = review([run(charge: 40, end: 98)], on: rig)
        XCTAssertEqual(hot.errors.count, 1, "\(hot.errors)")
        XCTAssertTrue(hot.errors[0].message.contains("above the boiling point of water here"), hot.errors[0].message)
        let dry = review([run(charge: 10, end: 94)], on: rig)
        XCTAssertEqual(dry.errors.count, 1, "\(dry.errors)")
        XCTAssertTrue(dry.errors[0].message.contains("with 10.0 L in the Pot still, below the 20.0 L"), dry.errors[0].message)
        XCTAssertEqual(review([run(charge: 40, end: 94)], on: rig).errors, [])
    }
}
