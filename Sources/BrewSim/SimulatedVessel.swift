import BrewCore

/// One vessel's physics: a lumped heat balance of its liquid, grain and steel, heated by an
/// element, losing heat to the room and to a chiller, and boiling at the local boiling point
/// (excess energy evaporates water instead of raising the temperature). The probe sees the
/// liquid through a transport delay and a thermowell lag, with seeded noise.
public struct SimulatedVessel: Sendable {
    public let name: String
    public let spec: RigSpec.Simulation
    public let heaterPower: Watts
    public let needsPump: Bool

    /// The true temperature of the contents.
    public private(set) var temperature: Celsius
    public private(set) var water: Litres
    public private(set) var grain: Kilograms
    /// Water boiled away so far.
    public private(set) var evaporated: Litres = .zero
    /// True while the last step was held at the boiling point with energy to spare.
    public private(set) var isBoiling = false
    /// What the probe reports (before the chip quantises it).
    public private(set) var probe: Celsius

    public var heaterOn = false
    public var pumpOn = false
    public var chillerOpen = false

    /// Faults a test can inject (see `SimulatedPlant.inject`).
    public enum Fault: Hashable, Sendable {
        /// The element delivers no heat though switched on (burnt out, dry-fired, a tripped breaker).
        case elementOpen
        /// The SSR is welded: the element heats whatever the output says.
        case weldedSSR
        /// The probe reports this value, whatever the liquid does.
        case probeStuck(Celsius)
        /// The probe reads `by` too high for one second in every `every` (EMI on a long lead).
        case probeSpikes(by: Kelvin, every: Seconds)
        /// The pump's motor turns but moves nothing (air-locked, a seized impeller, a closed
        /// valve): no flow through its meter, and no heat from a RIMS tube into the mash.
        case pumpFailed
        /// No coolant reaches the still's condenser (tap shut, hose off).
        case coolantLost
    }
    public var faults: [Fault] = []
    private var spikeSteps = 0

    private var delay: [Double]
    private var delayHead = 0
    private var lagged: Double

    public init(name: String, spec: RigSpec.Simulation, heaterPower: Watts, needsPump: Bool, temperature: Celsius, step: Seconds) {
        self.name = name
        self.spec = spec
        self.heaterPower = heaterPower
        self.needsPump = needsPump
        self.temperature = temperature
        water = spec.initialVolume
        grain = .zero
        probe = temperature
        lagged = temperature.value
        let slots = max(1, Int((spec.sensorDeadTime.value / step.value).rounded()))
        delay = Array(repeating: temperature.value, count: slots)
    }

    /// Heat capacity of contents and vessel, J/K.
    public var heatCapacity: Double {
        water.value * Water.density * Water.specificHeat + grain.value * Grain.specificHeat + spec.emptyHeatCapacity
    }

    /// Advances the physics by `dt`; `noise` is a standard normal deviate for the probe.
    mutating func step(dt: Double, ambient: Celsius, coolant: Celsius, boilingPoint: Celsius, noise: Double) {
        var power = 0.0
        let energised = (heaterOn || faults.contains(.weldedSSR)) && !faults.contains(.elementOpen)
        if energised, !needsPump || (pumpOn && !faults.contains(.pumpFailed)) { power += heaterPower.value * spec.heaterEfficiency }
        power -= spec.heatLoss * (temperature.value - ambient.value)
        if chillerOpen { power -= spec.chillerTransfer * (temperature.value - coolant.value) }
        var t = temperature.value + power * dt / heatCapacity
        isBoiling = false
        if water.value > 0.01, t > boilingPoint.value {
            // The surplus above the boiling point goes into steam, not temperature.
            let surplus = (t - boilingPoint.value) * heatCapacity
            let boiledOff = min(water.value, surplus / Water.latentHeat / Water.density)
            water = Litres(water.value - boiledOff)
            evaporated = Litres(evaporated.value + boiledOff)
            t = boilingPoint.value
            isBoiling = true
        }
        temperature = Celsius(t)

        // Probe: transport delay, then a first-order thermowell lag, then noise.
        let delayed = delay[delayHead]
        delay[delayHead] = t
        delayHead = (delayHead + 1) % delay.count
        let alpha = spec.sensorLag.value > 0 ? min(1, dt / spec.sensorLag.value) : 1
        lagged += alpha * (delayed - lagged)
        probe = Celsius(lagged + noise * spec.sensorNoise.value)
        for f in faults {
            switch f {
            case .probeStuck(let value):
                probe = value
            case .probeSpikes(let by, let every):
                // Counted in whole physics steps so a spike lasts exactly one second: one reading.
                let period = max(2, Int((every.value / dt).rounded()))
                let length = max(1, Int((1 / dt).rounded()))
                spikeSteps += 1
                if spikeSteps % period < length { probe = Celsius(probe.value + by.value) }
            case .elementOpen, .weldedSSR, .pumpFailed, .coolantLost:
                break
            }
        }
    }

