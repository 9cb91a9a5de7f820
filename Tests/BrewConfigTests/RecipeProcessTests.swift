import BrewConfig
import BrewCore
import XCTest

/// The step kinds beyond the hot side's heat/rest/boil: whirlpool, transfers, sparging,
/// fermentation profiles and distillation runs — read into the model, with their mistakes caught.
final class RecipeProcessTests: XCTestCase {
    func recipe(_ body: String) -> String { "name = \"T\"\n\n[[steps]]\nname = \"S\"\n" + body }

    func load(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> Recipe {
        do { return try RecipeLoader.parse(text, file: "t.toml") } catch {
            XCTFail("\(error)", file: file, line: line)
            throw error
        }
    }

    // MARK: Whirlpool, transfer, sparge, addition types

    func testWhirlpoolHopStandWithAdditionsByTimeLeft() throws {
        let r = try load(recipe("""
        kind = "whirlpool"
        vessel = "kettle"
        temperature = "176 F"
        duration = "20 min"
        additions = [{ what = "Citra", amount = "100 g", type = "hop", at = "20 min" }, { what = "Mosaic", at = "5 min" }]
        """))
        guard case .whirlpool(let v, let d, let t, let additions) = r.steps[0].kind else { return XCTFail("\(r.steps[0].kind)") }
        XCTAssertEqual(v, .kettle)
        XCTAssertEqual(d, .minutes(20))
        XCTAssertEqual(try XCTUnwrap(t).value, 80, accuracy: 1e-9)
        XCTAssertEqual(additions, [Addition("Citra", amount: "100 g", at: .remaining(.minutes(20)), kind: .hop),
                                   Addition("Mosaic", at: .remaining(.minutes(5)))])
    }

    func testWhirlpoolRefusesBoilTimingsAndTimesBeyondIt() {
        let errors = recipeErrors(recipe("""
        kind = "whirlpool"
        vessel = "kettle"
        duration = "10 min"
        additions = [{ what = "Citra", at = "first wort" }, { what = "Mosaic", at = "15 min" }, { what = "X", type = "hopp", at = "1 min" }]
        """))
        XCTAssertEqual(errors.map(\.key), ["steps[0].additions[0].at", "steps[0].additions[1].at", "steps[0].additions[2].type"], "\(errors)")
        XCTAssertTrue(errors[0].message.contains("boil timing, not a time in the whirlpool"), errors[0].message)
        XCTAssertTrue(errors[1].message.contains("longer than the whirlpool (10 min)"), errors[1].message)
        XCTAssertEqual(errors[2].suggestion, "did you mean `hop`?")
    }

    func testMeteredTransferAndSparge() throws {
        let r = try load("""
        name = "T"
        [[steps]]
        name = "Move"
        kind = "transfer"
        from = "hlt"
        to = "mash tun"
        volume = "40 L"
        [[steps]]
        name = "Sparge"
        kind = "sparge"
        vessel = "mash_tun"
        volume = "35 L"
        collect = "62 L"
        """)
        XCTAssertEqual(r.steps[0].kind, .transfer(from: .hotLiquorTank, to: .mashTun, volume: Litres(40)))
        guard case .sparge(let s) = r.steps[1].kind else { return XCTFail() }
        XCTAssertEqual(s, Sparge(vessel: .mashTun, from: .hotLiquorTank, to: .kettle, water: Litres(35), collect: Litres(62), mode: .manual))
        XCTAssertEqual(s.actions, [.transfer(from: .hotLiquorTank, to: .mashTun, Litres(35)), .transfer(from: .mashTun, to: .kettle, Litres(62))])
        XCTAssertNotNil(r.steps[1].kind.manualPrompt, "a manual sparge waits for the brewer")
    }

    func testSpargeMistakes() {
        let errors = recipeErrors(recipe("""
        kind = "sparge"
        vessel = "mash_tun"
        from = "mash_tun"
        mode = "automatic"
        volume = "-3 L"
        """))
        XCTAssertEqual(errors.map(\.key), ["steps[0].from", "steps[0].mode", "steps[0].volume"], "every problem, in file order: \(errors)")
        XCTAssertEqual(errors.first { $0.key == "steps[0].mode" }?.suggestion, "did you mean `automated`?")
        let same = recipeErrors(recipe("kind = \"sparge\"\nvessel = \"mash_tun\"\nfrom = \"mash_tun\"\nvolume = \"30 L\"\n"))
        XCTAssertEqual(same.map(\.key), ["steps[0].from"])
    }

    // MARK: Fermentation

    let lager = """
    name = "Lager"
    [[steps]]
    name = "Ferment"
    kind = "ferment"
    vessel = "fermenter"
    alerts = [{ message = "Dry hop", at = "3 d" }]
    [[steps.stages]]
    name = "Primary"
    kind = "hold"
    temperature = "50 F"
    duration = "12 d"
    until = { gravity = "1.014", for = "24 h" }
    [[steps.stages]]
    name = "Cold crash"
    kind = "ramp"
    temperature = "1 C"
    duration = "36 h"
    """

    func testFermentationProfile() throws {
        let r = try load(lager)
        guard case .ferment(let v, let profile) = r.steps[0].kind else { return XCTFail() }
        XCTAssertEqual(v, .fermenter)
        XCTAssertEqual(profile.stages.count, 2)
        XCTAssertEqual(profile.stages[0].kind, .hold(Celsius(10)))
        XCTAssertEqual(profile.stages[0].duration, Seconds(12 * 86_400))
        XCTAssertEqual(profile.stages[0].until, .gravity(atOrBelow: SpecificGravity(1.014), stableFor: .hours(24)))
        XCTAssertEqual(profile.stages[1].kind, .ramp(to: Celsius(1)))
        XCTAssertEqual(profile.stages[1].duration, .hours(36))
        XCTAssertEqual(profile.alerts, [TimedAlert("Dry hop", at: Seconds(3 * 86_400))])
        XCTAssertEqual(profile.plannedDuration, Seconds(12 * 86_400 + 36 * 3600))
    }

    func testFermentationMistakesAllReported() {
        var text = lager.replacingOccurrences(of: "duration = \"36 h\"", with: "until = { gravity = \"1.010\" }")
        text = text.replacingOccurrences(of: "temperature = \"50 F\"", with: "temperature = \"45 C\"")
        text = text.replacingOccurrences(of: "at = \"3 d\"", with: "at = \"40 d\"")
        let errors = recipeErrors(text)
        let keys = errors.map(\.key)
        XCTAssertTrue(keys.contains("steps[0].stages[0].temperature"), "\(errors)")   // 45 °C: too hot to ferment
        XCTAssertTrue(keys.contains("steps[0].stages[1].until"), "\(errors)")          // until on a ramp
        XCTAssertTrue(keys.contains("steps[0].stages[1].duration"), "\(errors)")       // a ramp needs its duration
        let until = errors.first { $0.key == "steps[0].stages[1].until" }
        XCTAssertEqual(until.map { [$0.line, $0.column] }, [position(of: "until", in: text, after: "Cold crash").line, 1])
        // A stage at line … is reported where it is written.
        let hot = errors.first { $0.key == "steps[0].stages[0].temperature" }
        XCTAssertEqual(hot?.line, position(of: "\"45 C\"", in: text).line)
    }

    func testAlertAfterTheEndOfTheProfileAndBadGravity() {
        let errors = recipeErrors(lager.replacingOccurrences(of: "at = \"3 d\"", with: "at = \"40 d\"")
            .replacingOccurrences(of: "\"1.014\"", with: "\"1.5\""))
        XCTAssertEqual(Set(errors.map(\.key)), ["steps[0].stages[0].until.gravity"], "alerts are only checked once the stages are valid: \(errors)")
        let late = recipeErrors(lager.replacingOccurrences(of: "at = \"3 d\"", with: "at = \"40 d\""))
        XCTAssertEqual(late.map(\.key), ["steps[0].alerts[0].at"])
        XCTAssertTrue(late[0].message.contains("after the end of the fermentation"), late[0].message)
    }

    // MARK: Distillation

    let spirit = """
    name = "Spirit"
    [[steps]]
    name = "Run"
    kind = "distill"
    vessel = "still"
    run = "spirit"
    charge = "40 L"
    power = "55 %"
    equilibrate = "30 min"
    end = { head_temperature = "97 C" }
    [[steps.cuts]]
    fraction = "foreshots"
    until = { volume = "200 mL" }
    [[steps.cuts]]
    fraction = "heads"
    until = { head_temperature = "80 C" }
    [[steps.cuts]]
    fraction = "hearts"
    receiver = "jar 3"
    until = { head_temperature = "92.5 C" }
    [[steps.cuts]]
    fraction = "tails"
    """

    func testSpiritRun() throws {
        let r = try load(spirit)
        guard case .distill(let v, let run) = r.steps[0].kind else { return XCTFail() }
        XCTAssertEqual(v, .still)
        XCTAssertEqual(run.kind, .spirit)
        XCTAssertEqual(run.charge, Litres(40))
        XCTAssertEqual(run.heatUpPower, .full, "heat-up at full power unless written")
        XCTAssertEqual(run.runPower, Percent(55))
        XCTAssertEqual(run.equilibrate, .minutes(30))
        XCTAssertEqual(run.cuts, [Cut(.foreshots, receiver: "foreshots", until: .volume(Litres(0.2))),
                                  Cut(.heads, receiver: "heads", until: .headTemperature(Celsius(80))),
                                  Cut(.hearts, receiver: "jar 3", until: .headTemperature(Celsius(92.5))),
                                  Cut(.tails, receiver: "tails", until: nil)])
        XCTAssertEqual(run.end, .headTemperature(Celsius(97)))
        XCTAssertTrue(run.needsHeadTemperature)
        XCTAssertTrue(run.needsDistillateVolume)
    }

    func testCutMistakes() {
        // Heads by temperature after hearts' lower one, foreshots by temperature, a missing `until`.
        var text = spirit.replacingOccurrences(of: "until = { volume = \"200 mL\" }", with: "until = { head_temperature = \"60 C\" }")
        text = text.replacingOccurrences(of: "\"92.5 C\"", with: "\"78 C\"")
        let errors = recipeErrors(text)
        XCTAssertEqual(errors.map(\.key), ["steps[0].cuts[0].until"], "order is checked once each cut reads: \(errors)")
        XCTAssertTrue(errors[0].message.contains("foreshots are cut by volume"))

        let order = recipeErrors(spirit.replacingOccurrences(of: "\"92.5 C\"", with: "\"78 C\""))
        XCTAssertEqual(order.map(\.key), ["steps[0].cuts[2].until"])
        XCTAssertTrue(order[0].message.contains("not hotter than the cut before it"), order[0].message)

        let noForeshots = recipeErrors(spirit.replacingOccurrences(of: "fraction = \"foreshots\"\nuntil = { volume = \"200 mL\" }\n[[steps.cuts]]\n", with: ""))
        XCTAssertEqual(noForeshots.map(\.key), ["steps[0].cuts"])
        XCTAssertTrue(noForeshots[0].message.contains("must start with the foreshots"), noForeshots[0].message)

        let twoConditions = recipeErrors(spirit.replacingOccurrences(of: "end = { head_temperature = \"97 C\" }",
                                                                     with: "end = { head_temperature = \"97 C\", volume = \"9 L\" }"))
        XCTAssertEqual(twoConditions.map(\.key), ["steps[0].end"])
        XCTAssertTrue(twoConditions[0].message.contains("2 conditions"))
    }

    func testGinNeedsBotanicalsAndOnlyGinTakesThem() throws {
        let gin = spirit.replacingOccurrences(of: "run = \"spirit\"", with: "run = \"gin\"")
        let missing = recipeErrors(gin)
        XCTAssertEqual(missing.map(\.key), ["steps[0].botanicals"])
        let withBasket = gin.replacingOccurrences(of: "equilibrate = \"30 min\"", with: """
        botanicals = { method = "maceration", macerate = "24 h", items = [{ what = "Juniper", amount = "250 g" }] }
        """)
        guard case .distill(_, let run) = try load(withBasket).steps[0].kind else { return XCTFail() }
        XCTAssertEqual(run.botanicals, Botanicals(method: .maceration(.hours(24)), items: [.init("Juniper", amount: "250 g")]))
        let onSpirit = recipeErrors(withBasket.replacingOccurrences(of: "run = \"gin\"", with: "run = \"spirit\""))
        XCTAssertEqual(onSpirit.map(\.key), ["steps[0].botanicals"])
        XCTAssertEqual(onSpirit.first?.suggestion, "set run = \"gin\"")
    }

    // MARK: Fitting the rig

    func rig(_ vessels: [RigSpec.Vessel]) -> RigSpec {
        RigSpec(name: "Test rig", source: "rig.toml", backend: .simulated, buses: [], sensors: [], outputs: [], vessels: vessels)
    }

    func testFitFindsMissingStillSensorsAndReceiversAndCapacity() throws {
        let heater = RigSpec.Heater(output: "e", power: Watts(3000), tuning: .init(kp: 50, ti: Seconds(600)))
        var still = RigSpec.Vessel(id: "still", role: .still, name: "Pot still", capacity: Litres(30), temperatureSensor: "t", heater: heater)
        still.receivers = [.init(name: "foreshots"), .init(name: "heads"), .init(name: "hearts"), .init(name: "tails")]
        let recipe = try load(spirit)
        let problems = BrewPlan.check(recipe, on: rig([still])).errors.map(\.message)
        XCTAssertEqual(problems.count, 4, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("no condenser coolant flow sensor") })
        XCTAssertTrue(problems.contains { $0.contains("no `head_sensor`") })
        XCTAssertTrue(problems.contains { $0.contains("receiver `jar 3`") })
        XCTAssertTrue(problems.contains { $0.contains("charge of 40 L does not fit the Pot still, which holds 30 L") })

        still.capacity = Litres(50)
        still.coolantFlow = "c"
        still.headSensor = "h"
        let fixed = try load(spirit.replacingOccurrences(of: "receiver = \"jar 3\"", with: "receiver = \"hearts\""))
        XCTAssertEqual(BrewPlan.check(fixed, on: rig([still])).errors, [])
        // Checked, but not yet run: `run` refuses before switching anything on.
        XCTAssertThrowsError(try BrewPlan.bind(fixed, to: rig([still]))) { error in
            XCTAssertTrue("\(error)".contains("distillation runs are checked but not yet run"), "\(error)")
        }
    }

