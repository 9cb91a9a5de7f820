import BrewCore
import BrewHost
import BrewRuntime
import Dispatch
import Foundation

/// The brew day at the terminal. On a terminal it keeps a two-line live status block under the
/// scrolling events; in a pipe or a log file it prints events and a status line now and then.
/// Enter confirms a manual step; Ctrl-C holds the heaters off and asks whether to abort.
// Shared with the signal queue and the stdin thread; all shared state is guarded by `lock`.
final class TerminalConsole: OperatorConsole, @unchecked Sendable {
    private let brewer: String
    private let autoConfirm: Bool
    /// Every signal that can end the process, counted by a C handler and polled here each tick.
    private let signals: StopSignals
    private let live: Bool
    private let interactive: Bool
    private let lock = NSLock()
    private var lines: [String] = []
    private var asking = false
    private var awaiting = false
    /// Input lines the terminal echoed under the status block since it was last cleared.
    private var echoedLines = 0
    private var block: [String] = []
    private var lastDraw: UInt64 = 0
    private var lastPlainStatus = -Double.infinity

    init(brewer: String, autoConfirm: Bool, signals: StopSignals) {
        self.brewer = brewer
        self.autoConfirm = autoConfirm
        self.signals = signals
        live = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        interactive = isatty(STDIN_FILENO) == 1
    }

    /// Starts listening for Enter (signals are counted from the start of the process).
    func start() {
        // Reading a line blocks, so it has a thread of its own; the loop only polls a queue.
        // It reads the file descriptor with read(2), not stdio: a thread blocked in readLine()
        // holds stdin's FILE lock, and the fflush(nil) after every redraw then waits for it
        // forever (the display froze at the first prompt).
        if !autoConfirm || interactive {
            let thread = Thread { [weak self] in
                var reader = LineReader(fd: STDIN_FILENO)
                while let line = reader.next() {
                    guard let self else { return }
                    self.lock.lock()
                    self.lines.append(line)
                    // The terminal echoed the line and its newline below the status block.
                    if self.live && self.interactive { self.echoedLines += 1 }
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
        case .interrupt(let cause)?:
            // Nobody to ask, or a second Ctrl-C while asking: stop, resumable — never an abort,
            // which only a person's answer makes.
            lock.lock()
            let wasAsking = asking
            asking = interactive && !wasAsking
            lock.unlock()
            if wasAsking || !interactive {
                return .stop(cause: cause + (wasAsking ? ", twice at the terminal" : ", with nobody at the terminal to ask"))
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
        switch event.kind {
        case .prompt:
            awaiting = !autoConfirm
            say("\(stamp) ▶ \(event.message)\(autoConfirm ? "" : " — press Enter")")
        case .addition, .alert:
            say("\(stamp) 🔔 \(event.message)")
        case .alarm:
            say("\(stamp) ⚠ ALARM \(event.message)")
        case .confirmation:
            awaiting = false
            say("\(stamp) ✔ \(event.message)\(event.actor.map { " (\($0))" } ?? "")")
        case .stepStarted:
            say("\(stamp) \(event.message)")
        case .stepCompleted:
            break
        case .targetReached, .boilDetected, .alarmCleared, .completed, .aborted:
            say("\(stamp) \(event.message)")
        }
    }

    func update(_ status: RunStatus) {
        block = render(status)
        if live {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now - lastDraw > 200_000_000 else { return }
            lastDraw = now
            redraw()
        } else if status.brewTime.value - lastPlainStatus >= 600 {
            lastPlainStatus = status.brewTime.value
            print(block.joined(separator: "\n"))
        }
    }

    func finish() {
        if live {
            clearBlock()
            block = []
        }
        fflush(nil)  // before the outcome line goes to unbuffered stderr
    }

    // MARK: - Drawing

    private var drawn = 0

    private func say(_ line: String) {
        if live {
            clearBlock()
            print(line)
            redraw()
        } else {
            print(line)
        }
        fflush(nil)  // flushes every stream; stdout is a C global Swift 6 will not touch
    }

    private func clearBlock() {
        lock.lock()
        let echoed = echoedLines
        echoedLines = 0
        lock.unlock()
        let height = drawn + echoed
        guard height > 0 else { return }
        // Move up over the block (and any input echoed under it) and clear it, so events
        // scroll above a fixed status area.
        var s = "\r\u{1B}[2K"
        for _ in 0..<height { s += "\u{1B}[1A\u{1B}[2K" }
        print(s, terminator: "")
        drawn = 0
    }

    private func redraw() {
        clearBlock()
        for line in block { print(line) }
        drawn = block.count
        fflush(nil)  // flushes every stream; stdout is a C global Swift 6 will not touch
    }

    private func render(_ s: RunStatus) -> [String] {
        var head = "[\(Format.clock(s.brewTime))] Step \(s.stepNumber)/\(s.stepCount) \(s.stepName): \(s.waitingFor)"
        if let left = s.stepTimeLeft { head += " · step \(Format.clock(left)) left" }
        if let total = s.batchTimeLeft { head += " · batch ≈ \(Format.duration(total)) left" }
        if s.heatingPaused { head += " · HEATERS HELD OFF" }
        let vessels = s.vessels.filter(\.involved).map { v -> String in
            let temp = v.temperature.map { Format.fixed($0.value, 1) } ?? "--.-"
            let target = v.target.map { "/\(Format.fixed($0.value, 1))" } ?? ""
            var text = "\(v.name) \(temp)\(target) °C heat \(Format.fixed(v.demand.value, 0))%\(v.heaterOn ? "▮" : "▯")"
            if let fault = v.fault { text += " FAULT: \(fault)" + (fault.contains("until acknowledged") ? " (type ack, Enter)" : "") }
            return text
        }
        var lines = [head, "  " + (vessels.isEmpty ? "all heaters off" : vessels.joined(separator: "  │  "))]
        // Alarms stay on screen until someone says they have seen them, even once cleared.
        if let latest = s.unacknowledgedAlarms.last {
            let n = s.unacknowledgedAlarms.count
            lines.append("  ⚠ \(n) alarm\(n == 1 ? "" : "s") to acknowledge (type ack, Enter) — latest: \(latest)")
        }
        return lines
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
