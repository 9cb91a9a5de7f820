@testable import brewctl
import BrewCore
import BrewRuntime
import XCTest

final class StatusBlockTests: XCTestCase {
    func testSmoke() {
        XCTAssertEqual(DisplayWidth.columns("🔔a"), 3)
    }
}
