import BrewConfig
import BrewCore
import BrewLog
import BrewRuntime

/// Faults staged for a rehearsal: the hardware file's `[[simulation.faults]]` and `--fault`, on
/// the simulated brewery only. A resume stages the file's faults again from the file, and the
/// command line's from the batch's log (where the first run wrote each one down) as well as any
/// `--fault` given to the resume.
enum Rehearsal {
    /// Refuses `--fault` on a real rig before anything is opened.
    static func refuseOnRealRig(_ options: SessionOptions, rig: RigSpec) {
        guard rig.backend != .simulated, !options.faults.isEmpty else { return }
        fail("--fault stages faults on the simulated brewery; \(rig.name) is a real rig (backend = \"linux\") — nothing was switched on",
             code: ExitStatus.refused)
    }

    /// Stages the rig's and the command line's faults on `brewery`; a `--fault` that does not fit
    /// the rig is a usage error (exit 64), nothing switched on.
    static func stage(on brewery: SimulatedBrewery, rig: RigSpec, options: SessionOptions, logged: [FaultOption] = [],
                      resumingAt: Seconds? = nil) {
        var seen = Set<String>()
        let typed = (logged + options.faultOptions).filter { seen.insert($0.text).inserted }
        var faults = rig.rehearsals
        for option in typed {
            do { faults.append(try option.resolve(on: rig)) } catch {
                fail("\(error.description); nothing was switched on", code: ExitStatus.usage)
            }
        }
        do { try brewery.stage(faults, resumingAt: resumingAt) } catch {
            fail("a staged fault does not fit the rig \(rig.name): \(error); nothing was switched on", code: ExitStatus.refused)
        }
    }

    /// The `--fault`s batch `id` was run with, read back from its log.
    static func logged(batch id: Int64, in log: BatchLog) -> [FaultOption] {
        guard let events = try? log.batch(id)?.events else { return [] }
        let marker = RehearsedFault.originSeparator + "--fault "
        var out: [FaultOption] = []
        for e in events where e.message.hasPrefix(RehearsedFault.stagedPrefix) {
            guard let r = e.message.range(of: marker, options: .backwards) else { continue }
            if let option = try? FaultOption(String(e.message[r.upperBound...])) { out.append(option) }
        }
        return out
    }
}
