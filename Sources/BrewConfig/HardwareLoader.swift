import BrewCore

/// Loads a hardware file (`Hardware/sim.toml`) into a `RigSpec`, reporting every problem in it
/// with its line and column. The keys are documented in docs/hardware.md.
public enum HardwareLoader {
    /// Reads and validates the hardware file at `path`; `RigSpec.source` is set to `path`.
    public static func load(path: String) throws(ConfigErrors) -> RigSpec {
        let text = try ConfigDocument.read(path: path)
        return try parse(text, file: path)
    }

    /// Validates hardware-file text; `file` names it in errors and becomes `RigSpec.source`.
    public static func parse(_ text: String, file: String) throws(ConfigErrors) -> RigSpec {
        let document = try ConfigDocument.parse(text, file: file)
        let diagnostics = Diagnostics(file: file, locator: document.locator)
        let root = TableReader(path: .root, table: document.root, diagnostics: diagnostics, what: "the hardware file")
        let rig = read(root, source: file)
        guard let rig, diagnostics.errors.isEmpty else {
            var errors = diagnostics.sortedErrors
            if errors.isEmpty {
                errors = [ConfigError(file: file, line: 1, column: 1, key: "", message: "the hardware file could not be read as a rig")]
            }
            throw ConfigErrors(errors: errors)
        }
        return rig
    }

    static let rootKeys = ["name", "backend", "seed", "site", "control", "buses", "sensors", "outputs", "vessels"]
    static let siteKeys = ["altitude", "ambient", "mains_water"]
    static let controlKeys = ["tick", "sample_period", "stale_after"]
    static let busKeys = ["type", "adapter", "chip"]
    static let sensorKeys = ["type", "bus", "address", "offset"]
    static let outputKeys = ["type", "bus", "line", "active_low"]
    static let vesselKeys = ["role", "name", "capacity", "sensor", "heater", "recirculation_pump", "chiller_valve",
                             "max_temperature", "simulation"]
    static let heaterKeys = ["output", "power", "window", "minimum_on", "minimum_off", "maximum_duty", "boil_power", "pid"]
    static let pidKeys = ["kp", "ti", "td"]
    static let simulationKeys = ["empty_heat_capacity", "heat_loss", "heater_efficiency", "sensor_lag", "sensor_dead_time",
                                 "sensor_noise", "chiller_transfer", "initial_volume"]
    static let backends = ["simulated", "linux"]
    static let busTypes = ["i2c", "gpio"]
    static let outputTypes = ["heater", "pump", "valve"]

    private static func hex(_ v: Int) -> String {
        v < 0 ? "\(v)" : "0x" + String(v, radix: 16, uppercase: true).leftPadded(to: 2)
    }

    // MARK: - Reading

    static func read(_ root: TableReader, source: String) -> RigSpec? {
        let name = root.string("name", required: true, expected: "the rig's name in quotes, like \"Club brewery\"")
        let backend = root.choice("backend", what: "backend", options: backends) { RigSpec.Backend(rawValue: $0.lowercased()) }
        let seed = root.integer("seed", range: 0...Int.max, expected: "a whole number")

        let site = readSite(root)
        let control = readControl(root)
        let buses = readBuses(root)
        let sensors = readSensors(root, buses: buses)
        let outputs = readOutputs(root, buses: buses)
        let vessels = readVessels(root, sensors: sensors, outputs: outputs, control: control)
        root.checkKeys(known: rootKeys)

        let seedOK = !root.contains("seed") || seed != nil
        let backendOK = !root.contains("backend") || backend != nil
        guard let name, backendOK, seedOK, let site, let control, buses.ok, sensors.ok, outputs.ok,
              let vessels else { return nil }
        return RigSpec(name: name, source: source, backend: backend ?? .simulated, site: site, control: control,
                       buses: buses.valid, sensors: sensors.valid, outputs: outputs.valid,
                       vessels: vessels, simulationSeed: UInt64(seed ?? 1))
    }

