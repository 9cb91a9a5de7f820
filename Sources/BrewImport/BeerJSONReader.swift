import Foundation

/// Reads BeerJSON 1.0 recipes (`{"beerjson": {"recipes": [...]}}`) into drafts. Quantities are
/// `{ "unit": "g", "value": 30 }` objects; the older draft layout some tools still write
/// (`fermentable_bill`, `boil_time` on the recipe, `timing.use` as an object) is read too.
enum BeerJSONReader {
    typealias Obj = [String: Any]

    static func recipes(in root: Any) -> [Obj]? {
        guard let top = root as? Obj else {
            if let list = root as? [Any] { return list.compactMap { $0 as? Obj } }
            return nil
        }
        let body = (top["beerjson"] as? Obj) ?? (top["BeerJSON"] as? Obj) ?? top
        if let list = body["recipes"] as? [Any] { return list.compactMap { $0 as? Obj } }
        if let one = body["recipe"] as? Obj { return [one] }
        if body["ingredients"] != nil || body["mash"] != nil { return [body] }
        return nil
    }

    static func read(_ recipes: [Obj]) -> [Draft] {
        recipes.enumerated().map { read($0.element, index: $0.offset + 1) }
    }

    // MARK: Values

    static func string(_ o: Obj?, _ key: String) -> String? {
        guard let v = o?[key] else { return nil }
        if let s = v as? String {
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? nil : t
        }
        if let n = v as? NSNumber { return n.stringValue }
        return nil
    }

    /// A `{unit, value}` object, a bare number, or text like "60 min".
    static func measure(_ v: Any?) -> Measure? {
        switch v {
        case let o as Obj:
            guard let value = number(o["value"]) else { return nil }
            let unit = (o["unit"] as? String)?.trimmingCharacters(in: .whitespaces).lowercased()
            return Measure(value, (unit?.isEmpty ?? true) ? nil : unit?.replacingOccurrences(of: "°", with: ""))
        case let s as String:
            return Measure(text: s)
        default:
            return number(v).map { Measure($0) }
        }
    }

    static func number(_ v: Any?) -> Double? {
        if let n = v as? NSNumber {
            // JSON true/false come back as NSNumber too (type "c"); they are not quantities.
            if String(cString: n.objCType) == "c" { return nil }
            let d = n.doubleValue
            return d.isFinite ? d : nil
        }
        if let s = v as? String { return Measure(text: s)?.value }
        return nil
    }

    static func obj(_ v: Any?) -> Obj? { v as? Obj }
    static func list(_ v: Any?) -> [Obj] { (v as? [Any])?.compactMap { $0 as? Obj } ?? [] }

    static func litres(_ v: Any?) -> Double? { measure(v)?.litres }
    static func kilograms(_ v: Any?) -> Double? { measure(v)?.kilograms }
    static func celsius(_ v: Any?) -> Double? { measure(v)?.celsius }
    static func minutes(_ v: Any?) -> Double? { measure(v)?.minutes }

    /// An amount as text for the recipe: mass in g (kg for fermentables), volume in ml, else as given.
    static func amountText(_ v: Any?, gramsOnly: Bool = true) -> String? {
        guard let m = measure(v) else { return nil }
        if let kg = m.kilograms, m.unit != nil { return Fmt.grams(kg) }
        if let l = m.litres, m.unit != nil { return Fmt.millilitres(l) }
        if m.unit == nil { return Fmt.grams(m.value / 1000) } // bare: grams is the likeliest
        return "\(Fmt.number(m.value, places: 2)) \(m.unit!)"
    }

    // MARK: Recipe

    static func read(_ r: Obj, index: Int) -> Draft {
        let rawName = string(r, "name")
        var d = Draft(name: rawName ?? "Recipe \(index)")
        if rawName == nil { d.warn("recipe \(index) has no name; named \"Recipe \(index)\"") }
        if let s = obj(r["style"]) {
            d.style = Draft.style(name: string(s, "name"), category: string(s, "category"), number: string(s, "category_number"),
                                  letter: string(s, "style_letter"), guide: string(s, "style_guide"))
        }
        d.batchLitres = litres(r["batch_size"])
        let boil = obj(r["boil"]) ?? (r["boil"] as? [Any])?.first as? Obj
        d.boilLitres = litres(boil?["pre_boil_size"]) ?? litres(boil?["boil_size"]) ?? litres(r["boil_size"])
        d.boilMinutes = minutes(boil?["boil_time"]) ?? minutes(r["boil_time"])
        for step in list(boil?["boil_steps"]) {
            let text = ((string(step, "name") ?? "") + " " + (string(step, "description") ?? "")).lowercased()
            if text.contains("whirlpool") || text.contains("hop stand") || text.contains("hopstand") {
                d.whirlpoolTemperature = celsius(step["end_temperature"]) ?? celsius(step["start_temperature"])
            }
        }
        let ingredients = obj(r["ingredients"]) ?? [:]
        readFermentables(list(ingredients["fermentable_additions"]) + list(ingredients["fermentable_bill"]), &d)
        readHops(list(ingredients["hop_additions"]) + list(ingredients["hop_bill"]), boilSteps: list(boil?["boil_steps"]), &d)
        readMiscs(list(ingredients["miscellaneous_additions"]), &d)
        for c in list(ingredients["culture_additions"]) {
            var name = string(c, "name") ?? "Yeast"
            let extra = [string(c, "laboratory"), string(c, "product_id")].compactMap { $0 }.joined(separator: " ")
            if !extra.isEmpty { name += " (\(extra))" }
            d.yeasts.append(name)
            if d.yeastTemperature == nil, let range = obj(c["temperature_range"]),
               let lo = celsius(range["minimum"]), let hi = celsius(range["maximum"]), lo > 0, hi >= lo, hi <= 40 {
                d.yeastTemperature = (lo + hi) / 2
            }
        }
        for w in list(ingredients["water_additions"]) {
            var line = string(w, "name") ?? "Water"
            if let l = litres(w["amount"]), l > 0 { line += ", \(Fmt.litres(l))" }
            d.waterLines.append(line)
        }
        readMash(obj(r["mash"]), &d)
        readFermentation(obj(r["fermentation"]), &d)
        if let n = string(r, "notes") { d.sourceNotes.append(n) }
        return d
    }

