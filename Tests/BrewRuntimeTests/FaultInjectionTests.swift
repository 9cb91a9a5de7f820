import BrewConfig
import BrewCore
import BrewLog
import BrewProcess
import BrewRuntime
import BrewSim
import Foundation
import XCTest

/// The simulated brewery with faults injected at chosen brew times: the heater goes off within
/// one tick of a sensor fault (or within the documented detection window for runaway), the
/// alarm says what happened, and the batch otherwise behaves. See docs/safety.md.
final class FaultInjectionTests: XCTestCase {
    /// Forwards to the simulated brewery and records what every tick applied.
    final class Recorder: RigBackend {
        let inner: SimulatedBrewery
        var now = Instant.zero
        var applied: [(at: Instant, heaterOn: [Bool])] = []
        init(_ inner: SimulatedBrewery) { self.inner = inner }
        var rig: RigSpec { inner.rig }
        var isSimulated: Bool { true }
        func allOff() { inner.allOff() }
        func advance(to now: Instant) {
            self.now = now
            inner.advance(to: now)
        }
        func read(at now: Instant, into readings: inout [TemperatureReading?]) { inner.read(at: now, into: &readings) }
        /// Records what the outputs really did (after the interlocks), not what was asked.
        func apply(_ outputs: [ProcessController.VesselOutput]) -> [String] {
            let failures = inner.apply(outputs)
            applied.append((now, inner.heatersApplied))
            return failures
        }
        func operatorDid(_ actions: [OperatorAction]) -> [String] { inner.operatorDid(actions) }
        var heatersApplied: [Bool] { inner.heatersApplied }
        func takeEvents() -> [ProcessEvent] { inner.takeEvents() }
        func acknowledge(by actor: String?) -> [String] { inner.acknowledge(by: actor) }
    }

    struct Run {
        var result: BatchRunner.Result
        var console: RecordingConsole
        var recorder: Recorder
        var brewery: SimulatedBrewery
        var alarms: [(event: ProcessEvent, at: Seconds)] { console.events.filter { $0.event.kind == .alarm } }
        /// Whether vessel `v`'s heater was on in any tick in [from, to].
        func heaterOn(_ v: Int, from: Double, to: Double = .infinity) -> Bool {
            recorder.applied.contains { $0.at.seconds >= from - 1e-9 && $0.at.seconds <= to && $0.heaterOn[v] }
        }
    }

    static let hlt = 0, mash = 1, kettle = 2

    /// Brews `recipe` on the simulated brewery (`Hardware/sim.toml`, or the rig `rigText` describes)
    /// with `setUp`'s faults scheduled.
    func brew(_ recipe: String = "Recipes/ipa.toml", recipeText: String? = nil, rigText: String? = nil, abortAt: Double? = nil,
              script: [(Seconds, OperatorInput)] = [], setUp: (SimulatedBrewery) throws -> Void) throws -> Run {
        let rig = try rigText.map { try HardwareLoader.parse($0, file: "test-rig.toml") } ?? HardwareLoader.load(path: shipped("Hardware/sim.toml"))
        let plan = try BrewPlan.bind(try recipeText.map { try RecipeLoader.parse($0, file: "test-recipe.toml") } ?? RecipeLoader.load(path: shipped(recipe)),
                                     to: rig)
        let brewery = try SimulatedBrewery(rig: rig)
        try setUp(brewery)
        let recorder = Recorder(brewery)
        let console = RecordingConsole()
        // Every run ends: a batch that stalls (a latched heater on a step that needs it) is aborted.
        console.script = (script + [(Seconds(abortAt ?? 8 * 3600), .abort(by: "ann"))]).sorted { $0.0.value < $1.0.value }
        let runner = BatchRunner(plan: plan, backend: recorder, log: try BatchLog.inMemory(), clock: SimulationClock(speed: nil), console: console,
                                 options: .init(brewer: "ci", autoConfirm: true, recipePath: recipe, hardwarePath: "Hardware/sim.toml",
                                                speedLabel: "fast", startedAt: Date(timeIntervalSince1970: 1_790_000_000)))
        return Run(result: runner.run(), console: console, recorder: recorder, brewery: brewery)
    }

