import Testing
import BrewCore
import BrewHAL
import BrewDrivers
import BrewSim

/// A bus with a simulated MCP9808 at `address` and the driver probed against it.
func mcp9808OnBus(_ celsius: Double = 20, address: UInt8 = 0x18) throws -> (SimulatedI2CBus, SimulatedMCP9808, MCP9808) {
    let bus = SimulatedI2CBus()
    let chip = SimulatedMCP9808(temperature: Celsius(celsius))
    try bus.attach(chip, at: address)
    let sensor = try MCP9808(bus: bus, address: address)
    return (bus, chip, sensor)
}

/// Some other chip: 16-bit registers (MSB first) from a table, 0x0000 elsewhere.
final class RegisterTableChip: SimulatedI2CDevice {
    var registers: [UInt8: UInt16]
    private var pointer: UInt8 = 0
    private var index = 0
    private var writing = false
    init(_ registers: [UInt8: UInt16]) { self.registers = registers }
    func i2cStart(read: Bool) { writing = !read; index = 0 }
    func i2cWrite(_ byte: UInt8) -> Bool {
        if index == 0 { pointer = byte }
        index += 1
        return true
    }
    func i2cRead() -> UInt8 {
        defer { index += 1 }
        let value = registers[pointer] ?? 0
        return index == 0 ? UInt8(value >> 8) : UInt8(truncatingIfNeeded: value)
    }
    func i2cStop() {}
}
