import BrewLinux
import BrewTestSupport
import Foundation
import XCTest

/// `brewctl off` is the emergency path and the service's `ExecStopPost=`: against relay coils on a
/// real Modbus peer (pymodbus, `ModbusBenchRig`), a broken hardware file still has every output it
/// describes switched off; what could not be is named and the exit status says so. And files far
/// beyond `InputLimits` are refused by `validate`, `run` and `off` with an error, never a crash.
final class EmergencyOffTests: XCTestCase {
    /// Four relays on unit 7: `element` 1, `valve` 2, `stirrer` 3 (on a bus the file does not
    /// have), `pump` 4 — and a file broken in every other way it can be.
    static func brokenRig(port: Int) -> String {
        """
        name = "Broken bench rig"
        backend = "linux"
        colour = "red"

        \(PeerRig.bus(port: port, retries: 0))

        [sensors.probe]
        type = "modbus_registr"
        bus = "plc"

        \(PeerRig.relay("element", type: "heater", coil: 1))

        \(PeerRig.relay("valve", type: "valve", coil: 2))

        \(PeerRig.relay("stirrer", type: "pump", coil: 3, bus: "nowhere"))

        \(PeerRig.relay("pump", type: "pump", coil: 4))

        [vessels.kettle]
        role = "kettle"
        capacity = = "50 L"
        chiller_valve = "valv"
        """
    }

    func coils(_ bench: ModbusBenchRig) throws -> [Bool] {
        Array(try bench.plc.readCoils(unit: 7, address: 1, count: 4).prefix(4))
    }

    func testOffSwitchesEveryOutputABrokenFileStillDescribes() throws {
        let bench = try ModbusBenchRig(for: self)
        let path = bench.directory.appendingPathComponent("broken.toml").path
        try Self.brokenRig(port: bench.port).write(toFile: path, atomically: true, encoding: .utf8)
        for coil in 1...4 { try bench.plc.writeCoil(unit: 7, address: UInt16(coil), value: true) }
        XCTAssertEqual(try coils(bench), [true, true, true, true], "all on before `off`")

        let off = try brewctl(["off", "--hardware", path])
        XCTAssertEqual(try coils(bench), [false, false, true, false], "every output it can identify is off: \(off)")
        XCTAssertEqual(off.status, 1, "\(off)")
        XCTAssertTrue(off.exited, "\(off)")
        XCTAssertEqual(off.stdout, "element: off\nvalve: off\npump: off\n", "\(off)")
        XCTAssertTrue(off.stderr.contains("stirrer: NOT switched off"), "\(off)")
        XCTAssertTrue(off.stderr.contains("there is no bus `nowhere`"), "\(off)")
        XCTAssertTrue(off.stderr.contains("1 of 4 outputs could not be switched off"), "\(off)")
        // The file's errors, each placed: the unknown key, the sensor, the TOML error in the vessel.
        XCTAssertTrue(off.stderr.contains("broken.toml:3:1: error: colour: unknown key `colour`"), "\(off)")
        XCTAssertTrue(off.stderr.contains("sensors.probe.type"), "\(off)")
        XCTAssertTrue(off.stderr.contains("TOML syntax"), "\(off)")
        XCTAssertTrue(off.stderr.contains("brewctl off left out lines"), "\(off)")

        // With the bus mended, everything is switched; the other errors still make it exit 1.
        for coil in 1...4 { try bench.plc.writeCoil(unit: 7, address: UInt16(coil), value: true) }
        try Self.brokenRig(port: bench.port).replacingOccurrences(of: "\"nowhere\"", with: "\"plc\"")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let mended = try brewctl(["off", "--hardware", path])
        XCTAssertEqual(try coils(bench), [false, false, false, false], "\(mended)")
        XCTAssertEqual(mended.status, 1, "\(mended)")
        XCTAssertTrue(mended.stderr.contains("every output the file names is off, but the file has errors"), "\(mended)")
    }

    func testOffOnAFileBeyondTheLimitsStillSwitchesWhatItCan() throws {
        let bench = try ModbusBenchRig(for: self)
        let deepKey = Array(repeating: "a", count: 30_000).joined(separator: ".") + " = 1"
        let path = bench.directory.appendingPathComponent("deep.toml").path
        // Thirty thousand dotted-key components in the sensor's table, the outputs intact.
        try ModbusBenchRig.text(port: bench.port).replacingOccurrences(of: "quantity = \"temperature\"", with: "quantity = \"temperature\"\n" + deepKey)
            .write(toFile: path, atomically: true, encoding: .utf8)
        try bench.plc.writeCoil(unit: 7, address: 1, value: true)
        try bench.plc.writeCoil(unit: 7, address: 2, value: true)
        let off = try brewctl(["off", "--hardware", path])
        XCTAssertEqual(bench.element, false, "\(off)")
        XCTAssertEqual(bench.valve, false, "\(off)")
        XCTAssertEqual(off.status, 1, "\(off)")
        XCTAssertTrue(off.exited, "\(off)")
        XCTAssertTrue(off.stderr.contains("nested 33 levels deep"), "\(off)")

        // A file that is nothing but the deep key: nothing to switch, said so, no crash.
        try (deepKey + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let nothing = try brewctl(["off", "--hardware", path])
        XCTAssertEqual(nothing.status, 1, "\(nothing)")
        XCTAssertTrue(nothing.exited, "\(nothing)")
        XCTAssertTrue(nothing.stderr.contains("deep.toml:1:"), "\(nothing)")
    }

    func testValidateAndRunRefuseFilesBeyondTheLimits() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let shapes = [
            ("dotted.toml", "name = \"T\"\n" + Array(repeating: "a", count: 30_000).joined(separator: ".") + " = 1\n", "dotted.toml:2:65: error: ", "nested 33 levels"),
            ("lists.toml", "name = \"T\"\nx = " + String(repeating: "[", count: 50_000) + "\n", "lists.toml:2:37: error: ", "nested 33 levels"),
            ("wide.toml", (0..<5_000).map { "k\($0) = 1\n" }.joined(), "wide.toml:1001:1: error: ", "more than 1000 keys"),
            ("huge.toml", String(repeating: "# padding\n", count: 200_000), "huge.toml:104858:", "past 1 MiB"),
        ]
        for (name, text, place, words) in shapes {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let validate = try brewctl(["validate", path])
            XCTAssertEqual(validate.status, 1, "\(name): \(validate)")
            XCTAssertTrue(validate.exited, "\(name): \(validate)")
            XCTAssertTrue(validate.stderr.contains(place), "\(name): \(validate)")
            XCTAssertTrue(validate.stderr.contains(words), "\(name): \(validate)")
            let run = try brewctl(["run", path, "--fast", "--yes", "--db", directory.appendingPathComponent("b.sqlite").path])
            XCTAssertEqual(run.status, 2, "\(name): refused, nothing switched on: \(run)")
            XCTAssertTrue(run.stderr.contains(place), "\(name): \(run)")
            // As the hardware file too.
            let asRig = try brewctl(["validate", "Recipes/ipa.toml", "--hardware", path])
            XCTAssertTrue(asRig.exited, "\(name): \(asRig)")
            XCTAssertTrue(asRig.stderr.contains(place), "\(name): \(asRig)")
        }
    }
}
