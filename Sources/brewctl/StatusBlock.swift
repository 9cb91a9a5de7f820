import BrewCore
import BrewRuntime

/// The status lines under the scrolling events: the step and what it waits for, each vessel
/// involved, the alarms still to acknowledge. On a terminal every line fits its width — a line
/// that wrapped would leave a copy behind at every in-place redraw — shortened by what matters
/// least first: the batch's time left, then the words around the numbers, the step name, what the
/// step waits for, and only then the step's time left. The alarm count, a vessel's FAULT and
/// HEATERS HELD OFF are never dropped. Every name in it is escaped (`Format.printable`).
struct StatusBlock {
    var status: RunStatus
    /// When the confirmation the run waits on was asked for (brew time): the block then says
    /// "waiting for you since …" instead of repeating the prompt printed once above it.
    var promptShownAt: Seconds?
    /// Whether someone can answer here (Enter) or only `brewctl confirm` can.
    var interactive: Bool

    /// Every line at its fullest, for a log file or a pipe.
    var fullLines: [String] {
        var lines = [head(held: true).full, vesselsLine(status.vessels.filter(\.involved)).full]
        if let alarms { lines.append(alarms.full) }
        return lines
    }

    /// Lines of at most `columns` display columns each.
    func lines(fitting columns: Int) -> [String] {
        let width = max(1, columns)
        var lines: [String] = []
        if let line = head(held: true).fitted(to: width) {
            lines.append(line)
        } else {
            lines.append(head(held: false).fitted(to: width) ?? DisplayWidth.truncated(head(held: false).full, to: width))
            if status.heatingPaused { lines.append(DisplayWidth.truncated("  HEATERS HELD OFF", to: width)) }
        }
        let involved = status.vessels.filter(\.involved)
        if let line = vesselsLine(involved).fitted(to: width) {
            lines.append(line)
        } else {
            // Too many vessels for one line: one line each.
            for v in involved {
                let line = vesselsLine([v])
                lines.append(line.fitted(to: width) ?? DisplayWidth.truncated(line.full, to: width))
            }
        }
        if let alarms { lines.append(alarms.fitted(to: width) ?? DisplayWidth.truncated(alarms.full, to: width)) }
        return lines
    }

    // MARK: - The lines and how each may be shortened (lower `keep` gives way first)

    private func head(held: Bool) -> FittedLine {
        let s = status
        let clock = Format.clock(s.brewTime)
        var parts: [FittedLine.Part] = [
            .init([.init("[\(clock)] ", keep: 9), .init("", keep: 0)]),
            .init([.init("Step \(s.stepNumber)/\(s.stepCount) ", keep: 3), .init("\(s.stepNumber)/\(s.stepCount) ", keep: 0)]),
            .init([.init(name, keep: 5, cutTo: 12), .init(name, keep: 7, cutTo: 6)], suffix: ": "),
            .init(waiting),
        ]
        if let left = s.stepTimeLeft {
            let t = Format.clock(left)
            parts.append(.init([.init(" · step \(t) left", keep: 2), .init(" · \(t) left", keep: 8), .init("", keep: 0)]))
        }
        if let stuck = s.noProgress {
            // Instead of a time left that keeps failing: how long nothing has come closer.
            let t = Format.minutes(Seconds((max(0, stuck.value) / 60).rounded(.down) * 60))
            parts.append(s.stalled ? .init([.init(" · no progress for \(t) — see alarm", keep: 8), .init(" · NO PROGRESS", keep: 9)])
                                   : .init([.init(" · no progress for \(t)", keep: 2), .init("", keep: 0)]))
        }
        if let total = s.batchTimeLeft {
            let t = Format.duration(total)
            parts.append(.init([.init(" · batch ≈ \(t) left", keep: 0), .init(" · ≈ \(t)", keep: 1), .init("", keep: 0)]))
        }
        if held && s.heatingPaused { parts.append(.fixed(" · HEATERS HELD OFF")) }
        return FittedLine(parts)
    }

    private var name: String { Format.printable(status.stepName) }

    /// What the step waits for; for a confirmation already asked for above, since when.
    private var waiting: [FittedLine.Form] {
        guard status.awaitingConfirmation, let asked = promptShownAt else {
            return [.init(Format.printable(status.waitingFor), keep: 6, cutTo: 12)]
        }
        let since = Format.clock(asked)
        return [.init("waiting for you since \(since) — " + (interactive ? "press Enter" : "brewctl confirm"), keep: 4),
                .init("waiting since \(since) — " + (interactive ? "Enter" : "brewctl confirm"), keep: 6, cutTo: 12)]
    }

    private func vesselsLine(_ vessels: [RunStatus.Vessel]) -> FittedLine {
        var parts: [FittedLine.Part] = [.init([.init("  ", keep: 7), .init("", keep: 0)])]
        if vessels.isEmpty { parts.append(.fixed("all heaters off")) }
        for (i, v) in vessels.enumerated() {
            if i > 0 { parts.append(.init([.init("  │  ", keep: 1), .init(" │ ", keep: 0)])) }
            let temp = v.temperature.map { Format.fixed($0.value, 1) } ?? "--.-"
            let target = v.target.map { "/\(Format.fixed($0.value, 1))" } ?? ""
            let demand = Format.fixed(v.demand.value, 0)
            let lamp = v.heaterOn ? "▮" : "▯"
            parts.append(.init([.init(Format.printable(v.name), keep: 4, cutTo: 3)]))
            parts.append(.init([.init(" \(temp)\(target) °C heat \(demand)%\(lamp)", keep: 2),
                                .init(" \(temp)\(target)° \(demand)%\(lamp)", keep: 0)]))
            if let fault = v.fault {
                let text = Format.printable(fault)
                let hint = fault.contains("until acknowledged") ? " (type ack, Enter)" : ""
                parts.append(.init([.init(" FAULT: \(text)\(hint)", keep: 6), .init(" FAULT: \(text)", keep: 8, cutTo: 12)]))
            }
        }
        return FittedLine(parts)
    }

    /// Alarms stay on screen until someone says they have seen them, even once cleared.
    private var alarms: FittedLine? {
        guard let latest = status.unacknowledgedAlarms.last else { return nil }
        let n = status.unacknowledgedAlarms.count
        return FittedLine([
            .init([.init("  ", keep: 7), .init("", keep: 0)]),
            .fixed("⚠ \(n) alarm\(n == 1 ? "" : "s") to acknowledge"),
            .init([.init(" (type ack, Enter)", keep: 3), .init(" (ack)", keep: 0)]),
            .init([.init(" — latest: \(Format.printable(latest))", keep: 2, cutTo: 14)]),
        ])
    }
}
