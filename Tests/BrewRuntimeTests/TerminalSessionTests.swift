import BrewTestSupport
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

// glibc declares these only under _XOPEN_SOURCE, which Swift's Glibc module does not set; they
// are plain C functions taking and returning ints and pointers.
@_silgen_name("posix_openpt") private func posixOpenPT(_ flags: Int32) -> Int32
@_silgen_name("grantpt") private func grantPT(_ fd: Int32) -> Int32
@_silgen_name("unlockpt") private func unlockPT(_ fd: Int32) -> Int32
@_silgen_name("ptsname_r") private func ptsNameR(_ fd: Int32, _ buffer: UnsafeMutablePointer<CChar>, _ length: Int) -> Int32

/// `brewctl run` at a real terminal: a pseudo-terminal pair, so stdin and stdout are TTYs and the
/// live display, Enter-to-confirm and the Ctrl-C question run exactly as they do for a brewer.
final class TerminalSessionTests: XCTestCase {
    /// The controlling side of a pseudo-terminal; the child gets the other end as its terminal.
    private final class PseudoTerminal {
        let master: Int32
        let slavePath: String
        private(set) var transcript = ""

        init() throws {
            master = posixOpenPT(O_RDWR | O_NOCTTY)
            var name = [CChar](repeating: 0, count: 128)
            guard master >= 0, grantPT(master) == 0, unlockPT(master) == 0, ptsNameR(master, &name, name.count) == 0 else {
                throw TestFailure("cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
            }
            slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        deinit { close(master) }

        func type(_ text: String) {
            _ = text.withCString { write(master, $0, strlen($0)) }
        }

        /// Reads until `text` has appeared after the first `offset` bytes, the child closed the
        /// terminal, or `seconds` passed.
        @discardableResult
        func wait(for text: String, after offset: Int = 0, seconds: Double = 30) -> Bool {
            wait(after: offset, seconds) { $0.contains(text) ? true : nil } != nil
        }

        /// Reads until the text after `offset` satisfies `found` (which returns what it found), the
        /// child closed the terminal, or `seconds` passed.
        func wait<T>(after offset: Int = 0, _ seconds: Double = 30, until found: (String) -> T?) -> T? {
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            func seen() -> T? { transcript.utf8.count >= offset ? String(transcript.utf8.dropFirst(offset)).flatMap(found) : nil }
            while true {
                if let result = seen() { return result }
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { return nil }
                var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&fds, 1, Int32(min(left, 1) * 1000)) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                if n <= 0 { return seen() }   // EIO: the child has gone
                transcript += String(decoding: buffer[..<n], as: UTF8.self)
            }
        }

        var mark: Int { transcript.utf8.count }
    }

    /// Starts `brewctl` with the pseudo-terminal as its stdin, stdout and stderr, as a brewer's
    /// shell would. It is killed if it outlives the test; a failing test prints the transcript.
    private func startAtTerminal(_ arguments: [String]) throws -> (Process, PseudoTerminal) {
        let tty = try PseudoTerminal()
        guard let terminal = FileHandle(forUpdatingAtPath: tty.slavePath) else {
            throw TestFailure("cannot open \(tty.slavePath)")
        }
        let process = Process()
        process.executableURL = try brewctlExecutable()
        process.arguments = arguments
        process.currentDirectoryURL = repositoryRoot
        process.environment = brewctlEnvironment(["TERM": "xterm"])
        process.standardInput = terminal
        process.standardOutput = terminal
        process.standardError = terminal
        try process.run()
        try terminal.close()
        // A hung child must fail the test, not hang the suite.
        addTeardownBlock { [weak self] in
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            if (self?.testRun?.totalFailureCount ?? 0) > 0 { print("`brewctl \(arguments.joined(separator: " "))` at a terminal:\n\(tty.transcript)") }
        }
        return (process, tty)
    }

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
        XCTAssertTrue(tty.wait(for: "Abort this batch? [y/N]"), "Ctrl-C asks:\n\(tty.transcript)")
        XCTAssertTrue(tty.wait(for: "HEATERS HELD OFF"), "and holds the heaters off while it asks:\n\(tty.transcript)")
        tty.type("n\r")
        XCTAssertTrue(tty.wait(for: "Not aborted"), tty.transcript)
        XCTAssertTrue(process.isRunning)
        let carriedOn = tty.mark
        XCTAssertNotNil(tty.wait(after: carriedOn) { Self.hltStatus($0).first }, "heating again after `n`:\n\(tty.transcript)")

        let mark = tty.transcript.utf8.count
        process.interrupt()
        XCTAssertTrue(tty.wait(for: "Abort this batch?", after: mark), "asked again:\n\(tty.transcript)")
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

    /// The same at the element itself: `brewctl run` on a real rig (relay coils on a pymodbus
    /// server) at a terminal. While Ctrl-C's question is open the coil is off, `n` switches it on
    /// again, and `y` ends the batch with it off.
    func testCtrlCHoldsTheRealElementOffWhileItAsks() throws {
        let bench = try ModbusBenchRig(for: self)
        XCTAssertEqual(bench.element, false, "off before the run")
        let (process, tty) = try startAtTerminal(["run", try bench.heatRecipe(to: "80 C"), "--hardware", bench.path,
                                                  "--brewer", "ann", "--db", bench.database()])
        XCTAssertTrue(tty.wait(for: "Step 1/2: Heat"), tty.transcript)
        XCTAssertTrue(bench.waitForElement(true), "the heat step switched the element on:\n\(tty.transcript)")

        process.interrupt()
        XCTAssertTrue(tty.wait(for: "Abort this batch? [y/N]"), "Ctrl-C asks:\n\(tty.transcript)")
        XCTAssertTrue(bench.waitForElement(false, seconds: 3), "the element is off while it asks:\n\(tty.transcript)")
        // And stays off while nobody answers.
        XCTAssertFalse(Peers.waitUntil(2.5) { bench.element != false }, "the element came back on unanswered:\n\(tty.transcript)")
        XCTAssertTrue(process.isRunning)

        tty.type("n\r")
        XCTAssertTrue(tty.wait(for: "Not aborted"), tty.transcript)
        XCTAssertTrue(bench.waitForElement(true), "heating again after `n`:\n\(tty.transcript)")

        let mark = tty.mark
        process.interrupt()
        XCTAssertTrue(tty.wait(for: "Abort this batch?", after: mark), "asked again:\n\(tty.transcript)")
        XCTAssertTrue(bench.waitForElement(false, seconds: 3), tty.transcript)
        tty.type("y\r")
        XCTAssertTrue(tty.wait(for: "brewctl: batch 1:", after: mark), "the one-line reason:\n\(tty.transcript)")
        XCTAssertTrue(Peers.waitUntil(15) { !process.isRunning }, "brewctl ended:\n\(tty.transcript)")
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1, tty.transcript)
        XCTAssertEqual(try bench.plc.readCoils(unit: 7, address: 1, count: 2), [false, false], "everything off at the end")
    }
}
