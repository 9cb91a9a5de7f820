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

    /// Binds `recipe` to `rig` to be run, or lists every step the rig cannot carry out and every
    /// step this release cannot run.
    public static func bind(_ recipe: Recipe, to rig: RigSpec) throws(BindingFailure) -> BrewPlan {
        let (plan, fitErrors) = check(recipe, on: rig)
        var errors = fitErrors
        for (i, step) in recipe.steps.enumerated() {
            if let reason = notYetRunnable(step.kind) { errors.append(BindingError(step: i, message: reason)) }
        }
        errors.sort { $0.step < $1.step }
        guard errors.isEmpty, let plan else { throw BindingFailure(errors: errors) }
        return plan
    }

    /// Why this release cannot run a step kind, if it cannot (the recipe language and
    /// `brewctl validate` already cover it).
    public static func notYetRunnable(_ kind: StepKind) -> String? {
        switch kind {
        case .transfer:
            "metered transfers with a pump and flow meter are checked but not yet run by this release; "
                + "use a confirm step with a transfer action"
        case .sparge(let s) where s.mode == .automated:
            "automated sparging is checked but not yet run by this release; use mode = \"manual\""
        case .ferment:
            "fermentation profiles are checked but not yet run by this release"
        case .distill:
            "distillation runs are checked but not yet run by this release"
        default:
            nil
        }
    }

    /// Whether `recipe` fits `rig`: every vessel role present, with the heater, sensors, pumps and
    /// capacity each step needs. Returns the plan when it fits, and every problem otherwise.
    public static func check(_ recipe: Recipe, on rig: RigSpec) -> (plan: BrewPlan?, errors: [BindingError]) {
        let r = review(recipe, on: rig)
        return (r.plan, r.errors)
    }

    /// `check`, and the warnings: what may still work but probably will not (docs/recipes.md).
    public static func review(_ recipe: Recipe, on rig: RigSpec) -> (plan: BrewPlan?, errors: [BindingError], warnings: [BindingError]) {
        var errors: [BindingError] = []
        let vessels = rig.vessels.map { v in
            PlanVessel(role: v.role, name: v.name, hasHeater: v.heater != nil, hasChillerValve: v.chillerValve != nil,
                       hasRecirculationPump: v.recirculationPump != nil,
                       heatingPower: (v.heater?.power ?? Watts(0)) * (v.simulation?.heaterEfficiency ?? 0.95),
                       emptyHeatCapacity: v.simulation?.emptyHeatCapacity ?? 10_000, capacity: v.capacity,
                       boilPower: v.heater?.boilPower ?? Percent(65))
        }
        var missingRoles: Set<VesselRole> = []
        func index(_ role: VesselRole, step: Int) -> Int? {
            if let i = vessels.firstIndex(where: { $0.role == role }) { return i }
            if missingRoles.insert(role).inserted {
                errors.append(BindingError(step: step, message: "needs a \(role.displayName.lowercased()) (`\(role.rawValue)`), but the rig \(rig.name) has none"))
            }
            return nil
        }
        func fail(_ step: Int, _ message: String) { errors.append(BindingError(step: step, message: message)) }
        func show(_ l: Litres) -> String { "\(Format.fixed(l.value, l.value == l.value.rounded() ? 0 : 1)) L" }
        var stepVessel: [Int?] = []
        var contents = vessels.map { v in
            Contents(water: rig.vessels.first { $0.role == v.role }?.simulation?.initialVolume ?? .zero, grain: .zero)
        }
        var contentsAtStep: [[Contents]] = []
        var overfull: Set<Int> = []
        func add(_ litres: Litres, to v: Int, step: Int) {
            contents[v].water = contents[v].water + litres
            // Grain takes up room too: about 0.67 L per kg once wetted.
            let volume = contents[v].water.value + contents[v].grain.value * 0.67
            if volume > vessels[v].capacity.value + 1e-9, overfull.insert(v).inserted {
                fail(step, "needs \(show(Litres(volume.rounded()))) in the \(vessels[v].name), which holds \(show(vessels[v].capacity))")
            }
        }
        func move(_ litres: Litres, from a: Int, to b: Int, step: Int) {
            let moved = min(litres, contents[a].water)
            contents[a].water = contents[a].water - moved
            add(litres, to: b, step: step)
        }
        func apply(_ actions: [OperatorAction], step i: Int) {
            for action in actions {
                switch action {
                case .fill(let role, let litres):
                    if let v = index(role, step: i) { add(litres, to: v, step: i) }
                case .transfer(let from, let to, let litres):
                    if let a = index(from, step: i), let b = index(to, step: i) { move(litres, from: a, to: b, step: i) }
                case .addGrain(let role, let kg):
                    if let v = index(role, step: i) {
                        contents[v].grain = Kilograms(contents[v].grain.value + kg.value)
                        add(.zero, to: v, step: i)
                    }
                }
            }
        }
        for (i, step) in recipe.steps.enumerated() {
            contentsAtStep.append(contents)
            for role in step.kind.vessels.dropFirst() { _ = index(role, step: i) }
            guard let role = step.kind.vessel else {
                stepVessel.append(nil)
                if let prompt = step.kind.manualPrompt { apply(prompt.actions, step: i) }
                continue
            }
            let v = index(role, step: i)
            stepVessel.append(v)
            guard let v, let spec = rig.vessels.first(where: { $0.role == role }) else { continue }
            let name = spec.name
            switch step.kind {
            case .heat, .rest, .ramp, .hold, .boil:
                if !vessels[v].hasHeater { fail(i, "\(step.kind.keyword) needs a heater on the \(name), and it has none") }
            case .transfer(_, let to, let litres):
                if spec.pump == nil || spec.flowMeter == nil {
                    fail(i, "a metered transfer needs a pump and a flow meter on the \(name) (`pump`, `flow_meter` in the hardware file); "
                         + "without them, write a confirm step with a transfer action")
                }
                if let b = index(to, step: i) { move(litres, from: v, to: b, step: i) }
            case .sparge(let sparge):
                if sparge.mode == .automated {
                    for (r, what) in [(sparge.from, "sparge water"), (sparge.vessel, "run-off")] {
                        if let other = rig.vessels.first(where: { $0.role == r }), other.pump == nil || other.flowMeter == nil {
                            fail(i, "an automated sparge meters the \(what) with a pump and a flow meter on the \(other.name), and it has "
                                 + "\(other.pump == nil ? "no pump" : "no flow meter"); use mode = \"manual\" or add them to the hardware file")
                        }
                    }
                }
                apply(sparge.actions, step: i)
            case .ferment(_, let profile):
                let ambient = rig.site.ambient
                let temperatures = profile.stages.map(\.temperature)
                if spec.heater == nil && spec.chillerValve == nil {
                    fail(i, "fermentation needs a way to control the \(name)'s temperature: a heater (heating belt) or a cooling valve (`chiller_valve`)")
                } else {
                    if let cold = temperatures.min(), cold < ambient, spec.chillerValve == nil {
                        fail(i, "the profile goes down to \(cold), below the room's \(ambient), and the \(name) has no cooling (`chiller_valve`)")
                    }
                    if let warm = temperatures.max(), warm > ambient, spec.heater == nil {
                        fail(i, "the profile goes up to \(warm), above the room's \(ambient), and the \(name) has no heater")
                    }
                }
                if profile.stages.contains(where: { $0.until != nil }), spec.gravitySensor == nil {
                    fail(i, "a stage advances on gravity, but the \(name) has no gravity sensor (`gravity_sensor` in the hardware file)")
                }
            case .distill(_, let run):
                if spec.heater == nil { fail(i, "distilling needs a heater on the \(name), and it has none") }
                if spec.coolantFlow == nil {
                    fail(i, "the \(name) has no condenser coolant flow sensor (`coolant_flow`): brewctl will not heat a still it cannot prove is cooled")
                }
                if run.needsHeadTemperature, spec.headSensor == nil {
                    fail(i, "cuts are switched on the vapour temperature at the column head, but the \(name) has no `head_sensor`")
                }
                if !spec.receivers.isEmpty {
                    let names = spec.receivers.map(\.name)
                    for cut in run.cuts where !names.contains(cut.receiver) {
                        let hint = names.first { $0.lowercased() == cut.receiver.lowercased() } ?? names.first { $0.hasPrefix(String(cut.receiver.prefix(3))) }
                        fail(i, "the \(cut.fraction.rawValue) go to receiver `\(cut.receiver)`, but the \(name) has only "
                             + names.map { "`\($0)`" }.joined(separator: ", ") + (hint.map { "; did you mean `\($0)`?" } ?? ""))
                    }
                }
                if let charge = run.charge, charge > spec.capacity {
                    fail(i, "the charge of \(show(charge)) does not fit the \(name), which holds \(show(spec.capacity))")
                }
            case .chill, .off, .whirlpool, .confirm:
                break
            }
        }
        let findings = limitFindings(recipe, on: rig, stepVessel: stepVessel, contentsAtStep: contentsAtStep)
        errors += findings.filter { !$0.warning }.map { BindingError(step: $0.step, message: $0.message) }
        // Step by step, and within a step in the order found.
        errors = errors.enumerated().sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }.map(\.element)
        let warnings = findings.filter(\.warning).map { BindingError(step: $0.step, message: $0.message) }
        guard errors.isEmpty else { return (nil, errors, warnings) }
        return (BrewPlan(recipe: recipe, vessels: vessels, boilingPoint: rig.site.boilingPoint,
                         stepVessel: stepVessel, contentsAtStep: contentsAtStep), [], warnings)
    }

    /// Full-power heating rate of a vessel with the contents it has at a step, K/s.
    public func heatingRate(vessel: Int, atStep step: Int) -> Double {
        let v = vessels[vessel]
        let c = contentsAtStep[min(step, contentsAtStep.count - 1)][vessel]
        return v.heatingPower.value / c.heatCapacity(empty: v.emptyHeatCapacity)
    }
}
