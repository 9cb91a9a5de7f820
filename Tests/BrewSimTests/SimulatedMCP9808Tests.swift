import Testing
import BrewCore
import BrewHAL
import BrewDrivers
import BrewSim

@Suite("Simulated MCP9808 register file")
struct SimulatedMCP9808Tests {
    @Test("read-only registers ignore writes", arguments: [UInt8(0x05), 0x06, 0x07, 0x00, 0x0A])
    func readOnly(register: UInt8) throws {
        let bus = SimulatedI2CBus()
        let chip = SimulatedMCP9808(temperature: Celsius(21))
        try bus.attach(chip, at: 0x18)
        let before = chip.registerValue(register)
        try bus.writeWordData(address: 0x18, register: register, value: 0xA5A5)
        #expect(chip.registerValue(register) == before)
        #expect(try bus.readWordData(address: 0x18, register: register).byteSwapped == before)
    }

    @Test("limit registers keep bits 12–2 only, and words arrive MSB first on the wire")
    func limitRegisters() throws {
        let bus = SimulatedI2CBus()
        let chip = SimulatedMCP9808()
        try bus.attach(chip, at: 0x18)
        try bus.writeWordData(address: 0x18, register: 0x02, value: UInt16(0xFFFF))
        #expect(chip.upperLimit == 0x1FFC)
        try bus.writeWordData(address: 0x18, register: 0x04, value: UInt16(0x05A0).byteSwapped)   // 90 °C
        #expect(chip.criticalLimit == 0x05A0)
        #expect(try bus.readWordData(address: 0x18, register: 0x04) == 0xA005)
    }

    @Test("a write shorter than the register is ignored")
    func shortWrite() throws {
        let bus = SimulatedI2CBus()
        let chip = SimulatedMCP9808()
        try bus.attach(chip, at: 0x18)
        try bus.writeByteData(address: 0x18, register: 0x02, value: 0x05)
        #expect(chip.upperLimit == 0)
    }

    @Test("Win. Lock freezes T_UPPER/T_LOWER, Crit. Lock freezes T_CRIT, until power-on reset")
    func locks() throws {
        let bus = SimulatedI2CBus()
        let chip = SimulatedMCP9808()
        try bus.attach(chip, at: 0x18)
        func writeWord(_ reg: UInt8, _ value: UInt16) throws { try bus.writeWordData(address: 0x18, register: reg, value: value.byteSwapped) }
        try writeWord(0x02, 0x0500)
        try writeWord(0x01, 0x0040)           // Win. Lock
        try writeWord(0x02, 0x0600)
        try writeWord(0x04, 0x0640)
        #expect(chip.upperLimit == 0x0500)
        #expect(chip.criticalLimit == 0x0640)
        try writeWord(0x01, 0x0080)           // Crit. Lock; Win. Lock cannot be cleared
        #expect(chip.config & 0x00C0 == 0x00C0)
        try writeWord(0x04, 0x0100)
        #expect(chip.criticalLimit == 0x0640)
        try writeWord(0x01, 0x0100)           // SHDN cannot be set while locked
        #expect(!chip.isShutdown)
        chip.powerOnReset()
        #expect(chip.config == 0)
        try writeWord(0x02, 0x0600)
        #expect(chip.upperLimit == 0x0600)
    }

    @Test("Alert Stat follows the comparator when Alert Cnt is set")
    func alertStatus() throws {
        let chip = SimulatedMCP9808(temperature: Celsius(20))
        let bus = SimulatedI2CBus()
        try bus.attach(chip, at: 0x18)
        try bus.writeWordData(address: 0x18, register: 0x02, value: UInt16(80 * 16).byteSwapped)
        try bus.writeWordData(address: 0x18, register: 0x04, value: UInt16(100 * 16).byteSwapped)
        #expect(chip.registerValue(0x01) & 0x0010 == 0)
        try bus.writeWordData(address: 0x18, register: 0x01, value: UInt16(0x0008).byteSwapped)
        #expect(!chip.alertAsserted)
        chip.temperature = Celsius(80.25)
        #expect(chip.alertAsserted)
        #expect(chip.registerValue(0x01) & 0x0010 == 0x0010)
    }
}
