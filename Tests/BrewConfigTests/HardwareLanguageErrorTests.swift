import BrewConfig
import BrewCore
import Foundation
import XCTest

/// Mistakes in the new parts of the hardware language (buses, sensors, outputs, attachments,
/// interlocks, circuits), made by editing the shipped Hardware/club-brewery.toml and
/// Hardware/pot-still.toml: each is reported at the right line and column with what was expected.
final class HardwareLanguageErrorTests: XCTestCase {
    var club = ""
    var still = ""

    override func setUpWithError() throws {
        club = try Repo.text("Hardware/club-brewery.toml")
        still = try Repo.text("Hardware/pot-still.toml")
    }

    /// `text` with the first `old` (after `after`, if given) replaced by `new`.
    func edit(_ text: String, _ old: String, _ new: String, after: String? = nil, line: UInt = #line) -> String {
        var search = text.startIndex..<text.endIndex
        if let after {
            guard let a = text.range(of: after) else {
                XCTFail("no \(after)", line: line)
                return text
            }
            search = a.upperBound..<text.endIndex
        }
        guard let r = text.range(of: old, range: search) else {
            XCTFail("no \(old)", line: line)
            return text
        }
        return text.replacingCharacters(in: r, with: new)
    }

    /// The single error of `text`, checked to be at `needle` (after `after`).
    func single(_ text: String, at needle: String, after: String? = nil, key: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        let errors = hardwareErrors(text, line: line)
        XCTAssertEqual(errors.count, 1, "\(errors)", file: file, line: line)
        guard let e = errors.first else { return nil }
        let at = position(of: needle, in: text, after: after, file: file, line: line)
        XCTAssertEqual([e.line, e.column], [at.line, at.column], "\(e)", file: file, line: line)
        XCTAssertEqual(e.key, key, file: file, line: line)
        XCTAssertTrue(e.description.hasPrefix("rig.toml:\(at.line):\(at.column): error: \(key): "), e.description, file: file, line: line)
        return e
    }

    // MARK: Buses

    func testSerialLineSettings() {
        let parity = single(edit(club, "parity = \"even\"", "parity = \"space\""), at: "\"space\"", key: "buses.rs485.parity")
        XCTAssertEqual(parity?.message, "unknown parity \"space\"")
        XCTAssertEqual(parity?.expected, "one of `none`, `even` or `odd`")

        let baud = single(edit(club, "baud = 9600", "baud = 12345"), at: "12345", key: "buses.rs485.baud")
        XCTAssertEqual(baud?.message, "12345 is not a standard baud rate")
        XCTAssertEqual(baud?.expected, "one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200")
        XCTAssertEqual(baud?.suggestion, "did you mean 9600?")
        XCTAssertEqual(single(edit(club, "baud = 9600", "baud = 100000"), at: "100000", key: "buses.rs485.baud")?.suggestion,
                       "did you mean 115200?")

        let stop = single(edit(club, "stop_bits = 1", "stop_bits = 3"), at: "3\n", after: "stop_bits = ", key: "buses.rs485.stop_bits")
        XCTAssertEqual(stop?.message, "3 is out of range")
        XCTAssertEqual(stop?.expected, "the number of stop bits from 1 to 2")

        XCTAssertEqual(single(edit(club, "data_bits = 8", "data_bits = 9"), at: "9\n", after: "data_bits = ", key: "buses.rs485.data_bits")?.expected,
                       "the number of data bits from 7 to 8")
        XCTAssertEqual(single(edit(club, "timeout = \"300 ms\"", "timeout = 300"), at: "300\n", key: "buses.rs485.timeout")?.message,
                       "300 has no unit")
        let device = single(edit(club, "\"/dev/ttyUSB0\"", "\"ttyUSB0\""), at: "\"ttyUSB0\"", key: "buses.rs485.device")
        XCTAssertEqual(device?.suggestion, "did you mean \"/dev/ttyUSB0\"?")

        let missing = single(edit(club, "baud = 9600\n", ""), at: "[buses.rs485]", key: "buses.rs485.baud")
        XCTAssertEqual(missing?.message, "missing required key `baud` in bus `rs485`")

        let tcp = """
        [buses.gateway]
        type = "modbus_tcp"
        host = "192.168.1.50"
        port = 70000
        """
        let text = edit(club, "# ---------------------------------------------------------------- sensors", tcp + "\n")
        XCTAssertEqual(single(text, at: "70000", key: "buses.gateway.port")?.expected, "a TCP port from 1 to 65535")
        let applies = single(edit(text, "port = 70000", "baud = 9600"), at: "baud = 9600", after: "[buses.gateway]", key: "buses.gateway.baud")
        XCTAssertEqual(applies?.message, "`baud` does not apply to bus `gateway`")
        XCTAssertEqual(applies?.suggestion, "bus `gateway` takes `type`, `host`, `port`, `timeout`, `retries`, `reset_output` and `reset_time`")
    }

