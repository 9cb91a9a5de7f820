import BrewCore
import BrewHost
import BrewRuntime
import Dispatch
import Foundation

/// The brew day at the terminal. On a terminal it keeps a live status block (`StatusBlock`, fitted
/// to the terminal's width and redrawn when it is resized) under the scrolling events; in a pipe
/// or a log file it prints events and a status line now and then. Enter confirms a manual step;
/// Ctrl-C holds the heaters off and asks whether to abort. Everything goes out through
/// `StandardStream` without ever waiting: a display whose terminal or pipe has gone is detached
/// and the batch carries on.
// Shared with the signal queue and the stdin thread; all shared state is guarded by `lock`.
final class TerminalConsole: OperatorConsole, @unchecked Sendable {
    private let brewer: String
    private let autoConfirm: Bool
    /// Every signal that can end the process, counted by a C handler and polled here each tick.
    private let signals: StopSignals
    /// Drawing the live block; false in a pipe or a file, and once the display is detached.
    private var live: Bool
    private let interactive: Bool
    private let lock = NSLock()
    private var lines: [String] = []
    private var asking = false
    private var awaiting = false
    /// Input lines the terminal echoed under the status block since it was last cleared.
    private var echoedLines: [String] = []
    /// SIGWINCH arrived: the width is read again and the block redrawn at the next update.
    private var resized = false
    private let resizeSource = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: DispatchQueue(label: "brewctl.resize"))
    private var block: [String] = []
    private var lastDraw: UInt64 = 0
    private var lastPlainStatus = -Double.infinity

    init(brewer: String, autoConfirm: Bool, signals: StopSignals) {
        self.brewer = brewer
        self.autoConfirm = autoConfirm
        self.signals = signals
        live = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        interactive = isatty(STDIN_FILENO) == 1
        if live { columns = Self.terminalColumns() }
    }

    /// Starts listening for Enter (signals are counted from the start of the process).
    func start() {
        // A resized window is redrawn at its new width (SIGWINCH does nothing else; the stopping
        // signals are StopSignals').
        resizeSource.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock()
            self.resized = true
            self.lock.unlock()
        }
        resizeSource.resume()
        // Reading a line blocks, so it has a thread of its own; the loop only polls a queue.
        // It reads the file descriptor with read(2), not stdio: a thread blocked in readLine()
        // holds stdin's FILE lock, which any stdio call on another thread then waits for
        // (the display once froze at the first prompt that way).
        if !autoConfirm || interactive {
            let echoes = live && interactive
            let thread = Thread { [weak self] in
                var reader = LineReader(fd: STDIN_FILENO)
                while let line = reader.next() {
                    guard let self else { return }
                    self.lock.lock()
                    self.lines.append(line)
                    // The terminal echoed the line and its newline below the status block.
                    if echoes { self.echoedLines.append(line) }
                    self.lock.unlock()
                }
            }
            thread.start()
        }
    }

    func poll() -> OperatorInput? {
        // Signals first: a stop is never queued behind a typed line.
        switch signals.take() {
        case .stop(let cause)?:
            return .stop(cause: cause)
        case .interrupt?:
            // Nobody to ask, or a second Ctrl-C while asking: stop, resumable — never an abort,
            // which only a person's answer makes.
            lock.lock()
            let wasAsking = asking
            asking = interactive && !wasAsking
            lock.unlock()
            if wasAsking || !interactive {
                return .stop(cause: wasAsking ? "SIGINT (Ctrl-C twice at the terminal)" : "SIGINT (Ctrl-C, with nobody at the terminal to ask)")
            }
            say("⏸  Ctrl-C: every heater is OFF. Abort this batch for good? [y = abort · Enter = carry on] (Ctrl-C again stops brewctl; the batch can be resumed)")
            return .interrupt
        case .suspend?:
            say("brewctl does not suspend while it controls the rig (an output would stay as it is): Ctrl-C to stop it")
            return nil
        case nil:
            return takeInput()
        }
    }

    /// What typed lines mean now; only touches state shared with the stdin thread.
    private func takeInput() -> OperatorInput? {
        lock.lock()
        defer { lock.unlock() }
        guard !lines.isEmpty else { return nil }
        let line = lines.removeFirst().trimmingCharacters(in: .whitespaces).lowercased()
        if asking {
            asking = false
            return ["y", "yes", "abort"].contains(line) ? .abort(by: brewer) : .carryOn(by: brewer)
        }
        if line == "ack" {
            return .acknowledge(by: brewer)
        }
        if awaiting {
            awaiting = false
            return .confirm(by: brewer)
        }
        return nil
    }

    func show(_ event: ProcessEvent, at brewTime: Seconds) {
        let stamp = "[\(Format.clock(brewTime))]"
        // Messages carry recipe and step names and actors carry what someone typed: escaped.
        let message = Format.printable(event.message)
        switch event.kind {
        case .prompt:
            awaiting = !autoConfirm
            if !autoConfirm { promptShownAt = brewTime }
            say("\(stamp) ▶ \(message)\(autoConfirm ? "" : " — press Enter")")
        case .addition, .alert:
            say("\(stamp) 🔔 \(message)")
        case .alarm:
            say("\(stamp) ⚠ ALARM \(message)")
        case .confirmation:
            awaiting = false
            promptShownAt = nil
            say("\(stamp) ✔ \(message)\(event.actor.map { " (\(Format.printable($0)))" } ?? "")")
        case .stepStarted:
            say("\(stamp) \(message)")
        case .stepCompleted:
            break
        case .targetReached, .boilDetected, .alarmCleared, .completed, .aborted:
            say("\(stamp) \(message)")
        }
    }

    func update(_ status: RunStatus) {
        let display = StatusBlock(status: status, promptShownAt: promptShownAt, interactive: interactive)
        if live {
            // A resized terminal is redrawn at once; otherwise a few times a second is plenty.
            let resized = followResize()
            let now = DispatchTime.now().uptimeNanoseconds
            guard resized || now - lastDraw > 200_000_000 else { return }
            lastDraw = now
            block = display.lines(fitting: columns - 1)
            // A reader still catching up gets no new redraw, only what is already queued.
            if out.isBacklogged && !resized {
                out.flush(within: 0)
                return
            }
            redraw()
        } else if status.brewTime.value - lastPlainStatus >= 600 {
            lastPlainStatus = status.brewTime.value
            emit(display.fullLines.joined(separator: "\n") + "\n")
        }
    }

    func finish() {
        if live {
            block = []
            frame("")
        }
        // The last lines may wait a little for a slow reader, not for one that stopped reading:
        // the batch is over, and brewctl must still be able to exit.
        if !out.flush(within: 2), out.failed == nil {
            out.detach(because: "\(out.name) was not being read")
            note("brewctl: \(out.name) is not being read; the rest of the output was dropped (the batch log has everything)")
        }
        resizeSource.cancel()
    }

    // MARK: - Drawing

    private let out = StandardStream.output
    /// The terminal's width in columns (TIOCGWINSZ, re-read on SIGWINCH).
    private var columns = 80
    /// When the prompt being waited on was shown (brew time), so the block need not repeat it.
    private var promptShownAt: Seconds?
    /// The block's lines as last drawn, to know how many rows to go back over.
    private var drawn: [String] = []
    /// Event lines the display could not take (the reader was not keeping up), said once it can.
    private var missedLines = 0
    private var detachedSaid = false

    /// An event line: printed once above the block (it may wrap; the block is drawn again under it).
    private func say(_ line: String) {
        var text = line + "\n"
        if missedLines > 0 {
            text = "(\(missedLines) line\(missedLines == 1 ? "" : "s") not shown: the terminal was not taking output — brewctl log show has them)\n" + text
        }
        let outcome = live ? frame(text) : emit(text)
        missedLines = outcome == .dropped ? missedLines + 1 : 0
    }

    private func redraw() { frame("") }

    /// Clears the block, prints `text` where it was and draws the block again under it, as one
    /// write: queued whole or dropped whole, so what is on screen is always known.
    @discardableResult
    private func frame(_ text: String) -> StandardStream.Outcome {
        _ = followResize()
        lock.lock()
        let echoed = echoedLines
        echoedLines = []
        lock.unlock()
        let outcome = emit(clearing(drawn + echoed) + text + block.map { $0 + "\n" }.joined())
        if outcome == .dropped {
            lock.lock()
            echoedLines = echoed + echoedLines
            lock.unlock()
        } else {
            drawn = block
        }
        return outcome
    }

    /// Writes without ever waiting; a stream that failed detaches the display for good.
    @discardableResult
    private func emit(_ text: String) -> StandardStream.Outcome {
        let outcome = out.write(text, wait: .never)
        if outcome == .detached, !detachedSaid {
            detachedSaid = true
            live = false
            note("brewctl: \(out.failed ?? "\(out.name) failed"): the display is detached; the batch carries on and is logged as always (brewctl log show)")
        }
        return outcome
    }

    /// Once on standard error, if that still works; never waiting for it.
    private func note(_ line: String) {
        StandardStream.error.write(Format.printable(line) + "\n", wait: .never)
    }

    /// Moves up over `lines` (the block and any input echoed under it) and clears them, so events
    /// scroll above a fixed status area. Rows are counted at the present width: a terminal that
    /// narrowed has re-wrapped the old lines over more rows.
    private func clearing(_ lines: [String]) -> String {
        let width = max(1, columns)
        let rows = lines.reduce(0) { $0 + max(1, (DisplayWidth.columns($1) + width - 1) / width) }
        var s = "\r\u{1B}[2K"
        for _ in 0..<rows { s += "\u{1B}[1A\u{1B}[2K" }
        return s
    }

    /// Reads the width again after a SIGWINCH; true when there was one.
    private func followResize() -> Bool {
        lock.lock()
        let happened = resized
        resized = false
        lock.unlock()
        if happened { columns = Self.terminalColumns() }
        return happened
    }

    /// The width of the terminal on standard output; else $COLUMNS; else 80.
    static func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return max(2, Int(size.ws_col)) }
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 0 { return max(2, min(n, 10_000)) }
        return 80
    }
}

/// Lines from a file descriptor, read with read(2) so no stdio lock is held while it waits.
struct LineReader {
    let fd: Int32
    private var pending: [UInt8] = []
    private var ended = false

    init(fd: Int32) { self.fd = fd }

    /// The next line without its newline (a final line without one counts), or nil at the end.
    mutating func next() -> String? {
        while true {
            if let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<nl])
                pending.removeSubrange(...nl)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if ended {
                guard !pending.isEmpty else { return nil }
                defer { pending.removeAll() }
                return String(decoding: pending, as: UTF8.self)
            }
            var buffer = [UInt8](repeating: 0, count: 256)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                pending.append(contentsOf: buffer[..<n])
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                ended = true
            }
        }
    }
}
