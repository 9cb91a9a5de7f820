import BrewTestSupport
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `brewctl run` at a real terminal: a pseudo-terminal pair, so stdin and stdout are TTYs and the
/// live display, Enter-to-confirm and the Ctrl-C question run exactly as they do for a brewer.
final class TerminalSessionTests: XCTestCase {
    /// The HLT's temperatures in live status lines ("HLT 23.4/72.5 °C heat 100%▮") — the
    /// status block, not an event or prompt that merely names the HLT.
    private static func hltStatus(_ text: String) -> [Double] {
        let pattern = try? NSRegularExpression(pattern: #"HLT (\d+\.\d)/\d+\.\d °C heat 100%▮"#)
        let range = NSRange(text.startIndex..., in: text)
        return (pattern?.matches(in: text, range: range) ?? []).compactMap { match in
            Range(match.range(at: 1), in: text).flatMap { Double(text[$0]) }
        }
    }

    func testEnterConfirmsAndCtrlCAsksBeforeAborting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-tty-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("batches.sqlite").path
        let (process, tty) = try startAtTerminal(["run", "Recipes/ipa.toml", "--speed", "300", "--brewer", "ann", "--db", db])

        guard tty.wait(for: "press Enter") else {
            return XCTFail("the first manual step should wait for Enter:\n\(tty.transcript)")
        }
        // Nothing moves on by itself while the brewer is away.
        XCTAssertFalse(tty.wait(for: "Confirmed", seconds: 1.5), tty.transcript)
        tty.type("\r")
        XCTAssertTrue(tty.wait(for: "✔ Confirmed: Fill the HLT (ann)"), "Enter confirms:\n\(tty.transcript)")
        // The live status, redrawn in place, shows the HLT heating at full power and warming.
        let confirmed = tty.mark
        let warming = tty.wait(after: confirmed) { text -> [Double]? in
            let seen = Self.hltStatus(text)
            guard let first = seen.first, let last = seen.last, last > first else { return nil }
            return seen
        }
        XCTAssertNotNil(warming, "the live status shows the HLT heating and warming:\n\(tty.transcript)")

        process.interrupt()
        XCTAssertTrue(tty.wait(for: "Abort this batch"), "Ctrl-C asks:\n\(tty.transcript)")
        XCTAssertTrue(tty.wait(for: "HEATERS HELD OFF"), "and holds the heaters off while it asks:\n\(tty.transcript)")
        tty.type("n\r")
        XCTAssertTrue(tty.wait(for: "Not aborted"), tty.transcript)
        XCTAssertTrue(process.isRunning)
        let carriedOn = tty.mark
        XCTAssertNotNil(tty.wait(after: carriedOn) { Self.hltStatus($0).first }, "heating again after `n`:\n\(tty.transcript)")

        let mark = tty.transcript.utf8.count
        process.interrupt()
        XCTAssertTrue(tty.wait(for: "Abort this batch", after: mark), "asked again:\n\(tty.transcript)")
        tty.type("y\r")
        guard tty.wait(for: "brewctl: batch 1:") else {
            kill(process.processIdentifier, SIGKILL)
            return XCTFail("no one-line reason after the abort:\n\(tty.transcript)")
        }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1, tty.transcript)
        XCTAssertTrue(tty.transcript.contains("Batch aborted: stopped by ann"), tty.transcript)
        // The live status block is wiped (cursor up, erase line) before the one-line reason, so the
        // reason is the last thing on screen and no stale status line is left under it.
        let reason = try XCTUnwrap(tty.transcript.range(of: "brewctl: batch 1:"))
        let lastStatus = try XCTUnwrap(tty.transcript.range(of: "HEATERS HELD OFF", options: .backwards))
        XCTAssertLessThan(lastStatus.upperBound, reason.lowerBound)
        XCTAssertTrue(tty.transcript[lastStatus.upperBound..<reason.lowerBound].contains("\u{1B}[1A\u{1B}[2K"),
                      "status block cleared before the reason")
    }
}
