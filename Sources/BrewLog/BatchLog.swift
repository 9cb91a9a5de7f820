import Foundation
import GRDB

/// The club's batch log: one SQLite database (through GRDB) holding every batch, its steps,
/// every sample of every channel and every event.
///
/// Durability: WAL journal. With `.full` (the default) every commit is synced to the WAL before
/// it returns, so a power cut loses nothing that was committed; with `.normal` (flat-out
/// simulations) a crash of brewctl still loses nothing, but a power cut may lose the commits
/// since the last checkpoint — never corrupting the file. Events and step changes are committed
/// at once; samples are buffered and committed together by `flush()` (the runner flushes every
/// few seconds of brew time, with the batch's resumable state in the same transaction), so the
/// per-sample cost is an insert, not a transaction.
public final class BatchLog {
    /// SQLite `synchronous` setting for the WAL (see docs/logging.md, "Durability").
    public enum Durability: String, Sendable {
        /// `synchronous = FULL`: each commit is on disk before it returns (real rigs, paced runs).
        case full = "FULL"
        /// `synchronous = NORMAL`: synced only at checkpoints (flat-out simulations, tests).
        case normal = "NORMAL"
    }

    public let path: String
    public let durability: Durability
    private let db: DatabaseQueue
    /// The open transaction while `atomically` runs, so each write joins it.
    private var current: Database?
    private struct PendingSample {
        var batch: Int64
        var sample: Sample
    }
    private var pending: [PendingSample] = []

    /// Opens (creating if needed) the log at `path`, creating its folder too.
    public init(path: String, durability: Durability = .full) throws {
        self.path = path
        self.durability = durability
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
            try db.execute(sql: "PRAGMA synchronous = \(durability.rawValue)")
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
        durability = .normal
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
        m.registerMigration("v2-batch-state") { db in
            // One row per batch that can be resumed: where it was (step, brew time), when (wall
            // clock; the boot and the monotonic clock, to measure the gap without trusting the
            // wall clock) and the whole controller state (JSON at first; now the runtime's binary
            // snapshot, stored as a BLOB). Replaced in the same transaction as every step change
            // and every samples flush; deleted when it ends.
            try db.execute(sql: """
                CREATE TABLE batch_state (
                    batch_id INTEGER PRIMARY KEY REFERENCES batch(id),
                    step_index INTEGER NOT NULL,
                    brew_time REAL NOT NULL,
                    wall REAL NOT NULL,
                    boot_id TEXT,
                    uptime REAL,
                    state TEXT NOT NULL
                );
                """)
        }
        m.registerMigration("v3-acknowledgements") { db in
            // Requests to acknowledge latched alarms, from `brewctl ack` in another process (or a
            // terminal): the running batch takes them at its next sample. The database is the one
            // channel every brewctl process already shares.
            try db.execute(sql: """
                CREATE TABLE acknowledgement (
                    id INTEGER PRIMARY KEY,
                    batch_id INTEGER NOT NULL REFERENCES batch(id),
                    wall REAL NOT NULL,
                    actor TEXT NOT NULL,
                    taken INTEGER NOT NULL DEFAULT 0
                );
                """)
        }
        m.registerMigration("v4-operator-requests") { db in
            // What an operator asks of a running batch from outside its terminal: `ack` (latched
            // alarms) or `confirm` (the manual step it waits for, or heating after a long gap).
            try db.execute(sql: "ALTER TABLE acknowledgement ADD COLUMN kind TEXT NOT NULL DEFAULT 'ack'")
        }
        return m
    }

