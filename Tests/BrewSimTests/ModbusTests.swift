import Testing
import BrewCore
import BrewHAL
import BrewDrivers
import BrewSim

@Suite("Modbus register decoding")
struct ModbusValueTests {
    @Test("16- and 32-bit integers and floats, both word orders", arguments: [
        (ModbusValue.DataType.uint16, ModbusValue.WordOrder.big, [UInt16(0xFFFF)], 65535.0),
        (.int16, .big, [0xFFFF], -1),
        (.int16, .big, [0x8000], -32768),
        (.uint32, .big, [0x0001, 0x1170], 70000),
        (.uint32, .little, [0x1170, 0x0001], 70000),
        (.int32, .big, [0xFFFF, 0xFFFE], -2),
        (.int32, .little, [0xFFFE, 0xFFFF], -2),
        (.float32, .big, [0x42F6, 0xE979], Double(Float(123.456))),     // IEEE 754 0x42F6E979
        (.float32, .little, [0xE979, 0x42F6], Double(Float(123.456))),
        (.float32, .big, [0x41CC, 0x0000], 25.5),
        (.float32, .big, [0xC1A0, 0x0000], -20),
    ])
    func decode(type: ModbusValue.DataType, order: ModbusValue.WordOrder, regs: [UInt16], expected: Double) {
        #expect(ModbusValue(type, wordOrder: order).decode(regs) == expected)
    }

    @Test("scale and offset: int16 tenths of a degree, a 4–20 mA style offset")
    func scaling() {
        #expect(ModbusValue(.int16, scale: 0.1).decode([0xFF9C]) == -10.0)        // −100 × 0.1
        #expect(ModbusValue(.int16, scale: 0.1).decode([0x028A]) == 65.0)
        #expect(ModbusValue(.uint16, scale: 0.01, offset: -50).decode([10_000]) == 50)
    }

    @Test("NaN float is no value")
    func nan() {
        #expect(ModbusValue(.float32).decode([0x7FC0, 0x0000]) == nil)
    }

    @Test("encode inverts decode, rounding and clamping to the type", arguments: ModbusValue.DataType.allCases)
    func roundTrip(type: ModbusValue.DataType) {
        for order in ModbusValue.WordOrder.allCases {
            let v = ModbusValue(type, wordOrder: order, scale: 0.5)
            #expect(v.decode(v.encode(100)) == 100)
            #expect(v.encode(100).count == type.registerCount)
        }
        #expect(ModbusValue(.uint16).encode(-5) == [0])
        #expect(ModbusValue(.uint16).encode(1e9) == [0xFFFF])
        #expect(ModbusValue(.int16).encode(-1e9) == [0x8000])
        #expect(ModbusValue(.uint16).encode(12.5) == [13])
        #expect(ModbusValue(.uint32, wordOrder: .little).encode(70000) == [0x1170, 0x0001])
    }
}

@Suite("Modbus drivers against simulated devices")
struct ModbusDriverTests {
    func transmitter(_ regs: [UInt16], type: ModbusValue.DataType = .int16, scale: Double = 0.1) -> (SimulatedModbusClient, SimulatedModbusDevice, ModbusTemperatureTransmitter) {
        let client = SimulatedModbusClient()
        let dev = SimulatedModbusDevice()
        dev.setInput(0x0000, regs)
        dev.setHolding(0x0010, [0])
        client.attach(dev, unit: 3)
        let t = ModbusTemperatureTransmitter(client: client,
                                             point: ModbusPoint(unit: 3, table: .input, address: 0, value: ModbusValue(type, scale: scale)),
                                             faultRegister: ModbusPoint(unit: 3, address: 0x10, value: ModbusValue(.uint16)))
        return (client, dev, t)
    }

    @Test("temperature transmitter: int16 tenths, negative too")
    func transmitterReads() throws {
        let (_, dev, t) = transmitter([652])
        #expect(try t.readTemperature().value == 65.2)
        dev.setInput(0, [UInt16(bitPattern: -35)])
        #expect(try t.readTemperature().value == -3.5)
    }

    @Test("transmitter fault register and out-of-range codes are device faults")
    func transmitterFaults() throws {
        let (_, dev, t) = transmitter([0x7FFF])     // many transmitters send 3276.7 for an open RTD
        let open = #expect(throws: BusError.self) { _ = try t.readTemperature() }
        #expect(open?.kind == .deviceFault)
        dev.setInput(0, [200])
        dev.setHolding(0x10, [2])
        let flagged = #expect(throws: BusError.self) { _ = try t.readTemperature() }
        #expect(flagged?.kind == .deviceFault)
        #expect(flagged?.detail.contains("sensor fault 2") == true)
    }