    func testOneWireBridge() throws {
        let address = single(edit(club, "address = 0x1B", "address = 0x1C"), at: "0x1C", key: "buses.ow_cellar.address")
        XCTAssertEqual(address?.message, "0x1C is out of range")
        XCTAssertEqual(address?.expected, "a DS2482's I2C address from 0x18 to 0x1B")

        let channel = single(edit(club, "channel = 1 ", "channel = 8 "), at: "8 ", after: "[buses.ow_brewhouse]", key: "buses.ow_brewhouse.channel")
        XCTAssertEqual(channel?.expected, "a DS2482-800 channel from 0 to 7")

        let shared = single(edit(club, "channel = 1 ", "channel = 0 "), at: "0x1B", after: "[buses.ow_brewhouse]", key: "buses.ow_brewhouse.address")
        XCTAssertEqual(shared?.message, "the 1-Wire bridge of bus `ow_cellar` already uses channel 0 of the DS2482-800 at 0x1B on bus `i2c`")

        let bridge = single(edit(club, "address = 0x18\noffset", "address = 0x1B\noffset"), at: "0x1B\noffset", key: "sensors.hlt_probe.address")
        XCTAssertEqual(bridge?.message, "the 1-Wire bridge of bus `ow_cellar` already uses address 0x1B on bus `i2c`")

        let notI2C = single(edit(club, "i2c_bus = \"i2c\"", "i2c_bus = \"gpio\""), at: "\"gpio\"", after: "[buses.ow_cellar]", key: "buses.ow_cellar.i2c_bus")
        XCTAssertEqual(notI2C?.message, "bus `gpio` is not an I2C bus")
        let typo = single(edit(club, "i2c_bus = \"i2c\"", "i2c_bus = \"i2d\""), at: "\"i2d\"", key: "buses.ow_cellar.i2c_bus")
        XCTAssertEqual(typo?.suggestion, "did you mean `i2c`?")

        let biab = try Repo.text("Hardware/biab.toml")
        let single100 = single(edit(biab, "part = \"ds2482-100\"", "part = \"ds2482-100\"\nchannel = 3"), at: "3\n", after: "channel = ",
                               key: "buses.onewire.channel")
        XCTAssertEqual(single100?.message, "a DS2482-100 has a single 1-Wire channel")
        XCTAssertEqual(single(edit(biab, "\"ds2482-100\"", "\"ds2482-10\""), at: "\"ds2482-10\"", key: "buses.onewire.part")?.suggestion,
                       "did you mean `ds2482-100`?")
    }

    // MARK: Sensors

    func testDS18B20ROMCodes() {
        let family = single(edit(club, "\"28-3c01d607c2a1\"", "\"10-3c01d607c2a1\""), at: "\"10-", key: "sensors.fermenter_probe.rom")
        XCTAssertEqual(family?.message, "family code 0x10 is a DS18S20; a DS18B20's is 0x28")
        XCTAssertEqual(family?.expected, "a DS18B20 ROM code like \"28-00000a1b2c3d\" or 16 hex digits like \"28FF4A1B2C3D0456\"")

        let short = single(edit(club, "\"28-3c01d607c2a1\"", "\"28-3c01d607c2a\""), at: "\"28-", key: "sensors.fermenter_probe.rom")
        XCTAssertEqual(short?.message, "\"28-3c01d607c2a\" has 11 hex digits after the family code; a Linux 1-Wire name has 12")

        let long = single(edit(club, "\"28FF641E8F1603F2\"", "\"28FF641E8F1603F2AA\""), at: "\"28FF", key: "sensors.chiller_out_probe.rom")
        XCTAssertEqual(long?.message, "\"28FF641E8F1603F2AA\" has 18 hex digits; a ROM code has 16 (family, serial number, CRC)")

        let crc = single(edit(club, "\"28FF641E8F1603F2\"", "\"28FF641E8F1630F2\""), at: "\"28FF", key: "sensors.chiller_out_probe.rom")
        XCTAssertEqual(crc?.message.hasPrefix("the CRC byte 0xF2 does not match"), true)

        let reversed = single(edit(club, "\"28FF641E8F1603F2\"", "\"F203168F1E64FF28\""), at: "\"F2", key: "sensors.chiller_out_probe.rom")
        XCTAssertEqual(reversed?.message, "family code 0xF2 is not a DS18B20; a DS18B20's is 0x28")

        let colons = edit(club, "\"28FF641E8F1603F2\"", "\"28:FF:64:1E:8F:16:03:F2\"")
        XCTAssertEqual(try HardwareLoader.parse(colons, file: "x").sensor(id: "chiller_out_probe")?.connection, .oneWire(rom: 0xF203_168F_1E64_FF28))
    }

