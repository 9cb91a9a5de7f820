import BrewConfig
import BrewCore
import BrewLog
import BrewProcess
import BrewRuntime
import Foundation
import XCTest

/// The whole IPA brew day on the simulated club brewery, on a virtual clock, as fast as it goes.
final class BrewDayTests: XCTestCase {
    struct Day {
        var recipe: Recipe
        var plan: BrewPlan
        var result: BatchRunner.Result
        var console: RecordingConsole
        var log: BatchLog
        var runner: BatchRunner
    }

    // XCTest runs a class's tests one after another on one thread.
    nonisolated(unsafe) private static var ipaDay: Day?

    /// Brews once and shares the result between the tests that only inspect it.
    private func brewIPA() throws -> Day {
        if let day = Self.ipaDay { return day }
        let day = try brew(recipe: "Recipes/ipa.toml")
        Self.ipaDay = day
        return day
    }

    private func brew(recipe path: String, script: [(Seconds, OperatorInput)] = []) throws -> Day {
        let rig = try HardwareLoader.load(path: shipped("Hardware/sim.toml"))
        let recipe = try RecipeLoader.load(path: shipped(path))
        let plan = try BrewPlan.bind(recipe, to: rig)
        let console = RecordingConsole()
        console.script = script.map { ($0.0, $0.1) }
        let log = try BatchLog.inMemory()
        let runner = BatchRunner(plan: plan, backend: try SimulatedBrewery(rig: rig), log: log, clock: SimulationClock(speed: nil),
                                 console: console,
                                 options: .init(brewer: "ci", autoConfirm: true, recipePath: path, hardwarePath: "Hardware/sim.toml",
                                                speedLabel: "fast", startedAt: Date(timeIntervalSince1970: 1_790_000_000)))
        let result = runner.run()
        return Day(recipe: recipe, plan: plan, result: result, console: console, log: log, runner: runner)
    }

    func testTheIPACompletesEveryStepInOrder() throws {
        let day = try brewIPA()
        XCTAssertEqual(day.result.outcome, .completed)
        XCTAssertTrue(day.console.finished)
        let started = day.console.events.filter { $0.event.kind == .stepStarted }.compactMap(\.event.step)
        XCTAssertEqual(started, Array(day.recipe.steps.indices), "each step once, in order")
        // A brew day of a few hours of brew time, not minutes and not a day.
        XCTAssertGreaterThan(day.result.brewTime.value, 3 * 3600)
        XCTAssertLessThan(day.result.brewTime.value, 8 * 3600)
        XCTAssertTrue(day.console.events.filter { $0.event.kind == .alarm }.isEmpty,
                      "no alarms on a clean run: \(day.console.events.filter { $0.event.kind == .alarm }.map(\.event.message))")
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

    func testTheBoilReachesTheBoilingPointAndAdditionsFireOnTime() throws {
        let day = try brewIPA()
        guard let boilIndex = day.recipe.steps.firstIndex(where: { if case .boil = $0.kind { true } else { false } }),
              case .boil(_, let duration, let additions, _) = day.recipe.steps[boilIndex].kind,
              let kettle = day.plan.stepVessel[boilIndex] else {
            return XCTFail("the IPA has no boil")
        }
        let detected = try XCTUnwrap(day.console.first(.boilDetected, step: boilIndex), "boil never detected")
        // At 120 m the boiling point is about 99.6 °C.
        XCTAssertEqual(day.plan.boilingPoint.value, 99.6, accuracy: 0.15)
        let atBoil = day.console.samples.filter { $0.brewTime >= detected.at && $0.stepNumber == boilIndex + 1 }
        let hottest = atBoil.compactMap { $0.temperatures[kettle]?.value }.max() ?? 0
        XCTAssertGreaterThanOrEqual(hottest, day.plan.boilingPoint.value - 0.5, "the kettle really boiled")

        let announced = day.console.events.filter { $0.event.kind == .addition && $0.event.step == boilIndex }
        XCTAssertEqual(announced.count, additions.count, "every addition announced once")
        for addition in additions {
            let match = try XCTUnwrap(announced.first { $0.event.message.hasPrefix(addition.instruction + " —") },
                                      "\(addition.instruction) not announced")
            switch addition.timing {
            case .firstWort:
                XCTAssertLessThan(match.at, detected.at, "first wort goes in before the boil")
            case .remaining(let left):
                let due = detected.at + duration - left
                XCTAssertEqual(match.at.value, due.value, accuracy: 1.0, "\(addition.instruction): at \(match.at), due \(due)")
                XCTAssertTrue(match.event.message.contains("\(Format.minutes(left)) left in boil"), match.event.message)
            case .flameout:
                XCTAssertEqual(match.at.value, (detected.at + duration).value, accuracy: 1.0)
            }
        }
        XCTAssertTrue(additions.contains { $0.timing == .remaining(.minutes(60)) })
        XCTAssertTrue(additions.contains { $0.timing == .remaining(.minutes(15)) })
        XCTAssertTrue(additions.contains { $0.timing == .remaining(.minutes(5)) })
        XCTAssertTrue(additions.contains { $0.timing == .flameout || $0.timing == .remaining(.zero) })
    }

    func testChillEndsAtPitchingTemperature() throws {
        let day = try brewIPA()
        guard let chill = day.recipe.steps.indices.last(where: { if case .chill = day.recipe.steps[$0].kind { true } else { false } }),
              case .chill(_, let target) = day.recipe.steps[chill].kind, let v = day.plan.stepVessel[chill] else {
            return XCTFail("the IPA has no chill step")
        }
        let done = try XCTUnwrap(day.console.first(.stepCompleted, step: chill))
        let last = day.console.samples.last { $0.brewTime <= done.at }
        XCTAssertLessThanOrEqual(try XCTUnwrap(last?.temperatures[v]).value, target.value + 0.5)
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
        let day = try brew(recipe: "Recipes/ipa.toml", script: [(Seconds(600), .interrupt), (Seconds(601), .abort(by: "ann"))])
        guard case .aborted(let why) = day.result.outcome else { return XCTFail("\(day.result.outcome)") }
        XCTAssertTrue(why.contains("ann"), why)
        XCTAssertLessThan(day.result.brewTime.value, 700)
        XCTAssertTrue(day.runner.controller.outputs.allSatisfy { !$0.heaterOn && !$0.pumpOn })
        let detail = try XCTUnwrap(try day.log.batch(day.result.batchID))
        XCTAssertEqual(detail.batch.outcome, .aborted)
        XCTAssertTrue(detail.events.contains { $0.kind == .abort && $0.actor == "ann" }, "\(detail.events.map { ($0.kind, $0.actor) })")
        XCTAssertEqual(detail.steps.last?.outcome, "aborted")
    }

    func testTheStepMashedHefeweizenBrewsToo() throws {
        let day = try brew(recipe: "Recipes/hefeweizen.toml")
        XCTAssertEqual(day.result.outcome, .completed)
        XCTAssertGreaterThanOrEqual(try assertRestsHold(day), 4, "a step mash: several rests, each held")
    }
}
