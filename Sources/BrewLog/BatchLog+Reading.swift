import Foundation
import GRDB

/// Reading the log. Every value comes out through a throwing decode: a database edited by hand,
/// damaged, or written by another program may hold a text where a number belongs, and that is a
/// clear error naming the row, never a crash.
extension BatchLog {
    /// The last persisted state of a batch, if it has one.
    public func state(batch: Int64) throws -> BatchState? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM batch_state WHERE batch_id = ?", arguments: [batch]).map {
                try Self.decoding("the saved state of batch \(batch)") { try Self.state($0) }($0)
            }
        }
    }

    private static func state(_ r: Row) throws -> BatchState {
        let payload: Data
        switch r["state"] as DatabaseValue? {
        case .some(let v):
            // A BLOB, or UTF-8 text as older versions wrote it.
            switch v.storage {
            case .blob(let data): payload = data
            case .string(let text): payload = Data(text.utf8)
            default: throw BatchLogError("its state column holds \(v), not a snapshot")
            }
        case nil: throw BatchLogError("it has no state column")
        }
        return BatchState(batch: try r.decode(forColumn: "batch_id"), stepIndex: try r.decode(forColumn: "step_index"),
                          brewTime: try r.decode(forColumn: "brew_time"),
                          wall: Date(timeIntervalSince1970: try r.decode(forColumn: "wall")),
                          bootID: try r.decode(forColumn: "boot_id"), uptime: try r.decode(forColumn: "uptime"), payload: payload)
    }

    /// Batches that were running when a controller stopped without ending them (a crash, a kill,
    /// a power cut, a signal) — or are running now: no outcome, a persisted state. Most recent
    /// first. Whether a controller still runs one is the batch lock's to say (`lockPath(batch:)`).
    public func interruptedBatches() throws -> [BatchRecord] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT batch.* FROM batch JOIN batch_state ON batch_state.batch_id = batch.id
                WHERE batch.outcome IS NULL ORDER BY batch.id DESC
                """).map(Self.batchRecord)
        }
    }

    /// Batches without an outcome — running, interrupted, or never started properly — most recent first.
    public func unfinishedBatches() throws -> [BatchRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM batch WHERE outcome IS NULL ORDER BY id DESC").map(Self.batchRecord)
        }
    }

    static func batchRecord(_ row: Row) throws -> BatchRecord {
        let id: Int64 = try decoding("a batch row") { try $0.decode(forColumn: "id") }(row)
        return try decoding("batch \(id)") { row in
            BatchRecord(
                id: id,
                info: BatchInfo(recipeName: try row.decode(forColumn: "recipe_name"), recipePath: try row.decode(forColumn: "recipe_path"),
                                hardwarePath: try row.decode(forColumn: "hardware_path"), brewer: try row.decode(forColumn: "brewer"),
                                startedAt: Date(timeIntervalSince1970: try row.decode(forColumn: "started_at")),
                                simulated: try row.decode(forColumn: "simulated"), speed: try row.decode(forColumn: "speed")),
                finishedAt: (try row.decode(Double?.self, forColumn: "finished_at")).map { Date(timeIntervalSince1970: $0) },
                outcome: (try row.decode(String?.self, forColumn: "outcome")).flatMap(BatchOutcome.init(rawValue:)),
                reason: try row.decode(forColumn: "reason"),
                brewTime: try row.decode(forColumn: "brew_time"))
        }(row)
    }

    /// Wraps a row decoder so that a value of the wrong kind names what it was reading.
    static func decoding<T>(_ what: String, _ body: @escaping (Row) throws -> T) -> (Row) throws -> T {
        { row in
            do { return try body(row) } catch let e as BatchLogError {
                throw BatchLogError("\(what) in the batch log cannot be read: \(e.description)")
            } catch {
                throw BatchLogError("\(what) in the batch log cannot be read: a value is not what brewctl wrote there (\(error)) — the database was changed by hand or is damaged")
            }
        }
    }

    /// Every batch, oldest first.
    public func batches() throws -> [BatchRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM batch ORDER BY id").map(Self.batchRecord)
        }
    }

    /// One batch with its channels, steps and events; nil if there is no such batch.
    public func batch(_ id: Int64) throws -> BatchDetail? {
        try flush()
        return try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id]) else { return nil }
            let batch = try Self.batchRecord(row)
            let channels = try Row.fetchAll(db, sql: "SELECT id, name, unit FROM channel WHERE batch_id = ? ORDER BY id", arguments: [id])
                .map(Self.decoding("a channel of batch \(id)") {
                    ChannelRecord(id: try $0.decode(forColumn: "id"), name: try $0.decode(forColumn: "name"), unit: try $0.decode(forColumn: "unit"))
                })
            let steps = try Row.fetchAll(db, sql: "SELECT * FROM step WHERE batch_id = ? ORDER BY id", arguments: [id])
                .map(Self.decoding("a step of batch \(id)") { r in
                    StepRecord(id: try r.decode(forColumn: "id"), position: try r.decode(forColumn: "position"), kind: try r.decode(forColumn: "kind"),
                               name: try r.decode(forColumn: "name"), startedAt: try r.decode(forColumn: "started_t"),
                               startedWall: Date(timeIntervalSince1970: try r.decode(forColumn: "started_wall")),
                               endedAt: try r.decode(forColumn: "ended_t"),
                               endedWall: (try r.decode(Double?.self, forColumn: "ended_wall")).map { Date(timeIntervalSince1970: $0) },
                               outcome: try r.decode(forColumn: "outcome"))
                })
            let events = try Row.fetchAll(db, sql: "SELECT * FROM event WHERE batch_id = ? ORDER BY id", arguments: [id])
                .map(Self.decoding("an event of batch \(id)") { r in
                    EventRecord(id: try r.decode(forColumn: "id"), at: try r.decode(forColumn: "t"),
                                wall: Date(timeIntervalSince1970: try r.decode(forColumn: "wall")),
                                kind: EventKind(rawValue: try r.decode(forColumn: "kind")) ?? .info, message: try r.decode(forColumn: "message"),
                                actor: try r.decode(forColumn: "actor"))
                })
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sample WHERE batch_id = ?", arguments: [id]) ?? 0
            return BatchDetail(batch: batch, channels: channels, steps: steps, events: events, sampleCount: count)
        }
    }

    public func sampleCount(batch id: Int64) throws -> Int { try batch(id)?.sampleCount ?? 0 }

    /// Samples of one channel in time order.
    public func samples(channel: Int64) throws -> [Sample] {
        try flush()
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT t, value FROM sample WHERE batch_id = (SELECT batch_id FROM channel WHERE id = ?1) AND channel_id = ?1 ORDER BY t
                """, arguments: [channel]).map(Self.decoding("a sample of channel \(channel)") {
                Sample(channel: channel, at: try $0.decode(forColumn: "t"), value: try $0.decode(forColumn: "value"))
            })
        }
    }

    /// Walks every sample of a batch in time order (then channel order), without loading them all.
    public func forEachSample(batch: Int64, _ body: (Sample) throws -> Void) throws {
        try flush()
        let sample = Self.decoding("a sample of batch \(batch)") { row in
            Sample(channel: try row.decode(Int64.self, atIndex: 0), at: try row.decode(Double.self, atIndex: 1),
                   value: try row.decode(Double?.self, atIndex: 2))
        }
        try read { db in
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT channel_id, t, value FROM sample WHERE batch_id = ? ORDER BY t, channel_id
                """, arguments: [batch])
            while let row = try cursor.next() { try body(try sample(row)) }
        }
    }

    /// How many alarms batch `id` has logged (the running controller numbers them on from here).
    public func alarmCount(batch id: Int64) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event WHERE batch_id = ? AND kind = 'alarm'", arguments: [id]) ?? 0 }
    }
}
