import Testing
import BrewCore
import BrewHAL
import BrewDrivers
import BrewSim

@Suite("Simulated digital output")
struct SimulatedDigitalOutputTests {
    @Test("records state and counts real switchings only")
    func switching() throws {
        let ssr = SimulatedDigitalOutput(name: "HLT SSR")
        #expect(!ssr.isOn)
        try ssr.set(true)
        try ssr.set(true)
        try ssr.set(false)
        #expect(!ssr.isOn)
        #expect(ssr.switchCount == 2)
        #expect(ssr.setCount == 3)
    }

    @Test("failNextSet throws .io once and leaves the output as it was")
    func failNext() throws {
        let ssr = SimulatedDigitalOutput(name: "BK SSR", initiallyOn: true)
        ssr.failNextSet = true
        let error = #expect(throws: BusError.self) { try ssr.set(false) }
        #expect(error?.kind == .io)
        #expect(error?.detail.contains("BK SSR") == true)
        #expect(ssr.isOn)
        #expect(ssr.switchCount == 0)
        #expect(ssr.failedSetCount == 1)
        try ssr.set(false)
        #expect(!ssr.isOn)
    }

    @Test("failEverySet keeps failing until cleared")
    func failEvery() throws {
        let pump = SimulatedDigitalOutput(name: "pump")
        pump.failEverySet = true
        for _ in 0..<3 { #expect(throws: BusError.self) { try pump.set(true) } }
        #expect(!pump.isOn)
        pump.failEverySet = false
        try pump.set(true)
        #expect(pump.isOn)
    }
}
