import Foundation
import GRDB

/// What a running controller waits for, as it tells other processes through the log.
public struct ControllerPresence: Hashable, Sendable {
    /// What a person can answer now.
    public enum Waiting: Hashable, Sendable {
        /// A manual step's prompt (`key` names the step and prompt; `text` is the prompt).
        case prompt(key: String, text: String)
        /// Heating after a long gap, waiting for someone to check the vessels.
        case gapHold(key: String, text: String)

        public var key: String {
            switch self { case .prompt(let k, _), .gapHold(let k, _): k }
        }
        public var text: String {
            switch self { case .prompt(_, let t), .gapHold(_, let t): t }
        }
    }

    /// Chosen afresh each time a controller takes a batch: a request made to an earlier
    /// controller of the same batch (before a crash, a stop, a resume) is for that one only.
    public var session: String
    public var pid: Int32
    public var startedAt: Date
    public var waiting: Waiting?
    /// Alarms the batch has raised so far (a request to acknowledge names how many it saw).
    public var alarmsRaised: Int
    /// Alarms (and latched faults) still to acknowledge, and the latest of them.
    public var alarmsPending: Int
    public var latestAlarm: String?

    public init(session: String, pid: Int32, startedAt: Date, waiting: Waiting? = nil, alarmsRaised: Int = 0,
                alarmsPending: Int = 0, latestAlarm: String? = nil) {
        self.session = session
        self.pid = pid
        self.startedAt = startedAt
        self.waiting = waiting
        self.alarmsRaised = alarmsRaised
        self.alarmsPending = alarmsPending
        self.latestAlarm = latestAlarm
    }
}

/// A request from outside the controller's terminal (`brewctl confirm`, `brewctl ack`).
public struct OperatorRequest: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case confirm, ack
    }

    public var id: Int64
    public var kind: Kind
    public var actor: String
    /// What it answers: the waiting key for a confirmation ("step 3: …" / "gap"), the number
    /// of alarms seen for an acknowledgement. nil for requests from brewctl versions that did
    /// not say: they are refused.
    public var answers: String?
    /// The controller session it was made to.
    public var controller: String?
}

extension BatchLog {
    /// Tells other processes that a controller runs `batch` and what it waits for (replaces the
    /// previous word; part of the current transaction when there is one).
    public func announce(_ presence: ControllerPresence, batch: Int64) throws {
        try write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO controller
                    (batch_id, session, pid, started_wall, waiting_kind, waiting_key, waiting_text, alarms_raised, alarms_pending, latest_alarm)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [batch, presence.session, presence.pid, presence.startedAt.timeIntervalSince1970,
                                 presence.waiting.map { if case .prompt = $0 { "prompt" } else { "gap" } },
                                 presence.waiting?.key, presence.waiting?.text, presence.alarmsRaised, presence.alarmsPending,
                                 presence.latestAlarm])
        }
        requestsSeenAt = nil
    }

    /// The controller of `batch` is stopping: nobody is to wait on it.
    public func withdrawPresence(batch: Int64) throws {
        guard schema.contains("v5-requests-answer-what-waits") else { return }
        try write { db in try db.execute(sql: "DELETE FROM controller WHERE batch_id = ?", arguments: [batch]) }
    }

    /// What the controller of `batch` last said it waits for (nil: none has said; whether it
    /// still runs is the batch lock's to say).
    public func presence(batch: Int64) throws -> ControllerPresence? {
        guard schema.contains("v5-requests-answer-what-waits") else { return nil }
        return try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM controller WHERE batch_id = ?", arguments: [batch]).map(Self.decoding("the controller of batch \(batch)") { r in
                let kind: String? = try r.decode(forColumn: "waiting_kind")
                let key: String? = try r.decode(forColumn: "waiting_key")
                let text: String? = try r.decode(forColumn: "waiting_text")
                var waiting: ControllerPresence.Waiting?
                if let key, let text { waiting = kind == "gap" ? .gapHold(key: key, text: text) : .prompt(key: key, text: text) }
                return ControllerPresence(session: try r.decode(forColumn: "session"), pid: try r.decode(forColumn: "pid"),
                                          startedAt: Date(timeIntervalSince1970: try r.decode(forColumn: "started_wall")),
                                          waiting: waiting, alarmsRaised: try r.decode(forColumn: "alarms_raised"),
                                          alarmsPending: try r.decode(forColumn: "alarms_pending"),
                                          latestAlarm: try r.decode(forColumn: "latest_alarm"))
            })
        }
    }

    /// Records a request for the controller `presence` describes, answering `answers`.
    public func request(_ kind: OperatorRequest.Kind, batch: Int64, answers: String, controller session: String,
                        by actor: String, wall: Date) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO acknowledgement (batch_id, wall, actor, kind, answers, controller) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [batch, wall.timeIntervalSince1970, actor, kind.rawValue, answers, session])
        }
        requestsSeenAt = nil   // its own commits do not move data_version
    }

    /// Operator requests for `batch` not yet taken, oldest first; marks them taken. What became
    /// of each is the controller's to record (`settle`).
    ///
    /// Called once a sample, so it is cheap when there is nothing to take: SQLite's
    /// `data_version` changes only when another connection commits, and while it stands still
    /// since the last look (and this log asked nothing itself) no query and no transaction is needed.
    public func takeOperatorRequests(batch: Int64) throws -> [OperatorRequest] {
        let version = try inConnection { db in try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) } ?? -1
        if requestsSeenAt == version { return [] }
        let taken = try write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT id, kind, actor, answers, controller FROM acknowledgement WHERE batch_id = ? AND taken = 0 ORDER BY id
                """), arguments: [batch])
            if !rows.isEmpty {
                try db.execute(sql: "UPDATE acknowledgement SET taken = 1 WHERE batch_id = ? AND taken = 0", arguments: [batch])
            }
            return rows.compactMap { r -> OperatorRequest? in
                // A row another program wrote wrongly is dropped, not trusted and not a crash.
                guard let id = try? r.decode(Int64.self, forColumn: "id"), let kind = (try? r.decode(String.self, forColumn: "kind")).flatMap(OperatorRequest.Kind.init(rawValue:)),
                      let actor = try? r.decode(String.self, forColumn: "actor") else { return nil }
                return OperatorRequest(id: id, kind: kind, actor: actor, answers: try? r.decode(String?.self, forColumn: "answers"),
                                       controller: try? r.decode(String?.self, forColumn: "controller"))
            }
        }
        requestsSeenAt = version
        return taken
    }

    /// Records what became of a request ("confirmed", "refused: …").
    public func settle(_ request: OperatorRequest, outcome: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE acknowledgement SET outcome = ? WHERE id = ?", arguments: [outcome, request.id])
        }
    }

    /// Marks every request for `batch` still untaken as expired: they were made to a controller
    /// that is gone (a new controller takes the batch). Returns them.
    @discardableResult
    public func expireRequests(batch: Int64, why: String) throws -> [OperatorRequest] {
        requestsSeenAt = nil
        let stale = try takeOperatorRequests(batch: batch)
        for r in stale { try settle(r, outcome: "expired: \(why)") }
        return stale
    }
}
