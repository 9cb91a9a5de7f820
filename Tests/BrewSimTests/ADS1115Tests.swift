import Testing
import BrewCore
import BrewHAL
import BrewDrivers
import BrewSim

struct ADCRig {
    let clock = SimulatedClock(perRead: Seconds(0.0003))     // each clock read ≈ one I2C transaction
    let bus = SimulatedI2CBus()
    let chip: SimulatedADS1115
    let adc: ADS1115
    init(rate: ADS1115.DataRate = .sps860) throws {
        chip = SimulatedADS1115(clock: clock)
        try bus.attach(chip, at: 0x48)
        adc = try ADS1115(bus: bus, address: 0x48, dataRate: rate)
    }
}

/// Divider node voltage for a sensor of resistance `r` under `rs` from `vs` (the circuit's physics,
/// written out independently of the driver).
func dividerVolts(_ r: Double, rs: Double, vs: Double) -> Double { vs * r / (rs + r) }

@Suite("ADS1115")
struct ADS1115Tests {
    @Test("output codes: +FS 0x7FFF, 1 LSB, 0, −1 LSB, −FS 0x8000", arguments: [
        (UInt16(0x7FFF), ADS1115.Gain.fs2_048, 2.048 * 32767 / 32768),
        (0x0001, .fs2_048, 2.048 / 32768),
        (0x0000, .fs4_096, 0),
        (0xFFFF, .fs0_256, -0.256 / 32768),
        (0x8000, .fs6_144, -6.144),
        (0x4000, .fs1_024, 0.512),
    ])
    func codes(raw: UInt16, gain: ADS1115.Gain, volts: Double) {
        #expect(ADS1115.volts(raw, gain: gain) == volts)
    }

    @Test("config word: OS, MUX AINx/GND, PGA, single-shot, DR, comparator off")
    func configWord() throws {
        let rig = try ADCRig(rate: .sps128)
        #expect(rig.adc.config(channel: 0, gain: .fs2_048) == 0x4583)   // the POR value minus OS
        #expect(rig.adc.config(channel: 3, gain: .fs0_256) == 0x7B83)
        #expect(ADS1115.DataRate.sps8.conversionTime == Seconds(0.125))
        #expect(ADS1115.DataRate.sps860.samplesPerSecond == 860)
    }

    @Test("measures each channel at each gain through the bus", arguments: ADS1115.Gain.allCases)
    func measure(gain: ADS1115.Gain) throws {
        let rig = try ADCRig()
        rig.chip.inputs = [0.1, 0.2, 0.25, 0.01]
        for ch in 0..<4 {
            let v = try rig.adc.measure(channel: ch, gain: gain)
            #expect(abs(v - rig.chip.inputs[ch]) <= gain.fullScale / 32768)
        }
    }

    @Test("single shot: reading before 1/DR has passed is a timeout, after it the result")
    func conversionTime() throws {
        let rig = try ADCRig(rate: .sps8)
        rig.clock.perRead = .zero
        rig.chip.inputs[2] = 1.5
        try rig.adc.startConversion(channel: 2, gain: .fs2_048)
        rig.clock.advance(by: Seconds(0.124))
        let error = #expect(throws: BusError.self) { _ = try rig.adc.readConversion() }
        #expect(error?.kind == .timeout)
        rig.clock.advance(by: Seconds(0.001))
        #expect(abs(try rig.adc.readConversion() - 1.5) < 0.0001)
    }

    @Test("measure gives up after its poll bound when the conversion does not finish")
    func pollBound() throws {
        let rig = try ADCRig(rate: .sps8)
        rig.clock.perRead = .zero
        rig.adc.pollLimit = 5
        let before = rig.bus.transactionCount
        let error = #expect(throws: BusError.self) { _ = try rig.adc.measure(channel: 0, gain: .fs4_096) }
        #expect(error?.kind == .timeout)
        #expect(rig.bus.transactionCount - before == 6)
    }

    @Test("something that does not read back its config is not an ADS1115")
    func identity() throws {
        let bus = SimulatedI2CBus()
        try bus.attach(SimulatedTMP117(clock: SimulatedClock()), at: 0x48)
        let error = #expect(throws: BusError.self) { _ = try ADS1115(bus: bus, address: 0x48) }
        #expect(error?.kind == .badResponse)
        #expect(error?.register == 0x01)
    }
}

@Suite("PT100 (IEC 60751) and NTC front ends")
struct FrontEndTests {
    /// IEC 60751 table points.
    static let iec: [(Double, Double)] = [(0, 100.00), (100, 138.51), (50, 119.40), (-50, 80.31), (-200, 18.52), (850, 390.48)]

