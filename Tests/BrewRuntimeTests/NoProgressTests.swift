import BrewConfig
import BrewControl
import BrewCore
import BrewLog
import BrewProcess
import BrewRuntime
import BrewSim
import Foundation
import XCTest

/// The four recipes from the issue that ran for ever, each built *past* the plan check (the plan
/// is bound to a rig without the limit, the brewery has it), and one the plan cannot know of (an
/// element too weak for the vessel): each is caught by the progress watch within its window,
/// unattended it ends failed, attended it waits for the brewer with the heat off
/// (docs/safety.md, "A step that makes no progress").
final class NoProgressTests: XCTestCase {
    private static func sim() throws -> RigSpec { try HardwareLoader.load(path: shipped("Hardware/sim.toml")) }
    private static let window = ProgressWatch.Settings().window
    /// How long a vessel's readings settle after a fill before the window starts: the mixing and
    /// three times its probe's response (the simulated plant's lag + dead time).
    private static func settling(_ rig: RigSpec, _ vessel: Int) -> Seconds {
        let response = rig.vessels[vessel].simulation.map { $0.sensorLag + $0.sensorDeadTime } ?? .zero
        return HeaterWatch.Settings().settleAfterDisturbance + response * 3
    }

    private struct Run {
        var result: BatchRunner.Result
        var console: RecordingConsole
        var log: BatchLog
        var brewery: SimulatedBrewery
        var alarms: [(message: String, at: Seconds)] {
            console.events.filter { $0.event.kind == .alarm }.map { ($0.event.message, $0.at) }
        }
        var stalls: [(message: String, at: Seconds)] { alarms.filter { $0.message.contains("no progress towards") } }
    }

    private func fill(_ role: VesselRole, _ litres: Double) -> Recipe.Step {
        Recipe.Step("Fill", .confirm(message: "Fill", actions: [.fill(role, Litres(litres))]))
    }

    /// Brews `steps` on `rig` with the plan bound to `planRig` (the rig as the plan check saw it).
    private func brew(_ steps: [Recipe.Step], on rig: RigSpec, planRig: RigSpec, unattended: Bool = true,
                      script: [(Seconds, OperatorInput)] = [], prepare: (SimulatedBrewery) -> Void = { _ in }) throws -> Run {
        let recipe = Recipe(name: "Imported", steps: steps)
        if planRig != rig {
            XCTAssertFalse(BrewPlan.check(recipe, on: rig).errors.isEmpty, "the real rig's plan check would have refused it")
        } else {
            XCTAssertEqual(BrewPlan.check(recipe, on: rig).errors, [], "nothing a plan could know")
        }
        let plan = try BrewPlan.bind(recipe, to: planRig)
        let console = RecordingConsole()
        console.script = script
        let log = try BatchLog.inMemory()
        let brewery = try SimulatedBrewery(rig: rig)
        prepare(brewery)
        let runner = BatchRunner(plan: plan, backend: brewery, log: log, clock: SimulationClock(speed: nil), console: console,
                                 options: .init(brewer: "ci", autoConfirm: unattended, recipePath: "imported.toml",
                                                hardwarePath: "sim.toml", speedLabel: "fast",
                                                startedAt: Date(timeIntervalSince1970: 1_790_000_000)))
        return Run(result: runner.run(), console: console, log: log, brewery: brewery)
    }

    /// Unattended: failed with the stall as its reason, one stall alarm within the window (plus a
    /// minute of slack for the last progress to be seen), the reason in the log, every output off.
    private func assertFailsUnattended(_ run: Run, naming words: [String], within bound: Seconds,
                                       file: StaticString = #filePath, line: UInt = #line) throws {
        guard case .failed(let why) = run.result.outcome else {
            return XCTFail("expected failed, got \(run.result.outcome)", file: file, line: line)
        }
        XCTAssertTrue(why.contains("no progress towards"), why, file: file, line: line)
        for w in words { XCTAssertTrue(why.contains(w), "\(w) in: \(why)", file: file, line: line) }
        XCTAssertEqual(run.stalls.count, 1, "\(run.alarms)", file: file, line: line)
        XCTAssertLessThanOrEqual(run.result.brewTime.value, bound.value, "found within its bound", file: file, line: line)
        XCTAssertEqual(run.stalls.first?.at, run.result.brewTime, "the batch ends at the stall", file: file, line: line)
        let detail = try XCTUnwrap(try run.log.batch(run.result.batchID), file: file, line: line)
        XCTAssertEqual(detail.batch.outcome, .failed, file: file, line: line)
        XCTAssertEqual(detail.batch.reason, why, "the reason is logged", file: file, line: line)
        XCTAssertTrue(detail.events.contains { $0.message.hasPrefix("Unattended (--yes): nobody can put this right") }, file: file, line: line)
        XCTAssertTrue(detail.events.contains { $0.kind == .alarm && $0.message.contains("no progress towards") }, file: file, line: line)
        for v in run.brewery.plant.vessels {
            XCTAssertFalse(v.heaterOn || v.pumpOn || v.chillerOpen, "\(v.name) off at the end", file: file, line: line)
        }
    }

