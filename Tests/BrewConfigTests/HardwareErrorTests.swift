import BrewConfig
import BrewCore
import Foundation
import XCTest

/// Mistakes in a hardware file, mostly made by editing the shipped sim.toml.
final class HardwareErrorTests: XCTestCase {
    var sim = ""

    override func setUpWithError() throws {
        sim = try Repo.text("Hardware/sim.toml")
    }

    /// sim.toml with `old` replaced by `new` (which must be there).
    func edited(_ old: String, _ new: String, line: UInt = #line) -> String {
        XCTAssertTrue(sim.contains(old), "sim.toml has no \(old)", line: line)
        return sim.replacingOccurrences(of: old, with: new)
    }

    /// sim.toml with the first `old` after the header `table` replaced by `new`.
    func edited(in table: String, _ old: String, _ new: String, line: UInt = #line) -> String {
        guard let header = sim.range(of: table), let r = sim.range(of: old, range: header.upperBound..<sim.endIndex) else {
            XCTFail("sim.toml has no \(old) after \(table)", line: line)
            return sim
        }
        return sim.replacingCharacters(in: r, with: new)
    }

    func only(_ errors: [ConfigError], line: UInt = #line) -> ConfigError? {
        XCTAssertEqual(errors.count, 1, "\(errors)", line: line)
        return errors.first
    }

    func testPowerWhereATemperatureBelongs() {
        let text = edited("power = \"9000 W\"", "power = \"9000 C\"")
        let e = only(hardwareErrors(text, file: "Hardware/sim.toml"))
        XCTAssertEqual(e?.key, "vessels.kettle.heater.power")
        let at = position(of: "\"9000 C\"", in: text)
        XCTAssertEqual(e.map { [$0.line, $0.column] }, [at.line, at.column])
        XCTAssertEqual(e?.message, "\"9000 C\" is a temperature (`C`), not a power")
        XCTAssertEqual(e?.expected, "a power like \"5500 W\" or \"5.5 kW\"")
        XCTAssertEqual(e?.description.hasPrefix("Hardware/sim.toml:\(at.line):9: error: vessels.kettle.heater.power: "), true)
    }

    func testUnknownKeysWithDidYouMean() {
        let text = edited("heater_efficiency = 0.97", "heater_efficency = 0.97")
        let e = only(hardwareErrors(text))
        XCTAssertEqual(e?.key, "vessels.mash_tun.simulation.heater_efficency")
        XCTAssertEqual(e?.suggestion, "did you mean `heater_efficiency`?")
        XCTAssertEqual(e?.line, position(of: "heater_efficency", in: text).line)
        XCTAssertEqual(e?.column, 1)

        let pid = only(hardwareErrors(edited(in: "[vessels.mash_tun.heater]", "td = ", "tdd = ")))
        XCTAssertEqual(pid?.key, "vessels.mash_tun.heater.pid.tdd")
        XCTAssertEqual(pid?.suggestion, "did you mean `td`?")
        XCTAssertEqual(pid?.column, position(of: "td = ", in: sim, after: "[vessels.mash_tun.heater]").column)

        let top = only(hardwareErrors(edited("[site]", "[sites]")))
        XCTAssertEqual(top?.key, "sites")
        XCTAssertEqual(top?.suggestion, "did you mean `site`?")
    }

    func testMissingRequiredKeysPointAtTheTableHeader() {
        let text = edited("[vessels.kettle.heater]\noutput = \"kettle_element\"\npower = \"9000 W\"\n", "[vessels.kettle.heater]\n")
        let errors = hardwareErrors(text)
        XCTAssertEqual(errors.map(\.key), ["vessels.kettle.heater.output", "vessels.kettle.heater.power"])
        let header = position(of: "[vessels.kettle.heater]", in: text)
        XCTAssertEqual(errors.map(\.line), [header.line, header.line])
        XCTAssertEqual(errors.map(\.column), [1, 1])
        XCTAssertEqual(errors.first?.message, "missing required key `output` in the heater of vessel `kettle`")

        let pid = only(hardwareErrors(edited(in: "[vessels.kettle.heater]", "kp = 60, ", "")))
        XCTAssertEqual(pid?.key, "vessels.kettle.heater.pid.kp")
        XCTAssertEqual(pid?.column, 7)  // the `{`
    }

