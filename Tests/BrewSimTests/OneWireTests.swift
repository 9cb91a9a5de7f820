import Testing
import BrewCore
import BrewHAL
import BrewDrivers
import BrewSim

@Suite("Dallas/Maxim CRC-8 (application note 27)")
struct DallasCRC8Tests {
    @Test("AN27's example ROM 02 1C B8 01 00 00 00 has CRC 0xA2, and data + CRC checks to 0")
    func an27Example() {
        let data: [UInt8] = [0x02, 0x1C, 0xB8, 0x01, 0x00, 0x00, 0x00]
        #expect(DallasCRC8.checksum(data) == 0xA2)
        #expect(DallasCRC8.checksum(data + [0xA2]) == 0)
        #expect(OneWireROM(bytes: data + [0xA2]).isCRCValid)
        #expect(OneWireROM(family: 0x02, serial: 0x0000_0001_B81C).crc == 0xA2)
    }

    @Test("the DS18B20 power-on scratchpad 50 05 4B 46 7F FF 0C 10 has CRC 0x1C")
    func powerOnScratchpad() {
        #expect(DallasCRC8.checksum([0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10] as [UInt8]) == 0x1C)
    }

    @Test("every single-bit error in a ROM code is detected", arguments: 0..<64)
    func singleBitErrors(bit: Int) {
        let rom = OneWireROM(family: 0x28, serial: 0x0000_0A1B_2C3D)
        #expect(rom.isCRCValid)
        #expect(!OneWireROM(rom.value ^ (1 << UInt64(bit))).isCRCValid)
    }

    @Test("the ROM code's text form is Linux w1 style")
    func description() {
        #expect(OneWireROM(family: 0x28, serial: 0x0A1B2C3D).description == "28-00000a1b2c3d")
    }
}

@Suite("DS18B20 temperature register (datasheet table 1)")
struct DS18B20DecodeTests {
    static let table: [(Double, UInt16)] = [
        (125, 0x07D0), (85, 0x0550), (25.0625, 0x0191), (10.125, 0x00A2), (0.5, 0x0008), (0, 0x0000),
        (-0.5, 0xFFF8), (-10.125, 0xFF5E), (-25.0625, 0xFE6F), (-55, 0xFC90),
    ]

    @Test("driver decodes the datasheet's table", arguments: table)
    func decode(celsius: Double, raw: UInt16) {
        #expect(DS18B20.decode(raw).value == celsius)
    }

    @Test("simulated probe encodes the datasheet's table", arguments: table)
    func encode(celsius: Double, raw: UInt16) {
        #expect(SimulatedDS18B20.encode(Celsius(celsius), resolutionBits: 12) == raw)
    }

    @Test("lower resolutions leave undefined low bits that the driver masks")
    func resolutionMask() {
        #expect(DS18B20.decode(0x0197, resolutionBits: 9).value == 25.0)       // bits 2–0 undefined
        #expect(DS18B20.decode(0x0197, resolutionBits: 10).value == 25.25)
        #expect(DS18B20.decode(0x0197, resolutionBits: 11).value == 25.375)
        #expect(DS18B20.decode(0xFF5F, resolutionBits: 9).value == -10.5)
    }
}

/// A bridge with probes on its channels, the drivers probed against it.
struct OneWireRig {
    let clock = SimulatedClock()
    let bus = SimulatedI2CBus()
    let chip: SimulatedDS2482
    let bridge: DS2482

    init(model: DS2482.Model = .ds2482_100, address: UInt8 = 0x18) throws {
        chip = SimulatedDS2482(channels: model.channelCount)
        try bus.attach(chip, at: address)
        bridge = try DS2482(bus: bus, address: address, model: model)
    }

    @discardableResult
    func probe(serial: UInt64, _ celsius: Double = 20, channel: Int = 0) -> SimulatedDS18B20 {
        let p = SimulatedDS18B20(serial: serial, temperature: Celsius(celsius), clock: clock)
        chip.attach(p, channel: channel)
        return p
    }

    func driver(_ probe: SimulatedDS18B20, channel: Int = 0) throws -> DS18B20 {
        let clock = self.clock
        return try DS18B20(bridge: bridge, channel: channel, rom: probe.rom, now: { clock.now })
    }
}