    // MARK: No false alarm

    /// Heating the kettle and chilling it straight away: the chill takes out heat the runaway
    /// watch knows nothing of, and must not read as a dead element; the chill ends by itself.
    func testAHeatStraightIntoAChillInTheSameVesselRaisesNoAlarm() throws {
        let rig = try Self.sim()
        let run = try brew([fill(.kettle, 30), Recipe.Step("Heat", .heat(.kettle, to: Celsius(60))),
                            Recipe.Step("Chill", .chill(.kettle, to: Celsius(25)))], on: rig, planRig: rig)
        XCTAssertEqual(run.result.outcome, .completed)
        XCTAssertTrue(run.alarms.isEmpty, "\(run.alarms)")
        let t = try XCTUnwrap(run.brewery.plant.vessels[2].temperature)
        XCTAssertLessThanOrEqual(t.value, 25.5, "it was chilled")
    }

    // MARK: The four from the issue

    func testAKettleBelowItsElementsMinimumVolumeFailsInsteadOfWaitingForEver() throws {
        let rig = try Self.sim()
        var planRig = rig
        planRig.vessels[2].minVolume = nil
        let run = try brew([fill(.kettle, 10), Recipe.Step("Boil", .boil(.kettle, duration: .minutes(60), additions: [], power: nil))],
                           on: rig, planRig: planRig)
        try assertFailsUnattended(run, naming: ["Kettle", "held off at the output", "the element must be covered"],
                                  within: Self.settling(rig, 2) + Self.window + .minutes(1))
    }

    func testARestAboveTheVesselsLimitFails() throws {
        let rig = try Self.sim()   // the mash tun's max_temperature is 80 °C
        var planRig = rig
        planRig.vessels[1].maxTemperature = Celsius(105)
        let run = try brew([fill(.mashTun, 40), Recipe.Step("Mash out", .rest(.mashTun, at: Celsius(85), duration: .minutes(10)))],
                           on: rig, planRig: planRig)
        // About an hour to heat 40 L to the limit, then the window.
        try assertFailsUnattended(run, naming: ["Mash tun", "85.0 °C"], within: .minutes(80) + Self.window)
        XCTAssertTrue(run.alarms.contains { $0.message.contains("at or above its limit of 80.0 °C") }, "the limit was what stopped it")
    }

    func testAChillBelowTheCoolantFails() throws {
        let rig = try Self.sim()   // mains water at 12 °C
        var planRig = rig
        planRig.site.mainsWater = Celsius(4)
        // Hot water from the HLT, so the kettle's own element never heated it.
        let run = try brew([fill(.hotLiquorTank, 50), Recipe.Step("Heat", .heat(.hotLiquorTank, to: Celsius(70))),
                            Recipe.Step("Into the kettle", .confirm(message: "Run 40 L into the kettle",
                                                                    actions: [.transfer(from: .hotLiquorTank, to: .kettle, Litres(40))])),
                            Recipe.Step("Chill", .chill(.kettle, to: Celsius(9)))], on: rig, planRig: planRig)
        try assertFailsUnattended(run, naming: ["Kettle", "9.0 °C", "chilling does not bring it closer"], within: .minutes(90))
        let t = try XCTUnwrap(run.brewery.plant.vessels[2].temperature)
        XCTAssertEqual(t.value, 12, accuracy: 0.5, "it got as close to the coolant as it could")
    }

