import BrewCore

/// The simulated brewery's physical world: its vessels, the room, the tap, and a fixed physics
/// step so results do not depend on how often the controller happens to look.
public struct SimulatedPlant: Sendable {
    public private(set) var vessels: [SimulatedVessel]
    public let site: RigSpec.Site
    public let boilingPoint: Celsius
    /// Physics integration step.
    public let step: Seconds
    public private(set) var now: Instant
    private var random: SeededRandom

    public init(rig: RigSpec, step: Seconds = Seconds(0.1), start: Instant = .zero) {
        site = rig.site
        boilingPoint = rig.site.boilingPoint
        self.step = step
        now = start
        random = SeededRandom(seed: rig.simulationSeed)
        vessels = rig.vessels.map { v in
            var sim = v.simulation ?? RigSpec.Simulation()
            if sim.initialVolume.value < 0 { sim.initialVolume = .zero }
            return SimulatedVessel(name: v.name, spec: sim, heaterPower: v.heater?.power ?? Watts(0),
                                   needsPump: v.recirculationPump != nil,
                                   temperature: sim.initialVolume.value > 0 ? rig.site.mainsWater : rig.site.ambient, step: step)
        }
    }

    public subscript(vessel: Int) -> SimulatedVessel { vessels[vessel] }

    public mutating func setHeater(_ vessel: Int, on: Bool) { vessels[vessel].heaterOn = on }
    public mutating func setPump(_ vessel: Int, on: Bool) { vessels[vessel].pumpOn = on }
    public mutating func setChiller(_ vessel: Int, open: Bool) { vessels[vessel].chillerOpen = open }

    /// Injects a fault into a vessel's element or probe (for tests and demonstrations).
    public mutating func inject(_ fault: SimulatedVessel.Fault, vessel: Int) {
        if !vessels[vessel].faults.contains(fault) { vessels[vessel].faults.append(fault) }
    }

    /// Repairs a vessel: every injected fault (or only those matching `where`) is gone.
    public mutating func clearFaults(vessel: Int, where match: (SimulatedVessel.Fault) -> Bool = { _ in true }) {
        vessels[vessel].faults.removeAll(where: match)
    }

    /// Integrates the physics up to `time` in fixed steps, with the actuators as they are now.
    public mutating func advance(to time: Instant) {
        while now.seconds + step.value * 0.5 < time.seconds {
            for i in vessels.indices {
                vessels[i].step(dt: step.value, ambient: site.ambient, coolant: site.mainsWater,
                                boilingPoint: boilingPoint, noise: random.gaussian())
            }
            now = now + step
        }
    }

    /// Carries out what the operator confirmed having done, as the real brewer would have.
    /// Returns a note when reality differs from the recipe (e.g. not enough liquid to transfer).
    public mutating func perform(_ action: OperatorAction, roles: [VesselRole]) -> String? {
        func index(_ role: VesselRole) -> Int? { roles.firstIndex(of: role) }
        switch action {
        case .fill(let role, let litres):
            guard let v = index(role) else { return "no \(role.displayName) in the simulated brewery" }
            vessels[v].add(water: litres, at: site.mainsWater)
        case .transfer(let from, let to, let litres):
            guard let a = index(from), let b = index(to) else { return "transfer between vessels the simulated brewery lacks" }
            let t = vessels[a].temperature
            let moved = vessels[a].remove(water: litres)
            vessels[b].add(water: moved, at: t)
            if moved.value + 0.05 < litres.value {
                return "only \(moved) of \(litres) was in the \(vessels[a].name) to transfer"
            }
        case .addGrain(let role, let kg):
            guard let v = index(role) else { return "no \(role.displayName) in the simulated brewery" }
            vessels[v].add(grain: kg, at: site.ambient)
        }
        return nil
    }
}

// MARK: - Snapshot and restore (a resumed simulation continues exactly)

extension SimulatedPlant {
    /// The whole physical and integration state: plant time, every vessel (`SimulatedVessel.Snapshot`)
    /// and the probe-noise generator. A plant restored from it, stepped with the same actuators,
    /// goes on bit for bit as the plant it was taken from would have. Injected faults are not kept
    /// (test and demonstration only; see `SimulatedVessel.Snapshot`).
    public struct Snapshot: Hashable, Sendable, Codable {
        /// Plant time, s (summed in physics steps, so not always a round number of ticks).
        public var now: Double
        /// The physics step it was integrated with, s: another step would be another simulation.
        public var step: Double
        public var vessels: [SimulatedVessel.Snapshot]
        public var random: SeededRandom.State

        public init(now: Double, step: Double, vessels: [SimulatedVessel.Snapshot], random: SeededRandom.State) {
            self.now = now
            self.step = step
            self.vessels = vessels
            self.random = random
        }
    }

    /// Why a plant cannot be restored from a snapshot (it was taken on a different rig).
    public struct RestoreError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    public func snapshot() -> Snapshot {
        Snapshot(now: now.seconds, step: step.value, vessels: vessels.map { $0.snapshot() }, random: random.state)
    }

    /// Continues from `snapshot`, or throws without changing anything when it does not fit this
    /// plant (another number of vessels, physics step or probe dead time).
    public mutating func restore(_ snapshot: Snapshot) throws(RestoreError) {
        guard snapshot.vessels.count == vessels.count else {
            throw RestoreError(description: "the saved plant has \(snapshot.vessels.count) vessels, this rig \(vessels.count)")
        }
        guard snapshot.step == step.value else {
            throw RestoreError(description: "the saved plant was simulated in steps of \(snapshot.step) s, this rig's step is \(step.value) s")
        }
        for (v, s) in zip(vessels, snapshot.vessels) {
            if let why = v.mismatch(s) { throw RestoreError(description: why) }
        }
        for i in vessels.indices { vessels[i].restore(snapshot.vessels[i]) }
        now = Instant(seconds: snapshot.now)
        random = SeededRandom(state: snapshot.random)
    }
}
