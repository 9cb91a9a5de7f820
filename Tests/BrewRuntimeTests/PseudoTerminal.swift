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

/// The controlling side of a pseudo-terminal; the child gets the other end as its terminal.
/// Everything the child wrote is kept: as text in `transcript`, byte for byte in `bytes`.
final class PseudoTerminal {
    private(set) var master: Int32
    let slavePath: String
    private(set) var transcript = ""
    /// The raw bytes, for looking at exactly what reached the terminal.
    private(set) var bytes: [UInt8] = []

    init() throws {
        master = posixOpenPT(O_RDWR | O_NOCTTY)
        var name = [CChar](repeating: 0, count: 128)
        guard master >= 0, grantPT(master) == 0, unlockPT(master) == 0, ptsNameR(master, &name, name.count) == 0 else {
            throw TestFailure("cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { closeMaster() }

    /// Hangs the terminal up, as a dropped SSH session does: the child's reads and writes fail.
    func closeMaster() {
        if master >= 0 { close(master) }
        master = -1
    }

    /// Sets the terminal's size, as a terminal window does when it is resized.
    func resize(columns: Int, rows: Int) {
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

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
            if left <= 0 || master < 0 { return nil }
            var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&fds, 1, Int32(min(left, 1) * 1000)) > 0 else { continue }
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
            if n <= 0 { return seen() }   // EIO: the child has gone
            bytes += buffer[..<n]
            transcript += String(decoding: buffer[..<n], as: UTF8.self)
        }
    }

    var mark: Int { transcript.utf8.count }
}

extension XCTestCase {
    /// Starts `brewctl` with a pseudo-terminal as its stdin, stdout and stderr, as a brewer's
    /// shell would. It is killed if it outlives the test; a failing test prints the transcript.
    func startAtTerminal(_ arguments: [String]) throws -> (Process, PseudoTerminal) {
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
}
