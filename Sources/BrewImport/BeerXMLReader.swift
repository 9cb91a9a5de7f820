import Foundation

/// Reads BeerXML 1.0 `<RECIPE>` elements into drafts. Numbers are metric in the standard (kg, L,
/// °C, minutes, days), but real exports put units in them ("170.5 F"), leave them empty or "-",
/// and some put Fahrenheit in °C fields; each case is handled and warned about.
enum BeerXMLReader {
    static func read(_ root: XNode) -> [Draft] {
        var recipes = root.name == "RECIPE" ? [root] : root.descendants("RECIPE")
        // <RECIPES><RECIPE> is the standard; accept a bare <RECIPE> too.
        if recipes.isEmpty, root.child("NAME") != nil, root.child("MASH") != nil || root.child("HOPS") != nil {
            recipes = [root]
        }
        return recipes.enumerated().map { read($0.element, index: $0.offset + 1) }
    }

    // MARK: Field helpers

    /// A number field, falling back to its DISPLAY_ twin, converted by `convert`.
    static func field(_ n: XNode, _ key: String, display: String? = nil, _ convert: (Measure) -> Double?) -> Double? {
        if let m = Measure(text: n.value(key)), let v = convert(m) { return v }
        if let d = display ?? Optional("DISPLAY_" + key), let m = Measure(text: n.value(d)), m.unit != nil, let v = convert(m) { return v }
        return nil
    }

    static func bool(_ n: XNode, _ key: String) -> Bool {
        guard let v = n.value(key)?.lowercased() else { return false }
        return v == "true" || v == "1" || v == "yes"
    }

    /// A °C field where a bare value above `limit` is taken to be Fahrenheit (some exporters
    /// write °F into the °C fields). Returns the value and whether it was converted.
    static func temperature(_ n: XNode, _ key: String, limit: Double, display: String? = nil) -> (Double, Bool)? {
        if let m = Measure(text: n.value(key)) {
            if m.unit == nil, m.value > limit {
                let c = (m.value - 32) * 5 / 9
                return (c, true)
            }
            if let c = m.celsius { return (c, false) }
        }
        if let d = display ?? Optional("DISPLAY_" + key), let m = Measure(text: n.value(d)), m.unit != nil, let c = m.celsius {
            return (c, false)
        }
        return nil
    }

    static func read(_ r: XNode, index: Int) -> Draft {
        let rawName = r.value("NAME")?.trimmingCharacters(in: .whitespacesAndNewlines)
        var d = Draft(name: rawName ?? "Recipe \(index)")
        if rawName == nil { d.warn("RECIPE \(index) has no NAME; named \"Recipe \(index)\"") }

        if let s = r.child("STYLE") {
            d.style = Draft.style(name: s.value("NAME"), category: s.value("CATEGORY"), number: s.value("CATEGORY_NUMBER"),
                                  letter: s.value("STYLE_LETTER"), guide: s.value("STYLE_GUIDE"))
        }
        let equipment = r.child("EQUIPMENT")
        d.batchLitres = field(r, "BATCH_SIZE") { $0.litres } ?? equipment.flatMap { field($0, "BATCH_SIZE") { $0.litres } }
        d.boilLitres = field(r, "BOIL_SIZE") { $0.litres } ?? equipment.flatMap { field($0, "BOIL_SIZE") { $0.litres } }
        d.boilMinutes = field(r, "BOIL_TIME") { $0.minutes } ?? equipment.flatMap { field($0, "BOIL_TIME") { $0.minutes } }
        if let b = d.batchLitres, b <= 0 { d.batchLitres = nil }
        if let b = d.boilLitres, b <= 0 { d.boilLitres = nil }

        readFermentables(r, &d)
        readMash(r, &d)
        readHops(r, &d)
        readMiscs(r, &d)
        readYeasts(r, &d)
        readWaters(r, &d)
        readFermentation(r, &d)
        for key in ["NOTES", "TASTE_NOTES"] {
            if let t = r.value(key) { d.sourceNotes.append(t) }
        }
        return d
    }

