import BrewCore
import BrewSim
import Testing

/// A plant restored from a snapshot goes on exactly as the plant it was taken from: the probe's
/// delay line and lag, the noise generator and the water boiled away are all part of it.
@Suite("SimulatedPlant snapshot")
struct SimulatedPlantSnapshotTests {
    /// Two vessels: a kettle heated to a boil (so water boils away) and a RIMS mash tun whose probe
    /// sits behind a long transport delay; noisy probes, seeded.
    static func rig(deadTime: Seconds = Seconds(8), seed: UInt64 = 7) -> RigSpec {
        let heater = RigSpec.Heater(output: "h", power: Watts(9000), tuning: .init(kp: 60, ti: Seconds(900)))
        let rims = RigSpec.Heater(output: "r", power: Watts(3500), tuning: .init(kp: 60, ti: Seconds(2400)))
        return RigSpec(name: "sim", source: "test", backend: .simulated, buses: [], sensors: [], outputs: [], vessels: [
            RigSpec.Vessel(id: "kettle", role: .kettle, name: "Kettle", capacity: Litres(120), temperatureSensor: "k", heater: heater,
                           chillerValve: "c",
                           simulation: .init(emptyHeatCapacity: 25_000, heatLoss: 15, sensorLag: Seconds(6), sensorDeadTime: Seconds(2),
                                             sensorNoise: Kelvin(0.05), chillerTransfer: 700, initialVolume: Litres(20))),
            RigSpec.Vessel(id: "mash", role: .mashTun, name: "Mash tun", capacity: Litres(100), temperatureSensor: "m", heater: rims,
                           recirculationPump: "p",
                           simulation: .init(sensorLag: Seconds(6), sensorDeadTime: deadTime, initialVolume: Litres(30))),
        ], simulationSeed: seed)
    }

    /// Drives both vessels through a pattern that depends only on time: heat, pump, chill.
    static func drive(_ plant: inout SimulatedPlant, from start: Int, to end: Int) {
        for k in start..<end {
            plant.setHeater(0, on: k < 30_000 || k % 7 < 3)
            plant.setChiller(0, open: k >= 36_000)
            plant.setPump(1, on: k % 50 < 40)
            plant.setHeater(1, on: k % 20 < 9)
            plant.advance(to: Instant(seconds: Double(k + 1) / 10))
        }
    }

    /// The test rig's plant, driven from the start to step `k`.
    static func driven(to k: Int) -> SimulatedPlant {
        var plant = SimulatedPlant(rig: rig())
        drive(&plant, from: 0, to: k)
        return plant
    }

    @Test("a restored plant continues bit for bit, through the boil and the chill")
    func restoredPlantContinuesExactly() throws {
        var original = Self.driven(to: 25_000)
        let saved = original.snapshot()

        var restored = SimulatedPlant(rig: Self.rig())
        try restored.restore(saved)
        #expect(restored.snapshot() == saved)
        Self.drive(&original, from: 25_000, to: 40_000)
        Self.drive(&restored, from: 25_000, to: 40_000)
        #expect(restored.snapshot() == original.snapshot())
        // The stretch was worth comparing: the kettle boiled some water away and was chilled.
        #expect(original[0].evaporated.value > 0.1)
        #expect(original[0].temperature.value < 90)
    }

    @Test("a fresh plant stepped over the same stretch differs: the snapshot carries real state")
    func freshPlantDiffers() throws {
        var original = Self.driven(to: 2_000)
        let saved = original.snapshot()
        // Only the vessel temperatures and contents, as the approximate restore managed: the
        // probe's delay line, lag and noise stream start over, and the probe reads differently.
        var approximate = SimulatedPlant(rig: Self.rig())
        var partial = saved
        partial.random = SimulatedPlant(rig: Self.rig()).snapshot().random
        for i in partial.vessels.indices {
            partial.vessels[i].delay = partial.vessels[i].delay.map { _ in partial.vessels[i].temperature }
            partial.vessels[i].lagged = partial.vessels[i].temperature
        }
        try approximate.restore(partial)
        Self.drive(&original, from: 2_000, to: 2_100)
        Self.drive(&approximate, from: 2_000, to: 2_100)
        #expect(approximate[1].probe != original[1].probe)
        #expect(approximate[0].temperature == original[0].temperature, "the liquid itself does not depend on the probe")
    }

    @Test("the noise generator continues its sequence, spare deviate included")
    func randomStateContinues() {
        var a = SeededRandom(seed: 42)
        _ = a.gaussian()   // leaves a spare
        var b = SeededRandom(state: a.state)
        for _ in 0..<11 { #expect(a.gaussian() == b.gaussian()) }
        #expect(a.next() == b.next())
    }

    @Test("a snapshot from another rig is refused and changes nothing")
    func mismatchIsRefused() throws {
        let original = Self.driven(to: 100)
        var other = SimulatedPlant(rig: Self.rig(deadTime: Seconds(3)))
        let before = other.snapshot()
        #expect(throws: SimulatedPlant.RestoreError.self) { try other.restore(original.snapshot()) }
        #expect(other.snapshot() == before)
        var finer = SimulatedPlant(rig: Self.rig(), step: Seconds(0.05))
        #expect(throws: SimulatedPlant.RestoreError.self) { try finer.restore(original.snapshot()) }
    }
}