    static func readSite(_ root: TableReader) -> RigSpec.Site? {
        let defaults = RigSpec.Site()
        guard root.contains("site") else { return defaults }
        guard let t = root.table("site", what: "the [site] table", expected: "a [site] table") else { return nil }
        var ok = true
        func value(_ key: String, _ kind: QuantityKind, _ bounds: Bounds, _ fallback: Double) -> Double {
            guard t.contains(key) else { return fallback }
            guard let v = t.quantity(key, kind, bounds: bounds) else {
                ok = false
                return fallback
            }
            return v
        }
        let altitude = value("altitude", .length, .between(-500, 5000, Show.metres), defaults.altitude.value)
        let ambient = value("ambient", .temperature, .between(-30, 60, Show.celsius), defaults.ambient.value)
        let mains = value("mains_water", .temperature, .between(0, 40, Show.celsius), defaults.mainsWater.value)
        t.checkKeys(known: siteKeys)
        guard ok else { return nil }
        return RigSpec.Site(altitude: Metres(altitude), ambient: Celsius(ambient), mainsWater: Celsius(mains))
    }

    static func readControl(_ root: TableReader) -> RigSpec.ControlTiming? {
        let defaults = RigSpec.ControlTiming()
        guard root.contains("control") else { return defaults }
        guard let t = root.table("control", what: "the [control] table", expected: "a [control] table") else { return nil }
        var ok = true
        func value(_ key: String, _ bounds: Bounds, _ fallback: Seconds) -> Double? {
            guard t.contains(key) else { return fallback.value }
            guard let v = t.quantity(key, .duration, bounds: bounds) else {
                ok = false
                return nil
            }
            return v
        }
        let tick = value("tick", Bounds(min: 0.001, max: 10, show: Show.duration), defaults.tick)
        let sample = value("sample_period", Bounds(min: 0.001, max: 600, show: Show.duration), defaults.samplePeriod)
        let stale = value("stale_after", Bounds(min: 0.001, max: 3600, show: Show.duration), defaults.staleAfter)
        if let tick, let sample, sample < tick {
            t.report(t.contains("sample_period") ? "sample_period" : "tick", .value,
                     "the sample period (\(Show.duration(sample))) is shorter than the tick (\(Show.duration(tick)))",
                     expected: "a sample period of at least one tick")
            ok = false
        }
        if let sample, let stale, stale <= sample {
            t.report(t.contains("stale_after") ? "stale_after" : "sample_period", .value,
                     "readings would go stale (\(Show.duration(stale))) before the next one is due (\(Show.duration(sample)))",
                     expected: "`stale_after` longer than `sample_period`")
            ok = false
        }
        t.checkKeys(known: controlKeys)
        guard ok, let tick, let sample, let stale else { return nil }
        return RigSpec.ControlTiming(tick: Seconds(tick), samplePeriod: Seconds(sample), staleAfter: Seconds(stale))
    }

    // MARK: Buses, sensors, outputs

    /// The entries of a table like [sensors]: the ids written (so references to an entry with
    /// errors of its own are not reported again), the entries that are valid, and whether all are.
    struct Declared<T> {
        var ids: [String] = []
        var valid: [T] = []
        var ok = true
    }

    static func readBuses(_ root: TableReader) -> Declared<RigSpec.Bus> {
        var out = Declared<RigSpec.Bus>()
        guard root.contains("buses") else { return out }
        guard let t = root.table("buses", what: "the [buses] table", expected: "bus tables like [buses.i2c]") else {
            out.ok = false
            return out
        }
        var adapters: [Int: String] = [:]
        for (id, bus) in t.namedTables(what: { "bus `\($0)`" }, expected: "a bus table like [buses.i2c]") {
            out.ids.append(id)
            let type = bus.choice("type", required: true, what: "bus type", options: busTypes) { busTypes.contains($0.lowercased()) ? $0.lowercased() : nil }
            var kind: RigSpec.Bus.Kind?
            switch type {
            case "i2c":
                if let adapter = bus.integer("adapter", required: true, range: 0...1023, expected: "the number N of the adapter /dev/i2c-N") {
                    if let other = adapters[adapter] {
                        bus.report("adapter", .value, "I2C adapter \(adapter) is already bus `\(other)`")
                    } else {
                        adapters[adapter] = id
                        kind = .i2c(adapter: adapter)
                    }
                }
                bus.checkKeys(known: busKeys, applicable: ["type", "adapter"])
            case "gpio":
                if let chip = bus.string("chip", required: true, expected: "a GPIO chip name or label in quotes, like \"gpiochip0\"") {
                    kind = .gpio(chip: chip)
                }
                bus.checkKeys(known: busKeys, applicable: ["type", "chip"])
            default:
                bus.checkKeys(known: busKeys)
            }
            if let kind { out.valid.append(RigSpec.Bus(id: id, kind: kind)) } else { out.ok = false }
        }
        if t.table.entries.count != out.ids.count { out.ok = false }
        return out
    }

