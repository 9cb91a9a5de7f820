import BrewConfig
import BrewCore
import Foundation
import XCTest

/// Random and mutated hardware files thrown at the loader with a seeded generator: it never
/// crashes, and it either returns a RigSpec whose references all hold, or errors that point at a
/// line and column inside the file.
final class HardwareFuzzTests: XCTestCase {
    static let rigFiles = ["Hardware/sim.toml", "Hardware/club-brewery.toml", "Hardware/biab.toml", "Hardware/pot-still.toml"]

    /// Values that matter to the hardware language in particular.
    static let values: [String] = [
        "0", "1", "-1", "0x18", "0x1B", "0x1C", "0x48", "0x4B", "0x77", "0xFFFF", "65535", "65536", "247", "248", "1023", "1024",
        "9600", "12345", "115200", "2", "3", "7", "8", "0.1", "-0.001", "1e9", "nan", "inf", "true", "false", "[]", "{}",
        "[{}]", "[\"hlt_element\", \"hlt_element\"]", "[{ name = \"hearts\" }, { name = \"hearts\" }]", "[1, 2]",
        "\"\"", "\"none\"", "\"even\"", "\"odd\"", "\"space\"", "\"/dev/ttyUSB0\"", "\"ttyUSB0\"", "\"192.168.1.50\"", "\"tcp://x/y\"",
        "\"ds2482-100\"", "\"ds2482-800\"", "\"28-3c01d607c2a1\"", "\"28-\"", "\"28FF641E8F1603F2\"", "\"10FF641E8F1603F2\"",
        "\"zz-zzzzzzzzzzzz\"", "\"28--\"", "\"-\"", "\"28-3c01d607c2a1-\"", "\"holding\"", "\"input\"", "\"float32\"", "\"int16\"",
        "\"big\"", "\"little\"", "\"temperature\"", "\"flow\"", "\"gravity\"", "\"level\"", "\"pressure\"", "\"volume\"",
        "\"ntc\"", "\"pt100\"", "\"pt1000\"", "\"10 kΩ\"", "\"0 Ω\"", "\"0.256 V\"", "\"5 V\"", "\"2 L/min\"", "\"90 L/h\"",
        "\"1.012\"", "\"3 °P\"", "\"260 °P\"", "\"1.5 bar\"", "\"32 A\"", "\"230 V\"", "\"22 kW\"", "\"0 W\"", "\"wet\"", "\"dry\"",
        "\"on\"", "\"off\"", "\"closed\"", "\"open\"", "\"heater\"", "\"pump\"", "\"valve\"", "\"variable_speed_pump\"",
        "\"modbus_rtu\"", "\"modbus_tcp\"", "\"onewire\"", "\"i2c\"", "\"gpio\"", "\"mcp9808\"", "\"tmp117\"", "\"ds18b20\"",
        "\"ads1115\"", "\"modbus_register\"", "\"pulse_flow_meter\"", "\"level_switch\"", "\"linux\"", "\"simulated\"",
        "\"kettle_level\"", "\"mash_pump\"", "\"hlt_element\"", "\"rs485\"", "\"i2c\"", "\"ow_cellar\"", "\"kettle_probe\"",
        "{ sensor = \"kettle_level\", is = \"wet\" }", "[{ output = \"mash_pump\", is = \"on\" }]", "[{ sensor = \"x\", above = 1 }]",
        "[{ sensor = \"mash_flow\", above = \"2 L/min\", below = \"1 L/min\" }]", "[{ is = \"wet\" }]",
    ]

    static let keys: [String] = [
        "type", "bus", "address", "line", "rom", "unit", "register", "register_type", "data_type", "word_order", "scale", "offset",
        "quantity", "k_factor", "active_low", "wet_when", "channel", "front_end", "beta", "r25", "series_resistor", "supply",
        "full_scale", "device", "baud", "parity", "stop_bits", "data_bits", "timeout", "retries", "host", "port", "i2c_bus", "part",
        "coil", "max_speed", "pump", "flow_meter", "level_switch", "gravity_sensor", "head_sensor", "distillate_meter",
        "coolant_flow", "receivers", "min_volume", "requires", "output", "sensor", "is", "above", "below", "limit", "current",
        "voltage", "heaters", "interlocks", "circuits", "k_facter", "parity_", "backend",
    ]

    static let headers: [String] = [
        "[[interlocks]]\n", "[[interlocks]]\noutput = \"hlt_element\"\n", "[circuits.x]\n", "[buses.x]\ntype = \"onewire\"\n",
        "[sensors.x]\ntype = \"ds18b20\"\n", "[outputs.x]\ntype = \"variable_speed_pump\"\n", "[[vessels.still.receivers]]\n",
        "[vessels.y]\nrole = \"fermenter\"\n", "[buses.rs485]\n", "[interlocks]\n", "[circuits]\n", "circuits = 1\n",
    ]