    /// `timing.use` as "add_to_boil" (1.0) or `{ "add_to_boil": { "time": … } }` (draft).
    static func timing(_ item: Obj) -> (use: String, time: Any?, duration: Any?, step: Int?) {
        let t = obj(item["timing"]) ?? [:]
        if let use = t["use"] as? String {
            return (use.lowercased(), t["time"], t["duration"], number(t["step"]).map { Int($0) })
        }
        if let u = obj(t["use"]), let (key, value) = u.first {
            let inner = obj(value) ?? [:]
            return (key.lowercased(), inner["time"] ?? t["time"], inner["duration"] ?? t["duration"], number(inner["step"]).map { Int($0) })
        }
        return ("", t["time"], t["duration"], nil)
    }

    static func readFermentables(_ items: [Obj], _ d: inout Draft) {
        for f in items {
            let name = string(f, "name") ?? "Fermentable"
            let type = (string(f, "type") ?? "grain").lowercased()
            guard let kg = kilograms(f["amount"]), kg > 0 else {
                let volume = litres(f["amount"])
                d.warn("fermentable \"\(name)\" has no mass\(volume != nil ? " (it is a volume)" : ""); listed in the notes only")
                d.otherFermentables.append("\(volume.map(Fmt.litres) ?? "?") \(name) (\(type))")
                continue
            }
            let t = timing(f)
            let mashable = ["grain", "adjunct", "malt"].contains(type) || type.isEmpty
            if t.use == "add_to_boil", let left = minutes(t.time) {
                d.boilAdditions.append(.init(what: name, amount: Fmt.kilograms(kg), type: "sugar", at: left <= 0 ? .flameout : .left(left),
                                             element: "fermentable \"\(name)\""))
                d.otherFermentables.append("\(Fmt.kilograms(kg)) \(name) (\(type), into the boil)")
            } else if t.use == "add_to_fermentation" || t.use == "add_to_package" {
                d.warn("fermentable \"\(name)\" goes into the \(t.use == "add_to_package" ? "package" : "fermenter"); listed in the notes")
                d.unmapped.append("\(Fmt.kilograms(kg)) \(name) (\(t.use.replacingOccurrences(of: "_", with: " ")))")
            } else if mashable {
                d.grains.append(.init(name: name, kilograms: kg))
            } else {
                d.otherFermentables.append("\(Fmt.kilograms(kg)) \(name) (\(type); into the kettle, not the mash)")
            }
        }
    }

