import Foundation
import XCTest

/// What a brewer sees of `brewctl run` at terminals of different widths, read back from a real
/// terminal emulator (tmux): events scroll above, the status block stays once at the bottom, no
/// line of it wraps (a wrapped line turned the in-place redraw into a stream of copies), a resize
/// is followed, and a prompt that waits is shown once.
final class TerminalScreenTests: XCTestCase {
    /// The status block's first line, at any width down to 40 columns: "[clock] Step n/m name: …"
    /// or, shortened, "[clock] n/m …" — never the "Step n/m: name" of the step-started event.
    private func isHead(_ line: String) -> Bool {
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return false }
        var rest = line[line.index(after: close)...]
        guard rest.hasPrefix(" ") else { return false }
        rest = rest.dropFirst()
        if rest.hasPrefix("Step ") { rest = rest.dropFirst(5) }
        let count = rest.prefix { $0.isNumber || $0 == "/" }
        return count.contains("/") && count.first?.isNumber == true && count.last?.isNumber == true
            && rest.dropFirst(count.count).hasPrefix(" ")
    }

    private func start(columns: Int, arguments: String) throws -> (Tmux, String) {
        let brewctl = try brewctlExecutable()
        let dir = temporaryFolder(self, "brewctl-screen")
        let db = dir.appendingPathComponent("batches.sqlite").path
        let command = "cd '\(repositoryRoot.path)' && exec '\(brewctl.path)' run \(arguments) --db '\(db)'"
        let tmux = try Tmux(columns: columns, rows: 40, command: command, environment: [:])
        return (tmux, db)
    }

    /// Everything about the screen that must hold at `columns`: the block once, at the bottom,
    /// under the events; none of its lines wrapped; no line printed twice (a waiting prompt or a
    /// status line repeated by the redraw).
    private func checkScreen(_ tmux: Tmux, columns: Int, _ moment: String, file: StaticString = #filePath, line: UInt = #line) {
        let (history, rows) = tmux.views()
        let shown = "\(moment) at \(columns) columns:\n" + history.joined(separator: "\n")
        let heads = history.indices.filter { isHead(history[$0]) }
        XCTAssertEqual(heads.count, 1, "the status block appears once — \(shown)", file: file, line: line)
        guard let top = heads.last else { return XCTFail("no status block — \(shown)", file: file, line: line) }
        let block = Array(history[top...])
        XCTAssertLessThanOrEqual(block.count, 4, "the block is the last thing on screen — \(shown)", file: file, line: line)
        XCTAssertTrue(history[..<top].contains { $0.contains("▶ Fill the HLT") }, "events scroll above the block — \(shown)", file: file, line: line)
        // tmux joins a wrapped line back together only with -J: the block's lines on screen, row
        // for row, are the block's lines when nothing wrapped.
        XCTAssertEqual(Array(rows.suffix(block.count)), block, "no status line wraps — \(shown)", file: file, line: line)
        let printed = history.filter { !$0.isEmpty }
        let repeated = Dictionary(grouping: printed, by: { $0 }).filter { $0.value.count > 1 }.keys
        XCTAssertTrue(repeated.isEmpty, "lines printed more than once: \(repeated.sorted()) — \(shown)", file: file, line: line)
        XCTAssertEqual(printed.filter { $0.contains("▶ Fill the HLT with 78 L of water") }.count, 1,
                       "the waiting prompt is shown once — \(shown)", file: file, line: line)
    }

    private func lastHead(_ tmux: Tmux) -> String { tmux.screen().last(where: isHead) ?? "" }

    func testTheStatusBlockFitsTheTerminalAndFollowsItsResizes() throws {
        let (tmux, _) = try start(columns: 110, arguments: "Recipes/ipa.toml --speed 300 --brewer ann")
        XCTAssertTrue(tmux.wait { $0.contains { $0.contains("press Enter") } && $0.contains(where: self.isHead) },
                      "the first step waits for Enter:\n\(tmux.screen(history: true).joined(separator: "\n"))")
        // Fifteen minutes of brew time at 300×, redrawn every 200 ms: with the block wider than
        // the screen, each redraw used to leave a copy of the waiting prompt's status line behind.
        sleep(3)
        checkScreen(tmux, columns: 110, "waiting for Enter")
        XCTAssertFalse(lastHead(tmux).contains("78 L"), "the block does not repeat the prompt: \(lastHead(tmux))")
        XCTAssertTrue(lastHead(tmux).contains("waiting for you since 00:00"), lastHead(tmux))

        tmux.resize(columns: 80)
        sleep(2)
        checkScreen(tmux, columns: 80, "narrowed while waiting")

        tmux.keys("Enter")
        XCTAssertTrue(tmux.wait { $0.contains { $0.contains("✔ Confirmed: Fill the HLT (ann)") } && self.lastHead(tmux).contains("2/14") },
                      tmux.screen(history: true).joined(separator: "\n"))
        sleep(1)
        checkScreen(tmux, columns: 80, "heating the strike water")
        let heating = lastHead(tmux)
        XCTAssertTrue(heating.contains(" left"), "the step's time left is kept at 80 columns: \(heating)")
        XCTAssertTrue(tmux.screen().last?.contains("HLT ") == true, "the HLT is shown: \(tmux.screen().joined(separator: "\n"))")

        tmux.resize(columns: 200)
        sleep(2)
        checkScreen(tmux, columns: 200, "widened")
        XCTAssertTrue(lastHead(tmux).contains("batch ≈"), "at 200 columns nothing is shortened: \(lastHead(tmux))")

        tmux.resize(columns: 60)
        sleep(2)
        checkScreen(tmux, columns: 60, "narrower than 80")

        tmux.resize(columns: 80)
        tmux.keys("C-c")
        XCTAssertTrue(tmux.wait { $0.contains { $0.contains("Abort this batch") } && self.lastHead(tmux).contains("HEATERS HELD OFF") },
                      "Ctrl-C holds the heaters off and the block says so at 80 columns:\n\(tmux.screen(history: true).joined(separator: "\n"))")
        sleep(1)
        checkScreen(tmux, columns: 80, "asking whether to abort")
        tmux.keys("n", "Enter")
        XCTAssertTrue(tmux.wait { $0.contains { $0.contains("Not aborted") } }, tmux.screen(history: true).joined(separator: "\n"))
    }

    func testNarrowTerminalsStillShowTheMarkersWithoutWrapping() throws {
        let (tmux, _) = try start(columns: 40, arguments: "Recipes/ipa.toml --speed 300 --brewer ann")
        XCTAssertTrue(tmux.wait { $0.contains { $0.contains("press Enter") } }, tmux.screen(history: true).joined(separator: "\n"))
        tmux.keys("Enter")
        tmux.keys("C-c")
        XCTAssertTrue(tmux.wait { $0.contains { $0.contains("Abort this batch") } && $0.suffix(4).contains { $0.contains("HEATERS HELD OFF") } },
                      "HEATERS HELD OFF is never dropped:\n\(tmux.screen(history: true).joined(separator: "\n"))")
        sleep(1)
        for width in [40, 30, 20] {
            tmux.resize(columns: width)
            sleep(2)
            let (screen, rows) = tmux.views()
            let shown = "at \(width) columns:\n\(screen.joined(separator: "\n"))"
            // The block is what follows the last event, which may wrap (it is printed once).
            guard let last = screen.lastIndex(where: { $0.contains("🔔 Interrupted") }) else { return XCTFail("no event \(shown)") }
            let block = Array(screen[(last + 1)...])
            XCTAssertGreaterThanOrEqual(block.count, 2, shown)
            XCTAssertEqual(Array(rows.suffix(block.count)), block, "no status line wraps \(shown)")
            XCTAssertTrue(block.contains { $0.contains("HEATERS HELD OFF") }, "the marker stays \(shown)")
        }
    }
}
