import BrewCore

// The simulated plant's snapshot in the compact binary format (BrewCore's BinaryCoding.swift).
// Fields in declaration order; a field added later is read only from the version that has it.

extension SeededRandom.State: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(word)
        w.write(spare)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(word: try r.read(), spare: try r.read())
    }
}

extension SimulatedVessel.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(temperature)
        w.write(water)
        w.write(grain)
        w.write(evaporated)
        w.write(isBoiling)
        w.write(probe)
        w.write(heaterOn)
        w.write(pumpOn)
        w.write(chillerOpen)
        w.write(spikeSteps)
        w.write(delay)
        w.write(delayHead)
        w.write(lagged)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(temperature: try r.read(), water: try r.read(), grain: try r.read(), evaporated: try r.read(), isBoiling: try r.read(),
                  probe: try r.read(), heaterOn: try r.read(), pumpOn: try r.read(), chillerOpen: try r.read(), spikeSteps: try r.read(),
                  delay: try r.read(), delayHead: try r.read(), lagged: try r.read())
    }
}

extension SimulatedPlant.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(now)
        w.write(step)
        w.write(vessels)
        w.write(random)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(now: try r.read(), step: try r.read(), vessels: try r.read(), random: try r.read())
    }
}