    func testEnumeratedWords() {
        XCTAssertEqual(only(hardwareErrors(edited("backend = \"simulated\"", "backend = \"simulted\"")))?.suggestion, "did you mean `simulated`?")
        let bus = only(hardwareErrors(edited("type = \"i2c\"", "type = \"i2\"")))
        XCTAssertEqual(bus?.key, "buses.i2c.type")
        XCTAssertEqual(bus?.suggestion, "did you mean `i2c`?")
        let sensor = hardwareErrors(edited("type = \"mcp9808\"\nbus = \"i2c\"\naddress = 0x18", "type = \"mcp9809\"\nbus = \"i2c\"\naddress = 0x18"))
        XCTAssertEqual(sensor.first?.key, "sensors.hlt_probe.type")
        XCTAssertEqual(sensor.first?.suggestion, "did you mean `mcp9808`?")
        let output = only(hardwareErrors(edited("type = \"pump\"", "type = \"pmup\"")))
        XCTAssertEqual(output?.key, "outputs.mash_pump.type")
        XCTAssertEqual(output?.suggestion, "did you mean `pump`?")
        XCTAssertEqual(output?.expected, "one of `heater`, `pump`, `valve`, `variable_speed_pump` or `bus_reset`")
        let role = only(hardwareErrors(edited("role = \"kettle\"", "role = \"kettel\"")))
        XCTAssertEqual(role?.key, "vessels.kettle.role")
        XCTAssertEqual(role?.suggestion, "did you mean `kettle`?")
    }

    func testReferencesBetweenTables() {
        let sensor = only(hardwareErrors(edited("sensor = \"kettle_probe\"", "sensor = \"kettle_prob\"")))
        XCTAssertEqual(sensor?.key, "vessels.kettle.sensor")
        XCTAssertEqual(sensor?.message, "there is no sensor `kettle_prob`")
        XCTAssertEqual(sensor?.suggestion, "did you mean `kettle_probe`?")

        let kind = only(hardwareErrors(edited(in: "[vessels.mash_tun.heater]", "output = \"rims_element\"", "output = \"mash_pump\"")))
        XCTAssertEqual(kind?.key, "vessels.mash_tun.heater.output")
        XCTAssertEqual(kind?.message, "output `mash_pump` is a pump, not a heater")

        let shared = hardwareErrors(edited("output = \"rims_element\"", "output = \"hlt_element\""))
        XCTAssertEqual(shared.first?.message, "output `hlt_element` is already used by vessel `hlt`")

        let bus = only(hardwareErrors(edited("bus = \"gpio\"\nline = 22", "bus = \"i2c\"\nline = 22")))
        XCTAssertEqual(bus?.key, "outputs.mash_pump.bus")
        XCTAssertEqual(bus?.message, "bus `i2c` is an I2C bus, but an output is switched by a GPIO line or a Modbus coil")

        let noBus = only(hardwareErrors(edited("bus = \"i2c\"\naddress = 0x19", "bus = \"i2c1\"\naddress = 0x19")))
        XCTAssertEqual(noBus?.message, "there is no bus `i2c1`")
        XCTAssertEqual(noBus?.suggestion, "did you mean `i2c`?")

        let role = only(hardwareErrors(edited("role = \"kettle\"", "role = \"hlt\"")))
        XCTAssertEqual(role?.message, "vessel `hlt` is already the hlt")

        let address = only(hardwareErrors(edited("address = 0x19", "address = 0x18")))
        XCTAssertEqual(address?.key, "sensors.mash_probe.address")
        XCTAssertEqual(address?.message, "sensor `hlt_probe` already uses address 0x18 on bus `i2c`")

        let range = only(hardwareErrors(edited("address = 0x19", "address = 0x40")))
        XCTAssertEqual(range?.message, "0x40 is out of range")
        XCTAssertEqual(range?.expected, "an MCP9808's I2C address from 0x18 to 0x1F")

        let line = only(hardwareErrors(edited("line = 24", "line = 23")))
        XCTAssertEqual(line?.key, "outputs.chiller_valve.line")
        XCTAssertEqual(line?.message, "output `kettle_element` already uses line 23 on bus `gpio`")

        let sensorTwice = only(hardwareErrors(edited("sensor = \"kettle_probe\"", "sensor = \"mash_probe\"")))
        XCTAssertEqual(sensorTwice?.message, "sensor `mash_probe` already measures vessel `mash_tun`")
    }

