import Testing
import BrewCore
import BrewHAL
import BrewDrivers
import BrewSim

@Suite("MCP9808 T_A decoding (datasheet register 5-4)")
struct MCP9808DecodeTests {
    @Test("13-bit two's complement in 1/16 °C", arguments: [
        (UInt16(0x0190), 25.0),      // brief / datasheet-style example
        (0x0000, 0.0),
        (0x0001, 0.0625),
        (0x0008, 0.5),
        (0x07D0, 125.0),             // top of the measuring range
        (0x0FFF, 255.9375),          // largest positive code
        (0x1FFF, -0.0625),
        (0x1FF0, -1.0),
        (0x1E00, -32.0),
        (0x1D80, -40.0),             // bottom of the measuring range
        (0x1000, -256.0),            // most negative code
    ])
    func decode(raw: UInt16, celsius: Double) {
        #expect(MCP9808.decodeAmbient(raw).value == celsius)
    }

    @Test("flag bits 15–13 (T_CRIT, T_UPPER, T_LOWER) do not change the temperature",
          arguments: [UInt16(0x2000), 0x4000, 0x8000, 0xE000])
    func flagsMasked(flags: UInt16) {
        #expect(MCP9808.decodeAmbient(0x0190 | flags).value == 25.0)
        #expect(MCP9808.decodeAmbient(0x1FF0 | flags).value == -1.0)
    }

    @Test("the simulated chip encodes what the driver decodes", arguments: [
        (25.0, UInt16(0x0190)), (-1.0, 0x1FF0), (-32.0, 0x1E00), (0.0, 0x0000), (-0.0625, 0x1FFF), (125.0, 0x07D0),
    ])
    func chipEncoding(celsius: Double, raw: UInt16) {
        let chip = SimulatedMCP9808(temperature: Celsius(celsius))
        #expect(chip.registerValue(0x05) & 0x1FFF == raw)
    }
}

@Suite("MCP9808 driver against the simulated chip")
struct MCP9808DriverTests {
    @Test("reads datasheet-style temperatures through the bus", arguments: [
        25.0, 0.0, -1.0, -32.0, 23.0625, -0.0625, 100.5, -17.3125, 124.9375, -40.0, 125.0,
    ])
    func readsTemperature(celsius: Double) throws {
        let (_, _, sensor) = try mcp9808OnBus(celsius)
        #expect(try sensor.readTemperature().value == celsius)
    }

    @Test("the SMBus word really arrives byte-swapped, and the driver swaps it back")
    func byteOrder() throws {
        let (bus, chip, sensor) = try mcp9808OnBus(25)
        chip.temperature = Celsius(25)
        // Chip register 0x0190 (plus flags) goes out 0x01, 0x90: SMBus makes that 0x90 low, 0x01 high.
        let word = try bus.readWordData(address: 0x18, register: 0x05)
        #expect(word & 0xFF1F == 0x9001)
        #expect(try sensor.readTemperature().value == 25.0)
    }

    @Test("init sets the resolution register to 0x03 (0.0625 °C) and reads it back")
    func initSetsResolution() throws {
        let bus = SimulatedI2CBus()
        let chip = SimulatedMCP9808(temperature: Celsius(20.1))
        try bus.attach(chip, at: 0x18)
        try bus.writeByteData(address: 0x18, register: 0x08, value: 0x00)
        #expect(chip.resolutionBits == 0)
        #expect(chip.reportedTemperature.value == 20.0)
        let sensor = try MCP9808(bus: bus, address: 0x18)
        #expect(chip.resolutionBits == 3)
        #expect(try sensor.readTemperature().value == 20.0625)
    }

    @Test("each resolution quantises as the chip does (floor, two's complement)", arguments: [
        // (bits, 25.2 °C reads, −0.3 °C reads)
        (UInt8(0), 25.0, -0.5),
        (1, 25.0, -0.5),
        (2, 25.125, -0.375),
        (3, 25.1875, -0.3125),
    ])
    func resolutions(bits: UInt8, warm: Double, cold: Double) throws {
        let (bus, chip, sensor) = try mcp9808OnBus()
        try bus.writeByteData(address: 0x18, register: 0x08, value: bits)
        #expect(chip.resolutionStepSixteenths == 8 >> Int(bits))
        chip.temperature = Celsius(25.2)
        #expect(try sensor.readTemperature().value == warm)
        chip.temperature = Celsius(-0.3)
        #expect(try sensor.readTemperature().value == cold)
    }

