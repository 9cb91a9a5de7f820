import BrewCore
import BrewHAL

/// A pump on a variable-frequency drive whose speed setpoint is a holding register:
/// `fullScaleCounts` is 100 % (drives use 10000 = 100.00 %, or the frequency in 0.01 Hz, …).
/// Requests are clamped to 0…`maxSpeed` (the hardware file's limit, e.g. to spare a mash bed),
/// encoded, written, and read back. An optional run coil starts and stops the drive.
public final class VariableSpeedPump {
    public let client: any ModbusClient
    public let setpoint: ModbusPoint
    public let runCoil: UInt16?
    public let fullScaleCounts: Double
    public let maxSpeed: Percent
    public let name: String
    /// What was last written successfully.
    public private(set) var speed = Percent(0)

    public init(client: any ModbusClient, unit: UInt8, register: UInt16, fullScaleCounts: Int,
                maxSpeed: Percent = Percent(100), runCoil: UInt16? = nil, value: ModbusValue.DataType = .uint16,
                name: String? = nil) {
        self.client = client
        self.fullScaleCounts = Double(fullScaleCounts)
        self.setpoint = ModbusPoint(unit: unit, table: .holding, address: register,
                                    value: ModbusValue(value, scale: 100 / Double(fullScaleCounts)))
        self.runCoil = runCoil
        self.maxSpeed = maxSpeed
        self.name = name ?? "VSD pump @ \(client.name) unit \(unit)"
    }

    /// The registers a request would write (clamped, scaled, rounded).
    public func encode(_ requested: Percent) -> [UInt16] {
        setpoint.value.encode(min(requested.value, maxSpeed.value))
    }

    public func set(_ requested: Percent) throws(BusError) {
        let words = encode(requested)
        if words.count == 1 {
            try client.writeRegister(unit: setpoint.unit, address: setpoint.address, value: words[0])
        } else {
            try client.writeRegisters(unit: setpoint.unit, address: setpoint.address, values: words)
        }
        let back = try client.readHoldingRegisters(unit: setpoint.unit, address: setpoint.address, count: words.count)
        guard back == words else {
            throw BusError(.badResponse, bus: client.name, address: Int(setpoint.unit), register: Int(setpoint.address),
                           detail: "\(name): speed register reads back \(back) after writing \(words)")
        }
        if let runCoil {
            try client.writeCoil(unit: setpoint.unit, address: runCoil, value: words.contains { $0 != 0 })
        }
        speed = Percent(setpoint.value.decode(words) ?? 0)
    }
}
