import BrewCore

/// A small three-vessel rig for engine tests: HLT, mash tun with a RIMS pump, kettle with a
/// chiller valve, at sea level (boiling point 100 °C).
enum Fixtures {
    static func rig(chillerValve: Bool = true, altitude: Double = 0) -> RigSpec {
        let tuning = RigSpec.Tuning(kp: 50, ti: Seconds(600))
        func heater(_ id: String, _ watts: Double) -> RigSpec.Heater {
            RigSpec.Heater(output: id, power: Watts(watts), boilPower: Percent(60), tuning: tuning)
        }
        return RigSpec(
            name: "test rig", source: "test", backend: .simulated, site: RigSpec.Site(altitude: Metres(altitude)),
            buses: [], sensors: [], outputs: [],
            vessels: [
                RigSpec.Vessel(id: "hlt", role: .hotLiquorTank, name: "HLT", capacity: Litres(100), temperatureSensor: "a",
                               heater: heater("h1", 5500)),
                RigSpec.Vessel(id: "mash", role: .mashTun, name: "Mash tun", capacity: Litres(100), temperatureSensor: "b",
                               heater: heater("h2", 3500), recirculationPump: "p"),
                RigSpec.Vessel(id: "kettle", role: .kettle, name: "Kettle", capacity: Litres(120), temperatureSensor: "c",
                               heater: heater("h3", 9000), chillerValve: chillerValve ? "v" : nil),
            ])
    }

    static func engine(_ steps: [Recipe.Step], rig: RigSpec = rig()) throws -> StepEngine {
        StepEngine(plan: try BrewPlan.bind(Recipe(name: "test", steps: steps), to: rig))
    }
}

/// Drives an engine through time with scripted temperatures, collecting events.
struct EngineDriver {
    var engine: StepEngine
    var events: [ProcessEvent] = []
    var now = Instant.zero
    var temps: [Celsius?] = [Celsius(20), Celsius(20), Celsius(20)]

    init(_ engine: StepEngine) { self.engine = engine }

    mutating func tick(_ dt: Double = 1) {
        now = now + Seconds(dt)
        engine.advance(at: now, temperatures: temps, events: &events)
    }

    /// Runs `seconds` in steps of `dt`, letting `temperature` set vessel `v` each step.
    mutating func run(_ seconds: Double, dt: Double = 1, vessel v: Int? = nil, temperature: ((Double) -> Double)? = nil) {
        let end = now.seconds + seconds
        while now.seconds + dt <= end + 1e-9 {
            if let v, let temperature { temps[v] = Celsius(temperature(now.seconds + dt)) }
            tick(dt)
        }
    }

    func events(_ kind: ProcessEvent.Kind) -> [ProcessEvent] { events.filter { $0.kind == kind } }
}
