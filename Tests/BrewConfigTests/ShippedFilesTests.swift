import BrewConfig
import BrewCore
import XCTest

/// The files shipped in Recipes/ and Hardware/ load into exactly the model their comments describe.
final class ShippedFilesTests: XCTestCase {
    func testIPALoads() throws {
        let recipe = try RecipeLoader.load(path: Repo.path("Recipes/ipa.toml"))
        XCTAssertEqual(recipe.name, "Club American IPA")
        XCTAssertEqual(recipe.style, "American IPA (BJCP 21A)")
        XCTAssertEqual(recipe.batchVolume, Litres(50))
        XCTAssertTrue(recipe.notes?.hasPrefix("Grain bill (13 kg): 11.5 kg pale ale malt") == true)
        XCTAssertTrue(recipe.notes?.contains("pitched at 19 °C.") == true)

        XCTAssertEqual(recipe.steps.map(\.kind.keyword), [
            "confirm", "heat", "confirm", "hold", "heat", "confirm", "rest", "rest", "off", "confirm", "off", "boil", "chill", "confirm",
        ])
        XCTAssertEqual(recipe.steps.map(\.name).first, "Fill the HLT")
        XCTAssertEqual(recipe.steps.map(\.name).last, "Into the fermenter")

        XCTAssertEqual(recipe.steps[0].kind, .confirm(message: "Fill the HLT with 78 L of water, then confirm",
                                                      actions: [.fill(.hotLiquorTank, Litres(78))]))
        XCTAssertEqual(recipe.steps[1].kind, .heat(.hotLiquorTank, to: Celsius(72.5)))
        XCTAssertEqual(recipe.steps[2].kind, .confirm(
            message: "Pump 40 L of strike water into the mash tun and start recirculating, then confirm",
            actions: [.transfer(from: .hotLiquorTank, to: .mashTun, Litres(40))]))
        XCTAssertEqual(recipe.steps[3].kind, .hold(.hotLiquorTank, at: Celsius(77)))
        XCTAssertEqual(recipe.steps[4].kind, .heat(.mashTun, to: Celsius(72.5)))
        XCTAssertEqual(recipe.steps[5].name, "Dough in")
        if case .confirm(_, let actions) = recipe.steps[5].kind {
            XCTAssertEqual(actions, [.addGrain(.mashTun, Kilograms(13))])
        } else {
            XCTFail("dough in should be a confirm step")
        }
        XCTAssertEqual(recipe.steps[6].kind, .rest(.mashTun, at: Celsius(66.5), duration: .minutes(60)))
        XCTAssertEqual(recipe.steps[6].name, "Saccharification rest")
        XCTAssertEqual(recipe.steps[7].kind, .rest(.mashTun, at: Celsius(76), duration: .minutes(10)))
        XCTAssertEqual(recipe.steps[8].kind, .off(.mashTun))
        if case .confirm(_, let actions) = recipe.steps[9].kind {
            XCTAssertEqual(actions, [.transfer(from: .mashTun, to: .kettle, Litres(27)), .transfer(from: .hotLiquorTank, to: .kettle, Litres(35))])
        } else {
            XCTFail("lauter should be a confirm step")
        }
        XCTAssertEqual(recipe.steps[10].kind, .off(.hotLiquorTank))

        guard case .boil(let vessel, let duration, let additions, let power) = recipe.steps[11].kind else {
            return XCTFail("step 12 should be the boil")
        }
        XCTAssertEqual(vessel, .kettle)
        XCTAssertEqual(duration, .minutes(60))
        XCTAssertNil(power)
        XCTAssertEqual(additions.map(\.what), ["Columbus (first wort)", "Magnum", "Citra", "Whirlfloc", "Citra", "Citra and Mosaic"])
        XCTAssertEqual(additions.map(\.amount), ["20 g", "40 g", "30 g", "1 tablet", "50 g", "60 g each"])
        XCTAssertEqual(additions.map(\.timing), [.firstWort, .remaining(.minutes(60)), .remaining(.minutes(15)), .remaining(.minutes(15)),
                                                 .remaining(.minutes(5)), .flameout])
        XCTAssertEqual(additions[2].instruction, "Add 30 g Citra")

        XCTAssertEqual(recipe.steps[12].kind, .chill(.kettle, to: Celsius(19)))
        XCTAssertEqual(recipe.steps[13].kind, .confirm(message: "Run the wort into the fermenter, aerate it and pitch the yeast, then confirm",
                                                       actions: []))
    }

