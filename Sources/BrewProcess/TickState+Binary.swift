import BrewControl
import BrewCore

// `ProcessController.TickState` in the compact binary format (BrewCore's BinaryCoding.swift).
// Fields in declaration order; a field added later is read only from the version that has it.

extension ProcessController.TickState.Vessel: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(heaterOn)
        w.write(demand)
        w.write(setpoint)
        w.write(pumpOn)
        w.write(chillerOpen)
        w.write(accepted)
        w.write(judgedAt)
        w.write(lastReadingAt)
        w.write(readingFault)
        w.write(stuck)
        w.write(spikeAlertAt)
        w.write(onTime)
        w.write(sampleAt)
        w.write(health)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(heaterOn: try r.read(), demand: try r.read(), setpoint: try r.read(), pumpOn: try r.read(), chillerOpen: try r.read(),
                  accepted: try r.read(), judgedAt: try r.read(), lastReadingAt: try r.read(), readingFault: try r.read(),
                  stuck: try r.read(), spikeAlertAt: try r.read(), onTime: try r.read(), sampleAt: try r.read(), health: try r.read())
    }
}

extension ProcessController.TickState.Circuit: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(origin)
        w.write(index)
        w.write(demands)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(origin: try r.read(), index: try r.read(), demands: try r.read())
    }
}

extension ProcessController.TickState: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(lastTick)
        w.write(vessels)
        w.write(circuits)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(lastTick: try r.read(), vessels: try r.read(), circuits: try r.read())
    }
}