    enum BusType {
        case i2c, gpio
    }

    /// Checks that `reader["bus"]` names a bus of the wanted type; returns its id.
    static func busReference(_ reader: TableReader, buses: Declared<RigSpec.Bus>, want: BusType, part: String) -> String? {
        let wantName = want == .i2c ? "an I2C bus" : "a GPIO bus"
        guard let id = reader.string("bus", required: true, expected: "the id of \(wantName) from [buses]") else { return nil }
        guard let bus = buses.valid.first(where: { $0.id == id }) else {
            if buses.ids.contains(id) { return nil }  // that bus has errors of its own
            let candidates = buses.valid.filter { b in
                switch b.kind {
                case .i2c: want == .i2c
                case .gpio: want == .gpio
                }
            }.map(\.id)
            reader.report("bus", .value, "there is no bus `\(id)`",
                          expected: candidates.isEmpty ? "\(wantName) defined under [buses]" : "one of " + Suggest.list(candidates),
                          suggestion: Suggest.closest(to: id, in: buses.ids).map { "did you mean `\($0)`?" })
            return nil
        }
        switch (bus.kind, want) {
        case (.i2c, .i2c), (.gpio, .gpio):
            return id
        case (.gpio, .i2c):
            reader.report("bus", .value, "bus `\(id)` is a GPIO bus, but \(part) is connected over I2C", expected: wantName)
        case (.i2c, .gpio):
            reader.report("bus", .value, "bus `\(id)` is an I2C bus, but \(part) is switched by a GPIO line", expected: wantName)
        }
        return nil
    }

    static func readSensors(_ root: TableReader, buses: Declared<RigSpec.Bus>) -> Declared<RigSpec.Sensor> {
        var out = Declared<RigSpec.Sensor>()
        guard root.contains("sensors") else { return out }
        guard let t = root.table("sensors", what: "the [sensors] table", expected: "sensor tables like [sensors.hlt_probe]") else {
            out.ok = false
            return out
        }
        var addresses: [String: String] = [:]
        let parts = RigSpec.Sensor.Part.allCases.map(\.rawValue)
        for (id, sensor) in t.namedTables(what: { "sensor `\($0)`" }, expected: "a sensor table like [sensors.hlt_probe]") {
            out.ids.append(id)
            let part = sensor.choice("type", required: true, what: "sensor type", options: parts) { RigSpec.Sensor.Part(rawValue: $0.lowercased()) }
            let bus = busReference(sensor, buses: buses, want: .i2c, part: "an MCP9808")
            var address: Int?
            switch part {
            case .mcp9808?:
                address = sensor.integer("address", required: true, range: 0x18...0x1F, expected: "an MCP9808's I2C address", show: hex)
            case nil:
                address = sensor.integer("address", required: true, range: 0x03...0x77, expected: "a 7-bit I2C address", show: hex)
            }
            if let bus, let a = address {
                let slot = "\(bus)@\(a)"
                if let other = addresses[slot] {
                    sensor.report("address", .value, "sensor `\(other)` already uses address \(hex(a)) on bus `\(bus)`")
                    address = nil
                } else {
                    addresses[slot] = id
                }
            }
            var offset: Double? = 0
            if sensor.contains("offset") {
                offset = sensor.quantity("offset", .temperatureDifference, bounds: .between(-10, 10, Show.kelvin), context: "a calibration offset")
            }
            sensor.checkKeys(known: sensorKeys)
            if let part, let bus, let address, let offset {
                out.valid.append(RigSpec.Sensor(id: id, part: part, bus: bus, address: address, offset: Kelvin(offset)))
            } else {
                out.ok = false
            }
        }
        if t.table.entries.count != out.ids.count { out.ok = false }
        return out
    }