@Suite("DS2482 bridge")
struct DS2482Tests {
    @Test("init resets the bridge, writes APU with its complement and reads it back")
    func initialisation() throws {
        let rig = try OneWireRig()
        #expect(rig.chip.config == DS2482.Config.activePullup)
        #expect(rig.chip.status & DS2482.Status.deviceReset == 0)   // cleared by Write Configuration
    }

    @Test("something else at the address (status not 0x10/0x18 after reset) is refused")
    func notABridge() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedMCP9808(), at: 0x18)
        let error = #expect(throws: BusError.self) { _ = try DS2482(bus: bus, address: 0x18) }
        #expect(error?.kind == .badResponse || error?.kind == .io)
        #expect(error?.address == 0x18)
    }

    @Test("DS2482-800 channel select uses the datasheet's codes and checks the read-back", arguments: 0..<8)
    func channels(channel: Int) throws {
        let rig = try OneWireRig(model: .ds2482_800)
        try rig.bridge.selectChannel(channel)
        #expect(rig.chip.selectedChannel == channel)
        #expect(rig.bridge.channel == channel)
    }

    @Test("a channel the bridge does not have is refused before touching the bus")
    func badChannel() throws {
        let rig = try OneWireRig(model: .ds2482_100)
        let before = rig.bus.transactionCount
        let error = #expect(throws: BusError.self) { try rig.bridge.selectChannel(1) }
        #expect(error?.kind == .invalidRequest)
        #expect(rig.bus.transactionCount == before)
    }

    @Test("1-Wire reset reports presence, none, and a short as a device fault")
    func wireReset() throws {
        let rig = try OneWireRig()
        #expect(try rig.bridge.resetWire() == false)
        rig.probe(serial: 1)
        #expect(try rig.bridge.resetWire() == true)
        rig.chip.shorted[0] = true
        let error = #expect(throws: BusError.self) { try rig.bridge.resetWire() }
        #expect(error?.kind == .deviceFault)
        #expect(error?.detail.contains("short") == true)
    }

    @Test("1WB is polled until clear; a bridge stuck busy times out after the bound")
    func busyPolling() throws {
        let rig = try OneWireRig()
        rig.probe(serial: 7)
        rig.chip.busyStatusReads = 5
        #expect(try rig.bridge.resetWire())
        rig.chip.stuckBusy = true
        rig.bridge.busyPollLimit = 12
        let before = rig.bus.transactionCount
        let error = #expect(throws: BusError.self) { try rig.bridge.resetWire() }
        #expect(error?.kind == .timeout)
        #expect(rig.bus.transactionCount - before <= 13)
    }

    @Test("ROM search finds every device, each with a valid CRC", arguments: [1, 2, 3, 8, 20])
    func searchFindsAll(count: Int) throws {
        let rig = try OneWireRig()
        var serial: UInt64 = 0x1234_5678_9ABC
        var expected: Set<OneWireROM> = []
        for _ in 0..<count {
            serial = serial &* 6364136223846793005 &+ 1442695040888963407   // spread the bits
            expected.insert(rig.probe(serial: serial & 0xFFFF_FFFF_FFFF).rom)
        }
        let found = try rig.bridge.search()
        #expect(found.count == count)
        #expect(Set(found) == expected)
        #expect(found.allSatisfy { $0.isCRCValid && $0.familyCode == 0x28 })
    }

    @Test("search separates ROM codes differing only in their last serial bit")
    func nearNeighbours() throws {
        let rig = try OneWireRig()
        let a = rig.probe(serial: 0x8000_0000_0000)
        let b = rig.probe(serial: 0x0000_0000_0000)
        let c = rig.probe(serial: 0x0000_0000_0001)
        #expect(Set(try rig.bridge.search()) == [a.rom, b.rom, c.rom])
    }

    @Test("an empty channel searches to nothing; an -800 searches each channel separately")
    func perChannel() throws {
        let rig = try OneWireRig(model: .ds2482_800)
        let a = rig.probe(serial: 10, channel: 2)
        let b = rig.probe(serial: 11, channel: 5)
        let c = rig.probe(serial: 12, channel: 5)
        #expect(try rig.bridge.search(channel: 0).isEmpty)
        #expect(try rig.bridge.search(channel: 2) == [a.rom])
        #expect(Set(try rig.bridge.search(channel: 5)) == [b.rom, c.rom])
    }

    @Test("a probe unplugged mid-search is reported, not returned as a half-read ROM")
    func unplugMidSearch() throws {
        let rig = try OneWireRig()
        let p = rig.probe(serial: 0x42)
        p.unplugAfterSearchBits = 20
        let error = #expect(throws: BusError.self) { _ = try rig.bridge.search() }
        #expect(error?.kind == .noDevice)
        #expect(error?.detail.contains("bit 20") == true)
    }

    @Test("with several probes, one vanishing mid-search fails the search rather than inventing a ROM")
    func unplugOneOfSeveral() throws {
        let rig = try OneWireRig()
        rig.probe(serial: 0x0F0)
        let p = rig.probe(serial: 0x0F1)
        p.unplugAfterSearchBits = 30
        #expect(throws: BusError.self) { _ = try rig.bridge.search() }
    }

    @Test("a device whose ROM fails its CRC is refused by the search")
    func badROM() throws {
        let rig = try OneWireRig()
        let bad = OneWireROM(OneWireROM(family: 0x28, serial: 99).value ^ (1 << 60))
        rig.chip.attach(SimulatedDS18B20(rom: bad, clock: rig.clock))
        let error = #expect(throws: BusError.self) { _ = try rig.bridge.search() }
        #expect(error?.kind == .checksum)
    }
}

