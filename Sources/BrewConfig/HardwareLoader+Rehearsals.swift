import BrewCore

/// `[[simulation.faults]]`: faults a simulated rig stages at brew times (docs/hardware.md).
extension HardwareLoader {
    static let simulationTableKeys = ["faults"]
    static let targetKeys = ["vessel", "sensor", "output", "bus"]
    static let faultBaseKeys = ["at", "fault", "for"] + targetKeys
    static let faultKeys = faultBaseKeys + ["value", "count", "by", "every"]
    static let faultKinds = RehearsedFault.Kind.allCases.map(\.rawValue)
    static let faultExample = "[[simulation.faults]] tables like at = \"1 h 20 min\", vessel = \"hlt\", fault = \"dead_element\""

    /// A fault as read, with the table it came from, so rig-level problems are placed at its keys.
    struct ReadFault {
        var fault: RehearsedFault
        var reader: TableReader
    }

    /// Reads `[simulation]`; nil when something in it is wrong (reported). Only a simulated rig
    /// may have one: a real rig is never handed a fault on purpose.
    static func readRehearsals(_ root: TableReader, simulated: Bool) -> [ReadFault]? {
        guard root.contains("simulation") else { return [] }
        guard simulated else {
            root.report("simulation", .key, "a [simulation] table stages faults on the simulated brewery; this rig has backend = \"linux\"",
                        expected: "no [simulation] table in a real rig's file (rehearse on a copy with backend = \"simulated\")")
            return nil
        }
        guard let s = root.table("simulation", what: "the [simulation] table", expected: "a [simulation] table with [[simulation.faults]]") else { return nil }
        s.checkKeys(known: simulationTableKeys)
        guard s.contains("faults") else { return [] }
        guard let items = s.array("faults", expected: faultExample) else { return nil }
        var ok = true
        var out: [ReadFault] = []
        for (index, item) in items.enumerated() {
            let path = s.path.appending("faults").appending(index: index)
            guard case .table(let table) = item else {
                root.diagnostics.report(path, .value, "found \(item.typeDescription)", expected: "a fault: a [[simulation.faults]] table")
                ok = false
                continue
            }
            let r = TableReader(path: path, table: table, diagnostics: root.diagnostics, what: "a staged fault")
            if let f = readFault(r) { out.append(ReadFault(fault: f, reader: r)) } else { ok = false }
        }
        return ok ? out : nil
    }

