/// A brewery rig as the hardware file describes it, free of any bus library: which vessels exist,
/// what role each plays, how each is heated and measured, and (for the simulated brewery) the
/// physics to simulate. Backends turn the device descriptions into drivers.
public struct RigSpec: Hashable, Sendable {
    public var name: String
    /// Where the file came from, for messages and the log.
    public var source: String
    public var backend: Backend
    public var site: Site
    public var control: ControlTiming
    public var buses: [Bus]
    public var sensors: [Sensor]
    public var outputs: [Output]
    public var vessels: [Vessel]
    /// Conditions under which outputs may run (enforced at the outputs by `HardwareBrewery`).
    public var interlocks: [Interlock] = []
    /// Supply circuits shared by several heaters, with their limit (the tick's power budget keeps to it).
    public var circuits: [Circuit] = []
    /// Seed for the simulated brewery's noise, so a simulated brew day is reproducible.
    public var simulationSeed: UInt64
    /// Faults a simulated rig stages at brew times (`[[simulation.faults]]`), for rehearsals.
    public var rehearsals: [RehearsedFault] = []

    public init(name: String, source: String, backend: Backend, site: Site = Site(), control: ControlTiming = ControlTiming(),
                buses: [Bus], sensors: [Sensor], outputs: [Output], vessels: [Vessel], simulationSeed: UInt64 = 1) {
        self.name = name
        self.source = source
        self.backend = backend
        self.site = site
        self.control = control
        self.buses = buses
        self.sensors = sensors
        self.outputs = outputs
        self.vessels = vessels
        self.simulationSeed = simulationSeed
    }

    public init(name: String, source: String, backend: Backend, site: Site = Site(), control: ControlTiming = ControlTiming(),
                buses: [Bus], sensors: [Sensor], outputs: [Output], vessels: [Vessel], interlocks: [Interlock], circuits: [Circuit] = [],
                simulationSeed: UInt64 = 1) {
        self.init(name: name, source: source, backend: backend, site: site, control: control, buses: buses, sensors: sensors,
                  outputs: outputs, vessels: vessels, simulationSeed: simulationSeed)
        self.interlocks = interlocks
        self.circuits = circuits
    }

    public enum Backend: String, Hashable, Sendable {
        /// Vessels, chips and buses simulated in-process (the default, and CI's brewery).
        case simulated
        /// Real buses on a Linux board.
        case linux
    }

    /// Local conditions that matter to brewing physics.
    public struct Site: Hashable, Sendable {
        /// Height above sea level: sets the boiling point (≈ −1 °C per 300 m).
        public var altitude: Metres
        public var ambient: Celsius
        /// Temperature of tap water (fills) and of the chiller's coolant.
        public var mainsWater: Celsius
        public init(altitude: Metres = Metres(0), ambient: Celsius = Celsius(20), mainsWater: Celsius = Celsius(12)) {
            self.altitude = altitude
            self.ambient = ambient
            self.mainsWater = mainsWater
        }
        public var boilingPoint: Celsius { Water.boilingPoint(at: altitude) }
    }

    /// How often things happen in the control loop.
    public struct ControlTiming: Hashable, Sendable {
        /// The output tick: time-proportioned outputs are switched at this resolution.
        public var tick: Seconds
        /// How often sensors are read, the PID runs and samples are logged.
        public var samplePeriod: Seconds
        /// A reading older than this is treated as missing: heaters off, alarm.
        public var staleAfter: Seconds
        public init(tick: Seconds = Seconds(0.1), samplePeriod: Seconds = Seconds(1), staleAfter: Seconds = Seconds(5)) {
            self.tick = tick
            self.samplePeriod = samplePeriod
            self.staleAfter = staleAfter
        }
    }