    @Test("Callendar–Van Dusen reproduces the IEC 60751 table", arguments: iec)
    func pt100Resistance(celsius: Double, ohms: Double) {
        #expect(abs(PlatinumRTD.pt100.resistance(at: Celsius(celsius)) - ohms) < 0.005)
    }

    @Test("and inverts it, below 0 °C too", arguments: iec)
    func pt100Temperature(celsius: Double, ohms: Double) {
        #expect(abs(PlatinumRTD.pt100.temperature(resistance: ohms).value - celsius) < 0.02)
        let exact = PlatinumRTD.pt100.resistance(at: Celsius(celsius))
        #expect(abs(PlatinumRTD.pt100.temperature(resistance: exact).value - celsius) < 1e-6)
    }

    /// 10 kΩ, B = 3950 K: R = 10k · exp(3950 · (1/T − 1/298.15)).
    static let ntc: [(Double, Double)] = [(0, 33_620.6), (25, 10_000), (50, 3_588.18), (65, 2_086.37), (100, 697.52)]

    @Test("NTC 10k/B3950 beta curve", arguments: ntc)
    func ntcCurve(celsius: Double, ohms: Double) {
        #expect(abs(NTCThermistor.tenK3950.resistance(at: Celsius(celsius)) - ohms) < 0.05)
        #expect(abs(NTCThermistor.tenK3950.temperature(resistance: ohms).value - celsius) < 0.001)
    }

    @Test("Steinhart–Hart with a 10k part's published coefficients: 10 kΩ is 25 °C within half a kelvin, and it inverts")
    func steinhartHart() {
        let sh = NTCThermistor(model: .steinhartHart(a: 1.009249522e-3, b: 2.378405444e-4, c: 2.019202697e-7))
        #expect(abs(sh.temperature(resistance: 10_000).value - 25) < 0.5)
        for t in [-20.0, 0, 40, 80, 120] {
            #expect(abs(sh.temperature(resistance: sh.resistance(at: Celsius(t))).value - t) < 1e-6)
        }
    }

    @Test("PT100 in a divider read through the simulated ADC", arguments: iec.filter { $0.0 >= -50 && $0.0 <= 100 })
    func pt100ThroughADC(celsius: Double, ohms: Double) throws {
        let rig = try ADCRig()
        let probe = try AnalogTemperatureProbe(adc: rig.adc, channel: 1, gain: .fs0_512, element: .rtd(.pt100),
                                               supply: 3.3, seriesResistor: 1000)
        rig.chip.inputs[1] = dividerVolts(ohms, rs: 1000, vs: 3.3)
        // 1 LSB (15.6 µV) ≈ 0.006 Ω ≈ 0.015 °C, plus the table's rounding to 0.01 Ω.
        #expect(abs(try probe.readTemperature().value - celsius) < 0.05)
    }

    @Test("NTC in a divider read through the simulated ADC", arguments: ntc)
    func ntcThroughADC(celsius: Double, ohms: Double) throws {
        let rig = try ADCRig()
        let probe = try AnalogTemperatureProbe(adc: rig.adc, channel: 0, gain: .fs4_096, element: .ntc(.tenK3950),
                                               supply: 3.3, seriesResistor: 10_000)
        rig.chip.inputs[0] = dividerVolts(ohms, rs: 10_000, vs: 3.3)
        #expect(abs(try probe.readTemperature().value - celsius) < 0.05)
    }

    @Test("open and shorted sensors are device faults saying which", arguments: [
        (3.3, "open"), (3.29, "open"), (0.0, "short"), (0.0005, "short"),
    ])
    func openShortNTC(volts: Double, word: String) throws {
        let rig = try ADCRig()
        let probe = try AnalogTemperatureProbe(adc: rig.adc, channel: 0, gain: .fs4_096, element: .ntc(.tenK3950),
                                               supply: 3.3, seriesResistor: 10_000)
        rig.chip.inputs[0] = volts
        let error = #expect(throws: BusError.self) { _ = try probe.readTemperature() }
        #expect(error?.kind == .deviceFault)
        #expect(error?.detail.contains(word) == true)
        #expect(error?.detail.contains("NTC on ADS1115") == true)
    }

    @Test("a PT100 open circuit saturates the PGA range; a short reads ~0 V", arguments: [(3.3, "open"), (0.0, "short"), (0.02, "short")])
    func openShortPT100(volts: Double, word: String) throws {
        let rig = try ADCRig()
        let probe = try AnalogTemperatureProbe(adc: rig.adc, channel: 2, gain: .fs0_512, element: .rtd(.pt100),
                                               supply: 3.3, seriesResistor: 1000)
        rig.chip.inputs[2] = volts
        let error = #expect(throws: BusError.self) { _ = try probe.readTemperature() }
        #expect(error?.kind == .deviceFault)
        #expect(error?.detail.contains(word) == true)
    }
}
