import GRDB

/// The batch log's schema, one migration at a time, applied so that several processes opening
/// one database at once — a starting `brewctl run`, a `brewctl log` from another terminal, a
/// test's watcher — can never race: the applied migrations are read and the missing ones applied
/// inside one `BEGIN IMMEDIATE` transaction, which SQLite lets only one connection hold. (GRDB's
/// `DatabaseMigrator` reads what is applied outside the transaction, so two first opens could
/// both try to create the tables: "table batch already exists".) Readers never migrate.
/// The applied migrations are recorded in `grdb_migrations`, as GRDB's migrator did, so logs
/// written by earlier versions read and upgrade as before.
enum BatchLogSchema {
    struct Migration {
        var identifier: String
        var sql: String
    }

    static let migrations: [Migration] = [
        Migration(identifier: "v1", sql: """
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
            """),
        // One row per batch that can be resumed: where it was (step, brew time), when (wall
        // clock; the boot and the monotonic clock, to measure the gap without trusting the wall
        // clock) and the whole controller state (the runtime's snapshot, a BLOB). Replaced in
        // the same transaction as every step change and every samples flush; deleted when it ends.
        Migration(identifier: "v2-batch-state", sql: """
            CREATE TABLE batch_state (
                batch_id INTEGER PRIMARY KEY REFERENCES batch(id),
                step_index INTEGER NOT NULL,
                brew_time REAL NOT NULL,
                wall REAL NOT NULL,
                boot_id TEXT,
                uptime REAL,
                state TEXT NOT NULL
            );
            """),
        // Requests from other processes (`brewctl ack`, `brewctl confirm`): the running batch takes
        // them at its next sample. The database is the one channel every brewctl process shares.
        Migration(identifier: "v3-acknowledgements", sql: """
            CREATE TABLE acknowledgement (
                id INTEGER PRIMARY KEY,
                batch_id INTEGER NOT NULL REFERENCES batch(id),
                wall REAL NOT NULL,
                actor TEXT NOT NULL,
                taken INTEGER NOT NULL DEFAULT 0
            );
            """),
        Migration(identifier: "v4-operator-requests", sql: """
            ALTER TABLE acknowledgement ADD COLUMN kind TEXT NOT NULL DEFAULT 'ack';
            """),
        // A request names what it answers and the controller it was made to (docs/logging.md,
        // "Operator requests"); the running controller says what it waits for; a finished batch
        // keeps its brew time beside its wall-clock times.
        Migration(identifier: "v5-requests-answer-what-waits", sql: """
            ALTER TABLE acknowledgement ADD COLUMN answers TEXT;
            ALTER TABLE acknowledgement ADD COLUMN controller TEXT;
            ALTER TABLE acknowledgement ADD COLUMN outcome TEXT;
            CREATE TABLE controller (
                batch_id INTEGER PRIMARY KEY REFERENCES batch(id),
                session TEXT NOT NULL,
                pid INTEGER NOT NULL,
                started_wall REAL NOT NULL,
                waiting_kind TEXT,
                waiting_key TEXT,
                waiting_text TEXT,
                alarms_raised INTEGER NOT NULL DEFAULT 0,
                alarms_pending INTEGER NOT NULL DEFAULT 0,
                latest_alarm TEXT
            );
            ALTER TABLE batch ADD COLUMN brew_time REAL;
            """),
    ]

    /// Brings the database up to date (a writer's open).
    static func migrate(_ queue: DatabaseQueue) throws {
        // Usually there is nothing to do: say so without taking the write lock.
        if try queue.read({ try missing($0) }).isEmpty { return }
        try queue.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                for m in try missing(db) {
                    try db.execute(sql: m.sql)
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [m.identifier])
                }
                return .commit
            }
        }
    }

    /// The migrations this database has not had, in order.
    static func missing(_ db: Database) throws -> [Migration] {
        guard try db.tableExists("grdb_migrations") else { return migrations }
        let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        return migrations.filter { !applied.contains($0.identifier) }
    }

    /// The migrations a database has had, for a reader that must cope with an older schema.
    static func applied(_ db: Database) throws -> Set<String> {
        guard try db.tableExists("grdb_migrations") else { return [] }
        return Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
    }
}