    func testSensorRangesAndWords() {
        let tmp = single(edit(club, "address = 0x48 ", "address = 0x50 "), at: "0x50", key: "sensors.mash_probe.address")
        XCTAssertEqual(tmp?.expected, "a TMP117's I2C address from 0x48 to 0x4B")

        let unit0 = single(edit(club, "unit = 1\n", "unit = 0\n"), at: "0\n", after: "unit = ", key: "sensors.kettle_probe.unit")
        XCTAssertEqual(unit0?.message, "0 is out of range")
        XCTAssertEqual(unit0?.expected, "the device's Modbus unit (slave) id from 1 to 247")
        XCTAssertEqual(single(edit(club, "unit = 2\n", "unit = 248\n"), at: "248\n", key: "sensors.fermenter_gravity.unit")?.message,
                       "248 is out of range")

        let registerType = single(edit(club, "register_type = \"input\"", "register_type = \"inptu\""), at: "\"inptu\"",
                                  key: "sensors.kettle_probe.register_type")
        XCTAssertEqual(registerType?.message, "unknown register type \"inptu\"")
        XCTAssertEqual(registerType?.expected, "one of `holding` or `input`")
        XCTAssertEqual(registerType?.suggestion, "did you mean `input`?")

        let coil = single(edit(club, "register_type = \"input\"", "register_type = \"coil\""), at: "\"coil\"", key: "sensors.kettle_probe.register_type")
        XCTAssertEqual(coil?.message, "unknown register type \"coil\"")

        XCTAssertEqual(single(edit(club, "data_type = \"float32\"", "data_type = \"float\""), at: "\"float\"", key: "sensors.fermenter_gravity.data_type")?
            .expected, "one of `int16`, `uint16`, `int32`, `uint32` or `float32`")
        XCTAssertEqual(single(edit(club, "register = 100", "register = 65535"), at: "65535", key: "sensors.fermenter_gravity.register")?.message,
                       "a float32 at register 65535 would run past register 65535")
        let order = single(edit(club, "data_type = \"int16\"", "data_type = \"int16\"\nword_order = \"little\""), at: "word_order",
                           key: "sensors.kettle_probe.word_order")
        XCTAssertEqual(order?.message, "`word_order` does not apply to sensor `kettle_probe`")

        let quantity = single(edit(club, "quantity = \"gravity\"", "quantity = \"gravitty\""), at: "\"gravitty\"", key: "sensors.fermenter_gravity.quantity")
        XCTAssertEqual(quantity?.suggestion, "did you mean `gravity`?")

        // The unknown key, and the k_factor it should have been, both at their places.
        let errors = hardwareErrors(edit(club, "k_factor = 450\nscale", "k_facter = 450\nscale"))
        XCTAssertEqual(errors.map(\.key), ["sensors.transfer_flow.k_factor", "sensors.transfer_flow.k_facter"])
        XCTAssertEqual(errors.last?.message, "unknown key `k_facter` in sensor `transfer_flow`")
        XCTAssertEqual(errors.last?.suggestion, "did you mean `k_factor`?")
        XCTAssertEqual(errors.first?.message, "missing required key `k_factor` in sensor `transfer_flow`")

        let rom = single(edit(club, "offset = \"-0.1 K\"", "rom = \"28-3c01d607c2a1\""), at: "rom = ", key: "sensors.hlt_probe.rom")
        XCTAssertEqual(rom?.message, "`rom` does not apply to sensor `hlt_probe`")
        XCTAssertEqual(rom?.suggestion, "sensor `hlt_probe` takes `type`, `bus`, `address` and `offset`")

        let wet = single(edit(club, "wet_when = \"closed\"", "wet_when = \"shut\""), at: "\"shut\"", key: "sensors.hlt_level.wet_when")
        XCTAssertEqual(wet?.expected, "one of `closed` or `open`")

        let line = single(edit(club, "line = 16", "line = 17"), at: "17", after: "[outputs.hlt_element]", key: "outputs.hlt_element.line")
        XCTAssertEqual(line?.message, "sensor `hlt_level` already uses line 17 on bus `gpio`")

        let offset = single(edit(club, "offset = -0.001", "offset = \"0.5 K\""), at: "\"0.5 K\"", key: "sensors.fermenter_gravity.offset")
        XCTAssertEqual(offset?.message, "\"0.5 K\" is a temperature difference (`K`), not a gravity")

        let bus = single(edit(club, "bus = \"ow_cellar\"", "bus = \"i2c\""), at: "\"i2c\"", after: "[sensors.fermenter_probe]", key: "sensors.fermenter_probe.bus")
        XCTAssertEqual(bus?.message, "bus `i2c` is an I2C bus, but a DS18B20 is read over 1-Wire")
        XCTAssertEqual(bus?.expected, "a 1-Wire bus")
    }

