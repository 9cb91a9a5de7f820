/// Physical quantities as types, so a temperature can never be passed where a power is meant.
/// Each is a thin wrapper over `Double` in SI-ish brewing units (°C, W, L, kg, s, %).

/// A temperature in degrees Celsius.
public struct Celsius: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Double
    @inlinable public init(_ value: Double) { self.value = value }
    @inlinable public static func < (a: Celsius, b: Celsius) -> Bool { a.value < b.value }
    @inlinable public static func - (a: Celsius, b: Celsius) -> Kelvin { Kelvin(a.value - b.value) }
    @inlinable public static func + (a: Celsius, b: Kelvin) -> Celsius { Celsius(a.value + b.value) }
    @inlinable public static func - (a: Celsius, b: Kelvin) -> Celsius { Celsius(a.value - b.value) }
    public static func fahrenheit(_ f: Double) -> Celsius { Celsius((f - 32) * 5 / 9) }
    public var description: String { formatted(1) }
    public func formatted(_ digits: Int = 1) -> String { "\(Format.fixed(value, digits)) °C" }
}

/// A temperature difference (also the unit of error and band widths).
public struct Kelvin: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Double
    @inlinable public init(_ value: Double) { self.value = value }
    @inlinable public static func < (a: Kelvin, b: Kelvin) -> Bool { a.value < b.value }
    public var magnitude: Kelvin { Kelvin(abs(value)) }
    public var description: String { "\(Format.fixed(value, 2)) K" }
}

/// A span of time, in seconds.
public struct Seconds: Hashable, Comparable, Sendable, CustomStringConvertible, AdditiveArithmetic {
    public var value: Double
    @inlinable public init(_ value: Double) { self.value = value }
    public static let zero = Seconds(0)
    @inlinable public static func minutes(_ m: Double) -> Seconds { Seconds(m * 60) }
    @inlinable public static func hours(_ h: Double) -> Seconds { Seconds(h * 3600) }
    @inlinable public static func < (a: Seconds, b: Seconds) -> Bool { a.value < b.value }
    @inlinable public static func + (a: Seconds, b: Seconds) -> Seconds { Seconds(a.value + b.value) }
    @inlinable public static func - (a: Seconds, b: Seconds) -> Seconds { Seconds(a.value - b.value) }
    @inlinable public static func * (a: Seconds, k: Double) -> Seconds { Seconds(a.value * k) }
    @inlinable public static func / (a: Seconds, b: Seconds) -> Double { a.value / b.value }
    public var minutes: Double { value / 60 }
    public var description: String { Format.duration(self) }
}

/// A point on the controller's monotonic time line, in seconds since an arbitrary origin.
/// Only the runtime reads a real clock; everything else is handed instants.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var seconds: Double
    @inlinable public init(seconds: Double) { self.seconds = seconds }
    public static let zero = Instant(seconds: 0)
    @inlinable public static func < (a: Instant, b: Instant) -> Bool { a.seconds < b.seconds }
    @inlinable public static func + (a: Instant, b: Seconds) -> Instant { Instant(seconds: a.seconds + b.value) }
    @inlinable public static func - (a: Instant, b: Seconds) -> Instant { Instant(seconds: a.seconds - b.value) }
    @inlinable public static func - (a: Instant, b: Instant) -> Seconds { Seconds(a.seconds - b.seconds) }
    public var description: String { "t=\(Format.fixed(seconds, 1))s" }
}

/// Electrical or thermal power in watts.
public struct Watts: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Double
    @inlinable public init(_ value: Double) { self.value = value }
    @inlinable public static func < (a: Watts, b: Watts) -> Bool { a.value < b.value }
    @inlinable public static func * (a: Watts, k: Double) -> Watts { Watts(a.value * k) }
    public var description: String { value >= 1000 ? "\(Format.fixed(value / 1000, 1)) kW" : "\(Format.fixed(value, 0)) W" }
}

/// A volume of liquid in litres.
public struct Litres: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Double
    @inlinable public init(_ value: Double) { self.value = value }
    public static let zero = Litres(0)
    @inlinable public static func < (a: Litres, b: Litres) -> Bool { a.value < b.value }
    @inlinable public static func + (a: Litres, b: Litres) -> Litres { Litres(a.value + b.value) }
    @inlinable public static func - (a: Litres, b: Litres) -> Litres { Litres(a.value - b.value) }
    public var description: String { "\(Format.fixed(value, 1)) L" }
}

