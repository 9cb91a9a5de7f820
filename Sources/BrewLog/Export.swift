import Foundation

extension BatchLog {
    /// Wide CSV (RFC 4180): one row per sample time, one column per channel (`name [unit]`),
    /// plus the events logged at that time. Rows for events between samples are included, so
    /// nothing in the log is left out. Streams through `write`, never holding the batch in memory.
    public func exportCSV(batch id: Int64, write: (String) -> Void) throws {
        guard let detail = try batch(id) else { throw BatchLogError("there is no batch \(id)") }
        let columns = Dictionary(uniqueKeysWithValues: detail.channels.enumerated().map { ($1.id, $0) })
        var header = ["brew_time_s", "elapsed"] + detail.channels.map { "\($0.name) [\($0.unit)]" } + ["events"]
        header = header.map(Self.csvField)
        write(header.joined(separator: ",") + "\r\n")

        var events = detail.events[...]
        var rowTime: Double?
        var values = [String](repeating: "", count: detail.channels.count)

        func emit(_ t: Double, _ cells: [String], _ notes: [String]) {
            var line = Self.number(t) + "," + Self.csvField(Self.elapsed(t))
            for c in cells { line += "," + c }
            line += "," + Self.csvField(notes.joined(separator: "; "))
            write(line + "\r\n")
        }
        func notes(upTo t: Double, inclusive: Bool) -> [String] {
            var out: [String] = []
            while let e = events.first, inclusive ? e.at <= t : e.at < t {
                out.append("\(e.kind.rawValue): \(e.message)\(e.actor.map { " (\($0))" } ?? "")")
                events.removeFirst()
            }
            return out
        }
        func flushRow() {
            guard let t = rowTime else { return }
            // Events strictly before this row's time get rows of their own first.
            emitEvents(before: t)
            emit(t, values, notes(upTo: t, inclusive: true))
            values = [String](repeating: "", count: values.count)
        }
        func emitEvents(before t: Double) {
            while let e = events.first, e.at < t {
                let at = e.at
                emit(at, [String](repeating: "", count: values.count), notes(upTo: at, inclusive: true))
            }
        }

        try forEachSample(batch: id) { s in
            if s.at != rowTime {
                flushRow()
                rowTime = s.at
            }
            if let col = columns[s.channel] { values[col] = s.value.map(Self.number) ?? "" }
        }
        flushRow()
        emitEvents(before: .infinity)
    }

    /// The whole batch as one JSON document: batch, channels, steps, events and, per channel,
    /// its samples as `[brew_time_s, value]` pairs (value null when there was none).
    public func exportJSON(batch id: Int64) throws -> Data {
        guard let detail = try batch(id) else { throw BatchLogError("there is no batch \(id)") }
        struct Channel: Encodable {
            var name: String
            var unit: String
            var samples: [[Double?]]
        }
        struct Document: Encodable {
            var batch: BatchRecord
            var steps: [StepRecord]
            var events: [EventRecord]
            var channels: [Channel]
        }
        var byChannel: [Int64: [[Double?]]] = [:]
        try forEachSample(batch: id) { s in byChannel[s.channel, default: []].append([s.at, s.value]) }
        let doc = Document(batch: detail.batch, steps: detail.steps, events: detail.events,
                           channels: detail.channels.map { Channel(name: $0.name, unit: $0.unit, samples: byChannel[$0.id] ?? []) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(doc)
    }

    static func csvField(_ s: String) -> String {
        // By scalar: "\r\n" is one Character in Swift, equal to neither "\r" nor "\n".
        guard s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Shortest faithful decimal, no exponent for ordinary values.
    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(x)
    }

    static func elapsed(_ t: Double) -> String {
        // A time from a damaged or hand-edited row is printed as it is, never converted blindly.
        guard t.isFinite, t < 1e12 else { return t.isNaN ? "" : "\(t)" }
        let total = Int(max(0, t).rounded(.down))
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        return "\(h):\(m < 10 ? "0" : "")\(m):\(s < 10 ? "0" : "")\(s)"
    }
}
