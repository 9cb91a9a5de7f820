import BrewConfig
import BrewCore
import BrewHAL
import BrewLinux
import BrewRig
import BrewSim
import BrewTestSupport
import Foundation
import XCTest
import BrewRigIO

/// `brewctl hardware check`'s probe of every declared device, through the real drivers: I2C chips
/// simulated register by register on a simulated bus (the Linux bus is covered by the QEMU test),
/// Modbus devices on a pymodbus server over loopback through libmodbus.
final class HardwareCheckTests: XCTestCase {
    /// Simulated I2C chips, real Modbus.
    final class TestBuses: RigBusProvider {
        let i2c: SimulatedI2CBus
        let modbus: LinuxRigBuses
        init(i2c: SimulatedI2CBus, modbus: LinuxRigBuses) {
            self.i2c = i2c
            self.modbus = modbus
        }
        func i2cBus(_ id: String) throws(BusError) -> any I2CBus { i2c }
        func modbusClient(_ id: String) throws(BusError) -> any ModbusClient { try modbus.modbusClient(id) }
        func levelInput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> () throws(BusError) -> Bool {
            throw BusError(.noDevice, bus: bus, address: line, detail: "no GPIO in this test")
        }
        func gpioOutput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> any DigitalOutput {
            throw BusError(.noDevice, bus: bus, address: line, detail: "no GPIO in this test")
        }
        func pulseInput(bus: String, line: Int, name: String) throws(BusError) -> (_ each: (UInt64) -> Void) throws(BusError) -> UInt64 {
            throw BusError(.noDevice, bus: bus, address: line, detail: "no GPIO in this test")
        }
    }

    func rig(port: Int) throws -> RigSpec {
        try HardwareLoader.parse("""
        name = "Check rig"
        backend = "linux"

        [buses.i2c]
        type = "i2c"
        adapter = 1

        [buses.ow]
        type = "onewire"
        i2c_bus = "i2c"
        address = 0x1B
        part = "ds2482-100"

        \(PeerRig.bus(port: port, retries: 0))

        [sensors.hlt_probe]
        type = "mcp9808"
        bus = "i2c"
        address = 0x18
        offset = "-0.5 K"

        [sensors.mash_probe]
        type = "tmp117"
        bus = "i2c"
        address = 0x48

        [sensors.fermenter_probe]
        type = "ds18b20"
        bus = "ow"
        rom = "\(Self.rom.description)"

        [sensors.missing_probe]
        type = "mcp9808"
        bus = "i2c"
        address = 0x19

        \(PeerRig.transmitter("kettle_probe"))

        [sensors.gravity]
        type = "modbus_register"
        bus = "plc"
        unit = 1
        register = 2
        data_type = "float32"
        word_order = "big"
        quantity = "gravity"

        [sensors.silent]
        type = "modbus_register"
        bus = "plc"
        unit = 9
        register = 0
        data_type = "int16"
        quantity = "temperature"

        \(PeerRig.relay("element", type: "heater", coil: 1))

        [vessels.kettle]
        role = "kettle"
        name = "Kettle"
        capacity = "50 L"
        sensor = "kettle_probe"

        [vessels.kettle.heater]
        output = "element"
        power = "3000 W"
        pid = { kp = 50, ti = "600 s" }
        """, file: "check-rig.toml")
    }

    static let rom = OneWireROM(family: 0x28, serial: 0x0000_0A1B_2C3D)

    func testEveryInterlockInForceIsListedInWords() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let club = try HardwareLoader.load(path: root.appendingPathComponent("Hardware/club-brewery.toml").path)
        let lines = HardwareCheck.protections(of: club)
        XCTAssertEqual(lines.count, club.effectiveInterlocks.count)
        // Declared in the file, word for word.
        XCTAssertTrue(lines.contains("rims_element runs only while mash_pump is on and mash_flow reads more than 2.00 L/min — no flow through the RIMS tube: a dry tube burns the element and scorches the wort"),
                      lines.joined(separator: "\n"))
        // Implied: the mash pump has a flow meter, so it is protected from running dry.
        XCTAssertTrue(lines.contains("mash_pump is stopped until acknowledged unless mash_flow reads more than 1.00 L/min once it has run 20 s — Mash tun: pump running dry (no flow) [implied]"),
                      lines.joined(separator: "\n"))
        let sim = try HardwareLoader.load(path: root.appendingPathComponent("Hardware/sim.toml").path)
        XCTAssertTrue(HardwareCheck.protections(of: sim).contains("hlt_element runs only while hlt_level reads wet (alarm after 5 s held off) — HLT: the element must be covered [implied]"),
                      HardwareCheck.protections(of: sim).joined(separator: "\n"))
    }

    func testEveryDeviceFoundReadOrReportedMissing() throws {
        try Peers.requirePymodbus()
        let port = Peers.freePort()
        _ = try Peers.modbusServer(port: port, for: self)
        let rig = try rig(port: port)

        let clock = SimulatedClock()
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedMCP9808(temperature: Celsius(72.5)), at: 0x18)
        try bus.attach(SimulatedTMP117(temperature: Celsius(66.25), clock: clock), at: 0x48)
        let bridge = SimulatedDS2482(channels: 1)
        bridge.attach(SimulatedDS18B20(rom: Self.rom, temperature: Celsius(18.5), clock: clock))
        try bus.attach(bridge, at: 0x1B)
        let buses = TestBuses(i2c: bus, modbus: LinuxRigBuses(rig: rig))

        let sensors = RigSensors(rig: rig, buses: buses, now: clock.read)
        let rows = HardwareCheck.sensors(of: rig, using: sensors, sleep: { clock.advance(by: $0) })
            + HardwareCheck.outputs(of: rig, using: RigOutputs(rig: rig, buses: buses.modbus))
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) })

        XCTAssertEqual(byID["hlt_probe"]?.value, "72.00 °C", "calibration offset applied: \(String(describing: byID["hlt_probe"]))")
        XCTAssertEqual(byID["mash_probe"]?.value, "66.25 °C")
        XCTAssertEqual(byID["fermenter_probe"]?.value, "18.50 °C", "\(String(describing: byID["fermenter_probe"]?.error))")
        XCTAssertEqual(byID["kettle_probe"]?.value, "66.50 °C")
        XCTAssertEqual(byID["element"]?.value, "off")
        for id in ["hlt_probe", "mash_probe", "fermenter_probe", "kettle_probe", "element"] {
            XCTAssertTrue(byID[id]?.ok == true, "\(id): \(String(describing: byID[id]?.error))")
        }
        // Nobody at 0x19: not found, and the error names bus and address.
        XCTAssertEqual(byID["missing_probe"]?.found, false)
        XCTAssertTrue(byID["missing_probe"]?.error?.contains("0x19") == true, "\(String(describing: byID["missing_probe"]?.error))")
        // pymodbus answers an unknown unit with an exception: the gateway is there, the device is not right.
        XCTAssertFalse(byID["silent"]?.ok ?? true)
        // 66.5 read as a specific gravity is not a plausible one.
        XCTAssertEqual(byID["gravity"]?.error, "implausible gravity reading")

        let table = HardwareCheck.table(rows)
        XCTAssertTrue(table.hasPrefix("device"), table)
        XCTAssertEqual(table.split(separator: "\n").count, rows.count + 1)
    }
}