    public struct Bus: Hashable, Sendable {
        public enum Kind: Hashable, Sendable {
            /// An I2C adapter, `/dev/i2c-N` on Linux; `adapter` is N.
            case i2c(adapter: Int)
            /// GPIO lines of one chip, by name or label (`gpiochip0`, `pinctrl-bcm2711`).
            case gpio(chip: String)
            /// A Modbus RTU serial line (RS-485), e.g. `/dev/ttyUSB0` at 9600 8N1.
            case modbusRTU(ModbusRTU)
            /// Modbus TCP to a host (a gateway or a transmitter with Ethernet).
            case modbusTCP(ModbusTCP)
            /// A 1-Wire bus behind a DS2482 I2C bridge.
            case oneWire(OneWireBridge)
        }
        public enum Parity: String, Hashable, Sendable, CaseIterable {
            case none, even, odd
        }
        public struct ModbusRTU: Hashable, Sendable {
            /// The serial device, e.g. `/dev/ttyUSB0` or `/dev/ttyAMA0`.
            public var device: String
            public var baud: Int
            public var parity: Parity
            public var dataBits: Int
            public var stopBits: Int
            /// How long to wait for an answer before a retry.
            public var timeout: Seconds
            /// Retries after a timeout or a bad answer before a read counts as failed.
            public var retries: Int
            public init(device: String, baud: Int = 9600, parity: Parity = .none, dataBits: Int = 8, stopBits: Int = 1,
                        timeout: Seconds = Seconds(0.5), retries: Int = 2) {
                self.device = device
                self.baud = baud
                self.parity = parity
                self.dataBits = dataBits
                self.stopBits = stopBits
                self.timeout = timeout
                self.retries = retries
            }
        }
        public struct ModbusTCP: Hashable, Sendable {
            public var host: String
            public var port: Int
            public var timeout: Seconds
            public var retries: Int
            public init(host: String, port: Int = 502, timeout: Seconds = Seconds(0.5), retries: Int = 2) {
                self.host = host
                self.port = port
                self.timeout = timeout
                self.retries = retries
            }
        }
        public struct OneWireBridge: Hashable, Sendable {
            public enum Part: String, Hashable, Sendable, CaseIterable {
                /// One 1-Wire channel.
                case ds2482_100 = "ds2482-100"
                /// Eight 1-Wire channels.
                case ds2482_800 = "ds2482-800"
            }
            /// Id of the I2C bus the bridge is on.
            public var i2cBus: String
            /// The bridge's I2C address, 0x18–0x1B.
            public var address: Int
            public var part: Part
            /// The 1-Wire channel (0 on a DS2482-100; 0–7 on a DS2482-800).
            public var channel: Int
            public init(i2cBus: String, address: Int, part: Part, channel: Int = 0) {
                self.i2cBus = i2cBus
                self.address = address
                self.part = part
                self.channel = channel
            }
        }
        /// A bus whose devices' supply can be cut through an output: a probe that stops answering
        /// gets its bus power-cycled (the output on for `time`, then off again) before its fault
        /// stands. The output is "on = power cut", so every output's safe state keeps the bus powered.
        public struct Reset: Hashable, Sendable {
            public var output: String
            public var time: Seconds
            public init(output: String, time: Seconds = Seconds(0.5)) {
                self.output = output
                self.time = time
            }
        }
        public var id: String
        public var kind: Kind
        public var reset: Reset?
        public init(id: String, kind: Kind, reset: Reset? = nil) {
            self.id = id
            self.kind = kind
            self.reset = reset
        }
    }

    public struct Sensor: Hashable, Sendable {
        public enum Part: String, Hashable, Sendable, CaseIterable {
            /// I2C temperature sensor, ±0.25 °C.
            case mcp9808
            /// I2C temperature sensor, ±0.1 °C.
            case tmp117
            /// 1-Wire temperature probe.
            case ds18b20
            /// I2C 16-bit ADC with a thermistor or PT100 front end.
            case ads1115
            /// A value in a Modbus register (a transmitter on RS-485 or TCP).
            case modbusRegister = "modbus_register"
            /// A Hall-effect flow meter counted on a GPIO line.
            case pulseFlowMeter = "pulse_flow_meter"
            /// A float or capacitive switch on a GPIO line.
            case levelSwitch = "level_switch"