    func testADS1115FrontEnds() {
        let range = single(edit(still, "full_scale = \"0.256 V\"", "full_scale = \"0.3 V\""), at: "\"0.3 V\"", key: "sensors.head_probe.full_scale")
        XCTAssertEqual(range?.message, "0.3 V is not one of the ADS1115's ranges")
        XCTAssertEqual(range?.suggestion, "did you mean \"0.256 V\"?")
        let frontEnd = single(edit(still, "front_end = \"pt100\"", "front_end = \"pt10\""), at: "\"pt10\"", key: "sensors.head_probe.front_end")
        XCTAssertEqual(frontEnd?.suggestion, "did you mean `pt100`?")
        let beta = single(edit(still, "front_end = \"pt100\"", "front_end = \"pt100\"\nbeta = 3950"), at: "beta", key: "sensors.head_probe.beta")
        XCTAssertEqual(beta?.message, "`beta` does not apply to sensor `head_probe`")
        let ntc = edit(still, "front_end = \"pt100\"\nnominal_resistance = \"100 Ω\"", "front_end = \"ntc\"\nr25 = \"10 kΩ\"\nbeta = 3950")
        XCTAssertEqual(try HardwareLoader.parse(ntc, file: "x").sensor(id: "head_probe")?.connection,
                       .analog(address: 0x48, channel: 0, fullScale: 0.256, frontEnd: .ntc(beta: 3950, r25: 10_000, seriesResistor: 2200, supply: 3.3)))
        let noBeta = single(edit(ntc, "beta = 3950\n", ""), at: "[sensors.head_probe]", key: "sensors.head_probe.beta")
        XCTAssertEqual(noBeta?.message, "missing required key `beta` in sensor `head_probe`")
        XCTAssertEqual(single(edit(still, "channel = 0", "channel = 4"), at: "4\n", after: "channel = ", key: "sensors.head_probe.channel")?.expected,
                       "an ADS1115 input, AIN0–AIN3 from 0 to 3")
        XCTAssertEqual(single(edit(still, "series_resistor = \"2.2 kΩ\"", "series_resistor = \"2.2 kW\""), at: "\"2.2 kW\"",
                              key: "sensors.head_probe.series_resistor")?.message, "\"2.2 kW\" is a power (`kW`), not a resistance")
    }

    // MARK: Vessels