    func testHefeweizenLoads() throws {
        let recipe = try RecipeLoader.load(path: Repo.path("Recipes/hefeweizen.toml"))
        XCTAssertEqual(recipe.name, "Club Hefeweizen")
        XCTAssertEqual(recipe.style, "Weissbier (BJCP 10A)")
        XCTAssertEqual(recipe.batchVolume, Litres(50))
        XCTAssertEqual(recipe.steps.count, 18)
        XCTAssertEqual(recipe.steps.map(\.kind.keyword), [
            "confirm", "heat", "confirm", "hold", "heat", "confirm", "rest", "ramp", "rest", "rest", "rest", "rest", "off", "confirm",
            "off", "boil", "chill", "confirm",
        ])
        XCTAssertEqual(recipe.steps[0].kind, .confirm(message: "Fill the HLT with 75 L of water, then confirm",
                                                      actions: [.fill(.hotLiquorTank, Litres(75))]))
        XCTAssertEqual(recipe.steps[1].kind, .heat(.hotLiquorTank, to: Celsius(47)))
        if case .confirm(_, let actions) = recipe.steps[5].kind {
            XCTAssertEqual(actions, [.addGrain(.mashTun, Kilograms(10.5))])
        } else {
            XCTFail("dough in should be a confirm step")
        }
        // The step mash.
        XCTAssertEqual(recipe.steps[6].kind, .rest(.mashTun, at: Celsius(44), duration: .minutes(15)))
        XCTAssertEqual(recipe.steps[7].kind, .ramp(.mashTun, to: Celsius(52), duration: .minutes(10)))
        XCTAssertEqual(recipe.steps[7].name, "Ramp to protein rest")
        XCTAssertEqual(recipe.steps[8].kind, .rest(.mashTun, at: Celsius(52), duration: .minutes(10)))
        XCTAssertEqual(recipe.steps[9].kind, .rest(.mashTun, at: Celsius(63), duration: .minutes(35)))
        XCTAssertEqual(recipe.steps[10].kind, .rest(.mashTun, at: Celsius(72), duration: .minutes(20)))
        XCTAssertEqual(recipe.steps[11].kind, .rest(.mashTun, at: Celsius(77), duration: .minutes(10)))
        if case .confirm(_, let actions) = recipe.steps[13].kind {
            XCTAssertEqual(actions, [.transfer(from: .mashTun, to: .kettle, Litres(27)), .transfer(from: .hotLiquorTank, to: .kettle, Litres(33))])
        } else {
            XCTFail("lauter should be a confirm step")
        }
        XCTAssertEqual(recipe.steps[15].kind, .boil(.kettle, duration: .minutes(70), additions: [
            Addition("Hallertauer Mittelfrüh", amount: "60 g", at: .remaining(.minutes(60))),
            Addition("Yeast nutrient", amount: "1 tsp", at: .remaining(.minutes(10))),
        ], power: nil))
        XCTAssertEqual(recipe.steps[16].kind, .chill(.kettle, to: Celsius(17)))
    }