            /// What the part measures, when the part fixes it (a Modbus register declares it).
            public var fixedQuantity: Measured? {
                switch self {
                case .mcp9808, .tmp117, .ds18b20, .ads1115: .temperature
                case .modbusRegister: nil
                case .pulseFlowMeter: .flow
                case .levelSwitch: .level
                }
            }
        }

        /// What a sensor measures. Values are in °C, L/min, L, SG, % (level) and bar.
        public enum Measured: String, Hashable, Sendable, CaseIterable {
            case temperature, flow, volume, gravity, level, pressure

            /// The unit readings are shown in ("" for a level switch's wet/dry).
            public var unit: String {
                switch self {
                case .temperature: "°C"
                case .flow: "L/min"
                case .volume: "L"
                case .gravity: "SG"
                case .level: ""
                case .pressure: "bar"
                }
            }
        }

        public enum SwitchState: String, Hashable, Sendable, CaseIterable {
            case closed, open
        }

        /// The analogue circuit in front of an ADS1115 channel.
        public enum FrontEnd: Hashable, Sendable {
            /// An NTC thermistor (beta model) in a divider under `seriesResistor` from `supply`.
            case ntc(beta: Double, r25: Double, seriesResistor: Double, supply: Double)
            /// A PT100 (or PT1000: `r0` 1000 Ω) in a divider under `seriesResistor` from `supply`,
            /// Callendar–Van Dusen with the IEC 60751 coefficients.
            case pt100(r0: Double, seriesResistor: Double, supply: Double)
        }

        public enum RegisterType: String, Hashable, Sendable, CaseIterable {
            case holding, input
        }
        public enum DataType: String, Hashable, Sendable, CaseIterable {
            case int16, uint16, int32, uint32, float32
            public var registers: Int { self == .int16 || self == .uint16 ? 1 : 2 }
        }
        public enum WordOrder: String, Hashable, Sendable, CaseIterable {
            /// High word first (Modicon order).
            case big
            /// Low word first.
            case little
        }
        public struct ModbusPoint: Hashable, Sendable {
            /// The slave (unit) id, 1–247.
            public var unit: Int
            /// The register's address (0-based, as on the wire).
            public var register: Int
            public var registerType: RegisterType
            public var dataType: DataType
            public var wordOrder: WordOrder
            public init(unit: Int, register: Int, registerType: RegisterType = .holding, dataType: DataType = .int16,
                        wordOrder: WordOrder = .big) {
                self.unit = unit
                self.register = register
                self.registerType = registerType
                self.dataType = dataType
                self.wordOrder = wordOrder
            }
        }

        /// How the sensor is reached on its bus.
        public enum Connection: Hashable, Sendable {
            /// An I2C chip at `address` (MCP9808, TMP117).
            case i2c(address: Int)
            /// A 1-Wire device by its 64-bit ROM code (family code in the low byte, as on the wire).
            case oneWire(rom: UInt64)
            /// One channel (0–3) of an ADS1115 at `address`; `fullScale` is the PGA range in volts.
            case analog(address: Int, channel: Int, fullScale: Double, frontEnd: FrontEnd)
            /// A register of a Modbus device.
            case modbus(ModbusPoint)
            /// Pulses counted on a GPIO line; `pulsesPerLitre` is the meter's K-factor.
            case pulses(line: Int, pulsesPerLitre: Double)
            /// A switch read on a GPIO input line.
            case levelSwitch(line: Int, activeLow: Bool, wetWhen: SwitchState)
        }

        public var id: String
        public var part: Part
        public var bus: String
        public var connection: Connection
        public var quantity: Measured
        /// Added to every reading (after `scale`), in the quantity's unit: calibration.
        public var calibrationOffset: Double
        /// Every raw reading is multiplied by this (Modbus registers: raw counts to units).
        public var scale: Double