    @Test("link faults: timeout, CRC, exception codes 1–4, absent unit", arguments: [
        (SimulatedModbusClient.Fault.timeout, BusError.Kind.timeout, "no response"),
        (.crc, .checksum, "CRC"),
        (.exception(.illegalFunction), .deviceFault, "exception 1"),
        (.exception(.illegalDataAddress), .deviceFault, "exception 2"),
        (.exception(.illegalDataValue), .deviceFault, "exception 3"),
        (.exception(.serverDeviceFailure), .deviceFault, "exception 4"),
    ])
    func linkFaults(fault: SimulatedModbusClient.Fault, kind: BusError.Kind, text: String) throws {
        let (client, _, t) = transmitter([250])
        client.fail(unit: 3, with: [fault])
        let error = #expect(throws: BusError.self) { _ = try t.readTemperature() }
        #expect(error?.kind == kind)
        #expect(error?.address == 3)
        #expect(error?.detail.contains(text) == true)
        #expect(try t.readTemperature().value == 25)   // one fault, then fine
    }

    @Test("an undefined register is exception 2; a silent unit a timeout")
    func addressing() throws {
        let client = SimulatedModbusClient()
        client.attach(SimulatedModbusDevice(), unit: 1)
        let e2 = #expect(throws: BusError.self) { _ = try client.readHoldingRegisters(unit: 1, address: 5, count: 1) }
        #expect(e2?.detail.contains("exception 2") == true)
        let silent = #expect(throws: BusError.self) { _ = try client.readHoldingRegisters(unit: 9, address: 0, count: 1) }
        #expect(silent?.kind == .timeout)
        let tooMany = #expect(throws: BusError.self) { _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 126) }
        #expect(tooMany?.kind == .invalidRequest)
    }

    @Test("flow meter: float32 CDAB rate and uint32 total; reverse flow and a totaliser going back are faults")
    func flowMeter() throws {
        let client = SimulatedModbusClient()
        let dev = SimulatedModbusDevice()
        client.attach(dev, unit: 7)
        dev.setInput(100, [0x0000, 0x4148])            // 12.5 as float32, word-swapped
        dev.setInput(102, [0x0000, 0x0001])            // 65536 in 0.01 L, word-swapped → 655.36 L
        let meter = ModbusFlowMeter(client: client,
                                    rate: ModbusPoint(unit: 7, table: .input, address: 100, value: ModbusValue(.float32, wordOrder: .little)),
                                    total: ModbusPoint(unit: 7, table: .input, address: 102, value: ModbusValue(.uint32, wordOrder: .little, scale: 0.01)))
        #expect(try meter.readRate() == 12.5)
        #expect(try meter.readTotal().value == 655.36)
        dev.setInput(100, [0x0000, 0xC000])            // −2.0
        #expect(throws: BusError.self) { _ = try meter.readRate() }
        dev.setInput(102, [0x0000, 0x0000])
        let back = #expect(throws: BusError.self) { _ = try meter.readTotal() }
        #expect(back?.kind == .badResponse)
    }

    @Test("variable-speed pump: scaled, clamped to its maximum, written, read back, run coil", arguments: [
        (50.0, UInt16(5000), true), (100, 8000, true), (120, 8000, true), (0, 0, false), (33.335, 3334, true),
    ])
    func pump(requested: Double, counts: UInt16, running: Bool) throws {
        let client = SimulatedModbusClient()
        let drive = SimulatedModbusDevice()
        drive.setHolding(0x2001, [0])
        drive.coils[0] = false
        client.attach(drive, unit: 2)
        let pump = VariableSpeedPump(client: client, unit: 2, register: 0x2001, fullScaleCounts: 10_000,
                                     maxSpeed: Percent(80), runCoil: 0)
        try pump.set(Percent(requested))
        #expect(drive.holding[0x2001] == counts)
        #expect(drive.coils[0] == running)
        #expect(abs(pump.speed.value - Double(counts) / 100) < 1e-9)
    }

    @Test("a drive that clamps the setpoint itself is caught by the read-back")
    func pumpReadBack() throws {
        let client = SimulatedModbusClient()
        let drive = SimulatedModbusDevice()
        drive.setHolding(10, [0])
        drive.onWrite = { [unowned drive] a, v in drive.holding[a] = min(v, 4000) }
        client.attach(drive, unit: 2)
        let pump = VariableSpeedPump(client: client, unit: 2, register: 10, fullScaleCounts: 10_000)
        try pump.set(Percent(30))
        let error = #expect(throws: BusError.self) { try pump.set(Percent(60)) }
        #expect(error?.kind == .badResponse)
        #expect(pump.speed.value == 30)
    }
}
