import BrewCore
import BrewHAL
import BrewProcess
import BrewRuntime
import BrewRigIO
import Glibc

/// A real rig as the runtime's backend: `RigIO` on the board's buses — each vessel's probes read
/// through their drivers and voted, heaters, pumps and valves switched through `RigOutputs`, and
/// the hardware file's interlocks (and the protections brewctl implies) enforced at the outputs:
/// a heater whose interlock does not hold is not switched on, whatever the controller asked.
/// The simulated brewery runs the very same `RigIO` on simulated buses.
public final class HardwareBrewery: RigIOBackend {
    public let rig: RigSpec
    public var isSimulated: Bool { false }
    public let io: RigIO

    /// Opens every vessel's probes and drives every output to its safe state. Nothing is switched on.
    /// A bus power cycle waits in real time (`nanosleep`): it happens at most once a minute per bus.
    public init(rig: RigSpec, buses: any RigBusProvider, now: @escaping () -> Instant) {
        self.rig = rig
        io = RigIO(rig: rig, buses: buses, now: now, pause: { d in
            var left = timespec(tv_sec: Int(d.value), tv_nsec: Int((d.value - d.value.rounded(.down)) * 1e9))
            var rest = timespec()
            while nanosleep(&left, &rest) == -1 && errno == EINTR { left = rest }
        })
    }

    /// The devices a plan needs: the probes and the outputs of every vessel a step works on, and
    /// every sensor an interlock of those outputs reads (the implied protections included).
    public static func devices(for plan: BrewPlan, on rig: RigSpec) -> (sensors: Set<String>, outputs: Set<String>) {
        var sensorIDs: Set<String> = []
        var outputIDs: Set<String> = []
        for index in Set(plan.stepVessel.compactMap { $0 }) where index < rig.vessels.count {
            let v = rig.vessels[index]
            sensorIDs.formUnion(v.temperatureSensors)
            for id in [v.heater?.output, v.recirculationPump, v.chillerValve].compactMap({ $0 }) { outputIDs.insert(id) }
        }
        for interlock in rig.effectiveInterlocks where outputIDs.contains(interlock.output) {
            for condition in interlock.requires { if let id = condition.sensorID { sensorIDs.insert(id) } }
        }
        return (sensorIDs, outputIDs)
    }

    public func allOff() { io.allOff() }
    public func advance(to now: Instant) {}
    public func read(at now: Instant, into readings: inout [TemperatureReading?]) { io.read(at: now, into: &readings) }
    public func apply(_ wanted: [ProcessController.VesselOutput]) -> [String] { io.apply(wanted) }
    public func operatorDid(_ actions: [OperatorAction]) -> [String] { [] }

    /// Bus re-initialisations made to bring a probe back, for the log and tests.
    public var recoveries: Int { io.recoveries }
}
