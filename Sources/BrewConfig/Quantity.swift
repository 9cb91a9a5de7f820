import BrewCore

/// The kinds of physical quantity a configuration file can hold, with the units each accepts.
/// Values are returned in the model's base unit: °C, K, s, L, kg, W, %, m, J/K, W/K.
enum QuantityKind: Sendable, CaseIterable {
    case temperature
    case temperatureDifference
    case duration
    case volume
    case mass
    case power
    case percent
    case length
    case heatCapacity
    case heatTransfer
    /// A share 0–1, or a percentage string ("97 %").
    case fraction
    /// A controller gain in % output per kelvin.
    case gain
    // Added for the hardware file (buses, sensors, interlocks, circuits).
    /// A volumetric flow in L/min.
    case flow
    /// An electric current in A.
    case current
    /// A voltage in V.
    case voltage
    /// A specific gravity (1.012, "1.012 SG"), or degrees Plato ("3 °P") converted to SG.
    case gravity
    /// A pressure in bar.
    case pressure
    /// An electrical resistance in Ω.
    case resistance
    /// Pulses per litre of a flow meter.
    case pulsesPerLitre

    /// "a temperature": how the kind is named in messages.
    var noun: String {
        switch self {
        case .temperature: "a temperature"
        case .temperatureDifference: "a temperature difference"
        case .duration: "a duration"
        case .volume: "a volume"
        case .mass: "a mass"
        case .power: "a power"
        case .percent: "a percentage"
        case .length: "a height"
        case .heatCapacity: "a heat capacity"
        case .heatTransfer: "a heat transfer rate"
        case .fraction: "a fraction"
        case .gain: "a gain"
        case .flow: "a flow"
        case .current: "a current"
        case .voltage: "a voltage"
        case .gravity: "a gravity"
        case .pressure: "a pressure"
        case .resistance: "a resistance"
        case .pulsesPerLitre: "a pulse count per litre"
        }
    }

    /// What a message says was expected.
    var expected: String {
        switch self {
        case .temperature: "a temperature like \"66 C\", \"152 F\" or 66 (°C)"
        case .temperatureDifference: "a temperature difference like \"0.3 K\""
        case .duration: "a duration with a unit, like \"60 min\", \"90 s\" or \"1 h 30 min\""
        case .volume: "a volume like \"78 L\""
        case .mass: "a mass like \"13 kg\" or \"500 g\""
        case .power: "a power like \"5500 W\" or \"5.5 kW\""
        case .percent: "a percentage like \"65 %\" or 65"
        case .length: "a height like \"120 m\""
        case .heatCapacity: "a heat capacity like \"20 kJ/K\""
        case .heatTransfer: "a heat transfer rate like \"4 W/K\""
        case .fraction: "a fraction like 0.97, or a percentage like \"97 %\""
        case .gain: "a number (% output per kelvin) like 60"
        case .flow: "a flow like \"2 L/min\""
        case .current: "a current like \"32 A\""
        case .voltage: "a voltage like \"230 V\""
        case .gravity: "a gravity like 1.012, \"1.012 SG\" or \"3 °P\""
        case .pressure: "a pressure like \"1.5 bar\""
        case .resistance: "a resistance like \"10 kΩ\" or 10000 (Ω)"
        case .pulsesPerLitre: "pulses per litre like 450 or \"450 pulses/L\""
        }
    }

    /// The unit a bare number is taken in; nil when a unit is required.
    var defaultUnit: String? {
        switch self {
        case .temperature: "°C"
        case .temperatureDifference: "K"
        case .duration: nil
        case .volume: "L"
        case .mass: "kg"
        case .power: "W"
        case .percent: "%"
        case .length: "m"
        case .heatCapacity: "J/K"
        case .heatTransfer: "W/K"
        case .fraction: ""
        case .gain: "%/K"
        case .flow: "L/min"
        case .current: "A"
        case .voltage: "V"
        case .gravity: "SG"
        case .pressure: "bar"
        case .resistance: "Ω"
        case .pulsesPerLitre: "pulses/L"
        }
    }