    /// Asks the running batch to confirm the manual step it waits for (`brewctl confirm`).
    public func requestConfirmation(batch: Int64, by actor: String, wall: Date) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO acknowledgement (batch_id, wall, actor, kind) VALUES (?, ?, ?, 'confirm')",
                           arguments: [batch, wall.timeIntervalSince1970, actor])
        }
        requestsSeenAt = nil   // its own commits do not move data_version
    }

    /// Operator requests for `batch` not yet taken, oldest first, as (kind, actor); marks them taken.
    ///
    /// Called once a sample, so it is cheap when there is nothing to take: SQLite's
    /// `data_version` changes only when another connection commits, and while it stands still
    /// since the last look (and this log asked nothing itself) no query and no transaction is needed.
    public func takeOperatorRequests(batch: Int64) throws -> [(kind: String, actor: String)] {
        let version = try inConnection { db in try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) } ?? -1
        if requestsSeenAt == version { return [] }
        let taken = try write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT kind, actor FROM acknowledgement WHERE batch_id = ? AND taken = 0 ORDER BY id"),
                                        arguments: [batch])
            if !rows.isEmpty {
                try db.execute(sql: "UPDATE acknowledgement SET taken = 1 WHERE batch_id = ? AND taken = 0", arguments: [batch])
            }
            return rows.map { (kind: $0["kind"] as String, actor: $0["actor"] as String) }
        }
        requestsSeenAt = version
        return taken
    }

    /// `data_version` when the operator requests were last taken (nil: look next time).
    private var requestsSeenAt: Int64?

    /// Asks the running batch to acknowledge its latched alarms (`brewctl ack`).
    public func requestAcknowledgement(batch: Int64, by actor: String, wall: Date) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO acknowledgement (batch_id, wall, actor) VALUES (?, ?, ?)",
                           arguments: [batch, wall.timeIntervalSince1970, actor])
        }
        requestsSeenAt = nil   // its own commits do not move data_version
    }

    /// Runs every write `body` makes in one transaction (all or nothing).
    public func atomically<T>(_ body: () throws -> T) throws -> T {
        if current != nil { return try body() }
        return try db.write { db in
            current = db
            defer { current = nil }
            return try body()
        }
    }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        if let current { return try body(current) }
        return try db.write(body)
    }

    /// Runs `body` on the connection without opening a transaction (or in the current one).
    private func inConnection<T>(_ body: (Database) throws -> T) throws -> T {
        if let current { return try body(current) }
        return try db.inDatabase(body)
    }

    // MARK: writing

    public func startBatch(_ info: BatchInfo) throws -> Int64 {
        try write { db in
            try db.execute(sql: """
                INSERT INTO batch (recipe_name, recipe_path, hardware_path, brewer, started_at, simulated, speed)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [info.recipeName, info.recipePath, info.hardwarePath, info.brewer,
                                 info.startedAt.timeIntervalSince1970, info.simulated, info.speed])
            return db.lastInsertedRowID
        }
    }

    public func addChannel(batch: Int64, name: String, unit: String) throws -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO channel (batch_id, name, unit) VALUES (?, ?, ?)", arguments: [batch, name, unit])
            return db.lastInsertedRowID
        }
    }

    /// Buffers one sample; `flush()` writes the buffer. Never throws, so the control loop is
    /// never interrupted by logging; a failing flush is reported by `flush()`.
    public func record(channel: Int64, batch: Int64, at t: Double, value: Double?) {
        pending.append(PendingSample(batch: batch, sample: Sample(channel: channel, at: t, value: value.flatMap { $0.isFinite ? $0 : nil })))
    }

    /// Commits every buffered sample in one transaction, with the batch's resumable state when
    /// one is given (so the state never claims samples the log does not have, or lacks ones it has).
    public func flush(state: BatchState? = nil) throws {
        guard !pending.isEmpty || state != nil else { return }
        let batch = pending
        try write { db in
            if let state { try Self.save(state, in: db) }
            // Many rows per statement: per statement, binding and stepping through GRDB cost more
            // than SQLite's insert itself (a flush is 5 s × 11 channels of a simulated brew day).
            var start = 0
            while start < batch.count {
                let rows = min(Self.samplesPerInsert, batch.count - start)
                var values: [(any DatabaseValueConvertible)?] = []
                values.reserveCapacity(4 * rows)
                for p in batch[start..<start + rows] {
                    values.append(p.batch)
                    values.append(p.sample.at)
                    values.append(p.sample.channel)
                    values.append(p.sample.value)
                }
                try db.cachedStatement(sql: Self.insertSamples[rows]).execute(arguments: StatementArguments(values))
                start += rows
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private static let samplesPerInsert = 64

    /// `INSERT OR REPLACE` of n samples, at index n (built once): a later sample of a channel at
    /// the same brew time supersedes an earlier one, within one statement too (rows go in in order).
    private static let insertSamples: [String] = (0...samplesPerInsert).map { rows in
        "INSERT OR REPLACE INTO sample (batch_id, t, channel_id, value) VALUES "
            + repeatElement("(?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }

    public func stepStarted(batch: Int64, position: Int, kind: String, name: String, at t: Double, wall: Date) throws -> Int64 {
        try write { db in
            try db.execute(sql: """
                INSERT INTO step (batch_id, position, kind, name, started_t, started_wall) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [batch, position, kind, name, t, wall.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    public func stepEnded(step: Int64, at t: Double, wall: Date, outcome: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE step SET ended_t = ?, ended_wall = ?, outcome = ? WHERE id = ? AND ended_t IS NULL",
                           arguments: [t, wall.timeIntervalSince1970, outcome, step])
        }
    }

    public func event(batch: Int64, at t: Double, wall: Date, kind: EventKind, message: String, actor: String?) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO event (batch_id, t, wall, kind, message, actor) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [batch, t, wall.timeIntervalSince1970, kind.rawValue, message, actor])
        }
    }

    /// Flushes the samples and records how the batch ended (it can no longer be resumed).
    public func finishBatch(_ batch: Int64, outcome: BatchOutcome, reason: String?, wall: Date) throws {
        try atomically {
            try flush()
            try write { db in
                try db.execute(sql: "UPDATE batch SET finished_at = ?, outcome = ?, reason = ? WHERE id = ?",
                               arguments: [wall.timeIntervalSince1970, outcome.rawValue, reason, batch])
                try db.execute(sql: "DELETE FROM batch_state WHERE batch_id = ?", arguments: [batch])
            }
        }
    }

    // MARK: resumable state

    /// Replaces the batch's resumable state (in the current transaction, if any).
    public func saveState(_ state: BatchState) throws {
        try write { db in try Self.save(state, in: db) }
    }

    /// The payload is stored as the bytes it is (a BLOB; the column's TEXT affinity leaves blobs
    /// alone); states saved as text by older versions read back the same way (`state(_:)`).
    private static func save(_ s: BatchState, in db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO batch_state (batch_id, step_index, brew_time, wall, boot_id, uptime, state)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [s.batch, s.stepIndex, s.brewTime, s.wall.timeIntervalSince1970, s.bootID, s.uptime, s.payload])
    }

    /// The last persisted state of a batch, if it has one.
    public func state(batch: Int64) throws -> BatchState? {
        try db.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM batch_state WHERE batch_id = ?", arguments: [batch]).map(Self.state)
        }
    }

    private static func state(_ r: Row) -> BatchState {
        BatchState(batch: r["batch_id"], stepIndex: r["step_index"], brewTime: r["brew_time"],
                   wall: Date(timeIntervalSince1970: r["wall"]), bootID: r["boot_id"], uptime: r["uptime"],
                   payload: r["state"] as Data)   // a BLOB, or UTF-8 text as older versions wrote it
    }

    /// Batches that were running when brewctl stopped without ending them (a crash, a kill, a
    /// power cut) and can be resumed: no outcome, a persisted state. Most recent first.
    public func interruptedBatches() throws -> [BatchRecord] {
        try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT batch.* FROM batch JOIN batch_state ON batch_state.batch_id = batch.id
                WHERE batch.outcome IS NULL ORDER BY batch.id DESC
                """).map(Self.batchRecord)
        }
    }

    /// Marks an interrupted batch as abandoned (the brewer started a new one instead).
    public func abandon(_ batch: Int64, reason: String, wall: Date, actor: String?) throws {
        try atomically {
            let t = try write { db in try Double.fetchOne(db, sql: "SELECT brew_time FROM batch_state WHERE batch_id = ?", arguments: [batch]) } ?? 0
            try event(batch: batch, at: t, wall: wall, kind: .abort, message: "Abandoned: \(reason)", actor: actor)
            try write { db in
                try db.execute(sql: "UPDATE step SET ended_t = ?, ended_wall = ?, outcome = 'abandoned' WHERE batch_id = ? AND ended_t IS NULL",
                               arguments: [t, wall.timeIntervalSince1970, batch])
            }
            try finishBatch(batch, outcome: .abandoned, reason: reason, wall: wall)
        }
    }

    /// Drops samples after `brewTime` that a resumed run will record again (none normally: the
    /// state and the samples are committed together).
    public func discardSamples(batch: Int64, after brewTime: Double) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM sample WHERE batch_id = ? AND t > ?", arguments: [batch, brewTime])
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
