import Foundation
import GRDB

extension BatchLog {
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
    /// With a state it first checks that the file is still the one it opened: writing on into a
    /// deleted or replaced file would lose everything from here on.
    public func flush(state: BatchState? = nil, checkingFile: Bool = true) throws {
        guard !pending.isEmpty || state != nil else { return }
        if state != nil, checkingFile, let problem = fileProblem() { throw problem }
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

    /// Logs an event; returns its row id.
    @discardableResult
    public func event(batch: Int64, at t: Double, wall: Date, kind: EventKind, message: String, actor: String?) throws -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO event (batch_id, t, wall, kind, message, actor) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [batch, t, wall.timeIntervalSince1970, kind.rawValue, message, actor])
            return db.lastInsertedRowID
        }
    }

    /// Flushes the samples and records how the batch ended (it can no longer be resumed), at
    /// wall-clock time `wall` after `brewTime` of brew time.
    public func finishBatch(_ batch: Int64, outcome: BatchOutcome, reason: String?, wall: Date, brewTime: Double? = nil) throws {
        try atomically {
            try flush()
            try write { db in
                try db.execute(sql: "UPDATE batch SET finished_at = ?, outcome = ?, reason = ?, brew_time = ? WHERE id = ?",
                               arguments: [wall.timeIntervalSince1970, outcome.rawValue, reason, brewTime, batch])
                try db.execute(sql: "DELETE FROM batch_state WHERE batch_id = ?", arguments: [batch])
                try db.execute(sql: "DELETE FROM controller WHERE batch_id = ?", arguments: [batch])
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

    /// Marks an interrupted batch as abandoned (the brewer started a new one instead).
    public func abandon(_ batch: Int64, reason: String, wall: Date, actor: String?) throws {
        try atomically {
            let t = try write { db in try Double.fetchOne(db, sql: "SELECT brew_time FROM batch_state WHERE batch_id = ?", arguments: [batch]) } ?? 0
            try event(batch: batch, at: t, wall: wall, kind: .abort, message: "Abandoned: \(reason)", actor: actor)
            try write { db in
                try db.execute(sql: "UPDATE step SET ended_t = ?, ended_wall = ?, outcome = 'abandoned' WHERE batch_id = ? AND ended_t IS NULL",
                               arguments: [t, wall.timeIntervalSince1970, batch])
            }
            try finishBatch(batch, outcome: .abandoned, reason: reason, wall: wall, brewTime: t)
        }
    }

    /// Drops samples after `brewTime` that a resumed run will record again (none normally: the
    /// state and the samples are committed together).
    public func discardSamples(batch: Int64, after brewTime: Double) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM sample WHERE batch_id = ? AND t > ?", arguments: [batch, brewTime])
        }
    }
}
