import BrewCore
import BrewHAL
import BrewLinux
import BrewRuntime

/// The control loop's supervisors on a Linux board: systemd (sd_notify `READY=1`, `WATCHDOG=1`,
/// `STATUS=`) when started as a `Type=notify` service, and a hardware watchdog when
/// `$BREWCTL_WATCHDOG` names one (`/dev/watchdog`). Both hear only from the loop's healthy path.
public final class ServiceSupervisor: LoopSupervisor {
    private let notifier: SystemdNotifier?
    private let watchdog: HardwareWatchdog?

    public init(notifier: SystemdNotifier?, watchdog: HardwareWatchdog?) {
        self.notifier = notifier
        self.watchdog = watchdog
    }

    /// From the environment systemd (and the club's unit file) give the service; nil when there
    /// is nothing to tell. A watchdog that is named but cannot be opened is an error: a service
    /// that was meant to be watched must not run unwatched.
    public static func fromEnvironment(_ env: [String: String]) throws(BusError) -> ServiceSupervisor? {
        let notifier = SystemdNotifier(environment: env)
        var watchdog: HardwareWatchdog?
        if let path = env["BREWCTL_WATCHDOG"], !path.isEmpty { watchdog = try HardwareWatchdog(path: path) }
        if notifier == nil && watchdog == nil { return nil }
        return ServiceSupervisor(notifier: notifier, watchdog: watchdog)
    }

    public func started(batch: Int64) {
        notifier?.send("READY=1\nSTATUS=Brewing batch \(batch)")
        try? watchdog?.feed()
    }

    public func alive(status: String) {
        notifier?.send("WATCHDOG=1\nSTATUS=\(status.replacingOccurrences(of: "\n", with: " "))")
        // A feed that fails is not retried here: the watchdog then does its job.
        try? watchdog?.feed()
    }

    public func stopping() {
        notifier?.send("STOPPING=1")
        watchdog?.disarm()
    }
}