    func testTimingAndRangeChecks() {
        let stale = only(hardwareErrors(edited("stale_after = \"5 s\"", "stale_after = \"1 s\"")))
        XCTAssertEqual(stale?.key, "control.stale_after")
        // A tick longer than the heaters' 2 s windows: each window is reported.
        let windows = hardwareErrors(edited("tick = \"100 ms\"", "tick = \"5 s\"").replacingOccurrences(of: "sample_period = \"1 s\"", with: "sample_period = \"5 s\"")
            .replacingOccurrences(of: "stale_after = \"5 s\"", with: "stale_after = \"20 s\""))
        XCTAssertEqual(windows.map(\.key), ["vessels.hlt.heater.window", "vessels.mash_tun.heater.window", "vessels.kettle.heater.window"])
        XCTAssertEqual(windows.first?.message, "the window (2 s) is shorter than the control tick (5 s)")

        XCTAssertEqual(only(hardwareErrors(edited("altitude = \"120 m\"", "altitude = \"9000 m\"")))?.message, "\"9000 m\" is too high")
        XCTAssertEqual(only(hardwareErrors(edited(in: "[vessels.kettle.simulation]", "heater_efficiency = 0.98", "heater_efficiency = 1.5")))?.key,
                       "vessels.kettle.simulation.heater_efficiency")
        XCTAssertEqual(only(hardwareErrors(edited("boil_power = \"65 %\"", "boil_power = \"165 %\"")))?.expected,
                       "a percentage from 1 % to 100 %")
        XCTAssertEqual(only(hardwareErrors(edited("capacity = \"120 L\"", "capacity = \"-120 L\"")))?.key, "vessels.kettle.capacity")
        XCTAssertEqual(only(hardwareErrors(edited("seed = 2026", "seed = -1")))?.key, "seed")
        XCTAssertEqual(only(hardwareErrors(edited("sensor_lag = \"8 s\"", "sensor_lag = 8")))?.message, "8 has no unit")
        XCTAssertEqual(only(hardwareErrors(edited(in: "[vessels.hlt.heater]", "ti = \"", "ti = \"-")))?.key, "vessels.hlt.heater.pid.ti")
    }

    func testManyProblemsAtOnce() {
        var text = sim
        for (old, new) in [("altitude = \"120 m\"", "altitude = \"120 min\""), ("tick = \"100 ms\"", "tick = \"100\""),
                           ("address = 0x19", "address = 0x40"), ("power = \"9000 W\"", "power = \"9 kJ\""),
                           ("role = \"kettle\"", "role = \"kettel\""), ("heat_loss = \"3 W/K\"", "heat_los = \"3 W/K\"")] {
            XCTAssertTrue(text.contains(old))
            text = text.replacingOccurrences(of: old, with: new)
        }
        let errors = hardwareErrors(text)
        XCTAssertEqual(errors.map(\.key), ["site.altitude", "control.tick", "sensors.mash_probe.address", "vessels.mash_tun.simulation.heat_los",
                                           "vessels.kettle.role", "vessels.kettle.heater.power"])
        XCTAssertEqual(errors.map(\.line), errors.map(\.line).sorted())
    }