    /// Mixes liquid at `temperature` into the vessel (lumped: contents and steel share one temperature).
    mutating func add(water litres: Litres, at t: Celsius) {
        guard litres.value > 0 else { return }
        let incoming = litres.value * Water.density * Water.specificHeat
        temperature = Celsius((heatCapacity * temperature.value + incoming * t.value) / (heatCapacity + incoming))
        water = water + litres
    }

    mutating func add(grain kg: Kilograms, at t: Celsius) {
        guard kg.value > 0 else { return }
        let incoming = kg.value * Grain.specificHeat
        temperature = Celsius((heatCapacity * temperature.value + incoming * t.value) / (heatCapacity + incoming))
        grain = Kilograms(grain.value + kg.value)
    }

    /// Takes up to `litres` out; returns what was really there to take.
    mutating func remove(water litres: Litres) -> Litres {
        let taken = min(litres, water)
        water = water - taken
        return taken
    }
}

// MARK: - Snapshot and restore (a resumed simulation continues exactly)

extension SimulatedVessel {
    /// Everything that changes as the vessel is simulated: the contents, the actuators as last
    /// set, and the probe's integration state (transport-delay line, thermowell lag, the spike
    /// counter). The constants (`name`, `spec`, `heaterPower`, `needsPump`) come from the rig.
    /// Injected faults are not part of it: they are test and demonstration schedules, and a
    /// restored vessel is healthy until one is injected again.
    public struct Snapshot: Hashable, Sendable, Codable {
        public var temperature: Double
        public var water: Double
        public var grain: Double
        public var evaporated: Double
        public var isBoiling: Bool
        public var probe: Double
        public var heaterOn: Bool
        public var pumpOn: Bool
        public var chillerOpen: Bool
        public var spikeSteps: Int
        /// The transport-delay line, in storage order, and the slot read next.
        public var delay: [Double]
        public var delayHead: Int
        /// The thermowell-lagged temperature before noise.
        public var lagged: Double

        public init(temperature: Double, water: Double, grain: Double, evaporated: Double, isBoiling: Bool, probe: Double,
                    heaterOn: Bool, pumpOn: Bool, chillerOpen: Bool, spikeSteps: Int, delay: [Double], delayHead: Int, lagged: Double) {
            self.temperature = temperature
            self.water = water
            self.grain = grain
            self.evaporated = evaporated
            self.isBoiling = isBoiling
            self.probe = probe
            self.heaterOn = heaterOn
            self.pumpOn = pumpOn
            self.chillerOpen = chillerOpen
            self.spikeSteps = spikeSteps
            self.delay = delay
            self.delayHead = delayHead
            self.lagged = lagged
        }
    }

    public func snapshot() -> Snapshot {
        Snapshot(temperature: temperature.value, water: water.value, grain: grain.value, evaporated: evaporated.value,
                 isBoiling: isBoiling, probe: probe.value, heaterOn: heaterOn, pumpOn: pumpOn, chillerOpen: chillerOpen,
                 spikeSteps: spikeSteps, delay: delay, delayHead: delayHead, lagged: lagged)
    }

    /// Why a snapshot does not fit this vessel (nil when it does): the delay line's length comes
    /// from the rig's dead time and the physics step, so another hardware file can change it.
    func mismatch(_ s: Snapshot) -> String? {
        guard s.delay.count == delay.count else {
            return "\(name): the saved probe delay line has \(s.delay.count) slots, this rig's has \(delay.count) (another sensor dead time or tick?)"
        }
        guard s.delayHead >= 0, s.delayHead < delay.count else { return "\(name): the saved probe delay line is damaged" }
        return nil
    }

    /// Takes over a snapshot that `mismatch` accepted.
    mutating func restore(_ s: Snapshot) {
        temperature = Celsius(s.temperature)
        water = Litres(s.water)
        grain = Kilograms(s.grain)
        evaporated = Litres(s.evaporated)
        isBoiling = s.isBoiling
        probe = Celsius(s.probe)
        heaterOn = s.heaterOn
        pumpOn = s.pumpOn
        chillerOpen = s.chillerOpen
        spikeSteps = s.spikeSteps
        delay = s.delay
        delayHead = s.delayHead
        lagged = s.lagged
        faults = []
    }
}
