import BrewCore
import BrewHAL
import BrewRigIO

/// `brewctl hardware check`: every device the hardware file declares, probed through its real
/// driver — found or not, what it reads now, and the error if any. Also what `run` checks on real
/// hardware before it switches anything on.
public enum HardwareCheck {
    public struct Row: Sendable {
        public var id: String
        /// "sensor: mcp9808", "output: heater"
        public var what: String
        /// "i2c 0x18", "rs485 unit 2 reg 100", "gpio line 17"
        public var location: String
        public var found: Bool
        /// The reading with its unit, "on"/"off", or "" when there is none.
        public var value: String
        public var error: String?
        public var ok: Bool { found && error == nil }
    }

    /// What a reading must lie within to be believed on a brew day (the driver has already
    /// refused what the chip cannot send; this catches a probe in the wrong place or unplugged
    /// transmitters reporting 0).
    public static func plausible(_ value: Double, _ quantity: RigSpec.Sensor.Measured) -> Bool {
        switch quantity {
        case .temperature: (-30...130).contains(value)
        case .flow: (0...500).contains(value)
        case .volume: (0...10_000).contains(value)
        case .gravity: (0.95...1.2).contains(value)
        case .level: value == 0 || value == 1
        case .pressure: (-1...10).contains(value)
        }
    }

    /// Opens every sensor in `ids` (all when nil), waits `settle` for conversions that need time
    /// (a DS18B20's first reading), then reads each once. `sleep` is injected so tests run instantly.
    public static func sensors(of rig: RigSpec, ids: Set<String>? = nil, using sensors: RigSensors,
                               settle: Seconds = Seconds(0.8), sleep: (Seconds) -> Void) -> [Row] {
        var opened: [(RigSpec.Sensor, Result<RigSensor, BusError>)] = []
        for spec in rig.sensors where ids?.contains(spec.id) ?? true {
            do throws(BusError) { opened.append((spec, .success(try sensors.open(spec)))) } catch { opened.append((spec, .failure(error))) }
        }
        if opened.contains(where: { $0.0.part == .ds18b20 || $0.0.part == .pulseFlowMeter }) { sleep(settle) }
        return opened.map { spec, result in
            var row = Row(id: spec.id, what: "sensor: \(spec.part.rawValue)", location: location(spec), found: false, value: "", error: nil)
            switch result {
            case .failure(let error):
                row.error = error.description
                row.found = answered(despite: error)
            case .success(let sensor):
                row.found = true
                do throws(BusError) {
                    let v = try sensor.read()
                    row.value = format(v, spec.quantity) + (sensor.unit.isEmpty ? "" : " " + sensor.unit)
                    if !plausible(v, spec.quantity) { row.error = "implausible \(spec.quantity.rawValue) reading" }
                } catch {
                    row.error = error.description
                    row.found = answered(despite: error)
                }
            }
            return row
        }
    }

    /// Every interlock the outputs obey — the file's own and the protections brewctl implies — in
    /// words, one line each, for `brewctl hardware check` and the wiring member.
    public static func protections(of rig: RigSpec) -> [String] {
        rig.effectiveInterlocks.map { il in
            let conditions = il.requires.map { c -> String in
                switch c {
                case .output(let id, let on): "\(id) is \(on ? "on" : "off")"
                case .level(let s, let wet): "\(s) reads \(wet ? "wet" : "dry")"
                case .above(let s, let v): "\(s) reads more than \(Format.fixed(v, 2))\(unit(rig, s))"
                case .below(let s, let v): "\(s) reads less than \(Format.fixed(v, 2))\(unit(rig, s))"
                }
            }.joined(separator: " and ")
            let how: String
            switch il.action {
            case .hold:
                how = "runs only while \(conditions)" + (il.grace.value > 0 ? " (alarm after \(Format.duration(il.grace)) held off)" : "")
            case .trip:
                how = "is stopped until acknowledged unless \(conditions) once it has run \(Format.duration(il.grace))"
            }
            let why = il.reason ?? il.name
            return "\(il.output) \(how)" + (why.map { " — \($0)" } ?? "") + (il.implied ? " [implied]" : "")
        }
    }

    private static func unit(_ rig: RigSpec, _ sensor: String) -> String {
        let unit = rig.sensor(id: sensor)?.quantity.unit ?? ""
        return unit.isEmpty ? "" : " " + unit
    }

    /// Whether a device that failed was there all the same (it answered, but wrongly: a bad ID,
    /// a CRC, an exception) rather than silent or unreachable.
    static func answered(despite error: BusError) -> Bool {
        ![.noDevice, .timeout, .io].contains(error.kind)
    }

    static func format(_ v: Double, _ q: RigSpec.Sensor.Measured) -> String {
        switch q {
        case .level: v == 1 ? "wet" : "dry"
        case .gravity: Format.fixed(v, 3)
        case .temperature: Format.fixed(v, 2)
        default: Format.fixed(v, 1)
        }
    }

    public static func location(_ spec: RigSpec.Sensor) -> String {
        switch spec.connection {
        case .i2c(let a): "\(spec.bus) 0x\(hex(a))"
        case .oneWire(let rom): "\(spec.bus) \(OneWireROM(rom))"
        case .analog(let a, let c, _, _): "\(spec.bus) 0x\(hex(a)) AIN\(c)"
        case .modbus(let p): "\(spec.bus) unit \(p.unit) \(p.registerType.rawValue) \(p.register)"
        case .pulses(let line, _), .levelSwitch(let line, _, _): "\(spec.bus) line \(line)"
        }
    }

    public static func location(_ output: RigSpec.Output) -> String {
        switch output.connection {
        case .gpio(let line, let low): "\(output.bus) line \(line)\(low ? " (active low)" : "")"
        case .modbusCoil(let unit, let coil): "\(output.bus) unit \(unit) coil \(coil)"
        case .modbusSpeed(let unit, let register, _, _): "\(output.bus) unit \(unit) register \(register)"
        }
    }

    /// Opens every output at its safe state: proves the line or coil is there and can be driven,
    /// and leaves it off.
    public static func outputs(of rig: RigSpec, using outputs: RigOutputs) -> [Row] {
        rig.outputs.map { output in
            var row = Row(id: output.id, what: "output: \(output.kind.rawValue)", location: location(output), found: true, value: "off", error: nil)
            do throws(BusError) { try outputs.set(output.id, on: false) } catch {
                row.found = answered(despite: error)
                row.value = ""
                row.error = error.description
            }
            return row
        }
    }

    /// The rows as a table for the terminal.
    public static func table(_ rows: [Row]) -> String {
        let header = ["device", "kind", "where", "found", "value", "error"]
        let cells = rows.map { [$0.id, $0.what, $0.location, $0.found ? "yes" : "NO", $0.value, $0.error ?? ""] }
        let widths = header.indices.map { i in ([header[i]] + cells.map { $0[i] }).map(\.count).max() ?? 0 }
        func line(_ c: [String]) -> String {
            c.enumerated().map { i, s in i == c.count - 1 ? s : s.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n")
    }

    private static func hex(_ v: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return s.count < 2 ? "0" + s : s
    }
}
