import BrewCore
import Foundation

/// What `brewctl off` can still switch off in a hardware file that does not load: every output
/// whose bus, address and active level the file states completely, however broken the rest of it
/// is (an unknown key, a bad sensor, a vessel with a typo, even TOML that does not parse in part),
/// and for every other output named in it, why not. `off` is the emergency path and the service's
/// `ExecStopPost=`, so an error elsewhere in the file must never keep a heater on.
///
/// TOML that does not parse is salvaged a table at a time: the `[table]` section holding the
/// first error is left out (its lines blanked, so every line keeps its number) and the rest parsed
/// again, until it parses; what was left out is reported.
public struct OutputSalvage: Sendable {
    /// An output named in the file that cannot be switched, and why.
    public struct Unswitchable: Sendable, Hashable {
        public var output: String
        public var reason: String
    }

    public var file: String
    /// The rig's name, if it could be read.
    public var name: String?
    /// The backend, if the file states one that can be read; nil when it does not or cannot.
    public var backend: RigSpec.Backend?
    public var buses: [RigSpec.Bus] = []
    /// The outputs that can be switched off: bus, address and active level all known.
    public var outputs: [RigSpec.Output] = []
    public var unswitchable: [Unswitchable] = []
    /// Every problem found in the file (the first TOML error of each section left out, then what
    /// the hardware loader reports on the rest), in file order.
    public var problems: [ConfigError] = []
    /// The file could not be read at all (missing, a folder, no permission).
    public var unreadable = false

    /// A rig of just the outputs that can be switched and their buses, on real buses.
    public var rig: RigSpec {
        RigSpec(name: name ?? file, source: file, backend: .linux, buses: buses, sensors: [], outputs: outputs, vessels: [])
    }

    /// True only when the file says, readably, that the rig is simulated: nothing real to switch.
    /// A file whose backend cannot be read is taken to be a real rig.
    public var isSimulated: Bool { backend == .simulated }

    /// Reads the file at `path` (at most `InputLimits.fileBytes` of it) and salvages its outputs.
    public static func read(path: String) -> OutputSalvage {
        var isDirectory: ObjCBool = false
        func unreadable(_ message: String) -> OutputSalvage {
            var s = OutputSalvage(file: path)
            s.unreadable = true
            s.problems = [ConfigError(file: path, line: 0, column: 0, key: "", message: message, unreadable: true)]
            return s
        }
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return unreadable("no such file") }
        if isDirectory.boolValue { return unreadable("this is a folder, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { return unreadable("cannot read this file (permission denied?)") }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: InputLimits.fileBytes + 1) ?? Data() } catch {
            return unreadable("cannot read this file: \(error.localizedDescription)")
        }
        return salvage(data, file: path)
    }

