#if canImport(Glibc)
import Glibc
#endif
import Testing
import CModbus
@testable import BrewLinux
import BrewHAL

@Suite("Linux C libraries are linked and answer")
struct LinuxLibrariesTests {
    @Test("libgpiod is Debian 12's 1.6.x (the v1 API the GPIO backend is written for)")
    func gpiodVersion() {
        let version = LinuxLibraries.gpiodVersion
        #expect(version.hasPrefix("1.6."), "libgpiod \(version)")
    }

    @Test("libmodbus is 3.1.x and the library matches the header it was compiled against")
    func modbusVersion() {
        let version = LinuxLibraries.modbusVersion
        #expect(version.hasPrefix("3.1."), "libmodbus \(version)")
        #expect(version == LIBMODBUS_VERSION_STRING)
    }

    @Test("libi2c's SMBus call on a closed descriptor returns -EBADF")
    func i2cOnBadDescriptor() {
        #expect(LinuxLibraries.i2cSMBusProbe() == -EBADF)
        #expect(LinuxLibraries.i2cSMBusAvailable)
    }
}

@Suite("libmodbus errno → BusError.Kind")
struct ModbusErrorCodeTests {
    @Test("the constants are libmodbus's numbers (MODBUS_ENOBASE + exception code, then the native ones)")
    func constantsMatchHeader() {
        let base: Int32 = 112_345_678
        #expect(ModbusErrorCode.illegalFunction.rawValue == base + 1)
        #expect(ModbusErrorCode.illegalDataAddress.rawValue == base + 2)
        #expect(ModbusErrorCode.illegalDataValue.rawValue == base + 3)
        #expect(ModbusErrorCode.serverDeviceFailure.rawValue == base + 4)
        #expect(ModbusErrorCode.acknowledge.rawValue == base + 5)
        #expect(ModbusErrorCode.serverDeviceBusy.rawValue == base + 6)
        #expect(ModbusErrorCode.negativeAcknowledge.rawValue == base + 7)
        #expect(ModbusErrorCode.memoryParityError.rawValue == base + 8)
        #expect(ModbusErrorCode.gatewayPathUnavailable.rawValue == base + 10)
        #expect(ModbusErrorCode.gatewayTargetFailedToRespond.rawValue == base + 11)
        #expect(ModbusErrorCode.badCRC.rawValue == base + 12)
        #expect(ModbusErrorCode.badData.rawValue == base + 13)
        #expect(ModbusErrorCode.badException.rawValue == base + 14)
        #expect(ModbusErrorCode.unknownException.rawValue == base + 15)
        #expect(ModbusErrorCode.tooManyData.rawValue == base + 16)
        #expect(ModbusErrorCode.wrongUnit.rawValue == base + 17)
    }

    @Test("CRC errors are checksum errors")
    func crc() {
        #expect(ModbusErrorCode(rawValue: brew_modbus_EMBBADCRC).kind == .checksum)
    }

    @Test("a timeout is a timeout")
    func timeout() {
        #expect(ModbusErrorCode(rawValue: ETIMEDOUT).kind == .timeout)
    }

    @Test("exception responses are device faults", arguments: [
        brew_modbus_EMBXILFUN, brew_modbus_EMBXILADD, brew_modbus_EMBXILVAL, brew_modbus_EMBXSFAIL,
        brew_modbus_EMBXSBUSY, ModbusErrorCode.acknowledge.rawValue, ModbusErrorCode.negativeAcknowledge.rawValue,
        ModbusErrorCode.memoryParityError.rawValue, ModbusErrorCode.gatewayPathUnavailable.rawValue,
    ])
    func exceptions(code: Int32) {
        let error = ModbusErrorCode(rawValue: code)
        #expect(error.isException)
        #expect(error.kind == .deviceFault)
    }

    @Test("a gateway whose target stayed silent means no device")
    func gatewayTarget() {
        #expect(ModbusErrorCode.gatewayTargetFailedToRespond.isException)
        #expect(ModbusErrorCode.gatewayTargetFailedToRespond.kind == .noDevice)
    }

    @Test("malformed answers are bad responses; asking for too much is an invalid request")
    func framing() {
        #expect(ModbusErrorCode(rawValue: brew_modbus_EMBBADDATA).kind == .badResponse)
        #expect(ModbusErrorCode(rawValue: brew_modbus_EMBBADEXC).kind == .badResponse)
        #expect(ModbusErrorCode(rawValue: brew_modbus_EMBBADSLAVE).kind == .badResponse)
        #expect(ModbusErrorCode(rawValue: brew_modbus_EMBMDATA).kind == .invalidRequest)
        #expect(!ModbusErrorCode(rawValue: brew_modbus_EMBBADCRC).isException)
    }

    @Test("other system errors are I/O errors, EINVAL an invalid request")
    func systemErrors() {
        #expect(ModbusErrorCode(rawValue: EIO).kind == .io)
        #expect(ModbusErrorCode(rawValue: ECONNRESET).kind == .io)
        #expect(ModbusErrorCode(rawValue: EBADF).kind == .io)
        #expect(ModbusErrorCode(rawValue: EINVAL).kind == .invalidRequest)
    }

    @Test("errors carry libmodbus's message and name bus, unit and register")
    func busError() {
        let error = ModbusErrorCode.badCRC.busError(bus: "/dev/ttyUSB0", unit: 3, register: 0x100)
        #expect(error.kind == .checksum)
        #expect(error.bus == "/dev/ttyUSB0")
        #expect(error.address == 3)
        #expect(error.register == 0x100)
        #expect(error.detail == "Invalid CRC")
    }
}
