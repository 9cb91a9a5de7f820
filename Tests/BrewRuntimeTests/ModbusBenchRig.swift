import BrewHAL
import BrewLinux
import BrewTestSupport
import Foundation
import XCTest

/// A real rig for the `brewctl` binary, on a pymodbus server on loopback: a kettle whose probe is
/// a temperature transmitter (unit 1, holding register 0, 0.1 °C; it starts at 66.5 °C) and whose
/// element and chiller valve are relay coils (unit 7, coils 1 and 2). The test plays the world
/// around it over a connection of its own: it reads the coils to see what brewctl really switched,
/// and writes the register to warm the kettle.
struct ModbusBenchRig {
    let port: Int
    let server: ChildProcess
    let directory: URL
    /// The hardware file.
    let path: String
    /// The test's own connection to the server.
    let plc: LibModbusClient

    init(for test: XCTestCase) throws {
        try Peers.requirePymodbus()
        port = Peers.freePort()
        server = try Peers.modbusServer(port: port, for: test)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let directory = self.directory
        test.addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        path = directory.appendingPathComponent("rig.toml").path
        try Self.text(port: port).write(toFile: path, atomically: true, encoding: .utf8)
        plc = try LibModbusClient(link: .tcp(host: "127.0.0.1", port: port))
    }

    static func text(port: Int) -> String {
        """
        name = "Modbus bench rig"
        backend = "linux"

        \(PeerRig.bus(port: port, retries: 0))

        \(PeerRig.transmitter("probe"))

        \(PeerRig.relay("element", type: "heater", coil: 1))

        \(PeerRig.relay("valve", type: "valve", coil: 2))

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
        """
    }

    /// Heats the kettle to `target` and switches it off: the element is on from the first
    /// reading (66.5 °C) until the kettle reaches the target.
    func heatRecipe(to target: String = "80 C") throws -> String {
        try recipe("heat.toml", """
        name = "Bench heat"
        [[steps]]
        name = "Heat"
        kind = "heat"
        vessel = "kettle"
        temperature = "\(target)"
        [[steps]]
        name = "Off"
        kind = "off"
        vessel = "kettle"
        """)
    }

    /// Writes a recipe next to the rig file and returns its path.
    func recipe(_ name: String, _ text: String) throws -> String {
        let file = directory.appendingPathComponent(name).path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// A batch database next to the rig file (not created until brewctl creates it).
    func database(_ name: String = "batches.sqlite") -> String { directory.appendingPathComponent(name).path }

    /// The element's relay coil as the server holds it (nil when it cannot be read).
    var element: Bool? { (try? plc.readCoils(unit: 7, address: 1, count: 1))?.first }
    /// The chiller valve's relay coil.
    var valve: Bool? { (try? plc.readCoils(unit: 7, address: 2, count: 1))?.first }

    /// What the transmitter reports from now on.
    func setKettle(_ celsius: Double) throws {
        try plc.writeRegister(unit: 1, address: 0, value: UInt16(bitPattern: Int16((celsius * 10).rounded())))
    }

    /// Waits until the element's coil reads `on`.
    func waitForElement(_ on: Bool, seconds: Double = 20) -> Bool { Peers.waitUntil(seconds) { element == on } }
}
