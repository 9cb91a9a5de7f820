/// Something that happened in the process that people and the log need to know about.
public struct ProcessEvent: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case stepStarted = "step-started"
        case stepCompleted = "step-completed"
        /// A rest or ramp reached its temperature (a rest's timer starts here).
        case targetReached = "target-reached"
        case boilDetected = "boil-detected"
        /// A boil addition is due now.
        case addition
        /// Something the brewer should see and may need to act on.
        case alert
        /// The process waits for the operator to confirm.
        case prompt
        case confirmation
        /// A fault that turned a heater off; stays in the log.
        case alarm
        case alarmCleared = "alarm-cleared"
        case completed
        case aborted
    }

    public var kind: Kind
    public var message: String
    public var step: Int?
    public var vessel: Int?
    public var actor: String?
    /// Physical changes confirmed by the operator (the simulated brewery carries them out).
    public var actions: [OperatorAction]

    public init(_ kind: Kind, _ message: String, step: Int? = nil, vessel: Int? = nil, actor: String? = nil, actions: [OperatorAction] = []) {
        self.kind = kind
        self.message = message
        self.step = step
        self.vessel = vessel
        self.actor = actor
        self.actions = actions
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
