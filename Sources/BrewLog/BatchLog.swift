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
///
/// Opened for writing (`init(path:durability:)`: creates and migrates) or for reading
/// (`reading(path:)`: read-only, never migrates, never writes — works on a log the user may
/// only read).
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
    /// False for a log opened with `reading(path:)`.
    public let isWritable: Bool
    let db: DatabaseQueue
    /// The open transaction while `atomically` runs, so each write joins it.
    var current: Database?
    struct PendingSample {
        var batch: Int64
        var sample: Sample
    }
    var pending: [PendingSample] = []
    /// `data_version` when the operator requests were last taken (nil: look next time).
    var requestsSeenAt: Int64?
    /// The file as it was opened (device and inode), to notice it deleted or replaced under us.
    private let identity: FileIdentity?
    /// Migrations the file has had (a reader copes with an older schema).
    let schema: Set<String>

    /// Opens (creating if needed) the log at `path` for writing, creating its folder too.
    public init(path: String, durability: Durability = .full) throws {
        self.path = path
        self.durability = durability
        isWritable = true
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
        config.busyMode = .timeout(10)
        do {
            let opened = try Self.retryingWhileBusy {
                let db = try DatabaseQueue(path: path, configuration: config)
                // After GRDB's WAL set-up, which sets synchronous = NORMAL itself: ours must be last.
                try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = \(durability.rawValue)") }
                try BatchLogSchema.migrate(db)
                return (db, try db.read { try BatchLogSchema.applied($0) })
            }
            db = opened.0
            schema = opened.1
        } catch let error as BatchLogError {
            throw error
        } catch {
            throw BatchLogError("cannot open the batch log \(path): \(Self.explain(error)) (use --db PATH to log elsewhere)")
        }
        identity = FileIdentity(path: path)
    }

    /// Runs `open` again while another process holds the new file's locks. Switching a new file
    /// to WAL, and a first migration, can answer "database is locked" at once instead of waiting
    /// for the busy timeout (SQLite will not wait where waiting could deadlock), when several
    /// processes open one new log together; a short, staggered retry lets the first one finish.
    static func retryingWhileBusy<T>(for seconds: Double = 10, _ open: () throws -> T) throws -> T {
        var waited = 0.0
        var attempt = 0
        while true {
            do { return try open() } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && waited < seconds {
                attempt += 1
                // Staggered by process, so openers that collided do not collide again in step.
                let pause = 0.01 * Double(min(attempt, 10)) + 0.001 * Double(getpid() % 17)
                usleep(UInt32(pause * 1_000_000))
                waited += pause
            }
        }
    }

    private init(readOnly path: String) throws {
        self.path = path
        durability = .normal
        isWritable = false
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        do {
            db = try DatabaseQueue(path: path, configuration: config)
            schema = try db.read { db in
                guard try db.tableExists("batch") else {
                    throw BatchLogError("\(path) is not a brewctl batch log (it has no batch table)")
                }
                return try BatchLogSchema.applied(db)
            }
        } catch let error as BatchLogError {
            throw error
        } catch {
            throw BatchLogError("cannot read the batch log \(path): \(Self.explain(error))")
        }
        identity = FileIdentity(path: path)
    }

    private init(queue: DatabaseQueue) throws {
        path = ":memory:"
        durability = .normal
        isWritable = true
        db = queue
        try BatchLogSchema.migrate(db)
        schema = try db.read { try BatchLogSchema.applied($0) }
        identity = nil
    }

    /// Opens an existing log for reading only: nothing is created, migrated or written, so it
    /// works on a log the user may only read, and while a controller writes to it.
    public static func reading(path: String) throws -> BatchLog {
        guard FileManager.default.fileExists(atPath: path) else { throw BatchLogError("there is no batch log at \(path)") }
        return try BatchLog(readOnly: path)
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

    /// The lock file that a controller running batch `id` holds (docs/safety.md, "One controller
    /// per batch"): beside the database, so every process using this log finds the same one.
    public func lockPath(batch id: Int64) -> String { Self.lockPath(database: path, batch: id) }
    public static func lockPath(database: String, batch id: Int64) -> String { "\(database)-batch-\(id).lock" }

    // MARK: Transactions

    /// Runs every write `body` makes in one transaction (all or nothing).
    public func atomically<T>(_ body: () throws -> T) throws -> T {
        if current != nil { return try body() }
        return try storage {
            try db.write { db in
                current = db
                defer { current = nil }
                return try body()
            }
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        if let current { return try body(current) }
        guard isWritable else { throw BatchLogError("the batch log \(path) is open for reading only") }
        return try storage { try db.write(body) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let current { return try body(current) }
        return try storage { try db.read(body) }
    }

    /// Runs `body` on the connection without opening a transaction (or in the current one).
    func inConnection<T>(_ body: (Database) throws -> T) throws -> T {
        if let current { return try body(current) }
        return try storage { try db.inDatabase(body) }
    }

    /// Turns SQLite's storage failures into `StorageFault`s the runner can act on.
    private func storage<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as DatabaseError {
            if let fault = StorageFault(error, path: path) { throw fault }
            throw error
        }
    }

    static func explain(_ error: Error) -> String {
        if let e = error as? DatabaseError { return StorageFault(e, path: "")?.reason ?? e.message ?? "\(e)" }
        return "\(error)"
    }

    // MARK: The file itself

    /// Whether the file at `path` is still the one this log opened: nil if so, else what
    /// happened to it (deleted, replaced) — everything written from now on would be lost.
    public func fileProblem() -> StorageFault? {
        guard let identity else { return nil }
        switch FileIdentity(path: path) {
        case nil: return StorageFault(kind: .deleted, path: path, reason: "the batch log \(path) was deleted while brewctl was writing to it")
        case let now? where now != identity:
            return StorageFault(kind: .replaced, path: path, reason: "the batch log \(path) was replaced by another file while brewctl was writing to it")
        default: return nil
        }
    }

    /// Copies the whole database as this connection sees it (also when the file was deleted or
    /// replaced under it) to `destination`, so nothing already logged is lost.
    public func rescue(to destination: String) throws {
        let target = try DatabaseQueue(path: destination)
        try db.backup(to: target)
    }

    /// The value of an SQLite setting of this connection (`synchronous`, `journal_mode`, …).
    public func pragma(_ name: String) throws -> String? {
        guard name.allSatisfy({ $0.isLetter || $0 == "_" }) else { return nil }
        return try inConnection { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    /// `PRAGMA quick_check`: nil when the file is sound, else SQLite's first findings. Run before
    /// a batch starts on the log.
    public func integrityProblem() throws -> String? {
        let rows = try read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
        return rows == ["ok"] ? nil : rows.joined(separator: "; ")
    }
}

/// A file's device and inode, to tell the same file from a replacement at the same path.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}
