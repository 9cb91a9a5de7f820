import BrewControl
import BrewCore

/// Resume entry point for `ProcessController` (see the resume notes in docs/logging.md).
extension ProcessController {
    /// A controller that continues a persisted batch: the step engine starts from the snapshot
    /// with the gap rules applied; the caller restores the heater loops with `restoreHeaterLoops`.
    public init(plan: BrewPlan, rig: RigSpec, settings: StepEngine.Settings = StepEngine.Settings(), resuming: StepEngine.Resume) {
        var s = settings
        s.resume = resuming
        self.init(plan: plan, rig: rig, settings: s)
    }
}
