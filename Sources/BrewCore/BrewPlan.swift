/// A recipe bound to a rig: every vessel role resolved to the rig's vessel index, and the
/// contents of each vessel tracked through the brew day so heating times can be estimated.
public struct BrewPlan: Sendable {
    public let recipe: Recipe
    public let vessels: [PlanVessel]
    public let boilingPoint: Celsius
    /// Vessel index controlled by each step (nil for confirmations).
    public let stepVessel: [Int?]
    /// What each vessel holds when each step starts, as the recipe's operator actions imply.
    public let contentsAtStep: [[Contents]]

    public struct PlanVessel: Hashable, Sendable {
        public var role: VesselRole
        public var name: String
        public var hasHeater: Bool
        public var hasChillerValve: Bool
        public var hasRecirculationPump: Bool
        /// Nominal heating power delivered to the contents (W), for time estimates.
        public var heatingPower: Watts
        public var emptyHeatCapacity: Double
        public var capacity: Litres
        /// Fixed power for a rolling boil, from the hardware file.
        public var boilPower: Percent
    }

    public struct Contents: Hashable, Sendable {
        public var water: Litres
        public var grain: Kilograms
        /// Heat capacity of contents and vessel, J/K.
        public func heatCapacity(empty: Double) -> Double {
            water.value * Water.density * Water.specificHeat + grain.value * Grain.specificHeat + empty
        }
    }

    public struct BindingError: Error, Hashable, Sendable, CustomStringConvertible {
        public var step: Int
        public var message: String
        public var description: String { "step \(step + 1): \(message)" }
    }

    /// Every reason a recipe cannot run on a rig, reported together.
    public struct BindingFailure: Error, Hashable, Sendable, CustomStringConvertible {
        public var errors: [BindingError]
        public var description: String { errors.map(\.description).joined(separator: "\n") }
    }

    /// Binds `recipe` to `rig`, or lists every step the rig cannot carry out.
    public static func bind(_ recipe: Recipe, to rig: RigSpec) throws(BindingFailure) -> BrewPlan {
        var errors: [BindingError] = []
        let vessels = rig.vessels.map { v in
            PlanVessel(role: v.role, name: v.name, hasHeater: v.heater != nil, hasChillerValve: v.chillerValve != nil,
                       hasRecirculationPump: v.recirculationPump != nil,
                       heatingPower: (v.heater?.power ?? Watts(0)) * (v.simulation?.heaterEfficiency ?? 0.95),
                       emptyHeatCapacity: v.simulation?.emptyHeatCapacity ?? 10_000, capacity: v.capacity,
                       boilPower: v.heater?.boilPower ?? Percent(65))
        }
        func index(_ role: VesselRole, step: Int) -> Int? {
            if let i = vessels.firstIndex(where: { $0.role == role }) { return i }
            errors.append(BindingError(step: step, message: "needs a \(role.displayName.lowercased()) (`\(role.rawValue)`), but the rig \(rig.name) has none"))
            return nil
        }
        var stepVessel: [Int?] = []
        var contents = vessels.map { v in
            Contents(water: rig.vessels.first { $0.role == v.role }?.simulation?.initialVolume ?? .zero, grain: .zero)
        }
        var contentsAtStep: [[Contents]] = []
        for (i, step) in recipe.steps.enumerated() {
            contentsAtStep.append(contents)
            if let role = step.kind.vessel {
                let v = index(role, step: i)
                stepVessel.append(v)
                if let v, !vessels[v].hasHeater {
                    switch step.kind {
                    case .heat, .rest, .ramp, .hold, .boil:
                        errors.append(BindingError(step: i, message: "\(step.kind.keyword) needs a heater on the \(vessels[v].name), and it has none"))
                    default: break
                    }
                }
            } else {
                stepVessel.append(nil)
            }
            if case .confirm(_, let actions) = step.kind {
                for action in actions {
                    switch action {
                    case .fill(let role, let litres):
                        if let v = index(role, step: i) { contents[v].water = contents[v].water + litres }
                    case .transfer(let from, let to, let litres):
                        if let a = index(from, step: i), let b = index(to, step: i) {
                            let moved = min(litres, contents[a].water)
                            contents[a].water = contents[a].water - moved
                            contents[b].water = contents[b].water + moved
                        }
                    case .addGrain(let role, let kg):
                        if let v = index(role, step: i) { contents[v].grain = Kilograms(contents[v].grain.value + kg.value) }
                    }
                }
            }
        }
        if !errors.isEmpty { throw BindingFailure(errors: errors) }
        return BrewPlan(recipe: recipe, vessels: vessels, boilingPoint: rig.site.boilingPoint,
                        stepVessel: stepVessel, contentsAtStep: contentsAtStep)
    }

    /// Full-power heating rate of a vessel with the contents it has at a step, K/s.
    public func heatingRate(vessel: Int, atStep step: Int) -> Double {
        let v = vessels[vessel]
        let c = contentsAtStep[min(step, contentsAtStep.count - 1)][vessel]
        return v.heatingPower.value / c.heatCapacity(empty: v.emptyHeatCapacity)
    }
}
