#if canImport(Glibc)
import Glibc
#endif
import BrewLinux
import BrewTestSupport
import Foundation
import XCTest

/// `brewctl off`, `brewctl hardware pulse` and `brewctl run` on a rig whose outputs are Modbus
/// coils, against a pymodbus server on loopback (`ModbusBenchRig`): what the member wiring the rig
/// and the service run. What brewctl switched is read back from the server.
final class BringUpCommandTests: XCTestCase {
    func testOffSwitchesEveryOutputOffAndSaysWhichFailed() throws {
        let bench = try ModbusBenchRig(for: self)
        try bench.plc.writeCoil(unit: 7, address: 1, value: true)
        try bench.plc.writeCoil(unit: 7, address: 2, value: true)
        XCTAssertEqual(try bench.plc.readCoils(unit: 7, address: 1, count: 2), [true, true], "both on before `off`")

        let off = try brewctl(["off", "--hardware", bench.path])
        XCTAssertEqual(off.status, 0, "\(off)")
        XCTAssertEqual(off.stdout, "element: off\nvalve: off\n", "\(off)")
        XCTAssertEqual(try bench.plc.readCoils(unit: 7, address: 1, count: 2), [false, false])

        Peers.stop(bench.server)
        let unreachable = try brewctl(["off", "--hardware", bench.path])
        XCTAssertEqual(unreachable.status, 1, "\(unreachable)")
        XCTAssertTrue(unreachable.stderr.contains("element: NOT switched off"), "\(unreachable)")
        XCTAssertTrue(unreachable.stderr.contains("valve: NOT switched off"), "\(unreachable)")
        XCTAssertTrue(unreachable.stderr.contains("2 of 2 outputs could not be switched off"), "\(unreachable)")
    }

    /// `brewctl run` on a real rig, end to end through libmodbus: the devices are checked first,
    /// then the batch runs in real time against what they read — the element is switched on while
    /// the kettle is below its target, and everything is off at the end.
    func testRunOnARealRigChecksTheDevicesThenBrews() throws {
        let bench = try ModbusBenchRig(for: self)
        let recipe = try bench.heatRecipe(to: "70 C")
        let db = bench.database()
        XCTAssertEqual(bench.element, false, "off before the run")

        let run = try startBrewctl(["run", recipe, "--hardware", bench.path, "--yes", "--brewer", "ci", "--db", db])
        // The transmitter reads 66.5 °C: the heat step switches the element on.
        XCTAssertTrue(bench.waitForElement(true), "the element was never switched on:\n\(run.report)")
        XCTAssertEqual(bench.valve, false, "no chilling while heating")
        // The kettle warms (the test is the physics here): the heat step is done, the off step
        // switches the element off, and the batch completes.
        try bench.setKettle(70.5)
        let result = run.finish(seconds: 60)
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stdout.hasPrefix("Rig: \(bench.path) (from --hardware)"), "\(result)")
        XCTAssertTrue(result.stdout.contains("Batch 1 completed"), "\(result)")
        XCTAssertFalse(result.stdout.contains("ALARM"), "\(result)")
        XCTAssertEqual(try bench.plc.readCoils(unit: 7, address: 1, count: 2), [false, false], "everything off at the end")
        let show = try brewctl(["log", "show", "1", "--db", db])
        XCTAssertTrue(show.stdout.contains("completed"), "\(show)")

        // The transmitter gone: refused before anything is switched on, and no batch is started.
        Peers.stop(bench.server)
        let blind = try brewctl(["run", recipe, "--hardware", bench.path, "--yes", "--db", db + "2"])
        XCTAssertEqual(blind.status, 2, "\(blind)")
        XCTAssertTrue(blind.stderr.contains("refusing to run blind"), "\(blind)")
        XCTAssertTrue(blind.stderr.contains("sensor: modbus_register"), "\(blind)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: db + "2"))
    }

    func testPulseSwitchesOnForABoundedTimeAndAlwaysOffAgain() throws {
        let bench = try ModbusBenchRig(for: self)

        let pulse = try startBrewctl(["hardware", "pulse", "element", "--seconds", "20", "--yes", "--hardware", bench.path])
        XCTAssertTrue(bench.waitForElement(true, seconds: 10), "switched on:\n\(pulse.report)")
        // SIGTERM (systemd stopping, someone's kill) switches it off at once, not after 20 s.
        let stopped = Date()
        pulse.terminate()
        XCTAssertTrue(bench.waitForElement(false, seconds: 5), "switched off after SIGTERM:\n\(pulse.report)")
        let result = pulse.finish(seconds: 10)
        XCTAssertLessThan(Date().timeIntervalSince(stopped), 10)
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stdout.contains("element: ON\nelement: off (interrupted)"), "\(result)")
        XCTAssertEqual(bench.element, false)

        let timed = try startBrewctl(["hardware", "pulse", "valve", "--seconds", "1", "--yes", "--hardware", bench.path])
        XCTAssertTrue(Peers.waitUntil(10) { bench.valve == true }, "the valve pulse switched it on:\n\(timed.report)")
        let timedResult = timed.finish(seconds: 10)
        XCTAssertEqual(timedResult.status, 0, "\(timedResult)")
        XCTAssertTrue(timedResult.stdout.hasSuffix("valve: ON\nvalve: off\n"), "\(timedResult)")
        XCTAssertEqual(bench.valve, false)

        // Without --yes and nobody answering, nothing is switched.
        let unconfirmed = try brewctl(["hardware", "pulse", "element", "--hardware", bench.path])
        XCTAssertEqual(unconfirmed.status, 0, "\(unconfirmed)")
        XCTAssertTrue(unconfirmed.stdout.contains("Nothing switched."), "\(unconfirmed)")
        XCTAssertEqual(try bench.plc.readCoils(unit: 7, address: 1, count: 2), [false, false])
    }
}
