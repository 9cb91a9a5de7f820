#if canImport(Glibc)
import Glibc
#endif
import BrewCore
import BrewHAL
import BrewLinux
import BrewTestSupport
import Foundation
import XCTest

// Hardware in the loop (docs/hil.md): brewctl's real Linux GPIO and I2C code against the Linux
// kernel's own drivers — gpio-sim behind /dev/gpiochipN and i2c-stub behind /dev/i2c-N — in a
// Debian 12 kernel booted in QEMU by scripts/hil/run.
//
// On the host, `HardwareInTheLoopTests` prepares the harness and runs this very test binary inside
// the guest with a filter selecting `HardwareInTheLoopGuestTests`, which only run there
// (BREWCTL_HIL=1) and are skipped on the host.

/// The host side: boots the guest and checks that every guest test ran and passed there.
final class HardwareInTheLoopTests: XCTestCase {
    /// Every test of `HardwareInTheLoopGuestTests`; each must be reported as passed by the guest.
    static let guestTests = [
        "testTheChipIsFoundByPathNameAndLabel",
        "testOutputsStartAtTheirSafeValueAsBrewctlAndDriveTheLine",
        "testInputsReadWhatTheLineIsPulledToAndRequestBias",
        "testEdgeEventsArriveInOrderWithIncreasingKernelTimestamps",
        "testI2CBusReadsAndWritesRegistersOfI2CStubChips",
        "testNoChipAtAnAddressIsNoDeviceNamingBusAndAddress",
        "testBringUpCommandsOnTheKernelsDevices",
    ]

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func testLinuxBackendsAgainstTheKernelsOwnDriversInQEMU() throws {
        let environment = ProcessInfo.processInfo.environment
        if environment["BREWCTL_HIL"] == "1" { throw XCTSkip("the host side of the HIL test; this is the guest") }
        let inCI = environment["CI"] == "true"
        let hil = Self.repository.appendingPathComponent("scripts/hil")

        // In CI, prepare installs what is missing (apt) and builds; on a developer machine it only
        // builds from packages already installed. A harness that cannot be prepared fails the
        // test, unless BREWCTL_SKIP_PEERS=1 asks to skip it (never in CI).
        let prepare = Self.run([hil.appendingPathComponent("prepare").path] + (inCI ? [] : ["--no-install"]))
        guard prepare.status == 0 else {
            throw Peers.missing("the HIL harness is not prepared (scripts/hil/prepare exited \(prepare.status)):\n"
                + prepare.output.split(separator: "\n").suffix(15).joined(separator: "\n")
                + "\nrun scripts/hil/prepare (installs QEMU, the Debian kernel and builds gpio-sim; needs root or sudo)")
        }

        // This test binary (brewctlPackageTests.xctest, an executable on Linux), run in the guest
        // from the host's root, shared read-only, at the same path.
        let executable = try Self.testExecutable()
        let filter = "BrewLinuxTests.HardwareInTheLoopGuestTests"
        let started = Date()
        let guest = Self.run([hil.appendingPathComponent("run").path, "--", executable, filter])
        let took = Date().timeIntervalSince(started)
        print(guest.output)
        print("HIL guest run took \(String(format: "%.1f", took)) s (boot, \(Self.guestTests.count) tests, power-off)")

        XCTAssertEqual(guest.status, 0, "the guest reported failure (see its output above)")
        let lines = guest.output.split(separator: "\n").map(String.init)
        for name in Self.guestTests {
            XCTAssertTrue(lines.contains { $0.contains("Test Case '") && $0.contains("HardwareInTheLoopGuestTests.\(name)'")
                                           && $0.contains("' passed") },
                          "\(name) did not pass in the guest")
            XCTAssertFalse(lines.contains { $0.contains("HardwareInTheLoopGuestTests.\(name)'") && $0.contains("skipped") },
                           "\(name) was skipped in the guest")
        }
        XCTAssertTrue(lines.contains { $0.contains("Executed \(Self.guestTests.count) tests, with 0 failures") },
                      "the guest did not report \(Self.guestTests.count) tests executed without failures")
    }