@Suite("DS18B20 driver through the bridge")
struct DS18B20DriverTests {
    @Test("reads the datasheet's temperatures after the conversion time", arguments: DS18B20DecodeTests.table.filter { $0.0 != 85 })
    func readsTable(celsius: Double, raw: UInt16) throws {
        let rig = try OneWireRig()
        let p = rig.probe(serial: 5, celsius)
        let sensor = try rig.driver(p)
        rig.clock.advance(by: Seconds(0.75))
        #expect(try sensor.readTemperature().value == celsius)
        #expect(p.temperatureRegister == raw)
    }

    @Test("never reads the scratchpad before 750 ms; too early throws without bus traffic")
    func respectsConversionTime() throws {
        let rig = try OneWireRig()
        let p = rig.probe(serial: 5, 21.5)
        let sensor = try rig.driver(p)
        #expect(sensor.conversionTime == Seconds(0.75))
        rig.clock.advance(by: Seconds(0.749))
        let before = rig.bus.transactionCount
        let error = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
        #expect(error?.kind == .timeout)
        #expect(error?.detail.contains("749 ms of 750 ms") == true)
        #expect(rig.bus.transactionCount == before)
        rig.clock.advance(by: Seconds(0.001))
        #expect(try sensor.readTemperature().value == 21.5)
        #expect(p.scratchpadReadsDuringConversion == 0)
        #expect(p.conversionsStarted == 2)      // init's, then the pipelined next one
    }

    @Test("pipelined: each read returns the conversion started by the previous one, at a 1 s period")
    func pipelined() throws {
        let rig = try OneWireRig()
        let p = rig.probe(serial: 5, 60)
        let sensor = try rig.driver(p)
        for step in 1...5 {
            rig.clock.advance(by: Seconds(0.8))
            p.temperature = Celsius(60 + Double(step))      // changes after the conversion finished…
            rig.clock.advance(by: Seconds(0.2))
            // …so this read sees the value converted in the first half second.
            #expect(try sensor.readTemperature().value == 60 + Double(step - 1))
        }
        #expect(p.scratchpadReadsDuringConversion == 0)
    }

    @Test("conversion time follows the probe's resolution (93.75 ms at 9 bits)")
    func resolution() throws {
        let rig = try OneWireRig()
        let p = rig.probe(serial: 5, 25.3)
        // Write Scratchpad: TH, TL, config 0x1F (9 bits), through the bridge as a driver would.
        try rig.bridge.select(p.rom)
        for b: UInt8 in [0x4E, 0x4B, 0x46, 0x1F] { try rig.bridge.writeWireByte(b) }
        let sensor = try rig.driver(p)
        #expect(sensor.resolutionBits == 9)
        #expect(sensor.conversionTime == Seconds(0.09375))
        rig.clock.advance(by: Seconds(0.09375))
        #expect(try sensor.readTemperature().value == 25.0)
    }

