/// A fault the simulated brewery stages at a brew time, so members can rehearse the alarm it
/// raises and tests can inject it end to end. Written in a hardware file (`[[simulation.faults]]`)
/// or on the command line (`--fault hlt:dead_element@1h20min`); only a simulated rig takes them.
public struct RehearsedFault: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// The element heats nothing though switched on.
        case deadElement = "dead_element"
        /// The SSR is welded: the element heats whatever the output says.
        case weldedSSR = "welded_ssr"
        /// The probe reports one value (`value`, or what it read when it stuck).
        case probeStuck = "probe_stuck"
        /// The probe stops answering on its bus (device absent), as opposed to stuck.
        case probeLost = "probe_lost"
        /// The probe reads `by` too high for one reading every `every` (EMI on a long lead).
        case probeSpikes = "probe_spikes"
        /// Every device on an I2C bus (or one chip) NACKs, for `for` or the next `count` transactions.
        case i2cNack = "i2c_nack"
        /// Modbus requests time out, for `for` or the next `count` requests.
        case modbusTimeout = "modbus_timeout"
        /// Modbus answers fail their CRC, for `for` or the next `count` requests.
        case modbusCRC = "modbus_crc"
        /// The pump turns but moves nothing (air-locked): no flow, no RIMS heat.
        case pumpDry = "pump_dry"
        /// No coolant reaches a still's condenser.
        case coolantLost = "coolant_lost"

        /// Bus faults are bursts: a number of requests or a span of time, one of them required.
        public var isBurst: Bool { self == .i2cNack || self == .modbusTimeout || self == .modbusCRC }
    }

    /// What the fault is staged on, as the hardware file names it.
    public enum Target: Hashable, Sendable {
        case vessel(String), sensor(String), output(String), bus(String)
        public var key: String {
            switch self {
            case .vessel: "vessel"
            case .sensor: "sensor"
            case .output: "output"
            case .bus: "bus"
            }
        }
        public var id: String {
            switch self {
            case .vessel(let s), .sensor(let s), .output(let s), .bus(let s): s
            }
        }
    }

    public var kind: Kind
    public var target: Target
    /// Brew time from the batch's start.
    public var at: Seconds
    /// How long it lasts; nil: to the end of the batch.
    public var lasting: Seconds?
    /// Bursts: only the next `count` requests fail.
    public var count: Int?
    /// probe_stuck: the value reported; nil: what the probe read when it stuck.
    public var value: Celsius?
    /// probe_spikes: how far each spike reads too high, and how often one comes.
    public var spike = Kelvin(12)
    public var every = Seconds(60)
    /// Where it was written, for messages: "Hardware/sim.toml:42" or "--fault hlt:dead_element@1h20min".
    public var origin: String

    public init(kind: Kind, target: Target, at: Seconds, lasting: Seconds? = nil, count: Int? = nil, value: Celsius? = nil,
                spike: Kelvin = Kelvin(12), every: Seconds = Seconds(60), origin: String) {
        self.kind = kind
        self.target = target
        self.at = at
        self.lasting = lasting
        self.count = count
        self.value = value
        self.spike = spike
        self.every = every
        self.origin = origin
    }

    /// How the log's "this fault is staged" lines begin, and what comes before the fault's origin.
    public static let stagedPrefix = "rehearsal staged: "
    public static let originSeparator = " — staged by "

    /// When it ends (nil: never; a count-bounded burst ends by itself).
    public var ends: Seconds? { lasting.map { at + $0 } }

    /// What the fault does to the simulated brewery, resolved against its rig.
    public enum Effect: Hashable, Sendable {
        case deadElement(vessel: Int)
        case weldedSSR(vessel: Int)
        case pumpDry(vessel: Int)
        case coolantLost(vessel: Int)
        /// The vessel's probe physics: every probe in the liquid reads this (nil: what it reads now).
        case probeStuck(vessel: Int)
        case probeSpikes(vessel: Int)
        /// One sensor's chip or register reports a fixed value (the others in the vessel do not).
        case sensorStuck(sensor: String)
        /// I2C chips stop acknowledging: every device on the bus (addresses nil) or those listed.
        case i2cSilent(bus: String, addresses: [Int]?)
        /// A Modbus line fails requests: to every unit (nil) or to one.
        case modbusFails(bus: String, unit: Int?)
    }

    /// A fault that does not fit its rig or its own keys: which key is wrong, why, and what would do.
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        public var key: String
        public var message: String
        public var expected: String?
        public init(key: String, _ message: String, expected: String? = nil) {
            self.key = key
            self.message = message
            self.expected = expected
        }
        public var description: String { message + (expected.map { "; expected \($0)" } ?? "") }
    }

    /// The keys each kind takes besides `at`, the target, `fault` and `for`.
    public static func parameters(of kind: Kind) -> [String] {
        switch kind {
        case .probeStuck: ["value"]
        case .probeSpikes: ["by", "every"]
        case .i2cNack, .modbusTimeout, .modbusCRC: ["count"]
        default: []
        }
    }

    /// Problems a fault has on its own, whatever the rig: a burst needs `count` or `for`, not both.
    public func parameterProblem() -> Problem? {
        if kind.isBurst {
            if count != nil && lasting != nil {
                return Problem(key: "count", "\(kind.rawValue) takes `count` or `for`, not both",
                               expected: "count = 3 (the next 3 requests fail) or for = \"30 s\"")
            }
            if count == nil && lasting == nil {
                return Problem(key: "fault", "\(kind.rawValue) needs how long it lasts",
                               expected: "count = 3 (the next 3 requests fail) or for = \"30 s\"")
            }
        }
        return nil
    }
}