    /// The running XCTest executable, as the kernel knows it.
    static func testExecutable() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if path.hasSuffix(".xctest") { return path }
        }
        if let path = Bundle.main.executablePath { return path }
        return try XCTUnwrap(CommandLine.arguments.first)
    }

    /// Runs a command with no standard input; its output and errors together.
    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.currentDirectoryURL = repository
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("brewctl-hil-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        guard let handle = try? FileHandle(forWritingTo: output) else { return (-1, "cannot create \(output.path)") }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        do { try process.run() } catch { return (-1, "cannot run \(arguments[0]): \(error)") }
        process.waitUntilExit()
        try? handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return (process.terminationStatus, text)
    }
}

/// The guest side: runs only inside the HIL guest, where scripts/hil/init has set up
///
/// - `BREWCTL_HIL_GPIOCHIP` — `/dev/gpiochipN` of gpio-sim's bank (label `BREWCTL_HIL_GPIOCHIP_LABEL`,
///   `brewctl-sim`, 16 lines, lines 0–4 and 8–10 named);
/// - `BREWCTL_HIL_GPIOSIM` — its sysfs folder, `sim_gpio<offset>/pull` (write `pull-up` or
///   `pull-down`) and `sim_gpio<offset>/value` (the level the kernel sees, driven or pulled);
/// - `BREWCTL_HIL_GPIOSIM_CONFIG` — the bank's configfs folder (`label`, `num_lines`, `line<N>/name`);
/// - `BREWCTL_HIL_I2C` / `BREWCTL_HIL_I2C_ADAPTER` — `/dev/i2c-N` of i2c-stub and its N, with chips at
///   `BREWCTL_HIL_I2C_ADDRESSES` (0x18, 0x48), registers zero until a test presets them;
/// - debugfs at `/sys/kernel/debug` (the kernel's own `gpio` listing: consumer, direction, level).
final class HardwareInTheLoopGuestTests: XCTestCase {
    private var environment: [String: String] = [:]

    override func setUpWithError() throws {
        environment = ProcessInfo.processInfo.environment
        guard environment["BREWCTL_HIL"] == "1" else {
            throw XCTSkip("runs inside the HIL guest only (HardwareInTheLoopTests starts it; docs/hil.md)")
        }
    }

    // MARK: - GPIO (gpio-sim)

    func testTheChipIsFoundByPathNameAndLabel() throws {
        let path = try setting("BREWCTL_HIL_GPIOCHIP")
        let name = URL(fileURLWithPath: path).lastPathComponent
        for description in [path, name, "brewctl-sim"] {
            let chip = try LinuxGPIOChip(description)
            XCTAssertEqual(chip.name, name, description)
            XCTAssertEqual(chip.label, "brewctl-sim", description)
            XCTAssertEqual(chip.lineCount, 16, description)
        }
        XCTAssertThrowsError(try LinuxGPIOChip("no-such-chip")) { error in
            XCTAssertEqual((error as? BusError)?.kind, .noDevice, "\(error)")
        }
        let chip = try LinuxGPIOChip(path)
        XCTAssertThrowsError(try chip.output(line: 16)) { error in
            XCTAssertEqual((error as? BusError)?.kind, .invalidRequest, "\(error)")
        }
    }

