import BrewConfig
import BrewCore
import BrewLog
import BrewProcess
import BrewRuntime
import BrewSim
import Foundation
import XCTest

/// Whole brew days on the simulated club brewery, on a virtual clock, as fast as they go: every
/// shipped recipe that runs on it (the IPA, the Hefeweizen, the dry stout) is brewed to the end.
final class BrewDayTests: XCTestCase {
    struct Day {
        var recipe: Recipe
        var plan: BrewPlan
        var result: BatchRunner.Result
        var console: RecordingConsole
        var log: BatchLog
        var runner: BatchRunner
        /// The simulated brewery it was brewed on: its plant is the physical truth.
        var brewery: SimulatedBrewery
    }

    // XCTest runs a class's tests one after another on one thread.
    nonisolated(unsafe) private static var days: [String: Day] = [:]

    /// Brews a recipe once and shares the result between the tests that only inspect it.
    private func brewed(_ path: String) throws -> Day {
        if let day = Self.days[path] { return day }
        let day = try brew(recipe: path)
        Self.days[path] = day
        return day
    }

    private func brewIPA() throws -> Day { try brewed("Recipes/ipa.toml") }

    private static func simulatedBrewery() throws -> RigSpec { try HardwareLoader.load(path: shipped("Hardware/sim.toml")) }

    private func brew(recipe path: String, script: [(Seconds, OperatorInput)] = [],
                      prepare: (SimulatedBrewery, BrewPlan) -> Void = { _, _ in }) throws -> Day {
        let rig = try Self.simulatedBrewery()
        let recipe = try RecipeLoader.load(path: shipped(path))
        let plan = try BrewPlan.bind(recipe, to: rig)
        let console = RecordingConsole()
        console.script = script.map { ($0.0, $0.1) }
        let log = try BatchLog.inMemory()
        let brewery = try SimulatedBrewery(rig: rig)
        prepare(brewery, plan)
        let runner = BatchRunner(plan: plan, backend: brewery, log: log, clock: SimulationClock(speed: nil),
                                 console: console,
                                 options: .init(brewer: "ci", autoConfirm: true, recipePath: path, hardwarePath: "Hardware/sim.toml",
                                                speedLabel: "fast", startedAt: Date(timeIntervalSince1970: 1_790_000_000)))
        let result = runner.run()
        return Day(recipe: recipe, plan: plan, result: result, console: console, log: log, runner: runner, brewery: brewery)
    }

    /// Completed, every step once and in order, a brew day's length, no alarm, every output off.
    private func assertCompletesCleanly(_ day: Day, file: StaticString = #filePath, line: UInt = #line) {
        let name = day.recipe.name
        XCTAssertEqual(day.result.outcome, .completed, name, file: file, line: line)
        XCTAssertTrue(day.console.finished, name, file: file, line: line)
        let started = day.console.events.filter { $0.event.kind == .stepStarted }.compactMap(\.event.step)
        XCTAssertEqual(started, Array(day.recipe.steps.indices), "\(name): each step once, in order", file: file, line: line)
        // A brew day of a few hours of brew time, not minutes and not a day.
        XCTAssertGreaterThan(day.result.brewTime.value, 3 * 3600, name, file: file, line: line)
        XCTAssertLessThan(day.result.brewTime.value, 8 * 3600, name, file: file, line: line)
        let alarms = day.console.events.filter { $0.event.kind == .alarm }.map(\.event.message)
        XCTAssertTrue(alarms.isEmpty, "\(name): no alarms on a clean run: \(alarms)", file: file, line: line)
        let notes = day.console.events.filter { $0.event.message.hasPrefix("Simulated brewery:") }.map(\.event.message)
        XCTAssertTrue(notes.isEmpty, "\(name): the operator's actions went as the recipe says: \(notes)", file: file, line: line)
        assertEverythingOff(day.brewery, name, file: file, line: line)
    }

    /// Every heater, pump and chiller valve off as the physics sees them (the outputs themselves,
    /// not the controller's wishes).
    private func assertEverythingOff(_ brewery: SimulatedBrewery, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for vessel in brewery.plant.vessels {
            XCTAssertFalse(vessel.heaterOn, "\(what): \(vessel.name) heater", file: file, line: line)
            XCTAssertFalse(vessel.pumpOn, "\(what): \(vessel.name) pump", file: file, line: line)
            XCTAssertFalse(vessel.chillerOpen, "\(what): \(vessel.name) chiller", file: file, line: line)
        }
    }

