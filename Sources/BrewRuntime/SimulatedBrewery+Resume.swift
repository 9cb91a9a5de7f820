import BrewCore
import BrewProcess
import BrewSim

/// The simulated plant as version 1 snapshots kept it: each vessel's temperature and contents and
/// the probe's last value — not the probe's delay line and lag, nor the noise generator. Read from
/// old snapshots only, and restored approximately (`restorePlant(approximately:actions:)`);
/// newer snapshots keep the whole `SimulatedPlant.Snapshot`.
public struct PlantSnapshot: Codable, Equatable, Sendable {
    public struct Vessel: Codable, Equatable, Sendable {
        public var temperature: Double
        public var water: Double
        public var grain: Double
        public var evaporated: Double
        public var probe: Double
    }

    /// Plant time, s.
    public var now: Double
    public var vessels: [Vessel]

    /// The part of a whole plant snapshot that an approximate restore can use.
    public init(summarising s: SimulatedPlant.Snapshot) {
        now = s.now
        vessels = s.vessels.map { .init(temperature: $0.temperature, water: $0.water, grain: $0.grain, evaporated: $0.evaporated, probe: $0.probe) }
    }
}

// Kept in the binary format too, so re-saving a version 1 state loses nothing.
extension PlantSnapshot.Vessel: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(temperature, water, grain, evaporated, probe) }

    public init(from r: inout BinaryReader) throws {
        try self.init(temperature: r.read(), water: r.read(), grain: r.read(), evaporated: r.read(), probe: r.read())
    }
}

extension PlantSnapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(now, vessels) }

    public init(from r: inout BinaryReader) throws {
        now = try r.read()
        vessels = try r.read()
    }
}

extension SimulatedBrewery {
    /// Brings this (fresh) simulated brewery close to a plant state that only a summary was kept
    /// of (version 1 snapshots, or a whole snapshot that does not fit this rig), through the
    /// plant's own operations: the operator actions confirmed so far are carried out again (fills,
    /// transfers, grain), then each vessel is driven to its saved temperature with its own heater
    /// or chiller, and held there, within the plant time before the snapshot. The probe's lag and
    /// noise generator restart, and water boiled away is not taken out again: close to the saved
    /// plant, not identical (docs/logging.md). Returns notes where the restore fell short.
    public func restorePlant(approximately snapshot: PlantSnapshot, actions: [OperatorAction]) -> [String] {
        var notes: [String] = []
        for a in actions { notes += operatorDid([a]) }
        let n = min(snapshot.vessels.count, plant.vessels.count)
        let end = Instant(seconds: snapshot.now)
        var t = plant.now
        let tolerance = 0.05
        // Thermostat every vessel on its saved temperature until the plant reaches the snapshot's
        // time, so it arrives there at that temperature rather than cooling after getting there.
        while t < end {
            var outputs = Array(repeating: ProcessController.VesselOutput(), count: plant.vessels.count)
            for i in 0..<n where plant[i].water.value >= 0.01 {
                let want = snapshot.vessels[i].temperature, have = plant[i].temperature.value
                outputs[i].heaterOn = have < want - tolerance / 2
                outputs[i].pumpOn = outputs[i].heaterOn
                outputs[i].chillerOpen = have > want + tolerance / 2
            }
            // Straight to the physics: this rebuilds the plant, it is not a brew (no interlock
            // needs asking, and nothing here belongs in the batch's log).
            setActuators(outputs)
            t = Instant(seconds: min(end.seconds, t.seconds + 1))
            advance(to: t)
        }
        allOff()
        for i in 0..<n where abs(plant[i].temperature.value - snapshot.vessels[i].temperature) > 0.5 {
            notes.append("\(plant[i].name) restored to \(plant[i].temperature), not the saved \(Celsius(snapshot.vessels[i].temperature))")
        }
        return notes
    }
}