    func testOutputsStartAtTheirSafeValueAsBrewctlAndDriveTheLine() throws {
        let chip = try LinuxGPIOChip(try setting("BREWCTL_HIL_GPIOCHIP"))
        // Pulled the wrong way first: an output that came up at its pull, not at its safe value,
        // would show here.
        try pull(0, up: true)
        try pull(1, up: false)
        XCTAssertEqual(try level(0), 1)
        XCTAssertEqual(try level(1), 0)

        var heater: LinuxGPIOOutput? = try chip.output(line: 0, name: "HLT heater")
        var pump: LinuxGPIOOutput? = try chip.output(line: 1, activeLow: true, name: "mash heater (active low)")
        XCTAssertEqual(try level(0), 0, "active-high output requested off: electrically low at once")
        XCTAssertEqual(try level(1), 1, "active-low output requested off: electrically high at once")
        XCTAssertEqual(heater?.isOn, false)

        // What the kernel itself records for the lines.
        let hlt = try XCTUnwrap(try kernelLine("hlt-heater"))
        XCTAssertTrue(hlt.contains("|brewctl "), hlt)
        XCTAssertTrue(hlt.contains(" out lo"), hlt)
        XCTAssertFalse(hlt.contains("ACTIVE LOW"), hlt)
        let mash = try XCTUnwrap(try kernelLine("mash-heater"))
        XCTAssertTrue(mash.contains("|brewctl "), mash)
        XCTAssertTrue(mash.contains(" out hi"), mash)
        XCTAssertTrue(mash.contains("ACTIVE LOW"), mash)

        try heater?.set(true)
        XCTAssertEqual(try level(0), 1)
        XCTAssertEqual(try heater?.readBack(), true)
        XCTAssertEqual(heater?.isOn, true)
        try heater?.set(false)
        XCTAssertEqual(try level(0), 0)
        XCTAssertEqual(try heater?.readBack(), false)

        try pump?.set(true)
        XCTAssertEqual(try level(1), 0, "active low: on is electrically low")
        XCTAssertEqual(try pump?.readBack(), true, "read back is logical")
        try pump?.set(false)
        XCTAssertEqual(try level(1), 1)

        // A line that is held cannot be taken by a second opener; the error says by whom.
        let other = try LinuxGPIOChip(try setting("BREWCTL_HIL_GPIOCHIP"))
        XCTAssertThrowsError(try other.output(line: 0)) { error in
            let e = error as? BusError
            XCTAssertEqual(e?.address, 0, "\(error)")
            XCTAssertTrue(e?.detail.contains("in use by \"brewctl\"") == true, "\(error)")
        }

        // Left on, then released: the kernel no longer lists brewctl as the consumer.
        try heater?.set(true)
        heater = nil
        pump = nil
        let released = try XCTUnwrap(try kernelLine("hlt-heater"))
        XCTAssertFalse(released.contains("brewctl"), released)
        XCTAssertFalse(try XCTUnwrap(try kernelLine("mash-heater")).contains("brewctl"))
        // …and the line can be requested again.
        let again = try other.output(line: 0)
        XCTAssertEqual(try level(0), 0)
        _ = again
    }

    func testInputsReadWhatTheLineIsPulledToAndRequestBias() throws {
        let chip = try LinuxGPIOChip(try setting("BREWCTL_HIL_GPIOCHIP"))
        try pull(8, up: false)
        let float = try chip.input(line: 8, name: "float switch")
        XCTAssertEqual(try float.read(), false)
        try pull(8, up: true)
        XCTAssertEqual(try float.read(), true)
        try pull(8, up: false)
        XCTAssertEqual(try float.read(), false)
        let listed = try XCTUnwrap(try kernelLine("float-switch"))
        XCTAssertTrue(listed.contains("|brewctl ") && listed.contains(" in "), listed)

        try pull(10, up: true)
        let lid = try chip.input(line: 10, activeLow: true, name: "lid switch (active low)")
        XCTAssertEqual(try lid.read(), false, "active low: pulled up reads as off")
        try pull(10, up: false)
        XCTAssertEqual(try lid.read(), true)

        // Bias in the request reaches the chip driver (gpio-sim turns it into its simulated pull).
        try pull(12, up: false)
        let up = try chip.input(line: 12, bias: .pullUp)
        XCTAssertEqual(try up.read(), true)
        XCTAssertEqual(try attribute(12, "pull"), "pull-up")
        try pull(13, up: true)
        let down = try chip.input(line: 13, bias: .pullDown)
        XCTAssertEqual(try down.read(), false)
        XCTAssertEqual(try attribute(13, "pull"), "pull-down")
    }

