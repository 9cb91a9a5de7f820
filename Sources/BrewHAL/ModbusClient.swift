import BrewCore

/// A Modbus master (RTU over RS-485 or TCP), spoken to in the standard public function codes — the
/// calls libmodbus offers (`modbus_read_registers` …) with the slave/unit id passed explicitly, so a
/// driver written against this runs unchanged on a real link and on a simulated one.
///
/// Addresses are the 0-based protocol addresses that go on the wire (register "40001" is address 0).
/// Failures map onto `BusError` with `bus` = the client's name, `address` = the unit id and
/// `register` = the first register/coil address of the request:
/// - no answer within the response timeout → `.timeout`;
/// - a frame with a bad CRC (RTU) → `.checksum`;
/// - a Modbus exception response → `.deviceFault`, the detail naming the exception code
///   (1 illegal function, 2 illegal data address, 3 illegal data value, 4 slave device failure …);
/// - a malformed or mismatched response → `.badResponse`;
/// - a request the protocol cannot carry (count 0 or too large, unit id > 247) → `.invalidRequest`;
/// - the serial port or socket failing → `.io`.
///
/// Not thread-safe: a link belongs to the one control loop that owns it.
public protocol ModbusClient: AnyObject {
    /// A name for messages, e.g. "rs485-0" or "modbus-tcp 192.168.1.20:502".
    var name: String { get }

    /// Function 0x03. `count` 1…125.
    func readHoldingRegisters(unit: UInt8, address: UInt16, count: Int) throws(BusError) -> [UInt16]
    /// Function 0x04. `count` 1…125.
    func readInputRegisters(unit: UInt8, address: UInt16, count: Int) throws(BusError) -> [UInt16]
    /// Function 0x06.
    func writeRegister(unit: UInt8, address: UInt16, value: UInt16) throws(BusError)
    /// Function 0x10. `values.count` 1…123.
    func writeRegisters(unit: UInt8, address: UInt16, values: [UInt16]) throws(BusError)
    /// Function 0x01. `count` 1…2000.
    func readCoils(unit: UInt8, address: UInt16, count: Int) throws(BusError) -> [Bool]
    /// Function 0x05.
    func writeCoil(unit: UInt8, address: UInt16, value: Bool) throws(BusError)
}

/// Limits of the Modbus application protocol (Modbus Application Protocol Specification V1.1b3).
public enum ModbusLimits {
    /// Unit ids a request may address (0 is broadcast, write-only; 248…255 reserved).
    public static let unitIDs: ClosedRange<UInt8> = 1...247
    public static let maxReadRegisters = 125
    public static let maxWriteRegisters = 123
    public static let maxReadCoils = 2000
}

/// Modbus exception codes (specification section 7).
public enum ModbusException: UInt8, Sendable, CaseIterable {
    case illegalFunction = 1
    case illegalDataAddress = 2
    case illegalDataValue = 3
    case serverDeviceFailure = 4
    case acknowledge = 5
    case serverDeviceBusy = 6
    case memoryParityError = 8
    case gatewayPathUnavailable = 0x0A
    case gatewayTargetFailedToRespond = 0x0B

    /// "exception 2 (illegal data address)" — the form every client puts in `BusError.detail`.
    public var detail: String {
        let text: String
        switch self {
        case .illegalFunction: text = "illegal function"
        case .illegalDataAddress: text = "illegal data address"
        case .illegalDataValue: text = "illegal data value"
        case .serverDeviceFailure: text = "server device failure"
        case .acknowledge: text = "acknowledge"
        case .serverDeviceBusy: text = "server device busy"
        case .memoryParityError: text = "memory parity error"
        case .gatewayPathUnavailable: text = "gateway path unavailable"
        case .gatewayTargetFailedToRespond: text = "gateway target failed to respond"
        }
        return "exception \(rawValue) (\(text))"
    }
}