    func testAttachmentsMustBeTheRightKind() {
        let level = single(edit(club, "level_switch = \"kettle_level\"", "level_switch = \"kettle_probe\""), at: "\"kettle_probe\"",
                           after: "sensor = \"kettle_probe\"", key: "vessels.kettle.level_switch")
        XCTAssertEqual(level?.message, "sensor `kettle_probe` is a Modbus register measuring temperature, not a level switch")
        XCTAssertEqual(level?.expected, "one of `hlt_level` or `kettle_level`")

        let probe = single(edit(club, "sensor = \"hlt_probe\"", "sensor = \"hlt_level\""), at: "\"hlt_level\"", key: "vessels.hlt.sensor")
        XCTAssertEqual(probe?.message, "sensor `hlt_level` is a level switch, not a temperature sensor")

        let flow = single(edit(club, "flow_meter = \"mash_flow\"", "flow_meter = \"hlt_level\""), at: "\"hlt_level\"", after: "[vessels.mash_tun]",
                          key: "vessels.mash_tun.flow_meter")
        XCTAssertEqual(flow?.message, "sensor `hlt_level` is a level switch, not a flow sensor")

        let gravity = single(edit(club, "gravity_sensor = \"fermenter_gravity\"", "gravity_sensor = \"fermenter_gravty\""), at: "\"fermenter_gravty\"",
                             key: "vessels.fermenter.gravity_sensor")
        XCTAssertEqual(gravity?.message, "there is no sensor `fermenter_gravty`")
        XCTAssertEqual(gravity?.suggestion, "did you mean `fermenter_gravity`?")

        let pump = single(edit(club, "pump = \"kettle_pump\"", "pump = \"chiller_valve\""), at: "\"chiller_valve\"", after: "level_switch = \"kettle_level\"",
                          key: "vessels.kettle.pump")
        XCTAssertEqual(pump?.message, "output `chiller_valve` is a valve, not a pump or variable-speed pump")

        let twice = single(edit(club, "flow_meter = \"transfer_flow\"", "flow_meter = \"mash_flow\""), at: "\"mash_flow\"", after: "[vessels.kettle]",
                           key: "vessels.kettle.flow_meter")
        XCTAssertEqual(twice?.message, "sensor `mash_flow` already measures vessel `mash_tun`")

        let head = single(edit(still, "head_sensor = \"head_probe\"", "head_sensor = \"condenser_flow\""), at: "\"condenser_flow\"",
                          key: "vessels.still.head_sensor")
        XCTAssertEqual(head?.message, "sensor `condenser_flow` is a pulse flow meter, not a temperature sensor")

        let coolant = single(edit(still, "coolant_flow = \"condenser_flow\"", "coolant_flow = \"head_probe\""), at: "\"head_probe\"",
                             after: "coolant_flow = ", key: "vessels.still.coolant_flow")
        XCTAssertEqual(coolant?.message, "sensor `head_probe` is an ADS1115 temperature input, not a flow sensor or a level switch")

        let minVolume = single(edit(club, "min_volume = \"30 L\"", "min_volume = \"130 L\""), at: "\"130 L\"", key: "vessels.kettle.min_volume")
        XCTAssertEqual(minVolume?.message, "\"130 L\" is too high for a vessel of 120 L")
    }

    func testReceivers() {
        let valve = single(edit(still, "{ name = \"heads\", valve = \"receiver_2\" }", "{ name = \"heads\", valve = \"still_element\" }"),
                           at: "\"still_element\"", key: "vessels.still.receivers[1].valve")
        XCTAssertEqual(valve?.message, "output `still_element` is a heater, not a valve")

        let name = single(edit(still, "{ name = \"tails\" }", "{ name = \"Hearts\" }"), at: "\"Hearts\"", key: "vessels.still.receivers[3].name")
        XCTAssertEqual(name?.message, "receiver `Hearts` is already receivers[2]")

        let shared = single(edit(still, "valve = \"receiver_2\"", "valve = \"receiver_1\""), at: "\"receiver_1\"", after: "\"heads\"",
                            key: "vessels.still.receivers[1].valve")
        XCTAssertEqual(shared?.message, "output `receiver_1` is already this vessel's `valve`")

        let key = single(edit(still, "{ name = \"tails\" }", "{ name = \"tails\", vlave = \"receiver_3\" }"), at: "vlave",
                         key: "vessels.still.receivers[3].vlave")
        XCTAssertEqual(key?.suggestion, "did you mean `valve`?")
    }

    // MARK: Interlocks and circuits

