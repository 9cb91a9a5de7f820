import ArgumentParser
import BrewCore
import BrewLog
import Foundation

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the club's batch log: list batches, show one, export one.",
        subcommands: [List.self, Show.self, Export.self]
    )

    struct Database: ParsableArguments {
        @Option(help: "The batch database (default: $BREWCTL_DB, $STATE_DIRECTORY/batches.sqlite under systemd, else ~/.local/share/brewctl/batches.sqlite).")
        var db: String?

        /// Opens an existing log for reading only: nothing is created, migrated or written, so it
        /// works on a log this user may only read, and beside a running controller.
        func open() -> BatchLog {
            let path = db ?? BatchLog.defaultPath(environment: ProcessInfo.processInfo.environment)
            guard FileManager.default.fileExists(atPath: path) else {
                fail("no batch log at \(path) yet — brew something first (brewctl run …), or point --db at the log", code: 2)
            }
            do { return try BatchLog.reading(path: path) } catch { fail("\(error)", code: 2) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every batch, oldest first.")
        @OptionGroup var database: Database

        func run() throws {
            let log = database.open()
            let batches: [BatchRecord]
            do { batches = try log.batches() } catch { fail("\(error)", code: 2) }
            if batches.isEmpty { print("No batches yet."); return }
            let rows = batches.map { b in
                [
                    "\(b.id)", Log.date(b.info.startedAt), b.info.recipeName, b.info.brewer,
                    b.brewTime.map { Format.duration(Seconds($0)) } ?? b.finishedAt.map { Format.duration(Seconds($0.timeIntervalSince(b.info.startedAt))) } ?? "—",
                    Log.outcome(b, in: log), b.info.simulated ? "simulated (\(b.info.speed))" : "rig",
                ]
            }
            Log.table(["#", "started", "recipe", "brewer", "took", "outcome", "where"], rows)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one batch: its steps, events and channels.")
        @Argument(help: "The batch number (see `brewctl log list`).")
        var batch: Int64
        @OptionGroup var database: Database

        func run() throws {
            let log = database.open()
            let found: BatchDetail?
            do { found = try log.batch(batch) } catch { fail("\(error)", code: 2) }
            guard let d = found else { fail("there is no batch \(batch) in \(log.path) — see brewctl log list", code: 1) }
            let b = d.batch
            // Everything from the log is escaped field by field: a database written by an older
            // brewctl or another program can hold anything, line breaks included.
            let p = { (text: String) in Format.printable(text) }
            print("Batch \(b.id): \(p(b.info.recipeName))")
            print("  brewer     \(p(b.info.brewer))")
            print("  recipe     \(p(b.info.recipePath))")
            print("  hardware   \(p(b.info.hardwarePath))\(b.info.simulated ? " (simulated, \(p(b.info.speed)))" : "")")
            print("  started    \(Log.date(b.info.startedAt))")
            print("  finished   \(b.finishedAt.map(Log.date) ?? "—")\(b.brewTime.map { " after \(Format.duration(Seconds($0))) of brew time" } ?? "")")
            print("  outcome    \(Log.outcome(b, in: log))\(b.reason.map { ": \(p($0))" } ?? "")")
            print("  samples    \(d.sampleCount) over \(d.channels.count) channels: \(d.channels.map { p($0.name) }.joined(separator: ", "))")
            print("")
            print("Steps")
            Log.table(["#", "step", "kind", "start", "end", "took", "outcome"], d.steps.map { s in
                [
                    "\(s.position + 1)", s.name, s.kind, Format.clock(Seconds(s.startedAt)),
                    s.endedAt.map { Format.clock(Seconds($0)) } ?? "—",
                    s.endedAt.map { Format.duration(Seconds($0 - s.startedAt)) } ?? "—", s.outcome ?? "running",
                ]
            })
            print("")
            print("Events")
            Log.table(["brew time", "wall clock", "kind", "what", "who"], d.events.map { e in
                [Format.clock(Seconds(e.at)), Log.time(e.wall), e.kind.rawValue, e.message, e.actor ?? ""]
            })
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export one batch to standard output.",
            discussion: "csv: one row per sample time, one column per channel, plus the events (opens in a spreadsheet). json: the whole batch.")
        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json }
        @Argument(help: "The batch number (see `brewctl log list`).")
        var batch: Int64
        @Option(help: "csv or json.")
        var format: Format = .csv
        @OptionGroup var database: Database

        func run() throws {
            let log = database.open()
            // Data, written as it is (CSV quotes and JSON escapes what needs it); a reader that
            // went away (`| head`) ends the export without a trap.
            let out = StandardStream.output
            do {
                switch format {
                case .csv:
                    var buffer = ""
                    try log.exportCSV(batch: batch) { line in
                        buffer += line
                        if buffer.utf8.count > 1 << 16 { out.write(buffer, wait: .asLongAsItTakes); buffer = "" }
                    }
                    out.write(buffer, wait: .asLongAsItTakes)
                case .json:
                    out.write(String(decoding: try log.exportJSON(batch: batch), as: UTF8.self) + "\n", wait: .asLongAsItTakes)
                }
            } catch {
                fail("\(error)", code: 1)
            }
        }
    }

    static func date(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: d)
    }

    static func time(_ d: Date) -> String { clockFormatter.string(from: d) }

    nonisolated(unsafe) private static let clockFormatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_GB_POSIX")
        f.dateFormat = "HH:mm:ss"
        return f
    }()

    /// How the batch ended — or, while it has no outcome, whether a controller runs it now or it
    /// is interrupted and waits for `brewctl resume`.
    static func outcome(_ b: BatchRecord, in log: BatchLog) -> String {
        if let outcome = b.outcome { return outcome.rawValue }
        if let runner = BatchLocks.runner(of: b.id, in: log) { return "running (process \(runner.pid))" }
        return ((try? log.state(batch: b.id)) ?? nil) != nil ? "interrupted (brewctl resume continues it)" : "unfinished"
    }

    /// Columns aligned by display width; every cell escaped, so a name holding a line break or a
    /// terminal control sequence stays in its cell.
    static func table(_ header: [String], _ rows: [[String]]) {
        let cells = ([header] + rows).map { $0.map { Format.printable($0) } }
        var widths = [Int](repeating: 0, count: header.count)
        for r in cells { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], DisplayWidth.columns(c)) } }
        for r in cells {
            print(r.enumerated().map { i, c in
                i == r.count - 1 || i >= widths.count ? c : c + String(repeating: " ", count: widths[i] - DisplayWidth.columns(c))
            }.joined(separator: "  "))
        }
    }
}
