import BrewConfig
import BrewCore
import Foundation
import XCTest

/// The shipped rig files load into the rigs their comments describe, and each new key parses into
/// the right RigSpec value.
final class HardwareSchemaTests: XCTestCase {
    func load(_ file: String) throws -> RigSpec {
        do {
            return try HardwareLoader.load(path: Repo.path(file))
        } catch {
            XCTFail("\(file) does not load:\n\(error)")
            throw error
        }
    }

    func testClubBrewery() throws {
        let rig = try load("Hardware/club-brewery.toml")
        XCTAssertEqual(rig.name, "Club brewery")
        XCTAssertEqual(rig.backend, .linux)
        XCTAssertEqual(rig.vessels.map(\.role), [.hotLiquorTank, .mashTun, .kettle, .fermenter])
        XCTAssertEqual(rig.vessels.map(\.capacity), [Litres(100), Litres(100), Litres(120), Litres(60)])
        XCTAssertEqual(rig.vessels.map { $0.heater?.power }, [Watts(5500), Watts(3500), Watts(9000), Watts(100)])

        XCTAssertEqual(rig.bus(id: "rs485")?.kind, .modbusRTU(RigSpec.Bus.ModbusRTU(
            device: "/dev/ttyUSB0", baud: 9600, parity: .even, dataBits: 8, stopBits: 1, timeout: Seconds(0.3), retries: 2)))
        XCTAssertEqual(rig.bus(id: "ow_cellar")?.kind, .oneWire(RigSpec.Bus.OneWireBridge(i2cBus: "i2c", address: 0x1B, part: .ds2482_800, channel: 0)))
        XCTAssertEqual(rig.bus(id: "ow_brewhouse")?.kind, .oneWire(RigSpec.Bus.OneWireBridge(i2cBus: "i2c", address: 0x1B, part: .ds2482_800, channel: 1)))
        XCTAssertEqual(rig.bus(id: "gpio")?.kind, .gpio(chip: "gpiochip0"))

        // Pi 4 header: no output or input on the I2C (2, 3) or UART (14, 15) pins.
        let lines = rig.outputs.map(\.line) + rig.sensors.compactMap { s -> Int? in
            switch s.connection {
            case .pulses(let line, _), .levelSwitch(let line, _, _): line
            default: nil
            }
        }
        XCTAssertEqual(Set(lines).count, lines.count)
        XCTAssertTrue(lines.allSatisfy { (4...27).contains($0) && ![14, 15].contains($0) }, "\(lines)")

        let mcp = try XCTUnwrap(rig.sensor(id: "hlt_probe"))
        XCTAssertEqual(mcp.connection, .i2c(address: 0x18))
        XCTAssertEqual(mcp.offset, Kelvin(-0.1))
        XCTAssertEqual(rig.sensor(id: "mash_probe")?.part, .tmp117)
        let kettle = try XCTUnwrap(rig.sensor(id: "kettle_probe"))
        XCTAssertEqual(kettle.connection, .modbus(RigSpec.Sensor.ModbusPoint(unit: 1, register: 0, registerType: .input, dataType: .int16)))
        XCTAssertEqual(kettle.scale, 0.1)
        XCTAssertEqual(kettle.quantity, .temperature)
        let gravity = try XCTUnwrap(rig.sensor(id: "fermenter_gravity"))
        XCTAssertEqual(gravity.quantity, .gravity)
        XCTAssertEqual(gravity.connection, .modbus(RigSpec.Sensor.ModbusPoint(unit: 2, register: 100, registerType: .holding,
                                                                                dataType: .float32, wordOrder: .big)))
        XCTAssertEqual(gravity.calibrationOffset, -0.001, accuracy: 1e-12)
        // Both ROM spellings: the Linux name (CRC computed) and the 16 digits off the label.
        if case .oneWire(let rom)? = rig.sensor(id: "fermenter_probe")?.connection {
            XCTAssertEqual(rom & 0xFF, 0x28)
            XCTAssertEqual((rom >> 8) & 0xFFFF_FFFF_FFFF, 0x3C01_D607_C2A1)
        } else {
            XCTFail("fermenter_probe is not a 1-Wire probe")
        }
        XCTAssertEqual(rig.sensor(id: "chiller_out_probe")?.connection, .oneWire(rom: 0xF203_168F_1E64_FF28))
        XCTAssertEqual(rig.sensor(id: "hlt_level")?.connection, .levelSwitch(line: 16, activeLow: true, wetWhen: .closed))
        XCTAssertEqual(rig.sensor(id: "transfer_flow")?.connection, .pulses(line: 13, pulsesPerLitre: 450))
        XCTAssertEqual(rig.sensor(id: "transfer_flow")?.scale, 1.03)
        XCTAssertEqual(rig.sensor(id: "transfer_flow")?.quantity, .flow)

        let mash = try XCTUnwrap(rig.vessel(for: .mashTun))
        XCTAssertEqual(mash.recirculationPump, "mash_pump")
        XCTAssertEqual(mash.pump, "mash_pump")
        XCTAssertEqual(mash.flowMeter, "mash_flow")
        let k = try XCTUnwrap(rig.vessel(for: .kettle))
        XCTAssertEqual(k.levelSwitch, "kettle_level")
        XCTAssertEqual(k.pump, "kettle_pump")
        XCTAssertEqual(k.flowMeter, "transfer_flow")
        XCTAssertEqual(k.chillerValve, "chiller_valve")
        XCTAssertEqual(k.minVolume, Litres(30))
        let fv = try XCTUnwrap(rig.vessel(for: .fermenter))
        XCTAssertEqual(fv.gravitySensor, "fermenter_gravity")
        XCTAssertEqual(fv.chillerValve, "glycol_valve")
        XCTAssertEqual(fv.heater?.output, "fermenter_belt")
        XCTAssertEqual(rig.vessel(for: .hotLiquorTank)?.levelSwitch, "hlt_level")

        XCTAssertEqual(rig.interlocks.map(\.output), ["hlt_element", "kettle_element", "rims_element"])
        XCTAssertEqual(rig.interlocks[0].requires, [.level(sensor: "hlt_level", wet: true)])
        XCTAssertEqual(rig.interlocks[1].requires, [.level(sensor: "kettle_level", wet: true)])
        XCTAssertEqual(rig.interlocks[2].requires, [.output("mash_pump", on: true), .above(sensor: "mash_flow", value: 2)])
        XCTAssertEqual(rig.interlocks[2].name, "RIMS flow")
        XCTAssertEqual(rig.interlocks(for: "rims_element").count, 1)

        XCTAssertEqual(rig.circuits, [RigSpec.Circuit(id: "brewhouse", limit: Watts(22_000), heaters: ["hlt_element", "kettle_element"]),
                                      RigSpec.Circuit(id: "socket", limit: Watts(3680), heaters: ["rims_element", "fermenter_belt"])])
        XCTAssertEqual(rig.outputs.filter(\.activeLow).map(\.id), ["mash_pump", "kettle_pump", "chiller_valve", "glycol_valve"])
    }

