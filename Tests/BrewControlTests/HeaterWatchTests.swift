import BrewControl
import BrewCore
import XCTest

/// A lumped vessel as the watch meets it on a brew day: element × efficiency, losses, boiling
/// at the boiling point, a probe behind dead time and lag with noise, quantised like an MCP9808.
private struct Vessel {
    var litres: Double
    var empty = 15_000.0
    var power = 3500.0
    var efficiency = 0.97
    var loss = 3.0
    var ambient = 18.0
    var boilingPoint = 99.6
    var temperature: Double
    var deadTime = 8.0
    var lag = 6.0
    var noise = 0.03
    /// Fault knobs: the share of the power that really arrives when on, and heat while "off".
    var delivered = 1.0
    var heatsWhenOff = false
    private var line: [Double] = []
    private var lagged: Double
    private var seed: UInt64 = 42

    init(litres: Double, temperature: Double) {
        self.litres = litres
        self.temperature = temperature
        lagged = temperature
    }

    var heatCapacity: Double { litres * 4186 + empty }

    private mutating func gaussian() -> Double {
        func unit() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return (Double(seed >> 11) + 1) / 9_007_199_254_740_992.0
        }
        return (-2 * log(unit())).squareRoot() * cos(2 * .pi * unit())
    }

    /// One second with the heater switched on for `duty` of it; returns the probe reading.
    mutating func second(duty: Double) -> Double {
        let steps = 10
        for _ in 0..<steps {
            let dt = 1.0 / Double(steps)
            let on = heatsWhenOff ? 1.0 : duty * delivered
            var t = temperature + (power * efficiency * on - loss * (temperature - ambient)) * dt / heatCapacity
            t = min(t, boilingPoint)
            temperature = t
            if line.isEmpty { line = Array(repeating: t, count: max(1, Int(deadTime / dt))) }
            line.append(t)
            let delayed = line.removeFirst()
            lagged += min(1, dt / lag) * (delayed - lagged)
        }
        let raw = lagged + noise * gaussian()
        return (raw / 0.0625).rounded(.down) * 0.0625
    }

    mutating func add(litres l: Double, at t: Double) {
        temperature = (heatCapacity * temperature + l * 4186 * t) / (heatCapacity + l * 4186)
        litres += l
    }

    mutating func addGrain(kg: Double, at t: Double) {
        let c = kg * 1700
        temperature = (heatCapacity * temperature + c * t) / (heatCapacity + c)
        empty += c
    }

    func context(setpoint: Double?) -> HeaterWatch.Context {
        HeaterWatch.Context(name: "Mash tun", setpoint: setpoint.map(Celsius.init), heatCapacity: heatCapacity, volume: Litres(litres),
                            power: Watts(power), efficiency: efficiency, ambient: Celsius(ambient), boilingPoint: Celsius(boilingPoint))
    }
}

final class HeaterWatchTests: XCTestCase {
    /// Runs `seconds` of a simple controller: full power below the setpoint (or `fixed` duty),
    /// off above; returns every finding with the time it came.
    private func run(_ v: inout Vessel, _ w: inout HeaterWatch, from start: Int, seconds: Int, setpoint: Double?, fixed: Double? = nil,
                     off: Bool = false) -> [(Int, HeaterWatch.Finding)] {
        var found: [(Int, HeaterWatch.Finding)] = []
        var last = v.temperature
        for s in start..<(start + seconds) {
            let duty: Double
            if off { duty = 0 } else if let fixed { duty = fixed } else if let sp = setpoint {
                duty = min(1, max(0, (sp - last) * 0.6))   // a P controller, 60 %/K
            } else { duty = 0 }
            last = v.second(duty: duty)
            for f in w.sample(at: Instant(seconds: Double(s + 1)), temperature: Celsius(last), duty: duty, context: v.context(setpoint: setpoint)) {
                found.append((s + 1, f))
            }
        }
        return found
    }

