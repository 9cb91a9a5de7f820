import Foundation

/// What a batch is, as recorded when it starts.
public struct BatchInfo: Hashable, Sendable, Codable {
    public var recipeName: String
    public var recipePath: String
    public var hardwarePath: String
    public var brewer: String
    public var startedAt: Date
    public var simulated: Bool
    /// "real time", "60x", "fast".
    public var speed: String

    public init(recipeName: String, recipePath: String, hardwarePath: String, brewer: String, startedAt: Date,
                simulated: Bool, speed: String) {
        self.recipeName = recipeName
        self.recipePath = recipePath
        self.hardwarePath = hardwarePath
        self.brewer = brewer
        self.startedAt = startedAt
        self.simulated = simulated
        self.speed = speed
    }
}

public enum BatchOutcome: String, Hashable, Sendable, Codable {
    case completed, aborted, failed
    /// Interrupted (crash, power cut) and never resumed: the brewer started a new batch instead.
    case abandoned
}

/// A running batch's resumable state, as persisted in `batch_state`. The payload is the
/// controller's snapshot, opaque bytes here (its format and meaning belong to the runtime).
public struct BatchState: Hashable, Sendable {
    public var batch: Int64
    public var stepIndex: Int
    /// Brew time of the snapshot, s.
    public var brewTime: Double
    /// Wall-clock time of the snapshot.
    public var wall: Date
    /// The kernel's boot id and the monotonic (boot) clock at the snapshot: within the same boot
    /// the gap is measured on the monotonic clock, immune to wall-clock jumps.
    public var bootID: String?
    public var uptime: Double?
    public var payload: Data

    public init(batch: Int64, stepIndex: Int, brewTime: Double, wall: Date, bootID: String?, uptime: Double?, payload: Data) {
        self.batch = batch
        self.stepIndex = stepIndex
        self.brewTime = brewTime
        self.wall = wall
        self.bootID = bootID
        self.uptime = uptime
        self.payload = payload
    }
}

/// The kinds of event kept in the log. Stored as text so the database reads well on its own.
public enum EventKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A step started or ended.
    case step
    /// Progress worth knowing (target reached, boil detected, alarm cleared).
    case info
    /// Something the brewer must see or do (additions, prompts).
    case alert
    /// An operator confirmed a manual step.
    case confirmation
    /// A fault that turned a heater off.
    case alarm
    /// The batch was aborted.
    case abort
    /// A device or bus fault.
    case fault
    /// Any other operator action.
    case `operator`
}

public struct BatchRecord: Hashable, Sendable, Codable {
    public var id: Int64
    public var info: BatchInfo
    public var finishedAt: Date?
    /// nil while the batch is running (or was interrupted).
    public var outcome: BatchOutcome?
    public var reason: String?
    /// Brew time at the end, s (nil while running, and for batches logged before it was kept).
    public var brewTime: Double?

    public init(id: Int64, info: BatchInfo, finishedAt: Date?, outcome: BatchOutcome?, reason: String?, brewTime: Double? = nil) {
        self.id = id
        self.info = info
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.reason = reason
        self.brewTime = brewTime
    }
}

public struct ChannelRecord: Hashable, Sendable, Codable {
    public var id: Int64
    public var name: String
    public var unit: String
}

public struct StepRecord: Hashable, Sendable, Codable {
    public var id: Int64
    public var position: Int
    public var kind: String
    public var name: String
    /// Brew time (s since the batch started) and wall-clock time.
    public var startedAt: Double
    public var startedWall: Date
    public var endedAt: Double?
    public var endedWall: Date?
    public var outcome: String?
}

public struct EventRecord: Hashable, Sendable, Codable {
    public var id: Int64
    /// Brew time, s.
    public var at: Double
    public var wall: Date
    public var kind: EventKind
    public var message: String
    public var actor: String?
}

public struct Sample: Hashable, Sendable {
    public var channel: Int64
    /// Brew time, s.
    public var at: Double
    /// nil when there was no trustworthy value (a faulted or missing reading).
    public var value: Double?
}

/// Everything about one batch except its samples.
public struct BatchDetail: Hashable, Sendable, Codable {
    public var batch: BatchRecord
    public var channels: [ChannelRecord]
    public var steps: [StepRecord]
    public var events: [EventRecord]
    public var sampleCount: Int
}

public struct BatchLogError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
