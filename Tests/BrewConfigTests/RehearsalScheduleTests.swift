import BrewConfig
import BrewCore
import Foundation
import XCTest

/// `[[simulation.faults]]` in a hardware file and `--fault` on the command line: what they stage,
/// and every mistake placed at its key with what was expected.
final class RehearsalScheduleTests: XCTestCase {
    var sim = ""

    override func setUpWithError() throws {
        sim = try Repo.text("Hardware/sim.toml")
    }

    func rig(_ faults: String) throws -> RigSpec { try HardwareLoader.parse(sim + "\n" + faults, file: "rig.toml") }

    func only(_ faults: String, line: UInt = #line) -> (error: ConfigError, text: String)? {
        let text = sim + "\n" + faults
        let errors = hardwareErrors(text, line: line)
        XCTAssertEqual(errors.count, 1, "\(errors)", line: line)
        return errors.first.map { ($0, text) }
    }

    func testEveryKindIsReadWithItsTimeTargetAndOrigin() throws {
        let r = try rig("""
        [[simulation.faults]]
        at = "1h 20min"
        vessel = "hlt"
        fault = "dead_element"

        [[simulation.faults]]
        at = "30 min"
        sensor = "mash_probe"
        fault = "probe_stuck"
        value = "65 C"
        for = "5 min"

        [[simulation.faults]]
        at = "40 min"
        bus = "i2c"
        fault = "i2c_nack"
        for = "30s"

        [[simulation.faults]]
        at = "2 h"
        output = "mash_pump"
        fault = "pump_dry"

        [[simulation.faults]]
        at = "10 min"
        vessel = "kettle"
        fault = "probe_spikes"
        by = "8 K"
        every = "30 s"

        [[simulation.faults]]
        at = "0 s"
        sensor = "kettle_probe"
        fault = "probe_lost"
        """)
        XCTAssertEqual(r.rehearsals.map(\.kind), [.deadElement, .probeStuck, .i2cNack, .pumpDry, .probeSpikes, .probeLost])
        XCTAssertEqual(r.rehearsals.map(\.at.value), [4800, 1800, 2400, 7200, 600, 0])
        XCTAssertEqual(r.rehearsals.map(\.target), [.vessel("hlt"), .sensor("mash_probe"), .bus("i2c"), .output("mash_pump"), .vessel("kettle"), .sensor("kettle_probe")])
        XCTAssertEqual(r.rehearsals[1].value, Celsius(65))
        XCTAssertEqual(r.rehearsals[1].lasting, Seconds(300))
        XCTAssertEqual(r.rehearsals[2].lasting, Seconds(30))
        XCTAssertEqual(r.rehearsals[4].spike, Kelvin(8))
        XCTAssertEqual(r.rehearsals[4].every, Seconds(30))
        let sep = sim.filter { $0 == "\n" }.count + 2   // the line of the first [[simulation.faults]]
        XCTAssertEqual(r.rehearsals[0].origin, "rig.toml:\(sep)")
        XCTAssertEqual(try r.effects(of: r.rehearsals[0]), [.deadElement(vessel: 0)])
        XCTAssertEqual(try r.effects(of: r.rehearsals[2]), [.i2cSilent(bus: "i2c", addresses: nil)])
        XCTAssertEqual(try r.effects(of: r.rehearsals[3]), [.pumpDry(vessel: 1)])
        XCTAssertEqual(try r.effects(of: r.rehearsals[5]), [.i2cSilent(bus: "i2c", addresses: [0x1A])])
        XCTAssertTrue(try HardwareLoader.parse(sim, file: "rig.toml").rehearsals.isEmpty, "no faults unless staged")
    }

    func testAnUnknownVesselIsPlacedAtItsValueWithTheRigsVessels() throws {
        let e = try XCTUnwrap(only("""
        [[simulation.faults]]
        at = "1 h"
        vessel = "hlt2"
        fault = "dead_element"
        """))
        XCTAssertEqual(e.error.key, "simulation.faults[0].vessel")
        XCTAssertEqual(e.error.message, "there is no vessel `hlt2`")
        XCTAssertEqual(e.error.expected, "one of `hlt`, `mash_tun`, `kettle`")
        let at = position(of: "\"hlt2\"", in: e.text)
        XCTAssertEqual([e.error.line, e.error.column], [at.line, at.column])
        XCTAssertTrue(e.error.description.hasPrefix("rig.toml:\(at.line):\(at.column): error: "), e.error.description)
    }

