import BrewCore
import BrewHost
import BrewRuntime
import Dispatch
import Foundation

/// The brew day at the terminal: what it shows (`ConsoleDisplay`: events above a live status
/// block fitted to the terminal, or plain lines in a pipe or a file) and what the brewer answers.
/// Enter confirms a manual step; `ack` acknowledges the alarms; Ctrl-C holds the heaters off and
/// asks whether to abort.
// Shared with the signal queue and the stdin thread; all shared state is guarded by `lock`.
final class TerminalConsole: OperatorConsole, @unchecked Sendable {
    private let brewer: String
    private let autoConfirm: Bool
    /// Every signal that can end the process, counted by a C handler and polled here each tick.
    private let signals: StopSignals
    private let interactive: Bool
    private let display: ConsoleDisplay
    private let lock = NSLock()
    private var lines: [String] = []
    private var asking = false
    private var awaiting = false
    /// When the prompt being waited on was shown (brew time), so the block need not repeat it.
    private var promptShownAt: Seconds?
    private let resizeSource = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: DispatchQueue(label: "brewctl.resize"))

    init(brewer: String, autoConfirm: Bool, signals: StopSignals) {
        self.brewer = brewer
        self.autoConfirm = autoConfirm
        self.signals = signals
        display = ConsoleDisplay(live: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb")
        interactive = isatty(STDIN_FILENO) == 1
    }

    /// Starts listening for Enter (signals are counted from the start of the process).
    func start() {
        // A resized window is redrawn at its new width (SIGWINCH does nothing else; the stopping
        // signals are StopSignals').
        resizeSource.setEventHandler { [weak self] in self?.display.resized() }
        resizeSource.resume()
        // Reading a line blocks, so it has a thread of its own; the loop only polls a queue.
        // It reads the file descriptor with read(2), not stdio: a thread blocked in readLine()
        // holds stdin's FILE lock, which any stdio call on another thread then waits for
        // (the display once froze at the first prompt that way).
        if !autoConfirm || interactive {
            let thread = Thread { [weak self] in
                var reader = LineReader(fd: STDIN_FILENO)
                while let line = reader.next() {
                    guard let self else { return }
                    self.lock.lock()
                    self.lines.append(line)
                    self.lock.unlock()
                    // The terminal echoed the line and its newline below the status block.
                    if self.interactive { self.display.typed(line) }
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
            display.event("⏸  Ctrl-C: every heater is OFF. Abort this batch for good? [y = abort · Enter = carry on] (Ctrl-C again stops brewctl; the batch can be resumed)")
            return .interrupt
        case .suspend?:
            display.event("brewctl does not suspend while it controls the rig (an output would stay as it is): Ctrl-C to stop it")
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
            display.event("\(stamp) ▶ \(message)\(autoConfirm ? "" : " — press Enter")")
        case .addition, .alert:
            display.event("\(stamp) 🔔 \(message)")
        case .alarm:
            display.event("\(stamp) ⚠ ALARM \(message)")
        case .confirmation:
            awaiting = false
            promptShownAt = nil
            display.event("\(stamp) ✔ \(message)\(event.actor.map { " (\(Format.printable($0)))" } ?? "")")
        case .stepStarted:
            display.event("\(stamp) \(message)")
        case .stepCompleted:
            break
        case .targetReached, .boilDetected, .alarmCleared, .completed, .aborted:
            display.event("\(stamp) \(message)")
        }
    }

    func update(_ status: RunStatus) {
        display.status(StatusBlock(status: status, promptShownAt: promptShownAt, interactive: interactive), at: status.brewTime.value)
    }

    func finish() {
        display.finish()
        resizeSource.cancel()
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