    func testAMashTooSmallForItsPumpFails() throws {
        var rig = try Self.sim()
        rig.vessels[1].minPumpVolume = Litres(15)
        var planRig = rig
        planRig.vessels[1].minPumpVolume = nil
        let run = try brew([fill(.mashTun, 8), Recipe.Step("Mash", .rest(.mashTun, at: Celsius(66), duration: .minutes(60)))],
                           on: rig, planRig: planRig)
        try assertFailsUnattended(run, naming: ["Mash tun", "held off at the output", "mash_pump stopped"],
                                  within: Self.settling(rig, 1) + Self.window + .minutes(1))
        XCTAssertTrue(run.alarms.contains { $0.message.contains("pump running dry") }, "\(run.alarms)")
    }

    // MARK: Past what any plan can know

    /// A rig whose kettle element cannot hold more than about 40 °C against its losses (a small
    /// element, the lid off): the plan cannot know a rig's losses.
    private func weakKettle() throws -> RigSpec {
        var rig = try Self.sim()
        rig.vessels[2].simulation?.heaterEfficiency = 0.1
        rig.vessels[2].simulation?.heatLoss = 40
        return rig
    }

    func testATargetTheElementCannotReachIsFoundAndEndsAnUnattendedBatch() throws {
        let rig = try weakKettle()
        let run = try brew([fill(.kettle, 40), Recipe.Step("Heat", .heat(.kettle, to: Celsius(70)))], on: rig, planRig: rig)
        // The runaway watch may see the element as dead first (no rise at full power): either way
        // the step makes no progress, and that ends it.
        try assertFailsUnattended(run, naming: ["Kettle", "70.0 °C"], within: .hours(6))
        // While the watch still waited, the status stopped showing a time left.
        let stuck = run.console.samples.filter { $0.noProgress != nil }
        XCTAssertFalse(stuck.isEmpty, "no progress was shown before the alarm")
        XCTAssertTrue(stuck.allSatisfy { $0.batchTimeLeft == nil && $0.stepTimeLeft == nil }, "no time left shown while there is no progress")
        let first = try XCTUnwrap(stuck.first)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(first.noProgress).value, ProgressWatch.Settings().showAfter.value)
    }

    /// Attended: the alarm, the heater off until acknowledged, a new window after `ack`, and the
    /// brewer's abort ends it.
    func testAttendedItWaitsForTheBrewerWithTheHeatOffUntilAcknowledged() throws {
        let rig = try weakKettle()
        // Found within 4 h (the unattended test); acknowledged an hour later, aborted 2 h after that.
        let unattended = try brew([fill(.kettle, 40), Recipe.Step("Heat", .heat(.kettle, to: Celsius(70)))], on: rig, planRig: rig)
        let found = try XCTUnwrap(unattended.stalls.first?.at)
        let ack = found + .hours(1), abort = ack + .hours(2)
        let run = try brew([fill(.kettle, 40), Recipe.Step("Heat", .heat(.kettle, to: Celsius(70)))], on: rig, planRig: rig, unattended: false,
                           script: [(Seconds(1), .confirm(by: "ann")), (ack, .acknowledge(by: "ann")), (abort, .abort(by: "ann"))])
        XCTAssertEqual(run.result.outcome, .aborted("stopped by ann"))
        // The same stall at the same time, then a second one a window after the acknowledgement.
        XCTAssertEqual(run.stalls.map(\.at).first, found)
        XCTAssertEqual(run.stalls.count, 2, "\(run.stalls)")
        if run.stalls.count == 2 {
            // Heating again after the latch, it comes closer for a while: a window at the least.
            XCTAssertGreaterThanOrEqual(run.stalls[1].at.value, (ack + Self.window).value - 2, "a new window from the acknowledgement")
            XCTAssertLessThan(run.stalls[1].at, abort)
        }
        let latched = run.console.samples.filter { $0.brewTime > found + Seconds(5) && $0.brewTime < ack }
        XCTAssertFalse(latched.isEmpty)
        XCTAssertTrue(latched.allSatisfy { $0.demands[2] == .off && $0.faults[2] != nil && $0.stalled }, "heat off, FAULT shown, until acknowledged")
        XCTAssertTrue(latched.allSatisfy { $0.stepTimeLeft == nil && $0.noProgress != nil })
        let after = run.console.samples.filter { $0.brewTime > ack + Seconds(5) && $0.brewTime < ack + .minutes(5) }
        XCTAssertTrue(after.allSatisfy { $0.demands[2].value > 50 && $0.faults[2] == nil }, "heating again after ack")
    }
}
