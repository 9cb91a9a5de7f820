import BrewCore
import BrewHAL

/// A relay on a Modbus relay module (or a drive's run/stop coil), switched with function 0x05.
/// Written against `ModbusClient`, so it runs on libmodbus and on the simulated client alike.
public final class ModbusCoilOutput: DigitalOutput {
    public let client: any ModbusClient
    public let unit: UInt8
    public let coil: UInt16
    public let name: String
    public private(set) var isOn = false

    public init(client: any ModbusClient, unit: UInt8, coil: UInt16, name: String? = nil) {
        self.client = client
        self.unit = unit
        self.coil = coil
        self.name = name ?? "\(client.name) unit \(unit) coil \(coil)"
    }

    public func set(_ on: Bool) throws(BusError) {
        try client.writeCoil(unit: unit, address: coil, value: on)
        isOn = on
    }

    /// The coil as the module reports it.
    public func readBack() throws(BusError) -> Bool {
        guard let bit = try client.readCoils(unit: unit, address: coil, count: 1).first else {
            throw BusError(.badResponse, bus: client.name, address: Int(unit), register: Int(coil), detail: "no coil in the answer")
        }
        return bit
    }
}