/// A mass in kilograms (grain, hops are given in grams by `Grams`).
public struct Kilograms: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Double
    @inlinable public init(_ value: Double) { self.value = value }
    public static let zero = Kilograms(0)
    @inlinable public static func < (a: Kilograms, b: Kilograms) -> Bool { a.value < b.value }
    public var description: String { "\(Format.fixed(value, 2)) kg" }
}

/// A heater or valve demand as a percentage, always kept within 0…100.
/// Specific gravity of wort or beer relative to water at the same temperature (1.050 = "fifty").
public struct SpecificGravity: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Double
    @inlinable public init(_ value: Double) { self.value = value }
    @inlinable public static func < (a: SpecificGravity, b: SpecificGravity) -> Bool { a.value < b.value }
    /// From degrees Plato, by the standard polynomial fit (ASBC).
    public static func plato(_ p: Double) -> SpecificGravity { SpecificGravity(1 + p / (258.6 - p / 258.2 * 227.1)) }
    public var description: String { Format.fixed(value, 3) }
}

public struct Percent: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Double
    @inlinable public init(_ value: Double) { self.value = min(100, max(0, value.isNaN ? 0 : value)) }
    public static let off = Percent(0)
    public static let full = Percent(100)
    @inlinable public static func < (a: Percent, b: Percent) -> Bool { a.value < b.value }
    public var fraction: Double { value / 100 }
    public var description: String { "\(Format.fixed(value, 0)) %" }
}

/// A height above sea level in metres (sets the local boiling point).
public struct Metres: Hashable, Sendable, CustomStringConvertible {
    public var value: Double
    @inlinable public init(_ value: Double) { self.value = value }
    public var description: String { "\(Format.fixed(value, 0)) m" }
}

/// Minimal, allocation-light number formatting without Foundation, so BrewCore stays portable.
public enum Format {
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "—" : (x > 0 ? "∞" : "-∞") }
        var scale = 1.0
        for _ in 0..<min(12, max(0, digits)) { scale *= 10 }
        let rounded = (abs(x) * scale).rounded()
        // Beyond what an Int holds exactly (a number from a damaged file or database): say it as
        // Swift does rather than trap converting it.
        guard rounded < 9e15 else { return "\(x)" }
        let negative = x < 0 && rounded != 0
        let whole = Int(rounded / scale)
        var text = negative ? "-\(whole)" : "\(whole)"
        if digits > 0 {
            let frac = Int(rounded - Double(whole) * scale)
            var fracText = "\(frac)"
            while fracText.count < digits { fracText = "0" + fracText }
            text += "." + fracText
        }
        return text
    }

    /// "1 h 05 min", "12 min 30 s", "45 s".
    public static func duration(_ s: Seconds) -> String {
        guard let total = wholeSeconds(s) else { return s.value.isNaN || s.value < 0 ? "—" : "more than 30 000 years" }
        let h = total / 3600, m = (total % 3600) / 60, sec = total % 60
        if h > 0 { return "\(h) h \(m < 10 ? "0" : "")\(m) min" }
        if m > 0 { return sec == 0 ? "\(m) min" : "\(m) min \(sec) s" }
        return "\(sec) s"
    }

    /// Boil-addition style: "60 min", "15 min", "90 s" — brewers count additions in minutes.
    public static func minutes(_ s: Seconds) -> String {
        guard let total = wholeSeconds(s) else { return duration(s) }
        return total % 60 == 0 ? "\(total / 60) min" : duration(s)
    }

    /// "1:05:00" or "12:30" — a compact clock for the live display.
    public static func clock(_ s: Seconds) -> String {
        guard let total = wholeSeconds(s) else { return "--:--" }
        let h = total / 3600, m = (total % 3600) / 60, sec = total % 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(sec))" : "\(two(m)):\(two(sec))"
    }

    /// Whole seconds of a duration for display; nil when there is no sensible number (NaN,
    /// infinite, or beyond 30 000 years — a brew time from a damaged record).
    @usableFromInline
    static func wholeSeconds(_ s: Seconds) -> Int? {
        guard s.value.isFinite, s.value < 1e12 else { return nil }
        return Int(max(0, s.value).rounded())
    }
}
