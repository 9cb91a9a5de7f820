import BrewLog
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Writing to a closed terminal or pipe, a full disk or a reader that stopped reading never ends
/// or stalls the control loop: the display is detached, said once on standard error, and the
/// batch runs to its end in the log.
final class DetachedDisplayTests: XCTestCase {
    /// `brewctl run … | head -3`: the reader goes after three lines.
    func testAReaderThatGoesAwayDetachesTheDisplayAndTheBatchRunsOn() throws {
        let run = try BrewctlRun(for: self)
        let pipe = Pipe()
        // --speed 600: three seconds of wall time, so most of the output comes after the reader left.
        try run.start(["run", run.recipe.path, "--speed", "600", "--yes"], stdout: pipe, for: self)
        try pipe.fileHandleForWriting.close()
        var seen = Data()
        while seen.split(separator: UInt8(ascii: "\n")).count < 3 {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        try pipe.fileHandleForReading.close()
        let (exited, stderr) = run.finish(within: 60)
        let context = "stdout before the reader left:\n\(String(decoding: seen, as: UTF8.self))\nstderr:\n\(stderr)"
        XCTAssertTrue(exited, "brewctl ends — \(context)")
        XCTAssertEqual(run.process.terminationStatus, 0, context)
        XCTAssertEqual(run.process.terminationReason, .exit, "not killed by SIGPIPE — \(context)")
        XCTAssertTrue(stderr.contains("standard output failed (Broken pipe): the display is detached"), context)
        XCTAssertEqual(stderr.components(separatedBy: "detached").count, 2, "said once — \(context)")
        try run.assertCompletedBatch(context)
    }

    /// A reader that never reads: the pipe is full before brewctl starts.
    func testAReaderThatNeverReadsDoesNotStallTheBatch() throws {
        // How long the batch takes when nothing holds it up.
        let baseline = try BrewctlRun(for: self)
        let started = Date()
        try baseline.start(["run", baseline.recipe.path, "--fast", "--yes"], stdout: FileHandle.nullDevice, for: self)
        let free = baseline.finish(within: 120)
        XCTAssertTrue(free.exited, free.stderr)
        let unhindered = Date().timeIntervalSince(started)

        let run = try BrewctlRun(for: self)
        let pipe = Pipe()
        let writer = pipe.fileHandleForWriting.fileDescriptor
        let flags = fcntl(writer, F_GETFL)
        _ = fcntl(writer, F_SETFL, flags | O_NONBLOCK)
        let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
        var filled = 0
        while true {
            let n = filler.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            filled += n
        }
        _ = fcntl(writer, F_SETFL, flags)
        XCTAssertGreaterThan(filled, 0)
        let blocked = Date()
        try run.start(["run", run.recipe.path, "--fast", "--yes"], stdout: pipe, for: self)
        let (exited, stderr) = run.finish(within: 120)
        let took = Date().timeIntervalSince(blocked)
        XCTAssertTrue(exited, "a full pipe does not stop the batch: \(stderr)")
        XCTAssertEqual(run.process.terminationStatus, 0, stderr)
        // Two seconds at the end for the last lines, and room for a busy machine; blocked, it
        // would never end at all.
        XCTAssertLessThan(took, unhindered * 3 + 10, "unhindered \(unhindered) s, with a full pipe \(took) s: \(stderr)")
        XCTAssertTrue(stderr.contains("standard output is not being read"), stderr)
        try run.assertCompletedBatch(stderr)
        try pipe.fileHandleForReading.close()
    }

    /// Standard output redirected to a full disk (/dev/full answers every write with ENOSPC).
    func testAFullDiskDetachesTheDisplay() throws {
        let run = try BrewctlRun(for: self)
        let full = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
        try run.start(["run", run.recipe.path, "--fast", "--yes"], stdout: full, for: self)
        let (exited, stderr) = run.finish(within: 120)
        XCTAssertTrue(exited, stderr)
        XCTAssertEqual(run.process.terminationStatus, 0, stderr)
        XCTAssertTrue(stderr.contains("standard output failed (No space left on device): the display is detached"), stderr)
        try run.assertCompletedBatch(stderr)
    }

    /// The terminal goes away mid-run (an SSH session dropped: the pty's master is closed). The
    /// hangup signal is not this test's business, so the shell starting brewctl ignores it.
    func testATerminalThatHangsUpMidRunDetachesTheDisplay() throws {
        let run = try BrewctlRun(for: self)
        let tty = try PseudoTerminal()
        tty.resize(columns: 100, rows: 30)
        guard let terminal = FileHandle(forUpdatingAtPath: tty.slavePath) else { throw XCTSkip("cannot open \(tty.slavePath)") }
        try run.start(["run", run.recipe.path, "--speed", "300", "--yes"], stdout: terminal, stdin: terminal,
                      shell: "trap '' HUP;", environment: ["TERM": "xterm"], for: self)
        try terminal.close()
        XCTAssertTrue(tty.wait(for: "Warm the HLT: heating"), "the live display runs:\n\(tty.transcript)")
        tty.closeMaster()
        let (exited, stderr) = run.finish(within: 60)
        let context = "terminal:\n\(tty.transcript)\nstderr:\n\(stderr)"
        XCTAssertTrue(exited, context)
        XCTAssertEqual(run.process.terminationStatus, 0, context)
        XCTAssertTrue(stderr.contains("standard output failed (Input/output error): the display is detached"), context)
        try run.assertCompletedBatch(context)
    }
}
