import BrewConfig
import BrewCore
import XCTest

/// Quantities with units, as a brewer writes them, through the public loaders.
final class QuantityTests: XCTestCase {
    func rest(temperature: String = "66", duration: String = "\"60 min\"") throws -> (Celsius, Seconds) {
        let text = """
        name = "T"
        [[steps]]
        name = "R"
        kind = "rest"
        vessel = "mash_tun"
        temperature = \(temperature)
        duration = \(duration)
        """
        let recipe = try RecipeLoader.parse(text, file: "t.toml")
        guard case .rest(_, let t, let d) = recipe.steps[0].kind else { throw ConfigErrors(errors: []) }
        return (t, d)
    }

    func temperature(_ literal: String) throws -> Double { try rest(temperature: literal).0.value }
    func duration(_ literal: String) throws -> Double { try rest(duration: literal).1.value }

    func testCelsiusIsTheDefault() throws {
        XCTAssertEqual(try temperature("66"), 66)
        XCTAssertEqual(try temperature("66.5"), 66.5)
        XCTAssertEqual(try temperature("\"66\""), 66)
        XCTAssertEqual(try temperature("\"66 C\""), 66)
        XCTAssertEqual(try temperature("\"66C\""), 66)
        XCTAssertEqual(try temperature("\"66 °C\""), 66)
        XCTAssertEqual(try temperature("\"66°C\""), 66)
        XCTAssertEqual(try temperature("\"66 ° C\""), 66)
        XCTAssertEqual(try temperature("\"66.5 C\""), 66.5)
        XCTAssertEqual(try temperature("\"  67 C  \""), 67)
    }

    func testFahrenheitOnlyWhenWritten() throws {
        XCTAssertEqual(try temperature("\"152 F\""), (152 - 32) * 5 / 9, accuracy: 1e-9)
        XCTAssertEqual(try temperature("\"152 °F\""), 66.666_666, accuracy: 1e-5)
        XCTAssertEqual(try temperature("\"152°F\""), 66.666_666, accuracy: 1e-5)
        XCTAssertEqual(try temperature("\"212 F\""), 100, accuracy: 1e-9)
        XCTAssertEqual(try temperature("\"50 F\""), 10, accuracy: 1e-9)
        // A bare 152 is 152 °C: too hot for a rest, not silently 66.7 °C.
        XCTAssertThrowsError(try temperature("152"))
        // Only durations come in several parts.
        XCTAssertThrowsError(try temperature("\"66 C 1 C\"")) { error in
            XCTAssertEqual((error as? ConfigErrors)?.errors.first?.message,
                           "\"66 C 1 C\" has more than one part; only durations can be written like \"1 h 30 min\"")
        }
    }

    func testDurationsNeedUnits() throws {
        XCTAssertEqual(try duration("\"60 min\""), 3600)
        XCTAssertEqual(try duration("\"90 s\""), 90)
        XCTAssertEqual(try duration("\"1500 ms\""), 1.5)
        XCTAssertEqual(try duration("\"1.5 h\""), 5400)
        XCTAssertEqual(try duration("\"1 h 30 min\""), 5400)
        XCTAssertEqual(try duration("\"1h30min\""), 5400)
        XCTAssertEqual(try duration("\"2 min 30 s\""), 150)
        XCTAssertEqual(try duration("\"3 d\""), 3 * 86_400)
        XCTAssertEqual(try duration("\"45 minutes\""), 2700)
        XCTAssertEqual(try duration("\"1 hour\""), 3600)
        XCTAssertThrowsError(try duration("60"))
        XCTAssertThrowsError(try duration("\"60\""))
        XCTAssertThrowsError(try duration("\"1 h 30\""))
    }