    /// Hardware-aware mutations on top of the general ones in FuzzTests: swap the values of two
    /// `key = value` lines, set a key to a hardware value, insert a header, truncate.
    static func mutate(_ text: String, _ rng: inout FuzzRandom) -> String {
        var lines = text.components(separatedBy: "\n")
        func assignments() -> [Int] { lines.indices.filter { lines[$0].contains(" = ") && !lines[$0].hasPrefix("#") } }
        for _ in 0..<(1 + rng.below(3)) {
            switch rng.below(8) {
            case 0:  // swap the values of two assignments
                let a = assignments()
                guard a.count > 1 else { continue }
                let i = rng.pick(a), j = rng.pick(a)
                let pi = lines[i].components(separatedBy: " = "), pj = lines[j].components(separatedBy: " = ")
                lines[i] = pi[0] + " = " + pj.dropFirst().joined(separator: " = ")
                lines[j] = pj[0] + " = " + pi.dropFirst().joined(separator: " = ")
            case 1, 2:  // a hardware value for an existing key
                let a = assignments()
                guard !a.isEmpty else { continue }
                let i = rng.pick(a)
                lines[i] = lines[i].components(separatedBy: " = ")[0] + " = " + rng.pick(values)
            case 3:  // a hardware key, maybe misspelt or out of place
                lines.insert("\(rng.pick(keys)) = \(rng.pick(values))", at: rng.below(lines.count + 1))
            case 4:  // a header
                lines.insert(rng.pick(headers), at: rng.below(lines.count + 1))
            case 5:  // truncate
                lines = Array(lines.prefix(rng.below(lines.count + 1)))
            case 6:  // delete a line
                guard !lines.isEmpty else { continue }
                lines.remove(at: rng.below(lines.count))
            default:  // duplicate a line elsewhere
                guard !lines.isEmpty else { continue }
                lines.insert(lines[rng.below(lines.count)], at: rng.below(lines.count + 1))
            }
        }
        var out = lines.joined(separator: "\n")
        if rng.chance(30) { out = FuzzTests.mutate(out, &rng) }
        return out
    }

