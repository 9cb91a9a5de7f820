import Testing
import BrewCore
import BrewHAL
import BrewDrivers
import BrewSim

@Suite("Simulated I2C bus")
struct SimulatedI2CBusTests {
    @Test("reserved and non-7-bit addresses are invalid", arguments: [UInt8(0x00), 0x03, 0x07, 0x78, 0x7F, 0x80, 0xFF])
    func invalidAddresses(address: UInt8) {
        let bus = SimulatedI2CBus()
        let attach = #expect(throws: BusError.self) { try bus.attach(SimulatedMCP9808(), at: address) }
        #expect(attach?.kind == .invalidRequest)
        let read = #expect(throws: BusError.self) { _ = try bus.readWordData(address: address, register: 5) }
        #expect(read?.kind == .invalidRequest)
    }

    @Test("the first and last usable addresses work")
    func edgeAddresses() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedMCP9808(), at: 0x08)
        try bus.attach(SimulatedMCP9808(), at: 0x77)
        #expect(try bus.readWordData(address: 0x08, register: 6).byteSwapped == 0x0054)
        #expect(try bus.readWordData(address: 0x77, register: 6).byteSwapped == 0x0054)
    }

    @Test("an address can hold one device")
    func addressTaken() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedMCP9808(), at: 0x18)
        let error = #expect(throws: BusError.self) { try bus.attach(SimulatedMCP9808(), at: 0x18) }
        #expect(error?.kind == .invalidRequest)
        bus.detach(at: 0x18)
        try bus.attach(SimulatedMCP9808(), at: 0x18)
    }

    @Test("every SMBus call counts as a transaction, failed or not")
    func transactionCounter() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedMCP9808(), at: 0x18)
        #expect(bus.transactionCount == 0)
        let sensor = try MCP9808(bus: bus, address: 0x18)
        let afterProbe = bus.transactionCount
        #expect(afterProbe == 5)    // 0x06, 0x07, 0x01 reads, 0x08 write, 0x08 read-back
        _ = try sensor.readTemperature()
        #expect(bus.transactionCount == afterProbe + 1)
        _ = try? bus.readByte(address: 0x30)
        #expect(bus.transactionCount == afterProbe + 2)
    }

    @Test("receive byte reads the register the pointer was left at, MSB first")
    func registerPointer() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedMCP9808(), at: 0x18)
        _ = try bus.readWordData(address: 0x18, register: 0x07)
        #expect(try bus.readByte(address: 0x18) == 0x04)
        #expect(try bus.readByteData(address: 0x18, register: 0x06) == 0x00)
        #expect(try bus.readByte(address: 0x18) == 0x00)
    }
}