    /// The README promises CI brews every recipe written for the simulated brewery: each shipped
    /// recipe that fits it is brewed here, not only validated.
    func testEveryShippedRecipeForTheSimulatedBreweryBrewsToTheEnd() throws {
        let rig = try Self.simulatedBrewery()
        let files = try FileManager.default.contentsOfDirectory(atPath: shipped("Recipes")).filter { $0.hasSuffix(".toml") }.sorted()
        var brewedHere: [String] = []
        for file in files {
            let path = "Recipes/\(file)"
            let recipe = try RecipeLoader.load(path: shipped(path))
            guard (try? BrewPlan.bind(recipe, to: rig)) != nil else { continue }   // written for another rig
            let day = try brewed(path)
            assertCompletesCleanly(day)
            XCTAssertGreaterThanOrEqual(try assertRestsHold(day), 1, "\(path): a mash with at least one rest")
            try assertBoils(day)
            try assertChills(day)
            brewedHere.append(file)
        }
        XCTAssertTrue(Set(brewedHere).isSuperset(of: ["ipa.toml", "hefeweizen.toml", "dry-stout.toml"]), "brewed: \(brewedHere)")
    }

    func testTheIPACompletesEveryStepInOrder() throws {
        assertCompletesCleanly(try brewIPA())
    }