    static func readFault(_ r: TableReader) -> RehearsedFault? {
        var ok = true
        let at = r.quantity("at", .duration, required: true, bounds: .nonNegative(max: 30 * 86_400, Show.duration),
                            context: "a brew time from the batch's start")
        let kind = r.choice("fault", required: true, what: "fault", options: faultKinds) { RehearsedFault.Kind(rawValue: $0.lowercased()) }
        let written = targetKeys.filter(r.contains)
        var target: RehearsedFault.Target?
        if written.count > 1 {
            r.report(written[1], .key, "a fault is staged on one thing: \(written.map { "`\($0)`" }.joined(separator: " and ")) are both given",
                     expected: "one of `vessel`, `sensor`, `output` or `bus`")
            ok = false
        } else if let key = written.first {
            if let id = r.string(key, expected: "the id of a \(key) of this rig, in quotes") {
                switch key {
                case "vessel": target = .vessel(id)
                case "sensor": target = .sensor(id)
                case "output": target = .output(id)
                default: target = .bus(id)
                }
            } else {
                ok = false
            }
        } else {
            r.diagnostics.report(r.path.appending("vessel"), at: r.diagnostics.locator.valuePosition(r.path),
                                 "a staged fault needs what it happens to", expected: "vessel = \"hlt\", sensor = \"…\", output = \"…\" or bus = \"…\"")
            ok = false
        }
        var lasting: Double?
        if r.contains("for") {
            lasting = r.quantity("for", .duration, bounds: .positive(max: 30 * 86_400, Show.duration), context: "how long the fault lasts")
            if lasting == nil { ok = false }
        }
        var count: Int?
        if r.contains("count") {
            count = r.integer("count", range: 1...10_000, expected: "how many requests fail, a whole number")
            if count == nil { ok = false }
        }
        var value: Double?
        if r.contains("value") {
            value = r.quantity("value", .temperature, bounds: .between(-40, 200, Show.celsius), context: "a stuck probe")
            if value == nil { ok = false }
        }
        var spike = 12.0, every = 60.0
        if r.contains("by") {
            if let v = r.quantity("by", .temperatureDifference, bounds: .positive(max: 100, Show.kelvin), context: "a spike") { spike = v } else { ok = false }
        }
        if r.contains("every") {
            if let v = r.quantity("every", .duration, bounds: .between(2, 3600, Show.duration), context: "how often a spike comes") { every = v } else { ok = false }
        }
        if let kind {
            r.checkKeys(known: faultKeys, applicable: faultBaseKeys + RehearsedFault.parameters(of: kind))
        } else {
            r.checkKeys(known: faultKeys)
        }
        guard ok, let at, let kind, let target else { return nil }
        let line = r.diagnostics.locator.valuePosition(r.path).line
        let fault = RehearsedFault(kind: kind, target: target, at: Seconds(at), lasting: lasting.map(Seconds.init), count: count,
                                   value: value.map(Celsius.init), spike: Kelvin(spike), every: Seconds(every),
                                   origin: "\(r.diagnostics.file):\(max(1, line))")
        if let p = fault.parameterProblem() {
            r.report(p.key == "fault" ? "fault" : p.key, p.key == "fault" ? .value : .key, p.message, expected: p.expected)
            return nil
        }
        return fault
    }

    /// Checks each fault against the rig it is staged on; the valid ones, or nil (reported).
    static func checkRehearsals(_ faults: [ReadFault], on rig: RigSpec) -> [RehearsedFault]? {
        var ok = true
        for f in faults {
            do { _ = try rig.effects(of: f.fault) } catch {
                f.reader.report(f.reader.contains(error.key) ? error.key : f.fault.target.key, .value, error.message, expected: error.expected)
                ok = false
            }
        }
        return ok ? faults.map(\.fault) : nil
    }
}

/// `--fault` on the command line: the same faults as `[[simulation.faults]]`, written
/// `[vessel:|sensor:|output:|bus:]NAME:FAULT@TIME[,KEY=VALUE…]`.
public struct FaultOption: Hashable, Sendable {
    public static let form = "[vessel:|sensor:|output:|bus:]NAME:FAULT@TIME[,for=DURATION][,count=N][,value=TEMP][,by=K][,every=DURATION]"
    public static let example = "--fault 'hlt:dead_element@1h20min' or --fault 'bus:i2c:i2c_nack@40min,for=30s'"

