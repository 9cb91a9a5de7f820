import BrewCore
import Foundation

/// The only place time comes from in a run. Control code is handed instants; the loop asks a
/// `LoopClock` what time it is and to wait for the next tick's deadline.
public protocol LoopClock: AnyObject {
    func now() -> Instant
    /// Waits until `deadline` (or returns at once if it has passed). Deadlines are absolute, so a
    /// slow tick does not make the loop drift.
    func sleep(until deadline: Instant)
    /// Told while the run waits for a person, so a flat-out simulation slows to real time
    /// instead of racing hours ahead while someone walks to the terminal.
    func operatorWaiting(_ waiting: Bool)
}

extension LoopClock {
    public func operatorWaiting(_ waiting: Bool) {}
}

/// Reads the system's monotonic clock — which NTP or a user setting the date cannot move — for
/// runs against real hardware.
public final class MonotonicClock: LoopClock {
    private let origin: UInt64

    public init() { origin = DispatchTime.now().uptimeNanoseconds }

    public func now() -> Instant {
        Instant(seconds: Double(DispatchTime.now().uptimeNanoseconds - origin) / 1e9)
    }

    public func sleep(until deadline: Instant) {
        let wait = deadline.seconds - now().seconds
        if wait > 0 { usleep(useconds_t(min(wait, 1) * 1e6)) }
    }
}

/// Virtual time for the simulated brewery: every tick advances it by exactly the tick period, so a
/// simulated brew day is the same whether it runs flat out or paced against the wall clock
/// (`speed` × real time). `speed == nil` means as fast as the machine can.
public final class SimulationClock: LoopClock {
    private var virtual: Instant
    /// Brew-time seconds per wall-clock second; nil = unpaced.
    public var speed: Double? {
        didSet { rebase() }
    }
    private var wallOrigin: UInt64 = 0
    private var virtualOrigin: Instant = .zero

    public init(start: Instant = .zero, speed: Double? = nil) {
        virtual = start
        self.speed = speed
        rebase()
    }

    public func now() -> Instant { virtual }

    /// While a person is awaited, an unpaced clock runs at this speed (real time by default).
    public var waitingSpeed: Double = 1
    private var runSpeed: Double?
    private var waiting = false

    public func operatorWaiting(_ waiting: Bool) {
        guard waiting != self.waiting else { return }
        self.waiting = waiting
        if waiting {
            runSpeed = speed
            if speed == nil { speed = waitingSpeed }
        } else {
            speed = runSpeed
        }
    }

    public func sleep(until deadline: Instant) {
        guard deadline > virtual else { return }
        virtual = deadline
        guard let speed, speed > 0 else { return }
        let wallTarget = (virtual - virtualOrigin).value / speed
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - wallOrigin) / 1e9
        if wallTarget > elapsed { usleep(useconds_t(min(wallTarget - elapsed, 1) * 1e6)) }
    }

    /// Restarts pacing from here, so changing speed neither jumps nor tries to catch up.
    private func rebase() {
        wallOrigin = DispatchTime.now().uptimeNanoseconds
        virtualOrigin = virtual
    }
}
