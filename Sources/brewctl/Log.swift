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
            print("Batch \(b.id): \(b.info.recipeName)")
            print("  brewer     \(b.info.brewer)")
            print("  recipe     \(b.info.recipePath)")
            print("  hardware   \(b.info.hardwarePath)\(b.info.simulated ? " (simulated, \(b.info.speed))" : "")")
            print("  started    \(Log.date(b.info.startedAt))")
            print("  finished   \(b.finishedAt.map(Log.date) ?? "—")\(b.brewTime.map { " after \(Format.duration(Seconds($0))) of brew time" } ?? "")")
            print("  outcome    \(Log.outcome(b, in: log))\(b.reason.map { ": \($0)" } ?? "")")
            print("  samples    \(d.sampleCount) over \(d.channels.count) channels: \(d.channels.map(\.name).joined(separator: ", "))")
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
            let out = FileHandle.standardOutput
            do {
                switch format {
                case .csv:
                    var buffer = ""
                    try log.exportCSV(batch: batch) { line in
                        buffer += line
                        if buffer.utf8.count > 1 << 16 { out.write(Data(buffer.utf8)); buffer = "" }
                    }
                    out.write(Data(buffer.utf8))
                case .json:
                    out.write(try log.exportJSON(batch: batch))
                    out.write(Data("\n".utf8))
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

    static func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        print(line(header))
        for r in rows { print(line(r)) }
    }
}