    // MARK: Sections

    static func readFermentables(_ r: XNode, _ d: inout Draft) {
        for f in r.child("FERMENTABLES")?.children("FERMENTABLE") ?? [] {
            let name = f.value("NAME") ?? "Fermentable"
            let type = (f.value("TYPE") ?? "Grain").lowercased()
            guard let kg = field(f, "AMOUNT", { $0.kilograms }), kg > 0 else {
                d.warn("FERMENTABLE \"\(name)\" has no usable AMOUNT; listed in the notes only")
                d.unmapped.append("\(name) (no amount in the source)")
                continue
            }
            let afterBoil = bool(f, "ADD_AFTER_BOIL")
            let sugarLike = type.contains("sugar") || type.contains("extract") || type.contains("honey")
            if afterBoil {
                d.boilAdditions.append(.init(what: name, amount: Fmt.kilograms(kg), type: "sugar", at: .flameout, element: "FERMENTABLE \"\(name)\""))
                d.otherFermentables.append("\(Fmt.kilograms(kg)) \(name) (added after the boil)")
                d.warn("FERMENTABLE \"\(name)\" is added after the boil; imported as a flameout addition")
            } else if sugarLike {
                d.otherFermentables.append("\(Fmt.kilograms(kg)) \(name) (\(type); into the kettle, not the mash)")
            } else {
                d.grains.append(.init(name: name, kilograms: kg))
            }
        }
    }

    static func readMash(_ r: XNode, _ d: inout Draft) {
        guard let mash = r.child("MASH") else { return }
        d.grainTemperature = temperature(mash, "GRAIN_TEMP", limit: 50)?.0
        let steps = mash.child("MASH_STEPS")?.children("MASH_STEP") ?? []
        d.mashStepsFound = !steps.isEmpty
        // Fahrenheit written into STEP_TEMP: a mash step above 100 "°C" is impossible.
        let fahrenheit = steps.contains { s in
            guard let m = Measure(text: s.value("STEP_TEMP")), m.unit == nil else { return false }
            return m.value > 100
        }
        if fahrenheit {
            d.warn("MASH_STEP temperatures are above 100, so they were read as °F (BeerXML wants °C)")
        }
        for s in steps {
            let name = s.value("NAME") ?? "Mash step"
            var step = Draft.MashStep(name: name, type: s.value("TYPE") ?? "Infusion")
            if let m = Measure(text: s.value("STEP_TEMP")) {
                step.temperature = fahrenheit && m.unit == nil ? (m.value - 32) * 5 / 9 : m.celsius
            } else if let m = Measure(text: s.value("DISPLAY_STEP_TEMP")), m.unit != nil {
                step.temperature = m.celsius
            }
            step.minutes = field(s, "STEP_TIME") { $0.minutes }
            step.rampMinutes = field(s, "RAMP_TIME") { $0.minutes }
            step.infuseLitres = field(s, "INFUSE_AMOUNT", display: "DISPLAY_INFUSE_AMT") { $0.litres }
            if let t = temperature(s, "INFUSE_TEMP", limit: 100, display: "DISPLAY_INFUSE_TEMP") {
                step.infuseTemperature = t.0
            }
            d.mashSteps.append(step)
        }
    }