    func testBIAB() throws {
        let rig = try load("Hardware/biab.toml")
        XCTAssertEqual(rig.backend, .linux)
        XCTAssertEqual(rig.vessels.count, 1)
        let kettle = try XCTUnwrap(rig.vessel(for: .kettle))
        XCTAssertEqual(kettle.capacity, Litres(70))
        XCTAssertEqual(kettle.heater?.power, Watts(3500))
        XCTAssertEqual(kettle.levelSwitch, "kettle_level")
        XCTAssertEqual(rig.sensor(id: "kettle_probe")?.part, .ds18b20)
        XCTAssertEqual(rig.bus(id: "onewire")?.kind, .oneWire(RigSpec.Bus.OneWireBridge(i2cBus: "i2c", address: 0x18, part: .ds2482_100)))
        XCTAssertEqual(rig.interlocks, [RigSpec.Interlock(output: "kettle_element", requires: [.level(sensor: "kettle_level", wet: true)],
                                                          name: "Element covered", reason: "the element is dry: add water above the level switch")])
        XCTAssertEqual(rig.circuits.first?.limit, Watts(3680))
    }

    func testPotStill() throws {
        let rig = try load("Hardware/pot-still.toml")
        XCTAssertEqual(rig.backend, .linux)
        let still = try XCTUnwrap(rig.vessel(for: .still))
        XCTAssertEqual(still.capacity, Litres(50))
        XCTAssertEqual(still.heater?.power, Watts(3000))
        XCTAssertEqual(still.maxTemperature, Celsius(105))
        XCTAssertEqual(still.headSensor, "head_probe")
        XCTAssertEqual(still.coolantFlow, "condenser_flow")
        XCTAssertEqual(still.distillateMeter, "distillate_flow")
        XCTAssertEqual(still.levelSwitch, "still_level")
        XCTAssertEqual(still.receivers, [RigSpec.Receiver(name: "foreshots", valve: "receiver_1"), RigSpec.Receiver(name: "heads", valve: "receiver_2"),
                                         RigSpec.Receiver(name: "hearts", valve: "receiver_3"), RigSpec.Receiver(name: "tails"),
                                         RigSpec.Receiver(name: "low_wines")])
        XCTAssertEqual(rig.sensor(id: "head_probe")?.connection,
                       .analog(address: 0x48, channel: 0, fullScale: 0.256, frontEnd: .pt100(r0: 100, seriesResistor: 2200, supply: 3.3)))
        XCTAssertEqual(rig.sensor(id: "distillate_flow")?.connection, .pulses(line: 6, pulsesPerLitre: 5880))
        XCTAssertEqual(rig.interlocks.first?.requires, [.above(sensor: "condenser_flow", value: 1.5), .level(sensor: "still_level", wet: true)])
    }