    func testFitFindsFermenterCoolingAndGravitySensor() throws {
        let belt = RigSpec.Heater(output: "belt", power: Watts(100), tuning: .init(kp: 50, ti: Seconds(3600)))
        var fermenter = RigSpec.Vessel(id: "fv", role: .fermenter, name: "Conical", capacity: Litres(60), temperatureSensor: "t", heater: belt)
        let recipe = try load(lager)
        let problems = BrewPlan.check(recipe, on: rig([fermenter])).errors.map(\.message)
        XCTAssertEqual(problems.count, 2, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("below the room's") && $0.contains("no cooling") })
        XCTAssertTrue(problems.contains { $0.contains("no gravity sensor") })
        fermenter.chillerValve = "glycol"
        fermenter.gravitySensor = "g"
        // The lager goes down to 1 °C: colder than the mains water, so the jacket runs on glycol.
        XCTAssertTrue(BrewPlan.check(recipe, on: rig([fermenter])).errors.allSatisfy { $0.message.contains("mains water") })
        fermenter.coolantTemperature = Celsius(-2)
        XCTAssertEqual(BrewPlan.check(recipe, on: rig([fermenter])).errors, [])
    }

    func testFitFindsOverfilledVesselsAndUnmeteredTransfers() throws {
        let heater = RigSpec.Heater(output: "e", power: Watts(3000), tuning: .init(kp: 50, ti: Seconds(600)))
        let hlt = RigSpec.Vessel(id: "hlt", role: .hotLiquorTank, name: "HLT", capacity: Litres(50), temperatureSensor: "a", heater: heater)
        let mash = RigSpec.Vessel(id: "mash", role: .mashTun, name: "Mash tun", capacity: Litres(50), temperatureSensor: "b", heater: nil)
        let r = try load("""
        name = "T"
        [[steps]]
        name = "Fill"
        kind = "confirm"
        message = "fill"
        actions = [{ action = "fill", vessel = "hlt", volume = "60 L" }]
        [[steps]]
        name = "Move"
        kind = "transfer"
        from = "hlt"
        to = "mash_tun"
        volume = "20 L"
        """)
        let problems = BrewPlan.check(r, on: rig([hlt, mash])).errors
        XCTAssertEqual(problems.map(\.step), [0, 1], "\(problems)")
        XCTAssertTrue(problems[0].message.contains("needs 60 L in the HLT, which holds 50 L"), problems[0].message)
        XCTAssertTrue(problems[1].message.contains("needs a pump and a flow meter on the HLT"), problems[1].message)
    }

    /// Rig-fit problems come back at the step's own line and column, like loader errors.
    func testFitErrorsCarryTheStepsPosition() throws {
        let text = "name = \"T\"\n\n# still\n[[steps]]\nname = \"Strip\"\nkind = \"distill\"\nvessel = \"still\"\nrun = \"stripping\"\npower = \"80 %\"\n"
            + "end = { head_temperature = \"98 C\" }\n[[steps.cuts]]\nfraction = \"low_wines\"\n"
        let located = try RecipeLoader.parseLocated(text, file: "strip.toml")
        let problems = BrewPlan.check(located.recipe, on: rig([])).errors
        XCTAssertEqual(problems.count, 1)
        let e = located.error(step: problems[0].step, problems[0].message)
        XCTAssertEqual([e.line, e.column], [4, 1])
        XCTAssertTrue(e.description.hasPrefix("strip.toml:4:1: error: steps[0]: step 1 (Strip) does not fit the rig: needs a still"), e.description)
    }
}