    @Test("alert flags set in T_A do not leak into the reading")
    func alertFlags() throws {
        let (bus, chip, sensor) = try mcp9808OnBus(30)
        // T_UPPER 28 °C, T_LOWER 10 °C, T_CRIT 29 °C; words are written low byte first (driver-style swap).
        try bus.writeWordData(address: 0x18, register: 0x02, value: UInt16(28 * 16).byteSwapped)
        try bus.writeWordData(address: 0x18, register: 0x03, value: UInt16(10 * 16).byteSwapped)
        try bus.writeWordData(address: 0x18, register: 0x04, value: UInt16(29 * 16).byteSwapped)
        #expect(chip.registerValue(0x05) & 0xE000 == 0xC000)     // ≥ T_CRIT and > T_UPPER
        #expect(try sensor.readTemperature().value == 30.0)
        chip.temperature = Celsius(5)
        #expect(chip.registerValue(0x05) & 0xE000 == 0x2000)     // < T_LOWER
        #expect(try sensor.readTemperature().value == 5.0)
        // At power-on all limits are 0 °C, so any warm reading carries T_CRIT and T_UPPER flags.
        chip.powerOnReset()
        chip.temperature = Celsius(-1)
        #expect(chip.registerValue(0x05) & 0xE000 == 0x2000)
        #expect(try sensor.readTemperature().value == -1.0)
    }

    @Test("the chip clamps to −40…+125 °C and the driver accepts the ends")
    func clamping() throws {
        let (_, chip, sensor) = try mcp9808OnBus(150)
        #expect(try sensor.readTemperature().value == 125.0)
        chip.temperature = Celsius(-60)
        #expect(try sensor.readTemperature().value == -40.0)
    }

    @Test("a T_A the chip cannot legitimately report is refused as a bad response")
    func implausibleReading() throws {
        let bus = SimulatedI2CBus()
        let chip = RegisterTableChip([0x06: 0x0054, 0x07: 0x0400, 0x05: 0x0FFF])
        try bus.attach(chip, at: 0x18)
        // The table chip has no resolution register that reads back 0x03: probing must fail first…
        let probe = #expect(throws: BusError.self) { _ = try MCP9808(bus: bus, address: 0x18) }
        #expect(probe?.kind == .badResponse)
        #expect(probe?.register == 0x08)
        // …and once it does read back, a 255.9 °C reading is refused.
        chip.registers[0x08] = 0x0300
        let sensor = try MCP9808(bus: bus, address: 0x18)
        let error = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
        #expect(error?.kind == .badResponse)
        #expect(error?.register == 0x05)
    }

    @Test("init takes a chip out of shutdown, which would otherwise hold a stale temperature")
    func leavesShutdown() throws {
        let bus = SimulatedI2CBus()
        let chip = SimulatedMCP9808(temperature: Celsius(20))
        try bus.attach(chip, at: 0x18)
        try bus.writeWordData(address: 0x18, register: 0x01, value: UInt16(0x0100).byteSwapped)
        #expect(chip.isShutdown)
        chip.temperature = Celsius(90)
        #expect(chip.reportedTemperature.value == 20.0)          // held
        let sensor = try MCP9808(bus: bus, address: 0x18)
        #expect(!chip.isShutdown)
        #expect(try sensor.readTemperature().value == 90.0)
    }

    @Test("the name says chip, bus and address")
    func name() throws {
        let (_, _, sensor) = try mcp9808OnBus(address: 0x1A)
        #expect(sensor.name == "MCP9808 @ sim-i2c:0x1A")
    }
}

