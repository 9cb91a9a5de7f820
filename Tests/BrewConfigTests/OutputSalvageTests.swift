@testable import BrewConfig
import BrewCore
import Foundation
import XCTest

/// What `brewctl off` can still switch in a broken hardware file: every output the file fully
/// describes, whatever is wrong elsewhere; never one whose active level is in doubt; and for the
/// rest, why not.
final class OutputSalvageTests: XCTestCase {
    /// A valid real rig: two GPIO outputs (one active-low), two Modbus relay coils.
    static let rig = """
    name = "Salvage rig"
    backend = "linux"

    [buses.gpio]
    type = "gpio"
    chip = "gpiochip0"

    [buses.plc]
    type = "modbus_tcp"
    host = "127.0.0.1"
    port = 5020

    [sensors.probe]
    type = "modbus_register"
    bus = "plc"
    unit = 1
    register = 0
    quantity = "temperature"
    scale = 0.1

    [outputs.element]
    type = "heater"
    bus = "gpio"
    line = 17
    active_low = true

    [outputs.pump]
    type = "pump"
    bus = "gpio"
    line = 18

    [outputs.valve]
    type = "valve"
    bus = "plc"
    unit = 7
    coil = 2

    [outputs.agitator]
    type = "pump"
    bus = "plc"
    unit = 7
    coil = 3

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

    static let all = ["element", "pump", "valve", "agitator"]

    func salvage(_ text: String) -> OutputSalvage { OutputSalvage.salvage(text, file: "rig.toml") }

    func ids(_ s: OutputSalvage) -> [String] { s.outputs.map(\.id) }

    func testTheRigIsValidAndSalvagesWhole() throws {
        let rig = try HardwareLoader.parse(Self.rig, file: "rig.toml")
        let s = salvage(Self.rig)
        XCTAssertEqual(ids(s), Self.all)
        XCTAssertEqual(s.outputs, rig.outputs)
        XCTAssertEqual(s.buses, rig.buses)
        XCTAssertEqual(s.backend, .linux)
        XCTAssertTrue(s.problems.isEmpty, "\(s.problems)")
        XCTAssertTrue(s.unswitchable.isEmpty)
        XCTAssertEqual(s.rig.outputs.first?.connection, .gpio(line: 17, activeLow: true), "the off level is the file's")
    }

    /// Errors that leave every output fully described: all four are switched, the errors listed.
    func testErrorsElsewhereSwitchEveryOutput() {
        let broken: [(String, String)] = [
            ("unknown root key", Self.rig.replacingOccurrences(of: "backend = \"linux\"", with: "backend = \"linux\"\ncolour = \"red\"")),
            ("bad sensor", Self.rig.replacingOccurrences(of: "type = \"modbus_register\"", with: "type = \"modbus_registr\"")),
            ("vessel typo", Self.rig.replacingOccurrences(of: "chiller_valve = \"valve\"", with: "chiller_valve = \"valv\"")),
            ("unknown vessel key", Self.rig.replacingOccurrences(of: "capacity = \"50 L\"", with: "capacity = \"50 L\"\ncolor = 1")),
            ("TOML error in a sensor", Self.rig.replacingOccurrences(of: "register = 0", with: "register = = 0")),
            ("TOML error in a vessel", Self.rig.replacingOccurrences(of: "power = \"3000 W\"", with: "power = \"3000 W")),
            ("deep key in a sensor", Self.rig.replacingOccurrences(of: "register = 0", with: "register = 0\n" + Array(repeating: "a", count: 5_000).joined(separator: ".") + " = 1")),
            ("a vessel's table twice", Self.rig + "[vessels.kettle]\nrole = \"hlt\"\n"),
            ("garbage at the end", Self.rig + "[[[[ }}}} \"\"\" \n\u{1}\u{2}"),
            ("unknown key in a coil output", Self.rig.replacingOccurrences(of: "coil = 2", with: "coil = 2\nlabel = \"chiller\"")),
        ]
        for (what, text) in broken {
            let s = salvage(text)
            var expected = Self.all
            if what == "unknown key in a coil output" {
                // A coil's off state has no polarity: it is switched, the key reported.
                XCTAssertTrue(s.problems.contains { $0.key == "outputs.valve.label" }, "\(what): \(s.problems)")
            }
            if what == "garbage at the end" { expected = Self.all }
            XCTAssertEqual(ids(s), expected, "\(what): \(s.unswitchable) \(s.problems)")
            XCTAssertFalse(s.problems.isEmpty, "\(what): its errors are reported")
            XCTAssertTrue(s.problems.allSatisfy { $0.line >= 1 }, "\(what): placed: \(s.problems)")
            XCTAssertTrue(s.unswitchable.isEmpty, "\(what): \(s.unswitchable)")
            XCTAssertFalse(s.isSimulated, what)
        }
    }

    func testAnOutputThatCannotBeIdentifiedIsListedAndTheOthersSwitched() {
        let cases: [(String, String, String, String)] = [
            ("missing bus", "bus = \"plc\"\nunit = 7\ncoil = 3", "bus = \"nowhere\"\nunit = 7\ncoil = 3", "there is no bus `nowhere`"),
            ("no coil", "unit = 7\ncoil = 3", "unit = 7", "missing required key `coil`"),
            ("bad type", "type = \"pump\"\nbus = \"plc\"", "type = \"pumpp\"\nbus = \"plc\"", "agitator"),
            ("TOML error in it", "unit = 7\ncoil = 3", "unit = 7\ncoil = 3 3", "its [outputs.agitator] table could not be read"),
        ]
        for (what, old, new, words) in cases {
            let text = Self.rig.replacingOccurrences(of: old, with: new)
            XCTAssertNotEqual(text, Self.rig, what)
            let s = salvage(text)
            XCTAssertEqual(ids(s), ["element", "pump", "valve"], "\(what): \(s.unswitchable)")
            XCTAssertEqual(s.unswitchable.map(\.output), ["agitator"], "\(what): \(s.unswitchable)")
            XCTAssertTrue(s.unswitchable.first?.reason.contains(words) == true, "\(what): \(s.unswitchable)")
        }
        // A bus with errors of its own: both its coil outputs are named.
        let badBus = salvage(Self.rig.replacingOccurrences(of: "port = 5020", with: "port = \"x\""))
        XCTAssertEqual(ids(badBus), ["element", "pump"])
        XCTAssertEqual(badBus.unswitchable.map(\.output), ["valve", "agitator"])
        XCTAssertEqual(badBus.unswitchable.first?.reason, "its bus `plc` has errors")
        // [outputs] that is not a table at all.
        let notTable = salvage("backend = \"linux\"\noutputs = 5\n")
        XCTAssertEqual(notTable.unswitchable.map(\.output), ["(every output)"])
    }

    /// A GPIO line's off level depends on `active_low`: when that may be wrong, the output is
    /// listed, not switched to a guessed level.
    func testAGPIOOutputWhoseActiveLevelIsInDoubtIsNotSwitched() {
        let cases: [(String, String, String)] = [
            ("misspelt active_low", "active_low = true", "activ_low = true"),
            ("active_low not true/false", "active_low = true", "active_low = \"yes\""),
            ("unknown key beside it", "active_low = true", "active_low = true\ncomment = \"SSR\""),
        ]
        for (what, old, new) in cases {
            let s = salvage(Self.rig.replacingOccurrences(of: old, with: new))
            XCTAssertEqual(ids(s), ["pump", "valve", "agitator"], "\(what): \(s.unswitchable)")
            XCTAssertEqual(s.unswitchable.map(\.output), ["element"], what)
        }
        // Its active level could be in a part of the file that was left out.
        let elsewhere = Self.rig.replacingOccurrences(of: "active_low = true\n", with: "")
            + "[extra]\noutputs.element.active_low = true\nbroken = = 1\n"
        let s = salvage(elsewhere)
        XCTAssertEqual(ids(s), ["pump", "valve", "agitator"], "\(s.unswitchable)")
        XCTAssertEqual(s.unswitchable.first?.output, "element")
        XCTAssertTrue(s.unswitchable.first?.reason.contains("cannot be trusted") == true, "\(s.unswitchable)")
    }

    func testTheBackend() {
        // Missing in a broken file: taken to be a real rig.
        let noBackend = salvage(Self.rig.replacingOccurrences(of: "backend = \"linux\"\n", with: "colour = 1\n"))
        XCTAssertNil(noBackend.backend)
        XCTAssertFalse(noBackend.isSimulated)
        XCTAssertEqual(ids(noBackend), Self.all)
        let misspelt = salvage(Self.rig.replacingOccurrences(of: "backend = \"linux\"", with: "backend = \"linx\""))
        XCTAssertFalse(misspelt.isSimulated)
        XCTAssertEqual(ids(misspelt), Self.all)
        // Said plainly, even in a broken file.
        let simulated = salvage(Self.rig.replacingOccurrences(of: "backend = \"linux\"", with: "backend = \"simulated\"\ncolour = 1"))
        XCTAssertTrue(simulated.isSimulated)
        // The root section itself broken: left out, the outputs still read.
        let brokenRoot = salvage(Self.rig.replacingOccurrences(of: "backend = \"linux\"", with: "backend = linux"))
        XCTAssertNil(brokenRoot.backend)
        XCTAssertEqual(ids(brokenRoot), Self.all)
    }

    func testUnreadableTextIsLeftOutAndNothingCrashes() {
        // An unterminated multi-line string swallows the rest of the file: what is before it is switched.
        let swallowed = salvage(Self.rig.replacingOccurrences(of: "[outputs.valve]", with: "[junk]\nx = \"\"\"\n[outputs.valve]"))
        // It reports its error at the end of the file; the sections left out on the way there are put back.
        XCTAssertEqual(ids(swallowed), Self.all, "\(swallowed.problems)")
        XCTAssertTrue(swallowed.problems.contains { $0.message.contains("left out lines 32–33") }, "\(swallowed.problems)")
        // A line that is not UTF-8 is left out whole.
        var bytes = Data(Self.rig.utf8)
        bytes.append(contentsOf: [0x66, 0x6F, 0xFF, 0x0A])
        let latin = OutputSalvage.salvage(bytes, file: "rig.toml")
        XCTAssertEqual(ids(latin), Self.all)
        XCTAssertTrue(latin.problems.contains { $0.message.contains("not UTF-8") })
        // Past the size limit: the first MiB is read.
        let huge = OutputSalvage.salvage(Data((Self.rig + String(repeating: "# pad\n", count: 200_000)).utf8), file: "rig.toml")
        XCTAssertEqual(ids(huge), Self.all)
        XCTAssertTrue(huge.problems.contains { $0.message.contains("past 1 MiB") })
        // Nothing readable at all.
        for text in ["", "\u{0}\u{1}\u{2}", "[[[[", String(repeating: "{", count: 100_000), "outputs.a.type = = 1"] {
            let s = salvage(text)
            XCTAssertTrue(s.outputs.isEmpty, text)
        }
        // Thousands of broken sections cost a pass, not thousands.
        let started = Date()
        defer { print("OutputSalvageTests: 2000 broken sections took \(Date().timeIntervalSince(started)) s") }
        let many = salvage(Self.rig + String(repeating: "[bad]\nx = = 1\n", count: 2_000))
        XCTAssertEqual(ids(many), Self.all)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    func testOutputHeaders() {
        XCTAssertEqual(OutputSalvage.outputHeader("[outputs.pump]\ntype = 1"), "pump")
        XCTAssertEqual(OutputSalvage.outputHeader("  [ outputs . mash_pump ] # x"), "mash_pump")
        XCTAssertNil(OutputSalvage.outputHeader("[outputsx.pump]"))
        XCTAssertNil(OutputSalvage.outputHeader("[sensors.pump]"))
        XCTAssertNil(OutputSalvage.outputHeader("x = 1"))
    }
}
