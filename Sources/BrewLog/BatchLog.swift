import Foundation
import GRDB

/// The club's batch log: one SQLite database (through GRDB) holding every batch, its steps,
/// every sample of every channel and every event.
///
/// Durability: WAL journal with `synchronous = NORMAL` — a commit is atomic and survives a
/// crash of brewctl; a power cut can lose at most the last commits since the WAL was synced,
/// never corrupt the file. Events and step changes are committed at once; samples are buffered
/// and committed together by `flush()` (the runner flushes every few seconds of brew time), so
/// the per-sample cost is an insert, not a transaction.
public final class BatchLog {
    public let path: String
    private let db: DatabaseQueue
    private struct PendingSample {
        var batch: Int64
        var sample: Sample
    }
    private var pending: [PendingSample] = []

    /// Opens (creating if needed) the log at `path`, creating its folder too.
    public init(path: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw BatchLogError("cannot create the batch log folder \(folder): \(error.localizedDescription) (use --db PATH to log elsewhere)")
            }
        }
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            db = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw BatchLogError("cannot open the batch log \(path): \(error) (use --db PATH to log elsewhere)")
        }
        try Self.migrator.migrate(db)
    }

    private init(queue: DatabaseQueue) throws {
        path = ":memory:"
        db = queue
        try Self.migrator.migrate(db)
    }

    /// A log that lives only in memory (tests).
    public static func inMemory() throws -> BatchLog { try BatchLog(queue: DatabaseQueue()) }

    /// Where the log lives when `--db` is not given: `$BREWCTL_DB`; under systemd the service's
    /// state directory (`StateDirectory=brewctl` → `/var/lib/brewctl`); otherwise the XDG data
    /// home of the user (`~/.local/share/brewctl`).
    public static func defaultPath(environment env: [String: String]) -> String {
        func nonEmpty(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
        if let explicit = nonEmpty("BREWCTL_DB") { return explicit }
        if let state = nonEmpty("STATE_DIRECTORY") {
            // systemd may pass several, colon-separated; the first is ours.
            let first = state.split(separator: ":").first.map(String.init) ?? state
            return first + "/batches.sqlite"
        }
        if let data = nonEmpty("XDG_DATA_HOME") { return data + "/brewctl/batches.sqlite" }
        let home = nonEmpty("HOME") ?? "/var/lib/brewctl"
        return home + "/.local/share/brewctl/batches.sqlite"
    }

    private static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE batch (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recipe_name TEXT NOT NULL,
                    recipe_path TEXT NOT NULL,
                    hardware_path TEXT NOT NULL,
                    brewer TEXT NOT NULL,
                    started_at REAL NOT NULL,
                    finished_at REAL,
                    outcome TEXT,
                    reason TEXT,
                    simulated INTEGER NOT NULL,
                    speed TEXT NOT NULL
                );
                CREATE TABLE channel (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    batch_id INTEGER NOT NULL REFERENCES batch(id),
                    name TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    UNIQUE (batch_id, name)
                );
                -- Keyed by time first: samples arrive in time order, so each commit appends to
                -- the end of one B-tree instead of touching a page per channel (a tenth of the
                -- WAL traffic), and exports read in the order they write.
                CREATE TABLE sample (
                    batch_id INTEGER NOT NULL REFERENCES batch(id),
                    t REAL NOT NULL,
                    channel_id INTEGER NOT NULL REFERENCES channel(id),
                    value REAL,
                    PRIMARY KEY (batch_id, t, channel_id)
                ) WITHOUT ROWID;
                CREATE TABLE step (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    batch_id INTEGER NOT NULL REFERENCES batch(id),
                    position INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    started_t REAL NOT NULL,
                    started_wall REAL NOT NULL,
                    ended_t REAL,
                    ended_wall REAL,
                    outcome TEXT
                );
                CREATE INDEX step_batch ON step(batch_id, id);
                CREATE TABLE event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    batch_id INTEGER NOT NULL REFERENCES batch(id),
                    t REAL NOT NULL,
                    wall REAL NOT NULL,
                    kind TEXT NOT NULL,
                    message TEXT NOT NULL,
                    actor TEXT
                );
                CREATE INDEX event_batch ON event(batch_id, t);
                """)
        }
        return m
    }

    // MARK: writing

    public func startBatch(_ info: BatchInfo) throws -> Int64 {
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO batch (recipe_name, recipe_path, hardware_path, brewer, started_at, simulated, speed)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [info.recipeName, info.recipePath, info.hardwarePath, info.brewer,
                                 info.startedAt.timeIntervalSince1970, info.simulated, info.speed])
            return db.lastInsertedRowID
        }
    }

    public func addChannel(batch: Int64, name: String, unit: String) throws -> Int64 {
        try db.write { db in
            try db.execute(sql: "INSERT INTO channel (batch_id, name, unit) VALUES (?, ?, ?)", arguments: [batch, name, unit])
            return db.lastInsertedRowID
        }
    }

    /// Buffers one sample; `flush()` writes the buffer. Never throws, so the control loop is
    /// never interrupted by logging; a failing flush is reported by `flush()`.
    public func record(channel: Int64, batch: Int64, at t: Double, value: Double?) {
        pending.append(PendingSample(batch: batch, sample: Sample(channel: channel, at: t, value: value.flatMap { $0.isFinite ? $0 : nil })))
    }

    /// Commits every buffered sample in one transaction.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        let batch = pending
        try db.write { db in
            // OR REPLACE: a second sample of a channel at the same brew time supersedes the first.
            let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO sample (batch_id, t, channel_id, value) VALUES (?, ?, ?, ?)")
            for p in batch {
                try insert.execute(arguments: [p.batch, p.sample.at, p.sample.channel, p.sample.value])
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    public func stepStarted(batch: Int64, position: Int, kind: String, name: String, at t: Double, wall: Date) throws -> Int64 {
        try db.write { db in
            try db.execute(sql: """
                INSERT INTO step (batch_id, position, kind, name, started_t, started_wall) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [batch, position, kind, name, t, wall.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    public func stepEnded(step: Int64, at t: Double, wall: Date, outcome: String) throws {
        try db.write { db in
            try db.execute(sql: "UPDATE step SET ended_t = ?, ended_wall = ?, outcome = ? WHERE id = ? AND ended_t IS NULL",
                           arguments: [t, wall.timeIntervalSince1970, outcome, step])
        }
    }

    public func event(batch: Int64, at t: Double, wall: Date, kind: EventKind, message: String, actor: String?) throws {
        try db.write { db in
            try db.execute(sql: "INSERT INTO event (batch_id, t, wall, kind, message, actor) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [batch, t, wall.timeIntervalSince1970, kind.rawValue, message, actor])
        }
    }

    /// Flushes the samples and records how the batch ended.
    public func finishBatch(_ batch: Int64, outcome: BatchOutcome, reason: String?, wall: Date) throws {
        try flush()
        try db.write { db in
            try db.execute(sql: "UPDATE batch SET finished_at = ?, outcome = ?, reason = ? WHERE id = ?",
                           arguments: [wall.timeIntervalSince1970, outcome.rawValue, reason, batch])
        }
    }

    // MARK: reading

    private static func batchRecord(_ row: Row) -> BatchRecord {
        BatchRecord(
            id: row["id"],
            info: BatchInfo(recipeName: row["recipe_name"], recipePath: row["recipe_path"], hardwarePath: row["hardware_path"],
                            brewer: row["brewer"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
                            simulated: row["simulated"], speed: row["speed"]),
            finishedAt: (row["finished_at"] as Double?).map { Date(timeIntervalSince1970: $0) },
            outcome: (row["outcome"] as String?).flatMap(BatchOutcome.init(rawValue:)),
            reason: row["reason"])
    }

    /// Every batch, oldest first.
    public func batches() throws -> [BatchRecord] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM batch ORDER BY id").map(Self.batchRecord)
        }
    }

    /// One batch with its channels, steps and events; nil if there is no such batch.
    public func batch(_ id: Int64) throws -> BatchDetail? {
        try flush()
        return try db.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id]) else { return nil }
            let channels = try Row.fetchAll(db, sql: "SELECT id, name, unit FROM channel WHERE batch_id = ? ORDER BY id", arguments: [id])
                .map { ChannelRecord(id: $0["id"], name: $0["name"], unit: $0["unit"]) }
            let steps = try Row.fetchAll(db, sql: "SELECT * FROM step WHERE batch_id = ? ORDER BY id", arguments: [id]).map { r in
                StepRecord(id: r["id"], position: r["position"], kind: r["kind"], name: r["name"],
                           startedAt: r["started_t"], startedWall: Date(timeIntervalSince1970: r["started_wall"]),
                           endedAt: r["ended_t"], endedWall: (r["ended_wall"] as Double?).map { Date(timeIntervalSince1970: $0) },
                           outcome: r["outcome"])
            }
            let events = try Row.fetchAll(db, sql: "SELECT * FROM event WHERE batch_id = ? ORDER BY id", arguments: [id]).map { r in
                EventRecord(id: r["id"], at: r["t"], wall: Date(timeIntervalSince1970: r["wall"]),
                            kind: EventKind(rawValue: r["kind"]) ?? .info, message: r["message"], actor: r["actor"])
            }
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sample WHERE batch_id = ?", arguments: [id]) ?? 0
            return BatchDetail(batch: Self.batchRecord(row), channels: channels, steps: steps, events: events, sampleCount: count)
        }
    }

    public func sampleCount(batch id: Int64) throws -> Int { try batch(id)?.sampleCount ?? 0 }

    /// Samples of one channel in time order.
    public func samples(channel: Int64) throws -> [Sample] {
        try flush()
        return try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT t, value FROM sample WHERE batch_id = (SELECT batch_id FROM channel WHERE id = ?1) AND channel_id = ?1 ORDER BY t
                """, arguments: [channel]).map {
                Sample(channel: channel, at: $0["t"], value: $0["value"])
            }
        }
    }

    /// Walks every sample of a batch in time order (then channel order), without loading them all.
    public func forEachSample(batch: Int64, _ body: (Sample) throws -> Void) throws {
        try flush()
        try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT channel_id, t, value FROM sample WHERE batch_id = ? ORDER BY t, channel_id
                """, arguments: [batch])
            while let row = try cursor.next() {
                try body(Sample(channel: row[0], at: row[1], value: row[2]))
            }
        }
    }
}
