#if canImport(Glibc)
import Glibc
#endif
import BrewCore
import BrewHAL
import CModbus

/// A Modbus master on a real line through libmodbus: RTU on a serial port (RS-485 adapter) or TCP.
///
/// Every call is bounded: the response timeout limits each attempt, and a failed attempt is retried
/// at most `retries` times — only for failures a retry can fix (timeout, CRC error, link down);
/// an exception response from the device is the device's answer and is thrown at once. After a
/// link failure the connection is closed and opened again on the next attempt, so a device that
/// was power-cycled, or a TCP gateway that dropped the connection, comes back by itself.
///
/// Errors are `BusError`s naming the line, the unit (as the address) and the first register.
/// Not thread-safe: one control loop owns one client (as one RS-485 line has one master).
public final class LibModbusClient: ModbusClient {
    public enum Link: Hashable, Sendable, CustomStringConvertible {
        /// Modbus RTU on a serial device: baud rate, parity "N"/"E"/"O", data bits, stop bits.
        case rtu(device: String, baud: Int, parity: Parity, dataBits: Int, stopBits: Int)
        /// Modbus TCP to a host (name or address) and port.
        case tcp(host: String, port: Int)

        public var description: String {
            switch self {
            case .rtu(let device, _, _, _, _): device
            case .tcp(let host, let port): "\(host):\(port)"
            }
        }
    }

    public enum Parity: String, Hashable, Sendable {
        case none = "N", even = "E", odd = "O"
    }

    public let link: Link
    public let name: String
    public let responseTimeout: Seconds
    public let retries: Int
    private var context: OpaquePointer?
    private var connected = false
    /// Connections opened, for tests and diagnostics (a reconnect shows as a second one).
    public private(set) var connects = 0

    /// Creates the libmodbus context; connects on first use. Throws `.invalidRequest` for settings
    /// libmodbus refuses (an unknown baud rate, a bad host string).
    public init(link: Link, responseTimeout: Seconds = Seconds(0.5), retries: Int = 2) throws(BusError) {
        self.link = link
        self.name = "modbus \(link)"
        self.responseTimeout = responseTimeout
        self.retries = max(0, retries)
        switch link {
        case .rtu(let device, let baud, let parity, let dataBits, let stopBits):
            let p: UInt8 = switch parity {
            case .none: UInt8(ascii: "N")
            case .even: UInt8(ascii: "E")
            case .odd: UInt8(ascii: "O")
            }
            context = modbus_new_rtu(device, Int32(baud), CChar(bitPattern: p), Int32(dataBits), Int32(stopBits))
        case .tcp(let host, let port):
            context = modbus_new_tcp_pi(host, String(port))
        }
        guard let context else {
            throw BusError(.invalidRequest, bus: "modbus \(link)", detail: "libmodbus refused the line settings: \(String(cString: strerror(errno)))")
        }
        let whole = max(0, responseTimeout.value)
        modbus_set_response_timeout(context, UInt32(whole.rounded(.down)), UInt32(((whole - whole.rounded(.down)) * 1_000_000).rounded()))
    }

    deinit {
        if let context {
            modbus_close(context)
            modbus_free(context)
        }
    }

    /// The open serial port or socket (for diagnostics and tests), nil while disconnected.
    public var fileDescriptor: Int32? {
        guard connected, let context else { return nil }
        let fd = modbus_get_socket(context)
        return fd >= 0 ? fd : nil
    }

    /// Closes the connection; the next call opens it again.
    public func disconnect() {
        if let context, connected { modbus_close(context) }
        connected = false
    }

    // MARK: - ModbusClient

    public func readHoldingRegisters(unit: UInt8, address: UInt16, count: Int) throws(BusError) -> [UInt16] {
        try readRegisters(unit: unit, address: address, count: count, input: false)
    }

    public func readInputRegisters(unit: UInt8, address: UInt16, count: Int) throws(BusError) -> [UInt16] {
        try readRegisters(unit: unit, address: address, count: count, input: true)
    }