    func testMinimalRigAndEmptyFile() throws {
        let minimal = """
        name = "Kettle only"
        [buses.i2c]
        type = "i2c"
        adapter = 1
        [sensors.probe]
        type = "mcp9808"
        bus = "i2c"
        address = 0x18
        [vessels."big pot"]
        role = "kettle"
        capacity = "30 L"
        sensor = "probe"
        """
        let rig = try HardwareLoader.parse(minimal, file: "min.toml")
        XCTAssertEqual(rig.vessels.map(\.id), ["big pot"])
        let vessel = try XCTUnwrap(rig.vessels.first)
        XCTAssertNil(vessel.heater)
        XCTAssertNil(vessel.simulation)
        XCTAssertEqual(vessel.maxTemperature, Celsius(105))
        XCTAssertEqual(rig.control, RigSpec.ControlTiming())
        XCTAssertEqual(rig.site, RigSpec.Site())
        XCTAssertEqual(rig.source, "min.toml")

        let quoted = only(hardwareErrors(minimal.replacingOccurrences(of: "capacity = \"30 L\"", with: "capacity = \"30 kg\"")))
        XCTAssertEqual(quoted?.key, "vessels.\"big pot\".capacity")

        XCTAssertEqual(hardwareErrors("").map(\.key), ["name", "vessels"])
        XCTAssertEqual(hardwareErrors("name = \"x\"\n[vessels]\n").first?.message, "the rig has no vessels")
    }

    func testARecipeIsNotARig() throws {
        let errors = hardwareErrors(try Repo.text("Recipes/ipa.toml"), file: "Recipes/ipa.toml")
        XCTAssertEqual(errors.first?.key, "vessels")
        XCTAssertTrue(errors.contains { $0.key == "steps" && $0.message == "unknown key `steps` in the hardware file" })
    }

    func testUnreadableHardwareFile() {
        do {
            _ = try HardwareLoader.load(path: "/nonexistent/sim.toml")
            XCTFail("loaded a missing file")
        } catch {
            XCTAssertTrue(error.errors.contains { $0.isUnreadable })
            XCTAssertEqual(error.description, "/nonexistent/sim.toml: error: no such file")
        }
    }
}

final class ToolConfigTests: XCTestCase {
    func testHardwarePathIsTakenFromTheConfigFolder() throws {
        XCTAssertEqual(try ToolConfig.parse("hardware = \"rigs/club.toml\"\n", file: "/etc/brewctl/config.toml").hardware,
                       "/etc/brewctl/rigs/club.toml")
        XCTAssertEqual(try ToolConfig.parse("hardware = \"/srv/rig.toml\"\n", file: "/etc/brewctl/config.toml").hardware, "/srv/rig.toml")
        XCTAssertEqual(try ToolConfig.parse("hardware = \"rig.toml\"\n", file: "config.toml").hardware, "rig.toml")
        XCTAssertNil(try ToolConfig.parse("# nothing configured\n", file: "config.toml").hardware)
    }

    func testUnknownKeyInTheConfig() {
        do {
            _ = try ToolConfig.parse("\n  hardwre = \"x.toml\"\n", file: "config.toml")
            XCTFail("accepted a misspelt key")
        } catch {
            XCTAssertEqual(error.errors.first?.key, "hardwre")
            XCTAssertEqual(error.errors.first.map { [$0.line, $0.column] }, [2, 3])
            XCTAssertEqual(error.errors.first?.suggestion, "did you mean `hardware`?")
        }
    }

    func testFindReadsTheFirstExistingConfig() throws {
        let dir = NSTemporaryDirectory() + "brewconfig-tool-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/brewctl", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "hardware = \"rig.toml\"\n".write(toFile: dir + "/brewctl/config.toml", atomically: true, encoding: .utf8)
        let config = try ToolConfig.find(environment: ["XDG_CONFIG_HOME": dir])
        XCTAssertEqual(config?.hardware, dir + "/brewctl/rig.toml")
        XCTAssertEqual(config?.source, dir + "/brewctl/config.toml")
    }
}
