import BrewCore

/// Something that measures a temperature (a chip, a probe behind a bridge, a Modbus transmitter).
public protocol TemperatureSensor: AnyObject {
    /// A name for messages, e.g. "MCP9808 @ i2c-1:0x18".
    var name: String { get }
    /// One fresh measurement. Throws rather than return a value it does not trust.
    func readTemperature() throws(BusError) -> Celsius
}

/// An on/off output: an SSR, a relay, a solenoid valve, a pump contactor.
public protocol DigitalOutput: AnyObject {
    var name: String { get }
    /// What the output was last successfully driven to.
    var isOn: Bool { get }
    func set(_ on: Bool) throws(BusError)
}