    func testEdgeEventsArriveInOrderWithIncreasingKernelTimestamps() throws {
        let chip = try LinuxGPIOChip(try setting("BREWCTL_HIL_GPIOCHIP"))
        try pull(9, up: false)
        let meter = try chip.edges(line: 9, .both, name: "flow meter")
        XCTAssertFalse(try meter.wait(timeout: Seconds(0.05)), "no edge before the line moves")

        let before = monotonicNanoseconds()
        let toggles = 8
        for i in 0..<toggles {
            try pull(9, up: i % 2 == 0)
            usleep(3_000)
        }
        try pull(9, up: false)      // already low: not an edge
        var events: [GPIOEdgeEvent] = []
        let deadline = Date().addingTimeInterval(10)
        while events.count < toggles, Date() < deadline {
            if try meter.wait(timeout: Seconds(0.5)) { try meter.drain { events.append($0) } }
        }
        let after = monotonicNanoseconds()

        XCTAssertEqual(events.count, toggles, "\(events)")
        XCTAssertEqual(events.map(\.rising), (0..<toggles).map { $0 % 2 == 0 })
        for (a, b) in zip(events, events.dropFirst()) {
            XCTAssertLessThan(a.nanoseconds, b.nanoseconds, "timestamps increase")
            XCTAssertGreaterThanOrEqual(b.nanoseconds - a.nanoseconds, 500_000, "stamped when each edge happened (3 ms apart), not when read")
        }
        if let first = events.first, let last = events.last {
            XCTAssertGreaterThanOrEqual(first.nanoseconds, before, "stamped on CLOCK_MONOTONIC, after the first pull")
            XCTAssertLessThanOrEqual(last.nanoseconds, after)
        }
        XCTAssertFalse(try meter.wait(timeout: Seconds(0.05)), "nothing left over")

        // Rising edges only: a pulse counter sees one event per pulse.
        try pull(11, up: false)
        let pulses = try chip.edges(line: 11, .rising)
        for _ in 0..<3 {
            try pull(11, up: true)
            try pull(11, up: false)
        }
        var rising: [GPIOEdgeEvent] = []
        let until = Date().addingTimeInterval(10)
        while rising.count < 3, Date() < until {
            if try pulses.wait(timeout: Seconds(0.5)) { try pulses.drain { rising.append($0) } }
        }
        XCTAssertEqual(rising.count, 3)
        XCTAssertTrue(rising.allSatisfy(\.rising))
        XCTAssertEqual(try pulses.drain { _ in }, 0)
    }

    // MARK: - I2C (i2c-stub)

    func testI2CBusReadsAndWritesRegistersOfI2CStubChips() throws {
        let adapter = try XCTUnwrap(Int(try setting("BREWCTL_HIL_I2C_ADAPTER")))
        let bus = try LinuxI2CBus(adapter: adapter)
        XCTAssertEqual(bus.name, "i2c-\(adapter)")
        XCTAssertEqual(bus.devicePath, try setting("BREWCTL_HIL_I2C"))

        // Registers preset with i2c-tools (an independent client of the same kernel interface).
        try i2cset(adapter, 0x18, 0x06, "0x0054", "w")   // an MCP9808's manufacturer ID register
        try i2cset(adapter, 0x18, 0x07, "0x0400", "w")
        try i2cset(adapter, 0x48, 0x01, "0x60", "b")
        XCTAssertEqual(try bus.readWordData(address: 0x18, register: 0x06), 0x0054)
        XCTAssertEqual(try bus.readWordData(address: 0x18, register: 0x07), 0x0400)
        XCTAssertEqual(try bus.readByteData(address: 0x48, register: 0x01), 0x60)

        // Written by brewctl, read back by i2c-tools and by brewctl.
        try bus.writeByteData(address: 0x48, register: 0x02, value: 0xA5)
        XCTAssertEqual(try i2cget(adapter, 0x48, 0x02, "b"), "0xa5")
        XCTAssertEqual(try bus.readByteData(address: 0x48, register: 0x02), 0xA5)
        try bus.writeWordData(address: 0x18, register: 0x08, value: 0xBEEF)
        XCTAssertEqual(try i2cget(adapter, 0x18, 0x08, "w"), "0xbeef")
        XCTAssertEqual(try bus.readWordData(address: 0x18, register: 0x08), 0xBEEF)
        XCTAssertEqual(try bus.readByteData(address: 0x18, register: 0x08), 0xEF, "SMBus words: low byte first")

        // SMBus send byte sets the chip's pointer; receive byte reads there.
        try bus.writeByte(address: 0x48, value: 0x02)
        XCTAssertEqual(try bus.readByte(address: 0x48), 0xA5)

        XCTAssertTrue(bus.probe(address: 0x18))
        XCTAssertTrue(bus.probe(address: 0x48))
        XCTAssertFalse(bus.probe(address: 0x50))
    }

