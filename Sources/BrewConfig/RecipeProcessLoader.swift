import Foundation
import BrewCore

// Readers for the step kinds with more structure than a temperature and a time: sparge,
// fermentation profiles and distillation runs. Same conventions as RecipeLoader: report every
// problem where it is, return nil for anything that could not be read.
extension RecipeLoader {
    static let stageKeys = ["name", "kind", "temperature", "duration", "until"]
    static let alertKeys = ["message", "at"]
    /// Fermentation happens between a cold crash just above freezing and a saison's free rise.
    static let fermentationBounds = Bounds.between(-2, 40, Show.celsius)

    // MARK: Sparge

    static func readSparge(_ s: TableReader) -> Sparge? {
        let vessel = role(s, "vessel")
        let from = s.contains("from") ? role(s, "from") : .hotLiquorTank
        let to = s.contains("to") ? role(s, "to") : .kettle
        let water = s.quantity("volume", .volume, required: true, bounds: volumeBounds, context: "the sparge water")
        let collect = s.contains("collect") ? s.quantity("collect", .volume, bounds: volumeBounds, context: "the wort collected") : nil
        let mode = s.contains("mode")
            ? s.choice("mode", what: "sparge mode", options: ["manual", "automated"]) { Sparge.Mode(rawValue: $0.lowercased()) }
            : .manual
        let message = s.contains("message") ? s.string("message", expected: "what the brewer should do, in quotes", longest: InputLimits.textLength) : nil
        if let vessel, let from, vessel == from {
            s.report("from", .value, "the sparge water comes from the vessel being sparged", expected: "the HLT (or another vessel than `vessel`)")
            return nil
        }
        if let vessel, let to, vessel == to {
            s.report("to", .value, "the wort runs off into the vessel being sparged", expected: "the kettle (or another vessel than `vessel`)")
            return nil
        }
        guard let vessel, let from, let to, let water, let mode,
              !s.contains("collect") || collect != nil, !s.contains("message") || message != nil else { return nil }
        return Sparge(vessel: vessel, from: from, to: to, water: Litres(water), collect: collect.map(Litres.init), mode: mode, message: message)
    }

    // MARK: Fermentation

    static func readFermentation(_ s: TableReader) -> FermentationProfile? {
        guard let items = s.array("stages", required: true,
                                  expected: "stages, each written as a [[steps.stages]] table with name, kind, temperature and duration") else { return nil }
        if items.isEmpty {
            s.report("stages", .value, "the fermentation has no stages", expected: "at least one stage")
            return nil
        }
        var ok = true
        var stages: [FermentationStage] = []
        for (index, item) in items.enumerated() {
            let path = s.path.appending("stages").appending(index: index)
            guard case .table(let table) = item else {
                s.diagnostics.report(path, .value, "found \(item.typeDescription)",
                                     expected: "a stage like { name = \"Primary\", kind = \"hold\", temperature = \"19 C\", duration = \"7 d\" }")
                ok = false
                continue
            }
            let r = TableReader(path: path, table: table, diagnostics: s.diagnostics, what: "a fermentation stage")
            if let stage = readStage(r) { stages.append(stage) } else { ok = false }
        }
        let alerts = readAlerts(s, profileLength: ok ? FermentationProfile(stages: stages).plannedDuration : nil)
        guard ok, let alerts else { return nil }
        return FermentationProfile(stages: stages, alerts: alerts)
    }

    static func readStage(_ r: TableReader) -> FermentationStage? {
        let name = r.string("name", required: true, expected: "the stage's name in quotes, like \"Diacetyl rest\"")
        let kind = r.choice("kind", required: true, what: "stage kind", options: ["hold", "ramp"]) { ["hold", "ramp"].contains($0.lowercased()) ? $0.lowercased() : nil }
        if let kind { r.what = "a \(kind) stage" }
        let temperature = r.quantity("temperature", .temperature, required: true, bounds: fermentationBounds, context: "fermentation")
        let durationBounds = Bounds.positive(max: 365 * 86_400, Show.duration)
        var duration: Double?
        if r.contains("duration") {
            duration = r.quantity("duration", .duration, bounds: durationBounds, context: "a fermentation stage")
        } else if kind == "ramp" || (kind == "hold" && !r.contains("until")) {
            r.missing("duration", expected: kind == "ramp" ? "how long the ramp takes, like \"24 h\""
                                                          : "how long to hold, like \"7 d\" (or an `until` condition)")
        }
        var until: AdvanceCondition??  = .some(nil)
        if r.contains("until") {
            if kind == "ramp" {
                r.report("until", .key, "`until` does not apply to a ramp stage", suggestion: "a ramp ends when its duration has passed; put `until` on a hold stage")
                until = nil
            } else {
                until = readUntil(r).map { .some($0) }
            }
        }
        r.checkKeys(known: stageKeys)
        guard let name, let kind, let temperature, let until, !r.contains("duration") || duration != nil else { return nil }
        let t = Celsius(temperature)
        return FermentationStage(name: name, kind: kind == "ramp" ? .ramp(to: t) : .hold(t),
                                 duration: duration.map(Seconds.init), until: until)
    }