    func testRedundantProbesActionsGraceAndBusResets() throws {
        // Valid: a second probe for the mash, a trip with a grace, a reset line for the I2C bus.
        var text = edit(club, "sensor = \"mash_probe\"", "sensors = [\"mash_probe\", \"chiller_out_probe\"]\nprobe_tolerance = \"1.5 K\"",
                        after: "[vessels.mash_tun]")
        text = edit(text, "reason = \"no flow through the RIMS tube", "action = \"hold\"\ngrace = \"10 s\"\nreason = \"no flow through the RIMS tube")
        text = edit(text, "adapter = 1                 # header pins 3/5", "adapter = 1\nreset_output = \"i2c_power\"\nreset_time = \"300 ms\"")
        text += "\n[outputs.i2c_power]\ntype = \"bus_reset\"\nbus = \"gpio\"\nline = 26\n"
        let rig = try HardwareLoader.parse(text, file: "rig.toml")
        let mash = try XCTUnwrap(rig.vessel(for: .mashTun))
        XCTAssertEqual(mash.temperatureSensors, ["mash_probe", "chiller_out_probe"])
        XCTAssertEqual(mash.probeTolerance, Kelvin(1.5))
        XCTAssertEqual(rig.interlocks[2].grace, Seconds(10))
        XCTAssertEqual(rig.bus(id: "i2c")?.reset, RigSpec.Bus.Reset(output: "i2c_power", time: Seconds(0.3)))

        let taken = single(edit(club, "sensor = \"mash_probe\"", "sensors = [\"mash_probe\", \"hlt_probe\"]", after: "[vessels.mash_tun]"),
                           at: "\"hlt_probe\"]", key: "vessels.mash_tun.sensors[1]")
        XCTAssertEqual(taken?.message, "sensor `hlt_probe` already measures vessel `hlt`")

        let gravity = single(edit(club, "sensor = \"mash_probe\"", "sensors = [\"mash_probe\", \"fermenter_gravity\"]", after: "[vessels.mash_tun]"),
                             at: "\"fermenter_gravity\"]", key: "vessels.mash_tun.sensors[1]")
        XCTAssertTrue(gravity?.message.hasSuffix("not a temperature sensor") ?? false, gravity?.message ?? "")

        let both = single(edit(club, "sensor = \"mash_probe\"", "sensor = \"mash_probe\"\nsensors = [\"chiller_out_probe\"]", after: "[vessels.mash_tun]"),
                          at: "sensors = [", key: "vessels.mash_tun.sensors")
        XCTAssertEqual(both?.message, "a vessel names its probe with `sensor` or its probes with `sensors`, not both")

        let lonely = single(edit(club, "sensor = \"mash_probe\"", "sensor = \"mash_probe\"\nprobe_tolerance = \"1 K\"", after: "[vessels.mash_tun]"),
                            at: "probe_tolerance", key: "vessels.mash_tun.probe_tolerance")
        XCTAssertEqual(lonely?.message, "`probe_tolerance` applies to a vessel with several probes")

        let action = single(edit(club, "reason = \"no flow through the RIMS tube", "action = \"halt\"\nreason = \"no flow through the RIMS tube"),
                            at: "\"halt\"", key: "interlocks[2].action")
        XCTAssertEqual(action?.expected, "one of `hold` or `trip`")

        let grace = single(edit(club, "reason = \"no flow through the RIMS tube", "grace = \"5\"\nreason = \"no flow through the RIMS tube"),
                           at: "\"5\"", key: "interlocks[2].grace")
        XCTAssertNotNil(grace)

        let heater = single(edit(club, "adapter = 1                 # header pins 3/5", "adapter = 1\nreset_output = \"hlt_element\""),
                            at: "\"hlt_element\"", after: "[buses.i2c]", key: "buses.i2c.reset_output")
        XCTAssertEqual(heater?.message, "output `hlt_element` is a heater, not a bus_reset")

        let time = single(edit(club, "adapter = 1                 # header pins 3/5", "adapter = 1\nreset_time = \"1 s\""),
                          at: "reset_time", key: "buses.i2c.reset_time")
        XCTAssertEqual(time?.message, "`reset_time` needs a `reset_output` to cut the bus's power with")
    }

