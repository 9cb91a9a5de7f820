import Foundation

/// What a vessel is for. Recipes name vessels by role, never by GPIO line or bus address; the
/// hardware file says which physical vessel plays which role.
public enum VesselRole: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case hotLiquorTank = "hlt"
    case mashTun = "mash_tun"
    case kettle = "kettle"
    case fermenter = "fermenter"
    case still = "still"

    /// The name a brewer uses in conversation and on the screen.
    public var displayName: String {
        switch self {
        case .hotLiquorTank: "HLT"
        case .mashTun: "Mash tun"
        case .kettle: "Kettle"
        case .fermenter: "Fermenter"
        case .still: "Still"
        }
    }

    public var description: String { rawValue }

    /// Accepts the canonical key and the spellings brewers actually write.
    public init?(name: String) {
        let key = name.lowercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        switch key {
        case "hlt", "hot_liquor_tank", "liquor_tank": self = .hotLiquorTank
        case "mash_tun", "mashtun", "mash", "mlt": self = .mashTun
        case "kettle", "boil_kettle", "bk", "copper": self = .kettle
        case "fermenter", "fermentor", "fv": self = .fermenter
        case "still", "boiler", "pot_still": self = .still
        default: return nil
        }
    }
}