    /// Unit spellings and how to turn a number in that unit into the base unit.
    var units: [(names: [String], convert: @Sendable (Double) -> Double)] {
        switch self {
        case .temperature:
            [(["C", "°C", "ºC", "degC", "c", "°c", "celsius", "Celsius"], { $0 }),
             (["F", "°F", "ºF", "degF", "f", "°f", "fahrenheit", "Fahrenheit"], { Celsius.fahrenheit($0).value })]
        case .temperatureDifference:
            [(["K", "kelvin", "C", "°C", "ºC", "c"], { $0 }),
             (["mK"], { $0 / 1000 }),
             (["F", "°F", "ºF"], { $0 * 5 / 9 })]
        case .duration:
            [(["ms", "msec"], { $0 / 1000 }),
             (["s", "sec", "secs", "second", "seconds"], { $0 }),
             (["min", "mins", "minute", "minutes"], { $0 * 60 }),
             (["h", "hr", "hrs", "hour", "hours"], { $0 * 3600 }),
             (["d", "day", "days"], { $0 * 86_400 })]
        case .volume:
            [(["L", "l", "litre", "litres", "liter", "liters"], { $0 }),
             (["mL", "ml", "millilitre", "millilitres", "milliliter", "milliliters"], { $0 / 1000 }),
             (["hL", "hl"], { $0 * 100 })]
        case .mass:
            [(["kg", "kilogram", "kilograms"], { $0 }),
             (["g", "gram", "grams"], { $0 / 1000 })]
        case .power:
            [(["W", "w", "watt", "watts"], { $0 }),
             (["kW", "kw", "KW"], { $0 * 1000 })]
        case .percent:
            [(["%", "percent"], { $0 })]
        case .length:
            [(["m", "metre", "metres", "meter", "meters"], { $0 }),
             (["km"], { $0 * 1000 }),
             (["ft", "feet"], { $0 * 0.3048 })]
        case .heatCapacity:
            [(["J/K"], { $0 }),
             (["kJ/K"], { $0 * 1000 })]
        case .heatTransfer:
            [(["W/K"], { $0 }),
             (["kW/K"], { $0 * 1000 })]
        case .fraction:
            [(["%", "percent"], { $0 / 100 })]
        case .gain:
            [(["%/K"], { $0 })]
        case .flow:
            [(["L/min", "l/min", "lpm", "LPM"], { $0 }),
             (["L/h", "l/h"], { $0 / 60 }),
             (["mL/s", "ml/s"], { $0 * 60 / 1000 }),
             (["L/s", "l/s"], { $0 * 60 })]
        case .current:
            [(["A", "amp", "amps"], { $0 }),
             (["mA"], { $0 / 1000 })]
        case .voltage:
            [(["V", "volt", "volts"], { $0 }),
             (["mV"], { $0 / 1000 })]
        case .gravity:
            [(["SG", "sg"], { $0 }),
             // Degrees Plato by the ASBC polynomial fit, as SpecificGravity.plato.
             (["°P", "ºP", "P", "plato", "Plato"], { 1 + $0 / (258.6 - $0 / 258.2 * 227.1) })]
        case .pressure:
            [(["bar"], { $0 }),
             (["mbar"], { $0 / 1000 }),
             (["kPa"], { $0 / 100 }),
             (["Pa"], { $0 / 100_000 }),
             (["psi"], { $0 * 0.068_947_572_9 })]
        case .resistance:
            [(["Ω", "ohm", "ohms", "Ohm"], { $0 }),
             (["kΩ", "kohm", "kOhm"], { $0 * 1000 })]
        case .pulsesPerLitre:
            [(["pulses/L", "pulses/l", "/L", "imp/L"], { $0 })]
        }
    }

    var unitNames: [String] { units.flatMap(\.names) }

    func converter(for unit: String) -> (@Sendable (Double) -> Double)? {
        units.first { $0.names.contains(unit) }?.convert
    }
}

/// Why a quantity could not be read.
enum QuantityProblem: Error, Equatable {
    /// Not a number followed by a unit.
    case malformed
    case notFinite
    /// A duration written as a bare number.
    case missingUnit
    /// A unit of another kind: `temperature = "5500 W"`.
    case wrongKind(unit: String, isKind: QuantityKind)
    /// A unit nobody knows; `suggestion` is the nearest valid one.
    case unknownUnit(String, suggestion: String?)
    /// Several parts ("1 h 30 min") where only durations allow them.
    case compound
    /// Absolute kelvin where a temperature in °C belongs.
    case kelvinTemperature