    func testSimulatedRigLoads() throws {
        let path = Repo.path("Hardware/sim.toml")
        let rig = try HardwareLoader.load(path: path)
        XCTAssertEqual(rig.name, "Simulated club brewery")
        XCTAssertEqual(rig.source, path)
        XCTAssertEqual(rig.backend, .simulated)
        XCTAssertEqual(rig.simulationSeed, 2026)

        XCTAssertEqual(rig.site.altitude, Metres(120))
        XCTAssertEqual(rig.site.ambient, Celsius(18))
        XCTAssertEqual(rig.site.mainsWater, Celsius(12))
        XCTAssertEqual(rig.site.boilingPoint.value, 99.6, accuracy: 0.1)

        XCTAssertEqual(rig.control.tick.value, 0.1, accuracy: 1e-12)
        XCTAssertEqual(rig.control.samplePeriod, Seconds(1))
        XCTAssertEqual(rig.control.staleAfter, Seconds(5))

        XCTAssertEqual(rig.buses, [RigSpec.Bus(id: "i2c", kind: .i2c(adapter: 1)), RigSpec.Bus(id: "gpio", kind: .gpio(chip: "gpiochip0"))])
        XCTAssertEqual(rig.sensors, [
            RigSpec.Sensor(id: "hlt_probe", part: .mcp9808, bus: "i2c", address: 0x18),
            RigSpec.Sensor(id: "mash_probe", part: .mcp9808, bus: "i2c", address: 0x19),
            RigSpec.Sensor(id: "kettle_probe", part: .mcp9808, bus: "i2c", address: 0x1A),
            RigSpec.Sensor(id: "hlt_level", part: .levelSwitch, bus: "gpio", connection: .levelSwitch(line: 5, activeLow: false, wetWhen: .closed),
                           quantity: .level),
            RigSpec.Sensor(id: "mash_flow", part: .pulseFlowMeter, bus: "gpio", connection: .pulses(line: 6, pulsesPerLitre: 450), quantity: .flow),
            RigSpec.Sensor(id: "kettle_level", part: .levelSwitch, bus: "gpio", connection: .levelSwitch(line: 13, activeLow: false, wetWhen: .closed),
                           quantity: .level),
        ])
        XCTAssertEqual(rig.outputs, [
            RigSpec.Output(id: "hlt_element", kind: .heater, bus: "gpio", line: 17),
            RigSpec.Output(id: "rims_element", kind: .heater, bus: "gpio", line: 27),
            RigSpec.Output(id: "mash_pump", kind: .pump, bus: "gpio", line: 22),
            RigSpec.Output(id: "kettle_element", kind: .heater, bus: "gpio", line: 23),
            RigSpec.Output(id: "chiller_valve", kind: .valve, bus: "gpio", line: 24),
        ])

        XCTAssertEqual(rig.vessels.map(\.id), ["hlt", "mash_tun", "kettle"])
        XCTAssertEqual(rig.vessels.map(\.role), [.hotLiquorTank, .mashTun, .kettle])
        XCTAssertEqual(rig.vessels.map(\.name), ["HLT", "Mash tun", "Kettle"])
        XCTAssertEqual(rig.vessels.map(\.capacity), [Litres(100), Litres(100), Litres(120)])
        XCTAssertEqual(rig.vessels.map(\.temperatureSensor), ["hlt_probe", "mash_probe", "kettle_probe"])
        XCTAssertEqual(rig.vessels.map(\.maxTemperature), [Celsius(95), Celsius(80), Celsius(105)])
        XCTAssertEqual(rig.vessels.map(\.recirculationPump), [nil, "mash_pump", nil])
        XCTAssertEqual(rig.vessels.map(\.chillerValve), [nil, nil, "chiller_valve"])

        let hlt = try XCTUnwrap(rig.vessel(for: .hotLiquorTank)?.heater)
        XCTAssertEqual(hlt, RigSpec.Heater(output: "hlt_element", power: Watts(5500), window: Seconds(2),
                                           tuning: RigSpec.Tuning(kp: 60, ti: Seconds(2400), td: .zero)))
        let rims = try XCTUnwrap(rig.vessel(for: .mashTun)?.heater)
        XCTAssertEqual(rims.output, "rims_element")
        XCTAssertEqual(rims.power, Watts(3500))
        XCTAssertEqual(rims.tuning, RigSpec.Tuning(kp: 60, ti: Seconds(2400), td: .zero))
        let kettle = try XCTUnwrap(rig.vessel(for: .kettle)?.heater)
        XCTAssertEqual(kettle.output, "kettle_element")
        XCTAssertEqual(kettle.power, Watts(9000))
        XCTAssertEqual(kettle.boilPower, Percent(65))
        XCTAssertEqual(kettle.maximumDuty, .full)
        XCTAssertEqual(kettle.minimumOn, .zero)
        XCTAssertEqual(kettle.tuning.ti, Seconds(900))

        XCTAssertEqual(rig.vessel(for: .hotLiquorTank)?.simulation, RigSpec.Simulation(
            emptyHeatCapacity: 20_000, heatLoss: 4, heaterEfficiency: 0.98, sensorLag: Seconds(8), sensorDeadTime: Seconds(3),
            sensorNoise: Kelvin(0.03), chillerTransfer: 0, initialVolume: .zero))
        XCTAssertEqual(rig.vessel(for: .mashTun)?.simulation, RigSpec.Simulation(
            emptyHeatCapacity: 15_000, heatLoss: 3, heaterEfficiency: 0.97, sensorLag: Seconds(6), sensorDeadTime: Seconds(8),
            sensorNoise: Kelvin(0.03), chillerTransfer: 0, initialVolume: .zero))
        XCTAssertEqual(rig.vessel(for: .kettle)?.simulation, RigSpec.Simulation(
            emptyHeatCapacity: 25_000, heatLoss: 15, heaterEfficiency: 0.98, sensorLag: Seconds(6), sensorDeadTime: Seconds(2),
            sensorNoise: Kelvin(0.03), chillerTransfer: 700, initialVolume: .zero))
    }

