import BrewCore
import XCTest

/// `Format.printable`: what a person, a file or the log wrote, made safe to print.
final class PrintableTextTests: XCTestCase {
    func testControlCharactersBecomeVisibleEscapes() {
        XCTAssertEqual(Format.printable("IPA\u{1B}[2J"), #"IPA\e[2J"#)
        XCTAssertEqual(Format.printable("a\rb\u{07}c\u{08}d\u{00}e\u{0B}f\u{0C}g"), #"a\rb\ac\bd\0e\vf\fg"#)
        XCTAssertEqual(Format.printable("x\u{01}y\u{1F}z\u{7F}"), #"x\x01y\x1fz\x7f"#)
        XCTAssertEqual(Format.printable("\u{9B}31m\u{85}"), #"\u{9b}31m\u{85}"#, "C1 controls, the one-byte CSI among them")
        XCTAssertEqual(Format.printable("ann\u{202E}gol\u{2066}x\u{2069}\u{200F}\u{061C}"), #"ann\u{202e}gol\u{2066}x\u{2069}\u{200f}\u{61c}"#)
        XCTAssertEqual(Format.printable("a\u{2028}b\u{2029}"), #"a\u{2028}b\u{2029}"#)
    }

    func testLineBreaksAndTabsDependOnTheLayout() {
        XCTAssertEqual(Format.printable("one\ntwo\tthree"), #"one\ntwo\tthree"#, "a field stays on its line")
        XCTAssertEqual(Format.printable("one\ntwo\tthree\r", keepingLayout: true), "one\ntwo\tthree\\r")
        XCTAssertEqual(Format.printable("a\r\nb"), #"a\r\nb"#, "CR LF is two escapes, not one character")
    }

    func testPrintableTextIsLeftAsItIs() {
        for text in ["Club American IPA", "Mash tun 66.5 °C ▮ ⚠ 🔔", "糖化休止", "C:\\Recipes\\ipa.toml", "e\u{301}", ""] {
            XCTAssertEqual(Format.printable(text), text)
        }
    }
}
