import BrewCore
import BrewLog
import BrewRuntime
import Foundation
import XCTest

final class ResumeGapTests: XCTestCase {
    private func state(wall: Double, boot: String?, uptime: Double?) -> BatchState {
        BatchState(batch: 1, stepIndex: 0, brewTime: 0, wall: Date(timeIntervalSince1970: wall), bootID: boot, uptime: uptime, payload: Data())
    }

    func testSameBootUsesTheMonotonicClockWhateverTheWallClockSays() {
        let gap = ResumeGap.measure(state(wall: 10_000, boot: "a", uptime: 100), wallNow: Date(timeIntervalSince1970: 5), bootID: "a", uptime: 160)
        XCTAssertEqual(gap.length, Seconds(60))
        XCTAssertEqual(gap.measuredBy, "monotonic clock")
    }

    func testAfterARebootTheWallClockMeasuresAndOneThatWentBackLeavesItUnknown() {
        let later = ResumeGap.measure(state(wall: 10_000, boot: "a", uptime: 100), wallNow: Date(timeIntervalSince1970: 10_900), bootID: "b", uptime: 20)
        XCTAssertEqual(later.length, Seconds(900))
        let earlier = ResumeGap.measure(state(wall: 10_000, boot: "a", uptime: 100), wallNow: Date(timeIntervalSince1970: 9_000), bootID: "b", uptime: 20)
        XCTAssertNil(earlier.length)
    }
}