    static func readUntil(_ r: TableReader) -> AdvanceCondition? {
        let expected = "a condition like { gravity = \"1.012\" } or { gravity = \"1.012\", for = \"24 h\" }"
        guard let u = r.table("until", what: "an `until` condition", expected: expected) else { return nil }
        let gravity = u.quantity("gravity", .gravity, required: true, bounds: .between(0.990, 1.200, { String(format: "%.3f", $0) }),
                                 context: "a fermentation")
        let stable = u.contains("for") ? u.quantity("for", .duration, bounds: .nonNegative(max: 30 * 86_400, Show.duration), context: "a gravity condition") : 0
        u.checkKeys(known: ["gravity", "for"])
        guard let gravity, let stable else { return nil }
        return .gravity(atOrBelow: SpecificGravity(gravity), stableFor: Seconds(stable))
    }

    static func readAlerts(_ s: TableReader, profileLength: Seconds?) -> [TimedAlert]? {
        guard s.contains("alerts") else { return [] }
        guard let items = s.array("alerts", expected: "a list of alerts like [{ message = \"Dry hop: 100 g Citra\", at = \"3 d\" }]") else { return nil }
        var ok = true
        var out: [TimedAlert] = []
        for (index, item) in items.enumerated() {
            let path = s.path.appending("alerts").appending(index: index)
            guard case .table(let table) = item else {
                s.diagnostics.report(path, .value, "found \(item.typeDescription)", expected: "an alert like { message = \"Dry hop\", at = \"3 d\" }")
                ok = false
                continue
            }
            let a = TableReader(path: path, table: table, diagnostics: s.diagnostics, what: "an alert")
            let message = a.string("message", required: true, expected: "what to tell the brewer, like \"Dry hop: 100 g Citra\"", longest: InputLimits.textLength)
            let at = a.quantity("at", .duration, required: true, bounds: .nonNegative(max: 365 * 86_400, Show.duration), context: "an alert")
            if let at, let profileLength, at > profileLength.value {
                a.report("at", .value, "\(Format.duration(Seconds(at))) is after the end of the fermentation (\(Format.duration(profileLength)))",
                         expected: "a time from the start of the fermentation, up to \(Format.duration(profileLength))")
                ok = false
            }
            a.checkKeys(known: alertKeys)
            if let message, let at { out.append(TimedAlert(message, at: Seconds(at))) } else { ok = false }
        }
        return ok ? out : nil
    }
}

/// Reads a `distill` step.
enum DistillLoader {
    static let cutKeys = ["fraction", "receiver", "until"]
    static let conditionKeys = ["volume", "head_temperature", "duration"]
    static let botanicalKeys = ["method", "macerate", "items"]
    static let headBounds = Bounds.between(20, 105, Show.celsius)

