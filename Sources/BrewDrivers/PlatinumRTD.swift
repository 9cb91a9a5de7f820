import Foundation
import BrewCore

/// A platinum resistance thermometer (PT100, PT1000) by the Callendar–Van Dusen equation with the
/// IEC 60751 coefficients:
///
///     R(T) = R0 · (1 + A·T + B·T²)                    for 0 ≤ T ≤ 850 °C
///     R(T) = R0 · (1 + A·T + B·T² + C·(T − 100)·T³)   for −200 ≤ T < 0 °C
///
/// A = 3.9083e-3, B = −5.775e-7, C = −4.183e-12. The inverse is the quadratic's root above 0 °C and
/// Newton's method on the full equation below it.
public struct PlatinumRTD: Hashable, Sendable {
    public static let a = 3.9083e-3
    public static let b = -5.775e-7
    public static let c = -4.183e-12

    public var r0: Double
    public var range: ClosedRange<Double>

    public init(r0: Double = 100, range: ClosedRange<Double> = -200...850) {
        self.r0 = r0
        self.range = range
    }

    public static let pt100 = PlatinumRTD(r0: 100)
    public static let pt1000 = PlatinumRTD(r0: 1000)

    public func resistance(at t: Celsius) -> Double {
        let x = t.value
        var f = 1 + Self.a * x + Self.b * x * x
        if x < 0 { f += Self.c * (x - 100) * x * x * x }
        return r0 * f
    }

    public func temperature(resistance r: Double) -> Celsius {
        let ratio = r / r0
        // Quadratic root (exact for T ≥ 0 °C).
        var t = (-Self.a + sqrt(Self.a * Self.a - 4 * Self.b * (1 - ratio))) / (2 * Self.b)
        if ratio < 1 {
            for _ in 0..<10 {
                let f = 1 + Self.a * t + Self.b * t * t + Self.c * (t - 100) * t * t * t - ratio
                let df = Self.a + 2 * Self.b * t + Self.c * (4 * t * t * t - 300 * t * t)
                let step = f / df
                t -= step
                if abs(step) < 1e-9 { break }
            }
        }
        return Celsius(t)
    }

    public var resistanceLimits: (short: Double, open: Double) {
        (resistance(at: Celsius(range.lowerBound)), resistance(at: Celsius(range.upperBound)))
    }
}
