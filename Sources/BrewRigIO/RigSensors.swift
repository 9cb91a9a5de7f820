import BrewCore
import BrewDrivers
import BrewHAL

/// Where a rig's sensors find their buses: the board's real ones (`LinuxRigBuses`) or, in tests,
/// simulated chips on simulated buses — the same driver code runs either way.
public protocol RigBusProvider: AnyObject {
    func i2cBus(_ id: String) throws(BusError) -> any I2CBus
    func modbusClient(_ id: String) throws(BusError) -> any ModbusClient
    /// A GPIO input's logical level (a level switch).
    func levelInput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> () throws(BusError) -> Bool
    /// Starts a bus afresh after it stopped answering (reopen the adapter, reconnect the line)
    /// before a fault is declared. A bus that cannot be re-initialised does nothing.
    func reinitialise(bus id: String)
    /// A GPIO output line, requested at its safe (off) level.
    func gpioOutput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> any DigitalOutput
    /// A GPIO line's pulses: the returned closure hands each pulse drained since its last call to
    /// `each` as a kernel timestamp (ns), and returns "now" on the same clock.
    func pulseInput(bus: String, line: Int, name: String) throws(BusError) -> (_ each: (UInt64) -> Void) throws(BusError) -> UInt64
}

extension RigBusProvider {
    public func reinitialise(bus id: String) {}
}

/// One measuring device of the rig, opened through its driver: a reading in the unit of its
/// quantity (°C, L/min, SG, bar, 1 = wet / 0 = dry), scaled and calibrated as the hardware file says.
public final class RigSensor {
    public let spec: RigSpec.Sensor
    /// "MCP9808 @ i2c-1:0x18", "DS18B20 28-… via DS2482-800 @ i2c-1:0x1B ch 0", …
    public let name: String
    private let readRaw: () throws(BusError) -> Double

    init(spec: RigSpec.Sensor, name: String, read: @escaping () throws(BusError) -> Double) {
        self.spec = spec
        self.name = name
        self.readRaw = read
    }

    public func read() throws(BusError) -> Double {
        try readRaw() * spec.scale + spec.calibrationOffset
    }

    public var unit: String { spec.quantity.unit }
}

/// Opens a rig's sensors through their drivers, sharing buses and bridges between them.
public final class RigSensors {
    public let rig: RigSpec
    private let buses: any RigBusProvider
    private let now: () -> Instant
    private var bridges: [String: DS2482] = [:]
    private var adcs: [String: ADS1115] = [:]

    /// `now` is the monotonic clock the DS18B20's conversion timing and flow rates are measured on.
    public init(rig: RigSpec, buses: any RigBusProvider, now: @escaping () -> Instant) {
        self.rig = rig
        self.buses = buses
        self.now = now
    }

