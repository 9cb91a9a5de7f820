import BrewControl
import BrewCore

// `ProcessController.TickState` in the compact binary format (BrewCore's BinaryCoding.swift).
// Fields in declaration order; a field added later is read only from the version that has it.

extension ProcessController.TickState.Vessel: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(heaterOn, demand, setpoint, pumpOn, chillerOpen, accepted, judgedAt, lastReadingAt, readingFault, stuck,
                spikeAlertAt, onTime, sampleAt, health)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(heaterOn: r.read(), demand: r.read(), setpoint: r.read(), pumpOn: r.read(), chillerOpen: r.read(),
                      accepted: r.read(), judgedAt: r.read(), lastReadingAt: r.read(), readingFault: r.read(),
                      stuck: r.read(), spikeAlertAt: r.read(), onTime: r.read(), sampleAt: r.read(), health: r.read())
    }
}

extension ProcessController.TickState.Circuit: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(origin, index, demands, carry)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(origin: r.read(), index: r.read(), demands: r.read(), carry: r.read())
    }
}

extension ProcessController.TickState: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(lastTick, vessels, circuits)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(lastTick: r.read(), vessels: r.read(), circuits: r.read())
    }
}
