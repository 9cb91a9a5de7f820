import BrewCore
import BrewRuntime
import Foundation
import XCTest

/// The resumable state's format: the current binary one round-trips every field, version 1
/// (JSON) still reads, and anything else is refused with a reason.
final class BatchSnapshotTests: XCTestCase {
    override class func tearDown() {
        ExactResumeTests.removeCrashImages()
        super.tearDown()
    }

    func testEveryFieldRoundTripsThroughTheBinaryFormat() throws {
        // A real snapshot with everything in it: the heat-up to the boil of the IPA on the
        // simulated brewery (plant, boil-detection history, tick memory, readings, SSR windows) ...
        var s = try BatchSnapshot.decode(try ExactResumeTests.payload(at: "heat-up"))
        XCTAssertEqual(s.version, BatchSnapshot.currentVersion)
        XCTAssertNotNil(s.engine.history)
        XCTAssertNotNil(s.simulation)
        XCTAssertNotNil(s.tick)
        XCTAssertEqual(s.readings?.count, 3)
        XCTAssertTrue(s.heaterLoops.contains { $0?.output.window != nil }, "an SSR window in progress")
        // ... and what a real brew day left empty there: a latched fault, a hold after a gap, an
        // abort, a probe fault, the version 1 plant summary.
        s.heaterFaults = [nil, "Mash tun: no rise — heater off until acknowledged", nil]
        s.gapHold = true
        s.engine.phase = "aborted"
        s.engine.abortReason = "stopped by ann"
        s.engine.confirmation = "bob"
        s.readings?[1] = TemperatureReading.Snapshot(value: nil, takenAt: 9_894, fault: "sim-i2c-1 address 0x19: NACK")
        s.tick?.vessels[1].readingFault = "Mash tun: NACK"
        s.tick?.vessels[1].health.stuckText = "stuck at exactly 66.0 °C"
        s.plant = PlantSnapshot(summarising: try XCTUnwrap(s.simulation))
        s.unacknowledged = ["[2:15:00] Mash tun: no ACK — heater off", "[2:16:40] mash_pump stopped — running dry"]
        s.trips = ["mash_pump: Mash tun: pump running dry (no flow): mash_flow reads 0.00, needs more than 3.00 (running for 1 h 08 min)"]
        s.tick?.circuits = [.init(origin: 12.5, index: 7, demands: [40, 100], carry: [0.25, -0.1])]
        // The interlocks' values (the mash pump's flow interlock reads its meter), and a failed read.
        var failed = try XCTUnwrap(s.interlockMemory?.first, "the values the interlocks decide on are kept")
        failed.value = nil
        failed.failureKind = "timeout"
        failed.bus = "sim-modbus"
        failed.address = 3
        failed.register = 16
        failed.detail = "no answer"
        s.interlockMemory?.append(failed)
        XCTAssertEqual(failed.remembered.failure?.kind.rawValue, "timeout")
        XCTAssertNil(failed.remembered.value)
        let bytes = s.encoded()
        XCTAssertEqual(Array(bytes.prefix(4)), Array("BRWS".utf8))
        XCTAssertEqual(try BatchSnapshot.decode(bytes), s)
    }

    func testAVersionOneJSONSnapshotStillReads() throws {
        let s = try BatchSnapshot.decode(Data(ExactResumeTests.versionOne.utf8))
        XCTAssertEqual(s.version, 1)
        XCTAssertEqual(s.brewTime, 5995)
        XCTAssertEqual(s.engine.stepIndex, 6)
        XCTAssertEqual(s.engine.countedTime, 1650)
        XCTAssertNil(s.engine.history)
        let loop = try XCTUnwrap(s.heaterLoops[1])
        XCTAssertEqual(loop.pid.integral, 6.862032820458922)
        XCTAssertNil(loop.output.window, "version 1 kept only the carry")
        XCTAssertEqual(s.plant?.vessels[1].grain, 13)
        XCTAssertNil(s.simulation)
        XCTAssertNil(s.tick)
        // Re-saved, it is written in the current format and reads back the same.
        let again = try BatchSnapshot.decode(s.encoded())
        XCTAssertEqual(again.version, BatchSnapshot.currentVersion)
        var expected = s
        expected.version = BatchSnapshot.currentVersion
        XCTAssertEqual(again, expected)
    }

    func testDamagedAndUnknownSnapshotsAreRefused() throws {
        let good = try ExactResumeTests.payload(at: "boil")
        XCTAssertNoThrow(try BatchSnapshot.decode(good))
        XCTAssertThrowsError(try BatchSnapshot.decode(good.dropLast(3)), "truncated")
        XCTAssertThrowsError(try BatchSnapshot.decode(good + Data([0])), "trailing bytes")
        // Any byte changed anywhere: the checksum refuses it, naming the damage.
        for offset in stride(from: 5, to: good.count, by: max(1, good.count / 97)) {
            var flipped = good
            flipped[flipped.startIndex + offset] ^= 0x10
            XCTAssertThrowsError(try BatchSnapshot.decode(flipped), "byte \(offset) flipped") { error in
                XCTAssertTrue("\(error)".contains("damaged") || "\(error)".contains("not"), "byte \(offset): \(error)")
            }
        }
        XCTAssertThrowsError(try BatchSnapshot.decode(Data("not a snapshot".utf8)))
        var future = Data("BRWS".utf8)
        future.append(18)   // version 9 as a zigzag varint
        future.append(good.dropFirst(5))
        XCTAssertThrowsError(try BatchSnapshot.decode(future)) { error in
            XCTAssertTrue("\(error)".contains("format 9"), "\(error)")
        }
    }

    /// A state written by the brewctl before interlock values were kept (format 3: the same
    /// fields without the last one) still reads, with no interlock memory, so a batch that
    /// brewctl interrupted resumes (its interlock sensors read afresh).
    func testAFormatThreeStateStillReads() throws {
        var s = try BatchSnapshot.decode(try ExactResumeTests.payload(at: "rest"))
        s.interlockMemory = nil
        let current = [UInt8](s.encoded())
        // Format 4 without the interlock memory ends in its "absent" byte before the CRC; format 3
        // is that without the byte, version 3 (zigzag varint 6 after the magic), its own CRC.
        XCTAssertEqual(current[4], 8, "format 4 as a zigzag varint")
        XCTAssertEqual(current[current.count - 5], 0, "the absent interlock memory")
        var old = Array(current.prefix(current.count - 5))
        old[4] = 6
        let crc = CRC32.checksum(old)
        old += (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) }
        let read = try BatchSnapshot.decode(Data(old))
        XCTAssertEqual(read.version, 3)
        XCTAssertNil(read.interlockMemory)
        var expected = s
        expected.version = 3
        XCTAssertEqual(read, expected)
    }
}
