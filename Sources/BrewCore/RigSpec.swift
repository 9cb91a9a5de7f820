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
    /// Seed for the simulated brewery's noise, so a simulated brew day is reproducible.
    public var simulationSeed: UInt64

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
        }
        public var id: String
        public var kind: Kind
        public init(id: String, kind: Kind) {
            self.id = id
            self.kind = kind
        }
    }

    public struct Sensor: Hashable, Sendable {
        public enum Part: String, Hashable, Sendable, CaseIterable {
            case mcp9808
        }
        public var id: String
        public var part: Part
        public var bus: String
        public var address: Int
        /// Added to every reading (from calibration against a reference thermometer).
        public var offset: Kelvin
        public init(id: String, part: Part, bus: String, address: Int, offset: Kelvin = Kelvin(0)) {
            self.id = id
            self.part = part
            self.bus = bus
            self.address = address
            self.offset = offset
        }
    }

    public struct Output: Hashable, Sendable {
        public enum Kind: String, Hashable, Sendable {
            case heater, pump, valve
        }
        public var id: String
        public var kind: Kind
        public var bus: String
        public var line: Int
        /// True when the line must be driven low to switch the load on.
        public var activeLow: Bool
        public init(id: String, kind: Kind, bus: String, line: Int, activeLow: Bool = false) {
            self.id = id
            self.kind = kind
            self.bus = bus
            self.line = line
            self.activeLow = activeLow
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

        public init(id: String, role: VesselRole, name: String, capacity: Litres, temperatureSensor: String,
                    heater: Heater?, recirculationPump: String? = nil, chillerValve: String? = nil,
                    maxTemperature: Celsius = Celsius(105), simulation: Simulation? = nil,
                    pump: String? = nil, flowMeter: String? = nil, levelSwitch: String? = nil, gravitySensor: String? = nil,
                    headSensor: String? = nil, distillateMeter: String? = nil, coolantFlow: String? = nil,
                    receivers: [Receiver] = []) {
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
    public func sensor(id: String) -> Sensor? { sensors.first { $0.id == id } }
    public func output(id: String) -> Output? { outputs.first { $0.id == id } }
}
