// The resume snapshots of this module in the compact binary format (see BinaryCoding.swift).
// Fields in declaration order; a field added later is read only from the version that has it.

extension StepEngine.RegimeSnapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(kind, from, to, start, duration)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(kind: r.read(), from: r.read(), to: r.read(), start: r.read(), duration: r.read())
    }
}

extension StepEngine.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(stepIndex, stepStartedAt, phase, abortReason, reachedAt, countedTime, lastAdvance, boilStartedAt,
                additionsAnnounced, confirmation, regimes, history)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(stepIndex: r.read(), stepStartedAt: r.read(), phase: r.read(), abortReason: r.read(),
                      reachedAt: r.read(), countedTime: r.read(), lastAdvance: r.read(), boilStartedAt: r.read(),
                      additionsAnnounced: r.read(), confirmation: r.read(), regimes: r.read(), history: r.read())
    }
}

extension TemperatureHistory.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(values, lastTime)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(values: r.read(), lastTime: r.read())
    }
}

extension TemperatureReading.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(value, takenAt, fault)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(value: r.read(), takenAt: r.read(), fault: r.read())
    }
}
