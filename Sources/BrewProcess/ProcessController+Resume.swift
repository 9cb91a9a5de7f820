import BrewControl
import BrewCore

/// Resume entry points for `ProcessController`, using only its public API (the type itself is
/// being extended by another change; see the resume notes in docs/logging.md).
extension ProcessController {
    /// A controller that continues a persisted batch: the step engine starts from the snapshot
    /// with the gap rules applied. The heater loops start from off and close the loop on the
    /// first fresh reading (a bumpless restore of their PID memory needs `restoreHeaterLoops`,
    /// which ProcessController does not offer yet).
    public init(plan: BrewPlan, rig: RigSpec, settings: StepEngine.Settings = StepEngine.Settings(), resuming: StepEngine.Resume) {
        var s = settings
        s.resume = resuming
        self.init(plan: plan, rig: rig, settings: s)
    }

    /// Each vessel's heater loop state (nil for vessels without a heater), for the snapshot.
    /// Read by reflection because ProcessController keeps its loops private; empty if the
    /// stored property is ever renamed (the snapshot then simply lacks them).
    public func heaterLoopSnapshots(origin: Instant) -> [HeaterLoop.Snapshot?] {
        guard let loops = Mirror(reflecting: self).children.first(where: { $0.label == "loops" })?.value as? [HeaterLoop?] else {
            return []
        }
        return loops.map { $0?.snapshot(origin: origin) }
    }
}
