#if canImport(Glibc)
import Glibc
#endif
import BrewLinux
import BrewLog
import BrewTestSupport
import Foundation
import XCTest

/// One controller per batch, and per rig: a second one is refused, naming the process that holds
/// it; the lock dies with its holder (docs/safety.md, "One controller per batch, and per rig").
final class LockTests: XCTestCase {
    /// `resume` and `run --new` while the batch still runs elsewhere: both refused or leave it be;
    /// the batch is brewed once (no step, no alert twice) and never marked abandoned.
    func testASecondControllerOnARunningBatchIsRefusedNamingTheFirst() throws {
        let db = temporaryFolder(self, "brewctl-lock").appendingPathComponent("b.sqlite").path
        let first = try BrewctlProcess(["run", "Recipes/ipa.toml", "--speed", "400", "--yes", "--brewer", "ann", "--db", db], for: self)
        XCTAssertTrue(first.waitFor("Heat strike water"), first.transcript)
        XCTAssertTrue(Peers.waitUntil(10) { ((try? BatchLog.reading(path: db).state(batch: 1)) ?? nil) != nil }, first.transcript)

        let resume = try BrewctlProcess.run(["resume", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(resume.status, 2, resume.stderr)
        XCTAssertTrue(resume.stderr.contains("batch 1 is being run by process \(first.pid)"), resume.stderr)
        XCTAssertTrue(resume.stderr.contains("brewctl run Recipes/ipa.toml"), "the holder's command is named: \(resume.stderr)")

        let explicit = try BrewctlProcess.run(["resume", "--batch", "1", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(explicit.status, 2, explicit.stderr)
        XCTAssertTrue(explicit.stderr.contains("batch 1 is being run by process \(first.pid)"), explicit.stderr)

        // --new starts a batch of its own and leaves the running one alone.
        let new = try BrewctlProcess.run(["run", "Recipes/ipa.toml", "--new", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(new.status, 0, new.stderr)
        XCTAssertFalse(new.stdout.contains("marked abandoned"), new.stdout)
        XCTAssertTrue(first.process.isRunning, "the first batch still runs")
        kill(first.pid, SIGTERM)
        XCTAssertEqual(first.finish(), 3, first.transcript)

        let log = try BatchLog.reading(path: db)
        let one = try XCTUnwrap(try log.batches().first { $0.id == 1 })
        XCTAssertNil(one.outcome, "interrupted by the SIGTERM, never abandoned")
        let steps = try XCTUnwrap(try log.batch(1)).steps.map(\.position)
        XCTAssertEqual(steps, Array(Set(steps)).sorted(), "every step once: \(steps)")

        // The holder gone, the lock is free: it resumes.
        let later = try BrewctlProcess.run(["resume", "--fast", "--yes", "--db", db], for: self)
        XCTAssertEqual(later.status, 0, later.stderr)
        let done = try XCTUnwrap(try log.batch(1))
        XCTAssertEqual(done.steps.map(\.position), Array(0..<done.steps.count), "each step once, in order")
        let alerts = done.events.filter { $0.kind == .alert && $0.message.contains("left in boil") }.map(\.message)
        XCTAssertEqual(alerts.count, Set(alerts).count, "no hop alert twice: \(alerts)")
    }

    private func modbusRig(port: Int, in dir: URL, name: String) throws -> String {
        let rig = dir.appendingPathComponent("\(name).toml").path
        try """
        name = "\(name)"
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
        [vessels.kettle]
        role = "kettle"
        name = "Kettle"
        capacity = "50 L"
        sensor = "probe"
        [vessels.kettle.heater]
        output = "element"
        power = "3000 W"
        pid = { kp = 50, ti = "600 s" }
        """.write(toFile: rig, atomically: true, encoding: .utf8)
        return rig
    }

    /// Two controllers on one real rig — even through two hardware files that name the same bus —
    /// are refused, as are a pulse and a check, naming the running one; `off` still goes through.
    func testASecondControllerOnTheSameRigIsRefusedNamingTheFirst() throws {
        try Peers.requirePymodbus()
        let port = Peers.freePort()
        _ = try Peers.modbusServer(port: port, for: self)
        let dir = temporaryFolder(self, "brewctl-riglock")
        let rig = try modbusRig(port: port, in: dir, name: "club")
        let twin = try modbusRig(port: port, in: dir, name: "the same rig, described again")
        let recipe = dir.appendingPathComponent("hot.toml").path
        try """
        name = "Hold it hot"
        [[steps]]
        name = "Heat"
        kind = "heat"
        vessel = "kettle"
        temperature = "90 C"
        """.write(toFile: recipe, atomically: true, encoding: .utf8)
        let first = try BrewctlProcess(["run", recipe, "--hardware", rig, "--yes", "--db", dir.appendingPathComponent("a.sqlite").path], for: self)
        let plc = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port))
        XCTAssertTrue(Peers.waitUntil(20) { (try? plc.readCoils(unit: 7, address: 1, count: 1)) == [true] }, first.transcript)

        for file in [rig, twin] {
            let second = try BrewctlProcess.run(["run", recipe, "--hardware", file, "--yes", "--db", dir.appendingPathComponent("b.sqlite").path], for: self)
            XCTAssertEqual(second.status, 2, second.stderr)
            XCTAssertTrue(second.stderr.contains("Modbus TCP 127.0.0.1:\(port) is in use by process \(first.pid)"), second.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("b.sqlite").path), "no batch was started")
        }
        let pulse = try BrewctlProcess.run(["hardware", "pulse", "element", "--seconds", "1", "--yes", "--hardware", twin], for: self)
        XCTAssertEqual(pulse.status, 2, pulse.stderr)
        XCTAssertTrue(pulse.stderr.contains("in use by process \(first.pid)"), pulse.stderr)
        XCTAssertTrue(first.process.isRunning)
        kill(first.pid, SIGTERM)
        XCTAssertEqual(first.finish(), 3, first.transcript)
        XCTAssertEqual(try plc.readCoils(unit: 7, address: 1, count: 1), [false])
    }
}