    static func readHops(_ items: [Obj], boilSteps: [Obj], _ d: inout Draft) {
        for h in items {
            let name = string(h, "name") ?? "Hop"
            let element = "hop \"\(name)\""
            let amount = amountText(h["amount"])
            let t = timing(h)
            let time = minutes(t.time)
            let alpha = number(obj(h["alpha_acid"])?["value"]) ?? number(h["alpha_acid"])
            var line = "\(amount ?? "?") \(name)"
            if let alpha, alpha > 0 { line += " (\(Fmt.number(alpha)) % AA)" }
            line += ", \(t.use.isEmpty ? "use unknown" : t.use.replacingOccurrences(of: "_", with: " "))"
            d.hopLines.append(line)
            let phase = (string(obj(h["timing"]), "phase") ?? "").lowercased()
            var stepText = ""
            if let s = t.step, s >= 1, s <= boilSteps.count {
                stepText = ((string(boilSteps[s - 1], "name") ?? "") + " " + (string(boilSteps[s - 1], "description") ?? "")).lowercased()
            }
            switch t.use {
            case "add_to_boil":
                let isWhirlpool = stepText.contains("whirlpool") || phase.contains("whirlpool") || phase.contains("hop stand")
                    || ((time ?? 0) <= 0 && (minutes(t.duration) ?? 0) > 0)
                if isWhirlpool {
                    let m = minutes(t.duration) ?? time ?? 0
                    if m > 0 {
                        d.whirlpool.append(.init(what: name, amount: amount, type: "hop", minutes: m))
                    } else {
                        d.boilAdditions.append(.init(what: name, amount: amount, type: "hop", at: .flameout, element: element))
                    }
                } else if phase.contains("first") || stepText.contains("first wort") || (time.map { $0 > (d.boilMinutes ?? .infinity) } ?? false) && phase.contains("wort") {
                    d.boilAdditions.append(.init(what: name, amount: amount, type: "hop", at: .firstWort, element: element))
                } else if let time {
                    d.boilAdditions.append(.init(what: name, amount: amount, type: "hop", at: time <= 0 ? .flameout : .left(time), element: element))
                } else {
                    d.warn("\(element) is added to the boil with no time; added at the start of the boil")
                    d.boilAdditions.append(.init(what: name, amount: amount, type: "hop", at: .left(.infinity), element: element))
                }
            case "add_to_fermentation":
                let day = measure(t.time).flatMap { $0.minutes(bare: 1440) }.map { $0 / 1440 }
                let contact = measure(t.duration).flatMap { $0.minutes(bare: 1440) }.map { $0 / 1440 }
                d.dryHops.append(.init(what: name, amount: amount, contactDays: contact, day: day))
            case "add_to_mash":
                d.warn("\(element) goes into the mash, which brewctl does not time; listed in the notes, add it by hand")
                d.unmapped.append("Mash hop: \(amount ?? "?") \(name)")
            default:
                d.warn("\(element) has timing use \"\(t.use)\", which brewctl does not know; listed in the notes")
                d.unmapped.append("Hop (\(t.use.isEmpty ? "no timing" : t.use)): \(amount ?? "?") \(name)")
            }
        }
    }

    static func readMiscs(_ items: [Obj], _ d: inout Draft) {
        for m in items {
            let name = string(m, "name") ?? "Misc"
            let element = "misc \"\(name)\""
            let amount = amountText(m["amount"])
            let type = Draft.miscType(name: name, type: string(m, "type"))
            let t = timing(m)
            d.miscLines.append("\(amount ?? "?") \(name) (\(type)), \(t.use.replacingOccurrences(of: "_", with: " "))")
            if t.use == "add_to_boil" {
                let time = minutes(t.time)
                if time == nil { d.warn("\(element) is added to the boil with no time; added at the start of the boil") }
                d.boilAdditions.append(.init(what: name, amount: amount, type: type, at: time.map { $0 <= 0 ? .flameout : .left($0) } ?? .left(.infinity), element: element))
            } else {
                let where_ = ["add_to_mash": "the mash", "add_to_fermentation": "the fermenter", "add_to_package": "the package"][t.use] ?? "an unknown place"
                d.warn("\(element) goes into \(where_), which brewctl does not time; listed in the notes")
                var line = "\(amount ?? "?") \(name) into \(where_)"
                if let day = measure(t.time).flatMap({ $0.minutes(bare: 1440) }), t.use == "add_to_fermentation" {
                    line += " on day \(Fmt.number(day / 1440))"
                }
                d.unmapped.append(line)
            }
        }
    }

    static func readMash(_ mash: Obj?, _ d: inout Draft) {
        guard let mash else { return }
        d.grainTemperature = celsius(mash["grain_temperature"])
        let steps = list(mash["mash_steps"])
        d.mashStepsFound = !steps.isEmpty
        for s in steps {
            var step = Draft.MashStep(name: string(s, "name") ?? "Mash step", type: string(s, "type") ?? "infusion")
            step.temperature = celsius(s["step_temperature"])
            step.minutes = minutes(s["step_time"])
            step.rampMinutes = minutes(s["ramp_time"])
            step.infuseLitres = litres(s["amount"]) ?? litres(s["infuse_amount"])
            step.infuseTemperature = celsius(s["infuse_temperature"])
            if step.type.lowercased() == "sparge" || step.type.lowercased().contains("sparge") {
                d.spargeLitres = (d.spargeLitres ?? 0) + (step.infuseLitres ?? 0)
                continue
            }
            d.mashSteps.append(step)
        }
        if d.spargeLitres == 0 { d.spargeLitres = nil }
    }

    static func readFermentation(_ f: Obj?, _ d: inout Draft) {
        guard let f else { return }
        for (i, s) in list(f["fermentation_steps"]).enumerated() {
            let name = string(s, "name") ?? "Stage \(i + 1)"
            let start = celsius(s["start_temperature"])
            let end = celsius(s["end_temperature"]) ?? start
            guard let days = measure(s["step_time"]).flatMap({ $0.minutes(bare: 1440) }).map({ $0 / 1440 }), days > 0 else {
                d.warn("fermentation step \"\(name)\" has no step_time; skipped")
                continue
            }
            guard let target = end ?? start else {
                d.warn("fermentation step \"\(name)\" has no temperature; skipped")
                continue
            }
            if d.pitchTemperature == nil { d.pitchTemperature = start ?? target }
            if let start, abs(start - target) > 0.05 {
                d.stages.append(.init(name: name, kind: .ramp, temperature: target, days: days))
            } else {
                d.stages.append(.init(name: name, kind: .hold, temperature: target, days: days))
            }
        }
    }
}
