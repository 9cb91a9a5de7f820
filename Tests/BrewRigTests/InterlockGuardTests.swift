import BrewCore
import BrewRigIO
import XCTest

/// The interlock logic on its own: holds with and without grace, trips that latch until
/// acknowledged, and one event per change rather than one per tick.
final class InterlockGuardTests: XCTestCase {
    var flow = 0.0
    var events: [ProcessEvent] = []

    func unmet(_ c: RigSpec.Interlock.Condition) -> String? {
        if case .above(let s, let v) = c { return flow > v ? nil : "\(s) reads \(flow)" }
        return nil
    }

    /// Outputs 0 "rims", 1 "pump", 2 "other"; sensor 0 "flow".
    func guardFor(_ interlocks: [RigSpec.Interlock]) -> InterlockGuard {
        InterlockGuard(interlocks: interlocks, outputs: ["rims", "pump", "other"], sensors: ["flow"])
    }

    func run(_ g: inout InterlockGuard, _ output: String, wanted: Bool, at t: Double) -> Bool {
        guard let n = ["rims", "pump", "other"].firstIndex(of: output) else {
            XCTFail("no output \(output) in this guard")
            return false
        }
        return g.decide(n, wanted: wanted, at: Instant(seconds: t), isOn: { _ in false }, value: { _ in self.flow },
                        explain: { self.unmet($0) ?? "" }, events: &events)
    }

    func testHoldWaitsSilentlyThroughItsGraceThenAlarmsOnceAndClears() {
        var g = guardFor([RigSpec.Interlock(output: "rims", requires: [.above(sensor: "flow", value: 3)], reason: "no flow",
                                                              grace: Seconds(15))])
        for t in stride(from: 0.0, to: 14.9, by: 0.1) { XCTAssertFalse(run(&g, "rims", wanted: true, at: t)) }
        XCTAssertTrue(events.isEmpty, "held silently within the grace")
        for t in stride(from: 15.0, to: 30, by: 0.1) { XCTAssertFalse(run(&g, "rims", wanted: true, at: t)) }
        XCTAssertEqual(events.map(\.kind), [.alarm], "one alarm, not one per tick")
        XCTAssertTrue(events[0].message.contains("rims held off — no flow: flow reads 0.0"), events[0].message)
        flow = 10
        XCTAssertTrue(run(&g, "rims", wanted: true, at: 30))
        XCTAssertTrue(run(&g, "rims", wanted: true, at: 30.1))
        XCTAssertEqual(events.map(\.kind), [.alarm, .alarmCleared])
    }

    func testHoldNeverForcesOnWhatIsNotWanted() {
        var g = guardFor([RigSpec.Interlock(output: "rims", requires: [.above(sensor: "flow", value: 3)])])
        flow = 10
        XCTAssertFalse(run(&g, "rims", wanted: false, at: 0))
        XCTAssertTrue(run(&g, "other", wanted: true, at: 0), "an output without interlocks does as it is told")
    }

    func testTripLetsThePumpPrimeThenStopsItUntilAcknowledged() {
        var g = guardFor([RigSpec.Interlock(output: "pump", requires: [.above(sensor: "flow", value: 1)], reason: "running dry",
                                                              action: .trip, grace: Seconds(20))])
        for t in stride(from: 0.0, to: 19.9, by: 0.1) { XCTAssertTrue(run(&g, "pump", wanted: true, at: t), "priming at \(t) s") }
        XCTAssertFalse(run(&g, "pump", wanted: true, at: 20))
        XCTAssertEqual(events.map(\.kind), [.alarm])
        XCTAssertTrue(events[0].message.contains("pump stopped — running dry"), events[0].message)
        flow = 10   // flow returning does not restart a tripped pump by itself
        XCTAssertFalse(run(&g, "pump", wanted: true, at: 30))
        XCTAssertEqual(g.tripped.map(\.output), ["pump"])
        XCTAssertEqual(g.acknowledge(by: "ann", events: &events), ["pump"])
        XCTAssertEqual(events.last?.kind, .alarmCleared)
        XCTAssertTrue(run(&g, "pump", wanted: true, at: 31))
        XCTAssertTrue(g.tripped.isEmpty)
    }

    func testTripGraceRestartsWithEachStart() {
        var g = guardFor([RigSpec.Interlock(output: "pump", requires: [.above(sensor: "flow", value: 1)], action: .trip,
                                                              grace: Seconds(20))])
        XCTAssertTrue(run(&g, "pump", wanted: true, at: 0))
        XCTAssertFalse(run(&g, "pump", wanted: false, at: 10))
        XCTAssertTrue(run(&g, "pump", wanted: true, at: 25), "a fresh start gets a fresh grace")
        XCTAssertTrue(run(&g, "pump", wanted: true, at: 44))
        XCTAssertFalse(run(&g, "pump", wanted: true, at: 45))
    }

    func testImpliedProtectionsFollowTheVesselDescription() {
        var mash = RigSpec.Vessel(id: "mash", role: .mashTun, name: "Mash tun", capacity: Litres(100), temperatureSensor: "t",
                                  heater: RigSpec.Heater(output: "rims", power: Watts(3500), tuning: .init(kp: 60, ti: Seconds(2400))),
                                  recirculationPump: "pump", flowMeter: "flow", levelSwitch: "level")
        mash.minFlow = 3
        let rig = RigSpec(name: "r", source: "r.toml", backend: .simulated, buses: [], sensors: [], outputs: [], vessels: [mash],
                          interlocks: [RigSpec.Interlock(output: "rims", requires: [.level(sensor: "level", wet: true)], reason: "declared")])
        let all = rig.effectiveInterlocks
        XCTAssertEqual(all.filter { $0.output == "rims" && $0.requires.first?.sensorID == "level" }.map(\.reason), ["declared"],
                       "a declared interlock on the same sensor wins over the implied one")
        XCTAssertTrue(all.contains { $0.output == "rims" && $0.requires == [.output("pump", on: true)] && $0.implied })
        XCTAssertTrue(all.contains { $0.output == "rims" && $0.requires == [.above(sensor: "flow", value: 3)] && $0.action == .hold })
        XCTAssertTrue(all.contains { $0.output == "pump" && $0.requires == [.above(sensor: "flow", value: 3)] && $0.action == .trip })
    }
}