    @Test("85 °C power-on value is refused when the probe reset instead of converting")
    func powerOnValue() throws {
        let rig = try OneWireRig()
        let p = rig.probe(serial: 5, 40)
        let sensor = try rig.driver(p)
        rig.clock.advance(by: Seconds(1))
        #expect(try sensor.readTemperature().value == 40)
        p.powerOnReset()                       // brown-out during the next conversion
        rig.clock.advance(by: Seconds(1))
        let error = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
        #expect(error?.kind == .deviceFault)
        #expect(error?.detail.contains("85") == true)
        // The failed read still started a fresh conversion, so the next one is good again.
        rig.clock.advance(by: Seconds(1))
        #expect(try sensor.readTemperature().value == 40)
    }

    @Test("a real 85 °C is accepted when the previous reading was close to it")
    func real85() throws {
        let rig = try OneWireRig()
        let p = rig.probe(serial: 5, 84.5)
        let sensor = try rig.driver(p)
        rig.clock.advance(by: Seconds(1))
        #expect(try sensor.readTemperature().value == 84.5)
        rig.clock.advance(by: Seconds(0.8))
        p.temperature = Celsius(85)
        rig.clock.advance(by: Seconds(0.2))
        #expect(try sensor.readTemperature().value == 84.5)   // converted before the change
        rig.clock.advance(by: Seconds(1))
        #expect(try sensor.readTemperature().value == 85)
    }

    @Test("a corrupted scratchpad fails the CRC")
    func corruptScratchpad() throws {
        let rig = try OneWireRig()
        let p = rig.probe(serial: 5, 30)
        let sensor = try rig.driver(p)
        p.corruptScratchpad = true
        rig.clock.advance(by: Seconds(1))
        let error = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
        #expect(error?.kind == .checksum)
        #expect(error?.detail.contains(p.rom.description) == true)
    }

    @Test("a data line stuck low reads zeros, which pass the CRC but are refused")
    func stuckLow() throws {
        let rig = try OneWireRig()
        let p = rig.probe(serial: 5, 30)
        let sensor = try rig.driver(p)
        p.readsZeros = true
        rig.clock.advance(by: Seconds(1))
        let error = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
        #expect(error?.kind == .badResponse)
        #expect(error?.detail.contains("0x00") == true)
    }

    @Test("an unplugged probe: no presence pulse, reported as noDevice naming the ROM")
    func unplugged() throws {
        let rig = try OneWireRig()
        let p = rig.probe(serial: 5, 30)
        let sensor = try rig.driver(p)
        p.isConnected = false
        rig.clock.advance(by: Seconds(1))
        let error = #expect(throws: BusError.self) { _ = try sensor.readTemperature() }
        #expect(error?.kind == .noDevice)
        #expect(error?.detail.contains(p.rom.description) == true)
    }

    @Test("Match ROM addresses one probe among several")
    func matchROM() throws {
        let rig = try OneWireRig(model: .ds2482_800)
        let a = rig.probe(serial: 1, 10, channel: 3)
        let b = rig.probe(serial: 2, -10.125, channel: 3)
        let c = rig.probe(serial: 3, 99.5, channel: 6)
        let sa = try rig.driver(a, channel: 3), sb = try rig.driver(b, channel: 3), sc = try rig.driver(c, channel: 6)
        rig.clock.advance(by: Seconds(0.75))
        #expect(try sa.readTemperature().value == 10)
        #expect(try sc.readTemperature().value == 99.5)
        #expect(try sb.readTemperature().value == -10.125)
    }

    @Test("a ROM code with a bad CRC or another family is refused before touching the bus")
    func badROMCode() throws {
        let rig = try OneWireRig()
        let before = rig.bus.transactionCount
        let badCRC = OneWireROM(OneWireROM(family: 0x28, serial: 1).value ^ 0x100)
        let e1 = #expect(throws: BusError.self) { _ = try DS18B20(bridge: rig.bridge, rom: badCRC, now: { .zero }) }
        #expect(e1?.kind == .invalidRequest)
        let e2 = #expect(throws: BusError.self) {
            _ = try DS18B20(bridge: rig.bridge, rom: OneWireROM(family: 0x10, serial: 1), now: { .zero })
        }
        #expect(e2?.kind == .invalidRequest)
        #expect(rig.bus.transactionCount == before)
    }
}