    /// Once a rest has reached its temperature, every reading until the rest ends is within ±0.5 K.
    private func assertRestsHold(_ day: Day, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        var rests = 0
        for (index, step) in day.recipe.steps.enumerated() {
            guard case .rest(_, let target, _) = step.kind, let vessel = day.plan.stepVessel[index] else { continue }
            rests += 1
            let reached = try XCTUnwrap(day.console.first(.targetReached, step: index), "\(step.name) never reached its target",
                                        file: file, line: line)
            let done = try XCTUnwrap(day.console.first(.stepCompleted, step: index), file: file, line: line)
            let during = day.console.samples.filter { $0.brewTime >= reached.at && $0.brewTime <= done.at }
            XCTAssertGreaterThan(during.count, 60, "\(step.name): expected a sample a second through the rest", file: file, line: line)
            let worst = during.compactMap { $0.temperatures[vessel] }.map { abs($0.value - target.value) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(worst, 0.5, "\(step.name) strayed \(worst) K from \(target)", file: file, line: line)
        }
        return rests
    }

    func testEveryRestHoldsWithinHalfAKelvinOnceReached() throws {
        XCTAssertGreaterThanOrEqual(try assertRestsHold(try brewIPA()), 2, "the IPA has a mash rest and a mash-out")
    }

    /// The boil reaches the boiling point, and every addition is announced once, on time.
    private func assertBoils(_ day: Day, file: StaticString = #filePath, line: UInt = #line) throws {
        let name = day.recipe.name
        let boilIndex = try XCTUnwrap(day.recipe.steps.firstIndex { if case .boil = $0.kind { true } else { false } },
                                      "\(name) has no boil", file: file, line: line)
        guard case .boil(_, let duration, let additions, _) = day.recipe.steps[boilIndex].kind else {
            return XCTFail("\(name): step \(boilIndex) is not a boil", file: file, line: line)
        }
        let kettle = try XCTUnwrap(day.plan.stepVessel[boilIndex], file: file, line: line)
        let detected = try XCTUnwrap(day.console.first(.boilDetected, step: boilIndex), "\(name): boil never detected", file: file, line: line)
        // At 120 m the boiling point is about 99.6 °C.
        XCTAssertEqual(day.plan.boilingPoint.value, 99.6, accuracy: 0.15, file: file, line: line)
        let atBoil = day.console.samples.filter { $0.brewTime >= detected.at && $0.stepNumber == boilIndex + 1 }
        let hottest = atBoil.compactMap { $0.temperatures[kettle]?.value }.max() ?? 0
        XCTAssertGreaterThanOrEqual(hottest, day.plan.boilingPoint.value - 0.5, "\(name): the kettle really boiled", file: file, line: line)

        let announced = day.console.events.filter { $0.event.kind == .addition && $0.event.step == boilIndex }
        XCTAssertEqual(announced.count, additions.count, "\(name): every addition announced once", file: file, line: line)
        for addition in additions {
            let match = try XCTUnwrap(announced.first { $0.event.message.hasPrefix(addition.instruction + " —") },
                                      "\(addition.instruction) not announced", file: file, line: line)
            switch addition.timing {
            case .firstWort:
                XCTAssertLessThan(match.at, detected.at, "first wort goes in before the boil", file: file, line: line)
            case .remaining(let left):
                let due = detected.at + duration - left
                XCTAssertEqual(match.at.value, due.value, accuracy: 1.0, "\(addition.instruction): at \(match.at), due \(due)", file: file, line: line)
                XCTAssertTrue(match.event.message.contains("\(Format.minutes(left)) left in boil"), match.event.message, file: file, line: line)
            case .flameout:
                XCTAssertEqual(match.at.value, (detected.at + duration).value, accuracy: 1.0, file: file, line: line)
            }
        }
    }

    func testTheBoilReachesTheBoilingPointAndAdditionsFireOnTime() throws {
        let day = try brewIPA()
        try assertBoils(day)
        let additions = day.recipe.steps.flatMap { step -> [Addition] in
            if case .boil(_, _, let additions, _) = step.kind { additions } else { [] }
        }
        XCTAssertTrue(additions.contains { $0.timing == .remaining(.minutes(60)) })
        XCTAssertTrue(additions.contains { $0.timing == .remaining(.minutes(15)) })
        XCTAssertTrue(additions.contains { $0.timing == .remaining(.minutes(5)) })
        XCTAssertTrue(additions.contains { $0.timing == .flameout || $0.timing == .remaining(.zero) })
    }

    /// The last chill ends at its pitching temperature.
    private func assertChills(_ day: Day, file: StaticString = #filePath, line: UInt = #line) throws {
        let chill = try XCTUnwrap(day.recipe.steps.indices.last { if case .chill = day.recipe.steps[$0].kind { true } else { false } },
                                  "\(day.recipe.name) has no chill step", file: file, line: line)
        guard case .chill(_, let target) = day.recipe.steps[chill].kind else { return XCTFail("not a chill", file: file, line: line) }
        let v = try XCTUnwrap(day.plan.stepVessel[chill], file: file, line: line)
        let done = try XCTUnwrap(day.console.first(.stepCompleted, step: chill), file: file, line: line)
        let last = try XCTUnwrap(day.console.samples.last { $0.brewTime <= done.at }, file: file, line: line)
        XCTAssertLessThanOrEqual(try XCTUnwrap(last.temperatures[v], file: file, line: line).value, target.value + 0.5, file: file, line: line)
    }

    func testChillEndsAtPitchingTemperature() throws {
        try assertChills(try brewIPA())
    }

    func testTheLogHoldsEveryStepAndASampleEverySecond() throws {
        let day = try brewIPA()
        let detail = try XCTUnwrap(try day.log.batch(day.result.batchID))
        XCTAssertEqual(detail.batch.outcome, .completed)
        XCTAssertEqual(detail.batch.info.brewer, "ci")
        XCTAssertEqual(detail.steps.map(\.position), Array(day.recipe.steps.indices))
        XCTAssertEqual(detail.steps.map(\.name), day.recipe.steps.map(\.name))
        XCTAssertTrue(detail.steps.allSatisfy { $0.outcome == "completed" && $0.endedAt != nil })
        let seconds = Int(day.result.brewTime.value)
        for channel in detail.channels {
            let samples = try day.log.samples(channel: channel.id)
            XCTAssertGreaterThanOrEqual(samples.count, seconds, "\(channel.name): \(samples.count) samples over \(seconds) s")
            let gaps = zip(samples, samples.dropFirst()).map { $1.at - $0.at }
            XCTAssertLessThanOrEqual(gaps.max() ?? 0, 1.0 + 1e-6, "\(channel.name): a gap in the samples")
        }
        XCTAssertTrue(detail.channels.contains { $0.name == "kettle.temperature" })
        XCTAssertFalse(detail.events.filter { $0.kind == .alert }.isEmpty, "addition alerts are in the log")
        XCTAssertFalse(detail.events.filter { $0.kind == .confirmation }.isEmpty, "confirmations, with who did them")
        XCTAssertTrue(detail.events.filter { $0.kind == .confirmation }.allSatisfy { $0.actor?.hasPrefix("ci") == true })
    }

    func testAbortTurnsHeatersOffAndIsLogged() throws {
        // What the HLT's element really did just before the abort, as the physics saw it.
        final class Seen { var hltHeating: Bool? }
        let seen = Seen()
        let day = try brew(recipe: "Recipes/ipa.toml", script: [(Seconds(600), .interrupt), (Seconds(601), .abort(by: "ann"))]) { brewery, _ in
            let hlt = brewery.rig.vessels.firstIndex { $0.role == .hotLiquorTank }
            brewery.schedule(at: Instant(seconds: 599)) { (b: SimulatedBrewery) in seen.hltHeating = hlt.map { b.plant[$0].heaterOn } }
        }
        XCTAssertEqual(seen.hltHeating, true, "the HLT was heating its strike water before the abort")
        guard case .aborted(let why) = day.result.outcome else { return XCTFail("\(day.result.outcome)") }
        XCTAssertTrue(why.contains("ann"), why)
        XCTAssertLessThan(day.result.brewTime.value, 700)
        XCTAssertTrue(day.runner.controller.outputs.allSatisfy { !$0.heaterOn && !$0.pumpOn })
        assertEverythingOff(day.brewery, "after the abort")
        let detail = try XCTUnwrap(try day.log.batch(day.result.batchID))
        XCTAssertEqual(detail.batch.outcome, .aborted)
        XCTAssertTrue(detail.events.contains { $0.kind == .abort && $0.actor == "ann" }, "\(detail.events.map { ($0.kind, $0.actor) })")
        XCTAssertEqual(detail.steps.last?.outcome, "aborted")
    }

    func testTheStepMashedHefeweizenBrewsToo() throws {
        let day = try brewed("Recipes/hefeweizen.toml")
        assertCompletesCleanly(day)
        XCTAssertGreaterThanOrEqual(try assertRestsHold(day), 4, "a step mash: several rests, each held")
    }

    /// The dry stout's manual fly sparge: brewctl waits for the brewer after the mash-out, the
    /// simulated brewer runs 40 L of sparge water through the grain into the kettle until it holds
    /// 60 L, and that is what the kettle boils.
    func testTheDryStoutSpargesIntoTheKettleAndBoilsWhatItCollected() throws {
        let day = try brewed("Recipes/dry-stout.toml")
        assertCompletesCleanly(day)
        XCTAssertEqual(try assertRestsHold(day), 2, "saccharification rest and mash out")
        try assertBoils(day)
        try assertChills(day)

        let steps = day.recipe.steps
        let spargeIndex = try XCTUnwrap(steps.firstIndex { if case .sparge = $0.kind { true } else { false } }, "the dry stout sparges")
        guard case .sparge(let sparge) = steps[spargeIndex].kind else { return XCTFail("not a sparge") }
        XCTAssertEqual(sparge.mode, .manual)
        let prompt = try XCTUnwrap(day.console.first(.prompt, step: spargeIndex), "the sparge waits for the brewer")
        XCTAssertTrue(prompt.event.message.contains("Sparge with 40.0 L from the HLT"), prompt.event.message)
        XCTAssertTrue(prompt.event.message.contains("until the kettle holds 60.0 L"), prompt.event.message)
        let confirmed = try XCTUnwrap(day.console.first(.confirmation, step: spargeIndex))
        let mashOut = try XCTUnwrap(steps.firstIndex { $0.name == "Mash out" })
        let mashedOut = try XCTUnwrap(day.console.first(.stepCompleted, step: mashOut))
        XCTAssertGreaterThanOrEqual(confirmed.at, mashedOut.at, "sparged after the mash out")

        // The kettle's probe: at room temperature while it is empty, in hot wort once sparged into.
        let kettle = try XCTUnwrap(day.brewery.rig.vessels.firstIndex { $0.role == .kettle })
        let before = try XCTUnwrap(day.console.samples.last { $0.brewTime < confirmed.at }?.temperatures[kettle])
        let after = try XCTUnwrap(day.console.samples.first { $0.brewTime >= confirmed.at + Seconds(60) }?.temperatures[kettle])
        XCTAssertLessThan(before.value, 30, "the empty kettle")
        XCTAssertGreaterThan(after.value, 60, "the sparged wort")

        // Where the water went: 72 L filled, 29 L strike, 40 L sparge, 60 L collected.
        let plant = day.brewery.plant
        func vessel(_ role: VesselRole) throws -> SimulatedVessel {
            plant[try XCTUnwrap(day.brewery.rig.vessels.firstIndex { $0.role == role })]
        }
        XCTAssertEqual(try vessel(.hotLiquorTank).water.value, 72 - 29 - 40, accuracy: 0.05, "left in the HLT")
        XCTAssertEqual(try vessel(.mashTun).water.value, 29 + 40 - 60, accuracy: 0.05, "left in the grain")
        XCTAssertEqual(try vessel(.mashTun).grain.value, 9.6, accuracy: 0.001)
        let boiled = try vessel(.kettle)
        XCTAssertEqual(boiled.water.value + boiled.evaporated.value, 60, accuracy: 0.05, "collected in the kettle")
        XCTAssertGreaterThan(boiled.evaporated.value, 1, "and boiled off some of it")
    }
}