        /// An I2C temperature chip (the original form; `part` must be an I2C part).
        public init(id: String, part: Part, bus: String, address: Int, offset: Kelvin = Kelvin(0)) {
            self.init(id: id, part: part, bus: bus, connection: .i2c(address: address), quantity: part.fixedQuantity ?? .temperature,
                      offset: offset.value)
        }

        public init(id: String, part: Part, bus: String, connection: Connection, quantity: Measured, offset: Double = 0, scale: Double = 1) {
            self.id = id
            self.part = part
            self.bus = bus
            self.connection = connection
            self.quantity = quantity
            self.calibrationOffset = offset
            self.scale = scale
        }

        /// The I2C address (I2C chips and ADCs), the Modbus unit id, or the GPIO line.
        public var address: Int {
            get {
                switch connection {
                case .i2c(let a), .analog(let a, _, _, _): a
                case .oneWire(let rom): Int(truncatingIfNeeded: rom & 0xFF)
                case .modbus(let p): p.unit
                case .pulses(let line, _), .levelSwitch(let line, _, _): line
                }
            }
            set {
                switch connection {
                case .i2c: connection = .i2c(address: newValue)
                case .analog(_, let c, let f, let fe): connection = .analog(address: newValue, channel: c, fullScale: f, frontEnd: fe)
                default: break
                }
            }
        }

        /// The calibration offset of a temperature sensor.
        public var offset: Kelvin {
            get { Kelvin(calibrationOffset) }
            set { calibrationOffset = newValue.value }
        }
    }

    public struct Output: Hashable, Sendable {
        public enum Kind: String, Hashable, Sendable, CaseIterable {
            case heater, pump, valve
            /// A pump on a variable-frequency drive, speed set through a Modbus register.
            case variableSpeedPump = "variable_speed_pump"
            /// Cuts a bus's supply while on (a relay or MOSFET in the sensors' power): see `Bus.Reset`.
            case busReset = "bus_reset"
        }
        /// How the output is switched.
        public enum Connection: Hashable, Sendable {
            /// A GPIO line (an SSR or relay input).
            case gpio(line: Int, activeLow: Bool)
            /// A coil of a Modbus relay module.
            case modbusCoil(unit: Int, coil: Int)
            /// A holding register of a drive: `fullScale` counts is full speed, never more than
            /// `maxSpeed` is asked for.
            case modbusSpeed(unit: Int, register: Int, fullScale: Int, maxSpeed: Percent)
        }
        public var id: String
        public var kind: Kind
        public var bus: String
        public var connection: Connection

        public init(id: String, kind: Kind, bus: String, line: Int, activeLow: Bool = false) {
            self.init(id: id, kind: kind, bus: bus, connection: .gpio(line: line, activeLow: activeLow))
        }

        public init(id: String, kind: Kind, bus: String, connection: Connection) {
            self.id = id
            self.kind = kind
            self.bus = bus
            self.connection = connection
        }

        /// The GPIO line, the coil or the register.
        public var line: Int {
            get {
                switch connection {
                case .gpio(let line, _): line
                case .modbusCoil(_, let coil): coil
                case .modbusSpeed(_, let register, _, _): register
                }
            }
            set {
                switch connection {
                case .gpio(_, let low): connection = .gpio(line: newValue, activeLow: low)
                case .modbusCoil(let unit, _): connection = .modbusCoil(unit: unit, coil: newValue)
                case .modbusSpeed(let unit, _, let f, let m): connection = .modbusSpeed(unit: unit, register: newValue, fullScale: f, maxSpeed: m)
                }
            }
        }

        /// True when the line must be driven low to switch the load on (GPIO only).
        public var activeLow: Bool {
            get {
                if case .gpio(_, let low) = connection { return low }
                return false
            }
            set {
                if case .gpio(let line, _) = connection { connection = .gpio(line: line, activeLow: newValue) }
            }
        }
    }

