import Foundation

/// Wall-clock time for the record (when a step started, when the batch ended, in the club's
/// calendar) — never for control, which runs on the `LoopClock`. Injected, so a test can fix it.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's calendar clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