    func testADeadElementTripsWithinTheWindowAndSaysWhatWasExpected() throws {
        var v = Vessel(litres: 52, temperature: 20)
        v.delivered = 0
        var w = HeaterWatch()
        let found = run(&v, &w, from: 0, seconds: 600, setpoint: 66)
        let trip = try XCTUnwrap(found.first { $0.1.kind == .noRise })
        XCTAssertTrue(trip.1.isFault)
        XCTAssertLessThanOrEqual(trip.0, 200, "3.5 kW into 52 L shows 1.5 K in about 110 s: judged after the 120 s window")
        XCTAssertTrue(trip.1.message.contains("heating at 100 %"), trip.1.message)
        XCTAssertTrue(trip.1.message.contains("3.4 kW into 52 L"), trip.1.message)
        XCTAssertTrue(trip.1.message.contains("should have raised it ≈"), trip.1.message)
        XCTAssertTrue(trip.1.message.contains("≈ 1.7 K") && trip.1.message.contains("it rose -0.1 K"), trip.1.message)
    }

    func testAWeakElementDeliveringHalfItsPowerIsNotAFaultButIsWarnedFarFromSetpoint() throws {
        var v = Vessel(litres: 52, temperature: 12)
        v.delivered = 0.5
        // Tighter slack than the default (×1.5 + 10 min), so half power is late enough to show.
        var settings = HeaterWatch.Settings()
        settings.farFactor = 1.0
        settings.farMargin = .minutes(5)
        var w = HeaterWatch(settings: settings)
        let found = run(&v, &w, from: 0, seconds: 4 * 3600, setpoint: 78)
        XCTAssertFalse(found.contains { $0.1.isFault }, "\(found.map(\.1))")
        let warn = try XCTUnwrap(found.first { $0.1.kind == .farFromSetpoint })
        XCTAssertFalse(warn.1.isFault)
        XCTAssertTrue(warn.1.message.contains("below its setpoint of 78.0"), warn.1.message)
        XCTAssertTrue(warn.1.message.contains("should have got there within"), warn.1.message)
        XCTAssertEqual(found.filter { $0.1.kind == .farFromSetpoint }.count, 1, "warned once per episode")
    }

    func testAHealthyHeatUpWithProbeLagAndNoiseRaisesNothing() {
        for litres in [5.0, 25, 52, 90] {
            var v = Vessel(litres: litres, temperature: 12)
            var w = HeaterWatch()
            let found = run(&v, &w, from: 0, seconds: 3 * 3600, setpoint: 78)
            XCTAssertTrue(found.isEmpty, "\(litres) L: \(found.map(\.1))")
            XCTAssertEqual(v.temperature, 78, accuracy: 1.5, "\(litres) L: it really heated up")
            // The same heat-up with the element dead is caught: the watch was looking.
            var dead = Vessel(litres: litres, temperature: 12)
            dead.delivered = 0
            var w2 = HeaterWatch()
            XCTAssertTrue(run(&dead, &w2, from: 0, seconds: 1800, setpoint: 78).contains { $0.1.kind == .noRise }, "\(litres) L")
        }
    }

    func testAVesselWithLittleLiquidIsNotADryElement() {
        // 3 L over a 3.5 kW element heats fast: the expected rise is large and so is the real one.
        var v = Vessel(litres: 3, temperature: 20)
        var w = HeaterWatch()
        XCTAssertTrue(run(&v, &w, from: 0, seconds: 1200, setpoint: 75).isEmpty)
        // … but the same vessel with the element dead trips quickly.
        var dead = Vessel(litres: 3, temperature: 20)
        dead.delivered = 0
        var w2 = HeaterWatch()
        XCTAssertEqual(run(&dead, &w2, from: 0, seconds: 300, setpoint: 75).first?.1.kind, .noRise)
    }

    func testTheBoilPlateauIsExpected() {
        // A kettle brought to the boil at full power and boiled for an hour at 65 %.
        var v = Vessel(litres: 62, temperature: 70)
        v.power = 9000
        v.loss = 15
        v.empty = 25_000
        var w = HeaterWatch()
        var found = run(&v, &w, from: 0, seconds: 3600, setpoint: nil, fixed: 1)
        found += run(&v, &w, from: 3600, seconds: 3600, setpoint: nil, fixed: 0.65)
        XCTAssertTrue(found.isEmpty, "\(found.map(\.1))")
        XCTAssertGreaterThan(v.temperature, 99.5, "it really boiled")
    }