@Suite("MCP9808 identification and bus failures")
struct MCP9808FailureTests {
    @Test("another vendor's chip at the address fails the manufacturer ID check, naming what it read")
    func wrongManufacturer() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(RegisterTableChip([0x06: 0x1131, 0x07: 0x0400]), at: 0x18)
        let error = #expect(throws: BusError.self) { _ = try MCP9808(bus: bus, address: 0x18) }
        #expect(error?.kind == .badResponse)
        #expect(error?.bus == "sim-i2c")
        #expect(error?.address == 0x18)
        #expect(error?.register == 0x06)
        #expect(error?.detail.contains("0x1131") == true)
    }

    @Test("a Microchip sensor with another device ID fails the device ID check")
    func wrongDevice() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedMCP9808(deviceIDAndRevision: 0x0201), at: 0x1C)
        let error = #expect(throws: BusError.self) { _ = try MCP9808(bus: bus, address: 0x1C) }
        #expect(error?.kind == .badResponse)
        #expect(error?.address == 0x1C)
        #expect(error?.register == 0x07)
        #expect(error?.detail.contains("0x0201") == true)
    }

    @Test("a later revision of the MCP9808 is accepted")
    func laterRevision() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedMCP9808(temperature: Celsius(66), deviceIDAndRevision: 0x0401), at: 0x18)
        #expect(try MCP9808(bus: bus, address: 0x18).readTemperature().value == 66)
    }

    @Test("nothing at the address: NACK, reported as noDevice naming bus, address and register")
    func nothingThere() throws {
        let bus = SimulatedI2CBus(name: "i2c-sim-7")
        try bus.attach(SimulatedMCP9808(), at: 0x18)
        let error = #expect(throws: BusError.self) { _ = try MCP9808(bus: bus, address: 0x19) }
        #expect(error?.kind == .noDevice)
        #expect(error?.bus == "i2c-sim-7")
        #expect(error?.address == 0x19)
        #expect(error?.register == 0x06)
        #expect(error?.description.hasPrefix("i2c-sim-7 address 0x19 register 0x06: noDevice") == true)
    }

    @Test("disconnect makes reads NACK until reconnect; the chip keeps its settings")
    func disconnect() throws {
        let (bus, chip, sensor) = try mcp9808OnBus(64)
        bus.disconnect(0x18)
        #expect(!bus.isConnected(0x18))
        let error = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
        #expect(error?.kind == .noDevice)
        #expect(error?.address == 0x18)
        #expect(error?.register == 0x05)
        #expect(error?.description == "sim-i2c address 0x18 register 0x05: noDevice: no ACK for address")
        bus.reconnect(0x18)
        chip.temperature = Celsius(64.5625)
        #expect(try sensor.readTemperature().value == 64.5625)
    }

    @Test("scheduled faults fail exactly the next n transactions with that kind, at that address only")
    func scheduledFaults() throws {
        let (bus, _, sensor) = try mcp9808OnBus(50)
        let other = SimulatedMCP9808(temperature: Celsius(10))
        try bus.attach(other, at: 0x19)
        let neighbour = try MCP9808(bus: bus, address: 0x19)
        bus.fail(at: 0x18, next: 2, with: .timeout)
        #expect(bus.pendingFailures(at: 0x18) == 2)
        for _ in 0..<2 {
            let error = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
            #expect(error?.kind == .timeout)
            #expect(error?.address == 0x18)
            #expect(error?.register == 0x05)
            #expect(try neighbour.readTemperature().value == 10)
        }
        #expect(bus.pendingFailures(at: 0x18) == 0)
        #expect(try sensor.readTemperature().value == 50)
    }

    @Test("a fault during probing surfaces from init", arguments: [BusError.Kind.io, .timeout, .checksum])
    func faultDuringProbe(kind: BusError.Kind) throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedMCP9808(), at: 0x18)
        bus.fail(at: 0x18, next: 1, with: kind)
        let error = #expect(throws: BusError.self) { _ = try MCP9808(bus: bus, address: 0x18) }
        #expect(error?.kind == kind)
        // probe() after the fault clears succeeds
        _ = try MCP9808(bus: bus, address: 0x18)
    }

    @Test("addresses an MCP9808 cannot have are refused before touching the bus", arguments: [UInt8(0x17), 0x20, 0x48, 0x80])
    func invalidDriverAddress(address: UInt8) throws {
        let bus = SimulatedI2CBus()
        let error = #expect(throws: BusError.self) { _ = try MCP9808(bus: bus, address: address) }
        #expect(error?.kind == .invalidRequest)
        #expect(bus.transactionCount == 0)
    }
}
