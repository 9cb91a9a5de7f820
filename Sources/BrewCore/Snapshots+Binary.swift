// The resume snapshots of this module in the compact binary format (see BinaryCoding.swift).
// Fields in declaration order; a field added later is read only from the version that has it.

extension StepEngine.RegimeSnapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(kind)
        w.write(from)
        w.write(to)
        w.write(start)
        w.write(duration)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(kind: try r.read(), from: try r.read(), to: try r.read(), start: try r.read(), duration: try r.read())
    }
}

extension StepEngine.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(stepIndex)
        w.write(stepStartedAt)
        w.write(phase)
        w.write(abortReason)
        w.write(reachedAt)
        w.write(countedTime)
        w.write(lastAdvance)
        w.write(boilStartedAt)
        w.write(additionsAnnounced)
        w.write(confirmation)
        w.write(regimes)
        w.write(history)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(stepIndex: try r.read(), stepStartedAt: try r.read(), phase: try r.read(), abortReason: try r.read(),
                  reachedAt: try r.read(), countedTime: try r.read(), lastAdvance: try r.read(), boilStartedAt: try r.read(),
                  additionsAnnounced: try r.read(), confirmation: try r.read(), regimes: try r.read(), history: try r.read())
    }
}

extension TemperatureHistory.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(values)
        w.write(lastTime)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(values: try r.read(), lastTime: try r.read())
    }
}

extension TemperatureReading.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(value)
        w.write(takenAt)
        w.write(fault)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(value: try r.read(), takenAt: try r.read(), fault: try r.read())
    }
}
