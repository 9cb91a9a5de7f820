import BrewCore
import BrewHAL

/// A temperature transmitter on Modbus (RTU or TCP) described by a register map: one point that
/// holds the temperature, in whatever format and scaling the device's manual gives (e.g. int16 in
/// 0.1 °C: scale 0.1). Optionally a status register whose non-zero value means a sensor fault
/// (many transmitters flag a broken RTD that way) and a plausible range, beyond which the value
/// is the transmitter's own open/short code rather than a temperature.
public final class ModbusTemperatureTransmitter: TemperatureSensor {
    public let client: any ModbusClient
    public let point: ModbusPoint
    public let faultRegister: ModbusPoint?
    public let range: ClosedRange<Double>
    public let name: String

    public init(client: any ModbusClient, point: ModbusPoint, faultRegister: ModbusPoint? = nil,
                range: ClosedRange<Double> = -50...200, name: String? = nil) {
        self.client = client
        self.point = point
        self.faultRegister = faultRegister
        self.range = range
        self.name = name ?? "Modbus temperature @ \(client.name) unit \(point.unit) reg \(point.address)"
    }

    public func readTemperature() throws(BusError) -> Celsius {
        if let faultRegister {
            let status = try faultRegister.read(from: client)
            if status != 0 {
                throw BusError(.deviceFault, bus: client.name, address: Int(faultRegister.unit), register: Int(faultRegister.address),
                               detail: "\(name): transmitter reports sensor fault \(Int(status))")
            }
        }
        let v = try point.read(from: client)
        guard range.contains(v) else {
            throw BusError(.deviceFault, bus: client.name, address: Int(point.unit), register: Int(point.address),
                           detail: "\(name): \(v) °C is outside \(range.lowerBound)…\(range.upperBound) °C (sensor open or shorted?)")
        }
        return Celsius(v)
    }
}