    static func readOutputs(_ root: TableReader, buses: Declared<RigSpec.Bus>) -> Declared<RigSpec.Output> {
        var out = Declared<RigSpec.Output>()
        guard root.contains("outputs") else { return out }
        guard let t = root.table("outputs", what: "the [outputs] table", expected: "output tables like [outputs.hlt_element]") else {
            out.ok = false
            return out
        }
        var lines: [String: String] = [:]
        for (id, output) in t.namedTables(what: { "output `\($0)`" }, expected: "an output table like [outputs.hlt_element]") {
            out.ids.append(id)
            let kind = output.choice("type", required: true, what: "output type", options: outputTypes) { RigSpec.Output.Kind(rawValue: $0.lowercased()) }
            let bus = busReference(output, buses: buses, want: .gpio, part: "an output")
            var line = output.integer("line", required: true, range: 0...1023, expected: "the GPIO line number on its chip")
            if let bus, let l = line {
                let slot = "\(bus)@\(l)"
                if let other = lines[slot] {
                    output.report("line", .value, "output `\(other)` already uses line \(l) on bus `\(bus)`")
                    line = nil
                } else {
                    lines[slot] = id
                }
            }
            var activeLow: Bool? = false
            if output.contains("active_low") { activeLow = output.bool("active_low") }
            output.checkKeys(known: outputKeys)
            if let kind, let bus, let line, let activeLow {
                out.valid.append(RigSpec.Output(id: id, kind: kind, bus: bus, line: line, activeLow: activeLow))
            } else {
                out.ok = false
            }
        }
        if t.table.entries.count != out.ids.count { out.ok = false }
        return out
    }

    // MARK: Vessels