    /// A vessel and everything attached to it.
    public struct Vessel: Hashable, Sendable {
        public var id: String
        public var role: VesselRole
        public var name: String
        public var capacity: Litres
        /// Sensor id of the temperature probe the controller regulates on.
        public var temperatureSensor: String
        public var heater: Heater?
        /// Output id of a recirculation pump that must run while the vessel is heated (RIMS/HERMS).
        public var recirculationPump: String?
        /// Output id of the chiller's coolant valve, if chilling is automated.
        public var chillerValve: String?
        /// The vessel's own hard limit: at or above it the heater is forced off.
        public var maxTemperature: Celsius
        public var simulation: Simulation?
        /// Output id of the pump that moves this vessel's contents out (transfers, whirlpool).
        public var pump: String?
        /// Sensor id of the flow meter on this vessel's outlet (metered transfers).
        public var flowMeter: String?
        /// Sensor id of a level switch that reads wet while the element is covered.
        public var levelSwitch: String?
        /// Sensor id of a gravity sensor in the vessel (fermenters: advance on gravity).
        public var gravitySensor: String?
        /// Sensor id of the vapour-temperature probe at the column head (stills: cuts).
        public var headSensor: String?
        /// Sensor id of the flow meter on the distillate line (stills: cuts by volume).
        public var distillateMeter: String?
        /// Sensor id of the coolant flow meter or switch of the still's condenser.
        public var coolantFlow: String?
        /// The receivers distillate can be switched into, in order (stills).
        public var receivers: [Receiver]
        /// Liquid needed to cover the element: below it the heater must stay off.
        public var minVolume: Litres?
        /// Further temperature probes in the same liquid: with two or more probes the vessel's
        /// reading is voted (`ProbeVote`), and a probe that fails or disagrees is found out.
        public var redundantSensors: [String] = []
        /// How far apart redundant probes may read and still agree.
        public var probeTolerance = Kelvin(2)
        /// Flow (L/min) below which the vessel's pump counts as not pumping: its recirculation
        /// heater is held off and the pump is stopped as running dry (docs/safety.md).
        public var minFlow = 1.0
        /// Temperature of what the vessel's chiller or jacket is cooled with (nil: the site's
        /// `mains_water`). Nothing can be chilled to or below it.
        public var coolantTemperature: Celsius?
        /// Liquid the vessel's pumps need to draw from without running dry (a mash tun's false
        /// bottom and recirculation loop); nil when the hardware file does not say.
        public var minPumpVolume: Litres?
        /// How long the vessel's probe takes to show a change of the liquid (dead time + lag), which
        /// the runaway watch allows for; nil when the hardware file does not say (a simulated
        /// vessel's plant states it: `sensor_lag` + `sensor_dead_time`).
        public var probeResponse: Seconds?

        /// Every temperature probe of the vessel's liquid, the main one first.
        public var temperatureSensors: [String] { [temperatureSensor] + redundantSensors }

        public init(id: String, role: VesselRole, name: String, capacity: Litres, temperatureSensor: String,
                    heater: Heater?, recirculationPump: String? = nil, chillerValve: String? = nil,
                    maxTemperature: Celsius = Celsius(105), simulation: Simulation? = nil,
                    pump: String? = nil, flowMeter: String? = nil, levelSwitch: String? = nil, gravitySensor: String? = nil,
                    headSensor: String? = nil, distillateMeter: String? = nil, coolantFlow: String? = nil,
                    receivers: [Receiver] = [], minVolume: Litres? = nil) {
            self.id = id
            self.role = role
            self.name = name
            self.capacity = capacity
            self.temperatureSensor = temperatureSensor
            self.heater = heater
            self.recirculationPump = recirculationPump
            self.chillerValve = chillerValve
            self.maxTemperature = maxTemperature
            self.simulation = simulation
            self.pump = pump
            self.flowMeter = flowMeter
            self.levelSwitch = levelSwitch
            self.gravitySensor = gravitySensor
            self.headSensor = headSensor
            self.distillateMeter = distillateMeter
            self.coolantFlow = coolantFlow
            self.receivers = receivers
            self.minVolume = minVolume
        }
    }