    func testInterlocks() {
        let missing = single(edit(club, "{ sensor = \"kettle_level\", is = \"wet\" }", "{ sensor = \"kettle_levl\", is = \"wet\" }"),
                             at: "\"kettle_levl\"", key: "interlocks[1].requires[0].sensor")
        XCTAssertEqual(missing?.message, "there is no sensor `kettle_levl`")
        XCTAssertEqual(missing?.suggestion, "did you mean `kettle_level`?")

        let wet = single(edit(club, "{ sensor = \"mash_flow\", above = \"2 L/min\" }", "{ sensor = \"mash_flow\", is = \"wet\" }"),
                         at: "\"wet\" }]", after: "name = \"RIMS flow\"", key: "interlocks[2].requires[1].is")
        XCTAssertEqual(wet?.message, "`is = \"wet\"` needs a level switch; sensor `mash_flow` is a pulse flow meter")
        XCTAssertEqual(wet?.expected, "`above` or `below` with a flow like \"2 L/min\"")

        let unit = single(edit(club, "above = \"2 L/min\"", "above = \"2 C\""), at: "\"2 C\"", key: "interlocks[2].requires[1].above")
        XCTAssertEqual(unit?.message, "\"2 C\" is a temperature (`C`), not a flow")

        let above = single(edit(club, "{ sensor = \"hlt_level\", is = \"wet\" }", "{ sensor = \"hlt_level\", above = \"1 L\" }"),
                           at: "above", key: "interlocks[0].requires[0].above")
        XCTAssertEqual(above?.message, "sensor `hlt_level` is a level switch: it reads wet or dry")

        let state = single(edit(club, "{ output = \"mash_pump\", is = \"on\" }", "{ output = \"mash_pump\", is = \"wet\" }"),
                           at: "\"wet\"", after: "name = \"RIMS flow\"", key: "interlocks[2].requires[0].is")
        XCTAssertEqual(state?.message, "unknown output state \"wet\"")
        XCTAssertEqual(state?.expected, "one of `on` or `off`")

        let itself = single(edit(club, "{ output = \"mash_pump\", is = \"on\" }", "{ output = \"rims_element\", is = \"on\" }"),
                            at: "\"rims_element\", is", key: "interlocks[2].requires[0].output")
        XCTAssertEqual(itself?.message, "output `rims_element` cannot depend on itself")

        let output = single(edit(club, "output = \"kettle_element\"\nrequires", "output = \"kettle_elemnt\"\nrequires"), at: "\"kettle_elemnt\"",
                            key: "interlocks[1].output")
        XCTAssertEqual(output?.suggestion, "did you mean `kettle_element`?")

        let both = single(edit(club, "{ sensor = \"hlt_level\", is = \"wet\" }", "{ sensor = \"hlt_level\", is = \"wet\", above = \"1\" }"),
                          at: "above", key: "interlocks[0].requires[0].above")
        XCTAssertEqual(both?.message, "a condition has one test: `is`, `above` or `below`")

        let empty = single(edit(club, "requires = [{ sensor = \"hlt_level\", is = \"wet\" }]", "requires = []"), at: "[]",
                           key: "interlocks[0].requires")
        XCTAssertEqual(empty?.message, "the interlock has no conditions")

        let typo = single(edit(club, "reason = \"the HLT", "reasn = \"the HLT"), at: "reasn", key: "interlocks[0].reasn")
        XCTAssertEqual(typo?.suggestion, "did you mean `reason`?")

        let below = edit(still, "above = \"1.5 L/min\"", "below = \"90 L/h\"")
        XCTAssertEqual(try HardwareLoader.parse(below, file: "x").interlocks.first?.requires.first, .below(sensor: "condenser_flow", value: 1.5))
    }

    func testCircuits() {
        let big = single(edit(club, "limit = \"22 kW\"", "limit = \"7 kW\""), at: "\"kettle_element\"]", after: "[circuits.brewhouse]",
                         key: "circuits.brewhouse.heaters[1]")
        XCTAssertEqual(big?.message, "heater `kettle_element` alone draws 9000 W, more than the circuit's 7000 W")

        let amps = single(edit(club, "current = \"16 A\"", "current = \"13 A\""), at: "\"rims_element\"", after: "[circuits.socket]",
                          key: "circuits.socket.heaters[0]")
        XCTAssertEqual(amps?.message, "heater `rims_element` alone draws 3500 W, more than the circuit's 2990 W")

        let pump = single(edit(club, "heaters = [\"rims_element\"", "heaters = [\"mash_pump\""), at: "\"mash_pump\"", after: "[circuits.socket]",
                          key: "circuits.socket.heaters[0]")
        XCTAssertEqual(pump?.message, "output `mash_pump` is a pump, not a heater")

        let twice = single(edit(club, "heaters = [\"rims_element\"", "heaters = [\"hlt_element\""), at: "\"hlt_element\"", after: "[circuits.socket]",
                           key: "circuits.socket.heaters[0]")
        XCTAssertEqual(twice?.message, "heater `hlt_element` is already on circuit `brewhouse`")

        let volts = single(edit(club, "voltage = \"230 V\"\n", ""), at: "[circuits.socket]", key: "circuits.socket.voltage")
        XCTAssertEqual(volts?.message, "missing required key `voltage` in circuit `socket`")
        XCTAssertEqual(single(edit(club, "current = \"16 A\"", "current = \"16 W\""), at: "\"16 W\"", key: "circuits.socket.current")?.message,
                       "\"16 W\" is a power (`W`), not a current")
    }

