import Testing
import BrewCore
import BrewHAL
import BrewDrivers
import BrewSim

func tmp117OnBus(_ celsius: Double = 20, address: UInt8 = 0x48) throws -> (SimulatedClock, SimulatedI2CBus, SimulatedTMP117, TMP117) {
    let clock = SimulatedClock()
    let bus = SimulatedI2CBus()
    let chip = SimulatedTMP117(temperature: Celsius(celsius), clock: clock)
    try bus.attach(chip, at: address)
    let sensor = try TMP117(bus: bus, address: address)
    return (clock, bus, chip, sensor)
}

@Suite("TMP117")
struct TMP117Tests {
    /// Datasheet table 7-1 (temperature register values, 0.0078125 °C resolution).
    static let table: [(Double, UInt16)] = [
        (-256, 0x8000), (-25, 0xF380), (-0.125, 0xFFF0), (-0.0078125, 0xFFFF), (0, 0x0000),
        (0.0078125, 0x0001), (0.125, 0x0010), (1, 0x0080), (25, 0x0C80), (100, 0x3200), (255.9921875, 0x7FFF),
    ]

    @Test("decodes the datasheet's table", arguments: table)
    func decode(celsius: Double, raw: UInt16) {
        #expect(TMP117.decode(raw).value == celsius)
    }

    @Test("the simulated chip encodes the datasheet's table", arguments: table)
    func encode(celsius: Double, raw: UInt16) {
        #expect(SimulatedTMP117.encode(Celsius(celsius)) == raw)
    }

    @Test("reads temperatures through the bus once the first cycle finished", arguments: [25.0, -25, -0.125, 100, -55, 150, 63.5078125])
    func reads(celsius: Double) throws {
        let (clock, bus, _, sensor) = try tmp117OnBus(celsius)
        clock.advance(by: Seconds(0.125))
        #expect(try sensor.readTemperature().value == celsius)
        // the word arrives byte-swapped: 25 °C is 0x0C80 on the chip, 0x800C as an SMBus word
        if celsius == 25 { #expect(try bus.readWordData(address: 0x48, register: 0) == 0x800C) }
    }

    @Test("before the first conversion the result is 0x8000 and refused")
    func noConversionYet() throws {
        let (clock, _, _, sensor) = try tmp117OnBus(30)
        clock.advance(by: Seconds(0.124))
        let error = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
        #expect(error?.kind == .deviceFault)
        #expect(error?.register == 0x00)
        clock.advance(by: Seconds(0.001))
        #expect(try sensor.readTemperature().value == 30)
    }

    @Test("init writes continuous conversion with the requested averaging and reads it back")
    func configuration() throws {
        let clock = SimulatedClock()
        let bus = SimulatedI2CBus()
        let chip = SimulatedTMP117(clock: clock)
        try bus.attach(chip, at: 0x49)
        let sensor = try TMP117(bus: bus, address: 0x49, averaging: .x32, conv: 2)
        #expect(chip.configuration == 0x0140)           // CONV 010, AVG 10, MOD 00
        #expect(sensor.cycleTime == Seconds(0.5))       // averaging 32 (500 ms) outlasts CONV's 250 ms
        #expect(TMP117.cycleTime(conv: 0, averaging: .none) == Seconds(0.0155))
        #expect(TMP117.cycleTime(conv: 7, averaging: .x64) == Seconds(16))
    }

    @Test("Data_Ready: a result once per cycle, cleared by reading")
    func dataReady() throws {
        let (clock, _, chip, sensor) = try tmp117OnBus(21)
        #expect(try sensor.readIfReady() == nil)
        clock.advance(by: Seconds(0.125))
        #expect(try sensor.readIfReady()?.value == 21)
        #expect(try sensor.readIfReady() == nil)
        chip.temperature = Celsius(22)
        clock.advance(by: Seconds(0.99))
        #expect(try sensor.readIfReady() == nil)           // next result at 0.125 + 1 s
        clock.advance(by: Seconds(0.01))
        #expect(try sensor.readIfReady()?.value == 22)
    }

    @Test("another chip at the address fails the device ID check", arguments: [UInt16(0x1116), 0x0000, 0x0119])
    func wrongID(id: UInt16) throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedTMP117(deviceID: id, clock: SimulatedClock()), at: 0x48)
        let error = #expect(throws: BusError.self) { _ = try TMP117(bus: bus, address: 0x48) }
        #expect(error?.kind == .badResponse)
        #expect(error?.register == 0x0F)
    }

    @Test("a later revision (bits 15–12) is accepted")
    func revision() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedTMP117(deviceID: 0x1117, clock: SimulatedClock()), at: 0x48)
        _ = try TMP117(bus: bus, address: 0x48)
    }

    @Test("a register-table chip that ignores configuration writes is refused on read-back")
    func readBack() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(RegisterTableChip([0x0F: 0x0117, 0x01: 0x0220]), at: 0x48)
        let error = #expect(throws: BusError.self) { _ = try TMP117(bus: bus, address: 0x48, averaging: .none, conv: 0) }
        #expect(error?.kind == .badResponse)
        #expect(error?.register == 0x01)
    }

    @Test("out-of-range results are refused; bus faults name the register")
    func faults() throws {
        let (clock, bus, chip, sensor) = try tmp117OnBus(200)
        clock.advance(by: Seconds(0.125))
        let error = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
        #expect(error?.kind == .badResponse)
        chip.temperature = Celsius(20)
        bus.disconnect(0x48)
        let nack = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
        #expect(nack?.kind == .noDevice)
        #expect(nack?.register == 0x00)
    }

    @Test("addresses a TMP117 cannot have are refused before touching the bus", arguments: [UInt8(0x18), 0x47, 0x4C])
    func invalidAddress(address: UInt8) {
        let bus = SimulatedI2CBus()
        let error = #expect(throws: BusError.self) { _ = try TMP117(bus: bus, address: address) }
        #expect(error?.kind == .invalidRequest)
        #expect(bus.transactionCount == 0)
    }
}
