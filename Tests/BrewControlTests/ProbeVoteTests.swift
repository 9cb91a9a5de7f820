import BrewControl
import BrewCore
import XCTest

final class ProbeVoteTests: XCTestCase {
    let now = Instant(seconds: 100)
    let stale = Seconds(5)

    func probe(_ id: String, _ value: Double, age: Double = 0) -> ProbeVote.Probe {
        .init(id: id, reading: TemperatureReading(value: Celsius(value), takenAt: Instant(seconds: 100 - age)))
    }

    func failed(_ id: String) -> ProbeVote.Probe { .init(id: id, reading: .fault("no answer", at: now)) }

    func vote(_ probes: [ProbeVote.Probe], tolerance: Double = 2) -> ProbeVote.Outcome {
        ProbeVote.combine(probes, tolerance: Kelvin(tolerance), at: now, staleAfter: stale)
    }

    func testOneProbeIsPassedThroughUnchanged() {
        let fault = ProbeVote.Probe(id: "a", reading: .fault("nack", at: now))
        XCTAssertEqual(vote([fault]).reading.quality, .fault("nack"))
        XCTAssertEqual(vote([probe("a", 65.2)]).reading.value, Celsius(65.2))
        XCTAssertNil(vote([probe("a", 65.2)]).note)
    }

    func testTwoAgreeingProbesAverage() {
        let out = vote([probe("a", 65.0), probe("b", 66.0)])
        XCTAssertEqual(out.reading.value.value, 65.5, accuracy: 1e-9)
        XCTAssertEqual(out.reading.quality, .good)
        XCTAssertNil(out.note)
    }

    func testTwoDisagreeingProbesAreAFaultNamingBoth() {
        let out = vote([probe("a", 65.0), probe("b", 71.0)])
        guard case .fault(let why) = out.reading.quality else { return XCTFail("expected a fault, got \(out.reading)") }
        XCTAssertTrue(why.contains("disagree") && why.contains("a 65") && why.contains("b 71"), why)
    }

    func testOneFailedOfTwoCarriesOnWithANote() {
        let out = vote([failed("a"), probe("b", 64.0)])
        XCTAssertEqual(out.reading.value, Celsius(64.0))
        XCTAssertEqual(out.reading.quality, .good)
        XCTAssertTrue(out.note?.contains("controlling on b alone") ?? false, out.note ?? "no note")
        XCTAssertTrue(out.note?.contains("a failed") ?? false)
    }

    func testAStaleProbeCountsAsFailed() {
        let out = vote([probe("a", 64.0, age: 30), probe("b", 64.5)])
        XCTAssertEqual(out.reading.value, Celsius(64.5))
        XCTAssertTrue(out.note?.contains("a failed (stale") ?? false, out.note ?? "no note")
    }

    func testAllFailedIsAFault() {
        let out = vote([failed("a"), failed("b"), failed("c")])
        guard case .fault(let why) = out.reading.quality else { return XCTFail("expected a fault") }
        XCTAssertTrue(why.hasPrefix("all 3 probes failed"), why)
    }

    func testThreeProbesOutvoteTheOddOne() {
        let out = vote([probe("a", 65.0), probe("b", 80.0), probe("c", 65.4)])
        XCTAssertEqual(out.reading.value.value, 65.2, accuracy: 1e-9, "the mean of the two that agree")
        XCTAssertTrue(out.note?.contains("b 80") ?? false, out.note ?? "no note")
        XCTAssertTrue(out.note?.contains("outvoted by a, c") ?? false, out.note ?? "no note")
    }

    func testThreeProbesWithoutMajorityIsAFault() {
        let out = vote([probe("a", 60.0), probe("b", 65.0), probe("c", 70.0)])
        guard case .fault(let why) = out.reading.quality else { return XCTFail("expected a fault, got \(out.reading)") }
        XCTAssertTrue(why.contains("no majority"), why)
    }

    func testTheHardLimitIsNeverVotedAway() {
        let out = ProbeVote.combine([probe("a", 70.0), probe("b", 81.0), probe("c", 70.2)], tolerance: Kelvin(1), at: now, staleAfter: stale,
                                    limit: Celsius(80))
        XCTAssertEqual(out.reading.value, Celsius(81), "the hot one is the vessel's reading: the controller's hard limit acts on it")
        XCTAssertTrue(out.note?.contains("b reads 81") ?? false, out.note ?? "no note")
        XCTAssertEqual(ProbeVote.combine([probe("a", 70.0), probe("b", 79.0), probe("c", 70.2)], tolerance: Kelvin(1), at: now, staleAfter: stale,
                                         limit: Celsius(80)).reading.value.value, 70.1, accuracy: 1e-9, "below the limit it is outvoted")
    }

    func testVotedReadingTakesTheOldestTime() {
        let out = vote([probe("a", 65.0, age: 2), probe("b", 65.1), probe("c", 65.2, age: 1)])
        XCTAssertEqual(out.reading.takenAt, Instant(seconds: 98))
    }
}
