import Dispatch
import Foundation

/// What the brewing terminal shows. On a terminal: event lines scrolling above a status block
/// that stays in place at the bottom, redrawn a few times a second and at once after a resize, and
/// fitted to the width (`StatusBlock`), because it is redrawn by going up one row per line and a
/// line that wrapped would leave a copy behind at every redraw. In a pipe or a file: the events,
/// and the full status lines every 10 minutes of brew time.
///
/// Every write goes out through `StandardStream` without waiting. A redraw or an event line the
/// reader has no room for is dropped whole (so what is on screen is always known), and one that
/// fails detaches the display for good, said once on standard error: the batch carries on.
// Called on the loop's thread; `typed` and `resized` come from the stdin thread and the signal
// queue, and what they share is guarded by `lock`.
final class ConsoleDisplay: @unchecked Sendable {
    /// Drawing the live block: on a terminal, until the display is detached.
    private(set) var live: Bool
    private let out = StandardStream.output
    private let lock = NSLock()
    /// Input lines the terminal echoed under the block since it was last cleared (under `lock`).
    private var echoed: [String] = []
    /// A SIGWINCH arrived (under `lock`).
    private var resizePending = false
    /// The terminal's width in columns (TIOCGWINSZ), read at each redraw and after a SIGWINCH.
    private var columns = 80
    /// The status as last updated, to fit again when the width changes between updates.
    private var latest: StatusBlock?
    /// The block's lines to draw, and as last drawn (to know how many rows to go back over).
    private var block: [String] = []
    private var drawn: [String] = []
    private var lastDraw: UInt64 = 0
    private var lastPlainStatus = -Double.infinity
    /// Event lines the reader had no room for, said with the next one that goes out.
    private var missedLines = 0
    private var detachedSaid = false

    init(live: Bool) {
        self.live = live
        if live { columns = Self.terminalColumns() }
    }

    /// A line the terminal echoed under the block as someone typed it.
    func typed(_ line: String) {
        lock.lock()
        if live { echoed.append(line) }
        lock.unlock()
    }

    /// SIGWINCH: the block is fitted again and redrawn at the next update.
    func resized() {
        lock.lock()
        resizePending = true
        lock.unlock()
    }

    /// An event line: printed once above the block (it may wrap; the block is drawn again under it).
    func event(_ line: String) {
        var text = line + "\n"
        if missedLines > 0 {
            text = "(\(missedLines) line\(missedLines == 1 ? "" : "s") not shown: the terminal was not taking output — brewctl log show has them)\n" + text
        }
        let outcome = live ? frame(text) : emit(text)
        missedLines = outcome == .dropped ? missedLines + 1 : 0
    }

    /// The status as of now (about once a second of brew time).
    func status(_ display: StatusBlock, at brewTime: Double) {
        latest = display
        if live {
            // A resized terminal is redrawn at once; otherwise a few times a second is plenty.
            let resized = followResize()
            let now = DispatchTime.now().uptimeNanoseconds
            guard resized || now - lastDraw > 200_000_000 else { return }
            lastDraw = now
            // Read at every redraw too: a terminal that is not brewctl's controlling one (a
            // service's, a test's) is resized without a SIGWINCH.
            columns = Self.terminalColumns()
            block = display.lines(fitting: columns - 1)
            // A reader still catching up gets no new redraw, only what is already queued.
            if out.isBacklogged && !resized {
                out.flush(within: 0)
                return
            }
            frame("")
        } else if brewTime - lastPlainStatus >= 600 {
            lastPlainStatus = brewTime
            emit(display.fullLines.joined(separator: "\n") + "\n")
        }
    }

    /// The run is over: the block is wiped (the outcome line comes next), and the last lines wait
    /// a little for a slow reader — not for one that stopped reading: brewctl must still exit.
    func finish() {
        if live {
            block = []
            frame("")
        }
        if !out.flush(within: 2), out.failed == nil {
            out.detach(because: "\(out.name) was not being read")
            note("brewctl: \(out.name) is not being read; the rest of the output was dropped (the batch log has everything)")
        }
    }

    // MARK: - Writing

    /// Clears the block, prints `text` where it was and draws the block again under it, as one
    /// write: queued whole or dropped whole.
    @discardableResult
    private func frame(_ text: String) -> StandardStream.Outcome {
        if followResize(), let latest, !block.isEmpty { block = latest.lines(fitting: columns - 1) }
        lock.lock()
        let typed = echoed
        echoed = []
        lock.unlock()
        let outcome = emit(clearing(drawn + typed) + text + block.map { $0 + "\n" }.joined())
        if outcome == .dropped {
            lock.lock()
            echoed = typed + echoed
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
            lock.lock()
            live = false
            lock.unlock()
            note("brewctl: \(out.failed ?? "\(out.name) failed"): the display is detached; the batch carries on and is logged as always (brewctl log show)")
        }
        return outcome
    }

    /// Once on standard error, if that still works; never waiting for it.
    private func note(_ line: String) {
        StandardStream.error.write(line + "\n", wait: .never)
    }

    /// Goes up over `lines` (the block and any input echoed under it) and clears them. Rows are
    /// counted at the present width: a terminal that narrowed has re-wrapped the old lines.
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
        let happened = resizePending
        resizePending = false
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