extension RigSpec {
    /// A name from the command line as the rig knows it: vessel, sensor, output or bus (nil:
    /// none; several: ambiguous — the caller asks for `vessel:` and the like in front).
    public func targets(named id: String) -> [RehearsedFault.Target] {
        var out: [RehearsedFault.Target] = []
        if vessels.contains(where: { $0.id == id }) { out.append(.vessel(id)) }
        if sensors.contains(where: { $0.id == id }) { out.append(.sensor(id)) }
        if outputs.contains(where: { $0.id == id }) { out.append(.output(id)) }
        if buses.contains(where: { $0.id == id }) { out.append(.bus(id)) }
        return out
    }

    /// What `fault` does on this rig, or why it cannot be staged here.
    public func effects(of fault: RehearsedFault) throws(RehearsedFault.Problem) -> [RehearsedFault.Effect] {
        typealias P = RehearsedFault.Problem
        let key = fault.target.key, id = fault.target.id, name = fault.kind.rawValue
        func vesselIndex() throws(P) -> Int {
            guard let i = vessels.firstIndex(where: { $0.id == id }) else {
                throw P(key: key, "there is no vessel `\(id)`", expected: "one of " + list(vessels.map(\.id)))
            }
            return i
        }
        func sensor() throws(P) -> Sensor {
            guard let s = self.sensor(id: id) else { throw P(key: key, "there is no sensor `\(id)`", expected: "one of " + list(sensors.map(\.id))) }
            return s
        }
        func wrongTarget(_ what: String) -> P {
            P(key: key, "\(name) acts on \(what), not on \(key == "output" ? "an" : "a") \(key)", expected: "\(what) named by " + targetKeys(for: fault.kind))
        }
        /// A sensor's device as a bus fault: its I2C chip or its Modbus unit.
        func device(_ s: Sensor) throws(P) -> RehearsedFault.Effect {
            switch s.connection {
            case .i2c(let address), .analog(let address, _, _, _): return .i2cSilent(bus: s.bus, addresses: [address])
            case .modbus(let point): return .modbusFails(bus: s.bus, unit: point.unit)
            case .oneWire, .pulses, .levelSwitch:
                throw P(key: key, "sensor `\(s.id)` (\(s.part.rawValue)) cannot stop answering in the simulated brewery",
                        expected: "a sensor on an I2C bus or a Modbus register")
            }
        }
        func probes(_ v: Int) throws(P) -> [Sensor] {
            let found = vessels[v].temperatureSensors.compactMap { self.sensor(id: $0) }
            guard !found.isEmpty else { throw P(key: key, "vessel `\(id)` has no temperature probe", expected: "a vessel with `sensor`") }
            return found
        }

        switch fault.kind {
        case .deadElement, .weldedSSR:
            let v: Int
            switch fault.target {
            case .vessel:
                v = try vesselIndex()
                guard vessels[v].heater != nil else { throw P(key: key, "vessel `\(id)` has no heater", expected: "a vessel with a [heater] table") }
            case .output:
                guard let i = vessels.firstIndex(where: { $0.heater?.output == id }) else {
                    throw P(key: key, "output `\(id)` is no vessel's heater", expected: "one of " + list(vessels.compactMap(\.heater?.output)))
                }
                v = i
            case .sensor, .bus:
                throw wrongTarget("a heater")
            }
            return [fault.kind == .deadElement ? .deadElement(vessel: v) : .weldedSSR(vessel: v)]
        case .pumpDry:
            switch fault.target {
            case .vessel:
                let v = try vesselIndex()
                guard vessels[v].recirculationPump != nil || vessels[v].pump != nil else {
                    throw P(key: key, "vessel `\(id)` has no pump", expected: "a vessel with `pump` or `recirculation_pump`")
                }
                return [.pumpDry(vessel: v)]
            case .output:
                guard let v = vessels.firstIndex(where: { $0.recirculationPump == id || $0.pump == id }) else {
                    throw P(key: key, "output `\(id)` is no vessel's pump",
                            expected: "one of " + list(vessels.flatMap { [$0.recirculationPump, $0.pump].compactMap { $0 } }))
                }
                return [.pumpDry(vessel: v)]
            case .sensor, .bus:
                throw wrongTarget("a pump")
            }
        case .coolantLost:
            switch fault.target {
            case .vessel:
                let v = try vesselIndex()
                guard vessels[v].coolantFlow != nil else { throw P(key: key, "vessel `\(id)` has no `coolant_flow` sensor", expected: "a still with coolant_flow") }
                return [.coolantLost(vessel: v)]
            case .sensor:
                guard let v = vessels.firstIndex(where: { $0.coolantFlow == id }) else {
                    throw P(key: key, "sensor `\(id)` is no vessel's coolant_flow", expected: "one of " + list(vessels.compactMap(\.coolantFlow)))
                }
                return [.coolantLost(vessel: v)]
            case .output, .bus:
                throw wrongTarget("a condenser's coolant")
            }
        case .probeStuck, .probeSpikes:
            switch fault.target {
            case .vessel:
                let v = try vesselIndex()
                _ = try probes(v)
                return [fault.kind == .probeStuck ? .probeStuck(vessel: v) : .probeSpikes(vessel: v)]
            case .sensor:
                let s = try sensor()
                guard s.quantity == .temperature, let v = vesselOf(sensor: s.id), v.key == "sensor" else {
                    throw P(key: key, "sensor `\(id)` is not a vessel's temperature probe", expected: "a sensor a vessel names in `sensor` or `sensors`")
                }
                guard fault.kind == .probeStuck else {
                    throw P(key: key, "probe_spikes acts on a vessel's probe", expected: "vessel = \"\(vessels[v.index].id)\"")
                }
                return [.sensorStuck(sensor: s.id)]
            case .output, .bus:
                throw wrongTarget("a probe")
            }
        case .probeLost:
            switch fault.target {
            case .vessel:
                var out: [RehearsedFault.Effect] = []
                for s in try probes(try vesselIndex()) { out.append(try device(s)) }
                return out
            case .sensor: return [try device(try sensor())]
            case .output, .bus: throw wrongTarget("a sensor")
            }
        case .i2cNack, .modbusTimeout, .modbusCRC:
            let i2c = fault.kind == .i2cNack
            let busKind = i2c ? "an I2C bus" : "a Modbus bus"
            func fits(_ e: RehearsedFault.Effect) -> Bool {
                if case .i2cSilent = e { return i2c }
                return !i2c
            }
            switch fault.target {
            case .bus:
                guard let b = bus(id: id) else { throw P(key: key, "there is no bus `\(id)`", expected: "one of " + list(buses.map(\.id))) }
                switch b.kind {
                case .i2c where i2c: return [.i2cSilent(bus: id, addresses: nil)]
                case .modbusRTU, .modbusTCP: if !i2c { return [.modbusFails(bus: id, unit: nil)] }
                default: break
                }
                throw P(key: key, "bus `\(id)` is not \(busKind)",
                        expected: "one of " + list(buses.filter { b in
                            if case .i2c = b.kind { return i2c }
                            if case .modbusRTU = b.kind { return !i2c }
                            if case .modbusTCP = b.kind { return !i2c }
                            return false
                        }.map(\.id)))
            case .sensor:
                let e = try device(try sensor())
                guard fits(e) else { throw P(key: key, "sensor `\(id)` is not on \(busKind)", expected: "a sensor on \(busKind), or bus = …") }
                return [e]
            case .vessel:
                let found = try probes(try vesselIndex()).compactMap { try? device($0) }.filter(fits)
                guard !found.isEmpty else { throw P(key: key, "vessel `\(id)` has no probe on \(busKind)", expected: "bus = … or sensor = …") }
                return found
            case .output:
                throw wrongTarget(busKind + " or a sensor on it")
            }
        }
    }

