#if canImport(Glibc)
import Glibc
#endif
import BrewCore
import BrewHAL
@testable import BrewLinux
import BrewTestSupport
import Foundation
import XCTest

/// libmodbus through `LibModbusClient` against real peers: a pymodbus server on loopback (TCP) and
/// across a socat pseudo-terminal pair (RTU), plus a deliberately broken RTU device. pymodbus is an
/// independent implementation, so framing, byte order and exception handling are checked for real.
final class ModbusPeerTests: XCTestCase {
    static let peers = Peers.scripts

    func require(_ check: [String], _ what: String) throws { try Peers.require(check, what) }
    func spawn(_ arguments: [String]) throws -> Process { try Peers.spawn(arguments, for: self) }
    func stop(_ p: Process) { Peers.stop(p) }
    func waitUntil(_ seconds: Double = 15, _ condition: () -> Bool) -> Bool { Peers.waitUntil(seconds, condition) }
    func freePort() -> Int { Peers.freePort() }
    func listening(_ port: Int) -> Bool { Peers.listening(port) }
    func tcpServer(port: Int) throws -> Process { try Peers.modbusServer(port: port, for: self) }

    func float(_ hi: UInt16, _ lo: UInt16) -> Float { Float(bitPattern: UInt32(hi) << 16 | UInt32(lo)) }

    // MARK: - TCP