    static func readHops(_ r: XNode, _ d: inout Draft) {
        for h in r.child("HOPS")?.children("HOP") ?? [] {
            let name = h.value("NAME") ?? "Hop"
            let element = "HOP \"\(name)\""
            let kg = field(h, "AMOUNT") { $0.kilograms }
            let amount = kg.map(Fmt.grams)
            let use = (h.value("USE") ?? "Boil").lowercased()
            let minutes = field(h, "TIME") { $0.minutes }
            let alpha = Measure(text: h.value("ALPHA"))?.value
            var line = "\(amount ?? "?") \(name)"
            if let alpha, alpha > 0 { line += " (\(Fmt.number(alpha)) % AA)" }
            line += ", \(use)"
            if let minutes { line += use.contains("dry") ? " \(Fmt.days(minutes / 1440))" : " \(Fmt.minutes(minutes))" }
            d.hopLines.append(line)
            if kg == nil { d.warn("\(element) has no usable AMOUNT") }
            switch use {
            case "boil":
                guard let minutes else {
                    d.warn("\(element) (use Boil) has no usable TIME; added at the start of the boil")
                    d.boilAdditions.append(.init(what: name, amount: amount, type: "hop", at: .left(.infinity), element: element))
                    continue
                }
                d.boilAdditions.append(.init(what: name, amount: amount, type: "hop", at: minutes <= 0 ? .flameout : .left(minutes), element: element))
            case "first wort", "first_wort", "firstwort", "fwh":
                d.boilAdditions.append(.init(what: name, amount: amount, type: "hop", at: .firstWort, element: element))
            case "aroma", "whirlpool", "hop stand", "hopstand":
                if let minutes, minutes > 0 {
                    d.whirlpool.append(.init(what: name, amount: amount, type: "hop", minutes: minutes))
                } else {
                    d.boilAdditions.append(.init(what: name, amount: amount, type: "hop", at: .flameout, element: element))
                }
            case "dry hop", "dry_hop", "dryhop", "dry":
                d.dryHops.append(.init(what: name, amount: amount, contactDays: minutes.map { $0 / 1440 }, day: nil))
            case "mash":
                d.warn("\(element) (use Mash) cannot be timed by brewctl; listed in the notes, add it to the mash by hand")
                d.unmapped.append("Mash hop: \(amount ?? "?") \(name)")
            default:
                d.warn("\(element) has use \"\(h.value("USE") ?? "")\", which brewctl does not know; listed in the notes")
                d.unmapped.append("Hop (\(use)): \(amount ?? "?") \(name)")
            }
        }
    }

    static func readMiscs(_ r: XNode, _ d: inout Draft) {
        for m in r.child("MISCS")?.children("MISC") ?? [] {
            let name = m.value("NAME") ?? "Misc"
            let element = "MISC \"\(name)\""
            let isWeight = m.child("AMOUNT_IS_WEIGHT") == nil ? nil : bool(m, "AMOUNT_IS_WEIGHT")
            var amount: String?
            if isWeight == false {
                amount = field(m, "AMOUNT") { $0.litres }.map(Fmt.millilitres)
            } else {
                amount = field(m, "AMOUNT") { $0.kilograms }.map(Fmt.grams)
            }
            if let display = m.value("DISPLAY_AMOUNT"), let dm = Measure(text: display), dm.value > 0,
               let unit = dm.unit, ["tsp", "tbsp", "each", "items", "item", "tablet", "tablets", "pkg", "pkgs"].contains(unit) {
                amount = "\(Fmt.number(dm.value, places: 2)) \(unit)"
            }
            let type = Draft.miscType(name: name, type: m.value("TYPE"))
            let use = (m.value("USE") ?? "Boil").lowercased()
            let minutes = field(m, "TIME") { $0.minutes }
            d.miscLines.append("\(amount ?? "?") \(name) (\(type)), \(use)\(minutes.map { use == "boil" ? " \(Fmt.minutes($0))" : "" } ?? "")")
            switch use {
            case "boil":
                let at: Draft.At = minutes.map { $0 <= 0 ? .flameout : .left($0) } ?? .left(.infinity)
                if minutes == nil { d.warn("\(element) (use Boil) has no usable TIME; added at the start of the boil") }
                d.boilAdditions.append(.init(what: name, amount: amount, type: type, at: at, element: element))
            default:
                let where_ = ["mash": "the mash", "sparge": "the sparge water", "primary": "the fermenter (primary)",
                              "secondary": "the fermenter (secondary)", "bottling": "bottling"][use] ?? "\"\(m.value("USE") ?? "")\""
                d.warn("\(element) (use \(m.value("USE") ?? "?")) goes into \(where_), which brewctl does not time; listed in the notes")
                d.unmapped.append("\(amount ?? "?") \(name) into \(where_)")
            }
        }
    }