    /// The tick that raised `alarm` already applied the heater off, and it stayed off after.
    func assertOffFromTheAlarm(_ run: Run, vessel v: Int, at t: Double, until end: Double = .infinity,
                                       file: StaticString = #filePath, line: UInt = #line) {
        let tick = run.recorder.applied.first { abs($0.at.seconds - t) < 1e-6 }
        XCTAssertNotNil(tick, "a tick at the alarm's time", file: file, line: line)
        XCTAssertEqual(tick?.heaterOn[v], false, "heater off in the very tick the alarm was raised", file: file, line: line)
        XCTAssertFalse(run.heaterOn(v, from: t, to: end), "heater stayed off", file: file, line: line)
    }

    func testAnElementThatFailsOpenIsCaughtWithinTheWindowAndLatchedOff() throws {
        // The HLT heats its strike water from brew time 0; the element burns out at 5 min.
        let run = try brew(abortAt: 1800) { $0.inject(.elementOpen, vessel: Self.hlt, at: Instant(seconds: 300)) }
        let alarm = try XCTUnwrap(run.alarms.first, "no alarm for a dead element")
        XCTAssertTrue(alarm.event.message.hasPrefix("HLT: heating at 100 %"), alarm.event.message)
        XCTAssertTrue(alarm.event.message.contains("should have raised it ≈"), alarm.event.message)
        XCTAssertTrue(alarm.event.message.contains("into 78 L"), alarm.event.message)
        XCTAssertTrue(alarm.event.message.contains("element dead or dry"), alarm.event.message)
        XCTAssertTrue(alarm.event.message.contains("heater off until acknowledged"), alarm.event.message)
        XCTAssertGreaterThan(alarm.at.value, 300, "not before the fault")
        XCTAssertLessThanOrEqual(alarm.at.value, 300 + 240, "within the 120 s window plus the probe's lag")
        XCTAssertTrue(run.heaterOn(Self.hlt, from: 0, to: 299), "it was heating before")
        assertOffFromTheAlarm(run, vessel: Self.hlt, at: alarm.at.value)   // latched: no acknowledgement came
        let runaway = run.alarms.filter { !$0.event.message.contains("no progress towards") }
        XCTAssertEqual(runaway.count, 1, "one alarm, not one per tick: \(run.alarms.map(\.event.message))")
        // Nobody acknowledged it: a window later the progress watch says the step is stuck on it, once.
        let stuck = run.alarms.filter { $0.event.message.contains("no progress towards") }
        XCTAssertEqual(stuck.count, 1, "\(run.alarms.map(\.event.message))")
        XCTAssertTrue(stuck.allSatisfy { $0.event.message.contains("its heater is latched off (HLT: heating at 100 %") }, "\(stuck)")
        XCTAssertEqual(run.recorder.inner.rig.vessels[Self.hlt].name, "HLT")
    }

    func testAWeldedSSRIsCaughtWhileTheHLTHoldsItsSpargeWater() throws {
        // The HLT holds the sparge water through the mash; its SSR welds at 1 h 30 min.
        let weld = 5400.0
        let run = try brew(abortAt: weld + 900) { $0.inject(.weldedSSR, vessel: Self.hlt, at: Instant(seconds: weld)) }
        let alarm = try XCTUnwrap(run.alarms.first { $0.event.message.contains("welded SSR") }, "\(run.alarms.map(\.event.message))")
        XCTAssertTrue(alarm.event.message.hasPrefix("HLT: the heater has been off for"), alarm.event.message)
        XCTAssertTrue(alarm.event.message.contains("should not have warmed it"), alarm.event.message)
        XCTAssertGreaterThan(alarm.at.value, weld)
        XCTAssertLessThanOrEqual(alarm.at.value, weld + 360, "within a few minutes of the weld")
        XCTAssertFalse(run.alarms.contains { $0.at.value < weld }, "no alarm before the fault")
        assertOffFromTheAlarm(run, vessel: Self.hlt, at: alarm.at.value)
        // The physics still heats (the SSR is welded): the output cannot fix that, the alarm tells the brewer.
        XCTAssertTrue(run.brewery.plant[Self.hlt].faults.contains(.weldedSSR))
    }

