/// What the plan can know in advance about a step that could never end on this rig: a target
/// beyond the vessel's hard limit or the local boiling point, a chill below the coolant, an
/// element or a pump with too little liquid to cover or draw (docs/recipes.md, "What validate
/// checks against the rig"). Errors are certain; warnings are only possibly wrong.
extension BrewPlan {
    /// A problem with one step; `warning` when the step may still work.
    public struct Finding: Hashable, Sendable, CustomStringConvertible {
        public var step: Int
        public var message: String
        public var warning: Bool
        public var description: String { "step \(step + 1): \(warning ? "warning: " : "")\(message)" }
    }

    /// An overshoot of the PID brings a target this close to `max_temperature` to the limit.
    public static let limitMargin = Kelvin(2)
    /// A chill target this close above the coolant takes long: the last kelvins come slowly.
    public static let coolantMargin = Kelvin(3)
    /// Latent heat of evaporation of water, J/kg (boil-off estimate).
    static let latentHeat = 2.26e6

    static func limitFindings(_ recipe: Recipe, on rig: RigSpec, stepVessel: [Int?], contentsAtStep: [[Contents]]) -> [Finding] {
        var out: [Finding] = []
        let bp = rig.site.boilingPoint
        let altitude = "\(Format.fixed(rig.site.altitude.value, 0)) m"
        for (i, step) in recipe.steps.enumerated() {
            guard i < stepVessel.count, let v = stepVessel[i], v < rig.vessels.count, i < contentsAtStep.count else { continue }
            let spec = rig.vessels[v]
            let name = spec.name
            let held = contentsAtStep[i][v]
            func error(_ m: String) { out.append(Finding(step: i, message: m, warning: false)) }
            func warn(_ m: String) { out.append(Finding(step: i, message: m, warning: true)) }

            /// A temperature the heater regulates to (`what`: "the rest at 68 °C").
            func regulated(_ t: Celsius, _ what: String) {
                let limit = spec.maxTemperature
                if t >= limit {
                    error("\(what) is at or above the \(name)'s max_temperature of \(limit): the heater is forced off there, so the step "
                          + "could never end; lower the temperature, or raise max_temperature in the hardware file if the vessel allows it")
                } else if t.value > limit.value - limitMargin.value {
                    warn("\(what) is within \(Format.fixed(limitMargin.value, 0)) K of the \(name)'s max_temperature of \(limit): an overshoot "
                         + "switches the heater off with an alarm")
                }
                if t > bp {
                    error("\(what) is above the boiling point here (\(bp) at \(altitude)): water never gets hotter, so the step could never "
                          + "end; heat to below \(bp), or use a boil step")
                } else if t.value > bp.value - 1 {
                    warn("\(what) is within 1 K of the boiling point here (\(bp) at \(altitude)): the kettle may boil instead of "
                         + "reaching it; use a boil step for a boil")
                }
            }
            /// A temperature reached by cooling with the vessel's chiller (or the one the brewer runs).
            func chilled(_ t: Celsius, _ what: String) {
                let coolant = rig.coolant(of: spec)
                let source = spec.coolantTemperature == nil ? "the mains water (`mains_water` in [site])"
                                                            : "the \(name)'s coolant (`coolant_temperature`)"
                if t <= coolant {
                    error("\(what) is at or below \(source) at \(coolant): nothing chills below its coolant, so the step could never end; "
                          + "chill to above \(coolant), or set the coolant's real temperature in the hardware file")
                } else if t.value < coolant.value + coolantMargin.value {
                    warn("\(what) is within \(Format.fixed(coolantMargin.value, 0)) K of \(source) at \(coolant): the last kelvins "
                         + "come very slowly")
                }
            }
            /// Liquid that must cover the element while the step heats.
            func covered(_ water: Litres, heating: String) {
                guard spec.heater != nil, let least = spec.minVolume, least.value > 0 else { return }
                if water.value <= 0 {
                    warn("\(heating) with the element, but the recipe never says what the \(name) holds: it needs at least "
                         + "\(least) (`min_volume`) to cover the element; say so with a fill or transfer action")
                } else if water < least {
                    error("\(heating) with \(water) in the \(name), below the \(least) that covers its element (`min_volume`): the "
                          + "element would be held off for good; put in at least \(least)")
                }
            }
            /// Liquid the recirculation pump draws from while the vessel is heated (RIMS/HERMS).
            func recirculated(_ water: Litres, heating: String) {
                guard spec.recirculationPump != nil else { return }
                let least = spec.minPumpVolume ?? .zero
                if water.value <= 0 {
                    warn("\(heating) with the recirculation pump, but the recipe never says what the \(name) holds: the pump "
                         + "needs liquid to draw from; say so with a fill or transfer action")
                } else if water < least {
                    error("\(heating) with \(water) in the \(name), below the \(least) its recirculation pump needs to draw from "
                          + "(`min_pump_volume`): the pump would run dry at once and the element stay off; put in at least \(least)")
                }
            }

            switch step.kind {
            case .heat(_, let t):
                regulated(t, "heating to \(t)")
                covered(held.water, heating: "heats")
                recirculated(held.water, heating: "heats")
            case .rest(_, let t, _):
                regulated(t, "the rest at \(t)")
                covered(held.water, heating: "rests")
                recirculated(held.water, heating: "rests")
            case .ramp(_, let t, _):
                regulated(t, "the ramp to \(t)")
                covered(held.water, heating: "ramps")
                recirculated(held.water, heating: "ramps")
            case .hold(_, let t):
                regulated(t, "holding \(t)")
                covered(held.water, heating: "holds")
                recirculated(held.water, heating: "holds")
            case .boil(_, let duration, _, let power):
                if bp >= spec.maxTemperature {
                    error("the boil needs the boiling point here (\(bp) at \(altitude)), at or above the \(name)'s max_temperature of "
                          + "\(spec.maxTemperature): the heater is forced off before it boils; raise max_temperature, or boil in another vessel")
                } else if bp.value > spec.maxTemperature.value - limitMargin.value {
                    warn("the boiling point here (\(bp)) is within \(Format.fixed(limitMargin.value, 0)) K of the \(name)'s "
                         + "max_temperature of \(spec.maxTemperature): a probe reading high switches the heater off")
                }
                covered(held.water, heating: "boils")
                if let heater = spec.heater, let least = spec.minVolume, held.water > least {
                    // What a rolling boil evaporates at most (no heat lost through the walls).
                    let share = (power ?? heater.boilPower).value / 100 * min(1, heater.maximumDuty.value / 100)
                    let efficiency = spec.simulation?.heaterEfficiency ?? 0.95
                    let boiledOff = heater.power.value * share * efficiency * duration.value / latentHeat / Water.density
                    let left = held.water.value - boiledOff
                    if left < least.value {
                        warn("the boil may evaporate up to \(Format.fixed(boiledOff, 1)) L, leaving \(Format.fixed(max(0, left), 1)) L in "
                             + "the \(name), below the \(least) that covers its element (`min_volume`): the element would be switched "
                             + "off mid-boil; start with more wort, or boil at lower power")
                    }
                }
            case .chill(_, let t):
                chilled(t, "chilling to \(t)")
            case .whirlpool(_, _, let t?, _):
                chilled(t, "cooling to \(t) for the whirlpool")
            case .ferment(_, let profile):
                for stage in profile.stages {
                    let t = stage.temperature
                    if spec.heater != nil { regulated(t, "the stage “\(stage.name)” at \(t)") }
                    if spec.chillerValve != nil, t < rig.site.ambient { chilled(t, "the stage “\(stage.name)” at \(t)") }
                }
                if spec.heater != nil { covered(held.water, heating: "ferments") }
            case .distill(_, let run):
                let charge = run.charge ?? held.water
                covered(charge, heating: "distils")
                for condition in run.cuts.compactMap(\.until) + [run.end] {
                    guard case .headTemperature(let t) = condition else { continue }
                    if t > bp {
                        error("a cut waits for \(t) at the column head, above the boiling point of water here (\(bp) at \(altitude)): "
                              + "the vapour never gets hotter, so the run could never end; cut at or below \(bp)")
                    } else if t >= spec.maxTemperature {
                        error("a cut waits for \(t) at the column head, but the pot is held below its max_temperature of "
                              + "\(spec.maxTemperature): the vapour cannot get that hot; cut lower, or raise max_temperature")
                    }
                }
                if spec.maxTemperature.value < 80 {
                    error("the \(name)'s max_temperature of \(spec.maxTemperature) is below the boiling point of any wash (78 °C for "
                          + "pure ethanol, higher with water): it could never distil; raise max_temperature")
                }
            case .off, .confirm, .whirlpool, .transfer, .sparge:
                break
            }
        }
        return out
    }
}