    /// A jar or vessel the distillate runs into. `valve` is the output that diverts the
    /// distillate into it; without one the distiller swaps jars by hand when asked.
    public struct Receiver: Hashable, Sendable {
        public var name: String
        public var valve: String?
        public init(name: String, valve: String? = nil) {
            self.name = name
            self.valve = valve
        }
    }

    /// "`output` may only run while every condition in `requires` holds." Checked by the loader;
    /// enforced at the outputs by the hardware backend (`HardwareBrewery`).
    public struct Interlock: Hashable, Sendable {
        public enum Condition: Hashable, Sendable {
            /// A level switch reads wet (`wet` true) or dry.
            case level(sensor: String, wet: Bool)
            /// Another output is on (`on` true) or off.
            case output(String, on: Bool)
            /// A sensor reads above a value, in its quantity's unit (°C, L/min, SG, %, bar).
            case above(sensor: String, value: Double)
            /// A sensor reads below a value, in its quantity's unit.
            case below(sensor: String, value: Double)

            /// The sensor the condition reads, if it reads one.
            public var sensorID: String? {
                switch self {
                case .level(let s, _), .above(let s, _), .below(let s, _): s
                case .output: nil
                }
            }
        }
        /// What happens when a condition does not hold.
        public enum Action: String, Hashable, Sendable, CaseIterable {
            /// The output is held off while a condition is unmet and runs again as soon as all hold
            /// (an element waiting for its level switch). An alarm is raised once the output has been
            /// wanted but held off for `grace`.
            case hold
            /// The output may start, but if a condition is still (or again) unmet once it has run for
            /// `grace`, it is stopped and stays off until acknowledged (`brewctl ack`): a pump that
            /// shows no flow is running dry, and restarting it by itself would only run it dry again.
            case trip
        }
        /// Output id the interlock guards.
        public var output: String
        public var requires: [Condition]
        public var name: String?
        /// Why, for the operator when the interlock holds the output off.
        public var reason: String?
        public var action: Action = .hold
        /// `hold`: how long the output may wait silently (a RIMS element waiting for flow while the
        /// pump primes); `trip`: how long the output runs before its conditions are judged.
        public var grace: Seconds = .zero
        /// True for the protections brewctl adds by itself (`RigSpec.effectiveInterlocks`).
        public var implied = false
        public init(output: String, requires: [Condition], name: String? = nil, reason: String? = nil,
                    action: Action = .hold, grace: Seconds = .zero, implied: Bool = false) {
            self.output = output
            self.requires = requires
            self.name = name
            self.reason = reason
            self.action = action
            self.grace = grace
            self.implied = implied
        }
    }

    /// A supply circuit feeding several heaters: together they may not draw more than `limit`.
    public struct Circuit: Hashable, Sendable {
        public var id: String
        /// The most the circuit may carry (`current × voltage` when written as a current).
        public var limit: Watts
        /// Heater output ids on the circuit.
        public var heaters: [String]
        public init(id: String, limit: Watts, heaters: [String]) {
            self.id = id
            self.limit = limit
            self.heaters = heaters
        }
    }

    public struct Heater: Hashable, Sendable {
        public var output: String
        public var power: Watts
        /// Time-proportioning window of the SSR.
        public var window: Seconds
        public var minimumOn: Seconds
        public var minimumOff: Seconds
        public var maximumDuty: Percent
        /// Fixed power for a rolling boil.
        public var boilPower: Percent
        public var tuning: Tuning
        public init(output: String, power: Watts, window: Seconds = Seconds(2), minimumOn: Seconds = .zero, minimumOff: Seconds = .zero,
                    maximumDuty: Percent = .full, boilPower: Percent = Percent(65), tuning: Tuning) {
            self.output = output
            self.power = power
            self.window = window
            self.minimumOn = minimumOn
            self.minimumOff = minimumOff
            self.maximumDuty = maximumDuty
            self.boilPower = boilPower
            self.tuning = tuning
        }
    }

