#if canImport(Glibc)
import Glibc
#endif
import BrewLinux
import BrewTestSupport
import Foundation
import XCTest

/// `brewctl off` and `brewctl hardware pulse` on a rig whose outputs are Modbus coils and a drive,
/// against a pymodbus server on loopback: what the member wiring the rig and the service run.
final class BringUpCommandTests: XCTestCase {
    var executable: URL { get throws { try brewctlExecutable() } }

    func rigFile(port: Int) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-bringup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("rig.toml").path
        try """
        name = "Modbus bring-up rig"
        backend = "linux"

        [buses.plc]
        type = "modbus_tcp"
        host = "127.0.0.1"
        port = \(port)
        timeout = "300 ms"
        retries = 0

        [sensors.probe]
        type = "modbus_register"
        bus = "plc"
        unit = 1
        register = 0
        data_type = "int16"
        scale = 0.1
        quantity = "temperature"

        [outputs.element]
        type = "heater"
        bus = "plc"
        unit = 7
        coil = 1

        [outputs.valve]
        type = "valve"
        bus = "plc"
        unit = 7
        coil = 2

        [vessels.kettle]
        role = "kettle"
        name = "Kettle"
        capacity = "50 L"
        sensor = "probe"
        chiller_valve = "valve"

        [vessels.kettle.heater]
        output = "element"
        power = "3000 W"
        pid = { kp = 50, ti = "600 s" }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func start(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = try executable
        p.arguments = arguments
        p.currentDirectoryURL = repositoryRoot
        var env = ProcessInfo.processInfo.environment
        env["BREWCTL_CONFIG"] = "/nonexistent/brewctl-config.toml"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        addTeardownBlock { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        return (p, out, err)
    }

    func finish(_ run: (Process, Pipe, Pipe)) -> (status: Int32, stdout: String, stderr: String) {
        let stdout = String(decoding: run.1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: run.2.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.0.waitUntilExit()
        return (run.0.terminationStatus, stdout, stderr)
    }

    func testOffSwitchesEveryOutputOffAndSaysWhichFailed() throws {
        try Peers.requirePymodbus()
        let port = Peers.freePort()
        let server = try Peers.modbusServer(port: port, for: self)
        let rig = try rigFile(port: port)
        let plc = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port))
        try plc.writeCoil(unit: 7, address: 1, value: true)
        try plc.writeCoil(unit: 7, address: 2, value: true)

        let off = finish(try start(["off", "--hardware", rig]))
        XCTAssertEqual(off.status, 0, off.stderr)
        XCTAssertEqual(off.stdout, "element: off\nvalve: off\n")
        XCTAssertEqual(try plc.readCoils(unit: 7, address: 1, count: 2), [false, false])

        Peers.stop(server)
        let unreachable = finish(try start(["off", "--hardware", rig]))
        XCTAssertEqual(unreachable.status, 1)
        XCTAssertTrue(unreachable.stderr.contains("element: NOT switched off"), unreachable.stderr)
        XCTAssertTrue(unreachable.stderr.contains("valve: NOT switched off"), unreachable.stderr)
        XCTAssertTrue(unreachable.stderr.contains("2 of 2 outputs could not be switched off"), unreachable.stderr)
    }

    /// `brewctl run` on a real rig, end to end through libmodbus: the devices are checked first,
    /// then the batch runs in real time against what they read, and everything is off at the end.
    func testRunOnARealRigChecksTheDevicesThenBrews() throws {
        try Peers.requirePymodbus()
        let port = Peers.freePort()
        let server = try Peers.modbusServer(port: port, for: self)
        let rig = try rigFile(port: port)
        let recipe = (rig as NSString).deletingLastPathComponent + "/bench.toml"
        try """
        name = "Bench check"
        [[steps]]
        name = "Heat"
        kind = "heat"
        vessel = "kettle"
        temperature = "60 C"
        [[steps]]
        name = "Off"
        kind = "off"
        vessel = "kettle"
        """.write(toFile: recipe, atomically: true, encoding: .utf8)
        let db = (rig as NSString).deletingLastPathComponent + "/batches.sqlite"

        // The transmitter reads 66.5 °C, so the heat step is done at the first reading.
        let run = finish(try start(["run", recipe, "--hardware", rig, "--yes", "--brewer", "ci", "--db", db]))
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.hasPrefix("Rig: \(rig) (from --hardware)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("Batch 1 completed"), run.stdout)
        let plc = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port))
        XCTAssertEqual(try plc.readCoils(unit: 7, address: 1, count: 2), [false, false])

        // The transmitter gone: refused before anything is switched on, and no batch is started.
        Peers.stop(server)
        let blind = finish(try start(["run", recipe, "--hardware", rig, "--yes", "--db", db + "2"]))
        XCTAssertEqual(blind.status, 2)
        XCTAssertTrue(blind.stderr.contains("refusing to run blind"), blind.stderr)
        XCTAssertTrue(blind.stderr.contains("sensor: modbus_register"), blind.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db + "2"))
    }

    func testPulseSwitchesOnForABoundedTimeAndAlwaysOffAgain() throws {
        try Peers.requirePymodbus()
        let port = Peers.freePort()
        _ = try Peers.modbusServer(port: port, for: self)
        let rig = try rigFile(port: port)
        let plc = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port))

        let pulse = try start(["hardware", "pulse", "element", "--seconds", "20", "--yes", "--hardware", rig])
        XCTAssertTrue(Peers.waitUntil(10) { (try? plc.readCoils(unit: 7, address: 1, count: 1)) == [true] }, "switched on")
        // SIGTERM (systemd stopping, someone's kill) switches it off at once, not after 20 s.
        kill(pulse.0.processIdentifier, SIGTERM)
        let result = finish(pulse)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("element: ON\nelement: off (interrupted)"), result.stdout)
        XCTAssertEqual(try plc.readCoils(unit: 7, address: 1, count: 1), [false])

        let timed = finish(try start(["hardware", "pulse", "valve", "--seconds", "0.3", "--yes", "--hardware", rig]))
        XCTAssertEqual(timed.status, 0, timed.stderr)
        XCTAssertTrue(timed.stdout.hasSuffix("valve: ON\nvalve: off\n"), timed.stdout)
        XCTAssertEqual(try plc.readCoils(unit: 7, address: 2, count: 1), [false])

        // Without --yes and nobody answering, nothing is switched.
        let unconfirmed = finish(try start(["hardware", "pulse", "element", "--hardware", rig]))
        XCTAssertEqual(unconfirmed.status, 0)
        XCTAssertTrue(unconfirmed.stdout.contains("Nothing switched."), unconfirmed.stdout)
    }
}
