import BrewConfig
import BrewCore
import XCTest

/// The hardware keys the plan's limits read (`coolant_temperature`, `min_pump_volume`), and the
/// limits' problems placed at the step's line and column like every other recipe problem.
final class RigLimitTests: XCTestCase {
    private func sim(adding lines: String, after anchor: String) throws -> String {
        let text = try Repo.text("Hardware/sim.toml")
        let r = try XCTUnwrap(text.range(of: anchor), "\(anchor) in sim.toml")
        return text.replacingCharacters(in: r, with: anchor + "\n" + lines)
    }

    func testCoolantTemperatureAndPumpMinimumLoadWithTheirDefaults() throws {
        let plain = try HardwareLoader.parse(Repo.text("Hardware/sim.toml"), file: "sim.toml")
        let kettle = try XCTUnwrap(plain.vessel(for: .kettle))
        XCTAssertNil(kettle.coolantTemperature)
        XCTAssertEqual(plain.coolant(of: kettle), Celsius(12), "without its own coolant a vessel is chilled with the mains water")
        XCTAssertNil(plain.vessel(for: .mashTun)?.minPumpVolume)

        var text = try sim(adding: "coolant_temperature = \"2 C\"", after: "chiller_valve = \"chiller_valve\"")
        text = text.replacingOccurrences(of: "min_flow = \"3 L/min\"", with: "min_flow = \"3 L/min\"\nmin_pump_volume = \"12 L\"")
        let rig = try HardwareLoader.parse(text, file: "sim.toml")
        XCTAssertEqual(rig.vessel(for: .kettle).map { rig.coolant(of: $0) }, Celsius(2))
        XCTAssertEqual(rig.vessel(for: .mashTun)?.minPumpVolume, Litres(12))
    }

    func testCoolantAndPumpKeysAreCheckedWhereTheyAreWritten() throws {
        // Out of range, and on a vessel without what they describe (the HLT has no chiller, no pump).
        let text = try sim(adding: "coolant_temperature = \"80 C\"\nmin_pump_volume = \"5 L\"", after: "max_temperature = \"95 C\"")
        let errors = hardwareErrors(text)
        XCTAssertEqual(errors.count, 2, "\(errors)")
        let coolant = try XCTUnwrap(errors.first { $0.key.hasSuffix("coolant_temperature") })
        XCTAssertEqual([coolant.line, coolant.column], [position(of: "coolant_temperature", in: text).line, 23], coolant.description)
        XCTAssertTrue(coolant.message.contains("too high"), coolant.description)
        let pump = try XCTUnwrap(errors.first { $0.key.hasSuffix("min_pump_volume") })
        XCTAssertTrue(pump.message.contains("applies to a vessel with a `recirculation_pump` or a `pump`"), pump.description)
        XCTAssertEqual(pump.column, 1, "placed at the key")

        let noValve = try sim(adding: "coolant_temperature = \"2 C\"", after: "max_temperature = \"95 C\"")
        let e = hardwareErrors(noValve)
        XCTAssertEqual(e.count, 1, "\(e)")
        XCTAssertTrue(e.first?.message.contains("applies to a vessel with a `chiller_valve`") ?? false, "\(e)")
    }

    /// Each of the four classes at the line of its step, an error; a warning in the same format.
    func testLimitProblemsArePlacedAtTheirStep() throws {
        var hw = try sim(adding: "min_pump_volume = \"15 L\"", after: "min_flow = \"3 L/min\"                # less than this through the RIMS tube is no flow")
        hw = hw.replacingOccurrences(of: "min_volume = \"15 L\"\nmax_temperature = \"105 C\"", with: "min_volume = \"25 L\"\nmax_temperature = \"105 C\"")
        let rig = try HardwareLoader.parse(hw, file: "sim.toml")
        let recipe = """
        name = "Imported"

        [[steps]]
        name = "Fill"
        kind = "confirm"
        message = "Fill"
        actions = [{ action = "fill", vessel = "mash_tun", volume = "8 L" }, { action = "fill", vessel = "kettle", volume = "20 L" }]

        [[steps]]
        name = "Mash"
        kind = "rest"
        vessel = "mash_tun"
        temperature = "85 C"
        duration = "60 min"

          [[steps]]
          name = "Boil"
          kind = "boil"
          vessel = "kettle"
          duration = "60 min"

        [[steps]]
        name = "Chill"
        kind = "chill"
        vessel = "kettle"
        temperature = "10 C"

        [[steps]]
        name = "Mash again"
        kind = "rest"
        vessel = "mash_tun"
        temperature = "79 C"
        duration = "1 min"
        """
        let located = try RecipeLoader.parseLocated(recipe, file: "imported.toml")
        let review = BrewPlan.review(located.recipe, on: rig)
        let errors = review.errors.map { located.error(step: $0.step, $0.message) }
        // Each step's `[[steps]]` header is the line above its name.
        let at = { (name: String) in position(of: "name = \"\(name)\"", in: recipe).line - 1 }
        XCTAssertEqual(errors.map(\.line), [at("Mash"), at("Mash"), at("Boil"), at("Chill"), at("Mash again")], errors.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(errors[0].description.hasPrefix("imported.toml:\(at("Mash")):1: error: steps[1]: step 2 (Mash) does not fit the rig: the rest at 85.0 °C"), errors[0].description)
        XCTAssertTrue(errors[1].message.contains("`min_pump_volume`"), errors[1].description)
        XCTAssertEqual(errors[2].column, 3, "the indented step's own column")
        XCTAssertTrue(errors[2].message.contains("`min_volume`"), errors[2].description)
        XCTAssertTrue(errors[3].message.contains("mains water"), errors[3].description)
        // The last rest is only close to the mash tun's limit: a warning, in the same format.
        XCTAssertEqual(review.warnings.count, 1, "\(review.warnings)")
        let w = located.warning(step: review.warnings[0].step, review.warnings[0].message)
        XCTAssertTrue(w.description.hasPrefix("imported.toml:\(at("Mash again")):1: warning: steps[4]: step 5 (Mash again): the rest at 79.0 °C is within 2 K"),
                      w.description)
    }
}
