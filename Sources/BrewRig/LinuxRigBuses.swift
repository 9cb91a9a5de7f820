#if canImport(Glibc)
import Glibc
#endif
import BrewCore
import BrewHAL
import BrewLinux
import BrewRigIO

/// The buses of a rig on a Linux board, opened on first use and kept open: one `LinuxGPIOChip`,
/// `LinuxI2CBus` or `LibModbusClient` per bus in the hardware file, however many devices share it.
public final class LinuxRigBuses: RigBusProvider {
    public let rig: RigSpec
    private var chips: [String: LinuxGPIOChip] = [:]
    private var i2cBuses: [String: LinuxI2CBus] = [:]
    private var modbusClients: [String: LibModbusClient] = [:]

    public init(rig: RigSpec) { self.rig = rig }

    private func spec(_ id: String) throws(BusError) -> RigSpec.Bus {
        guard let bus = rig.bus(id: id) else { throw BusError(.invalidRequest, bus: id, detail: "no bus `\(id)` in \(rig.source)") }
        return bus
    }

    public func gpio(_ id: String) throws(BusError) -> LinuxGPIOChip {
        if let chip = chips[id] { return chip }
        guard case .gpio(let name) = try spec(id).kind else { throw BusError(.invalidRequest, bus: id, detail: "`\(id)` is not a GPIO bus") }
        let chip = try LinuxGPIOChip(name)
        chips[id] = chip
        return chip
    }

    public func i2c(_ id: String) throws(BusError) -> LinuxI2CBus {
        if let bus = i2cBuses[id] { return bus }
        guard case .i2c(let adapter) = try spec(id).kind else { throw BusError(.invalidRequest, bus: id, detail: "`\(id)` is not an I2C bus") }
        let bus = try LinuxI2CBus(adapter: adapter)
        i2cBuses[id] = bus
        return bus
    }

    public func modbus(_ id: String) throws(BusError) -> LibModbusClient {
        if let client = modbusClients[id] { return client }
        let link: LibModbusClient.Link
        let timeout: Seconds
        let retries: Int
        switch try spec(id).kind {
        case .modbusRTU(let rtu):
            let parity: LibModbusClient.Parity = switch rtu.parity {
            case .none: .none
            case .even: .even
            case .odd: .odd
            }
            link = .rtu(device: rtu.device, baud: rtu.baud, parity: parity, dataBits: rtu.dataBits, stopBits: rtu.stopBits)
            (timeout, retries) = (rtu.timeout, rtu.retries)
        case .modbusTCP(let tcp):
            link = .tcp(host: tcp.host, port: tcp.port)
            (timeout, retries) = (tcp.timeout, tcp.retries)
        default:
            throw BusError(.invalidRequest, bus: id, detail: "`\(id)` is not a Modbus bus")
        }
        let client = try LibModbusClient(link: link, responseTimeout: timeout, retries: retries)
        modbusClients[id] = client
        return client
    }

    // MARK: - RigBusProvider

    /// An I2C adapter is reopened (a USB adapter that was re-plugged); a Modbus line is closed, to
    /// be opened again on its next request. Devices behind them are re-probed by the caller.
    public func reinitialise(bus id: String) {
        if let bus = i2cBuses[id] { try? bus.reopen() }
        if let client = modbusClients[id] { client.disconnect() }
        if case .oneWire(let wire)? = rig.bus(id: id)?.kind { reinitialise(bus: wire.i2cBus) }
    }

    public func i2cBus(_ id: String) throws(BusError) -> any I2CBus { try i2c(id) }
    public func modbusClient(_ id: String) throws(BusError) -> any ModbusClient { try modbus(id) }

    public func levelInput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> () throws(BusError) -> Bool {
        let input = try gpio(bus).input(line: line, activeLow: activeLow, name: name)
        return { () throws(BusError) -> Bool in try input.read() }
    }

    public func gpioOutput(bus: String, line: Int, activeLow: Bool, name: String) throws(BusError) -> any DigitalOutput {
        try gpio(bus).output(line: line, activeLow: activeLow, name: name)
    }

    public func pulseInput(bus: String, line: Int, name: String) throws(BusError) -> (_ each: (UInt64) -> Void) throws(BusError) -> UInt64 {
        let edges = try gpio(bus).edges(line: line, .rising, name: name)
        return { (each: (UInt64) -> Void) throws(BusError) -> UInt64 in
            try edges.drain { each($0.nanoseconds) }
            // The kernel stamps GPIO events with CLOCK_MONOTONIC: "now" must come from the same clock.
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
        }
    }
}