    /// Opens (and identifies) the sensor's device: throws what the bus or the driver found wrong.
    public func open(_ spec: RigSpec.Sensor) throws(BusError) -> RigSensor {
        switch (spec.part, spec.connection) {
        case (.mcp9808, .i2c(let address)):
            let chip = try MCP9808(bus: try buses.i2cBus(spec.bus), address: UInt8(clamping: address))
            return temperature(spec, chip)
        case (.tmp117, .i2c(let address)):
            let chip = try TMP117(bus: try buses.i2cBus(spec.bus), address: UInt8(clamping: address))
            return temperature(spec, chip)
        case (.ds18b20, .oneWire(let rom)):
            guard case .oneWire(let wire)? = rig.bus(id: spec.bus)?.kind else { throw notA(spec, "1-Wire bus") }
            let bridge = try self.bridge(wire)
            let probe = try DS18B20(bridge: bridge, channel: wire.channel, rom: OneWireROM(rom), now: now)
            return temperature(spec, probe)
        case (.ads1115, .analog(let address, let channel, let fullScale, let frontEnd)):
            guard let gain = ADS1115.Gain(fullScale: fullScale) else {
                throw BusError(.invalidRequest, bus: spec.bus, address: address, detail: "\(spec.id): no ADS1115 range of ±\(fullScale) V")
            }
            let adc = try self.adc(bus: spec.bus, address: address)
            let probe: AnalogTemperatureProbe
            switch frontEnd {
            case .ntc(let beta, let r25, let series, let supply):
                probe = try AnalogTemperatureProbe(adc: adc, channel: channel, gain: gain,
                                                   element: .ntc(NTCThermistor(model: .beta(r25: r25, beta: beta))),
                                                   supply: supply, seriesResistor: series)
            case .pt100(let r0, let series, let supply):
                probe = try AnalogTemperatureProbe(adc: adc, channel: channel, gain: gain, element: .rtd(PlatinumRTD(r0: r0)),
                                                   supply: supply, seriesResistor: series)
            }
            return temperature(spec, probe)
        case (.modbusRegister, .modbus(let p)):
            let client = try buses.modbusClient(spec.bus)
            // Scale and calibration are applied by RigSensor, as for every other part.
            let point = ModbusPoint(unit: UInt8(clamping: p.unit), table: p.registerType == .holding ? .holding : .input,
                                    address: UInt16(clamping: p.register), value: ModbusValue(p))
            let name = "\(p.registerType.rawValue) register \(p.register) of unit \(p.unit) on \(client.name)"
            return RigSensor(spec: spec, name: name) { () throws(BusError) -> Double in try point.read(from: client) }
        case (.levelSwitch, .levelSwitch(let line, let activeLow, let wetWhen)):
            let level = try buses.levelInput(bus: spec.bus, line: line, activeLow: activeLow, name: spec.id)
            // With active-low applied, `true` means the switch is closed.
            return RigSensor(spec: spec, name: "level switch on \(spec.bus) line \(line)") { () throws(BusError) -> Double in
                let closed = try level()
                return (closed == (wetWhen == .closed)) ? 1 : 0
            }
        case (.pulseFlowMeter, .pulses(let line, let pulsesPerLitre)):
            let drain = try buses.pulseInput(bus: spec.bus, line: line, name: spec.id)
            var meter = PulseFlowMeter(pulsesPerLitre: pulsesPerLitre)
            return RigSensor(spec: spec, name: "pulse flow meter on \(spec.bus) line \(line)") { () throws(BusError) -> Double in
                let now = try drain { meter.record(pulseAt: $0) }
                return meter.rate(at: now)
            }
        default:
            throw BusError(.invalidRequest, bus: spec.bus, detail: "\(spec.id): a \(spec.part.rawValue) cannot be connected that way")
        }
    }

    /// Forgets the bridges and converters on I2C bus `bus`, so the next `open` configures them
    /// afresh (after the bus was re-initialised or power-cycled and they lost their settings).
    public func forget(bus: String) {
        bridges = bridges.filter { !$0.key.hasPrefix("\(bus)@") }
        adcs = adcs.filter { !$0.key.hasPrefix("\(bus)@") }
    }

    private func temperature(_ spec: RigSpec.Sensor, _ device: any TemperatureSensor) -> RigSensor {
        RigSensor(spec: spec, name: device.name) { () throws(BusError) -> Double in try device.readTemperature().value }
    }

    private func notA(_ spec: RigSpec.Sensor, _ what: String) -> BusError {
        BusError(.invalidRequest, bus: spec.bus, detail: "\(spec.id): bus `\(spec.bus)` is not a \(what)")
    }

    private func bridge(_ wire: RigSpec.Bus.OneWireBridge) throws(BusError) -> DS2482 {
        let key = "\(wire.i2cBus)@\(wire.address)"
        if let b = bridges[key] { return b }
        let model: DS2482.Model = wire.part == .ds2482_800 ? .ds2482_800 : .ds2482_100
        let b = try DS2482(bus: try buses.i2cBus(wire.i2cBus), address: UInt8(clamping: wire.address), model: model)
        bridges[key] = b
        return b
    }

    private func adc(bus: String, address: Int) throws(BusError) -> ADS1115 {
        let key = "\(bus)@\(address)"
        if let a = adcs[key] { return a }
        let a = try ADS1115(bus: try buses.i2cBus(bus), address: UInt8(clamping: address))
        adcs[key] = a
        return a
    }
}

extension ModbusValue {
    /// How a hardware file's Modbus point is encoded (scale and calibration are applied by
    /// `RigSensor`, as for every other part).
    public init(_ point: RigSpec.Sensor.ModbusPoint) {
        let type: DataType = switch point.dataType {
        case .int16: .int16
        case .uint16: .uint16
        case .int32: .int32
        case .uint32: .uint32
        case .float32: .float32
        }
        self.init(type, wordOrder: point.wordOrder == .big ? .big : .little)
    }
}
