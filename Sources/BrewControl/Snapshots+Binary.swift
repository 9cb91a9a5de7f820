import BrewCore

// The resume snapshots of this module in the compact binary format (BrewCore's BinaryCoding.swift).
// Fields in declaration order; a field added later is read only from the version that has it.

extension PIDController.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(setpoint)
        w.write(integral)
        w.write(derivative)
        w.write(output)
        w.write(unclamped)
        w.write(lastMeasurement)
        w.write(lastTime)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(setpoint: try r.read(), integral: try r.read(), derivative: try r.read(), output: try r.read(),
                  unclamped: try r.read(), lastMeasurement: try r.read(), lastTime: try r.read())
    }
}

extension TimeProportionedOutput.Window: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(origin)
        w.write(index)
        w.write(onTime)
        w.write(owed)
        w.write(delivered)
        w.write(carry)
        w.write(lastTick)
        w.write(appliedDuty)
        w.write(isOn)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(origin: try r.read(), index: try r.read(), onTime: try r.read(), owed: try r.read(), delivered: try r.read(),
                  carry: try r.read(), lastTick: try r.read(), appliedDuty: try r.read(), isOn: try r.read())
    }
}

extension TimeProportionedOutput.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(carry)
        w.write(window)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(carry: try r.read(), window: try r.read())
    }
}

extension HeaterLoop.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(mode)
        w.write(fixedPower)
        w.write(demand)
        w.write(setpoint)
        w.write(pid)
        w.write(output)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(mode: try r.read(), fixedPower: try r.read(), demand: try r.read(), setpoint: try r.read(), pid: try r.read(),
                  output: try r.read())
    }
}

extension SensorHealth.Snapshot: BinaryCodable {
    public func encode(to w: inout BinaryWriter) {
        w.write(lastAt)
        w.write(lastValue)
        w.write(pendingAt)
        w.write(pendingValue)
        w.write(sameSince)
        w.write(sameValue)
        w.write(expectedSinceSame)
        w.write(onSinceSame)
        w.write(isStuck)
        w.write(stuckText)
        w.write(expectChangeUntil)
    }

    public init(from r: inout BinaryReader) throws {
        self.init(lastAt: try r.read(), lastValue: try r.read(), pendingAt: try r.read(), pendingValue: try r.read(),
                  sameSince: try r.read(), sameValue: try r.read(), expectedSinceSame: try r.read(), onSinceSame: try r.read(),
                  isStuck: try r.read(), stuckText: try r.read(), expectChangeUntil: try r.read())
    }
}