    func message(for text: String, kind: QuantityKind) -> (message: String, suggestion: String?) {
        switch self {
        case .malformed:
            ("\"\(text)\" is not \(kind.noun)", nil)
        case .notFinite:
            ("\"\(text)\" is not a finite number", nil)
        case .missingUnit:
            ("\"\(text)\" has no unit", "write the unit, e.g. \"\(text) min\" or \"\(text) s\"")
        case .wrongKind(let unit, let other):
            ("\"\(text)\" is \(other.noun) (`\(unit)`), not \(kind.noun)", nil)
        case .unknownUnit(let unit, let suggestion):
            ("unknown unit `\(unit)` in \"\(text)\"", suggestion.map { "did you mean `\($0)`?" })
        case .compound:
            ("\"\(text)\" has more than one part; only durations can be written like \"1 h 30 min\"", nil)
        case .kelvinTemperature:
            ("\"\(text)\" is in kelvin; write temperatures in °C (or °F)", nil)
        }
    }
}

enum QuantityParser {
    /// Parses "66.5 C", "1 h 30 min", "5.5 kW", "65 %", "66". Returns the value in the kind's base unit.
    static func parse(_ text: String, as kind: QuantityKind) throws(QuantityProblem) -> Double {
        let parts = try split(text)
        guard !parts.isEmpty else { throw .malformed }
        if parts.count > 1 && kind != .duration { throw .compound }
        var total = 0.0
        for part in parts {
            guard let unit = part.unit else {
                if parts.count > 1 { throw .missingUnit }
                guard kind.defaultUnit != nil else { throw .missingUnit }
                total += part.number
                continue
            }
            if let convert = kind.converter(for: unit) {
                total += convert(part.number)
                continue
            }
            if kind == .temperature, unit == "K" || unit == "kelvin" { throw .kelvinTemperature }
            if let other = QuantityKind.allCases.first(where: { $0 != kind && $0 != .fraction && $0.unitNames.contains(unit) }) {
                throw .wrongKind(unit: unit, isKind: other)
            }
            throw .unknownUnit(unit, suggestion: Suggest.closest(to: unit, in: kind.unitNames, caseSensitive: true))
        }
        guard total.isFinite else { throw .notFinite }
        return total
    }

    struct Part {
        var number: Double
        var unit: String?
    }

    /// "1 h 30 min" → [(1, h), (30, min)]; "66" → [(66, nil)].
    static func split(_ text: String) throws(QuantityProblem) -> [Part] {
        let s = Array(text.unicodeScalars)
        var i = 0
        var parts: [Part] = []
        func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\u{A0}" || c == "\u{202F}" }
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        while true {
            while i < s.count, isSpace(s[i]) { i += 1 }
            if i >= s.count { break }
            // The number: [+-] digits [. digits] [e [+-] digits] — no hex, inf or nan.
            var number = ""
            if s[i] == "+" || s[i] == "-" || s[i] == "−" {
                number.unicodeScalars.append(s[i] == "−" ? "-" : s[i])
                i += 1
            }
            var digits = 0
            while i < s.count, isDigit(s[i]) || s[i] == "_" {
                if s[i] != "_" {
                    number.unicodeScalars.append(s[i])
                    digits += 1
                }
                i += 1
            }
            if i < s.count, s[i] == "." {
                number += "."
                i += 1
                while i < s.count, isDigit(s[i]) {
                    number.unicodeScalars.append(s[i])
                    digits += 1
                    i += 1
                }
            }
            guard digits > 0 else { throw .malformed }
            if i + 1 < s.count, s[i] == "e" || s[i] == "E" {
                var j = i + 1
                var exponent = "e"
                if j < s.count, s[j] == "+" || s[j] == "-" {
                    exponent.unicodeScalars.append(s[j])
                    j += 1
                }
                var expDigits = 0
                while j < s.count, isDigit(s[j]) {
                    exponent.unicodeScalars.append(s[j])
                    expDigits += 1
                    j += 1
                }
                if expDigits > 0 {
                    number += exponent
                    i = j
                }
            }
            guard let value = Double(number) else { throw .malformed }
            guard value.isFinite else { throw .notFinite }
            // The unit: everything up to the next space or digit ("°C", "kJ/K", "%", "min").
            while i < s.count, isSpace(s[i]) { i += 1 }
            // "66 ° C" → "°C".
            var unit = ""
            while i < s.count, !isDigit(s[i]), s[i] != "+", s[i] != "-", s[i] != "−" {
                if isSpace(s[i]) {
                    if unit == "°" || unit == "º" {
                        i += 1
                        continue
                    }
                    break
                }
                unit.unicodeScalars.append(s[i])
                i += 1
            }
            parts.append(Part(number: value, unit: unit.isEmpty ? nil : unit))
            if parts.count > 16 { throw .malformed }
        }
        return parts
    }
}