    /// What every loaded rig must satisfy: every reference names something of the right kind.
    static func invariants(_ rig: RigSpec) -> String? {
        let sensors = Dictionary(rig.sensors.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let outputs = Dictionary(rig.outputs.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        if sensors.count != rig.sensors.count || outputs.count != rig.outputs.count { return "duplicate ids" }
        if rig.vessels.isEmpty { return "no vessels" }
        if Set(rig.vessels.map(\.role)).count != rig.vessels.count { return "a role twice" }
        for s in rig.sensors where rig.bus(id: s.bus) == nil { return "sensor \(s.id) on a missing bus" }
        for o in rig.outputs where rig.bus(id: o.bus) == nil { return "output \(o.id) on a missing bus" }
        for v in rig.vessels {
            guard sensors[v.temperatureSensor]?.quantity == .temperature else { return "\(v.id): sensor is not a temperature sensor" }
            if let h = v.heater, outputs[h.output]?.kind != .heater { return "\(v.id): heater output is not a heater" }
            if let id = v.levelSwitch, sensors[id]?.part != .levelSwitch { return "\(v.id): level switch" }
            if let id = v.flowMeter, sensors[id]?.quantity != .flow { return "\(v.id): flow meter" }
            if let id = v.gravitySensor, sensors[id]?.quantity != .gravity { return "\(v.id): gravity sensor" }
            if let id = v.headSensor, sensors[id]?.quantity != .temperature { return "\(v.id): head sensor" }
            for r in v.receivers { if let id = r.valve, outputs[id]?.kind != .valve { return "\(v.id): receiver valve" } }
            if let min = v.minVolume, min.value > v.capacity.value { return "\(v.id): min volume above capacity" }
        }
        for i in rig.interlocks {
            guard outputs[i.output] != nil, !i.requires.isEmpty else { return "interlock on \(i.output)" }
            for c in i.requires {
                switch c {
                case .level(let s, _): if sensors[s]?.part != .levelSwitch { return "interlock: \(s) is not a level switch" }
                case .output(let o, _): if outputs[o] == nil || o == i.output { return "interlock: output \(o)" }
                case .above(let s, let v), .below(let s, let v):
                    if sensors[s] == nil || sensors[s]?.part == .levelSwitch || !v.isFinite { return "interlock: threshold on \(s)" }
                }
            }
        }
        for c in rig.circuits {
            if !(c.limit.value > 0) || c.heaters.isEmpty { return "circuit \(c.id)" }
            for h in c.heaters where outputs[h]?.kind != .heater { return "circuit \(c.id): \(h)" }
        }
        if rig.backend == .simulated {
            let simulable: Set<RigSpec.Sensor.Part> = [.mcp9808, .modbusRegister, .levelSwitch, .pulseFlowMeter]
            if rig.sensors.contains(where: { !simulable.contains($0.part) }) { return "simulated rig with a sensor it cannot simulate" }
            for o in rig.outputs { if case .gpio = o.connection {} else { return "simulated rig with a non-GPIO output" } }
        }
        return nil
    }

    func testMutatedRigFilesNeverCrash() throws {
        var rng = FuzzRandom(seed: 0x4A7D_2026)
        var loaded = 0
        var rejected = 0
        for path in Self.rigFiles {
            let original = try Repo.text(path)
            var text = original
            for i in 0..<300 {
                text = Self.mutate(i % 5 == 4 ? text : original, &rng)
                do {
                    let rig = try HardwareLoader.parse(text, file: "fuzz.toml")
                    if let broken = Self.invariants(rig) {
                        XCTFail("\(path): loaded a rig that breaks its own rules (\(broken))\n--- input ---\n\(text)")
                        return
                    }
                    loaded += 1
                } catch {
                    if let problem = FuzzTests.check(error.errors, text: text, file: "fuzz.toml", what: path) {
                        XCTFail("\(problem)\n--- input ---\n\(text)")
                        return
                    }
                    rejected += 1
                }
            }
        }
        print("hardware fuzz: \(loaded) mutants loaded, \(rejected) rejected")
        // Both outcomes must be common, or the mutations test too little.
        XCTAssertGreaterThan(loaded, 20)
        XCTAssertGreaterThan(rejected, 800)
    }

    /// Rig files assembled from random tables of every kind.
    func testRandomRigsNeverCrash() {
        var rng = FuzzRandom(seed: 99)
        let kinds = ["buses", "sensors", "outputs", "vessels", "circuits"]
        for _ in 0..<400 {
            var text = rng.chance(80) ? "name = \"fuzz\"\nbackend = \(rng.pick(["\"linux\"", "\"simulated\"", "1"]))\n" : ""
            for n in 0..<(1 + rng.below(8)) {
                if rng.chance(15) {
                    text += "[[interlocks]]\n"
                } else {
                    text += "[\(rng.pick(kinds)).t\(rng.below(4))\(n % 2 == 0 ? "" : "x")]\n"
                }
                for _ in 0..<rng.below(7) { text += "\(rng.pick(Self.keys)) = \(rng.pick(Self.values))\n" }
            }
            do {
                let rig = try HardwareLoader.parse(text, file: "fuzz.toml")
                if let broken = Self.invariants(rig) { XCTFail("loaded a broken rig (\(broken))\n\(text)") }
            } catch {
                if let problem = FuzzTests.check(error.errors, text: text, file: "fuzz.toml", what: "random rig") {
                    XCTFail("\(problem)\n--- input ---\n\(text)")
                    return
                }
            }
        }
    }

    /// The ROM parser on random strings: never a crash, and whatever it accepts has family 0x28.
    func testROMParserOnRandomText() {
        var rng = FuzzRandom(seed: 0x28)
        let alphabet = Array("0123456789abcdefABCDEF-: xg")
        for _ in 0..<3000 {
            var s = rng.chance(50) ? "28" : ""
            for _ in 0..<rng.below(20) { s.append(rng.pick(alphabet)) }
            let text = "name = \"r\"\nbackend = \"linux\"\n[buses.i2c]\ntype = \"i2c\"\nadapter = 1\n[buses.ow]\ntype = \"onewire\"\ni2c_bus = \"i2c\"\naddress = 0x18\npart = \"ds2482-100\"\n[sensors.p]\ntype = \"ds18b20\"\nbus = \"ow\"\nrom = \"\(s)\"\n[vessels.k]\nrole = \"kettle\"\ncapacity = \"30 L\"\nsensor = \"p\"\n"
            do {
                let rig = try HardwareLoader.parse(text, file: "rom.toml")
                guard case .oneWire(let rom)? = rig.sensor(id: "p")?.connection, rom & 0xFF == 0x28 else {
                    XCTFail("accepted \(s) as a ROM of another family")
                    return
                }
            } catch {
                XCTAssertEqual(error.errors.map(\.key), ["sensors.p.rom"], s)
            }
        }
    }
}