    static func read(_ s: TableReader) -> DistillationRun? {
        let kind = s.choice("run", required: true, what: "run", options: DistillationRun.Kind.allCases.map(\.rawValue)) {
            DistillationRun.Kind(rawValue: $0.lowercased())
        }
        let charge = s.contains("charge") ? s.quantity("charge", .volume, bounds: RecipeLoader.volumeBounds, context: "a still charge") : nil
        let abv = s.contains("charge_abv") ? s.quantity("charge_abv", .percent, bounds: .between(0, 96, Show.percent), context: "a charge") : nil
        let powerBounds = Bounds.between(1, 100, Show.percent)
        let heatPower = s.contains("heat_power") ? s.quantity("heat_power", .percent, bounds: powerBounds, context: "the heat-up") : 100
        let power = s.quantity("power", .percent, required: true, bounds: powerBounds, context: "the run")
        let equilibrate = s.contains("equilibrate")
            ? s.quantity("equilibrate", .duration, bounds: .nonNegative(max: 12 * 3600, Show.duration), context: "full reflux") : nil
        var botanicals: Botanicals?? = .some(nil)
        if s.contains("botanicals") {
            if let kind, kind != .gin {
                s.report("botanicals", .key, "botanicals belong to a gin run, and this is a \(kind.rawValue) run", suggestion: "set run = \"gin\"")
                botanicals = nil
            } else {
                botanicals = readBotanicals(s).map { .some($0) }
            }
        } else if kind == .gin {
            s.missing("botanicals", expected: "the botanicals, like { method = \"basket\", items = [{ what = \"Juniper\", amount = \"250 g\" }] }")
            botanicals = nil
        }
        let cuts = readCuts(s, kind: kind)
        let end = readCondition(s, "end", required: true, what: "the run's end")
        guard let kind, let power, let heatPower, let botanicals, let cuts, let end,
              !s.contains("charge") || charge != nil, !s.contains("charge_abv") || abv != nil,
              !s.contains("equilibrate") || equilibrate != nil else { return nil }
        if !checkOrder(s, cuts: cuts, end: end) { return nil }
        return DistillationRun(kind: kind, charge: charge.map(Litres.init), chargeABV: abv.map(Percent.init),
                               heatUpPower: Percent(heatPower), runPower: Percent(power), equilibrate: equilibrate.map(Seconds.init),
                               botanicals: botanicals, cuts: cuts, end: end)
    }

    static func readBotanicals(_ s: TableReader) -> Botanicals? {
        let expected = "a table like { method = \"basket\", items = [{ what = \"Juniper\", amount = \"250 g\" }] }"
        guard let b = s.table("botanicals", what: "the botanicals", expected: expected) else { return nil }
        let method = b.choice("method", required: true, what: "botanical method", options: ["basket", "maceration"]) {
            ["basket", "maceration"].contains($0.lowercased()) ? $0.lowercased() : nil
        }
        var macerate: Double?
        if method == "maceration" {
            macerate = b.quantity("macerate", .duration, required: true, bounds: .positive(max: 14 * 86_400, Show.duration), context: "a maceration")
        }
        var items: [Botanicals.Item]? = []
        if let list = b.array("items", required: true, expected: "a list like [{ what = \"Juniper\", amount = \"250 g\" }]") {
            for (index, item) in list.enumerated() {
                let path = b.path.appending("items").appending(index: index)
                guard case .table(let table) = item else {
                    b.diagnostics.report(path, .value, "found \(item.typeDescription)", expected: "a botanical like { what = \"Juniper\", amount = \"250 g\" }")
                    items = nil
                    continue
                }
                let r = TableReader(path: path, table: table, diagnostics: b.diagnostics, what: "a botanical")
                let what = r.string("what", required: true, expected: "the botanical, like \"Juniper\"")
                let amount = r.contains("amount") ? r.string("amount", expected: "how much, in quotes, like \"250 g\"") : nil
                r.checkKeys(known: ["what", "amount"])
                if let what, !r.contains("amount") || amount != nil { items?.append(.init(what, amount: amount)) } else { items = nil }
            }
            if list.isEmpty { b.report("items", .value, "no botanicals listed", expected: "at least one botanical") ; items = nil }
        } else {
            items = nil
        }
        b.checkKeys(known: botanicalKeys, applicable: method == "basket" ? ["method", "items"] : botanicalKeys)
        guard let method, let items else { return nil }
        if method == "maceration" {
            guard let macerate else { return nil }
            return Botanicals(method: .maceration(Seconds(macerate)), items: items)
        }
        return Botanicals(method: .basket, items: items)
    }