    func testReadsWritesAndDecodesAgainstPymodbusOverTCP() throws {
        try require(["python3", "-c", "import pymodbus"], "pymodbus")
        let port = freePort()
        _ = try tcpServer(port: port)
        let client = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port), responseTimeout: Seconds(0.5))

        let holding = try client.readHoldingRegisters(unit: 1, address: 0, count: 8)
        XCTAssertEqual(holding[0], 665)
        XCTAssertEqual(Int16(bitPattern: holding[1]), -100)
        XCTAssertEqual(float(holding[2], holding[3]), 66.5, "float32, big-endian words")
        XCTAssertEqual(float(holding[5], holding[4]), -3.25, "float32, word-swapped")
        XCTAssertEqual(UInt32(holding[6]) << 16 | UInt32(holding[7]), 100_000)
        XCTAssertEqual(try client.readInputRegisters(unit: 1, address: 0, count: 1), [1250])
        XCTAssertEqual(try client.readCoils(unit: 1, address: 0, count: 5), [false, false, false, true, false])

        // The variable-speed pump (unit 7): a setpoint written is read back.
        try client.writeRegister(unit: 7, address: 2, value: 7500)
        try client.writeRegisters(unit: 7, address: 4, values: [1, 2, 3])
        XCTAssertEqual(try client.readHoldingRegisters(unit: 7, address: 2, count: 5), [7500, 0, 1, 2, 3])
        try client.writeCoil(unit: 7, address: 1, value: true)
        XCTAssertEqual(try client.readCoils(unit: 7, address: 0, count: 2), [false, true])
        XCTAssertEqual(client.connects, 1)
    }

    func testExceptionResponsesAndBadRequestsAreTypedErrors() throws {
        try require(["python3", "-c", "import pymodbus"], "pymodbus")
        let port = freePort()
        _ = try tcpServer(port: port)
        let client = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port), responseTimeout: Seconds(0.5))

        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 100, count: 2)) { error in
            let e = error as? BusError
            XCTAssertEqual(e?.kind, .deviceFault)
            XCTAssertEqual(e?.address, 1)
            XCTAssertEqual(e?.register, 100)
            XCTAssertEqual(e?.detail, "exception 2 (illegal data address)")
            XCTAssertEqual(e?.description, "modbus 127.0.0.1:\(port) address 0x01 register 0x64: deviceFault: exception 2 (illegal data address)")
        }
        for (unit, count) in [(UInt8(0), 1), (248, 1), (1, 0), (1, 126)] {
            XCTAssertThrowsError(try client.readHoldingRegisters(unit: unit, address: 0, count: count)) { error in
                XCTAssertEqual((error as? BusError)?.kind, .invalidRequest, "unit \(unit), count \(count)")
            }
        }
        // The link is still good after all that.
        XCTAssertEqual(try client.readHoldingRegisters(unit: 1, address: 10, count: 1), [0x1234])
    }

    func testAUnitThatNeverAnswersTimesOutAfterBoundedRetries() throws {
        try require(["python3", "-c", "import pymodbus"], "pymodbus")
        // A gateway that accepts the connection and then never answers (pymodbus itself answers an
        // unknown unit with exception 4, which is tested as a device fault above).
        let port = freePort()
        _ = try spawn(["python3", "-c", """
            import socket, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(port))); s.listen(8)
            held = []
            while True:
                c, _ = s.accept(); held.append(c)
            """])
        XCTAssertTrue(waitUntil { self.listening(port) })
        let client = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port), responseTimeout: Seconds(0.3), retries: 2)
        let started = Date()
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 9, address: 0, count: 1)) { error in
            XCTAssertEqual((error as? BusError)?.kind, .timeout, "\(error)")
        }
        // Three attempts of 0.3 s each, each on a fresh connection; the bound is generous, the
        // point is that it ends.
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(client.connects, 3, "a TCP link is reopened after a timeout (the stream may be out of step)")
    }

    func testReconnectsAfterTheServerDropsTheLink() throws {
        try require(["python3", "-c", "import pymodbus"], "pymodbus")
        let port = freePort()
        let first = try tcpServer(port: port)
        let client = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port), responseTimeout: Seconds(0.3), retries: 1)
        XCTAssertEqual(try client.readHoldingRegisters(unit: 1, address: 0, count: 1), [665])

        stop(first)
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 0, count: 1)) { error in
            let kind = (error as? BusError)?.kind
            XCTAssertTrue(kind == .io || kind == .noDevice || kind == .timeout, "\(error)")
        }
        _ = try tcpServer(port: port)
        XCTAssertEqual(try client.readHoldingRegisters(unit: 1, address: 0, count: 1), [665], "back by itself")
        XCTAssertEqual(client.connects, 2)
    }

    // MARK: - RTU over a pseudo-terminal pair

    /// socat joins two pseudo-terminals: the client opens one end as its serial port.
    func ptyPair(in dir: URL) throws -> (process: Process, client: String, device: String) {
        let client = dir.appendingPathComponent("client").path, device = dir.appendingPathComponent("device").path
        let socat = try spawn(["socat", "pty,raw,echo=0,link=\(client)", "pty,raw,echo=0,link=\(device)"])
        XCTAssertTrue(waitUntil { FileManager.default.fileExists(atPath: client) && FileManager.default.fileExists(atPath: device) })
        return (socat, client, device)
    }

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-rtu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testRTUAcrossAPseudoTerminalPairIncludingTheLinkDroppingMidRead() throws {
        try require(["python3", "-c", "import pymodbus, serial"], "pymodbus with pyserial")
        try require(["socat", "-V"], "socat")
        let dir = try temporaryDirectory()
        var pair = try ptyPair(in: dir)
        var server = try spawn(["python3", Self.peers.appendingPathComponent("modbus_server.py").path,
                                "--rtu", pair.device, "--baud", "19200", "--parity", "N"])
        // A pseudo-terminal carries no parity bit (and pyserial cannot set one on it), so the line
        // runs 8N1 here; that libmodbus really configures a parity is checked below.
        let client = try LibModbusClient(link: .rtu(device: pair.client, baud: 19200, parity: .none, dataBits: 8, stopBits: 1),
                                         responseTimeout: Seconds(0.5), retries: 1)
        XCTAssertTrue(waitUntil { (try? client.readHoldingRegisters(unit: 1, address: 0, count: 2)) == [665, 0xFF9C] },
                      "RTU read through the pty pair")
        XCTAssertEqual(try client.readInputRegisters(unit: 1, address: 1, count: 2).count, 2)
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 200, count: 1)) { error in
            XCTAssertEqual((error as? BusError)?.kind, .deviceFault)
        }

        // The link drops mid-read: a device that stops answering, then the line itself vanishing.
        stop(server)
        let staller = try spawn(["python3", Self.peers.appendingPathComponent("rtu_faulty_device.py").path, pair.device, "stall"])
        usleep(300_000)
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 0, count: 1)) { error in
            XCTAssertEqual((error as? BusError)?.kind, .timeout, "\(error)")
        }
        stop(staller)
        stop(pair.process)
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 0, count: 1), "the serial line is gone")

        // The adapter comes back (a USB RS-485 dongle re-plugged): the client reopens it by itself.
        pair = try ptyPair(in: dir)
        server = try spawn(["python3", Self.peers.appendingPathComponent("modbus_server.py").path,
                            "--rtu", pair.device, "--baud", "19200", "--parity", "N"])
        XCTAssertTrue(waitUntil { (try? client.readHoldingRegisters(unit: 1, address: 0, count: 1)) == [665] },
                      "reopened after the line came back")
        XCTAssertGreaterThanOrEqual(client.connects, 2)
    }

    func testTheSerialPortIsOpenedRawAtTheConfiguredBaudRate() throws {
        try require(["socat", "-V"], "socat")
        let pair = try ptyPair(in: try temporaryDirectory())
        let client = try LibModbusClient(link: .rtu(device: pair.client, baud: 19200, parity: .even, dataBits: 8, stopBits: 2),
                                         responseTimeout: Seconds(0.2), retries: 0)
        _ = try? client.readHoldingRegisters(unit: 1, address: 0, count: 1)   // opens the port; nobody answers
        let fd = try XCTUnwrap(client.fileDescriptor, "the port is open")
        var t = termios()
        XCTAssertEqual(tcgetattr(fd, &t), 0)
        XCTAssertEqual(cfgetospeed(&t), speed_t(B19200))
        XCTAssertEqual(t.c_cflag & tcflag_t(CSIZE), tcflag_t(CS8))
        // Linux's pty driver clears PARENB (and keeps no parity) whatever is asked, so parity and
        // stop bits can only be seen on a real UART; libmodbus is handed them in `init`.
        XCTAssertEqual(t.c_lflag & tcflag_t(ICANON), 0, "raw mode, as RTU framing needs")
    }

    func testACorruptedRTUFrameIsAChecksumError() throws {
        try require(["socat", "-V"], "socat")
        let dir = try temporaryDirectory()
        let pair = try ptyPair(in: dir)
        _ = try spawn(["python3", Self.peers.appendingPathComponent("rtu_faulty_device.py").path, pair.device, "badcrc"])
        usleep(300_000)
        let client = try LibModbusClient(link: .rtu(device: pair.client, baud: 19200, parity: .none, dataBits: 8, stopBits: 1),
                                         responseTimeout: Seconds(0.5), retries: 1)
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 3, address: 0, count: 2)) { error in
            let e = error as? BusError
            XCTAssertEqual(e?.kind, .checksum, "\(error)")
            XCTAssertEqual(e?.address, 3)
        }
    }
}
