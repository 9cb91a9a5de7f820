import BrewConfig
import BrewCore
import BrewSim
import Foundation
import XCTest

/// A dead element is caught by its effect — no rise at high duty — whatever the simulated
/// plant: over a seeded random set of vessels (volume, element, steel, losses, efficiency, probe
/// lag, dead time and noise), a healthy element heating and holding never raises an alarm, and a
/// dead one is always caught within a bound worked out from the plant.
///
/// The probes range up to 90 s of lag and 60 s of dead time — slow thermowells. The watch allows
/// for the probe's response (dead time + lag): without that, such probes raised false "element
/// dead" alarms after a fill (the probe still settling from the room's temperature when the
/// watch's 2-minute settle ended) and false welded-SSR alarms after a fast heat-up.
extension FaultInjectionTests {
    struct Plant: CustomStringConvertible {
        var volume, power, loss, efficiency, steel, lag, deadTime, noise, target: Double
        var description: String {
            "\(Int(volume)) L, \(Int(power)) W × \(Format.fixed(efficiency, 2)), steel \(Int(steel / 1000)) kJ/K, loss \(Format.fixed(loss, 1)) W/K, "
                + "lag \(Int(lag)) s, dead time \(Int(deadTime)) s, noise \(Format.fixed(noise, 2)) K, to \(Int(target)) °C"
        }
        /// Heat capacity of water and steel, J/K.
        var capacity: Double { volume * Water.density * Water.specificHeat + steel }
        /// How fast the element alone should heat it, K/s.
        var rate: Double { power * efficiency / capacity }

        var rig: String {
            """
            name = "Property rig"
            backend = "simulated"
            seed = \(Int(volume * 7 + power))

            [site]
            ambient = "18 C"
            mains_water = "12 C"

            [buses.i2c]
            type = "i2c"
            adapter = 1

            [buses.gpio]
            type = "gpio"
            chip = "gpiochip0"

            [sensors.hlt_probe]
            type = "mcp9808"
            bus = "i2c"
            address = 0x18

            [outputs.hlt_element]
            type = "heater"
            bus = "gpio"
            line = 17

            [vessels.hlt]
            role = "hlt"
            name = "HLT"
            capacity = "400 L"
            sensor = "hlt_probe"
            max_temperature = "95 C"

            [vessels.hlt.heater]
            output = "hlt_element"
            power = "\(Int(power)) W"
            window = "2 s"
            pid = { kp = 60, ti = "2400 s", td = "0 s" }

            [vessels.hlt.simulation]
            empty_heat_capacity = "\(Int(steel)) J/K"
            heat_loss = "\(Format.fixed(loss, 2)) W/K"
            heater_efficiency = \(Format.fixed(efficiency, 3))
            sensor_lag = "\(Int(lag)) s"
            sensor_dead_time = "\(Int(deadTime)) s"
            sensor_noise = "\(Format.fixed(noise, 3)) K"
            """
        }

        var recipe: String {
            """
            name = "Heat and hold"

            [[steps]]
            name = "Fill"
            kind = "confirm"
            message = "Fill the HLT"
            actions = [{ action = "fill", vessel = "hlt", volume = "\(Int(volume)) L" }]

            [[steps]]
            name = "Heat"
            kind = "heat"
            vessel = "hlt"
            temperature = "\(Int(target)) C"

            [[steps]]
            name = "Hold"
            kind = "rest"
            vessel = "hlt"
            temperature = "\(Int(target)) C"
            duration = "20 min"
            """
        }
    }

    /// Seeded plants a club might build: 15–300 L, 1.5–11 kW, and losses the element can beat
    /// (holding at the target takes at most 35 % of it), probes up to 90 s of lag and 60 s of dead time.
    static func plants(_ n: Int, seed: UInt64) -> [Plant] {
        var random = SeededRandom(seed: seed)
        func pick(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * random.unit() }
        var out: [Plant] = []
        while out.count < n {
            var p = Plant(volume: pick(15, 300).rounded(), power: pick(1500, 11_000).rounded(), loss: pick(0, 30), efficiency: pick(0.8, 1),
                          steel: pick(5_000, 80_000).rounded(), lag: pick(0, 90).rounded(), deadTime: pick(0, 60).rounded(),
                          noise: pick(0, 0.08), target: pick(45, 80).rounded())
            // An element that cannot hold its target at a third of its power is not a healthy rig.
            guard p.loss * (p.target - 18) <= 0.35 * p.power * p.efficiency else { continue }
            // Heating must show within the watch's longest window (20 min for 1.5 K).
            guard p.rate * 1200 > 3 else { continue }
            out.append(p)
        }
        return out
    }

    func testAHealthyElementNeverAlarmsWhateverThePlant() throws {
        for plant in Self.plants(12, seed: 0xD3AD) {
            let run = try brew(recipeText: plant.recipe, rigText: plant.rig, abortAt: 6 * 3600) { _ in }
            XCTAssertEqual(run.result.outcome, .completed, "\(plant)")
            XCTAssertTrue(run.alarms.isEmpty, "\(plant): \(run.alarms.map(\.event.message))")
        }
    }

    func testADeadElementIsAlwaysCaughtWhateverThePlant() throws {
        var random = SeededRandom(seed: 0xE1E)
        for plant in Self.plants(12, seed: 0xBEEF) {
            // The element dies somewhere in the first half of the heat-up (it must be heating).
            let heatUp = (plant.target - 12) / plant.rate
            let dies = (60 + random.unit() * max(0, heatUp / 2 - 60)).rounded()
            // The bound: the watch judges once the fill has settled (2 min + 3 × the probe's
            // response); then the probe's delay, the window, and long enough for 1.5 K to be due.
            let response = plant.deadTime + plant.lag
            let judging = max(dies, 120 + 3 * response)
            let bound = judging - dies + response + 90 + max(120, 1.5 / plant.rate * 1.3) + 60
            let run = try brew(recipeText: plant.recipe, rigText: plant.rig, abortAt: dies + bound + 60) { b in
                b.inject(.elementOpen, vessel: 0, at: Instant(seconds: dies))
            }
            let alarm = run.alarms.first { $0.event.message.contains("element dead or dry") }
            XCTAssertNotNil(alarm, "\(plant), dead at \(dies) s: not caught in \(Int(bound)) s; \(run.alarms.map(\.event.message))")
            guard let alarm else { continue }
            XCTAssertGreaterThan(alarm.at.value, dies, "\(plant)")
            XCTAssertLessThanOrEqual(alarm.at.value - dies, bound, "\(plant), dead at \(dies) s")
            XCTAssertFalse(run.alarms.contains { $0.at.value <= dies }, "\(plant): \(run.alarms.map(\.event.message))")
            assertOffFromTheAlarm(run, vessel: 0, at: alarm.at.value)
        }
    }
}