    static func readCuts(_ s: TableReader, kind: DistillationRun.Kind?) -> [Cut]? {
        guard let items = s.array("cuts", required: true, expected: "cuts, each written as a [[steps.cuts]] table with fraction, receiver and until") else { return nil }
        if items.isEmpty {
            s.report("cuts", .value, "the run has no cuts", expected: "at least one cut")
            return nil
        }
        var ok = true
        var cuts: [Cut] = []
        for (index, item) in items.enumerated() {
            let path = s.path.appending("cuts").appending(index: index)
            guard case .table(let table) = item else {
                s.diagnostics.report(path, .value, "found \(item.typeDescription)", expected: "a cut like { fraction = \"hearts\", receiver = \"hearts\", until = { head_temperature = \"94 C\" } }")
                ok = false
                continue
            }
            let c = TableReader(path: path, table: table, diagnostics: s.diagnostics, what: "a cut")
            let fraction = c.choice("fraction", required: true, what: "fraction", options: Cut.Fraction.allCases.map(\.rawValue)) {
                Cut.Fraction(rawValue: $0.lowercased().replacingOccurrences(of: " ", with: "_"))
            }
            let receiver = c.contains("receiver") ? c.string("receiver", expected: "the receiver's name, as the still lists it") : fraction?.rawValue
            let last = index == items.count - 1
            let until = c.contains("until") ? readCondition(c, "until", required: true, what: "the cut's end") : nil
            if !last, !c.contains("until") {
                c.missing("until", expected: "when to switch to the next cut, like { head_temperature = \"82 C\" } or { volume = \"1.5 L\" }")
            }
            if fraction == .foreshots {
                if index != 0 {
                    c.report("fraction", .value, "foreshots come first", expected: "the foreshots as the first cut")
                    ok = false
                }
                if let until, case .volume = until {} else if c.contains("until") || !last {
                    c.report("until", .value, "foreshots are cut by volume", expected: "{ volume = \"…\" }, e.g. 50 mL per 10 L of charge")
                    ok = false
                }
            }
            c.checkKeys(known: cutKeys)
            if let fraction, let receiver, last || until != nil, !c.contains("until") || until != nil {
                cuts.append(Cut(fraction, receiver: receiver, until: until))
            } else {
                ok = false
            }
        }
        if ok, kind == .spirit || kind == .gin {
            if cuts.first?.fraction != .foreshots {
                s.report("cuts", .value, "a \(kind?.rawValue ?? "") run must start with the foreshots, which are thrown away",
                         expected: "a first cut { fraction = \"foreshots\", until = { volume = \"…\" } }")
                ok = false
            }
            if !cuts.contains(where: { $0.fraction == .hearts }) {
                s.report("cuts", .value, "a \(kind?.rawValue ?? "") run has no hearts cut", expected: "a cut with fraction = \"hearts\"")
                ok = false
            }
        }
        return ok ? cuts : nil
    }

    /// `{ volume = "…" }`, `{ head_temperature = "…" }` or `{ duration = "…" }`: exactly one.
    static func readCondition(_ s: TableReader, _ key: String, required: Bool, what: String) -> CutCondition? {
        let expected = "one of { volume = \"1.5 L\" }, { head_temperature = \"94 C\" } or { duration = \"3 h\" }"
        guard let c = s.table(key, required: required, what: what, expected: expected) else { return nil }
        c.checkKeys(known: conditionKeys)
        let present = conditionKeys.filter(c.contains)
        guard present.count == 1, let which = present.first else {
            s.report(key, .value, present.isEmpty ? "\(what) has no condition" : "\(what) has \(present.count) conditions", expected: expected)
            return nil
        }
        switch which {
        case "volume":
            return c.quantity("volume", .volume, bounds: RecipeLoader.volumeBounds, context: what).map { .volume(Litres($0)) }
        case "head_temperature":
            return c.quantity("head_temperature", .temperature, bounds: headBounds, context: "a column head").map { .headTemperature(Celsius($0)) }
        default:
            return c.quantity("duration", .duration, bounds: .positive(max: 48 * 3600, Show.duration), context: what).map { .duration(Seconds($0)) }
        }
    }

    /// Vapour-temperature cuts must rise: the head only gets hotter as the run goes on.
    static func checkOrder(_ s: TableReader, cuts: [Cut], end: CutCondition) -> Bool {
        var last: Celsius?
        var ok = true
        for (index, cut) in cuts.enumerated() {
            guard case .headTemperature(let t) = cut.until else { continue }
            if let last, t <= last {
                s.diagnostics.report(s.path.appending("cuts").appending(index: index).appending("until"), .value,
                                     "the \(cut.fraction.rawValue) cut at \(t) is not hotter than the cut before it (\(last))",
                                     expected: "head temperatures that rise from cut to cut")
                ok = false
            }
            last = t
        }
        if case .headTemperature(let t) = end, let last, t < last {
            s.report("end", .value, "the run ends at \(t), before the last cut at \(last)", expected: "an end at or above \(last)")
            ok = false
        }
        return ok
    }
}