    func testNoChipAtAnAddressIsNoDeviceNamingBusAndAddress() throws {
        let adapter = try XCTUnwrap(Int(try setting("BREWCTL_HIL_I2C_ADAPTER")))
        let bus = try LinuxI2CBus(adapter: adapter)
        XCTAssertThrowsError(try bus.readByteData(address: 0x50, register: 0x05)) { error in
            let e = error as? BusError
            XCTAssertEqual(e?.kind, .noDevice, "\(error)")
            XCTAssertEqual(e?.bus, "i2c-\(adapter)")
            XCTAssertEqual(e?.address, 0x50)
            XCTAssertEqual(e?.register, 0x05)
            XCTAssertTrue(e?.description.hasPrefix("i2c-\(adapter) address 0x50 register 0x05: ") == true, "\(error)")
        }
        XCTAssertThrowsError(try bus.writeWordData(address: 0x50, register: 0x01, value: 1)) { error in
            XCTAssertEqual((error as? BusError)?.kind, .noDevice, "\(error)")
        }
        // The bus is still good for the chips that are there.
        XCTAssertEqual(try bus.readWordData(address: 0x18, register: 0x06), try bus.readWordData(address: 0x18, register: 0x06))
        XCTAssertThrowsError(try LinuxI2CBus(adapter: 97)) { error in
            XCTAssertEqual((error as? BusError)?.kind, .noDevice, "\(error)")
        }
    }

    // MARK: - The brewctl executable on the kernel's devices

    /// `brewctl hardware check`, `pulse` and `off` — the whole path from a hardware file through
    /// BrewRig, the drivers and the Linux backends to the kernel: i2c-stub at 0x18 preset as an
    /// MCP9808 reading 66.5 °C, gpio-sim lines as an SSR and an active-low pump relay.
    func testBringUpCommandsOnTheKernelsDevices() throws {
        let adapter = try XCTUnwrap(Int(try setting("BREWCTL_HIL_I2C_ADAPTER")))
        // The MCP9808's registers go out MSB first; SMBus words are low byte first: swapped here.
        try i2cset(adapter, 0x18, 0x06, "0x5400", "w")   // manufacturer ID 0x0054
        try i2cset(adapter, 0x18, 0x07, "0x0004", "w")   // device ID 0x04, revision 0
        try i2cset(adapter, 0x18, 0x05, "0x2804", "w")   // T_A 0x0428 = 66.5 °C
        // Wired as docs/wiring.md says: a pull-down on the SSR line, a pull-up on the active-low
        // relay line. (gpio-sim, like a real board with those resistors, shows a released line at
        // its pull; a Raspberry Pi without them would keep the last driven level.)
        try pull(0, up: false)
        try pull(3, up: true)
        let rig = NSTemporaryDirectory() + "hil-rig.toml"
        try """
        name = "HIL rig"
        backend = "linux"

        [buses.i2c]
        type = "i2c"
        adapter = \(adapter)

        [buses.gpio]
        type = "gpio"
        chip = "brewctl-sim"

        [sensors.probe]
        type = "mcp9808"
        bus = "i2c"
        address = 0x18

        [outputs.element]
        type = "heater"
        bus = "gpio"
        line = 0

        [outputs.pump]
        type = "pump"
        bus = "gpio"
        line = 3
        active_low = true

        [vessels.mash_tun]
        role = "mash_tun"
        name = "Mash tun"
        capacity = "50 L"
        sensor = "probe"
        recirculation_pump = "pump"

        [vessels.mash_tun.heater]
        output = "element"
        power = "3500 W"
        pid = { kp = 25, ti = "300 s" }
        """.write(toFile: rig, atomically: true, encoding: .utf8)
        let brewctl = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("brewctl").path
        guard FileManager.default.isExecutableFile(atPath: brewctl) else { throw Failure("no brewctl next to the tests at \(brewctl)") }

        let check = HardwareInTheLoopTests.run([brewctl, "hardware", "check", "--hardware", rig])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("66.50 °C"), check.output)
        XCTAssertEqual(try level(0), 0, "the SSR line is off after the check")
        XCTAssertEqual(try level(3), 1, "the active-low relay line is off (high) after the check")