    static func readYeasts(_ r: XNode, _ d: inout Draft) {
        for y in r.child("YEASTS")?.children("YEAST") ?? [] {
            var name = y.value("NAME") ?? "Yeast"
            let extra = [y.value("LABORATORY"), y.value("PRODUCT_ID")].compactMap { $0 }.joined(separator: " ")
            if !extra.isEmpty { name += " (\(extra))" }
            if bool(y, "ADD_TO_SECONDARY") { name += ", into the secondary" }
            d.yeasts.append(name)
            if d.yeastTemperature == nil,
               let lo = temperature(y, "MIN_TEMPERATURE", limit: 40, display: "DISP_MIN_TEMP")?.0,
               let hi = temperature(y, "MAX_TEMPERATURE", limit: 40, display: "DISP_MAX_TEMP")?.0,
               lo > 0, hi >= lo, hi <= 40 {
                d.yeastTemperature = (lo + hi) / 2
            }
        }
    }

    static func readWaters(_ r: XNode, _ d: inout Draft) {
        for w in r.child("WATERS")?.children("WATER") ?? [] {
            let name = w.value("NAME") ?? "Water"
            var line = name
            if let l = field(w, "AMOUNT", { $0.litres }), l > 0 { line += ", \(Fmt.litres(l))" }
            let ions = [("Ca", "CALCIUM"), ("Mg", "MAGNESIUM"), ("Na", "SODIUM"), ("SO4", "SULFATE"), ("Cl", "CHLORIDE"), ("HCO3", "BICARBONATE")]
                .compactMap { sym, key in Measure(text: w.value(key)).map { "\(sym) \(Fmt.number($0.value, places: 0))" } }
            if !ions.isEmpty { line += " (ppm: " + ions.joined(separator: ", ") + ")" }
            d.waterLines.append(line)
        }
    }

    static func readFermentation(_ r: XNode, _ d: inout Draft) {
        let parts = [("Primary", "PRIMARY_AGE", "PRIMARY_TEMP", false), ("Secondary", "SECONDARY_AGE", "SECONDARY_TEMP", false),
                     ("Tertiary", "TERTIARY_AGE", "TERTIARY_TEMP", false), ("Conditioning", "AGE", "AGE_TEMP", true)]
        var missingAge: [String] = []
        for (name, ageKey, tempKey, conditioning) in parts {
            let days = field(r, ageKey) { $0.minutes(bare: 1440).map { $0 / 1440 } }
            let temp = temperature(r, tempKey, limit: 40)
            if let (c, converted) = temp, converted {
                d.warn("\(tempKey) \(r.value(tempKey) ?? "") is above 40, so it was read as °F (\(Fmt.celsius(c)))")
            }
            guard let days, days > 0 else {
                if let t = temp?.0, t > 0, days == nil, !conditioning { missingAge.append(name); d.yeastTemperature = d.yeastTemperature ?? t
                    if name == "Primary" { d.stages.append(.init(name: name, kind: .hold, temperature: t, days: 0)) }
                }
                continue
            }
            var c = temp?.0
            if c == nil || c! <= 0 {
                c = d.stages.last?.temperature ?? d.yeastTemperature ?? 20
                d.warn("\(ageKey) \(Fmt.number(days)) d has no usable \(tempKey); held at \(Fmt.celsius(c!))")
            }
            d.stages.append(.init(name: name, kind: .hold, temperature: c!, days: days, conditioning: conditioning))
        }
        if !missingAge.isEmpty {
            d.warn("\(missingAge.joined(separator: ", ")) fermentation has a temperature but no age (PRIMARY_AGE etc.)")
        }
    }
}