    func testAStuckProbeWhileHeatingTurnsTheHeaterOffAndTheBatchCarriesOnWhenItComesBack() throws {
        // The mash is heated from the rest to mash-out from 2 h 12 min; its probe freezes at 2 h 14 min.
        let freeze = 8040.0, repaired = 8400.0
        let run = try brew { brewery in
            brewery.schedule(at: Instant(seconds: freeze)) { plant in
                plant.inject(.probeStuck(Celsius((plant[Self.mash].probe.value / 0.0625).rounded(.down) * 0.0625)), vessel: Self.mash)
            }
            brewery.repair(vessel: Self.mash, at: Instant(seconds: repaired))
        }
        XCTAssertEqual(run.result.outcome, .completed, "the batch continues once the probe is back")
        let alarm = try XCTUnwrap(run.alarms.first, "no alarm for a stuck probe")
        XCTAssertTrue(alarm.event.message.hasPrefix("Mash tun: stuck at exactly"), alarm.event.message)
        XCTAssertTrue(alarm.event.message.contains("heater off"), alarm.event.message)
        XCTAssertGreaterThan(alarm.at.value, freeze)
        XCTAssertLessThanOrEqual(alarm.at.value, freeze + 60 + 5, "stuck after 60 s of heating without a change")
        XCTAssertTrue(run.heaterOn(Self.mash, from: freeze, to: alarm.at.value - 0.1), "it was heating while the probe was frozen")
        assertOffFromTheAlarm(run, vessel: Self.mash, at: alarm.at.value, until: repaired - 0.05)
        let cleared = try XCTUnwrap(run.console.events.first { $0.event.kind == .alarmCleared && $0.event.vessel == Self.mash })
        XCTAssertTrue(cleared.event.message.contains("reading is good again"))
        XCTAssertGreaterThanOrEqual(cleared.at.value, repaired)
        XCTAssertTrue(run.heaterOn(Self.mash, from: cleared.at.value), "heating resumed after the probe came back")
        XCTAssertEqual(run.alarms.count, 1, "\(run.alarms.map(\.event.message))")
    }

    func testASpikingProbeIsIgnoredWithoutStoppingTheBatch() throws {
        // EMI on the mash probe's lead through the rest: +12 K for one reading a minute.
        let run = try brew { brewery in
            brewery.inject(.probeSpikes(by: Kelvin(12), every: Seconds(60)), vessel: Self.mash, at: Instant(seconds: 4800))
            brewery.repair(vessel: Self.mash, at: Instant(seconds: 6600))
        }
        XCTAssertEqual(run.result.outcome, .completed)
        XCTAssertTrue(run.alarms.isEmpty, "\(run.alarms.map(\.event.message))")
        let alerts = run.console.events.filter { $0.event.kind == .alert && $0.event.message.contains("jumped") }
        XCTAssertGreaterThanOrEqual(alerts.count, 10, "each spike (one a minute for 30 min) is reported")
        XCTAssertTrue(alerts.allSatisfy { $0.event.message.hasPrefix("Mash tun: reading jumped from 6") }, "\(alerts.map(\.event.message))")
        XCTAssertTrue(alerts.allSatisfy { $0.at.value >= 4800 && $0.at.value <= 6601 })
        // The rest still held: no spike reached the controller.
        let rest = run.console.samples.filter { $0.brewTime.value > 4800 && $0.brewTime.value < 6600 }
        let worst = rest.compactMap { $0.temperatures[Self.mash] }.map { abs($0.value - 66.5) }.max() ?? .infinity
        XCTAssertLessThan(worst, 0.6, "the controlled temperature never saw a spike")
    }
}