    // MARK: Backends and many errors

    func testSimulatedBackendRefusesWhatItCannotSimulate() throws {
        let sim = try Repo.text("Hardware/sim.toml")
        let tmp = single(edit(sim, "type = \"mcp9808\"\nbus = \"i2c\"\naddress = 0x19", "type = \"tmp117\"\nbus = \"i2c\"\naddress = 0x48"),
                         at: "\"tmp117\"", key: "sensors.mash_probe.type")
        XCTAssertEqual(tmp?.message, "the simulated brewery simulates mcp9808 probes, Modbus registers, level switches and pulse flow meters; "
                       + "use backend = \"linux\" for a TMP117")

        let modbus = sim.replacingOccurrences(of: "[sensors.hlt_probe]", with: """
            [buses.rs485]
            type = "modbus_rtu"
            device = "/dev/ttyUSB0"
            baud = 9600

            [sensors.hlt_probe]
            """).replacingOccurrences(of: "bus = \"gpio\"\nline = 24", with: "bus = \"rs485\"\nunit = 3\ncoil = 0")
        let coil = single(modbus, at: "\"rs485\"\nunit", key: "outputs.chiller_valve.bus")
        XCTAssertEqual(coil?.message, "the simulated brewery simulates GPIO outputs only; use backend = \"linux\" for Modbus coils")
        XCTAssertEqual(try HardwareLoader.parse(modbus.replacingOccurrences(of: "backend = \"simulated\"", with: "backend = \"linux\""), file: "x")
            .output(id: "chiller_valve")?.connection, .modbusCoil(unit: 3, coil: 0))

        // A linux rig file with its backend switched to simulated: every sensor the simulator cannot
        // simulate is reported at its type (its level switch and flow meters it can).
        let errors = hardwareErrors(edit(still, "backend = \"linux\"", "backend = \"simulated\""))
        XCTAssertEqual(errors.map(\.key), ["sensors.boiler_probe.type", "sensors.head_probe.type"])
    }

    func testEveryProblemIsReported() {
        var text = club
        for (old, new) in [("parity = \"even\"", "parity = \"space\""), ("\"28-3c01d607c2a1\"", "\"28-3c01d607c2a\""),
                           ("unit = 2\n", "unit = 248\n"), ("k_factor = 450\nscale", "k_factr = 450\nscale"),
                           ("pump = \"kettle_pump\"", "pump = \"kettle_pmp\""), ("{ sensor = \"kettle_level\", is", "{ sensor = \"kettle_levl\", is"),
                           ("limit = \"22 kW\"", "limit = \"22 kV\"")] {
            XCTAssertTrue(text.contains(old), old)
            text = text.replacingOccurrences(of: old, with: new)
        }
        let errors = hardwareErrors(text)
        XCTAssertEqual(errors.map(\.key), ["buses.rs485.parity", "sensors.fermenter_probe.rom", "sensors.fermenter_gravity.unit",
                                           "sensors.transfer_flow.k_factor", "sensors.transfer_flow.k_factr", "vessels.kettle.pump",
                                           "interlocks[1].requires[0].sensor", "circuits.brewhouse.limit"])
        XCTAssertEqual(errors.map(\.line), errors.map(\.line).sorted())
        XCTAssertTrue(errors.allSatisfy { $0.line >= 1 && $0.column >= 1 })
        XCTAssertEqual(errors.first { $0.key == "vessels.kettle.pump" }?.suggestion, "did you mean `kettle_pump`?")
    }
}
