#if canImport(Glibc)
import Glibc
#endif
import BrewHAL
import CModbus

/// An errno value as libmodbus leaves it after a failed call: either one of libmodbus's own codes
/// (`MODBUS_ENOBASE + …`: a Modbus exception returned by the device, or a framing problem found by
/// libmodbus) or an ordinary system errno (ETIMEDOUT, EIO, …). Maps each onto the `BusError.Kind`
/// the safety layer acts on.
public struct ModbusErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    // Exception responses (function code | 0x80) from the device. The first group is re-exported by
    // the CModbus shim; the rest are built here from the same header enum, as the shim lacks them.
    public static let illegalFunction = ModbusErrorCode(rawValue: brew_modbus_EMBXILFUN)
    public static let illegalDataAddress = ModbusErrorCode(rawValue: brew_modbus_EMBXILADD)
    public static let illegalDataValue = ModbusErrorCode(rawValue: brew_modbus_EMBXILVAL)
    public static let serverDeviceFailure = ModbusErrorCode(rawValue: brew_modbus_EMBXSFAIL)
    public static let acknowledge = exception(MODBUS_EXCEPTION_ACKNOWLEDGE)
    public static let serverDeviceBusy = ModbusErrorCode(rawValue: brew_modbus_EMBXSBUSY)
    public static let negativeAcknowledge = exception(MODBUS_EXCEPTION_NEGATIVE_ACKNOWLEDGE)
    public static let memoryParityError = exception(MODBUS_EXCEPTION_MEMORY_PARITY)
    public static let gatewayPathUnavailable = exception(MODBUS_EXCEPTION_GATEWAY_PATH)
    public static let gatewayTargetFailedToRespond = exception(MODBUS_EXCEPTION_GATEWAY_TARGET)

    // libmodbus's own checks on what came back.
    public static let badCRC = ModbusErrorCode(rawValue: brew_modbus_EMBBADCRC)
    public static let badData = ModbusErrorCode(rawValue: brew_modbus_EMBBADDATA)
    public static let badException = ModbusErrorCode(rawValue: brew_modbus_EMBBADEXC)
    /// EMBUNKEXC (not in the shim): reserved by libmodbus, "unknown exception".
    public static let unknownException = ModbusErrorCode(rawValue: brew_modbus_EMBBADEXC + 1)
    /// Too many registers or bits asked for in one request (checked before anything is sent).
    public static let tooManyData = ModbusErrorCode(rawValue: brew_modbus_EMBMDATA)
    /// The response came from a different unit than the one asked.
    public static let wrongUnit = ModbusErrorCode(rawValue: brew_modbus_EMBBADSLAVE)

    public static let timedOut = ModbusErrorCode(rawValue: ETIMEDOUT)

    private static func exception(_ code: Int) -> ModbusErrorCode {
        ModbusErrorCode(rawValue: MODBUS_ENOBASE + Int32(code))
    }

    /// Whether the device answered with a Modbus exception response.
    public var isException: Bool {
        rawValue > MODBUS_ENOBASE && rawValue < MODBUS_ENOBASE + Int32(MODBUS_EXCEPTION_MAX)
    }

    public var kind: BusError.Kind {
        switch self {
        case .badCRC: return .checksum
        case .timedOut: return .timeout
        // A gateway reporting that the unit behind it stayed silent is a silent unit.
        case .gatewayTargetFailedToRespond: return .noDevice
        case .badData, .badException, .wrongUnit: return .badResponse
        case .unknownException: return .deviceFault
        case .tooManyData: return .invalidRequest
        default:
            if isException { return .deviceFault }
            switch rawValue {
            case EINVAL: return .invalidRequest
            default: return .io
            }
        }
    }

    /// libmodbus's own message for the code (`modbus_strerror`, which falls back to strerror).
    public var description: String {
        String(cString: modbus_strerror(rawValue))
    }

    /// A `BusError` for a failed libmodbus call on `bus` (e.g. "/dev/ttyUSB0"), naming the unit
    /// (Modbus slave id) as the address and the first register of the request.
    public func busError(bus: String, unit: Int?, register: Int?) -> BusError {
        // Exceptions are named the way every ModbusClient names them ("exception 2 (illegal data address)").
        let exception = isException ? ModbusException(rawValue: UInt8(truncatingIfNeeded: rawValue - MODBUS_ENOBASE)) : nil
        return BusError(kind, bus: bus, address: unit, register: register, detail: exception?.detail ?? description)
    }
}
