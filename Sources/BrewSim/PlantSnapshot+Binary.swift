import BrewCore

// The simulated plant's snapshot in the compact binary format (BrewCore's BinaryCoding.swift).
// Fields in declaration order; a field added later is read only from the version that has it.

extension SeededRandom.State: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(word, spare)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(word: r.read(), spare: r.read())
    }
}

extension SimulatedVessel.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(temperature, water, grain, evaporated, isBoiling, probe, heaterOn, pumpOn, chillerOpen, spikeSteps, delay,
                delayHead, lagged)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(temperature: r.read(), water: r.read(), grain: r.read(), evaporated: r.read(), isBoiling: r.read(),
                      probe: r.read(), heaterOn: r.read(), pumpOn: r.read(), chillerOpen: r.read(), spikeSteps: r.read(),
                      delay: r.read(), delayHead: r.read(), lagged: r.read())
    }
}

extension SimulatedPlant.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(now, step, vessels, random)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(now: r.read(), step: r.read(), vessels: r.read(), random: r.read())
    }
}
