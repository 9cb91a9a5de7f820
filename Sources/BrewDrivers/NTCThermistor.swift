import Foundation
import BrewCore

/// An NTC thermistor's resistance–temperature curve: the beta equation
/// R(T) = R25 · exp(B · (1/T − 1/298.15 K)), or Steinhart–Hart 1/T = a + b·ln R + c·(ln R)³
/// with the maker's coefficients. Pure functions; `AnalogTemperatureProbe` puts it behind an ADC.
public struct NTCThermistor: Hashable, Sendable {
    public enum Model: Hashable, Sendable {
        case beta(r25: Double, beta: Double)
        case steinhartHart(a: Double, b: Double, c: Double)
    }

    public var model: Model
    /// The temperatures the part is specified over; a resistance beyond either end means an open
    /// (too cold) or shorted (too hot) sensor, not a temperature.
    public var range: ClosedRange<Double>

    public init(model: Model, range: ClosedRange<Double> = -40...150) {
        self.model = model
        self.range = range
    }

    /// The common 10 kΩ, B25/85 = 3950 K part.
    public static let tenK3950 = NTCThermistor(model: .beta(r25: 10_000, beta: 3950))

    public static let t25 = 298.15

    public func temperature(resistance r: Double) -> Celsius {
        switch model {
        case .beta(let r25, let b):
            return Celsius(1 / (1 / Self.t25 + log(r / r25) / b) - 273.15)
        case .steinhartHart(let a, let b, let c):
            let l = log(r)
            return Celsius(1 / (a + b * l + c * l * l * l) - 273.15)
        }
    }

    public func resistance(at t: Celsius) -> Double {
        let k = t.value + 273.15
        switch model {
        case .beta(let r25, let b):
            return r25 * exp(b * (1 / k - 1 / Self.t25))
        case .steinhartHart(let a, let b, let c):
            // Solve c·x³ + b·x − (1/T − a) = 0 for x = ln R (Cardano; one real root for b, c > 0).
            let y = (a - 1 / k) / c
            let x = sqrt(pow(b / (3 * c), 3) + y * y / 4)
            return exp(cbrt(x - y / 2) - cbrt(x + y / 2))
        }
    }

    /// Resistances beyond these are open/short faults.
    public var resistanceLimits: (short: Double, open: Double) {
        (resistance(at: Celsius(range.upperBound)), resistance(at: Celsius(range.lowerBound)))
    }
}