    /// "HLT element", "sensor `hlt_probe`", "I2C bus `i2c`": what a rehearsal message names.
    public func rehearsalSubject(_ fault: RehearsedFault) -> String {
        let id = fault.target.id
        func vesselName(_ v: Int?) -> String { v.map { vessels[$0].name } ?? id }
        let effects = (try? effects(of: fault)) ?? []
        switch effects.first {
        case .deadElement(let v)?, .weldedSSR(let v)?: return "\(vesselName(v)) element"
        case .pumpDry(let v)?: return "\(vesselName(v)) pump"
        case .coolantLost(let v)?: return "\(vesselName(v)) condenser coolant"
        case .probeStuck(let v)?, .probeSpikes(let v)?: return "\(vesselName(v)) probe"
        default:
            switch fault.target {
            case .vessel: return "\(vesselName(vessels.firstIndex { $0.id == id })) probe"
            case .sensor: return "sensor `\(id)`"
            case .output: return "output `\(id)`"
            case .bus: return "bus `\(id)`"
            }
        }
    }

    /// "rehearsal: HLT element dead from 1:20:00 for 10 min": the line the log keeps when it starts.
    public func rehearsalStarted(_ fault: RehearsedFault, resumed: Bool = false) -> String {
        let what: String
        switch fault.kind {
        case .deadElement: what = "dead"
        case .weldedSSR: what = "welded on (its SSR)"
        case .probeStuck: what = fault.value.map { "stuck at \($0)" } ?? "stuck at what it reads"
        case .probeLost: what = "lost (stops answering)"
        case .probeSpikes: what = "spiking \(Format.fixed(fault.spike.value, 1)) K too high every \(Format.duration(fault.every))"
        case .i2cNack: what = "not acknowledging (I2C NACK)"
        case .modbusTimeout: what = "timing out (Modbus)"
        case .modbusCRC: what = "answering with bad CRCs (Modbus)"
        case .pumpDry: what = "moving nothing (dry)"
        case .coolantLost: what = "lost"
        }
        var line = "rehearsal: \(rehearsalSubject(fault)) \(what) from \(Format.clock(fault.at))"
        if let n = fault.count { line += " for the next \(n) request\(n == 1 ? "" : "s")" }
        if let d = fault.lasting { line += " for \(Format.duration(d))" }
        if resumed { line += " (still in force after the resume)" }
        return line + RehearsedFault.originSeparator + fault.origin
    }

    /// "rehearsal over: HLT element works again": the line the log keeps when it ends.
    public func rehearsalEnded(_ fault: RehearsedFault) -> String {
        "rehearsal over: \(fault.kind.rawValue) on \(rehearsalSubject(fault)) ended at \(fault.ends.map { Format.clock($0) } ?? "—")"
    }
}

/// The target keys a kind of fault accepts, for messages.
func targetKeys(for kind: RehearsedFault.Kind) -> String {
    switch kind {
    case .deadElement, .weldedSSR: "`vessel` or `output` (its heater)"
    case .pumpDry: "`vessel` or `output` (its pump)"
    case .coolantLost: "`vessel` or `sensor` (its coolant_flow)"
    case .probeStuck: "`vessel` or `sensor`"
    case .probeSpikes: "`vessel`"
    case .probeLost: "`vessel` or `sensor`"
    case .i2cNack, .modbusTimeout, .modbusCRC: "`bus`, `sensor` or `vessel`"
    }
}

private func list(_ ids: [String]) -> String {
    ids.isEmpty ? "(none on this rig)" : ids.map { "`\($0)`" }.joined(separator: ", ")
}
