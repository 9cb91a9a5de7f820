import BrewCore
import BrewHAL
import BrewLinux
import BrewRig
import BrewSim
import BrewTestSupport
import XCTest

final class BusScanTests: XCTestCase {
    func testI2CScanListsExactlyTheChipsThatAcknowledge() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedMCP9808(), at: 0x18)
        try bus.attach(SimulatedMCP9808(), at: 0x1A)
        try bus.attach(SimulatedTMP117(clock: SimulatedClock()), at: 0x48)
        XCTAssertEqual(BusScan.i2c(bus), [0x18, 0x1A, 0x48])
        XCTAssertEqual(BusScan.i2c(bus, addresses: 0x19...0x47), [0x1A])
    }

    func testModbusScanFindsUnitsAndSaysWhenTheLineIsDead() throws {
        try Peers.requirePymodbus()
        let port = Peers.freePort()
        let server = try Peers.modbusServer(port: port, for: self)
        let client = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port), responseTimeout: Seconds(0.3), retries: 0)
        let one = try BusScan.modbus(client, units: 1...1)
        XCTAssertEqual(one.map(\.unit), [1])
        XCTAssertEqual(one.first?.answer, "holding register 0 = 665")
        XCTAssertEqual(try BusScan.modbus(client, units: 7...7).first?.answer, "holding register 0 = 0")

        Peers.stop(server)
        let dead = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port), responseTimeout: Seconds(0.3), retries: 0)
        XCTAssertThrowsError(try BusScan.modbus(dead, units: 1...3), "a dead line is an error, not 'no units'")
    }
}
