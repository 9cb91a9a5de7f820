import BrewCore
import XCTest

final class UnitsTests: XCTestCase {
    func testFahrenheitConversion() {
        XCTAssertEqual(Celsius.fahrenheit(152).value, 66.667, accuracy: 0.001)
        XCTAssertEqual(Celsius.fahrenheit(212).value, 100, accuracy: 1e-9)
    }

    func testPercentIsClamped() {
        XCTAssertEqual(Percent(140).value, 100)
        XCTAssertEqual(Percent(-3).value, 0)
        XCTAssertEqual(Percent(.nan).value, 0)
    }

    func testFormatting() {
        XCTAssertEqual(Format.fixed(66.45, 1), "66.5")
        XCTAssertEqual(Format.fixed(-0.04, 1), "0.0")
        XCTAssertEqual(Format.fixed(-1.25, 2), "-1.25")
        XCTAssertEqual(Format.duration(.minutes(15)), "15 min")
        XCTAssertEqual(Format.duration(Seconds(3725)), "1 h 02 min")
        XCTAssertEqual(Format.clock(Seconds(3725)), "1:02:05")
        XCTAssertEqual(Format.clock(Seconds(65)), "01:05")
    }

    func testReadingProblems() {
        let now = Instant(seconds: 100)
        XCTAssertNil(TemperatureReading(value: Celsius(20), takenAt: now).problem(at: now, staleAfter: Seconds(5)))
        XCTAssertNotNil(TemperatureReading(value: Celsius(20), takenAt: Instant(seconds: 90)).problem(at: now, staleAfter: Seconds(5)))
        XCTAssertNotNil(TemperatureReading(value: Celsius(400), takenAt: now).problem(at: now, staleAfter: Seconds(5)))
        XCTAssertEqual(TemperatureReading.fault("NACK", at: now).problem(at: now, staleAfter: Seconds(5)), "NACK")
    }
}
