import Foundation

/// Facts of nature the controller and the simulated plant share.
public enum Water {
    /// Specific heat of water, J/(kg·K).
    public static let specificHeat = 4186.0
    /// Latent heat of vaporisation near 100 °C, J/kg.
    public static let latentHeat = 2.257e6
    /// Density of water (close enough for wort and brewing volumes), kg/L.
    public static let density = 1.0

    /// Boiling point of water at an altitude: the standard atmosphere gives the pressure and the
    /// Antoine equation (valid 1–100 °C) turns it into a temperature. 0 m → 100.0 °C, 1000 m → ≈ 96.7 °C.
    public static func boilingPoint(at altitude: Metres) -> Celsius {
        let pascals = 101_325 * pow(1 - 2.25577e-5 * altitude.value, 5.25588)
        let mmHg = pascals / 133.322
        let (a, b, c) = (8.07131, 1730.63, 233.426)
        return Celsius(b / (a - log10(mmHg)) - c)
    }
}

public enum Grain {
    /// Specific heat of dry malt, J/(kg·K) (about 0.4 of water's).
    public static let specificHeat = 1700.0
}