    func testSimulatedRigHasItsProtectionsImpliedNotDeclared() throws {
        let rig = try load("Hardware/sim.toml")
        XCTAssertEqual(rig.interlocks, [], "sim.toml declares none: brewctl implies them from the level switches and the flow meter")
        XCTAssertEqual(rig.circuits, [])
        XCTAssertTrue(rig.vessels.allSatisfy { $0.pump == nil && $0.receivers.isEmpty && $0.redundantSensors.isEmpty })
        XCTAssertEqual(rig.vessels.map(\.levelSwitch), ["hlt_level", nil, "kettle_level"])
        XCTAssertEqual(rig.vessels.map(\.minVolume), [Litres(10), nil, Litres(15)])
        XCTAssertEqual(rig.vessels[1].flowMeter, "mash_flow")
        XCTAssertEqual(rig.vessels[1].minFlow, 3)
        let implied = rig.effectiveInterlocks
        XCTAssertTrue(implied.allSatisfy(\.implied))
        XCTAssertEqual(implied.map(\.output), ["hlt_element", "rims_element", "rims_element", "mash_pump", "kettle_element"])
        XCTAssertEqual(implied.map(\.action), [.hold, .hold, .hold, .trip, .hold])
    }

    /// The excerpts of club-brewery.toml in docs/hardware.md are word for word in the file, and the
    /// interlock example there loads.
    func testDocumentedExcerptsAreInTheShippedFiles() throws {
        let doc = try Repo.text("docs/hardware.md")
        let club = try Repo.text("Hardware/club-brewery.toml")
        func blocks(from start: String, to end: String) -> [String] {
            guard let a = doc.range(of: start), let b = doc.range(of: end, range: a.upperBound..<doc.endIndex) else { return [] }
            return doc[a.upperBound..<b.lowerBound].components(separatedBy: "```toml\n").dropFirst()
                .compactMap { $0.components(separatedBy: "```").first }
        }
        let excerpts = blocks(from: "## The shipped rigs", to: "## Worked example")
        XCTAssertGreaterThanOrEqual(excerpts.count, 3)
        for excerpt in excerpts {
            for chunk in excerpt.components(separatedBy: "\n\n") where !chunk.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                XCTAssertTrue(club.contains(chunk.trimmingCharacters(in: .newlines)), "docs/hardware.md shows a part of club-brewery.toml that is not in it:\n\(chunk)")
            }
        }
        let interlock = try XCTUnwrap(blocks(from: "## `[[interlocks]]`", to: "## `[circuits.<id>]`").first)
        let rig = try HardwareLoader.parse(club + "\n" + interlock, file: "docs")
        XCTAssertEqual(rig.interlocks.last?.reason, "no flow through the RIMS tube")
    }
}
