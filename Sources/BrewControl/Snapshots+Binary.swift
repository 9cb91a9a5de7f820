import BrewCore

// The resume snapshots of this module in the compact binary format (BrewCore's BinaryCoding.swift).
// Fields in declaration order; a field added later is read only from the version that has it.

extension PIDController.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(setpoint, integral, derivative, output, unclamped, lastMeasurement, lastTime)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(setpoint: r.read(), integral: r.read(), derivative: r.read(), output: r.read(),
                      unclamped: r.read(), lastMeasurement: r.read(), lastTime: r.read())
    }
}

extension TimeProportionedOutput.Window: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(origin, index, onTime, owed, delivered, carry, lastTick, appliedDuty, isOn)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(origin: r.read(), index: r.read(), onTime: r.read(), owed: r.read(), delivered: r.read(),
                      carry: r.read(), lastTick: r.read(), appliedDuty: r.read(), isOn: r.read())
    }
}

extension TimeProportionedOutput.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(carry, window)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(carry: r.read(), window: r.read())
    }
}

extension HeaterLoop.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(mode, fixedPower, demand, setpoint, pid, output)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(mode: r.read(), fixedPower: r.read(), demand: r.read(), setpoint: r.read(), pid: r.read(),
                      output: r.read())
    }
}

extension SensorHealth.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(lastAt, lastValue, pendingAt, pendingValue, sameSince, sameValue, expectedSinceSame, onSinceSame, isStuck,
                stuckText, expectChangeUntil)
    }

    public init(from r: inout BinaryReader) throws {
        try self.init(lastAt: r.read(), lastValue: r.read(), pendingAt: r.read(), pendingValue: r.read(),
                      sameSince: r.read(), sameValue: r.read(), expectedSinceSame: r.read(), onSinceSame: r.read(),
                      isStuck: r.read(), stuckText: r.read(), expectChangeUntil: r.read())
    }
}
