import BrewCore
import BrewDrivers
import BrewHAL

/// Every output of a rig on real buses: GPIO lines (SSRs, relays), Modbus relay coils and
/// variable-speed pumps. Opening an output drives it to its safe state in the same step (a GPIO
/// line is requested with "off" as its initial value; a coil is written off; a drive is set to 0).
public final class RigOutputs {
    public let rig: RigSpec
    private let buses: any RigBusProvider
    private var gpio: [String: any DigitalOutput] = [:]
    private var coils: [String: ModbusCoilOutput] = [:]

    public init(rig: RigSpec, buses: any RigBusProvider) {
        self.rig = rig
        self.buses = buses
    }

    /// One output's result of `allOff()`.
    public struct Result: Sendable {
        public var output: String
        public var error: BusError?
    }

    /// Drives every output of the rig to off, each independently: one that fails does not stop
    /// the others. For `brewctl off`, the service's `ExecStopPost=`, and every start and end.
    public func allOff() -> [Result] {
        rig.outputs.map { output in
            do throws(BusError) {
                try set(output.id, on: false)
                return Result(output: output.id, error: nil)
            } catch {
                return Result(output: output.id, error: error)
            }
        }
    }

    /// Switches one output (a variable-speed pump: full allowed speed, or stopped).
    public func set(_ id: String, on: Bool) throws(BusError) {
        guard let output = rig.output(id: id) else {
            throw BusError(.invalidRequest, bus: rig.source, detail: "no output `\(id)` in \(rig.source)")
        }
        switch output.connection {
        case .gpio(let line, let activeLow):
            if let open = gpio[id] { return try open.set(on) }
            // Requesting the line drives it off; only then is it switched on if asked.
            let opened = try buses.gpioOutput(bus: output.bus, line: line, activeLow: activeLow, name: id)
            gpio[id] = opened
            if on { try opened.set(true) }
        case .modbusCoil(let unit, let coil):
            let out = try coilOutput(id, output.bus, unit, coil)
            try out.set(on)
        case .modbusSpeed(let unit, let register, let fullScale, let maxSpeed):
            try setSpeed(on ? maxSpeed : .off, unit: unit, register: register, fullScale: fullScale, maxSpeed: maxSpeed, bus: output.bus)
        }
    }

    /// Sets a variable-speed pump, never above its `max_speed`.
    public func setSpeed(_ id: String, _ speed: Percent) throws(BusError) {
        guard let output = rig.output(id: id), case .modbusSpeed(let unit, let register, let fullScale, let maxSpeed) = output.connection else {
            throw BusError(.invalidRequest, bus: rig.source, detail: "`\(id)` is not a variable-speed pump")
        }
        try setSpeed(speed, unit: unit, register: register, fullScale: fullScale, maxSpeed: maxSpeed, bus: output.bus)
    }

    private func setSpeed(_ speed: Percent, unit: Int, register: Int, fullScale: Int, maxSpeed: Percent, bus: String) throws(BusError) {
        let clamped = min(speed.value, maxSpeed.value)
        let counts = UInt16(clamping: Int((Double(fullScale) * clamped / 100).rounded()))
        try buses.modbusClient(bus).writeRegister(unit: UInt8(clamping: unit), address: UInt16(clamping: register), value: counts)
    }

    private func coilOutput(_ id: String, _ bus: String, _ unit: Int, _ coil: Int) throws(BusError) -> ModbusCoilOutput {
        if let out = coils[id] { return out }
        let out = ModbusCoilOutput(client: try buses.modbusClient(bus), unit: UInt8(clamping: unit), coil: UInt16(clamping: coil), name: id)
        coils[id] = out
        return out
    }
}