    public func writeRegister(unit: UInt8, address: UInt16, value: UInt16) throws(BusError) {
        try attempt(unit: unit, register: address) { ctx in modbus_write_register(ctx, Int32(address), value) }
    }

    public func writeRegisters(unit: UInt8, address: UInt16, values: [UInt16]) throws(BusError) {
        try checkCount(values.count, max: Int(MODBUS_MAX_WRITE_REGISTERS), unit: unit, address: address)
        try values.withUnsafeBufferPointer { (buffer) throws(BusError) in
            try attempt(unit: unit, register: address) { ctx in
                modbus_write_registers(ctx, Int32(address), Int32(buffer.count), buffer.baseAddress)
            }
        }
    }

    public func readCoils(unit: UInt8, address: UInt16, count: Int) throws(BusError) -> [Bool] {
        try checkCount(count, max: Int(MODBUS_MAX_READ_BITS), unit: unit, address: address)
        var bits = [UInt8](repeating: 0, count: count)
        try bits.withUnsafeMutableBufferPointer { (buffer) throws(BusError) in
            try attempt(unit: unit, register: address) { ctx in modbus_read_bits(ctx, Int32(address), Int32(count), buffer.baseAddress) }
        }
        return bits.map { $0 != 0 }
    }

    public func writeCoil(unit: UInt8, address: UInt16, value: Bool) throws(BusError) {
        try attempt(unit: unit, register: address) { ctx in modbus_write_bit(ctx, Int32(address), value ? 1 : 0) }
    }

    // MARK: - Internals

    private func readRegisters(unit: UInt8, address: UInt16, count: Int, input: Bool) throws(BusError) -> [UInt16] {
        try checkCount(count, max: Int(MODBUS_MAX_READ_REGISTERS), unit: unit, address: address)
        var registers = [UInt16](repeating: 0, count: count)
        try registers.withUnsafeMutableBufferPointer { (buffer) throws(BusError) in
            try attempt(unit: unit, register: address) { ctx in
                input ? modbus_read_input_registers(ctx, Int32(address), Int32(count), buffer.baseAddress)
                      : modbus_read_registers(ctx, Int32(address), Int32(count), buffer.baseAddress)
            }
        }
        return registers
    }

    private func checkCount(_ count: Int, max: Int, unit: UInt8, address: UInt16) throws(BusError) {
        guard (1...max).contains(count) else {
            throw BusError(.invalidRequest, bus: name, address: Int(unit), register: Int(address),
                           detail: "\(count) items in one request; Modbus allows 1…\(max)")
        }
    }

    /// Runs one libmodbus call with connection handling and bounded retries.
    private func attempt(unit: UInt8, register: UInt16, _ call: (OpaquePointer) -> Int32) throws(BusError) {
        guard let context else { throw BusError(.io, bus: name, detail: "no libmodbus context") }
        guard (1...247).contains(unit) else {
            throw BusError(.invalidRequest, bus: name, address: Int(unit), register: Int(register),
                           detail: "unit \(unit) is not a Modbus unit id (1…247)")
        }
        var last: BusError?
        for _ in 0...retries {
            if !connected {
                if modbus_connect(context) == -1 {
                    let code = ModbusErrorCode(rawValue: errno)
                    last = BusError(code.rawValue == ECONNREFUSED ? .noDevice : .io, bus: name, address: Int(unit),
                                    register: Int(register), detail: "cannot open the line: \(code)")
                    continue
                }
                connected = true
                connects += 1
            }
            modbus_set_slave(context, Int32(unit))
            if call(context) != -1 { return }
            let code = ModbusErrorCode(rawValue: errno)
            let error = code.busError(bus: name, unit: Int(unit), register: Int(register))
            last = error
            switch error.kind {
            case .deviceFault, .invalidRequest:
                throw error   // the device's own answer, or a request that can never succeed
            case .timeout, .checksum, .badResponse:
                // Drop whatever half-frame is still arriving before the next try.
                modbus_flush(context)
                if case .tcp = link { disconnect() }
            case .io, .noDevice:
                disconnect()
            }
        }
        throw last ?? BusError(.io, bus: name, address: Int(unit), register: Int(register), detail: "failed")
    }
}