    /// The text as typed: it names the fault in the log, and a resume stages it again from there.
    public let text: String
    /// `vessel`, `sensor`, … when written in front of the name.
    public let targetKey: String?
    public let name: String
    /// The fault, its target still to be resolved against the rig (`resolve(on:)`).
    let parsed: RehearsedFault

    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Parses the syntax; nothing here needs the rig.
    public init(_ text: String) throws(Problem) {
        func bad(_ why: String) -> Problem {
            Problem(description: "--fault '\(text)': \(why); write \(FaultOption.form), e.g. \(FaultOption.example)")
        }
        self.text = text
        var parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let head = parts.removeFirst()
        guard let atSign = head.lastIndex(of: "@") else { throw bad("no @TIME (the brew time it happens at)") }
        let what = head[..<atSign].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let time = String(head[head.index(after: atSign)...])
        guard what.count == 2 || what.count == 3, what.allSatisfy({ !$0.isEmpty }) else { throw bad("expected NAME:FAULT before @") }
        if what.count == 3 {
            guard HardwareLoader.targetKeys.contains(what[0]) else { throw bad("`\(what[0])` is not vessel, sensor, output or bus") }
            targetKey = what[0]
        } else {
            targetKey = nil
        }
        name = what[what.count - 2]
        let faultName = what[what.count - 1].lowercased()
        guard let kind = RehearsedFault.Kind(rawValue: faultName) else {
            let near = Suggest.closest(to: faultName, in: HardwareLoader.faultKinds).map { " (did you mean \($0)?)" } ?? ""
            throw bad("unknown fault `\(faultName)`\(near); faults: \(HardwareLoader.faultKinds.joined(separator: ", "))")
        }
        func quantity(_ s: String, _ kind: QuantityKind, _ bounds: Bounds, _ what: String) throws(Problem) -> Double {
            let v: Double
            do { v = try QuantityParser.parse(s, as: kind) } catch { throw bad("\(what): " + error.message(for: s, kind: kind).message) }
            if let violation = bounds.violation(v) { throw bad("\(what) \"\(s)\" is too \(violation.low ? "low" : "high"): \(kind.noun) \(violation.allowed)") }
            return v
        }
        let at = try quantity(time, .duration, .nonNegative(max: 30 * 86_400, Show.duration), "the time after @")
        var fault = RehearsedFault(kind: kind, target: .vessel(name), at: Seconds(at), origin: "--fault \(text)")
        let allowed = ["for"] + RehearsedFault.parameters(of: kind)
        var seen: Set<String> = []
        for p in parts {
            let kv = p.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, !kv[1].isEmpty else { throw bad("`\(p)` is not KEY=VALUE") }
            let key = kv[0].lowercased(), value = kv[1]
            guard allowed.contains(key) else { throw bad("\(kind.rawValue) takes \(allowed.map { "\($0)=" }.joined(separator: ", ")), not `\(key)`") }
            guard seen.insert(key).inserted else { throw bad("`\(key)` is given twice") }
            switch key {
            case "for": fault.lasting = Seconds(try quantity(value, .duration, .positive(max: 30 * 86_400, Show.duration), "for="))
            case "count":
                guard let n = Int(value), (1...10_000).contains(n) else { throw bad("count=\(value) is not a whole number from 1 to 10000") }
                fault.count = n
            case "value": fault.value = Celsius(try quantity(value, .temperature, .between(-40, 200, Show.celsius), "value="))
            case "by": fault.spike = Kelvin(try quantity(value, .temperatureDifference, .positive(max: 100, Show.kelvin), "by="))
            default: fault.every = Seconds(try quantity(value, .duration, .between(2, 3600, Show.duration), "every="))
            }
        }
        if let p = fault.parameterProblem() { throw bad(p.message + (p.expected.map { " (\($0.replacingOccurrences(of: " = ", with: "=")))" } ?? "")) }
        parsed = fault
    }

    /// The fault on `rig`: its name found among the rig's vessels, sensors, outputs and buses,
    /// and checked like a `[[simulation.faults]]` entry.
    public func resolve(on rig: RigSpec) throws(Problem) -> RehearsedFault {
        func bad(_ why: String) -> Problem { Problem(description: "--fault '\(text)': \(why)") }
        var candidates = rig.targets(named: name)
        if let targetKey { candidates = candidates.filter { $0.key == targetKey } }
        guard !candidates.isEmpty else {
            let ids = rig.vessels.map(\.id) + rig.sensors.map(\.id) + rig.outputs.map(\.id) + rig.buses.map(\.id)
            let near = Suggest.closest(to: name, in: ids).map { " — did you mean `\($0)`?" } ?? ""
            throw bad("the rig \(rig.name) has no \(targetKey ?? "vessel, sensor, output or bus") `\(name)`\(near) (vessels: \(rig.vessels.map(\.id).joined(separator: ", ")))")
        }
        guard candidates.count == 1 else {
            throw bad("`\(name)` is a \(candidates.map(\.key).joined(separator: " and a ")) of the rig: write \(candidates.map { "\($0.key):\(name)" }.joined(separator: " or ")) in front")
        }
        var fault = parsed
        fault.target = candidates[0]
        do { _ = try rig.effects(of: fault) } catch { throw bad(error.description) }
        return fault
    }
}
