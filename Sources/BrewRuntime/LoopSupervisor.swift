import BrewCore

/// Something outside the process that must hear that the control loop is alive — systemd's
/// watchdog, a hardware watchdog. The loop reports only from its own healthy path (once per
/// sample, after the readings were judged and the samples logged), so a hung or crashed loop goes
/// quiet and the supervisor acts: systemd restarts the service (and `ExecStopPost=brewctl off`
/// switches everything off), a hardware watchdog resets the board.
public protocol LoopSupervisor: AnyObject {
    /// Every output is safe and the loop is about to run.
    func started(batch: Int64)
    /// One healthy sample: what the loop is doing, for `systemctl status`.
    func alive(status: String)
    /// The run is over (outputs already safe); a clean stop, not a hang.
    func stopping()
}