    /// The shipped recipes fit the shipped rig (the check brewctl runs before switching anything on).
    func testShippedRecipesBindToTheSimulatedRig() throws {
        let rig = try HardwareLoader.load(path: Repo.path("Hardware/sim.toml"))
        for file in ["Recipes/ipa.toml", "Recipes/hefeweizen.toml"] {
            let recipe = try RecipeLoader.load(path: Repo.path(file))
            do {
                let plan = try BrewPlan.bind(recipe, to: rig)
                XCTAssertEqual(plan.stepVessel.count, recipe.steps.count, file)
            } catch {
                XCTFail("\(file): \(error)")
            }
        }
    }

    /// The rig each shipped recipe is written for. Every recipe in Recipes/ must be listed.
    static let recipeRigs: [String: String] = [
        "ipa.toml": "sim.toml", "hefeweizen.toml": "sim.toml", "dry-stout.toml": "sim.toml",
        "lager.toml": "club-brewery.toml", "whisky-wash.toml": "club-brewery.toml",
        "stripping-run.toml": "pot-still.toml", "whisky-spirit-run.toml": "pot-still.toml", "gin.toml": "pot-still.toml",
    ]

    /// `brewctl validate` on every shipped recipe against its rig: loads, and fits, with nothing to report.
    func testEveryShippedRecipeFitsTheRigItIsWrittenFor() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repo.path("Recipes")).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertEqual(Set(files), Set(Self.recipeRigs.keys), "every recipe has a rig here, and every listed recipe exists")
        var kinds: Set<String> = []
        for file in files {
            let rigFile = try XCTUnwrap(Self.recipeRigs[file])
            let rig = try HardwareLoader.load(path: Repo.path("Hardware/" + rigFile))
            let located = try RecipeLoader.loadLocated(path: Repo.path("Recipes/" + file))
            let review = BrewPlan.review(located.recipe, on: rig)
            XCTAssertEqual(review.errors, [], "\(file) on \(rigFile)")
            XCTAssertEqual(review.warnings, [], "\(file) on \(rigFile): a shipped recipe has nothing to warn about either")
            kinds.formUnion(located.recipe.steps.map(\.kind.keyword))
            // And it does not fit a rig without the vessels it needs: the check is not vacuous.
            if rigFile != "sim.toml" {
                let sim = try HardwareLoader.load(path: Repo.path("Hardware/sim.toml"))
                XCTAssertFalse(BrewPlan.check(located.recipe, on: sim).errors.isEmpty, "\(file) should not fit the simulated brewery")
            }
        }
        // Between them the shipped recipes use every kind of step but the metered transfer (no
        // shipped rig meters a transfer; RecipeProcessTests covers it).
        XCTAssertTrue(kinds.isSuperset(of: ["heat", "rest", "ramp", "hold", "off", "boil", "chill", "confirm", "whirlpool", "sparge", "ferment", "distill"]),
                      "\(kinds)")
    }

    /// Loading by path and parsing the same text give the same model.
    func testLoadEqualsParse() throws {
        let path = Repo.path("Recipes/ipa.toml")
        XCTAssertEqual(try RecipeLoader.load(path: path), try RecipeLoader.parse(Repo.text("Recipes/ipa.toml"), file: path))
        let hw = Repo.path("Hardware/sim.toml")
        XCTAssertEqual(try HardwareLoader.load(path: hw), try HardwareLoader.parse(Repo.text("Hardware/sim.toml"), file: hw))
    }
}