    func testAnUnknownSensorAndBus() throws {
        let s = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nsensor = \"hlt_prob\"\nfault = \"probe_lost\"\n"))
        XCTAssertEqual(s.error.message, "there is no sensor `hlt_prob`")
        XCTAssertEqual(s.error.line, position(of: "\"hlt_prob\"", in: s.text).line)
        let b = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nbus = \"gpio\"\nfault = \"i2c_nack\"\ncount = 3\n"))
        XCTAssertEqual(b.error.message, "bus `gpio` is not an I2C bus")
        XCTAssertEqual(b.error.expected, "one of `i2c`")
    }

    func testAFaultThatDoesNotFitWhatItNames() throws {
        let pump = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nvessel = \"hlt\"\nfault = \"pump_dry\"\n"))
        XCTAssertEqual(pump.error.message, "vessel `hlt` has no pump")
        let heater = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\noutput = \"mash_pump\"\nfault = \"welded_ssr\"\n"))
        XCTAssertEqual(heater.error.message, "output `mash_pump` is no vessel's heater")
        XCTAssertEqual(heater.error.expected, "one of `hlt_element`, `rims_element`, `kettle_element`")
        let bus = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nbus = \"i2c\"\nfault = \"dead_element\"\n"))
        XCTAssertEqual(bus.error.message, "dead_element acts on a heater, not on a bus")
        let coolant = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nvessel = \"kettle\"\nfault = \"coolant_lost\"\n"))
        XCTAssertEqual(coolant.error.message, "vessel `kettle` has no `coolant_flow` sensor")
        let flow = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nsensor = \"mash_flow\"\nfault = \"probe_lost\"\n"))
        XCTAssertEqual(flow.error.message, "sensor `mash_flow` (pulse_flow_meter) cannot stop answering in the simulated brewery")
    }

    func testTheFaultsOwnKeysAreChecked() throws {
        let kind = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nvessel = \"hlt\"\nfault = \"dead_elemnt\"\n"))
        XCTAssertEqual(kind.error.key, "simulation.faults[0].fault")
        XCTAssertEqual(kind.error.message, "unknown fault \"dead_elemnt\"")
        XCTAssertEqual(kind.error.suggestion, "did you mean `dead_element`?")

        let at = try XCTUnwrap(only("[[simulation.faults]]\nvessel = \"hlt\"\nfault = \"dead_element\"\n"))
        XCTAssertEqual(at.error.message, "missing required key `at` in a staged fault")

        let unit = try XCTUnwrap(only("[[simulation.faults]]\nat = 80\nvessel = \"hlt\"\nfault = \"dead_element\"\n"))
        XCTAssertEqual(unit.error.key, "simulation.faults[0].at")
        XCTAssertEqual(unit.error.message, "80 has no unit")

        let two = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nvessel = \"hlt\"\nsensor = \"hlt_probe\"\nfault = \"probe_lost\"\n"))
        XCTAssertEqual(two.error.message, "a fault is staged on one thing: `vessel` and `sensor` are both given")
        XCTAssertEqual(two.error.line, position(of: "sensor = \"hlt_probe\"", in: two.text, after: "[[simulation.faults]]").line)

        let none = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nfault = \"probe_lost\"\n"))
        XCTAssertEqual(none.error.message, "a staged fault needs what it happens to")

        let value = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nvessel = \"hlt\"\nfault = \"dead_element\"\nvalue = 65\n"))
        XCTAssertEqual(value.error.message, "`value` does not apply to a staged fault")
        XCTAssertEqual(value.error.line, position(of: "value = 65", in: value.text, after: "[[simulation.faults]]").line)
        XCTAssertEqual(value.error.column, 1)

        let burst = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nbus = \"i2c\"\nfault = \"i2c_nack\"\n"))
        XCTAssertEqual(burst.error.message, "i2c_nack needs how long it lasts")
        XCTAssertEqual(burst.error.expected, "count = 3 (the next 3 requests fail) or for = \"30 s\"")

        let both = try XCTUnwrap(only("[[simulation.faults]]\nat = \"1 h\"\nbus = \"i2c\"\nfault = \"i2c_nack\"\ncount = 2\nfor = \"1 min\"\n"))
        XCTAssertEqual(both.error.message, "i2c_nack takes `count` or `for`, not both")

        let list = try XCTUnwrap(only("[simulation]\nfaults = [\"hlt\"]\n"))
        XCTAssertEqual(list.error.message, "found a string")
    }

    func testARealRigTakesNoFaults() throws {
        let text = sim.replacingOccurrences(of: "backend = \"simulated\"", with: "backend = \"linux\"")
            + "\n[[simulation.faults]]\nat = \"1 h\"\nvessel = \"hlt\"\nfault = \"dead_element\"\n"
        let errors = hardwareErrors(text)
        let e = try XCTUnwrap(errors.first { $0.key == "simulation" }, "\(errors)")
        XCTAssertEqual(e.message, "a [simulation] table stages faults on the simulated brewery; this rig has backend = \"linux\"")
        XCTAssertEqual(e.line, position(of: "[[simulation.faults]]", in: text).line)
    }

    // MARK: --fault

    func testTheCommandLineFormResolvesAgainstTheRig() throws {
        let r = try HardwareLoader.parse(sim, file: "rig.toml")
        let dead = try FaultOption("hlt:dead_element@1h20min").resolve(on: r)
        XCTAssertEqual(dead.kind, .deadElement)
        XCTAssertEqual(dead.target, .vessel("hlt"))
        XCTAssertEqual(dead.at, Seconds(4800))
        XCTAssertEqual(dead.origin, "--fault hlt:dead_element@1h20min")
        let nack = try FaultOption("bus:i2c:i2c_nack@40min,for=30s").resolve(on: r)
        XCTAssertEqual(nack.target, .bus("i2c"))
        XCTAssertEqual(nack.lasting, Seconds(30))
        let stuck = try FaultOption("mash_probe:probe_stuck@1h, value=65C").resolve(on: r)
        XCTAssertEqual(stuck.value, Celsius(65))
        XCTAssertEqual(stuck.target, .sensor("mash_probe"))
        XCTAssertEqual(try FaultOption("mash_pump:pump_dry@0s").resolve(on: r).target, .output("mash_pump"))
    }

    func testCommandLineMistakesSayTheAcceptedForm() {
        for (text, why) in [("hlt:dead_element", "no @TIME"), ("hlt@1h", "expected NAME:FAULT before @"),
                            ("hlt:dead_elemnt@1h", "unknown fault `dead_elemnt` (did you mean dead_element?)"),
                            ("hlt:dead_element@soon", "the time after @: \"soon\" is not a duration"),
                            ("hlt:dead_element@80", "the time after @: \"80\" has no unit"),
                            ("hlt:dead_element@1h,value=65", "dead_element takes for=, not `value`"),
                            ("i2c:i2c_nack@1h", "i2c_nack needs how long it lasts"),
                            ("i2c:i2c_nack@1h,count=0", "count=0 is not a whole number from 1 to 10000"),
                            ("tank:hlt:dead_element@1h", "`tank` is not vessel, sensor, output or bus")] {
            XCTAssertThrowsError(try FaultOption(text), text) { error in
                let message = (error as? FaultOption.Problem)?.description ?? "\(error)"
                XCTAssertTrue(message.hasPrefix("--fault '\(text)': \(why)"), message)
                XCTAssertTrue(message.contains(FaultOption.form), message)
            }
        }
    }

    func testCommandLineNamesTheRigDoesNotHave() throws {
        let r = try HardwareLoader.parse(sim, file: "rig.toml")
        XCTAssertThrowsError(try FaultOption("hlt2:dead_element@1h").resolve(on: r)) { error in
            XCTAssertEqual("\(error)", "--fault 'hlt2:dead_element@1h': the rig Simulated club brewery has no vessel, sensor, output or bus `hlt2` — did you mean `hlt`? (vessels: hlt, mash_tun, kettle)")
        }
        XCTAssertThrowsError(try FaultOption("mash_pump:dead_element@1h").resolve(on: r)) { error in
            XCTAssertEqual("\(error)", "--fault 'mash_pump:dead_element@1h': output `mash_pump` is no vessel's heater; expected one of `hlt_element`, `rims_element`, `kettle_element`")
        }
        XCTAssertThrowsError(try FaultOption("sensor:hlt:probe_lost@1h").resolve(on: r)) { error in
            XCTAssertTrue("\(error)".contains("has no sensor `hlt`"), "\(error)")
        }
    }
}
