import BrewCore
import BrewHAL

/// One simulated Modbus server (slave): holding and input registers and coils by address.
/// Reading an address nobody defined is exception 2 (illegal data address), as most devices do.
public final class SimulatedModbusDevice {
    public var holding: [UInt16: UInt16] = [:]
    public var input: [UInt16: UInt16] = [:]
    public var coils: [UInt16: Bool] = [:]
    /// Holding registers that accept writes (all defined ones when nil).
    public var writable: Set<UInt16>?
    /// Called after every accepted register write (a drive ramping, a clamp …).
    public var onWrite: ((UInt16, UInt16) -> Void)?

    public init() {}

    public func setHolding(_ address: UInt16, _ values: [UInt16]) {
        for (i, v) in values.enumerated() { holding[address + UInt16(i)] = v }
    }
    public func setInput(_ address: UInt16, _ values: [UInt16]) {
        for (i, v) in values.enumerated() { input[address + UInt16(i)] = v }
    }
}

/// A Modbus link with simulated devices on it, behaving like the libmodbus client in BrewLinux:
/// an absent unit times out; faults can be scheduled per unit — a timeout, an exception response
/// (1 illegal function, 2 illegal data address, 3 illegal data value, 4 server device failure),
/// or a frame with a bad CRC.
public final class SimulatedModbusClient: ModbusClient {
    public enum Fault: Hashable, Sendable {
        case timeout
        case exception(ModbusException)
        case crc
    }

    public let name: String
    public private(set) var devices: [UInt8: SimulatedModbusDevice] = [:]
    public private(set) var requestCount = 0
    private var faults: [UInt8: [Fault]] = [:]

    public init(name: String = "sim-modbus") { self.name = name }

    public func attach(_ device: SimulatedModbusDevice, unit: UInt8) { devices[unit] = device }

    /// The next requests to `unit` fail with these faults, in order.
    public func fail(unit: UInt8, with faults: [Fault]) { self.faults[unit, default: []] += faults }

    /// Faults that last until lifted: per unit, or for every unit on the line (key nil).
    private var standing: [UInt8?: Fault] = [:]

    /// Every request to `unit` (nil: to any unit) fails with `fault` until `stopFailing`.
    public func keepFailing(unit: UInt8?, with fault: Fault) { standing[unit] = fault }

    /// Lifts a fault `keepFailing` set.
    public func stopFailing(unit: UInt8?) { standing[unit] = nil }

    private func begin(_ unit: UInt8, _ address: UInt16, count: Int, max: Int) throws(BusError) -> SimulatedModbusDevice {
        requestCount += 1
        guard ModbusLimits.unitIDs.contains(unit) else {
            throw BusError(.invalidRequest, bus: name, address: Int(unit), register: Int(address), detail: "unit id \(unit) outside 1…247")
        }
        guard count >= 1 && count <= max else {
            throw BusError(.invalidRequest, bus: name, address: Int(unit), register: Int(address), detail: "count \(count) outside 1…\(max)")
        }
        var due: Fault?
        if var pending = faults[unit], !pending.isEmpty {
            due = pending.removeFirst()
            faults[unit] = pending
        } else {
            due = standing[unit] ?? standing[nil]
        }
        if let f = due {
            switch f {
            case .timeout: throw BusError(.timeout, bus: name, address: Int(unit), register: Int(address), detail: "no response (injected)")
            case .crc: throw BusError(.checksum, bus: name, address: Int(unit), register: Int(address), detail: "response CRC mismatch (injected)")
            case .exception(let e): throw BusError(.deviceFault, bus: name, address: Int(unit), register: Int(address), detail: e.detail)
            }
        }
        guard let d = devices[unit] else {
            throw BusError(.timeout, bus: name, address: Int(unit), register: Int(address), detail: "no response from unit \(unit)")
        }
        return d
    }

    private func illegalAddress(_ unit: UInt8, _ address: UInt16) -> BusError {
        BusError(.deviceFault, bus: name, address: Int(unit), register: Int(address), detail: ModbusException.illegalDataAddress.detail)
    }

    private func read(_ table: [UInt16: UInt16], _ unit: UInt8, _ address: UInt16, _ count: Int) throws(BusError) -> [UInt16] {
        var out: [UInt16] = []
        for i in 0..<count {
            guard let v = table[address &+ UInt16(i)] else { throw illegalAddress(unit, address) }
            out.append(v)
        }
        return out
    }

    public func readHoldingRegisters(unit: UInt8, address: UInt16, count: Int) throws(BusError) -> [UInt16] {
        let d = try begin(unit, address, count: count, max: ModbusLimits.maxReadRegisters)
        return try read(d.holding, unit, address, count)
    }

    public func readInputRegisters(unit: UInt8, address: UInt16, count: Int) throws(BusError) -> [UInt16] {
        let d = try begin(unit, address, count: count, max: ModbusLimits.maxReadRegisters)
        return try read(d.input, unit, address, count)
    }

    public func writeRegister(unit: UInt8, address: UInt16, value: UInt16) throws(BusError) {
        try writeRegisters(unit: unit, address: address, values: [value])
    }

    public func writeRegisters(unit: UInt8, address: UInt16, values: [UInt16]) throws(BusError) {
        let d = try begin(unit, address, count: values.count, max: ModbusLimits.maxWriteRegisters)
        for i in values.indices {
            let a = address &+ UInt16(i)
            guard d.holding[a] != nil, d.writable?.contains(a) ?? true else { throw illegalAddress(unit, address) }
        }
        for (i, v) in values.enumerated() {
            let a = address &+ UInt16(i)
            d.holding[a] = v
            d.onWrite?(a, v)
        }
    }

    public func readCoils(unit: UInt8, address: UInt16, count: Int) throws(BusError) -> [Bool] {
        let d = try begin(unit, address, count: count, max: ModbusLimits.maxReadCoils)
        var out: [Bool] = []
        for i in 0..<count {
            guard let v = d.coils[address &+ UInt16(i)] else { throw illegalAddress(unit, address) }
            out.append(v)
        }
        return out
    }

    public func writeCoil(unit: UInt8, address: UInt16, value: Bool) throws(BusError) {
        let d = try begin(unit, address, count: 1, max: 1)
        guard d.coils[address] != nil else { throw illegalAddress(unit, address) }
        d.coils[address] = value
    }
}