        // A pulse: on while it runs, off after.
        let pulse = try ChildProcess(URL(fileURLWithPath: brewctl), ["hardware", "pulse", "element", "--seconds", "1.5", "--yes", "--hardware", rig])
        keep(pulse)
        var sawOn = false
        let deadline = Date().addingTimeInterval(10)
        while pulse.isRunning, Date() < deadline {
            if (try? level(0)) == 1 { sawOn = true }
            usleep(20_000)
        }
        let pulsed = pulse.finish(seconds: 10)
        XCTAssertEqual(pulsed.status, 0, "\(pulsed)")
        XCTAssertTrue(sawOn, "the SSR line went high during the pulse: \(pulsed)")
        XCTAssertEqual(try level(0), 0, "and low again after it")

        let off = HardwareInTheLoopTests.run([brewctl, "off", "--hardware", rig])
        XCTAssertEqual(off.status, 0, off.output)
        XCTAssertEqual(try level(0), 0)
        XCTAssertEqual(try level(3), 1)
    }

    // MARK: - Helpers

    private func setting(_ name: String) throws -> String {
        guard let value = environment[name], !value.isEmpty else {
            throw Failure("\(name) is not set: scripts/hil/init sets it in the guest")
        }
        return value
    }

    /// gpio-sim's per-line sysfs attribute (`pull`, `value`).
    private func attribute(_ offset: Int, _ name: String) throws -> String {
        let path = try setting("BREWCTL_HIL_GPIOSIM") + "/sim_gpio\(offset)/\(name)"
        return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The electrical level the kernel sees on a line: what an output drives, or what an input is pulled to.
    private func level(_ offset: Int) throws -> Int {
        try XCTUnwrap(Int(try attribute(offset, "value")), "sim_gpio\(offset)/value")
    }

    /// Pulls a line up or down, as a switch or a pulse on the wire would.
    private func pull(_ offset: Int, up: Bool) throws {
        let path = try setting("BREWCTL_HIL_GPIOSIM") + "/sim_gpio\(offset)/pull"
        let text = up ? "pull-up" : "pull-down"
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure("open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let n = text.withCString { write(fd, $0, strlen($0)) }
        guard n == text.utf8.count else { throw Failure("write \(text) to \(path): \(String(cString: strerror(errno)))") }
    }

    /// The kernel's own line of /sys/kernel/debug/gpio for a named line: consumer, direction, level.
    private func kernelLine(_ name: String) throws -> String? {
        let listing = try String(contentsOfFile: "/sys/kernel/debug/gpio", encoding: .utf8)
        return listing.split(separator: "\n").map(String.init).first { line in
            guard let open = line.firstIndex(of: "(") else { return false }
            let rest = line[line.index(after: open)...]
            return rest.hasPrefix(name) && (rest.dropFirst(name.count).first.map { $0 == " " || $0 == "|" || $0 == ")" } ?? false)
        }
    }

    private func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    private func i2cset(_ adapter: Int, _ address: Int, _ register: Int, _ value: String, _ mode: String) throws {
        let r = HardwareInTheLoopTests.run(["/usr/sbin/i2cset", "-y", "\(adapter)", hex(address), hex(register), value, mode])
        guard r.status == 0 else { throw Failure("i2cset failed (\(r.status)): \(r.output)") }
    }

    private func i2cget(_ adapter: Int, _ address: Int, _ register: Int, _ mode: String) throws -> String {
        let r = HardwareInTheLoopTests.run(["/usr/sbin/i2cget", "-y", "\(adapter)", hex(address), hex(register), mode])
        guard r.status == 0 else { throw Failure("i2cget failed (\(r.status)): \(r.output)") }
        return r.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func hex(_ v: Int) -> String { "0x" + String(v, radix: 16) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
