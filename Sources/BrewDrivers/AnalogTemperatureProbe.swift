import BrewCore
import BrewHAL

/// A resistive temperature sensor (NTC thermistor or PT100/PT1000) read through one ADS1115
/// channel.
///
/// Circuit (the same one the hardware file's `ntc`/`pt100` front ends describe): a series
/// resistor from the supply to the ADC input, the sensor from the input to ground, so
///
///     V = Vs · R / (Rs + R)   ⇒   R = Rs · V / (Vs − V)
///
/// The supply should be the ADS1115's own VDD (or a reference shared with it) so its tolerance
/// does not become a temperature error. For a PT100 choose Rs for the current (3.3 V over 1 kΩ is
/// 3 mA: ~0.5 °C of self-heating in still air; 4.7 kΩ keeps it near 0.7 mA) and a PGA range just
/// above the highest sensor voltage.
///
/// Faults, all `.deviceFault` naming the probe: the input at or above the supply (or the ADC
/// saturated) — an open sensor or a broken wire; the input at or below 0 V — a short; a resistance
/// beyond the sensor's specified range (open side: colder than an NTC can be / hotter than a PT100
/// can be; short side the other way), with the resistance in the detail.
public final class AnalogTemperatureProbe: TemperatureSensor {
    public enum Element: Hashable, Sendable {
        case ntc(NTCThermistor)
        case rtd(PlatinumRTD)
    }

    public let adc: ADS1115
    public let channel: Int
    public let gain: ADS1115.Gain
    public let element: Element
    public let supply: Double
    public let seriesResistor: Double
    public let name: String

    public init(adc: ADS1115, channel: Int, gain: ADS1115.Gain, element: Element, supply: Double, seriesResistor: Double) throws(BusError) {
        guard (0...3).contains(channel), supply > 0, seriesResistor > 0 else {
            throw BusError(.invalidRequest, bus: adc.bus.name, address: Int(adc.address),
                           detail: "analog probe needs channel 0…3, a positive supply and series resistor")
        }
        self.adc = adc
        self.channel = channel
        self.gain = gain
        self.element = element
        self.supply = supply
        self.seriesResistor = seriesResistor
        let kind: String
        switch element {
        case .ntc: kind = "NTC"
        case .rtd(let r): kind = r.r0 == 1000 ? "PT1000" : "PT100"
        }
        self.name = "\(kind) on \(adc.name)/AIN\(channel)"
    }

    /// One single-shot conversion (bounded poll), converted and checked.
    public func readTemperature() throws(BusError) -> Celsius {
        try temperature(volts: try adc.measure(channel: channel, gain: gain))
    }

    /// Volts at the input → °C, with the open/short checks.
    public func temperature(volts v: Double) throws(BusError) -> Celsius {
        let saturated = v >= gain.fullScale * 32767 / 32768
        if v >= supply || saturated {
            throw fault("input \(fmt(v)) V at or above \(saturated ? "the ADC's full scale" : "the supply"): open sensor or broken wire")
        }
        if v <= 0 {
            throw fault("input \(fmt(v)) V: sensor shorted")
        }
        let r = seriesResistor * v / (supply - v)
        switch element {
        case .ntc(let ntc):
            let (short, open) = ntc.resistanceLimits
            if r > open { throw fault("resistance \(fmt(r)) Ω above the NTC's \(ntc.range.lowerBound) °C value: open circuit") }
            if r < short { throw fault("resistance \(fmt(r)) Ω below the NTC's \(ntc.range.upperBound) °C value: short circuit") }
            return ntc.temperature(resistance: r)
        case .rtd(let rtd):
            let (short, open) = rtd.resistanceLimits
            if r > open { throw fault("resistance \(fmt(r)) Ω above the RTD's \(rtd.range.upperBound) °C value: open circuit") }
            if r < short { throw fault("resistance \(fmt(r)) Ω below the RTD's \(rtd.range.lowerBound) °C value: short circuit") }
            return rtd.temperature(resistance: r)
        }
    }

    private func fault(_ detail: String) -> BusError {
        BusError(.deviceFault, bus: adc.bus.name, address: Int(adc.address), register: Int(ADS1115.Register.conversion),
                 detail: "\(name): \(detail)")
    }

    private func fmt(_ x: Double) -> String {
        let r = (x * 1000).rounded() / 1000
        return "\(r)"
    }
}
