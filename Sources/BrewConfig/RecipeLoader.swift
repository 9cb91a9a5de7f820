import Foundation
import BrewCore

/// Loads a recipe file (`Recipes/ipa.toml`) into a `Recipe`, reporting every problem in it with
/// its line and column. The keys are documented in docs/recipes.md.
public enum RecipeLoader {
    public static func load(path: String) throws(ConfigErrors) -> Recipe {
        let text = try ConfigDocument.read(path: path)
        return try parse(text, file: path)
    }

    /// Validates recipe text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ConfigErrors) -> Recipe {
        try parseLocated(text, file: file).recipe
    }

    /// A recipe with where each step starts in its file, so problems found later (the recipe
    /// does not fit the rig) can be reported at the step's line and column.
    public struct Located: Sendable {
        public var recipe: Recipe
        public var file: String
        /// Line and column of each step's `[[steps]]` table (or inline table).
        public var stepPositions: [(line: Int, column: Int)]

        /// A problem with step `index`, in the loader's own `file:line:column: error:` format.
        public func error(step index: Int, _ message: String) -> ConfigError {
            let p = index < stepPositions.count ? stepPositions[index] : (line: 0, column: 0)
            let name = index < recipe.steps.count ? recipe.steps[index].name : ""
            return ConfigError(file: file, line: p.line, column: p.column, key: "steps[\(index)]",
                               message: "step \(index + 1) (\(name)) does not fit the rig: \(message)")
        }

        /// Something about step `index` that may still work but probably will not, in the same format.
        public func warning(step index: Int, _ message: String) -> ConfigError {
            let p = index < stepPositions.count ? stepPositions[index] : (line: 0, column: 0)
            let name = index < recipe.steps.count ? recipe.steps[index].name : ""
            var w = ConfigError(file: file, line: p.line, column: p.column, key: "steps[\(index)]",
                                message: "step \(index + 1) (\(name)): \(message)")
            w.isWarning = true
            return w
        }
    }

    public static func loadLocated(path: String) throws(ConfigErrors) -> Located {
        let text = try ConfigDocument.read(path: path)
        return try parseLocated(text, file: path)
    }

    public static func parseLocated(_ text: String, file: String) throws(ConfigErrors) -> Located {
        let document = try ConfigDocument.parse(text, file: file)
        let diagnostics = Diagnostics(file: file, locator: document.locator)
        let root = TableReader(path: .root, table: document.root, diagnostics: diagnostics, what: "the recipe")
        let recipe = read(root)
        guard let recipe, diagnostics.errors.isEmpty else {
            var errors = diagnostics.sortedErrors
            if errors.isEmpty {
                errors = [ConfigError(file: file, line: 1, column: 1, key: "", message: "the file could not be read as a recipe")]
            }
            throw ConfigErrors(errors: errors)
        }
        let positions = recipe.steps.indices.map { i in
            let p = document.locator.keyPosition(ConfigPath.root.appending("steps").appending(index: i))
            return (line: p.line, column: p.column)
        }
        return Located(recipe: recipe, file: file, stepPositions: positions)
    }

    static let rootKeys = ["name", "style", "notes", "batch_volume", "steps"]
    static let stepKeys = ["name", "kind", "vessel", "temperature", "duration", "additions", "power", "message", "actions",
                           "from", "to", "volume", "collect", "mode", "stages", "alerts",
                           "run", "charge", "charge_abv", "heat_power", "equilibrate", "botanicals", "cuts", "end"]
    static let additionKeys = ["what", "amount", "at", "type"]
    static let actionKeys = ["action", "vessel", "volume", "from", "to", "mass"]
    static let kinds = ["heat", "rest", "ramp", "hold", "off", "boil", "chill", "confirm",
                        "whirlpool", "transfer", "sparge", "ferment", "distill"]
    static let actions = ["fill", "transfer", "add_grain"]
    static let roleNames = VesselRole.allCases.map(\.rawValue)

    /// The keys each step kind takes.
    static func keys(for kind: String) -> [String] {
        switch kind {
        case "heat", "hold", "chill": ["name", "kind", "vessel", "temperature"]
        case "rest", "ramp": ["name", "kind", "vessel", "temperature", "duration"]
        case "off": ["name", "kind", "vessel"]
        case "boil": ["name", "kind", "vessel", "duration", "additions", "power"]
        case "confirm": ["name", "kind", "message", "actions"]
        case "whirlpool": ["name", "kind", "vessel", "duration", "temperature", "additions"]
        case "transfer": ["name", "kind", "from", "to", "volume"]
        case "sparge": ["name", "kind", "vessel", "from", "to", "volume", "collect", "mode", "message"]
        case "ferment": ["name", "kind", "vessel", "stages", "alerts"]
        case "distill": ["name", "kind", "vessel", "run", "charge", "charge_abv", "heat_power", "power", "equilibrate",
                         "botanicals", "cuts", "end"]
        default: stepKeys
        }
    }

    static func actionKeys(for action: String) -> [String] {
        switch action {
        case "fill": ["action", "vessel", "volume"]
        case "transfer": ["action", "from", "to", "volume"]
        case "add_grain": ["action", "vessel", "mass"]
        default: actionKeys
        }
    }

    static let temperatureBounds = Bounds.between(0, 105, Show.celsius)
    static let volumeBounds = Bounds.positive(max: 10_000, Show.litres)

    // MARK: - Reading

    static func read(_ root: TableReader) -> Recipe? {
        let name = root.string("name", required: true, expected: "the recipe's name in quotes, like \"Club American IPA\"")
        let style = root.string("style")
        let notes = root.contains("notes") ? root.string("notes", longest: InputLimits.textLength) : nil
        var batchOK = true
        var batchVolume: Litres?
        if root.contains("batch_volume") {
            if let v = root.quantity("batch_volume", .volume, bounds: volumeBounds, context: "a batch") {
                batchVolume = Litres(v)
            } else {
                batchOK = false
            }
        }
        let steps = readSteps(root)
        root.checkKeys(known: rootKeys)
        let styleOK = !root.contains("style") || style != nil
        guard let name, let steps, batchOK, styleOK else { return nil }
        return Recipe(name: name, style: style, notes: notes, batchVolume: batchVolume, steps: steps)
    }

    static func readSteps(_ root: TableReader) -> [Recipe.Step]? {
        guard let items = root.array("steps", required: true, expected: "steps, each written as a [[steps]] table") else { return nil }
        if items.isEmpty {
            root.report("steps", .value, "the recipe has no steps", expected: "at least one [[steps]] table")
            return nil
        }
        if items.count > InputLimits.steps {
            root.report("steps", .value, "the recipe has \(items.count) steps; brewctl runs at most \(InputLimits.steps)",
                        expected: "a brew day of up to \(InputLimits.steps) steps (split it into several recipes)")
            return nil
        }
        var ok = true
        var steps: [Recipe.Step] = []
        for (index, item) in items.enumerated() {
            let path = ConfigPath.root.appending("steps").appending(index: index)
            guard case .table(let table) = item else {
                root.diagnostics.report(path, .value, "found \(item.typeDescription)", expected: "a step: a [[steps]] table")
                ok = false
                continue
            }
            let reader = TableReader(path: path, table: table, diagnostics: root.diagnostics, what: "a step")
            if let step = readStep(reader) { steps.append(step) } else { ok = false }
        }
        return ok ? steps : nil
    }

    static func role(_ reader: TableReader, _ key: String, required: Bool = true) -> VesselRole? {
        reader.choice(key, required: required, what: "vessel", options: roleNames) { VesselRole(name: $0) }
    }

    static func readStep(_ s: TableReader) -> Recipe.Step? {
        let name = s.string("name", required: true, expected: "the step's name in quotes, like \"Mash out\"")
        let kind = s.choice("kind", required: true, what: "step kind", options: kinds) { kinds.contains($0.lowercased()) ? $0.lowercased() : nil }
        guard let kind else {
            s.checkKeys(known: stepKeys)
            return nil
        }
        s.what = "a \(kind) step"
        func temperature() -> Celsius? {
            s.quantity("temperature", .temperature, required: true, bounds: temperatureBounds, context: "a \(kind) step").map(Celsius.init)
        }
        func duration(max: Double) -> Seconds? {
            s.quantity("duration", .duration, required: true, bounds: .positive(max: max, Show.duration), context: "a \(kind) step").map(Seconds.init)
        }
        var stepKind: StepKind?
        switch kind {
        case "heat":
            let v = role(s, "vessel"), t = temperature()
            if let v, let t { stepKind = .heat(v, to: t) }
        case "rest":
            let v = role(s, "vessel"), t = temperature(), d = duration(max: 30 * 86_400)
            if let v, let t, let d { stepKind = .rest(v, at: t, duration: d) }
        case "ramp":
            let v = role(s, "vessel"), t = temperature(), d = duration(max: 30 * 86_400)
            if let v, let t, let d { stepKind = .ramp(v, to: t, duration: d) }
        case "hold":
            let v = role(s, "vessel"), t = temperature()
            if let v, let t { stepKind = .hold(v, at: t) }
        case "off":
            if let v = role(s, "vessel") { stepKind = .off(v) }
        case "chill":
            let v = role(s, "vessel"), t = temperature()
            if let v, let t { stepKind = .chill(v, to: t) }
        case "boil":
            let v = role(s, "vessel"), d = duration(max: 86_400)
            var power: Percent??
            if s.contains("power") {
                power = s.quantity("power", .percent, bounds: .between(1, 100, Show.percent), context: "the boil").map { .some(Percent($0)) }
            } else {
                power = .some(nil)
            }
            let additions = readAdditions(s, within: d, of: "the boil")
            if let v, let d, let power, let additions { stepKind = .boil(v, duration: d, additions: additions, power: power) }
        case "whirlpool":
            let v = role(s, "vessel"), d = duration(max: 4 * 3600)
            var temperature: Celsius??
            if s.contains("temperature") {
                temperature = s.quantity("temperature", .temperature, bounds: temperatureBounds, context: "a whirlpool").map { .some(Celsius($0)) }
            } else {
                temperature = .some(nil)
            }
            let additions = readAdditions(s, within: d, of: "the whirlpool")
            if let v, let d, let temperature, let additions {
                stepKind = .whirlpool(v, duration: d, temperature: temperature, additions: additions)
            }
        case "transfer":
            let from = role(s, "from"), to = role(s, "to")
            let litres = s.quantity("volume", .volume, required: true, bounds: volumeBounds, context: "a transfer")
            if let from, let to, from == to {
                s.report("to", .value, "a transfer from the \(from.rawValue) to itself", expected: "two different vessels")
            } else if let from, let to, let litres {
                stepKind = .transfer(from: from, to: to, volume: Litres(litres))
            }
        case "sparge":
            stepKind = readSparge(s).map(StepKind.sparge)
        case "ferment":
            let v = role(s, "vessel")
            let profile = readFermentation(s)
            if let v, let profile { stepKind = .ferment(v, profile) }
        case "distill":
            let v = role(s, "vessel")
            let run = DistillLoader.read(s)
            if let v, let run { stepKind = .distill(v, run) }
        case "confirm":
            let message = s.string("message", required: true, expected: "what the brewer should do, in quotes, like \"Dough in, then confirm\"", longest: InputLimits.textLength)
            let actions = readActions(s)
            if let message, let actions { stepKind = .confirm(message: message, actions: actions) }
        default:
            break
        }
        s.checkKeys(known: stepKeys, applicable: keys(for: kind))
        guard let name, let stepKind else { return nil }
        return Recipe.Step(name, stepKind)
    }

    // MARK: Boil additions

    static let firstWortWords = ["first wort", "first_wort", "first-wort", "firstwort", "fwh"]
    static let flameoutWords = ["flameout", "flame out", "flame_out", "flame-out"]

    static func readAdditions(_ s: TableReader, within boil: Seconds?, of process: String) -> [Addition]? {
        guard s.contains("additions") else { return [] }
        guard let items = s.array("additions", expected: "a list of additions like [{ what = \"Citra\", amount = \"30 g\", at = \"15 min\" }]") else { return nil }
        var ok = true
        var out: [Addition] = []
        for (index, item) in items.enumerated() {
            let path = s.path.appending("additions").appending(index: index)
            guard case .table(let table) = item else {
                s.diagnostics.report(path, .value, "found \(item.typeDescription)",
                                     expected: "an addition like { what = \"Citra\", amount = \"30 g\", at = \"15 min\" }")
                ok = false
                continue
            }
            let a = TableReader(path: path, table: table, diagnostics: s.diagnostics, what: "an addition")
            let what = a.string("what", required: true, expected: "what goes in, in quotes, like \"Citra\"")
            let amount = a.contains("amount") ? a.string("amount", expected: "how much, in quotes, like \"30 g\" or \"1 tablet\"") : nil
            let timing = readTiming(a, within: boil, of: process)
            let kind = a.choice("type", what: "addition type", options: Addition.Kind.allCases.map(\.rawValue)) { Addition.Kind(rawValue: $0.lowercased()) }
            a.checkKeys(known: additionKeys)
            if let what, let timing, !a.contains("amount") || amount != nil, !a.contains("type") || kind != nil {
                out.append(Addition(what, amount: amount, at: timing, kind: kind))
            } else {
                ok = false
            }
        }
        return ok ? out : nil
    }

    static func readTiming(_ a: TableReader, within boil: Seconds?, of process: String) -> Addition.Timing? {
        let inBoil = process == "the boil"
        let expected = inBoil ? "the time left in the boil, like \"15 min\", or \"first wort\" or \"flameout\""
                              : "the time left in \(process), like \"10 min\""
        guard let value = a.table["at"] else {
            a.missing("at", expected: expected)
            return nil
        }
        if case .string(let text) = value {
            let word = text.trimmingCharacters(in: .whitespaces).lowercased()
            if inBoil, firstWortWords.contains(word) { return .firstWort }
            if inBoil, flameoutWords.contains(word) { return .flameout }
            if !inBoil, firstWortWords.contains(word) || flameoutWords.contains(word) {
                a.report("at", .value, "\"\(text)\" is a boil timing, not a time in \(process)", expected: expected)
                return nil
            }
            if !word.isEmpty, !word.contains(where: \.isNumber) {
                a.report("at", .value, "\"\(text)\" is not a time in the boil", expected: expected,
                         suggestion: Suggest.closest(to: word, in: ["first wort", "flameout"]).map { "did you mean \"\($0)\"?" })
                return nil
            }
        }
        let path = a.path.appending("at")
        guard let left = a.quantity(value, at: path, .duration, bounds: nil, context: nil) else { return nil }
        if left < 0 {
            a.report("at", .value, "\(value.displayText) is negative: `at` is the time left until the end of \(process)", expected: expected)
            return nil
        }
        if let boil, left > boil.value {
            a.report("at", .value,
                     "\(value.displayText) is longer than \(process) (\(Format.minutes(boil))): `at` is the time left until the end of \(process)",
                     expected: "from \"0 min\" to \"\(Format.minutes(boil))\"" + (inBoil ? ", or \"first wort\" or \"flameout\"" : ""))
            return nil
        }
        return .remaining(Seconds(left))
    }

    // MARK: Operator actions

    static func readActions(_ s: TableReader) -> [OperatorAction]? {
        guard s.contains("actions") else { return [] }
        guard let items = s.array("actions", expected: "a list of actions like [{ action = \"fill\", vessel = \"hlt\", volume = \"78 L\" }]") else { return nil }
        var ok = true
        var out: [OperatorAction] = []
        for (index, item) in items.enumerated() {
            let path = s.path.appending("actions").appending(index: index)
            guard case .table(let table) = item else {
                s.diagnostics.report(path, .value, "found \(item.typeDescription)",
                                     expected: "an action like { action = \"fill\", vessel = \"hlt\", volume = \"78 L\" }")
                ok = false
                continue
            }
            let a = TableReader(path: path, table: table, diagnostics: s.diagnostics, what: "an action")
            let kind = a.choice("action", required: true, what: "action", options: actions) { word in
                let w = word.lowercased().replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
                return actions.contains(w) ? w : nil
            }
            var action: OperatorAction?
            switch kind {
            case "fill"?:
                a.what = "a fill action"
                let v = role(a, "vessel")
                let litres = a.quantity("volume", .volume, required: true, bounds: volumeBounds, context: "a fill")
                if let v, let litres { action = .fill(v, Litres(litres)) }
            case "transfer"?:
                a.what = "a transfer action"
                let from = role(a, "from")
                let to = role(a, "to")
                let litres = a.quantity("volume", .volume, required: true, bounds: volumeBounds, context: "a transfer")
                if let from, let to, from == to {
                    a.report("to", .value, "a transfer from the \(from.rawValue) to itself", expected: "two different vessels")
                } else if let from, let to, let litres {
                    action = .transfer(from: from, to: to, Litres(litres))
                }
            case "add_grain"?:
                a.what = "an add_grain action"
                let v = role(a, "vessel")
                let kg = a.quantity("mass", .mass, required: true, bounds: .positive(max: 10_000, Show.kilograms), context: "a grain bill")
                if let v, let kg { action = .addGrain(v, Kilograms(kg)) }
            default:
                break
            }
            a.checkKeys(known: actionKeys, applicable: kind.map(actionKeys(for:)))
            if let action { out.append(action) } else { ok = false }
        }
        return ok ? out : nil
    }
}