    /// Salvages the outputs of hardware-file bytes; `file` names it in messages.
    public static func salvage(_ data: Data, file: String) -> OutputSalvage {
        var problems: [ConfigError] = []
        var bytes = [UInt8](data)
        if bytes.count > InputLimits.fileBytes {
            let tooLarge = InputScan.tooLarge(at: InputScan.position(ofByte: InputLimits.fileBytes, in: bytes))
            problems.append(ConfigError(file: file, line: tooLarge.position.line, column: tooLarge.position.column, key: "",
                                        message: tooLarge.message + " (brewctl off reads the lines before it)"))
            // Whole lines only, up to the limit.
            bytes = Array(bytes.prefix(InputLimits.fileBytes))
            if let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) { bytes = Array(bytes.prefix(lastNewline + 1)) } else { bytes = [] }
        }
        var lines = Self.lines(bytes)
        // Lines that are not UTF-8 are left out whole: a replaced character could change a value.
        for n in lines.indices where String(validating: lines[n], as: UTF8.self) == nil {
            problems.append(ConfigError(file: file, line: n + 1, column: 1, key: "",
                                        message: "this line is not UTF-8 text; brewctl off leaves it out (save the file as UTF-8)"))
            lines[n] = []
        }
        let text = lines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        return salvage(text, file: file, problems: problems)
    }

    /// Salvages the outputs of hardware-file text; `file` names it in messages.
    public static func salvage(_ text: String, file: String) -> OutputSalvage {
        salvage(text, file: file, problems: [])
    }

    // MARK: - Sections

    private static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    }

    /// A `[table]` section: its first and last line (0-based), the header line first.
    private struct Section {
        var first: Int
        var last: Int
        var left = false
    }

    /// The text split where a line starts with `[` (the lines before the first header are a
    /// section of their own). A `[` starting a line inside a multi-line list or string splits it
    /// wrongly; both halves then fail to parse and are left out, which is the safe side.
    private static func sections(_ lines: [Substring]) -> [Section] {
        var out: [Section] = [Section(first: 0, last: -1)]
        for (n, line) in lines.enumerated() {
            if line.drop(while: { $0 == " " || $0 == "\t" }).first == "[", n > 0 {
                out.append(Section(first: n, last: n))
            } else {
                out[out.count - 1].last = n
            }
        }
        return out
    }

    /// Parses what is left of the text, leaving out the section holding each error in turn; then
    /// puts back each section left out that parses with the rest (an unclosed string reports its
    /// error at the end of the file, so sections after it were left out only to find it).
    private static func parseLeavingOut(_ text: String, file: String, problems: inout [ConfigError])
        -> (document: ConfigDocument?, text: String, leftOut: [String]) {
        let original = text.split(separator: "\n", omittingEmptySubsequences: false)
        var lines = original
        var sections = Self.sections(lines)
        /// Why each section left out was, by section.
        var why: [Int: ConfigError] = [:]

        func leaveOut(_ k: Int, because error: ConfigError) {
            let s = sections[k]
            sections[k].left = true
            for n in s.first...s.last { lines[n] = "" }
            var e = error
            e.message += s.first == s.last ? " (brewctl off left out line \(s.first + 1))"
                : " (brewctl off left out lines \(s.first + 1)–\(s.last + 1), up to the next [table])"
            why[k] = e
        }
        /// The section to leave out for an error on `line` (1-based): the one holding it, or the
        /// nearest one before it still in (an error can show after its cause).
        func section(for line: Int) -> Int? {
            let n = line - 1
            if let k = sections.lastIndex(where: { $0.first <= n }), !sections[k].left { return k }
            if let k = sections.indices.last(where: { !sections[$0].left && sections[$0].first <= n }) { return k }
            return sections.indices.first { !sections[$0].left }
        }
        func parse(_ lines: [Substring]) -> Result<ConfigDocument, ConfigErrors> {
            do throws(ConfigErrors) { return .success(try ConfigDocument.parse(lines.joined(separator: "\n"), file: file)) } catch {
                return .failure(error)
            }
        }
        func finish(_ document: ConfigDocument?) -> (document: ConfigDocument?, text: String, leftOut: [String]) {
            problems += why.keys.sorted().compactMap { why[$0] }
            let leftOut = why.keys.sorted().map { original[sections[$0].first...sections[$0].last].joined(separator: "\n") }
            return (document, lines.joined(separator: "\n"), leftOut)
        }

        // A bounded number of whole-file attempts; then each remaining section alone, so a file of
        // thousands of broken sections costs one pass, not thousands.
        var attempts = 0
        var triedAlone = false
        var document: ConfigDocument?
        while document == nil {
            let firstError: ConfigError
            switch parse(lines) {
            case .success(let d):
                document = d
                continue
            case .failure(let error):
                guard let first = error.errors.first else { return finish(nil) }
                firstError = first
            }
            attempts += 1
            if attempts > 16 && !triedAlone {
                triedAlone = true
                for k in sections.indices where !sections[k].left {
                    let s = sections[k]
                    if case .failure(let error) = parse(Array(lines[s.first...s.last])), var e = error.errors.first {
                        e.line += s.first
                        leaveOut(k, because: e)
                    }
                }
                continue
            }
            if attempts > 64 { return finish(nil) }
            guard let k = section(for: firstError.line) else { return finish(nil) }
            leaveOut(k, because: firstError)
        }
        // Put back what parses with the rest, a few sections at most.
        for k in why.keys.sorted().prefix(16) {
            var trial = lines
            let s = sections[k]
            for n in s.first...s.last { trial[n] = original[n] }
            if case .success(let d) = parse(trial) {
                lines = trial
                document = d
                sections[k].left = false
                why[k] = nil
            }
        }
        return finish(document)
    }

    // MARK: - Outputs

    /// `pump` for a section starting `[outputs.pump]` (bare ids only; others are named by the
    /// problem reported for them).
    static func outputHeader(_ section: String) -> String? {
        guard let header = section.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first else { return nil }
        var rest = header.drop { $0 == " " || $0 == "\t" }
        guard rest.first == "[" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard rest.hasPrefix("outputs") else { return nil }
        rest = rest.dropFirst("outputs".count).drop { $0 == " " || $0 == "\t" }
        guard rest.first == "." else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        let id = rest.prefix { $0.unicodeScalars.allSatisfy(ConfigPath.isBareKeyScalar) }
        return id.isEmpty ? nil : String(id)
    }

    private static func salvage(_ text: String, file: String, problems initial: [ConfigError]) -> OutputSalvage {
        var salvage = OutputSalvage(file: file)
        var problems = initial
        let (parsed, text, leftOut) = parseLeavingOut(text, file: file, problems: &problems)
        guard let document = parsed else {
            salvage.problems = problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
            salvage.unswitchable = [Unswitchable(output: "(every output)", reason: "no part of the file could be read as TOML")]
            return salvage
        }
        // The whole loader on what is left, for the problems it reports.
        do throws(ConfigErrors) { _ = try HardwareLoader.parse(text, file: file) } catch { problems += error.errors }
        salvage.problems = problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }

        // The loader's own readers, for buses and outputs only.
        let diagnostics = Diagnostics(file: file, locator: document.locator)
        let root = TableReader(path: .root, table: document.root, diagnostics: diagnostics, what: "the hardware file")
        salvage.name = root.contains("name") ? root.string("name") : nil
        if root.contains("backend") {
            salvage.backend = root.choice("backend", what: "backend", options: HardwareLoader.backends) { RigSpec.Backend(rawValue: $0.lowercased()) }
        } else if problems.isEmpty {
            salvage.backend = .simulated  // the documented default, in a file with nothing wrong
        }
        let slots = HardwareLoader.Slots()
        let buses = HardwareLoader.readBuses(root, slots: slots)
        let outputs = HardwareLoader.readOutputs(root, buses: buses, slots: slots, simulated: false)
        salvage.buses = buses.valid

        let outputsPath = ConfigPath.root.appending("outputs")
        func problem(in id: String) -> ConfigError? {
            let path = outputsPath.appending(id).description
            return diagnostics.sortedErrors.first { $0.key == path || $0.key.hasPrefix(path + ".") }
        }
        for output in outputs.valid {
            if case .gpio = output.connection {
                // The off level of a GPIO line is its active level's opposite: never guessed.
                if let e = problem(in: output.id) {
                    salvage.unswitchable.append(Unswitchable(output: output.id,
                        reason: "its table has an error, so its active level (active_low) cannot be trusted: \(e)"))
                    continue
                }
                // A part left out could be where its active level is set.
                if leftOut.contains(where: { $0.contains("active_low") && $0.contains(output.id) }) {
                    salvage.unswitchable.append(Unswitchable(output: output.id,
                        reason: "part of the file that names it could not be read, so its active level (active_low) cannot be trusted"))
                    continue
                }
            }
            salvage.outputs.append(output)
        }
        for id in outputs.ids where !outputs.valid.contains(where: { $0.id == id }) {
            let reason: String
            if let e = problem(in: id) {
                reason = "\(e)"
            } else if case .table(let all)? = document.root["outputs"], case .table(let t)? = all[id], case .string(let bus)? = t["bus"] {
                reason = "its bus `\(bus)` has errors"
            } else {
                reason = "it is not fully described"
            }
            salvage.unswitchable.append(Unswitchable(output: id, reason: reason))
        }
        // Outputs whose own [outputs.ID] section was left out.
        for id in leftOut.compactMap(Self.outputHeader) where !salvage.unswitchable.contains(where: { $0.output == id }) {
            salvage.unswitchable.append(Unswitchable(output: id, reason: "its [outputs.\(id)] table could not be read"))
        }
        // Entries of [outputs] that are not tables, or an [outputs] that is not a table.
        if let value = document.root["outputs"] {
            if case .table(let t) = value {
                for key in t.keys.sorted() where !outputs.ids.contains(key) {
                    salvage.unswitchable.append(Unswitchable(output: key, reason: "it is \(t[key]?.typeDescription ?? "not a table"), not an output table"))
                }
            } else {
                salvage.unswitchable.append(Unswitchable(output: "(every output)", reason: "`outputs` is \(value.typeDescription), not a table of outputs"))
            }
        } else if !leftOut.isEmpty {
            salvage.unswitchable.append(Unswitchable(output: "(every output)", reason: "no [outputs] could be read"))
        }
        return salvage
    }
}