    func testDoughInDropIsForgivenWhenAnnouncedAndWouldTripOtherwise() {
        func brew(announce: Bool) -> [(Int, HeaterWatch.Finding)] {
            var v = Vessel(litres: 40, temperature: 20)
            var w = HeaterWatch()
            var found = run(&v, &w, from: 0, seconds: 2400, setpoint: 72)   // strike water
            v.addGrain(kg: 13, at: 18)                                     // dough-in: ≈ 6 K drop
            v.add(litres: 0, at: 0)
            if announce { w.disturbed(at: Instant(seconds: 2400)) }
            found += run(&v, &w, from: 2400, seconds: 3600, setpoint: 72)
            return found
        }
        XCTAssertTrue(brew(announce: true).isEmpty, "\(brew(announce: true).map(\.1))")
        XCTAssertTrue(brew(announce: false).contains { $0.1.kind == .noRise }, "without the reset the drop looks like a dead element")
    }

    func testAColdAdditionWhileHeatingIsForgivenWhenAnnounced() {
        func brew(announce: Bool) -> [(Int, HeaterWatch.Finding)] {
            var v = Vessel(litres: 30, temperature: 20)
            v.power = 5500
            var w = HeaterWatch()
            var found = run(&v, &w, from: 0, seconds: 600, setpoint: 90)
            v.add(litres: 30, at: 12)   // topped up from the tap mid-heat
            if announce { w.disturbed(at: Instant(seconds: 600)) }
            found += run(&v, &w, from: 600, seconds: 5400, setpoint: 90)
            return found
        }
        XCTAssertTrue(brew(announce: true).isEmpty, "\(brew(announce: true).map(\.1))")
        XCTAssertFalse(brew(announce: false).isEmpty, "unannounced, the drop is not what 5.5 kW should do")
    }

    func testHoldingWithNoiseAtLowDutyRaisesNothing() {
        var v = Vessel(litres: 52, temperature: 65.9)
        var w = HeaterWatch()
        let found = run(&v, &w, from: 0, seconds: 4 * 3600, setpoint: 66)
        XCTAssertTrue(found.isEmpty, "\(found.map(\.1))")
        XCTAssertEqual(v.temperature, 66, accuracy: 0.5, "it held")
        // The same hold with the SSR welded is caught.
        v.heatsWhenOff = true
        XCTAssertTrue(run(&v, &w, from: 4 * 3600, seconds: 900, setpoint: 66).contains { $0.1.kind == .riseWhileOff })
    }

    func testAWeldedSSRIsCaughtWithTheHeaterOff() throws {
        var v = Vessel(litres: 52, temperature: 66)
        var w = HeaterWatch()
        XCTAssertTrue(run(&v, &w, from: 0, seconds: 600, setpoint: 66).isEmpty)
        v.heatsWhenOff = true
        let found = run(&v, &w, from: 600, seconds: 900, setpoint: 66)   // the P controller goes to 0 above 66
        let trip = try XCTUnwrap(found.first { $0.1.kind == .riseWhileOff }, "\(found.map(\.1))")
        XCTAssertLessThanOrEqual(trip.0 - 600, 360, "caught within a few minutes of the weld")
        XCTAssertTrue(trip.1.message.contains("welded SSR"), trip.1.message)
        XCTAssertTrue(trip.1.message.contains("should not have warmed it"), trip.1.message)
    }

    func testCoolingWithTheHeaterOffIsNotAWeldedSSR() {
        var v = Vessel(litres: 52, temperature: 76)
        var w = HeaterWatch()
        XCTAssertTrue(run(&v, &w, from: 0, seconds: 3600, setpoint: nil, off: true).isEmpty)
        // Hot liquid transferred in is announced, and forgiven.
        v.add(litres: 30, at: 95)
        w.disturbed(at: Instant(seconds: 3600))
        XCTAssertTrue(run(&v, &w, from: 3600, seconds: 1800, setpoint: nil, off: true).isEmpty)
        // Warming with the heater off and nothing announced is a welded SSR: the watch was looking.
        v.heatsWhenOff = true
        XCTAssertTrue(run(&v, &w, from: 5400, seconds: 900, setpoint: nil, off: true).contains { $0.1.kind == .riseWhileOff })
    }
}
