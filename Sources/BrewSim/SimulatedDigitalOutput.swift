import BrewCore
import BrewHAL

/// An SSR, relay, valve or contactor in the simulation. It only records what it was told; the
/// simulated plant reads `isOn` and integrates heat and on-time itself.
public final class SimulatedDigitalOutput: DigitalOutput {
    public let name: String
    /// What the output was last successfully driven to.
    public private(set) var isOn: Bool
    /// Successful `set` calls that changed the state (off→on or on→off).
    public private(set) var switchCount = 0
    /// Successful `set` calls, changing the state or not.
    public private(set) var setCount = 0
    /// Calls that threw because of injected faults.
    public private(set) var failedSetCount = 0

    /// Fault injection: the next `set` throws `.io` and leaves the output as it was; then clears.
    public var failNextSet = false
    /// Fault injection: every `set` throws `.io` until cleared (a dead driver board).
    public var failEverySet = false

    public init(name: String, initiallyOn: Bool = false) {
        self.name = name
        self.isOn = initiallyOn
    }

    public func set(_ on: Bool) throws(BusError) {
        if failNextSet || failEverySet {
            failNextSet = false
            failedSetCount += 1
            throw BusError(.io, bus: "sim-gpio", detail: "\(name): injected fault, output left \(isOn ? "on" : "off")")
        }
        setCount += 1
        if on != isOn {
            isOn = on
            switchCount += 1
        }
    }
}
