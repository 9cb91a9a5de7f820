import BrewCore
import BrewHAL

/// A flow meter on Modbus (magnetic or turbine with a Modbus head): a rate point (scaled to
/// litres per minute) and optionally a totaliser point (scaled to litres). Negative flow beyond
/// `reverseTolerance` is a fault (reversed meter or wiring), as is a totaliser that goes
/// backwards between reads (a reset or a swapped word order).
public final class ModbusFlowMeter {
    public let client: any ModbusClient
    public let rate: ModbusPoint
    public let total: ModbusPoint?
    public let name: String
    public var reverseTolerance = 0.05
    public private(set) var lastTotal: Double?

    public init(client: any ModbusClient, rate: ModbusPoint, total: ModbusPoint? = nil, name: String? = nil) {
        self.client = client
        self.rate = rate
        self.total = total
        self.name = name ?? "Modbus flow @ \(client.name) unit \(rate.unit)"
    }

    /// Litres per minute.
    public func readRate() throws(BusError) -> Double {
        let v = try rate.read(from: client)
        if v < -reverseTolerance {
            throw BusError(.deviceFault, bus: client.name, address: Int(rate.unit), register: Int(rate.address),
                           detail: "\(name): negative flow \(v) L/min (meter reversed?)")
        }
        return max(0, v)
    }

    /// Litres since the meter's totaliser was last reset.
    public func readTotal() throws(BusError) -> Litres {
        guard let total else {
            throw BusError(.invalidRequest, bus: client.name, address: Int(rate.unit), detail: "\(name) has no totaliser register")
        }
        let v = try total.read(from: client)
        if let last = lastTotal, v < last {
            lastTotal = v
            throw BusError(.badResponse, bus: client.name, address: Int(total.unit), register: Int(total.address),
                           detail: "\(name): totaliser went back from \(last) L to \(v) L")
        }
        lastTotal = v
        return Litres(v)
    }
}