    static func readVessels(_ root: TableReader, sensors: Declared<RigSpec.Sensor>, outputs: Declared<RigSpec.Output>,
                            control: RigSpec.ControlTiming?) -> [RigSpec.Vessel]? {
        guard let t = root.table("vessels", required: true, what: "the [vessels] table",
                                 expected: "vessel tables like [vessels.hlt]") else { return nil }
        let entries = t.namedTables(what: { "vessel `\($0)`" }, expected: "a vessel table like [vessels.hlt]")
        var ok = entries.count == t.table.entries.count
        if t.table.entries.isEmpty {
            t.diagnostics.report(t.path, .value, "the rig has no vessels", expected: "at least one vessel table like [vessels.hlt]")
            ok = false
        }
        var out: [RigSpec.Vessel] = []
        var roles: [VesselRole: String] = [:]
        var sensorUsers: [String: String] = [:]
        var outputUsers: [String: String] = [:]
        let roleNames = VesselRole.allCases.map(\.rawValue)

        /// Checks that `reader[key]` names an output of `kind` that no other vessel uses. Returns
        /// .some(nil) when the key is absent and optional, nil when there is an error.
        func outputReference(_ reader: TableReader, _ key: String, kind: RigSpec.Output.Kind, vessel: String, required: Bool) -> String?? {
            guard reader.contains(key) || required else { return .some(nil) }
            guard let id = reader.string(key, required: required, expected: "the id of a \(kind.rawValue) output from [outputs]") else { return nil }
            guard let output = outputs.valid.first(where: { $0.id == id }) else {
                if outputs.ids.contains(id) { return nil }  // reported at the output
                let candidates = outputs.valid.filter { $0.kind == kind }.map(\.id)
                reader.report(key, .value, "there is no output `\(id)`",
                              expected: candidates.isEmpty ? "a \(kind.rawValue) output defined under [outputs]" : "one of " + Suggest.list(candidates),
                              suggestion: Suggest.closest(to: id, in: outputs.ids).map { "did you mean `\($0)`?" })
                return nil
            }
            guard output.kind == kind else {
                reader.report(key, .value, "output `\(id)` is a \(output.kind.rawValue), not a \(kind.rawValue)",
                              expected: "a \(kind.rawValue) output")
                return nil
            }
            if let other = outputUsers[id] {
                reader.report(key, .value, "output `\(id)` is already used by vessel `\(other)`")
                return nil
            }
            outputUsers[id] = vessel
            return .some(id)
        }

        for (id, v) in entries {
            let role = v.choice("role", required: true, what: "vessel role", options: roleNames) { VesselRole(name: $0) }
            var roleOK = role != nil
            if let role {
                if let other = roles[role] {
                    v.report("role", .value, "vessel `\(other)` is already the \(role.rawValue)", expected: "each role on one vessel only")
                    roleOK = false
                } else {
                    roles[role] = id
                }
            }
            let name = v.contains("name") ? v.string("name", expected: "the name shown on screen, in quotes") : (role?.displayName ?? id)
            let capacity = v.quantity("capacity", .volume, required: true, bounds: .positive(max: 10_000, Show.litres), context: "a vessel")

            var sensor: String?
            if let sensorID = v.string("sensor", required: true, expected: "the id of a temperature sensor from [sensors]") {
                if !sensors.ids.contains(sensorID) {
                    v.report("sensor", .value, "there is no sensor `\(sensorID)`",
                             expected: sensors.ids.isEmpty ? "a sensor defined under [sensors]" : "one of " + Suggest.list(sensors.ids),
                             suggestion: Suggest.closest(to: sensorID, in: sensors.ids).map { "did you mean `\($0)`?" })
                } else if let other = sensorUsers[sensorID] {
                    v.report("sensor", .value, "sensor `\(sensorID)` already measures vessel `\(other)`")
                } else {
                    sensorUsers[sensorID] = id
                    sensor = sensorID
                }
            }

            var heater: RigSpec.Heater??
            if v.contains("heater") {
                if let h = v.table("heater", what: "the heater of vessel `\(id)`", expected: "a heater table like [vessels.\(ConfigPath.quotedIfNeeded(id)).heater]") {
                    heater = readHeater(h, control: control) { reader, key in
                        outputReference(reader, key, kind: .heater, vessel: id, required: true)
                    }.map { .some($0) }
                } else {
                    heater = nil
                }
            } else {
                heater = .some(nil)
            }
            let pump = outputReference(v, "recirculation_pump", kind: .pump, vessel: id, required: false)
            let valve = outputReference(v, "chiller_valve", kind: .valve, vessel: id, required: false)
            var maxTemperature: Double? = 105
            if v.contains("max_temperature") {
                maxTemperature = v.quantity("max_temperature", .temperature, bounds: .between(20, 150, Show.celsius), context: "a vessel's limit")
            }
            var simulation: RigSpec.Simulation??
            if v.contains("simulation") {
                if let s = v.table("simulation", what: "the simulation of vessel `\(id)`",
                                   expected: "a table like [vessels.\(ConfigPath.quotedIfNeeded(id)).simulation]") {
                    simulation = readSimulation(s, capacity: capacity).map { .some($0) }
                } else {
                    simulation = nil
                }
            } else {
                simulation = .some(nil)
            }
            v.checkKeys(known: vesselKeys)

            if let role, roleOK, let name, let capacity, let sensor, let heater, let pump, let valve, let maxTemperature, let simulation {
                out.append(RigSpec.Vessel(id: id, role: role, name: name, capacity: Litres(capacity), temperatureSensor: sensor,
                                          heater: heater, recirculationPump: pump, chillerValve: valve,
                                          maxTemperature: Celsius(maxTemperature), simulation: simulation))
            } else {
                ok = false
            }
        }
        return ok ? out : nil
    }

