import BrewCore
import BrewProcess
import BrewRigIO

/// A brewery the runtime can drive: real buses on a board, or the simulated brewery. Vessels are
/// indexed as in the rig's hardware file.
public protocol RigBackend: AnyObject {
    var rig: RigSpec { get }
    /// "simulated" or "hardware", for the log and the first line of output.
    var isSimulated: Bool { get }
    /// Drives every output to its safe state (heaters, pumps, valves off). Called before anything
    /// else happens and whenever the run ends, however it ends.
    func allOff()
    /// Lets simulated physics catch up to `now` (no-op on real hardware: reality runs itself).
    func advance(to now: Instant)
    /// Reads every vessel's probe into `readings` (same indices as the rig's vessels). A failed
    /// read becomes a `.fault` reading, never a thrown error: the control tick decides.
    func read(at now: Instant, into readings: inout [TemperatureReading?])
    /// Switches the outputs. Returns a message for every output that failed to switch.
    func apply(_ outputs: [ProcessController.VesselOutput]) -> [String]
    /// What the operator confirmed having done (real rigs: already done by hand). Returns notes
    /// where the simulated world differs from the recipe.
    func operatorDid(_ actions: [OperatorAction]) -> [String]
    /// Each vessel's heater as really switched by the last `apply` — off when an interlock held
    /// it — so the controller judges the element by what it did, not by what it was asked.
    /// Empty when the backend cannot tell.
    var heatersApplied: [Bool] { get }
    /// Each vessel's recirculation pump and chiller valve as really switched (empty: cannot tell).
    var pumpsApplied: [Bool] { get }
    var chillersApplied: [Bool] { get }
    /// The true temperature of each vessel's liquid, where the backend knows it (the simulated
    /// brewery: the physics, not the probe), for judging control quality on the wort itself.
    /// Empty on a real rig.
    var trueTemperatures: [Celsius?] { get }
    /// What the rig has to report since the last call (interlocks holding or tripping outputs,
    /// bus power cycles, probes outvoted), for the log and the screen.
    func takeEvents() -> [ProcessEvent]
    /// The operator acknowledged the alarms: releases outputs stopped by an interlock trip.
    /// Returns the outputs released.
    func acknowledge(by actor: String?) -> [String]
    /// Outputs an interlock trip holds off until acknowledged ("output: why"), for the batch's
    /// saved state; and latching them again when a batch resumes.
    var latchedTrips: [String] { get }
    func restoreTrips(_ trips: [String])
    /// What holds vessel `vessel`'s heater off at its output now, in words (nil: nothing, or the
    /// backend cannot tell), for the alarm of a step that makes no progress.
    func heaterBlockedBy(vessel: Int) -> String?
}

extension RigBackend {
    public var heatersApplied: [Bool] { [] }
    public var pumpsApplied: [Bool] { [] }
    public var chillersApplied: [Bool] { [] }
    public var trueTemperatures: [Celsius?] { [] }
    public func takeEvents() -> [ProcessEvent] { [] }
    public func acknowledge(by actor: String?) -> [String] { [] }
    public var latchedTrips: [String] { [] }
    public func restoreTrips(_ trips: [String]) {}
    public func heaterBlockedBy(vessel: Int) -> String? { nil }
}

/// A backend whose devices are a `RigIO` — the real rig and the simulated brewery: what the rig
/// reports, acknowledges and holds tripped is the `RigIO`'s.
public protocol RigIOBackend: RigBackend {
    var io: RigIO { get }
}

extension RigIOBackend {
    public var heatersApplied: [Bool] { io.heatersOn }
    public var pumpsApplied: [Bool] { io.pumpsOn }
    public var chillersApplied: [Bool] { io.chillersOpen }
    public func takeEvents() -> [ProcessEvent] { io.takeEvents() }
    public func acknowledge(by actor: String?) -> [String] { io.acknowledge(by: actor) }

    public func heaterBlockedBy(vessel: Int) -> String? {
        guard vessel >= 0, vessel < io.rig.vessels.count, let heater = io.rig.vessels[vessel].heater else { return nil }
        guard var why = io.blockedBy(heater.output) else { return nil }
        // A stopped pump holds a RIMS element off: say why the pump is stopped, too.
        let trips = io.tripped.map { "\($0.output) stopped — \($0.why)" }
        if !trips.isEmpty { why += "; " + trips.joined(separator: "; ") + ", until acknowledged" }
        return why
    }

    /// Trips as saved text, "output: why".
    public var latchedTrips: [String] { io.tripped.map { "\($0.output): \($0.why)" } }

    public func restoreTrips(_ trips: [String]) {
        io.restoreTrips(trips.compactMap { t in
            t.firstRange(of: ": ").map { (String(t[..<$0.lowerBound]), String(t[$0.upperBound...])) }
        })
    }
}
