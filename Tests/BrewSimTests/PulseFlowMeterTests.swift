import Testing
import BrewCore
import BrewHAL
import BrewDrivers
import BrewSim

private let ms: UInt64 = 1_000_000
private let s: UInt64 = 1_000_000_000

@Suite("Pulse flow meter")
struct PulseFlowMeterTests {
    @Test("steady 10 Hz at K = 100 pulses/L is 6 L/min, and 50 pulses are 0.5 L")
    func steady() {
        var m = PulseFlowMeter(pulsesPerLitre: 100, window: Seconds(2))
        for i in 0..<50 { m.record(pulseAt: 10 * s + UInt64(i) * 100 * ms) }
        let last = 10 * s + 49 * 100 * ms
        #expect(m.volume.value == 0.5)
        #expect(abs(m.rate(at: last) - 6) < 1e-9)
        #expect(abs(m.rate(at: last + 50 * ms) - 6) < 1e-9)   // within one interval: unchanged
    }

    @Test("a YF-S201-style meter: K = 450/L, 7.5 Hz is 1 L/min")
    func yfs201() {
        var m = PulseFlowMeter(pulsesPerLitre: 450, window: Seconds(4))
        let period = s * 2 / 15                             // 1/7.5 s = 133.333… ms, exactly 2/15 s
        for i in 0..<30 { m.record(pulseAt: UInt64(i) * period) }
        #expect(abs(m.rate(at: 29 * period) - 1) < 1e-6)
        #expect(abs(m.volume.value - 30.0 / 450) < 1e-12)
    }

    @Test("when pulses stop the rate decays like 1/t, then is 0 once the last pulse leaves the window")
    func decay() {
        var m = PulseFlowMeter(pulsesPerLitre: 100, window: Seconds(2))
        for i in 0..<20 { m.record(pulseAt: UInt64(i) * 100 * ms) }
        let last = 19 * 100 * ms
        // 0.5 s after the last pulse: at most 1 pulse / 0.5 s = 2 Hz → 1.2 L/min
        #expect(abs(m.rate(at: last + 500 * ms) - 1.2) < 1e-9)
        #expect(abs(m.rate(at: last + 1 * s) - 0.6) < 1e-9)
        #expect(m.rate(at: last + 2 * s) == 0)
        #expect(m.rate(at: last + 60 * s) == 0)
        #expect(m.volume.value == 0.2)                    // the total stays
    }

    @Test("the rate follows a change of flow within one window")
    func change() {
        var m = PulseFlowMeter(pulsesPerLitre: 100, window: Seconds(1))
        var t: UInt64 = 0
        for _ in 0..<30 { t += 100 * ms; m.record(pulseAt: t) }     // 10 Hz → 6 L/min
        #expect(abs(m.rate(at: t) - 6) < 1e-9)
        for _ in 0..<30 { t += 50 * ms; m.record(pulseAt: t) }      // 20 Hz → 12 L/min
        #expect(abs(m.rate(at: t) - 12) < 1e-9)
    }

    @Test("no pulses, or one: zero, then one pulse per window")
    func startUp() {
        var m = PulseFlowMeter(pulsesPerLitre: 100, window: Seconds(2))
        #expect(m.rate(at: 5 * s) == 0)
        m.record(pulseAt: 5 * s)
        #expect(abs(m.rate(at: 5 * s) - 0.3) < 1e-9)             // 0.5 Hz / 100 × 60
    }

    @Test("bounce closer than the minimum interval and out-of-order stamps are dropped and counted")
    func glitches() {
        var m = PulseFlowMeter(pulsesPerLitre: 100, window: Seconds(2), minimumInterval: Seconds(0.002))
        m.record(pulseAt: 1 * s)
        m.record(pulseAt: 1 * s + 1 * ms)          // bounce
        m.record(pulseAt: 1 * s + 100 * ms)
        m.record(pulseAt: 1 * s + 50 * ms)         // earlier than the last pulse
        #expect(m.totalPulses == 2)
        #expect(m.rejectedGlitches == 1)
        #expect(m.rejectedOutOfOrder == 1)
        #expect(abs(m.rate(at: 1 * s + 100 * ms) - 6) < 1e-9)
    }

    @Test("a small ring buffer still gives the right rate from the pulses it kept")
    func smallRing() {
        var m = PulseFlowMeter(pulsesPerLitre: 100, window: Seconds(10), capacity: 8)
        for i in 0..<100 { m.record(pulseAt: UInt64(i) * 100 * ms) }
        #expect(abs(m.rate(at: 99 * 100 * ms) - 6) < 1e-9)
        #expect(m.totalPulses == 100)
    }

    @Test("drained from a simulated GPIO edge source: rising edges count, falling ones do not")
    func fromEdgeSource() throws {
        let line = SimulatedEdgeInput(name: "gpiochip0:17")
        for i in 0..<11 { line.pulse(at: 3 * s + UInt64(i) * 200 * ms, width: 20 * ms) }
        #expect(line.pendingEvents == 22)
        var m = PulseFlowMeter(pulsesPerLitre: 50, window: Seconds(3))
        var buffer: [EdgeEvent] = []
        buffer.reserveCapacity(64)
        try m.drain(line, buffer: &buffer, max: 10)
        #expect(m.totalPulses == 5)
        try m.drain(line, buffer: &buffer)
        #expect(m.totalPulses == 11)
        #expect(line.pendingEvents == 0)
        // 5 Hz / 50 per litre = 0.1 L/s = 6 L/min; 11 pulses = 0.22 L
        #expect(abs(m.rate(at: 5 * s) - 6) < 1e-9)
        #expect(abs(m.volume.value - 0.22) < 1e-12)
        line.failNextRead = true
        #expect(throws: BusError.self) { try m.drain(line, buffer: &buffer) }
        #expect(try line.read() == false)
    }
}
