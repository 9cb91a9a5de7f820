import Foundation

/// A number with an optional unit, read from the text of an export field: "170.5 F",
/// "60 min", "4.24250e+01", "1,5 kg". Empty fields, "-", "n/a" and other non-numbers give nil.
struct Measure: Equatable {
    var value: Double
    /// Lower-cased, without a degree sign; nil when the text was a bare number.
    var unit: String?

    init(_ value: Double, _ unit: String? = nil) {
        self.value = value
        self.unit = unit
    }

    init?(text raw: String?) {
        guard let raw else { return nil }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count < 200 else { return nil }
        let scalars = Array(text.unicodeScalars)
        var i = 0
        var number = ""
        if i < scalars.count, scalars[i] == "-" || scalars[i] == "+" {
            number.unicodeScalars.append(scalars[i])
            i += 1
        }
        var digits = 0
        var seenPoint = false
        while i < scalars.count {
            let c = scalars[i]
            if CharacterSet.decimalDigits.contains(c), c.isASCII {
                number.unicodeScalars.append(c)
                digits += 1
            } else if (c == "." || c == ","), !seenPoint {
                // A comma is a decimal comma only when a digit follows ("1,5 kg").
                guard i + 1 < scalars.count, scalars[i + 1].isASCII, CharacterSet.decimalDigits.contains(scalars[i + 1]) || c == "." else { break }
                number.append(".")
                seenPoint = true
            } else if (c == "e" || c == "E"), digits > 0, i + 1 < scalars.count {
                // An exponent only when digits follow ("4.2e+01"), not the "e" of a unit.
                var j = i + 1
                var exp = "e"
                if scalars[j] == "+" || scalars[j] == "-" {
                    exp.unicodeScalars.append(scalars[j])
                    j += 1
                }
                var expDigits = 0
                while j < scalars.count, scalars[j].isASCII, CharacterSet.decimalDigits.contains(scalars[j]) {
                    exp.unicodeScalars.append(scalars[j])
                    j += 1
                    expDigits += 1
                }
                guard expDigits > 0 else { break }
                number += exp
                i = j
                break
            } else {
                break
            }
            i += 1
        }
        guard digits > 0, let value = Double(number), value.isFinite else { return nil }
        var unit = String(String.UnicodeScalarView(scalars[i...])).trimmingCharacters(in: .whitespaces).lowercased()
        unit = unit.replacingOccurrences(of: "°", with: "").replacingOccurrences(of: "º", with: "")
        unit = unit.trimmingCharacters(in: .whitespaces)
        self.value = value
        self.unit = unit.isEmpty ? nil : unit
    }

    // MARK: Conversions (nil when the unit is not of that kind)

    /// In °C; a bare number is taken as °C.
    var celsius: Double? {
        switch unit {
        case nil, "c", "degc", "celsius", "deg c": value
        case "f", "degf", "fahrenheit", "deg f": (value - 32) * 5 / 9
        case "k", "kelvin": value - 273.15
        default: nil
        }
    }

    var isFahrenheit: Bool { ["f", "degf", "fahrenheit", "deg f"].contains(unit ?? "") }

    /// In minutes; a bare number is taken as minutes (BeerXML's unit for times).
    var minutes: Double? { minutes(bare: 1) }

    /// In minutes, a bare number multiplied by `bare` (1 for minutes, 1440 for days).
    func minutes(bare: Double) -> Double? {
        switch unit {
        case nil: value * bare
        case "min", "mins", "minute", "minutes", "m": value
        case "s", "sec", "secs", "second", "seconds": value / 60
        case "h", "hr", "hrs", "hour", "hours": value * 60
        case "d", "day", "days": value * 1440
        case "wk", "week", "weeks", "w": value * 10080
        default: nil
        }
    }

    /// In litres; a bare number is taken as litres.
    var litres: Double? {
        switch unit {
        case nil, "l", "litre", "litres", "liter", "liters", "ltr": value
        case "ml", "millilitre", "milliliter", "millilitres", "milliliters": value / 1000
        case "cl": value / 100
        case "hl": value * 100
        case "gal", "gallon", "gallons", "gal us", "us gal": value * 3.785411784
        case "qt", "quart", "quarts": value * 0.946352946
        case "pt", "pint", "pints": value * 0.473176473
        case "cup", "cups": value * 0.2365882365
        case "floz", "fl oz", "fl. oz": value * 0.0295735295625
        case "tbsp": value * 0.01478676478125
        case "tsp": value * 0.00492892159375
        case "bbl": value * 117.347765304
        case "igal": value * 4.54609
        case "iqt": value * 1.1365225
        case "ipt": value * 0.56826125
        case "ifloz": value * 0.0284130625
        case "ibbl": value * 163.65924
        default: nil
        }
    }

    /// In kilograms; a bare number is taken as kilograms (BeerXML's unit for amounts).
    var kilograms: Double? {
        switch unit {
        case nil, "kg", "kgs", "kilogram", "kilograms": value
        case "g", "gm", "gr", "gram", "grams": value / 1000
        case "mg": value / 1_000_000
        case "oz", "ounce", "ounces": value * 0.028349523125
        case "lb", "lbs", "pound", "pounds": value * 0.45359237
        default: nil
        }
    }
}

/// How quantities are written into the generated TOML.
enum Fmt {
    /// Up to `places` decimals, trailing zeros dropped: 66.70 → "66.7", 60.0 → "60".
    static func number(_ x: Double, places: Int = 1) -> String {
        guard x.isFinite else { return "0" }
        let scale = pow(10, Double(places))
        var rounded = (x * scale).rounded() / scale
        if rounded == 0 { rounded = 0 } // no "-0"
        var s = String(format: "%.\(places)f", rounded)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    static func celsius(_ c: Double) -> String { "\(number(c)) C" }
    /// Rounded to the nearest 0.5 °C (strike water).
    static func celsiusHalf(_ c: Double) -> String { "\(number((c * 2).rounded() / 2)) C" }
    static func litres(_ l: Double) -> String { "\(number(l)) L" }
    static func kilograms(_ kg: Double) -> String { "\(number(kg, places: 2)) kg" }
    static func grams(_ kg: Double) -> String {
        let g = kg * 1000
        return "\(number(g, places: g < 10 ? 1 : 0)) g"
    }
    static func millilitres(_ l: Double) -> String {
        let ml = l * 1000
        return "\(number(ml, places: ml < 10 ? 1 : 0)) ml"
    }
    static func minutes(_ m: Double) -> String { "\(number(m)) min" }
    static func days(_ d: Double) -> String { "\(number(d)) d" }
}