    func testOtherUnitsInTheHardwareFile() throws {
        let text = """
        name = "Units"
        [site]
        altitude = "1000 ft"
        ambient = 21
        mains_water = "50 F"
        [control]
        tick = "250 ms"
        sample_period = "2 s"
        stale_after = "0.5 min"
        [buses.i2c]
        type = "i2c"
        adapter = 0
        [buses.gpio]
        type = "gpio"
        chip = "pinctrl-bcm2711"
        [sensors.p]
        type = "mcp9808"
        bus = "i2c"
        address = 0x1F
        offset = "-0.25 K"
        [outputs.e]
        type = "heater"
        bus = "gpio"
        line = 5
        active_low = true
        [vessels.k]
        role = "boil kettle"
        capacity = "50000 mL"
        sensor = "p"
        max_temperature = "221 F"
        [vessels.k.heater]
        output = "e"
        power = "5.5 kW"
        window = "4 s"
        minimum_on = "200 ms"
        minimum_off = "0.3 s"
        maximum_duty = 90
        boil_power = "70%"
        pid = { kp = "45 %/K", ti = "15 min" }
        [vessels.k.simulation]
        empty_heat_capacity = 12000
        heat_loss = "0.01 kW/K"
        heater_efficiency = "95 %"
        sensor_lag = "2 s"
        sensor_dead_time = "500 ms"
        sensor_noise = "50 mK"
        chiller_transfer = "1.2 kW/K"
        initial_volume = "20 L"
        """
        let rig = try HardwareLoader.parse(text, file: "units.toml")
        XCTAssertEqual(rig.backend, .simulated)  // the default
        XCTAssertEqual(rig.simulationSeed, 1)  // the default
        XCTAssertEqual(rig.site.altitude.value, 304.8, accuracy: 1e-9)
        XCTAssertEqual(rig.site.ambient, Celsius(21))
        XCTAssertEqual(rig.site.mainsWater.value, 10, accuracy: 1e-9)
        XCTAssertEqual(rig.control.tick.value, 0.25, accuracy: 1e-12)
        XCTAssertEqual(rig.control.samplePeriod, Seconds(2))
        XCTAssertEqual(rig.control.staleAfter, Seconds(30))
        XCTAssertEqual(rig.buses[1].kind, .gpio(chip: "pinctrl-bcm2711"))
        XCTAssertEqual(rig.sensors[0].offset.value, -0.25, accuracy: 1e-12)
        XCTAssertEqual(rig.sensors[0].address, 31)
        XCTAssertTrue(rig.outputs[0].activeLow)
        let kettle = try XCTUnwrap(rig.vessels.first)
        XCTAssertEqual(kettle.role, .kettle)
        XCTAssertEqual(kettle.name, "Kettle")  // from the role when `name` is left out
        XCTAssertEqual(kettle.capacity.value, 50, accuracy: 1e-9)
        XCTAssertEqual(kettle.maxTemperature.value, 105, accuracy: 1e-9)
        let heater = try XCTUnwrap(kettle.heater)
        XCTAssertEqual(heater.power, Watts(5500))
        XCTAssertEqual(heater.window, Seconds(4))
        XCTAssertEqual(heater.minimumOn.value, 0.2, accuracy: 1e-12)
        XCTAssertEqual(heater.minimumOff.value, 0.3, accuracy: 1e-12)
        XCTAssertEqual(heater.maximumDuty, Percent(90))
        XCTAssertEqual(heater.boilPower, Percent(70))
        XCTAssertEqual(heater.tuning, RigSpec.Tuning(kp: 45, ti: Seconds(900), td: .zero))
        let sim = try XCTUnwrap(kettle.simulation)
        XCTAssertEqual(sim.emptyHeatCapacity, 12_000)
        XCTAssertEqual(sim.heatLoss, 10, accuracy: 1e-9)
        XCTAssertEqual(sim.heaterEfficiency, 0.95, accuracy: 1e-12)
        XCTAssertEqual(sim.sensorDeadTime.value, 0.5, accuracy: 1e-12)
        XCTAssertEqual(sim.sensorNoise.value, 0.05, accuracy: 1e-12)
        XCTAssertEqual(sim.chillerTransfer, 1200, accuracy: 1e-9)
        XCTAssertEqual(sim.initialVolume, Litres(20))
    }

    func testVolumesMassesAndPercentInARecipe() throws {
        let text = """
        name = "T"
        batch_volume = 23
        [[steps]]
        name = "Fill"
        kind = "confirm"
        message = "Fill"
        actions = [
          { action = "fill", vessel = "HLT", volume = "500 mL" },
          { action = "add grain", vessel = "mash", mass = "500 g" },
          { action = "transfer", from = "hlt", to = "fv", volume = 12.5 },
        ]
        [[steps]]
        name = "Boil"
        kind = "boil"
        vessel = "kettle"
        duration = "90 min"
        power = "80 %"
        """
        let recipe = try RecipeLoader.parse(text, file: "t.toml")
        XCTAssertEqual(recipe.batchVolume, Litres(23))
        XCTAssertEqual(recipe.steps[0].kind, .confirm(message: "Fill", actions: [
            .fill(.hotLiquorTank, Litres(0.5)), .addGrain(.mashTun, Kilograms(0.5)), .transfer(from: .hotLiquorTank, to: .fermenter, Litres(12.5)),
        ]))
        XCTAssertEqual(recipe.steps[1].kind, .boil(.kettle, duration: .minutes(90), additions: [], power: Percent(80)))
    }
}
