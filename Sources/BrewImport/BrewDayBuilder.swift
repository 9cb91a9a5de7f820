import Foundation

/// Turns a draft into a complete brew day in brewctl's recipe TOML (docs/recipes.md), with the
/// estimates and warnings written as comments at the top.
struct BrewDayBuilder {
    var draft: Draft
    let source: String
    let format: SourceFormat
    let position: (index: Int, count: Int)

    private var body: [String] = []
    private var notesExtra: [String] = []

    init(draft: Draft, source: String, format: SourceFormat, position: (Int, Int)) {
        self.draft = draft
        self.source = source
        self.format = format
        self.position = position
    }

    static let absorptionPerKg = 1.0 // L of water the grain keeps
    static let strikeRatio = 3.0 // L/kg when the source gives no strike volume

    mutating func build() -> String {
        var d = draft
        let boilMinutes: Double
        if let b = d.boilMinutes, b > 0, b <= 24 * 60 {
            boilMinutes = b
        } else {
            boilMinutes = 60
            d.warn("BOIL_TIME is missing or unusable; a 60 min boil is assumed")
        }
        var batch = d.batchLitres ?? 0
        if batch <= 0 || batch > 10_000 {
            batch = 20
            d.warn("BATCH_SIZE is missing or unusable; a 20 L batch is assumed")
            d.comments.append("Batch size not in the source: 20 L assumed.")
        }
        var boilSize = d.boilLitres ?? 0
        if boilSize <= 0 || boilSize > 10_000 {
            boilSize = (batch * 1.1 + boilMinutes / 60 * 3 * 10).rounded() / 10
            d.comments.append("Boil size not in the source: estimated as \(Fmt.litres(boilSize)) (batch + 10 % + 3 L/h of boil-off).")
        }
        let grainKg = d.grains.reduce(0) { $0 + $1.kilograms }

        // MARK: Mash
        var steps: [[String]] = []
        var mashWater = 0.0
        var strikeLitres = 0.0
        if grainKg > 0 {
            var mashSteps = d.mashSteps
            if mashSteps.isEmpty {
                d.warn("MASH has no usable steps; a single 60 min rest at 66 C is assumed")
                d.comments.append("Mash steps not in the source: one 60 min rest at 66 C assumed.")
                mashSteps = [.init(name: "Mash", type: "Infusion", temperature: 66, minutes: 60)]
            }
            // Keep only steps we can run.
            var usable: [Draft.MashStep] = []
            for var s in mashSteps {
                let label = "MASH_STEP \"\(s.name)\""
                guard let t = s.temperature else {
                    d.warn("\(label) has no usable STEP_TEMP; skipped")
                    continue
                }
                guard t >= 0, t <= 105 else {
                    d.warn("\(label) temperature \(Fmt.celsius(t)) is outside 0–105 C; skipped")
                    continue
                }
                guard let m = s.minutes, m > 0 else {
                    d.warn("\(label) has a zero or missing STEP_TIME; skipped")
                    continue
                }
                if m > 30 * 1440 { s.minutes = 30 * 1440; d.warn("\(label) is longer than 30 days; shortened") }
                if s.type.lowercased().contains("decoction") {
                    d.warn("\(label) (type \(s.type)) imported as a rest; decoction is done by hand")
                }
                usable.append(s)
            }
            if usable.isEmpty {
                d.warn("no mash step could be imported; a single 60 min rest at 66 C is assumed")
                usable = [.init(name: "Mash", type: "Infusion", temperature: 66, minutes: 60)]
            }
            let first = usable[0]
            var strikeEstimated = false
            if let l = first.infuseLitres, l > 0, l <= 10_000 {
                strikeLitres = l
            } else {
                strikeLitres = (grainKg * Self.strikeRatio * 10).rounded() / 10
                strikeEstimated = true
            }
            mashWater = strikeLitres
            var extraInfusions: [Int: Double] = [:]
            for (i, s) in usable.enumerated() where i > 0 {
                if s.type.lowercased().contains("infusion"), let l = s.infuseLitres, l > 0, l <= 10_000 {
                    extraInfusions[i] = l
                    mashWater += l
                }
            }
            let runoff = max(0, min(mashWater - grainKg * Self.absorptionPerKg, boilSize))
            var sparge: Double
            var spargeEstimated = false
            if let s = d.spargeLitres, s > 0 {
                sparge = s
            } else {
                sparge = max(0, boilSize - runoff)
                spargeEstimated = true
            }
            sparge = (sparge * 10).rounded() / 10
            let total = mashWater + sparge
            var waterComment = ["Water: \(Fmt.litres(mashWater)) for the mash\(strikeEstimated ? " (estimated at \(Fmt.number(Self.strikeRatio)) L/kg of grain)" : "") + \(Fmt.litres(sparge)) sparge\(spargeEstimated ? " (estimated: enough to reach the boil size of \(Fmt.litres(boilSize)), the grain keeping \(Fmt.number(Self.absorptionPerKg)) L/kg)" : "")."]
            if strikeEstimated || spargeEstimated { waterComment.append("Check these volumes against your own system before brewing.") }

            // Strike temperature.
            let grainT = d.grainTemperature.flatMap { $0 > 0 && $0 < 50 ? $0 : nil } ?? 20
            let mashT = first.temperature!
            var strike: Double
            var strikeNote: String
            if let t = first.infuseTemperature, t >= mashT, t <= 100 {
                strike = t
                strikeNote = "Strike temperature from the source."
            } else {
                let ratio = strikeLitres / grainKg
                strike = mashT + 0.41 / ratio * (mashT - grainT)
                strike = min(strike, 100)
                strikeNote = "Strike temperature estimated for \(Fmt.number(ratio, places: 2)) L/kg and grain at \(Fmt.celsius(grainT)) (T = mash + 0.41 / ratio × (mash − grain))."
            }
            steps.append(Self.comment(waterComment) + [
                "name = \(TOML.string("Fill the HLT"))",
                "kind = \"confirm\"",
                "message = \(TOML.string("Fill the HLT with \(Fmt.litres(total)) of water, then confirm"))",
                "actions = [\(TOML.inline([("action", "\"fill\""), ("vessel", "\"hlt\""), ("volume", TOML.string(Fmt.litres(total)))]))]",
            ])
            steps.append(Self.comment([strikeNote]) + [
                "name = \(TOML.string("Heat strike water"))",
                "kind = \"heat\"",
                "vessel = \"hlt\"",
                "temperature = \(TOML.string(Fmt.celsiusHalf(strike)))",
            ])
            steps.append([
                "name = \(TOML.string("Mash in"))",
                "kind = \"confirm\"",
                "message = \(TOML.string("Run \(Fmt.litres(strikeLitres)) into the mash tun, stir in \(Fmt.kilograms(grainKg)) of grain, then confirm"))",
                "actions = [",
                "    \(TOML.inline([("action", "\"transfer\""), ("from", "\"hlt\""), ("to", "\"mash_tun\""), ("volume", TOML.string(Fmt.litres(strikeLitres)))])),",
                "    \(TOML.inline([("action", "\"add_grain\""), ("vessel", "\"mash_tun\""), ("mass", TOML.string(Fmt.kilograms(grainKg)))])),",
                "]",
            ])
            for (i, s) in usable.enumerated() {
                if let l = extraInfusions[i] {
                    var message = "Add \(Fmt.litres(l)) of hot water from the HLT to the mash"
                    if let t = s.infuseTemperature { message += " (the source infuses it at \(Fmt.celsius(t)))" }
                    steps.append([
                        "name = \(TOML.string("Infusion: \(s.name)"))",
                        "kind = \"confirm\"",
                        "message = \(TOML.string(message + ", then confirm"))",
                        "actions = [\(TOML.inline([("action", "\"transfer\""), ("from", "\"hlt\""), ("to", "\"mash_tun\""), ("volume", TOML.string(Fmt.litres(l)))]))]",
                    ])
                }
                if let r = s.rampMinutes, r > 0 {
                    steps.append([
                        "name = \(TOML.string("Ramp to \(s.name)"))",
                        "kind = \"ramp\"",
                        "vessel = \"mash_tun\"",
                        "temperature = \(TOML.string(Fmt.celsius(s.temperature!)))",
                        "duration = \(TOML.string(Fmt.minutes(min(r, 30 * 1440))))",
                    ])
                }
                steps.append([
                    "name = \(TOML.string(s.name))",
                    "kind = \"rest\"",
                    "vessel = \"mash_tun\"",
                    "temperature = \(TOML.string(Fmt.celsius(s.temperature!)))",
                    "duration = \(TOML.string(Fmt.minutes(s.minutes!)))",
                ])
            }
            steps.append(["name = \(TOML.string("Mash off"))", "kind = \"off\"", "vessel = \"mash_tun\""])
            var spargeActions: [String] = []
            if runoff > 0.05 {
                spargeActions.append("    \(TOML.inline([("action", "\"transfer\""), ("from", "\"mash_tun\""), ("to", "\"kettle\""), ("volume", TOML.string(Fmt.litres(runoff)))])),")
            }
            if sparge > 0.05 {
                spargeActions.append("    \(TOML.inline([("action", "\"transfer\""), ("from", "\"hlt\""), ("to", "\"kettle\""), ("volume", TOML.string(Fmt.litres(sparge)))])),")
            }
            steps.append([
                "name = \(TOML.string("Sparge"))",
                "kind = \"confirm\"",
                "message = \(TOML.string("Run off and sparge until the kettle holds \(Fmt.litres(runoff + sparge)), then confirm"))",
                "actions = ["] + spargeActions + ["]"])
            steps.append(["name = \(TOML.string("HLT off"))", "kind = \"off\"", "vessel = \"hlt\""])
        } else {
            d.warn("no grain to mash (extract recipe or empty grain bill); the brew day starts with filling the kettle")
            steps.append([
                "name = \(TOML.string("Fill the kettle"))",
                "kind = \"confirm\"",
                "message = \(TOML.string("Fill the kettle with \(Fmt.litres(boilSize)) of water (and dissolve any extract), then confirm"))",
                "actions = [\(TOML.inline([("action", "\"fill\""), ("vessel", "\"kettle\""), ("volume", TOML.string(Fmt.litres(boilSize)))]))]",
            ])
        }

        // MARK: Boil
        var additions: [(order: Double, text: String)] = []
        for a in d.boilAdditions {
            var at: String
            var order: Double
            switch a.at {
            case .firstWort:
                at = "first wort"; order = .infinity
            case .flameout:
                at = "flameout"; order = -1
            case .left(let m):
                var minutes = m
                if m.isInfinite {
                    minutes = boilMinutes
                } else if m > boilMinutes {
                    d.warn("\(a.element) at \(Fmt.minutes(m)) is longer than the \(Fmt.minutes(boilMinutes)) boil; added at the start of the boil (\(Fmt.minutes(boilMinutes)))")
                    minutes = boilMinutes
                }
                at = Fmt.minutes(minutes); order = minutes
            }
            var pairs = [("what", TOML.string(a.what))]
            if let amount = a.amount { pairs.append(("amount", TOML.string(amount))) }
            pairs.append(("type", TOML.string(a.type)))
            pairs.append(("at", TOML.string(at)))
            additions.append((order, "    \(TOML.inline(pairs)),"))
        }
        additions = additions.enumerated().sorted { ($0.element.order, -$0.offset) > ($1.element.order, -$1.offset) }.map(\.element)
        var boil = [
            "name = \(TOML.string("Boil"))",
            "kind = \"boil\"",
            "vessel = \"kettle\"",
            "duration = \(TOML.string(Fmt.minutes(boilMinutes)))",
        ]
        if !additions.isEmpty { boil += ["additions = ["] + additions.map(\.text) + ["]"] }
        steps.append(Self.comment(["`at` is the time left in the boil."]) + boil)

        // MARK: Whirlpool
        if !d.whirlpool.isEmpty {
            let longest = min(d.whirlpool.map(\.minutes).max() ?? 0, 240)
            var lines = [
                "name = \(TOML.string("Whirlpool"))",
                "kind = \"whirlpool\"",
                "vessel = \"kettle\"",
                "duration = \(TOML.string(Fmt.minutes(longest)))",
            ]
            if let t = d.whirlpoolTemperature, t > 0, t <= 105 { lines.append("temperature = \(TOML.string(Fmt.celsius(t)))") }
            lines.append("additions = [")
            for w in d.whirlpool.sorted(by: { $0.minutes > $1.minutes }) {
                var pairs = [("what", TOML.string(w.what))]
                if let amount = w.amount { pairs.append(("amount", TOML.string(amount))) }
                pairs.append(("type", TOML.string(w.type)))
                pairs.append(("at", TOML.string(Fmt.minutes(min(w.minutes, longest)))))
                lines.append("    \(TOML.inline(pairs)),")
            }
            lines.append("]")
            steps.append(Self.comment(["Whirlpool (hop stand) additions: `at` is the time left in the whirlpool."]) + lines)
        }

        // MARK: Chill and into the fermenter
        var stages = d.stages.filter { _ in true }
        var pitch = d.pitchTemperature ?? stages.first?.temperature ?? d.yeastTemperature
        if pitch == nil || pitch! < 0 || pitch! > 40 {
            pitch = 20
            d.warn("no fermentation temperature in the source; chilling to 20 C")
        }
        steps.append([
            "name = \(TOML.string("Chill"))",
            "kind = \"chill\"",
            "vessel = \"kettle\"",
            "temperature = \(TOML.string(Fmt.celsius(pitch!)))",
        ])
        let yeast = d.yeasts.isEmpty ? "the yeast" : d.yeasts.joined(separator: " and ")
        steps.append([
            "name = \(TOML.string("Into the fermenter"))",
            "kind = \"confirm\"",
            "message = \(TOML.string("Run \(Fmt.litres(batch)) of wort into the fermenter and pitch \(yeast), then confirm"))",
            "actions = [\(TOML.inline([("action", "\"transfer\""), ("from", "\"kettle\""), ("to", "\"fermenter\""), ("volume", TOML.string(Fmt.litres(batch)))]))]",
        ])

        // MARK: Ferment
        var profileKnown = true
        var checked: [Draft.Stage] = []
        for var s in stages {
            if s.temperature < 0 || s.temperature > 40 {
                d.warn("fermentation stage \"\(s.name)\" at \(Fmt.celsius(s.temperature)) is outside 0–40 C; skipped")
                continue
            }
            if s.days <= 0 {
                s.days = 14
                profileKnown = false
                d.warn("fermentation stage \"\(s.name)\" has no length; 14 d assumed")
            }
            s.days = min(s.days, 365)
            checked.append(s)
        }
        stages = checked
        if stages.isEmpty, !d.yeasts.isEmpty {
            let t = d.yeastTemperature.flatMap { $0 > 0 && $0 <= 40 ? $0 : nil } ?? pitch!
            d.warn("no fermentation stages in the source; a 14 d primary at \(Fmt.celsius(t)) is assumed")
            stages = [.init(name: "Primary", kind: .hold, temperature: t, days: 14)]
            profileKnown = false
        }
        if stages.isEmpty {
            d.warn("no fermentation data and no yeast; no ferment step")
        } else {
            let total = stages.reduce(0) { $0 + $1.days }
            let fermentEnd = stages.filter { !$0.conditioning }.reduce(0) { $0 + $1.days }
            var alertLines: [String] = []
            var alertComments: [String] = []
            for h in d.dryHops {
                var day: Double
                let label = "\(h.amount.map { "\($0) " } ?? "")\(h.what)"
                if let given = h.day {
                    day = given
                    alertComments.append("Dry hop \(h.what): on day \(Fmt.number(given)), as the source says.")
                } else if profileKnown, fermentEnd > 0, let contact = h.contactDays, contact > 0 {
                    day = fermentEnd - contact
                    if day < 0 {
                        d.warn("dry hop \"\(h.what)\" has \(Fmt.days(contact)) of contact, longer than the \(Fmt.days(fermentEnd)) of fermentation; added at the start")
                        day = 0
                    }
                    alertComments.append("Dry hop \(h.what): \(Fmt.days(contact)) of contact before the end of fermentation (day \(Fmt.number(fermentEnd))), so on day \(Fmt.number(day)).")
                } else {
                    day = 3
                    alertComments.append("Dry hop \(h.what): the end of fermentation is not known, so on day 3\(h.contactDays.map { " (\(Fmt.days($0)) of contact)" } ?? "").")
                }
                day = min(max(0, day), total)
                var message = "Dry hop: \(label)"
                if let c = h.contactDays, c > 0 { message += " for \(Fmt.days(c))" }
                alertLines.append("    \(TOML.inline([("message", TOML.string(message)), ("at", TOML.string(Fmt.days(day)))])),")
            }
            var ferment = Self.comment(["Fermentation: `at` of an alert is the time since this step started."] + alertComments) + [
                "name = \(TOML.string("Ferment"))",
                "kind = \"ferment\"",
                "vessel = \"fermenter\"",
            ]
            if !alertLines.isEmpty { ferment += ["alerts = ["] + alertLines + ["]"] }
            for s in stages {
                ferment += [
                    "",
                    "[[steps.stages]]",
                    "name = \(TOML.string(s.name))",
                    "kind = \"\(s.kind.rawValue)\"",
                    "temperature = \(TOML.string(Fmt.celsius(s.temperature)))",
                    "duration = \(TOML.string(Fmt.days(s.days)))",
                ]
            }
            steps.append(ferment)
        }
        if !d.dryHops.isEmpty && stages.isEmpty {
            for h in d.dryHops { d.unmapped.append("Dry hop: \(h.amount ?? "?") \(h.what)") }
        }

        // MARK: Assemble
        var out: [String] = []
        let where_ = position.count > 1 ? ", recipe \(position.index) of \(position.count)" : ""
        out += TOML.comment("Imported by brewctl import from \(source) (\(format.rawValue))\(where_).")
        out += TOML.comment("Read it through before brewing: some values may be estimates (see the comments below).")
        if d.warnings.isEmpty {
            out += TOML.comment("No warnings.")
        } else {
            out += TOML.comment("Warnings:")
            for w in d.warnings { out += TOML.comment("- \(w)") }
        }
        for c in d.comments { out += TOML.comment(c) }
        out.append("")
        out.append("name = \(TOML.string(d.name))")
        if let style = d.style { out.append("style = \(TOML.string(style))") }
        out.append("batch_volume = \(TOML.string(Fmt.litres(batch)))")
        out.append("notes = \(TOML.multiline(notes(d, grainKg: grainKg)))")
        for s in steps {
            out.append("")
            out.append("[[steps]]")
            out += s
        }
        draft = d
        return out.joined(separator: "\n") + "\n"
    }

    static func comment(_ lines: [String]) -> [String] {
        lines.flatMap { TOML.comment($0) }
    }

    func notes(_ d: Draft, grainKg: Double) -> String {
        var n: [String] = []
        if !d.grains.isEmpty || !d.otherFermentables.isEmpty {
            n.append("Grain bill\(grainKg > 0 ? " (\(Fmt.kilograms(grainKg)) to mash)" : ""):")
            n += d.grains.map { "- \(Fmt.kilograms($0.kilograms)) \($0.name)" }
            n += d.otherFermentables.map { "- \($0)" }
        }
        if !d.hopLines.isEmpty { n.append("Hops:"); n += d.hopLines.map { "- \($0)" } }
        if !d.miscLines.isEmpty { n.append("Other additions:"); n += d.miscLines.map { "- \($0)" } }
        if !d.yeasts.isEmpty { n.append("Yeast: " + d.yeasts.joined(separator: "; ")) }
        if !d.waterLines.isEmpty { n.append("Water:"); n += d.waterLines.map { "- \($0)" } }
        if !d.unmapped.isEmpty { n.append("Not part of the brew-day steps (do these by hand):"); n += d.unmapped.map { "- \($0)" } }
        if !d.sourceNotes.isEmpty { n.append("Notes from the source:"); n += d.sourceNotes }
        n.append("Imported from \(source) (\(format.rawValue)) by brewctl import")
        return n.joined(separator: "\n")
    }
}