    /// PID tuning in the units a control engineer uses: % output per kelvin, integral and
    /// derivative times.
    public struct Tuning: Hashable, Sendable {
        public var kp: Double
        public var ti: Seconds
        public var td: Seconds
        public init(kp: Double, ti: Seconds, td: Seconds = .zero) {
            self.kp = kp
            self.ti = ti
            self.td = td
        }
    }

    /// Physics of a simulated vessel (only read by the simulated backend).
    public struct Simulation: Hashable, Sendable {
        /// Heat capacity of the empty vessel (its steel), J/K.
        public var emptyHeatCapacity: Double
        /// Heat loss to ambient, W/K (insulation, lid).
        public var heatLoss: Double
        /// Share of the element's power that ends up in the liquid.
        public var heaterEfficiency: Double
        /// Thermowell/probe time constant.
        public var sensorLag: Seconds
        /// Transport delay between heater and probe (e.g. round a RIMS loop).
        public var sensorDeadTime: Seconds
        /// Standard deviation of the probe's noise.
        public var sensorNoise: Kelvin
        /// Heat transfer of the chiller, W/K, when its valve is open.
        public var chillerTransfer: Double
        public var initialVolume: Litres
        /// What the vessel's pump moves when it runs with liquid to move, L/min (its flow meter reads this).
        public var pumpFlow = 20.0
        /// Coolant through a still's condenser, L/min (its coolant meter reads this).
        public var coolantFlow = 4.0
        public init(emptyHeatCapacity: Double = 10_000, heatLoss: Double = 5, heaterEfficiency: Double = 0.97,
                    sensorLag: Seconds = Seconds(5), sensorDeadTime: Seconds = Seconds(2), sensorNoise: Kelvin = Kelvin(0.03),
                    chillerTransfer: Double = 0, initialVolume: Litres = .zero) {
            self.emptyHeatCapacity = emptyHeatCapacity
            self.heatLoss = heatLoss
            self.heaterEfficiency = heaterEfficiency
            self.sensorLag = sensorLag
            self.sensorDeadTime = sensorDeadTime
            self.sensorNoise = sensorNoise
            self.chillerTransfer = chillerTransfer
            self.initialVolume = initialVolume
        }
    }

    public func vessel(for role: VesselRole) -> Vessel? { vessels.first { $0.role == role } }
    /// What a vessel's chiller or jacket cools with: its own coolant, else the mains water.
    public func coolant(of vessel: Vessel) -> Celsius { vessel.coolantTemperature ?? site.mainsWater }
    public func sensor(id: String) -> Sensor? { sensors.first { $0.id == id } }
    public func output(id: String) -> Output? { outputs.first { $0.id == id } }
    public func bus(id: String) -> Bus? { buses.first { $0.id == id } }
    public func interlocks(for output: String) -> [Interlock] { interlocks.filter { $0.output == output } }
    /// The vessel a sensor belongs to, and as what (the key naming it in the vessel's table).
    public func vesselOf(sensor id: String) -> (index: Int, key: String)? {
        for (i, v) in vessels.enumerated() {
            if v.temperatureSensors.contains(id) { return (i, "sensor") }
            let keyed: [(String?, String)] = [(v.flowMeter, "flow_meter"), (v.levelSwitch, "level_switch"), (v.gravitySensor, "gravity_sensor"),
                                              (v.headSensor, "head_sensor"), (v.distillateMeter, "distillate_meter"), (v.coolantFlow, "coolant_flow")]
            if let hit = keyed.first(where: { $0.0 == id }) { return (i, hit.1) }
        }
        return nil
    }
}
