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
/// across a socat pseudo-terminal pair (RTU), plus deliberately broken devices (`faulty_device.py`:
/// bad CRCs, silence, answers cut short, links dropped mid-answer). pymodbus is an independent
/// implementation, so framing, byte order and exception handling are checked for real.
final class ModbusPeerTests: XCTestCase {
    func spawn(_ arguments: [String]) throws -> ChildProcess { try Peers.spawn(arguments, for: self) }
    func stop(_ p: ChildProcess) { Peers.stop(p) }
    func waitUntil(_ seconds: Double = 15, _ condition: () -> Bool) -> Bool { Peers.waitUntil(seconds, condition) }
    func freePort() -> Int { Peers.freePort() }
    func tcpServer(port: Int) throws -> ChildProcess { try Peers.modbusServer(port: port, for: self) }
    func faultyDevice(_ link: [String], _ mode: String) throws -> ChildProcess { try Peers.start("faulty_device.py", link + [mode], for: self) }

    func float(_ hi: UInt16, _ lo: UInt16) -> Float { Float(bitPattern: UInt32(hi) << 16 | UInt32(lo)) }

    // MARK: - TCP

    func testReadsWritesAndDecodesAgainstPymodbusOverTCP() throws {
        try Peers.requirePymodbus()
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
        try Peers.requirePymodbus()
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
        // A gateway that accepts the connection and then never answers (pymodbus itself answers an
        // unknown unit with exception 4, which is tested as a device fault above).
        try Peers.requirePython()
        let port = freePort()
        _ = try faultyDevice(["--tcp", String(port)], "stall")
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

    func testAnAnswerCutShortOverTCPIsATimeoutAndTheStreamIsReopened() throws {
        try Peers.requirePymodbus()
        let port = freePort()
        let device = try faultyDevice(["--tcp", String(port)], "truncate-stall")
        let client = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port), responseTimeout: Seconds(0.3), retries: 1)
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 0, count: 4)) { error in
            XCTAssertEqual((error as? BusError)?.kind, .timeout, "part of an answer and then nothing: \(error)")
        }
        XCTAssertTrue(device.waitForOutput("sent 11 of 17 bytes"), "the part answer went out:\n\(device.report)")
        XCTAssertEqual(client.connects, 2, "each attempt on a fresh connection: the rest of a part answer must not be read as the next one")

        // A real server on the port: the next read is whole and right, nothing of the part answer in it.
        stop(device)
        _ = try tcpServer(port: port)
        XCTAssertEqual(try client.readHoldingRegisters(unit: 1, address: 0, count: 2), [665, 0xFF9C])
    }

    func testTheLinkDroppingMidAnswerOverTCPIsAnIOError() throws {
        try Peers.requirePymodbus()
        let port = freePort()
        let device = try faultyDevice(["--tcp", String(port)], "truncate-drop")
        let client = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port), responseTimeout: Seconds(2), retries: 0)
        let started = Date()
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 0, count: 4)) { error in
            let e = error as? BusError
            XCTAssertEqual(e?.kind, .io, "the connection closed under a part-read answer: \(error)")
            XCTAssertEqual(e?.address, 1)
        }
        XCTAssertTrue(device.waitForOutput("sent 11 of 17 bytes"), device.report)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.5, "the drop ends the read at once, not a timeout later")

        stop(device)
        _ = try tcpServer(port: port)
        XCTAssertEqual(try client.readHoldingRegisters(unit: 1, address: 0, count: 1), [665], "reconnected by itself")
        XCTAssertEqual(client.connects, 2)
    }

    func testReconnectsAfterTheServerGoesAwayBetweenReads() throws {
        try Peers.requirePymodbus()
        let port = freePort()
        let first = try tcpServer(port: port)
        let client = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port), responseTimeout: Seconds(0.3), retries: 1)
        XCTAssertEqual(try client.readHoldingRegisters(unit: 1, address: 0, count: 1), [665])

        // The server process is gone: the old connection is reset, and reconnecting is refused.
        stop(first)
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 0, count: 1)) { error in
            let e = error as? BusError
            XCTAssertEqual(e?.kind, .noDevice, "\(error)")
            XCTAssertTrue(e?.detail.contains("cannot open the line") ?? false, "\(error)")
        }
        _ = try tcpServer(port: port)
        XCTAssertEqual(try client.readHoldingRegisters(unit: 1, address: 0, count: 1), [665], "back by itself")
        XCTAssertEqual(client.connects, 2)
    }

    // MARK: - RTU over a pseudo-terminal pair

    /// socat joins two pseudo-terminals: the client opens one end as its serial port.
    func ptyPair(in dir: URL) throws -> (process: ChildProcess, client: String, device: String) {
        let client = dir.appendingPathComponent("client").path, device = dir.appendingPathComponent("device").path
        let socat = try spawn(["socat", "pty,raw,echo=0,link=\(client)", "pty,raw,echo=0,link=\(device)"])
        // socat says nothing when it is ready; its links appearing is the sign.
        XCTAssertTrue(waitUntil { FileManager.default.fileExists(atPath: client) && FileManager.default.fileExists(atPath: device) },
                      "socat made no pty pair:\n\(socat.report)")
        return (socat, client, device)
    }

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-rtu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testRTUAcrossAPseudoTerminalPairIncludingAnswersCutShortAndTheLinkDroppingMidRead() throws {
        try Peers.require(["python3", "-c", "import pymodbus, serial"], "pymodbus with pyserial")
        try Peers.requireSocat()
        let dir = try temporaryDirectory()
        var pair = try ptyPair(in: dir)
        // A pseudo-terminal carries no parity bit (and pyserial cannot set one on it), so the line
        // runs 8N1 here; that libmodbus really configures a parity is checked below.
        var server = try Peers.modbusServer(rtu: pair.device, for: self)
        let client = try LibModbusClient(link: .rtu(device: pair.client, baud: 19200, parity: .none, dataBits: 8, stopBits: 1),
                                         responseTimeout: Seconds(0.5), retries: 1)
        XCTAssertEqual(try client.readHoldingRegisters(unit: 1, address: 0, count: 2), [665, 0xFF9C], "RTU read through the pty pair")
        XCTAssertEqual(try client.readInputRegisters(unit: 1, address: 1, count: 2).count, 2)
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 200, count: 1)) { error in
            XCTAssertEqual((error as? BusError)?.kind, .deviceFault)
        }

        // Part of an answer and never the rest: the frame is incomplete when the byte timeout runs out.
        stop(server)
        var device = try faultyDevice(["--rtu", pair.device], "truncate-stall")
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 0, count: 2)) { error in
            let e = error as? BusError
            XCTAssertEqual(e?.kind, .timeout, "\(error)")
            XCTAssertEqual(e?.address, 1)
        }
        XCTAssertTrue(device.waitForOutput("sent 6 of 9 bytes"), "the part frame went out:\n\(device.report)")
        // The device answers properly again: the next read is whole, no stale part frame glued to it.
        stop(device)
        server = try Peers.modbusServer(rtu: pair.device, for: self)
        XCTAssertEqual(try client.readHoldingRegisters(unit: 1, address: 0, count: 2), [665, 0xFF9C])

        // The line drops mid-read: part of an answer, then the adapter is pulled (socat killed,
        // its pseudo-terminals gone) while the client waits for the rest.
        stop(server)
        device = try faultyDevice(["--rtu", pair.device], "truncate-stall")
        let socat = pair.process, answering = device
        let pulled = DispatchSemaphore(value: 0)
        Thread {
            if answering.waitForOutput("sent 6 of 9 bytes", seconds: 10) { socat.stop() }
            pulled.signal()
        }.start()
        let started = Date()
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 0, count: 2)) { error in
            XCTAssertEqual((error as? BusError)?.kind, .io, "the serial line went away under the read: \(error)")
        }
        XCTAssertEqual(pulled.wait(timeout: .now() + 10), .success)
        XCTAssertTrue(device.waitForOutput("sent 6 of 9 bytes", seconds: 0), device.report)
        XCTAssertFalse(socat.isRunning, "the adapter was pulled during the read")
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "ended by the drop, not by waiting out timeouts")
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 1, address: 0, count: 1), "the serial line is gone") { error in
            XCTAssertEqual((error as? BusError)?.kind, .io, "\(error)")
        }
        stop(device)

        // The adapter comes back (a USB RS-485 dongle re-plugged): the client reopens it by itself.
        pair = try ptyPair(in: dir)
        server = try Peers.modbusServer(rtu: pair.device, for: self)
        XCTAssertEqual(try client.readHoldingRegisters(unit: 1, address: 0, count: 1), [665], "reopened after the line came back")
        XCTAssertGreaterThanOrEqual(client.connects, 2)
    }

    func testTheSerialPortIsOpenedRawAtTheConfiguredBaudRate() throws {
        try Peers.requireSocat()
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
        try Peers.requirePython()
        try Peers.requireSocat()
        let dir = try temporaryDirectory()
        let pair = try ptyPair(in: dir)
        _ = try faultyDevice(["--rtu", pair.device], "badcrc")
        let client = try LibModbusClient(link: .rtu(device: pair.client, baud: 19200, parity: .none, dataBits: 8, stopBits: 1),
                                         responseTimeout: Seconds(0.5), retries: 1)
        XCTAssertThrowsError(try client.readHoldingRegisters(unit: 3, address: 0, count: 2)) { error in
            let e = error as? BusError
            XCTAssertEqual(e?.kind, .checksum, "\(error)")
            XCTAssertEqual(e?.address, 3)
        }
    }
}
