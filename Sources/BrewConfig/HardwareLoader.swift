import BrewCore
import Foundation

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

    static let rootKeys = ["name", "backend", "seed", "site", "control", "buses", "sensors", "outputs", "vessels", "interlocks", "circuits", "simulation"]
    static let siteKeys = ["altitude", "ambient", "mains_water"]
    static let controlKeys = ["tick", "sample_period", "stale_after"]
    static let busKeys = ["type", "adapter", "chip", "device", "baud", "parity", "data_bits", "stop_bits", "timeout", "retries",
                          "host", "port", "i2c_bus", "address", "part", "channel", "reset_output", "reset_time"]
    static let sensorKeys = ["type", "bus", "address", "offset", "scale", "rom", "channel", "front_end", "beta", "r25",
                             "nominal_resistance", "series_resistor", "supply", "full_scale", "unit", "register", "register_type",
                             "data_type", "word_order", "quantity", "line", "k_factor", "active_low", "wet_when"]
    static let outputKeys = ["type", "bus", "line", "active_low", "unit", "coil", "register", "scale", "max_speed"]
    static let vesselKeys = ["role", "name", "capacity", "sensor", "heater", "recirculation_pump", "chiller_valve",
                             "max_temperature", "simulation", "pump", "flow_meter", "level_switch", "gravity_sensor", "head_sensor",
                             "distillate_meter", "coolant_flow", "receivers", "min_volume", "sensors", "probe_tolerance", "min_flow",
                             "coolant_temperature", "min_pump_volume", "probe_response"]
    static let receiverKeys = ["name", "valve"]
    static let heaterKeys = ["output", "power", "window", "minimum_on", "minimum_off", "maximum_duty", "boil_power", "pid"]
    static let pidKeys = ["kp", "ti", "td"]
    static let simulationKeys = ["empty_heat_capacity", "heat_loss", "heater_efficiency", "sensor_lag", "sensor_dead_time",
                                 "sensor_noise", "chiller_transfer", "initial_volume", "pump_flow", "coolant_flow"]
    static let interlockKeys = ["output", "requires", "name", "reason", "action", "grace"]
    static let conditionKeys = ["sensor", "output", "is", "above", "below"]
    static let circuitKeys = ["limit", "current", "voltage", "heaters"]
    static let backends = ["simulated", "linux"]
    static let busTypes = ["i2c", "gpio", "modbus_rtu", "modbus_tcp", "onewire"]
    static let outputTypes = RigSpec.Output.Kind.allCases.map(\.rawValue)
    static let standardBauds = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]
    /// The ADS1115's programmable full-scale ranges, in volts.
    static let adsRanges = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256]

    static func hex(_ v: Int) -> String {
        v < 0 ? "\(v)" : "0x" + String(v, radix: 16, uppercase: true).leftPadded(to: 2)
    }

    // MARK: - Reading

    static func read(_ root: TableReader, source: String) -> RigSpec? {
        let name = root.string("name", required: true, expected: "the rig's name in quotes, like \"Club brewery\"")
        let backend = root.choice("backend", what: "backend", options: backends) { RigSpec.Backend(rawValue: $0.lowercased()) }
        let seed = root.integer("seed", range: 0...Int.max, expected: "a whole number")
        // Only a file that says (or defaults to) simulated is checked against what the simulator can do.
        let simulated = root.contains("backend") ? backend == .simulated : true

        let site = readSite(root)
        let control = readControl(root)
        let slots = Slots()
        let buses = readBuses(root, slots: slots)
        let sensors = readSensors(root, buses: buses, slots: slots, simulated: simulated)
        let outputs = readOutputs(root, buses: buses, slots: slots, simulated: simulated)
        let vessels = readVessels(root, sensors: sensors, outputs: outputs, control: control)
        let interlocks = readInterlocks(root, sensors: sensors, outputs: outputs)
        let circuits = readCircuits(root, outputs: outputs, vessels: vessels ?? [])
        let resetsOK = checkBusResets(root, buses: buses, outputs: outputs)
        let faults = readRehearsals(root, simulated: simulated)
        root.checkKeys(known: rootKeys)

        let seedOK = !root.contains("seed") || seed != nil
        let backendOK = !root.contains("backend") || backend != nil
        guard let name, backendOK, seedOK, let site, let control, buses.ok, sensors.ok, outputs.ok, resetsOK,
              let vessels, let interlocks, let circuits else { return nil }
        var rig = RigSpec(name: name, source: source, backend: backend ?? .simulated, site: site, control: control,
                          buses: buses.valid, sensors: sensors.valid, outputs: outputs.valid,
                          vessels: vessels, interlocks: interlocks, circuits: circuits, simulationSeed: UInt64(seed ?? 1))
        guard let faults, let staged = checkRehearsals(faults, on: rig) else { return nil }
        rig.rehearsals = staged
        return rig
    }

    /// Each bus's `reset_output` must be a `bus_reset` output, used by that bus alone.
    static func checkBusResets(_ root: TableReader, buses: Declared<RigSpec.Bus>, outputs: Declared<RigSpec.Output>) -> Bool {
        var ok = true
        var users: [String: String] = [:]
        for bus in buses.valid {
            guard let reset = bus.reset else { continue }
            let path = ConfigPath.root.appending("buses").appending(bus.id).appending("reset_output")
            let resets = outputs.valid.filter { $0.kind == .busReset }.map(\.id)
            guard let output = outputs.valid.first(where: { $0.id == reset.output }) else {
                if !outputs.ids.contains(reset.output) {
                    root.diagnostics.reportUnknown("output", reset.output, at: path, candidates: resets,
                                                   fallback: "an output of type \"bus_reset\" under [outputs]", declared: outputs.ids)
                }
                ok = false
                continue
            }
            guard output.kind == .busReset else {
                root.diagnostics.report(path, .value, "output `\(output.id)` is a \(kindName(output.kind)), not a bus_reset",
                                        expected: "an output of type \"bus_reset\": on = the bus's power cut")
                ok = false
                continue
            }
            if let other = users[output.id] {
                root.diagnostics.report(path, .value, "output `\(output.id)` already resets bus `\(other)`", expected: "one reset output per bus")
                ok = false
                continue
            }
            users[output.id] = bus.id
        }
        return ok
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

    /// Who holds which address, line or register, across buses, sensors and outputs.
    final class Slots {
        struct I2CUser {
            var owner: String
            /// A chip whose channels several entries share (an ADS1115, a DS2482-800).
            var chip: String?
        }
        var i2c: [String: I2CUser] = [:]
        var i2cChannels: [String: String] = [:]
        var gpio: [String: String] = [:]
        var modbus: [String: String] = [:]
        var serialDevices: [String: String] = [:]
        var hosts: [String: String] = [:]

        /// Claims an I2C address (and, for a shared chip, one of its channels); the problem if taken.
        func claimI2C(bus: String, address: Int, owner: String, chip: String? = nil, channel: Int? = nil) -> String? {
            let slot = "\(bus)@\(address)"
            if let user = i2c[slot] {
                guard let chip, user.chip == chip, let channel else {
                    return "\(user.owner) already uses address \(HardwareLoader.hex(address)) on bus `\(bus)`"
                }
                let sub = "\(slot)#\(channel)"
                if let other = i2cChannels[sub] {
                    return "\(other) already uses channel \(channel) of the \(chip) at \(HardwareLoader.hex(address)) on bus `\(bus)`"
                }
                i2cChannels[sub] = owner
                return nil
            }
            i2c[slot] = I2CUser(owner: owner, chip: chip)
            if let channel { i2cChannels["\(slot)#\(channel)"] = owner }
            return nil
        }

        func claimLine(bus: String, line: Int, owner: String) -> String? {
            let slot = "\(bus)@\(line)"
            if let other = gpio[slot] { return "\(other) already uses line \(line) on bus `\(bus)`" }
            gpio[slot] = owner
            return nil
        }

        func claimModbus(bus: String, unit: Int, table: String, number: Int, count: Int, owner: String) -> String? {
            for n in number..<(number + count) {
                if let other = modbus["\(bus)@\(unit)/\(table)/\(n)"] {
                    return "\(other) already uses \(table) \(n) of unit \(unit) on bus `\(bus)`"
                }
            }
            for n in number..<(number + count) { modbus["\(bus)@\(unit)/\(table)/\(n)"] = owner }
            return nil
        }
    }

    enum BusCategory: CaseIterable {
        case i2c, gpio, modbus, oneWire

        init(_ kind: RigSpec.Bus.Kind) {
            switch kind {
            case .i2c: self = .i2c
            case .gpio: self = .gpio
            case .modbusRTU, .modbusTCP: self = .modbus
            case .oneWire: self = .oneWire
            }
        }

        var name: String {
            switch self {
            case .i2c: "an I2C bus"
            case .gpio: "a GPIO bus"
            case .modbus: "a Modbus bus (`modbus_rtu` or `modbus_tcp`)"
            case .oneWire: "a 1-Wire bus"
            }
        }
    }

    static func describe(_ kind: RigSpec.Bus.Kind) -> String {
        switch kind {
        case .i2c: "an I2C bus"
        case .gpio: "a GPIO bus"
        case .modbusRTU: "a Modbus RTU bus"
        case .modbusTCP: "a Modbus TCP bus"
        case .oneWire: "a 1-Wire bus"
        }
    }

    static func readBuses(_ root: TableReader, slots: Slots) -> Declared<RigSpec.Bus> {
        var out = Declared<RigSpec.Bus>()
        guard root.contains("buses") else { return out }
        guard let t = root.table("buses", what: "the [buses] table", expected: "bus tables like [buses.i2c]") else {
            out.ok = false
            return out
        }
        var adapters: [Int: String] = [:]
        let entries = t.namedTables(what: { "bus `\($0)`" }, expected: "a bus table like [buses.i2c]")
        // 1-Wire bridges name an I2C bus that may be written further down.
        var i2cBuses = Set<String>()
        for (id, bus) in entries {
            if case .string(let type)? = bus.table["type"], type.lowercased() == "i2c" { i2cBuses.insert(id) }
        }
        let busIDs = entries.map(\.id)
        for (id, bus) in entries {
            out.ids.append(id)
            let type = bus.choice("type", required: true, what: "bus type", options: busTypes) { word -> String? in
                let w = word.lowercased().replacingOccurrences(of: "-", with: "_")
                if busTypes.contains(w) { return w }
                return w == "1wire" || w == "1_wire" || w == "one_wire" ? "onewire" : nil
            }
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
                bus.checkKeys(known: busKeys, applicable: ["type", "adapter", "reset_output", "reset_time"])
            case "gpio":
                if let chip = bus.string("chip", required: true, expected: "a GPIO chip name or label in quotes, like \"gpiochip0\"") {
                    kind = .gpio(chip: chip)
                }
                bus.checkKeys(known: busKeys, applicable: ["type", "chip", "reset_output", "reset_time"])
            case "modbus_rtu":
                kind = readModbusRTU(bus, id: id, slots: slots).map { .modbusRTU($0) }
                bus.checkKeys(known: busKeys, applicable: ["type", "device", "baud", "parity", "data_bits", "stop_bits", "timeout", "retries", "reset_output", "reset_time"])
            case "modbus_tcp":
                kind = readModbusTCP(bus, id: id, slots: slots).map { .modbusTCP($0) }
                bus.checkKeys(known: busKeys, applicable: ["type", "host", "port", "timeout", "retries", "reset_output", "reset_time"])
            case "onewire":
                kind = readOneWire(bus, id: id, i2cBuses: i2cBuses, busIDs: busIDs, slots: slots).map { .oneWire($0) }
                bus.checkKeys(known: busKeys, applicable: ["type", "i2c_bus", "address", "part", "channel", "reset_output", "reset_time"])
            default:
                bus.checkKeys(known: busKeys)
            }
            // The reset output is checked once the outputs are read (`checkBusResets`).
            var reset: RigSpec.Bus.Reset?
            var resetOK = true
            if bus.contains("reset_output") {
                if let output = bus.string("reset_output", expected: "the id of a bus_reset output from [outputs]") {
                    var time: Double? = 0.5
                    if bus.contains("reset_time") {
                        time = bus.quantity("reset_time", .duration, bounds: .between(0.01, 5, Show.duration), context: "how long the bus is unpowered")
                    }
                    if let time { reset = RigSpec.Bus.Reset(output: output, time: Seconds(time)) } else { resetOK = false }
                } else {
                    resetOK = false
                }
            } else if bus.contains("reset_time") {
                bus.report("reset_time", .key, "`reset_time` needs a `reset_output` to cut the bus's power with",
                           expected: "reset_output = \"i2c_power\" with it")
                resetOK = false
            }
            if let kind, resetOK { out.valid.append(RigSpec.Bus(id: id, kind: kind, reset: reset)) } else { out.ok = false }
        }
        if t.table.entries.count != out.ids.count { out.ok = false }
        return out
    }

    /// Timeout and retries of a Modbus bus; nil when either is wrong.
    static func readModbusTiming(_ bus: TableReader) -> (Seconds, Int)? {
        var timeout: Double? = 0.5
        if bus.contains("timeout") {
            timeout = bus.quantity("timeout", .duration, bounds: .between(0.001, 60, Show.duration), context: "a Modbus answer")
        }
        var retries: Int? = 2
        if bus.contains("retries") {
            retries = bus.integer("retries", range: 0...10, expected: "the number of retries")
        }
        guard let timeout, let retries else { return nil }
        return (Seconds(timeout), retries)
    }

    static func readModbusRTU(_ bus: TableReader, id: String, slots: Slots) -> RigSpec.Bus.ModbusRTU? {
        var ok = true
        let device = bus.string("device", required: true, expected: "the serial device in quotes, like \"/dev/ttyUSB0\"")
        if let device {
            if !device.hasPrefix("/dev/") {
                bus.report("device", .value, "\"\(device)\" is not a device path", expected: "the serial device in quotes, like \"/dev/ttyUSB0\"",
                           suggestion: device.contains("/") ? nil : "did you mean \"/dev/\(device)\"?")
                ok = false
            } else if let other = slots.serialDevices[device] {
                bus.report("device", .value, "serial device \(device) is already bus `\(other)`", expected: "one bus per serial line; put every device on it under that bus")
                ok = false
            } else {
                slots.serialDevices[device] = id
            }
        } else {
            ok = false
        }
        var baud: Int?
        let bauds = standardBauds.map(String.init).joined(separator: ", ")
        switch bus.table["baud"] {
        case nil:
            bus.missing("baud", expected: "a baud rate: \(bauds)")
        case .integer(let b)?:
            if standardBauds.contains(b) {
                baud = b
            } else {
                // The nearest standard rate by ratio (12345 → 9600).
                let nearest = b > 0 ? standardBauds.min { abs(log(Double($0) / Double(b))) < abs(log(Double($1) / Double(b))) } : nil
                bus.report("baud", .value, "\(b) is not a standard baud rate", expected: "one of \(bauds)",
                           suggestion: nearest.map { "did you mean \($0)?" })
            }
        case let value?:
            bus.wrongType("baud", value, expected: "a baud rate: \(bauds)")
        }
        if baud == nil { ok = false }
        var parity: RigSpec.Bus.Parity? = RigSpec.Bus.Parity.none
        if bus.contains("parity") {
            parity = bus.choice("parity", what: "parity", options: RigSpec.Bus.Parity.allCases.map(\.rawValue)) { word in
                switch word.lowercased() {
                case "none", "n", "no": RigSpec.Bus.Parity.none
                case "even", "e": .even
                case "odd", "o": .odd
                default: nil
                }
            }
        }
        var dataBits: Int? = 8
        if bus.contains("data_bits") { dataBits = bus.integer("data_bits", range: 7...8, expected: "the number of data bits") }
        var stopBits: Int? = 1
        if bus.contains("stop_bits") { stopBits = bus.integer("stop_bits", range: 1...2, expected: "the number of stop bits") }
        let timing = readModbusTiming(bus)
        guard ok, let device, let baud, let parity, let dataBits, let stopBits, let timing else { return nil }
        return RigSpec.Bus.ModbusRTU(device: device, baud: baud, parity: parity, dataBits: dataBits, stopBits: stopBits,
                                     timeout: timing.0, retries: timing.1)
    }

    static func readModbusTCP(_ bus: TableReader, id: String, slots: Slots) -> RigSpec.Bus.ModbusTCP? {
        var host = bus.string("host", required: true, expected: "a host name or IP address in quotes, like \"192.168.1.50\"")
        if let h = host, h.contains(where: { $0.isWhitespace || $0 == "/" }) {
            bus.report("host", .value, "\"\(h)\" is not a host name or address", expected: "a host name or IP address, like \"192.168.1.50\"",
                       suggestion: h.contains("://") ? "write the host only, without `tcp://` or a path" : nil)
            host = nil
        }
        var port: Int? = 502
        if bus.contains("port") { port = bus.integer("port", range: 1...65535, expected: "a TCP port") }
        if let h = host, let p = port {
            let slot = "\(h.lowercased()):\(p)"
            if let other = slots.hosts[slot] {
                bus.report("host", .value, "\(h) port \(p) is already bus `\(other)`", expected: "each Modbus TCP server under one bus")
                host = nil
            } else {
                slots.hosts[slot] = id
            }
        }
        let timing = readModbusTiming(bus)
        guard let host, let port, let timing else { return nil }
        return RigSpec.Bus.ModbusTCP(host: host, port: port, timeout: timing.0, retries: timing.1)
    }

    static func readOneWire(_ bus: TableReader, id: String, i2cBuses: Set<String>, busIDs: [String], slots: Slots) -> RigSpec.Bus.OneWireBridge? {
        var i2cBus = bus.string("i2c_bus", required: true, expected: "the id of the I2C bus the DS2482 bridge is on")
        if let b = i2cBus, !i2cBuses.contains(b) {
            let candidates = i2cBuses.sorted()
            if busIDs.contains(b) {
                bus.report("i2c_bus", .value, "bus `\(b)` is not an I2C bus",
                           expected: candidates.isEmpty ? "an I2C bus defined under [buses]" : "one of " + Suggest.list(candidates))
            } else {
                bus.report("i2c_bus", .value, "there is no bus `\(b)`",
                           expected: candidates.isEmpty ? "an I2C bus defined under [buses]" : "one of " + Suggest.list(candidates),
                           suggestion: Suggest.closest(to: b, in: busIDs).map { "did you mean `\($0)`?" })
            }
            i2cBus = nil
        }
        var address = bus.integer("address", required: true, range: 0x18...0x1B, expected: "a DS2482's I2C address", show: hex)
        let parts = RigSpec.Bus.OneWireBridge.Part.allCases.map(\.rawValue)
        let part = bus.choice("part", required: true, what: "1-Wire bridge", options: parts) { word in
            RigSpec.Bus.OneWireBridge.Part(rawValue: word.lowercased().replacingOccurrences(of: "_", with: "-"))
        }
        var channel: Int? = 0
        if bus.contains("channel") {
            switch part {
            case .ds2482_100?:
                if case .integer(let c)? = bus.table["channel"], c == 0 { break }
                bus.report("channel", .value, "a DS2482-100 has a single 1-Wire channel", expected: "no `channel` (or 0); a DS2482-800 has channels 0–7")
                channel = nil
            default:
                channel = bus.integer("channel", range: 0...7, expected: "a DS2482-800 channel")
            }
        } else if part == .ds2482_800 {
            bus.missing("channel", expected: "which of the DS2482-800's channels, 0–7")
            channel = nil
        }
        if let b = i2cBus, let a = address, let part, let channel {
            if let problem = slots.claimI2C(bus: b, address: a, owner: "the 1-Wire bridge of bus `\(id)`",
                                            chip: part == .ds2482_800 ? "DS2482-800" : nil, channel: part == .ds2482_800 ? channel : nil) {
                bus.report("address", .value, problem)
                address = nil
            }
        }
        guard let i2cBus, let address, let part, let channel else { return nil }
        return RigSpec.Bus.OneWireBridge(i2cBus: i2cBus, address: address, part: part, channel: channel)
    }

    /// Checks that `reader["bus"]` names a bus of one of the wanted categories.
    static func busReference(_ reader: TableReader, buses: Declared<RigSpec.Bus>, want: [BusCategory], part: String, how: String) -> RigSpec.Bus? {
        let wantName = want.count == BusCategory.allCases.count ? "a bus" : want.map(\.name).joined(separator: " or ")
        guard let id = reader.string("bus", required: true, expected: "the id of \(wantName) from [buses]") else { return nil }
        guard let bus = buses.valid.first(where: { $0.id == id }) else {
            if buses.ids.contains(id) { return nil }  // that bus has errors of its own
            let candidates = buses.valid.filter { want.contains(BusCategory($0.kind)) }.map(\.id)
            reader.report("bus", .value, "there is no bus `\(id)`",
                          expected: candidates.isEmpty ? "\(wantName) defined under [buses]" : "one of " + Suggest.list(candidates),
                          suggestion: Suggest.closest(to: id, in: buses.ids).map { "did you mean `\($0)`?" })
            return nil
        }
        guard want.contains(BusCategory(bus.kind)) else {
            reader.report("bus", .value, "bus `\(id)` is \(describe(bus.kind)), but \(part) \(how)", expected: wantName)
            return nil
        }
        return bus
    }

    static func partName(_ part: RigSpec.Sensor.Part) -> String {
        switch part {
        case .mcp9808: "an MCP9808"
        case .tmp117: "a TMP117"
        case .ds18b20: "a DS18B20"
        case .ads1115: "an ADS1115"
        case .modbusRegister: "a Modbus register"
        case .pulseFlowMeter: "a pulse flow meter"
        case .levelSwitch: "a level switch"
        }
    }

    /// "a level switch", "an MCP9808 temperature probe", "a Modbus register measuring gravity".
    static func describe(_ sensor: RigSpec.Sensor) -> String {
        switch sensor.part {
        case .mcp9808, .tmp117, .ds18b20: partName(sensor.part) + " temperature probe"
        case .ads1115: "an ADS1115 temperature input"
        case .modbusRegister: "a Modbus register measuring \(sensor.quantity.rawValue)"
        case .pulseFlowMeter, .levelSwitch: partName(sensor.part)
        }
    }

    static func busCategory(for part: RigSpec.Sensor.Part) -> (BusCategory, how: String) {
        switch part {
        case .mcp9808, .tmp117, .ads1115: (.i2c, "is connected over I2C")
        case .ds18b20: (.oneWire, "is read over 1-Wire")
        case .modbusRegister: (.modbus, "is read over Modbus")
        case .pulseFlowMeter, .levelSwitch: (.gpio, "is read on a GPIO line")
        }
    }

    /// The unit a sensor's readings (and thresholds on it) are written in.
    static func quantityKind(_ q: RigSpec.Sensor.Measured) -> QuantityKind {
        switch q {
        case .temperature: .temperature
        case .flow: .flow
        case .volume: .volume
        case .gravity: .gravity
        case .level: .percent
        case .pressure: .pressure
        }
    }

    /// How a calibration offset of that quantity is written, and its limits.
    static func offsetKind(_ q: RigSpec.Sensor.Measured) -> (QuantityKind, Bounds) {
        switch q {
        case .temperature: (.temperatureDifference, .between(-10, 10, Show.kelvin))
        case .flow: (.flow, .between(-10, 10, Show.unit("L/min")))
        case .volume: (.volume, .between(-100, 100, Show.litres))
        case .gravity: (.gravity, .between(-0.1, 0.1, Show.unit("SG")))
        case .level: (.percent, .between(-50, 50, Show.percent))
        case .pressure: (.pressure, .between(-1, 1, Show.unit("bar")))
        }
    }

    /// A plain number (integer or decimal) within `range`.
    static func number(_ r: TableReader, _ key: String, required: Bool = false, range: ClosedRange<Double>, expected: String) -> Double? {
        guard let value = r.table[key] else {
            if required { r.missing(key, expected: expected) }
            return nil
        }
        let v: Double
        switch value {
        case .integer(let i): v = Double(i)
        case .float(let d) where d.isFinite: v = d
        case .float:
            r.report(key, .value, "\(value.displayText) is not a finite number", expected: expected)
            return nil
        default:
            r.wrongType(key, value, expected: expected)
            return nil
        }
        guard range.contains(v) else {
            r.report(key, .value, "\(Show.number(v)) is out of range", expected: "\(expected) from \(Show.number(range.lowerBound)) to \(Show.number(range.upperBound))")
            return nil
        }
        return v
    }

    /// Dallas/Maxim 1-Wire CRC-8 (x⁸ + x⁵ + x⁴ + 1, reflected).
    static func crc8(_ bytes: [UInt8]) -> UInt8 {
        var crc: UInt8 = 0
        for byte in bytes {
            var b = byte
            for _ in 0..<8 {
                let mix = (crc ^ b) & 1
                crc >>= 1
                if mix != 0 { crc ^= 0x8C }
                b >>= 1
            }
        }
        return crc
    }

    /// A DS18B20 ROM code: `28-00000a1b2c3d` (the Linux w1 name: family, then the 48-bit serial;
    /// the CRC is computed) or 16 hex digits in wire order, family first and CRC last
    /// (`28FF4A1B2C3D0456`, spaces, `:` or `-` between bytes allowed), whose CRC is checked.
    /// Returns the ROM with the family code in the low byte, or the problem.
    static func parseROM(_ text: String) -> Result<UInt64, ROMProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func hexDigits(_ s: Substring) -> [UInt8]? {
            var out: [UInt8] = []
            for c in s {
                guard let v = c.hexDigitValue else { return nil }
                out.append(UInt8(v))
            }
            return out
        }
        // Linux sysfs form: "28-" + 12 hex digits.
        if let dash = trimmed.firstIndex(of: "-"), trimmed.distance(from: trimmed.startIndex, to: dash) == 2,
           !trimmed[trimmed.index(after: dash)...].contains("-") {
            guard let family = hexDigits(trimmed[..<dash]), let serial = hexDigits(trimmed[trimmed.index(after: dash)...]) else {
                return .failure(.notHex)
            }
            let f = family[0] << 4 | family[1]
            guard f == 0x28 else { return .failure(.family(f)) }
            guard serial.count == 12 else { return .failure(.serialLength(serial.count)) }
            var value: UInt64 = 0
            for d in serial { value = value << 4 | UInt64(d) }
            var bytes: [UInt8] = [f]
            for i in 0..<6 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
            bytes.append(crc8(bytes))
            return .success(bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        }
        let compact = trimmed.filter { $0 != " " && $0 != ":" && $0 != "-" }
        guard let digits = hexDigits(compact[...]), !digits.isEmpty else { return .failure(.notHex) }
        guard digits.count == 16 else { return .failure(.length(digits.count)) }
        let bytes = stride(from: 0, to: 16, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
        guard bytes[0] == 0x28 else { return .failure(.family(bytes[0])) }
        let crc = crc8(Array(bytes[0..<7]))
        guard crc == bytes[7] else { return .failure(.crc(found: bytes[7], computed: crc)) }
        return .success(bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
    }

    enum ROMProblem: Error, Equatable {
        case notHex
        case length(Int)
        case serialLength(Int)
        case family(UInt8)
        case crc(found: UInt8, computed: UInt8)

        static let expected = "a DS18B20 ROM code like \"28-00000a1b2c3d\" or 16 hex digits like \"28FF4A1B2C3D0456\""

        func message(_ text: String) -> (String, String?) {
            switch self {
            case .notHex:
                return ("\"\(text)\" is not a ROM code", nil)
            case .length(let n):
                return ("\"\(text)\" has \(n) hex digits; a ROM code has 16 (family, serial number, CRC)", nil)
            case .serialLength(let n):
                return ("\"\(text)\" has \(n) hex digits after the family code; a Linux 1-Wire name has 12", nil)
            case .family(let f):
                let known: [UInt8: String] = [0x10: "a DS18S20", 0x22: "a DS1822", 0x3B: "a MAX31850", 0x42: "a DS28EA00", 0x26: "a DS2438"]
                return ("family code \(HardwareLoader.hex(Int(f))) is \(known[f] ?? "not a DS18B20"); a DS18B20's is 0x28",
                        f == 0x82 ? "the bytes look reversed: write the family code (28) first" : nil)
            case .crc(let found, let computed):
                return ("the CRC byte \(HardwareLoader.hex(Int(found))) does not match the rest of \"\(text)\" (it should be \(HardwareLoader.hex(Int(computed))))",
                        "check the digits against the probe's label or `ls /sys/bus/w1/devices`")
            }
        }
    }

    static func readSensors(_ root: TableReader, buses: Declared<RigSpec.Bus>, slots: Slots, simulated: Bool) -> Declared<RigSpec.Sensor> {
        var out = Declared<RigSpec.Sensor>()
        guard root.contains("sensors") else { return out }
        guard let t = root.table("sensors", what: "the [sensors] table", expected: "sensor tables like [sensors.hlt_probe]") else {
            out.ok = false
            return out
        }
        var roms: [UInt64: String] = [:]
        let parts = RigSpec.Sensor.Part.allCases.map(\.rawValue)
        for (id, sensor) in t.namedTables(what: { "sensor `\($0)`" }, expected: "a sensor table like [sensors.hlt_probe]") {
            out.ids.append(id)
            var ok = true
            let part = sensor.choice("type", required: true, what: "sensor type", options: parts) { word in
                RigSpec.Sensor.Part(rawValue: word.lowercased().replacingOccurrences(of: "-", with: "_"))
            }
            if simulated, let part, ![.mcp9808, .modbusRegister, .levelSwitch, .pulseFlowMeter].contains(part) {
                sensor.report("type", .value, "the simulated brewery simulates mcp9808 probes, Modbus registers, level switches and pulse flow meters; "
                              + "use backend = \"linux\" for \(partName(part))",
                              expected: "type = \"mcp9808\", \"modbus_register\", \"level_switch\" or \"pulse_flow_meter\" on a simulated rig")
                ok = false
            }
            let category = part.map(busCategory)
            let bus = busReference(sensor, buses: buses, want: category.map { [$0.0] } ?? BusCategory.allCases,
                                   part: part.map(partName) ?? "a sensor", how: category?.how ?? "")
            let owner = "sensor `\(id)`"
            var connection: RigSpec.Sensor.Connection?
            var quantity = part?.fixedQuantity
            var scale: Double? = 1
            var applicable: [String]?
            func i2cAddress(_ range: ClosedRange<Int>, _ expected: String, chip: String? = nil, channel: Int? = nil) -> Int? {
                guard var address = sensor.integer("address", required: true, range: range, expected: expected, show: hex) else { return nil }
                if let bus, chip == nil || channel != nil,
                   let problem = slots.claimI2C(bus: bus.id, address: address, owner: owner, chip: chip, channel: channel) {
                    sensor.report(chip != nil && slots.i2c["\(bus.id)@\(address)"]?.chip == chip ? "channel" : "address", .value, problem)
                    address = -1
                }
                return address >= 0 ? address : nil
            }
            func gpioLine() -> Int? {
                guard let line = sensor.integer("line", required: true, range: 0...1023, expected: "the GPIO line number on its chip") else { return nil }
                if let bus, let problem = slots.claimLine(bus: bus.id, line: line, owner: owner) {
                    sensor.report("line", .value, problem)
                    return nil
                }
                return line
            }
            switch part {
            case .mcp9808?, .tmp117?:
                let mcp = part == .mcp9808
                connection = i2cAddress(mcp ? 0x18...0x1F : 0x48...0x4B, mcp ? "an MCP9808's I2C address" : "a TMP117's I2C address")
                    .map { .i2c(address: $0) }
                applicable = ["type", "bus", "address", "offset"]
            case .ds18b20?:
                if let text = sensor.string("rom", required: true, expected: ROMProblem.expected) {
                    switch parseROM(text) {
                    case .success(let rom):
                        if let other = roms[rom] {
                            sensor.report("rom", .value, "sensor `\(other)` already has ROM \(text)", expected: "each probe's own ROM code")
                        } else {
                            roms[rom] = id
                            connection = .oneWire(rom: rom)
                        }
                    case .failure(let problem):
                        let (message, suggestion) = problem.message(text)
                        sensor.report("rom", .value, message, expected: ROMProblem.expected, suggestion: suggestion)
                    }
                }
                applicable = ["type", "bus", "rom", "offset"]
            case .ads1115?:
                let channel = sensor.integer("channel", required: true, range: 0...3, expected: "an ADS1115 input, AIN0–AIN3")
                let address = i2cAddress(0x48...0x4B, "an ADS1115's I2C address", chip: "ADS1115", channel: channel)
                let frontEnd = readFrontEnd(sensor)
                var fullScale: Double? = 4.096
                if sensor.contains("full_scale") {
                    fullScale = sensor.quantity("full_scale", .voltage, bounds: .positive(max: 6.144, Show.unit("V")), context: "the ADS1115")
                    if let f = fullScale, !adsRanges.contains(where: { abs($0 - f) < 1e-9 }) {
                        sensor.report("full_scale", .value, "\(Show.number(f)) V is not one of the ADS1115's ranges",
                                      expected: "one of " + adsRanges.map { "\"\(Show.number($0)) V\"" }.joined(separator: ", "),
                                      suggestion: adsRanges.min { abs($0 - f) < abs($1 - f) }.map { "did you mean \"\(Show.number($0)) V\"?" })
                        fullScale = nil
                    }
                }
                if let channel, let address, let frontEnd = frontEnd.value, let fullScale {
                    connection = .analog(address: address, channel: channel, fullScale: fullScale, frontEnd: frontEnd)
                }
                applicable = ["type", "bus", "address", "channel", "front_end", "nominal_resistance", "series_resistor", "supply",
                              "full_scale", "offset"] + (frontEnd.isNTC ? ["beta", "r25"] : [])
            case .modbusRegister?:
                let measured = RigSpec.Sensor.Measured.allCases.map(\.rawValue)
                quantity = sensor.choice("quantity", required: true, what: "quantity", options: measured) {
                    RigSpec.Sensor.Measured(rawValue: $0.lowercased())
                }
                let point = readModbusPoint(sensor)
                if let s = number(sensor, "scale", range: -1e9...1e9, expected: "a multiplier from register counts to the quantity's unit") {
                    if s == 0 {
                        sensor.report("scale", .value, "a scale of 0 would read 0 whatever the transmitter says", expected: "a multiplier other than 0, like 0.1")
                        scale = nil
                    } else {
                        scale = s
                    }
                } else if sensor.contains("scale") {
                    scale = nil
                }
                if let bus, let p = point,
                   let problem = slots.claimModbus(bus: bus.id, unit: p.unit, table: "\(p.registerType.rawValue) register", number: p.register,
                                                   count: p.dataType.registers, owner: owner) {
                    sensor.report("register", .value, problem)
                } else if let p = point {
                    connection = .modbus(p)
                }
                applicable = ["type", "bus", "unit", "register", "register_type", "data_type", "scale", "offset", "quantity"]
                    + (point.map { $0.dataType.registers == 2 } ?? true ? ["word_order"] : [])
            case .pulseFlowMeter?:
                let line = gpioLine()
                let k = sensor.quantity("k_factor", .pulsesPerLitre, required: true, bounds: .positive(max: 100_000, Show.unit("pulses/L")),
                                        context: "a flow meter")
                if sensor.contains("scale") {
                    scale = number(sensor, "scale", range: 0.5...2, expected: "a calibration factor")
                }
                if let line, let k { connection = .pulses(line: line, pulsesPerLitre: k) }
                applicable = ["type", "bus", "line", "k_factor", "scale"]
            case .levelSwitch?:
                let line = gpioLine()
                var activeLow: Bool? = false
                if sensor.contains("active_low") { activeLow = sensor.bool("active_low") }
                var wetWhen: RigSpec.Sensor.SwitchState? = .closed
                if sensor.contains("wet_when") {
                    wetWhen = sensor.choice("wet_when", what: "switch state", options: RigSpec.Sensor.SwitchState.allCases.map(\.rawValue)) {
                        RigSpec.Sensor.SwitchState(rawValue: $0.lowercased())
                    }
                }
                if let line, let activeLow, let wetWhen { connection = .levelSwitch(line: line, activeLow: activeLow, wetWhen: wetWhen) }
                applicable = ["type", "bus", "line", "active_low", "wet_when"]
            case nil:
                break
            }
            var offset: Double? = 0
            if sensor.contains("offset"), applicable?.contains("offset") ?? true, let q = quantity ?? (part == nil ? .temperature : nil) {
                let (kind, bounds) = offsetKind(q)
                offset = sensor.quantity("offset", kind, bounds: bounds, context: "a calibration offset")
            }
            sensor.checkKeys(known: sensorKeys, applicable: applicable)
            if ok, let part, bus != nil, let connection, let quantity, let offset, let scale {
                out.valid.append(RigSpec.Sensor(id: id, part: part, bus: bus!.id, connection: connection, quantity: quantity,
                                                offset: offset, scale: scale))
            } else {
                out.ok = false
            }
        }
        if t.table.entries.count != out.ids.count { out.ok = false }
        return out
    }

    /// The front end of an ADS1115 input; `isNTC` says which keys apply (true when unknown too).
    static func readFrontEnd(_ sensor: TableReader) -> (value: RigSpec.Sensor.FrontEnd?, isNTC: Bool) {
        let kind = sensor.choice("front_end", required: true, what: "front end", options: ["ntc", "pt100", "pt1000"]) { word -> String? in
            let w = word.lowercased().replacingOccurrences(of: "-", with: "")
            return ["ntc", "pt100", "pt1000"].contains(w) ? w : nil
        }
        let ohms = Show.unit("Ω")
        func resistance(_ key: String, required: Bool, _ fallback: Double?) -> Double? {
            guard sensor.contains(key) || required else { return fallback }
            return sensor.quantity(key, .resistance, required: required, bounds: .positive(max: 10_000_000, ohms), context: "a resistor")
        }
        var supply: Double? = 3.3
        if sensor.contains("supply") {
            supply = sensor.quantity("supply", .voltage, bounds: .positive(max: 5.5, Show.unit("V")), context: "the ADS1115's supply")
        }
        let series = resistance("series_resistor", required: kind != nil, nil)
        switch kind {
        case "ntc":
            if sensor.contains("r25"), sensor.contains("nominal_resistance") {
                sensor.report("nominal_resistance", .key, "`r25` and `nominal_resistance` are the same thing", expected: "one of them")
                return (nil, true)
            }
            let r25Key = sensor.contains("nominal_resistance") ? "nominal_resistance" : "r25"
            let r25 = resistance(r25Key, required: true, nil)
            let beta = number(sensor, "beta", required: true, range: 1000...10_000, expected: "the thermistor's B constant (B25/85), like 3950")
            guard let r25, let beta, let series, let supply else { return (nil, true) }
            return (.ntc(beta: beta, r25: r25, seriesResistor: series, supply: supply), true)
        case "pt100", "pt1000":
            let r0 = resistance("nominal_resistance", required: false, kind == "pt100" ? 100 : 1000)
            guard let r0, let series, let supply else { return (nil, false) }
            return (.pt100(r0: r0, seriesResistor: series, supply: supply), false)
        default:
            return (nil, true)
        }
    }

    static func readModbusPoint(_ sensor: TableReader) -> RigSpec.Sensor.ModbusPoint? {
        let unit = sensor.integer("unit", required: true, range: 1...247, expected: "the device's Modbus unit (slave) id")
        let register = sensor.integer("register", required: true, range: 0...65535, expected: "a register address")
        var registerType: RigSpec.Sensor.RegisterType? = .holding
        if sensor.contains("register_type") {
            registerType = sensor.choice("register_type", what: "register type", options: RigSpec.Sensor.RegisterType.allCases.map(\.rawValue)) {
                RigSpec.Sensor.RegisterType(rawValue: $0.lowercased())
            }
        }
        var dataType: RigSpec.Sensor.DataType? = .int16
        if sensor.contains("data_type") {
            dataType = sensor.choice("data_type", what: "data type", options: RigSpec.Sensor.DataType.allCases.map(\.rawValue)) {
                RigSpec.Sensor.DataType(rawValue: $0.lowercased())
            }
        }
        var wordOrder: RigSpec.Sensor.WordOrder? = .big
        if sensor.contains("word_order") {
            wordOrder = sensor.choice("word_order", what: "word order", options: RigSpec.Sensor.WordOrder.allCases.map(\.rawValue)) {
                RigSpec.Sensor.WordOrder(rawValue: $0.lowercased())
            }
        }
        if let register, let dataType, register + dataType.registers - 1 > 65535 {
            sensor.report("register", .value, "a \(dataType.rawValue) at register \(register) would run past register 65535",
                          expected: "a register from 0 to \(65536 - dataType.registers)")
            return nil
        }
        guard let unit, let register, let registerType, let dataType, let wordOrder else { return nil }
        return RigSpec.Sensor.ModbusPoint(unit: unit, register: register, registerType: registerType, dataType: dataType, wordOrder: wordOrder)
    }

    static func kindName(_ kind: RigSpec.Output.Kind) -> String {
        kind == .variableSpeedPump ? "variable-speed pump" : kind.rawValue
    }

    static func readOutputs(_ root: TableReader, buses: Declared<RigSpec.Bus>, slots: Slots, simulated: Bool) -> Declared<RigSpec.Output> {
        var out = Declared<RigSpec.Output>()
        guard root.contains("outputs") else { return out }
        guard let t = root.table("outputs", what: "the [outputs] table", expected: "output tables like [outputs.hlt_element]") else {
            out.ok = false
            return out
        }
        for (id, output) in t.namedTables(what: { "output `\($0)`" }, expected: "an output table like [outputs.hlt_element]") {
            out.ids.append(id)
            var ok = true
            let kind = output.choice("type", required: true, what: "output type", options: outputTypes) { word in
                RigSpec.Output.Kind(rawValue: word.lowercased().replacingOccurrences(of: "-", with: "_"))
            }
            if simulated, kind == .variableSpeedPump {
                output.report("type", .value, "the simulated brewery simulates GPIO outputs only; use backend = \"linux\" for a variable-speed pump",
                              expected: "a heater, pump or valve on a GPIO line on a simulated rig")
                ok = false
            }
            let want: [BusCategory] = kind == .variableSpeedPump ? [.modbus] : kind == nil ? BusCategory.allCases : [.gpio, .modbus]
            let how = kind == .variableSpeedPump ? "is driven through a Modbus register" : "is switched by a GPIO line or a Modbus coil"
            let bus = busReference(output, buses: buses, want: want, part: kind == .variableSpeedPump ? "a variable-speed pump" : "an output", how: how)
            let owner = "output `\(id)`"
            var connection: RigSpec.Output.Connection?
            var applicable: [String]?
            switch bus.map({ BusCategory($0.kind) }) {
            case .gpio?:
                var line = output.integer("line", required: true, range: 0...1023, expected: "the GPIO line number on its chip")
                if let bus, let l = line, let problem = slots.claimLine(bus: bus.id, line: l, owner: owner) {
                    output.report("line", .value, problem)
                    line = nil
                }
                var activeLow: Bool? = false
                if output.contains("active_low") { activeLow = output.bool("active_low") }
                if let line, let activeLow { connection = .gpio(line: line, activeLow: activeLow) }
                applicable = ["type", "bus", "line", "active_low"]
            case .modbus? where kind == .variableSpeedPump:
                let unit = output.integer("unit", required: true, range: 1...247, expected: "the drive's Modbus unit (slave) id")
                var register = output.integer("register", required: true, range: 0...65535, expected: "the drive's speed register")
                var fullScale: Int? = 10_000
                if output.contains("scale") {
                    fullScale = output.integer("scale", range: 1...65535, expected: "the register value for full speed")
                }
                var maxSpeed: Double? = 100
                if output.contains("max_speed") {
                    maxSpeed = output.quantity("max_speed", .percent, bounds: .between(1, 100, Show.percent), context: "a pump's speed")
                }
                if let bus, let u = unit, let r = register,
                   let problem = slots.claimModbus(bus: bus.id, unit: u, table: "holding register", number: r, count: 1, owner: owner) {
                    output.report("register", .value, problem)
                    register = nil
                }
                if let unit, let register, let fullScale, let maxSpeed {
                    connection = .modbusSpeed(unit: unit, register: register, fullScale: fullScale, maxSpeed: Percent(maxSpeed))
                }
                applicable = ["type", "bus", "unit", "register", "scale", "max_speed"]
            case .modbus?:
                if simulated {
                    output.report("bus", .value, "the simulated brewery simulates GPIO outputs only; use backend = \"linux\" for Modbus coils",
                                  expected: "a GPIO bus on a simulated rig")
                    ok = false
                }
                let unit = output.integer("unit", required: true, range: 1...247, expected: "the relay module's Modbus unit (slave) id")
                var coil = output.integer("coil", required: true, range: 0...65535, expected: "a coil address")
                if let bus, let u = unit, let c = coil,
                   let problem = slots.claimModbus(bus: bus.id, unit: u, table: "coil", number: c, count: 1, owner: owner) {
                    output.report("coil", .value, problem)
                    coil = nil
                }
                if let unit, let coil { connection = .modbusCoil(unit: unit, coil: coil) }
                applicable = ["type", "bus", "unit", "coil"]
            default:
                break
            }
            output.checkKeys(known: outputKeys, applicable: applicable)
            if ok, let kind, let bus, let connection {
                out.valid.append(RigSpec.Output(id: id, kind: kind, bus: bus.id, connection: connection))
            } else {
                out.ok = false
            }
        }
        if t.table.entries.count != out.ids.count { out.ok = false }
        return out
    }

    // MARK: Vessels

    /// What a vessel's sensor key accepts: the description used in messages and the test.
    struct SensorWant: Sendable {
        var name: String
        var accepts: @Sendable (RigSpec.Sensor) -> Bool
        static let temperature = SensorWant(name: "a temperature sensor") { $0.quantity == .temperature }
        static let flow = SensorWant(name: "a flow sensor") { $0.quantity == .flow }
        static let levelSwitch = SensorWant(name: "a level switch") { $0.part == .levelSwitch }
        static let gravity = SensorWant(name: "a gravity sensor") { $0.quantity == .gravity }
        static let coolant = SensorWant(name: "a flow sensor or a level switch") { $0.quantity == .flow || $0.part == .levelSwitch }
    }

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
        var sensorUsers: [String: (vessel: String, key: String)] = [:]
        var outputUsers: [String: (vessel: String, key: String)] = [:]
        let roleNames = VesselRole.allCases.map(\.rawValue)

        /// Checks that `reader[key]` names an output of one of `kinds` that no other vessel uses.
        /// Returns .some(nil) when the key is absent and optional, nil when there is an error.
        func outputReference(_ reader: TableReader, _ key: String, kinds: [RigSpec.Output.Kind], vessel: String, required: Bool,
                             at path: ConfigPath? = nil, value: ConfigValue? = nil) -> String?? {
            let want = kinds.map(kindName).joined(separator: " or ")
            let article = "a"
            let site = ReferenceSite(reader: reader, key: key, path: path)
            func report(_ message: String, expected: String? = nil, suggestion: String? = nil) {
                site.report(message, expected: expected, suggestion: suggestion)
            }
            guard let written = site.id(value: value, required: required, expected: "the id of \(article) \(want) output from [outputs]") else { return nil }
            guard let id = written else { return .some(nil) }
            guard let output = outputs.valid.first(where: { $0.id == id }) else {
                if outputs.ids.contains(id) { return nil }  // reported at the output
                reader.diagnostics.reportUnknown("output", id, at: site.path, candidates: outputs.valid.filter { kinds.contains($0.kind) }.map(\.id),
                                                 fallback: "\(article) \(want) output defined under [outputs]", declared: outputs.ids)
                return nil
            }
            guard kinds.contains(output.kind) else {
                report("output `\(id)` is a \(kindName(output.kind)), not a \(want)", expected: "\(article) \(want) output")
                return nil
            }
            if let other = outputUsers[id] {
                let pumps: Set = ["recirculation_pump", "pump"]
                // The mash pump may both recirculate and transfer.
                if other.vessel == vessel, pumps.contains(other.key), pumps.contains(key), other.key != key { return .some(id) }
                report(other.vessel == vessel ? "output `\(id)` is already this vessel's `\(other.key)`"
                                              : "output `\(id)` is already used by vessel `\(other.vessel)`")
                return nil
            }
            outputUsers[id] = (vessel, key)
            return .some(id)
        }

        /// Checks that `reader[key]` names a sensor `want` accepts that no vessel uses yet.
        func sensorReference(_ reader: TableReader, _ key: String, _ want: SensorWant, vessel: String, required: Bool,
                             at path: ConfigPath? = nil, value: ConfigValue? = nil) -> String?? {
            let site = ReferenceSite(reader: reader, key: key, path: path)
            func report(_ message: String, expected: String? = nil, suggestion: String? = nil) {
                site.report(message, expected: expected, suggestion: suggestion)
            }
            guard let written = site.id(value: value, required: required, expected: "the id of \(want.name) from [sensors]") else { return nil }
            guard let id = written else { return .some(nil) }
            let candidates = sensors.valid.filter(want.accepts).map(\.id)
            guard let sensor = sensors.valid.first(where: { $0.id == id }) else {
                if sensors.ids.contains(id) { return nil }  // reported at the sensor
                reader.diagnostics.reportUnknown("sensor", id, at: site.path, candidates: candidates, fallback: "\(want.name) defined under [sensors]",
                                                 declared: sensors.ids)
                return nil
            }
            guard want.accepts(sensor) else {
                report("sensor `\(id)` is \(describe(sensor)), not \(want.name)",
                       expected: candidates.isEmpty ? "\(want.name) defined under [sensors]" : "one of " + Suggest.list(candidates))
                return nil
            }
            if let other = sensorUsers[id] {
                report(other.vessel == vessel ? "sensor `\(id)` is already this vessel's `\(other.key)`"
                                              : "sensor `\(id)` already measures vessel `\(other.vessel)`")
                return nil
            }
            sensorUsers[id] = (vessel, key)
            return .some(id)
        }

        for (id, v) in entries {
            var vesselOK = true
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
            // One probe (`sensor`), or redundant probes that vote (`sensors`, the main one first).
            var sensor: String?
            var redundant: [String]? = []
            if v.contains("sensors") {
                if v.contains("sensor") {
                    v.report("sensors", .key, "a vessel names its probe with `sensor` or its probes with `sensors`, not both",
                             expected: "sensors = [\"a\", \"b\", \"c\"] alone")
                    redundant = nil
                } else if let items = v.array("sensors", expected: "a list of temperature sensor ids like [\"mash_probe_a\", \"mash_probe_b\"]") {
                    var ids: [String] = []
                    for (n, item) in items.enumerated() {
                        let ipath = v.path.appending("sensors").appending(index: n)
                        if let sid = sensorReference(v, "sensors", .temperature, vessel: id, required: true, at: ipath, value: item) ?? nil {
                            ids.append(sid)
                        } else {
                            redundant = nil
                        }
                    }
                    if items.isEmpty {
                        v.report("sensors", .value, "the list of probes is empty", expected: "at least one temperature sensor id")
                        redundant = nil
                    }
                    if redundant != nil, let first = ids.first {
                        sensor = first
                        redundant = Array(ids.dropFirst())
                    }
                } else {
                    redundant = nil
                }
            } else {
                sensor = sensorReference(v, "sensor", .temperature, vessel: id, required: true) ?? nil
            }
            var probeTolerance: Double? = 2
            if v.contains("probe_tolerance") {
                probeTolerance = v.quantity("probe_tolerance", .temperatureDifference, bounds: .positive(max: 20, Show.kelvin),
                                            context: "how far redundant probes may disagree")
                if probeTolerance != nil, redundant?.isEmpty == true {
                    v.report("probe_tolerance", .key, "`probe_tolerance` applies to a vessel with several probes",
                             expected: "sensors = [\"a\", \"b\"] with it, or no probe_tolerance")
                    probeTolerance = nil
                }
            }
            // How long the probe takes to show a change (dead time + lag; a thermowell's dozens of
            // seconds): the runaway watch allows for it (docs/safety.md).
            var probeResponse: Double?? = .some(nil)
            if v.contains("probe_response") {
                probeResponse = v.quantity("probe_response", .duration, bounds: Bounds(min: 0, max: 600, show: Show.duration),
                                           context: "how long the probe takes to show a change of the liquid").map { .some($0) }
            }
            var minFlow: Double? = 1
            if v.contains("min_flow") {
                minFlow = v.quantity("min_flow", .flow, bounds: .positive(max: 1000, Show.plain), context: "the least flow that counts as pumping")
            }

            var heater: RigSpec.Heater??
            if v.contains("heater") {
                if let h = v.table("heater", what: "the heater of vessel `\(id)`", expected: "a heater table like [vessels.\(ConfigPath.quotedIfNeeded(id)).heater]") {
                    heater = readHeater(h, control: control) { reader, key in
                        outputReference(reader, key, kinds: [.heater], vessel: id, required: true)
                    }.map { .some($0) }
                } else {
                    heater = nil
                }
            } else {
                heater = .some(nil)
            }
            let recirculation = outputReference(v, "recirculation_pump", kinds: [.pump, .variableSpeedPump], vessel: id, required: false)
            let valve = outputReference(v, "chiller_valve", kinds: [.valve], vessel: id, required: false)
            let pump = outputReference(v, "pump", kinds: [.pump, .variableSpeedPump], vessel: id, required: false)
            let flowMeter = sensorReference(v, "flow_meter", .flow, vessel: id, required: false)
            let levelSwitch = sensorReference(v, "level_switch", .levelSwitch, vessel: id, required: false)
            let gravity = sensorReference(v, "gravity_sensor", .gravity, vessel: id, required: false)
            let head = sensorReference(v, "head_sensor", .temperature, vessel: id, required: false)
            let distillate = sensorReference(v, "distillate_meter", .flow, vessel: id, required: false)
            let coolant = sensorReference(v, "coolant_flow", .coolant, vessel: id, required: false)
            var receivers: [RigSpec.Receiver] = []
            if v.contains("receivers") {
                if let items = v.array("receivers", expected: "a list of receivers like [{ name = \"hearts\", valve = \"hearts_valve\" }, { name = \"tails\" }]") {
                    var names: [String: Int] = [:]
                    for (index, item) in items.enumerated() {
                        let path = v.path.appending("receivers").appending(index: index)
                        guard case .table(let table) = item else {
                            v.diagnostics.report(path, .value, "found \(item.typeDescription)",
                                                 expected: "a receiver like { name = \"hearts\", valve = \"hearts_valve\" }")
                            vesselOK = false
                            continue
                        }
                        let r = TableReader(path: path, table: table, diagnostics: v.diagnostics, what: "a receiver")
                        var receiverName = r.string("name", required: true, expected: "the receiver's name in quotes, like \"hearts\"")
                        if let n = receiverName {
                            if let first = names[n.lowercased()] {
                                r.report("name", .value, "receiver `\(n)` is already receivers[\(first)]", expected: "each receiver once")
                                receiverName = nil
                            } else {
                                names[n.lowercased()] = index
                            }
                        }
                        let receiverValve = outputReference(r, "valve", kinds: [.valve], vessel: id, required: false)
                        r.checkKeys(known: receiverKeys)
                        if let receiverName, let receiverValve {
                            receivers.append(RigSpec.Receiver(name: receiverName, valve: receiverValve))
                        } else {
                            vesselOK = false
                        }
                    }
                } else {
                    vesselOK = false
                }
            }
            var maxTemperature: Double? = 105
            if v.contains("max_temperature") {
                maxTemperature = v.quantity("max_temperature", .temperature, bounds: .between(20, 150, Show.celsius), context: "a vessel's limit")
            }
            var minVolume: Double??  = .some(nil)
            if v.contains("min_volume") {
                let limit = capacity ?? 10_000
                minVolume = v.quantity("min_volume", .volume, bounds: .nonNegative(max: limit, Show.litres),
                                       context: "a vessel of \(Show.litres(limit))").map { .some($0) }
            }
            var coolantTemperature: Double?? = .some(nil)
            if v.contains("coolant_temperature") {
                coolantTemperature = v.quantity("coolant_temperature", .temperature, bounds: .between(-30, 40, Show.celsius),
                                                context: "what the vessel is cooled with").map { .some($0) }
                if coolantTemperature != nil, !v.contains("chiller_valve") {
                    v.report("coolant_temperature", .key, "`coolant_temperature` applies to a vessel with a `chiller_valve`",
                             expected: "chiller_valve = \"…\" with it, or no coolant_temperature (manual chilling uses the mains water)")
                    coolantTemperature = nil
                }
            }
            var minPumpVolume: Double?? = .some(nil)
            if v.contains("min_pump_volume") {
                let limit = capacity ?? 10_000
                minPumpVolume = v.quantity("min_pump_volume", .volume, bounds: .nonNegative(max: limit, Show.litres),
                                           context: "a vessel of \(Show.litres(limit))").map { .some($0) }
                if minPumpVolume != nil, !v.contains("recirculation_pump"), !v.contains("pump") {
                    v.report("min_pump_volume", .key, "`min_pump_volume` applies to a vessel with a `recirculation_pump` or a `pump`",
                             expected: "recirculation_pump = \"…\" or pump = \"…\" with it, or no min_pump_volume")
                    minPumpVolume = nil
                }
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

            if vesselOK, let role, roleOK, let name, let capacity, let sensor, let heater, let recirculation, let valve, let maxTemperature,
               let simulation, let pump, let flowMeter, let levelSwitch, let gravity, let head, let distillate, let coolant, let minVolume,
               let redundant, let probeTolerance, let minFlow, let coolantTemperature, let minPumpVolume, let probeResponse {
                var vessel = RigSpec.Vessel(id: id, role: role, name: name, capacity: Litres(capacity), temperatureSensor: sensor,
                                            heater: heater, recirculationPump: recirculation, chillerValve: valve,
                                            maxTemperature: Celsius(maxTemperature), simulation: simulation,
                                            pump: pump, flowMeter: flowMeter, levelSwitch: levelSwitch, gravitySensor: gravity,
                                            headSensor: head, distillateMeter: distillate, coolantFlow: coolant,
                                            receivers: receivers, minVolume: minVolume.map(Litres.init))
                vessel.redundantSensors = redundant
                vessel.probeTolerance = Kelvin(probeTolerance)
                vessel.minFlow = minFlow
                vessel.coolantTemperature = coolantTemperature.map(Celsius.init)
                vessel.minPumpVolume = minPumpVolume.map(Litres.init)
                vessel.probeResponse = probeResponse.map(Seconds.init)
                out.append(vessel)
            } else {
                ok = false
            }
        }
        return ok ? out : nil
    }

    // MARK: Interlocks and circuits

    static func readInterlocks(_ root: TableReader, sensors: Declared<RigSpec.Sensor>, outputs: Declared<RigSpec.Output>) -> [RigSpec.Interlock]? {
        guard root.contains("interlocks") else { return [] }
        let example = "[[interlocks]] tables like output = \"kettle_element\", requires = [{ sensor = \"kettle_level\", is = \"wet\" }]"
        guard let items = root.array("interlocks", expected: example) else { return nil }
        var ok = true
        var out: [RigSpec.Interlock] = []
        let d = root.diagnostics
        for (index, item) in items.enumerated() {
            let path = ConfigPath.root.appending("interlocks").appending(index: index)
            guard case .table(let table) = item else {
                d.report(path, .value, "found \(item.typeDescription)", expected: "an interlock: an [[interlocks]] table")
                ok = false
                continue
            }
            let r = TableReader(path: path, table: table, diagnostics: d, what: "an interlock")
            var output: String?
            if let id = r.string("output", required: true, expected: "the id of the output it guards, from [outputs]") {
                if outputs.valid.contains(where: { $0.id == id }) {
                    output = id
                } else if !outputs.ids.contains(id) {
                    d.reportUnknown("output", id, at: r.path.appending("output"), candidates: outputs.ids,
                                    fallback: "an output defined under [outputs]", declared: outputs.ids)
                }
            }
            var name: String?? = .some(nil)
            if r.contains("name") { name = r.string("name", expected: "the interlock's name in quotes").map { .some($0) } }
            var reason: String?? = .some(nil)
            if r.contains("reason") { reason = r.string("reason", expected: "why, in quotes, shown when it holds the output off", longest: InputLimits.textLength).map { .some($0) } }
            var action: RigSpec.Interlock.Action? = .hold
            if r.contains("action") {
                action = r.choice("action", what: "interlock action", options: RigSpec.Interlock.Action.allCases.map(\.rawValue)) {
                    RigSpec.Interlock.Action(rawValue: $0.lowercased())
                }
            }
            var grace: Double? = 0
            if r.contains("grace") {
                grace = r.quantity("grace", .duration, bounds: .nonNegative(max: 3600, Show.duration), context: "an interlock's grace time")
            }
            var conditions: [RigSpec.Interlock.Condition]? = []
            if let list = r.array("requires", required: true, expected: "a list of conditions like [{ sensor = \"kettle_level\", is = \"wet\" }]") {
                if list.isEmpty {
                    r.report("requires", .value, "the interlock has no conditions", expected: "at least one condition like { sensor = \"kettle_level\", is = \"wet\" }")
                    conditions = nil
                }
                for (n, element) in list.enumerated() {
                    let cpath = path.appending("requires").appending(index: n)
                    guard case .table(let t) = element else {
                        d.report(cpath, .value, "found \(element.typeDescription)",
                                 expected: "a condition like { sensor = \"kettle_level\", is = \"wet\" } or { output = \"mash_pump\", is = \"on\" }")
                        conditions = nil
                        continue
                    }
                    let c = TableReader(path: cpath, table: t, diagnostics: d, what: "an interlock condition")
                    let condition = readCondition(c, guarding: output, sensors: sensors, outputs: outputs)
                    c.checkKeys(known: conditionKeys)
                    if let condition { conditions?.append(condition) } else { conditions = nil }
                }
            } else {
                conditions = nil
            }
            r.checkKeys(known: interlockKeys)
            if let output, let conditions, let name, let reason, let action, let grace {
                out.append(RigSpec.Interlock(output: output, requires: conditions, name: name, reason: reason, action: action,
                                             grace: Seconds(grace)))
            } else {
                ok = false
            }
        }
        return ok ? out : nil
    }

    static func readCondition(_ c: TableReader, guarding: String?, sensors: Declared<RigSpec.Sensor>,
                              outputs: Declared<RigSpec.Output>) -> RigSpec.Interlock.Condition? {
        let tests = ["is", "above", "below"].filter(c.contains)
        let example = "a condition like { sensor = \"kettle_level\", is = \"wet\" }, { output = \"mash_pump\", is = \"on\" } or { sensor = \"coolant_flow\", above = \"2 L/min\" }"
        if c.contains("sensor") && c.contains("output") {
            c.report("output", .key, "a condition names a sensor or an output, not both", expected: "one condition per sensor or output")
            return nil
        }
        if !c.contains("sensor") && !c.contains("output") {
            c.diagnostics.report(c.path.appending("sensor"), at: c.diagnostics.locator.valuePosition(c.path),
                                 "an interlock condition needs `sensor` or `output`", expected: example)
            return nil
        }
        if tests.count > 1 {
            c.report(tests[1], .key, "a condition has one test: `is`, `above` or `below`",
                     expected: "one test per condition", suggestion: "write a range as two conditions")
            return nil
        }
        guard let test = tests.first else {
            c.diagnostics.report(c.path.appending("is"), at: c.diagnostics.locator.valuePosition(c.path),
                                 "an interlock condition needs a test: `is`, `above` or `below`", expected: example)
            return nil
        }
        if c.contains("output") {
            guard let id = c.string("output", expected: "the id of an output from [outputs]") else { return nil }
            guard outputs.valid.contains(where: { $0.id == id }) else {
                if !outputs.ids.contains(id) {
                    c.diagnostics.reportUnknown("output", id, at: c.path.appending("output"), candidates: outputs.ids,
                                                fallback: "an output defined under [outputs]", declared: outputs.ids)
                }
                return nil
            }
            if id == guarding {
                c.report("output", .value, "output `\(id)` cannot depend on itself", expected: "another output or a sensor")
                return nil
            }
            guard test == "is" else {
                c.report(test, .key, "`\(test)` applies to sensors; an output is on or off", expected: "`is = \"on\"` or `is = \"off\"`")
                return nil
            }
            guard let on = c.choice("is", what: "output state", options: ["on", "off"], parse: { w -> Bool? in
                switch w.lowercased() {
                case "on", "running", "open": true
                case "off", "stopped", "closed": false
                default: nil
                }
            }) else { return nil }
            return .output(id, on: on)
        }
        guard let id = c.string("sensor", expected: "the id of a sensor from [sensors]") else { return nil }
        guard let sensor = sensors.valid.first(where: { $0.id == id }) else {
            if !sensors.ids.contains(id) {
                c.diagnostics.reportUnknown("sensor", id, at: c.path.appending("sensor"), candidates: sensors.ids,
                                            fallback: "a sensor defined under [sensors]", declared: sensors.ids)
            }
            return nil
        }
        if test == "is" {
            guard sensor.part == .levelSwitch else {
                let state: String
                if case .string(let s)? = c.table["is"] { state = s } else { state = "…" }
                c.report("is", .value, "`is = \"\(state)\"` needs a level switch; sensor `\(id)` is \(describe(sensor))",
                         expected: "`above` or `below` with \(quantityKind(sensor.quantity).expected)")
                return nil
            }
            guard let wet = c.choice("is", what: "level switch state", options: ["wet", "dry"], parse: { w -> Bool? in
                switch w.lowercased() {
                case "wet": true
                case "dry": false
                default: nil
                }
            }) else { return nil }
            return .level(sensor: id, wet: wet)
        }
        guard sensor.part != .levelSwitch else {
            c.report(test, .key, "sensor `\(id)` is a level switch: it reads wet or dry", expected: "`is = \"wet\"` or `is = \"dry\"`")
            return nil
        }
        let kind = quantityKind(sensor.quantity)
        guard let value = c.quantity(test, kind, context: nil) else { return nil }
        return test == "above" ? .above(sensor: id, value: value) : .below(sensor: id, value: value)
    }

    static func readCircuits(_ root: TableReader, outputs: Declared<RigSpec.Output>, vessels: [RigSpec.Vessel]) -> [RigSpec.Circuit]? {
        guard root.contains("circuits") else { return [] }
        guard let t = root.table("circuits", what: "the [circuits] table", expected: "circuit tables like [circuits.main]") else { return nil }
        var ok = true
        var out: [RigSpec.Circuit] = []
        var onCircuit: [String: String] = [:]
        var power: [String: Double] = [:]
        for vessel in vessels { if let h = vessel.heater { power[h.output] = h.power.value } }
        let entries = t.namedTables(what: { "circuit `\($0)`" }, expected: "a circuit table like [circuits.main]")
        if entries.count != t.table.entries.count { ok = false }
        for (id, c) in entries {
            var limit: Double?
            var applicable = ["limit", "heaters"]
            if c.contains("current") {
                applicable = ["current", "voltage", "heaters"]
                if c.contains("limit") {
                    c.report("current", .key, "write the limit as `limit` or as `current` with `voltage`, not both", expected: "one of them")
                } else {
                    let current = c.quantity("current", .current, bounds: .positive(max: 1000, Show.unit("A")), context: "a circuit")
                    let voltage = c.quantity("voltage", .voltage, required: true, bounds: .between(1, 1000, Show.unit("V")), context: "a supply")
                    if let current, let voltage { limit = current * voltage }
                }
            } else {
                limit = c.quantity("limit", .power, required: true, bounds: .positive(max: 1_000_000, Show.watts), context: "a circuit")
            }
            var heaters: [String]? = []
            if let items = c.array("heaters", required: true, expected: "a list of heater output ids, like [\"hlt_element\", \"kettle_element\"]") {
                if items.isEmpty {
                    c.report("heaters", .value, "the circuit has no heaters", expected: "the heater outputs it feeds, like [\"hlt_element\", \"kettle_element\"]")
                    heaters = nil
                }
                for (index, item) in items.enumerated() {
                    let path = c.path.appending("heaters").appending(index: index)
                    guard case .string(let hid) = item else {
                        c.diagnostics.report(path, .value, "found \(item.typeDescription)", expected: "the id of a heater output, in quotes")
                        heaters = nil
                        continue
                    }
                    guard let output = outputs.valid.first(where: { $0.id == hid }) else {
                        if !outputs.ids.contains(hid) {
                            c.diagnostics.reportUnknown("output", hid, at: path, candidates: outputs.valid.filter { $0.kind == .heater }.map(\.id),
                                                        fallback: "a heater output defined under [outputs]", declared: outputs.ids)
                        }
                        heaters = nil
                        continue
                    }
                    guard output.kind == .heater else {
                        c.diagnostics.report(path, .value, "output `\(hid)` is a \(kindName(output.kind)), not a heater", expected: "a heater output")
                        heaters = nil
                        continue
                    }
                    if let other = onCircuit[hid] {
                        c.diagnostics.report(path, .value, other == id ? "heater `\(hid)` is listed twice" : "heater `\(hid)` is already on circuit `\(other)`",
                                             expected: "each heater on one circuit")
                        heaters = nil
                        continue
                    }
                    onCircuit[hid] = id
                    if let limit, let watts = power[hid], watts > limit {
                        c.diagnostics.report(path, .value, "heater `\(hid)` alone draws \(Show.watts(watts)), more than the circuit's \(Show.watts(limit.rounded()))",
                                             expected: "heaters that each draw at most \(Show.watts(limit.rounded()))")
                        heaters = nil
                        continue
                    }
                    heaters?.append(hid)
                }
            } else {
                heaters = nil
            }
            c.checkKeys(known: circuitKeys, applicable: applicable)
            if let limit, let heaters {
                out.append(RigSpec.Circuit(id: id, limit: Watts(limit), heaters: heaters))
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
        var result = sim
        result.pumpFlow = value("pump_flow", .flow, .nonNegative(max: 1000, Show.plain), d.pumpFlow, context: "a pump's flow")
        result.coolantFlow = value("coolant_flow", .flow, .nonNegative(max: 1000, Show.plain), d.coolantFlow, context: "a condenser's coolant flow")
        s.checkKeys(known: simulationKeys)
        return ok ? result : nil
    }
}

/// Where a reference to another table's entry is written: `key` of a table, or — with `path` — an
/// element of a list under it.
struct ReferenceSite {
    let reader: TableReader
    let key: String
    /// Where the reference is written: the list element, or the key.
    let path: ConfigPath

    init(reader: TableReader, key: String, path: ConfigPath?) {
        self.reader = reader
        self.key = key
        self.path = path ?? reader.path.appending(key)
    }

    func report(_ message: String, expected: String? = nil, suggestion: String? = nil) {
        reader.diagnostics.report(path, .value, message, expected: expected, suggestion: suggestion)
    }

    /// The id written there (`value` for a list element): .some(nil) when the key is absent and
    /// optional, nil once a problem is reported.
    func id(value: ConfigValue?, required: Bool, expected: String) -> String?? {
        if let value {
            guard case .string(let s) = value, !s.allSatisfy(\.isWhitespace) else {
                report("found \(value.typeDescription)", expected: expected + ", in quotes")
                return nil
            }
            return .some(s)
        }
        guard reader.contains(key) || required else { return .some(nil) }
        guard let s = reader.string(key, required: required, expected: expected) else { return nil }
        return .some(s)
    }
}