    static func readHeater(_ h: TableReader, control: RigSpec.ControlTiming?,
                           output: (TableReader, String) -> String??) -> RigSpec.Heater? {
        var ok = true
        let outputID = output(h, "output") ?? nil
        if outputID == nil { ok = false }
        let power = h.quantity("power", .power, required: true, bounds: .positive(max: 100_000, Show.watts), context: "a heater")
        let defaults = RigSpec.Heater(output: "", power: Watts(0), tuning: RigSpec.Tuning(kp: 1, ti: .zero))
        func optional(_ key: String, _ kind: QuantityKind, _ bounds: Bounds, _ fallback: Double) -> Double? {
            guard h.contains(key) else { return fallback }
            let v = h.quantity(key, kind, bounds: bounds)
            if v == nil { ok = false }
            return v
        }
        let window = optional("window", .duration, .positive(max: 600, Show.duration), defaults.window.value)
        if let window, let tick = control?.tick, window < tick.value {
            h.report(h.contains("window") ? "window" : "output", .value,
                     "the window (\(Show.duration(window))) is shorter than the control tick (\(Show.duration(tick.value)))",
                     expected: "a window of at least one tick")
            ok = false
        }
        let onMax = window ?? 600
        let minimumOn = optional("minimum_on", .duration, .between(0, onMax, Show.duration), defaults.minimumOn.value)
        let minimumOff = optional("minimum_off", .duration, .between(0, onMax, Show.duration), defaults.minimumOff.value)
        // Below 1 % is almost certainly a fraction written for a percentage (0.65 for 65 %).
        let maximumDuty = optional("maximum_duty", .percent, .between(1, 100, Show.percent), defaults.maximumDuty.value)
        let boilPower = optional("boil_power", .percent, .between(1, 100, Show.percent), defaults.boilPower.value)
        var tuning: RigSpec.Tuning?
        if let pid = h.table("pid", required: true, what: "the PID tuning", expected: "an inline table like { kp = 60, ti = \"900 s\", td = \"0 s\" }") {
            let kp = pid.quantity("kp", .gain, required: true, bounds: .positive(max: 10_000, Show.plain), context: "the proportional gain")
            let ti = pid.quantity("ti", .duration, required: true, bounds: .nonNegative(max: 86_400, Show.duration), context: "the integral time (0 turns integral action off)")
            var td: Double? = 0
            if pid.contains("td") {
                td = pid.quantity("td", .duration, bounds: .nonNegative(max: 86_400, Show.duration), context: "the derivative time")
            }
            pid.checkKeys(known: pidKeys)
            if let kp, let ti, let td { tuning = RigSpec.Tuning(kp: kp, ti: Seconds(ti), td: Seconds(td)) }
        }
        h.checkKeys(known: heaterKeys)
        guard ok, let outputID, let power, let window, let minimumOn, let minimumOff, let maximumDuty, let boilPower, let tuning else { return nil }
        return RigSpec.Heater(output: outputID, power: Watts(power), window: Seconds(window), minimumOn: Seconds(minimumOn),
                              minimumOff: Seconds(minimumOff), maximumDuty: Percent(maximumDuty), boilPower: Percent(boilPower),
                              tuning: tuning)
    }

    static func readSimulation(_ s: TableReader, capacity: Double?) -> RigSpec.Simulation? {
        let d = RigSpec.Simulation()
        var ok = true
        func value(_ key: String, _ kind: QuantityKind, _ bounds: Bounds, _ fallback: Double, context: String? = nil) -> Double {
            guard s.contains(key) else { return fallback }
            guard let v = s.quantity(key, kind, bounds: bounds, context: context) else {
                ok = false
                return fallback
            }
            return v
        }
        let capacityLimit = capacity ?? 10_000
        let sim = RigSpec.Simulation(
            emptyHeatCapacity: value("empty_heat_capacity", .heatCapacity, .positive(max: 1e8, Show.joulesPerKelvin), d.emptyHeatCapacity),
            heatLoss: value("heat_loss", .heatTransfer, .nonNegative(max: 1e5, Show.wattsPerKelvin), d.heatLoss),
            heaterEfficiency: value("heater_efficiency", .fraction, .positive(max: 1, Show.plain), d.heaterEfficiency),
            sensorLag: Seconds(value("sensor_lag", .duration, .nonNegative(max: 3600, Show.duration), d.sensorLag.value)),
            sensorDeadTime: Seconds(value("sensor_dead_time", .duration, .nonNegative(max: 3600, Show.duration), d.sensorDeadTime.value)),
            sensorNoise: Kelvin(value("sensor_noise", .temperatureDifference, .nonNegative(max: 5, Show.kelvin), d.sensorNoise.value)),
            chillerTransfer: value("chiller_transfer", .heatTransfer, .nonNegative(max: 1e6, Show.wattsPerKelvin), d.chillerTransfer),
            initialVolume: Litres(value("initial_volume", .volume, .nonNegative(max: capacityLimit, Show.litres), d.initialVolume.value,
                                        context: "a vessel of \(Show.litres(capacityLimit))")))
        s.checkKeys(known: simulationKeys)
        return ok ? sim : nil
    }
}
