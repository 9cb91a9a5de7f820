import BrewConfig
import BrewCore
import BrewHAL
import BrewLinux
import BrewRig
import BrewTestSupport
import Foundation
import XCTest
import BrewRigIO

/// A rig whose outputs are Modbus relay coils and a variable-speed drive, switched through the real
/// libmodbus client against a pymodbus server on loopback.
final class RigOutputsTests: XCTestCase {
    static func rigText(port: Int) -> String {
        """
        name = "Modbus test rig"
        backend = "linux"

        \(PeerRig.bus(port: port, retries: 1))

        \(PeerRig.transmitter("probe"))

        \(PeerRig.relay("element", type: "heater", coil: 1))

        [outputs.pump]
        type = "variable_speed_pump"
        bus = "plc"
        unit = 7
        register = 2
        scale = 10000
        max_speed = "80 %"

        [vessels.kettle]
        role = "kettle"
        name = "Kettle"
        capacity = "50 L"
        sensor = "probe"
        pump = "pump"

        [vessels.kettle.heater]
        output = "element"
        power = "3000 W"
        pid = { kp = 50, ti = "600 s" }
        """
    }

    func testSwitchesCoilsAndDrivesAndTurnsEverythingOff() throws {
        try Peers.requirePymodbus()
        let port = Peers.freePort()
        _ = try Peers.modbusServer(port: port, for: self)
        let rig = try HardwareLoader.parse(Self.rigText(port: port), file: "modbus-rig.toml")
        let outputs = RigOutputs(rig: rig, buses: LinuxRigBuses(rig: rig))
        let check = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port))

        try outputs.set("element", on: true)
        try outputs.set("pump", on: true)
        XCTAssertEqual(try check.readCoils(unit: 7, address: 1, count: 1), [true])
        XCTAssertEqual(try check.readHoldingRegisters(unit: 7, address: 2, count: 1), [8000], "never above max_speed")
        try outputs.setSpeed("pump", Percent(50))
        XCTAssertEqual(try check.readHoldingRegisters(unit: 7, address: 2, count: 1), [5000])
        try outputs.setSpeed("pump", Percent(100))
        XCTAssertEqual(try check.readHoldingRegisters(unit: 7, address: 2, count: 1), [8000], "clamped to max_speed")

        let results = outputs.allOff()
        XCTAssertEqual(results.map(\.output), ["element", "pump"])
        XCTAssertTrue(results.allSatisfy { $0.error == nil }, "\(results)")
        XCTAssertEqual(try check.readCoils(unit: 7, address: 1, count: 1), [false])
        XCTAssertEqual(try check.readHoldingRegisters(unit: 7, address: 2, count: 1), [0])
    }

    func testEachOutputIsSwitchedOffEvenWhenAnotherFails() throws {
        try Peers.requirePymodbus()
        let port = Peers.freePort()
        _ = try Peers.modbusServer(port: port, for: self)
        // The drive sits at a register the server does not have: its write fails with an exception.
        let text = Self.rigText(port: port).replacingOccurrences(of: "register = 2", with: "register = 900")
        let rig = try HardwareLoader.parse(text, file: "modbus-rig.toml")
        let outputs = RigOutputs(rig: rig, buses: LinuxRigBuses(rig: rig))
        try outputs.set("element", on: true)
        let results = outputs.allOff()
        XCTAssertEqual(results.map(\.output), ["element", "pump"], "every output is reported")
        let element = try XCTUnwrap(results.first { $0.output == "element" })
        XCTAssertNil(element.error)
        let pump = try XCTUnwrap(results.first { $0.output == "pump" })
        XCTAssertEqual(try XCTUnwrap(pump.error, "the drive's write at register 900 fails").kind, .deviceFault)
        let check = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port))
        XCTAssertEqual(try check.readCoils(unit: 7, address: 1, count: 1), [false], "the element went off regardless")
    }

    func testUnknownOutputIsAnError() throws {
        let rig = try HardwareLoader.parse(Self.rigText(port: 1502), file: "modbus-rig.toml")
        let outputs = RigOutputs(rig: rig, buses: LinuxRigBuses(rig: rig))
        XCTAssertThrowsError(try outputs.set("kettle_element", on: true)) { error in
            XCTAssertEqual((error as? BusError)?.kind, .invalidRequest)
        }
    }
}
