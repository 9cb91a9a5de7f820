import Foundation

/// A recipe read from BeerXML or BeerJSON, in metric units, before it is turned into a brew day.
/// Both readers fill this; `BrewDayBuilder` turns it into brewctl TOML.
struct Draft {
    var name: String
    var style: String?
    var batchLitres: Double?
    var boilLitres: Double?
    var boilMinutes: Double?

    struct Grain { var name: String; var kilograms: Double }
    /// Mashed: counts towards the grain stirred into the mash tun.
    var grains: [Grain] = []
    /// Fermentables that are not mashed (sugars, extracts), as lines for the notes.
    var otherFermentables: [String] = []
    var grainTemperature: Double?

    struct MashStep {
        var name: String
        var type: String
        var temperature: Double?
        var minutes: Double?
        var rampMinutes: Double?
        var infuseLitres: Double?
        var infuseTemperature: Double?
    }
    var mashSteps: [MashStep] = []
    var mashStepsFound = false
    var spargeLitres: Double?

    enum At: Equatable {
        case firstWort
        case flameout
        case left(Double) // minutes left
    }
    struct Addition {
        var what: String
        var amount: String?
        var type: String
        var at: At
        var element: String // for warnings: `HOP "Citra"`
    }
    var boilAdditions: [Addition] = []

    struct WhirlpoolAddition { var what: String; var amount: String?; var type: String; var minutes: Double }
    var whirlpool: [WhirlpoolAddition] = []
    var whirlpoolTemperature: Double?

    struct DryHop {
        var what: String
        var amount: String?
        /// Contact time in days (BeerXML TIME, BeerJSON duration), if known.
        var contactDays: Double?
        /// Day of fermentation the source gives (BeerJSON timing.time), if known.
        var day: Double?
    }
    var dryHops: [DryHop] = []

    struct Stage {
        enum Kind: String { case hold, ramp }
        var name: String
        var kind: Kind
        var temperature: Double
        var days: Double
        /// Conditioning (BeerXML AGE): not counted as fermentation when placing dry hops.
        var conditioning = false
    }
    var stages: [Stage] = []
    /// Temperature to pitch at (first fermentation step's start), when the source gives one.
    var pitchTemperature: Double?

    var yeasts: [String] = []
    var yeastTemperature: Double?
    var hopLines: [String] = []
    var miscLines: [String] = []
    var waterLines: [String] = []
    /// Things that could not be mapped onto brew-day steps, for the notes.
    var unmapped: [String] = []
    var sourceNotes: [String] = []
    var warnings: [String] = []
    var comments: [String] = []

    init(name: String) { self.name = name }

    mutating func warn(_ message: String) { warnings.append(message) }

    /// "American IPA (BJCP 14B)" from the parts a file gives.
    static func style(name: String?, category: String?, number: String?, letter: String?, guide: String?) -> String? {
        let n = name?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        var code = (number ?? "").trimmingCharacters(in: .whitespaces)
        if let d = Double(code), d == d.rounded() { code = String(Int(d)) }
        code += (letter ?? "").trimmingCharacters(in: .whitespaces)
        var g = (guide ?? "").trimmingCharacters(in: .whitespaces)
        if g.isEmpty, !code.isEmpty { g = "BJCP" }
        let tag = [g, code].filter { !$0.isEmpty }.joined(separator: " ")
        var out = n.isEmpty ? (category ?? "") : n
        if out.isEmpty && tag.isEmpty { return nil }
        if !tag.isEmpty { out += out.isEmpty ? tag : " (\(tag))" }
        return out
    }

    /// The kind of a misc addition from its name and declared type.
    static func miscType(name: String, type: String?) -> String {
        let n = name.lowercased()
        let t = (type ?? "").lowercased()
        let finings = ["whirlfloc", "irish moss", "protafloc", "isinglass", "gelatin", "polyclar", "biofine", "supermoss", "koppafloc", "fining", "clarity"]
        if finings.contains(where: n.contains) || t == "fining" { return "fining" }
        if n.contains("nutrient") || n.contains("servomyces") || n.contains("yeast energizer") || n.contains("fermaid") { return "nutrient" }
        let salts = ["gypsum", "calcium chloride", "calcium sulfate", "calcium sulphate", "epsom", "magnesium sulfate", "chalk",
                     "calcium carbonate", "baking soda", "sodium bicarbonate", "table salt", "sodium chloride", "salt", "cacl", "caso4", "campden"]
        if salts.contains(where: n.contains) || t == "water agent" || t == "water_agent" { return "salt" }
        if ["spice", "herb", "flavor", "flavour"].contains(t) { return "spice" }
        if n.contains("sugar") || n.contains("dextrose") || n.contains("honey") || n.contains("candi") { return "sugar" }
        if t == "fining" { return "fining" }
        return "other"
    }
}
