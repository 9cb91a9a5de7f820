import BrewCore
import BrewProcess

/// What the operator asked for since the last tick.
public enum OperatorInput: Hashable, Sendable {
    /// Confirms the step waiting for them.
    case confirm(by: String)
    /// Ctrl-C: the heaters are held off while they decide whether to abort.
    case interrupt
    /// They decided to abort the batch.
    case abort(by: String)
    /// They decided to carry on after an interrupt.
    case carryOn(by: String)
    /// Acknowledges the latched alarms (a heater held off by a runaway check).
    case acknowledge(by: String)
    /// The controller is stopping (a signal: systemctl stop, a hang-up, kill): every output off,
    /// the stop logged with its cause, the batch interrupted and resumable. Never an abort: only
    /// a person aborts a batch.
    case stop(cause: String)
}

/// A snapshot of the run for the live display.
public struct RunStatus: Sendable {
    public struct Vessel: Sendable {
        public var name: String
        public var temperature: Celsius?
        public var target: Celsius?
        public var demand: Percent
        public var heaterOn: Bool
        public var fault: String?
        public var involved: Bool
    }

    public var brewTime: Seconds
    public var stepNumber: Int
    public var stepCount: Int
    public var stepName: String
    public var waitingFor: String
    public var stepTimeLeft: Seconds?
    public var batchTimeLeft: Seconds?
    public var vessels: [Vessel]
    public var awaitingConfirmation: Bool
    public var heatingPaused: Bool
    /// Alarms raised since the last acknowledgement, oldest first ("[brew time] message"): shown
    /// until someone acknowledges them (`ack` at the terminal, `brewctl ack`), even once the
    /// condition has cleared.
    public var unacknowledgedAlarms: [String] = []
    /// How long the step has gone without coming closer to its target, once that is long enough
    /// to say so (then there is no time left to show: it would be a guess that keeps failing).
    public var noProgress: Seconds?
    /// True once the progress watch has raised its alarm.
    public var stalled = false
}

/// The people side of a run: shows progress and events, and collects confirmations and aborts.
/// The terminal implements it for `brewctl run`; tests use a scripted one.
public protocol OperatorConsole: AnyObject {
    /// Shown as things happen.
    func show(_ event: ProcessEvent, at brewTime: Seconds)
    /// Called about once a second of brew time; the console decides how often to redraw.
    func update(_ status: RunStatus)
    /// Anything the operator did since the last poll; called every tick, so it must be cheap.
    func poll() -> OperatorInput?
    /// The run is over (outcome line is printed by the caller).
    func finish()
}
