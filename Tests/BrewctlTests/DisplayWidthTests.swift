@testable import brewctl
import XCTest
#if canImport(Glibc)
import Glibc
#endif

// glibc's wcwidth (wchar_t is 32 bits here); Swift's Glibc module leaves it out.
@_silgen_name("wcwidth") private func cWidth(_ c: Int32) -> Int32

/// Display widths as the C library counts them (wcwidth, which terminal emulators such as tmux
/// use), for the characters brewctl prints and the scripts names come in.
final class DisplayWidthTests: XCTestCase {
    func testWidthsAgreeWithTheCLibrary() throws {
        guard setlocale(LC_CTYPE, "C.UTF-8") != nil else { throw XCTSkip("no C.UTF-8 locale") }
        var samples: [Unicode.Scalar] = (0x20...0x7E).compactMap(Unicode.Scalar.init) + (0xA0...0x17F).compactMap(Unicode.Scalar.init)
        samples += "▮▯⚠🔔✔▶⏸│·≈°…—€±×µÄßéñ".unicodeScalars
        samples += "糖化休止麦汁ビールの醸造맥주양조ＡＢＣ｡".unicodeScalars   // CJK, kana, Hangul, fullwidth, halfwidth
        samples += "🍺🍻🌡🔥⏩✅❌⭐".unicodeScalars
        samples += ["\u{0301}", "\u{0308}", "\u{200B}", "\u{200D}"]   // combining marks and joiners
        for s in samples {
            XCTAssertEqual(DisplayWidth.columns(Character(s)), Int(cWidth(Int32(bitPattern: s.value))),
                           "U+\(String(s.value, radix: 16, uppercase: true)) \(s)")
        }
    }

    func testClustersCountAsTheyAreShown() {
        XCTAssertEqual(DisplayWidth.columns("e\u{301}"), 1, "a letter with its accent")
        XCTAssertEqual(DisplayWidth.columns("⚠\u{FE0F}"), 2, "a symbol asked to show as an emoji")
        XCTAssertEqual(DisplayWidth.columns("🇩🇪"), 2, "a flag")
        XCTAssertEqual(DisplayWidth.columns("HLT 66.2 °C heat 45%▮"), 21)
        XCTAssertEqual(DisplayWidth.columns("[0:01] 🔔 Add hops"), 18)
    }

    func testTruncationNeverExceedsTheWidth() {
        let text = "糖化休止 🍺 Maischrast bei 66 °C"
        for width in 0...40 {
            let cut = DisplayWidth.truncated(text, to: width)
            XCTAssertLessThanOrEqual(DisplayWidth.columns(cut), width, "\(width): \(cut)")
            if DisplayWidth.columns(text) > width && width > 0 { XCTAssertTrue(cut.hasSuffix("…"), cut) }
        }
        XCTAssertEqual(DisplayWidth.truncated("Mash tun", to: 8), "Mash tun")
        XCTAssertEqual(DisplayWidth.truncated("Mash tun", to: 5), "Mash…")
    }
}
