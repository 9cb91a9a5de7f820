import BrewCore
import BrewSim

/// Faults staged from a hardware file (`[[simulation.faults]]`) or the command line (`--fault`),
/// fired on the virtual clock at their brew time, each logged as a "rehearsal:" alert so the
/// batch record shows it was a rehearsal. Injected where a real rig would suffer them: the
/// element, SSR, pump and coolant in the physics, probes at their chip or register, bus faults on
/// the simulated I2C and Modbus lines.
extension SimulatedBrewery {
    /// Stages `faults` (checked against this rig; a fault that does not fit throws, staging
    /// nothing). `resumingAt`: a resumed batch continues at this brew time — a fault already over
    /// is left out, one in force is applied again at once (injected faults are not part of the
    /// plant's snapshot), a burst of a number of requests that began before is left out.
    public func stage(_ faults: [RehearsedFault], resumingAt: Seconds? = nil) throws(RehearsedFault.Problem) {
        var plans: [(RehearsedFault, [RehearsedFault.Effect])] = []
        for f in faults { plans.append((f, try rig.effects(of: f))) }
        let resume = resumingAt?.value
        var pending: [String] = []
        for (f, effects) in plans {
            if let r = resume {
                if let end = f.ends, end.value <= r { continue }
                if f.count != nil, f.at.value < r { continue }
            }
            let inForce = resume.map { f.at.value <= $0 } ?? false
            let start = inForce ? Instant(seconds: resume ?? 0) : Instant(seconds: f.at.value)
            pending.append("\(f.kind.rawValue) on \(f.target.key) `\(f.target.id)` at \(Format.clock(f.at))"
                           + (f.count.map { ", count \($0)" } ?? "") + (f.lasting.map { ", for \(Format.duration($0))" } ?? "")
                           + RehearsedFault.originSeparator + f.origin)
            schedule(at: start) { (b: SimulatedBrewery) in
                for e in effects { b.begin(e, f) }
                b.rehearsalEvents.append(ProcessEvent(.alert, b.rig.rehearsalStarted(f, resumed: inForce)))
            }
            if let end = f.ends, f.count == nil {
                schedule(at: Instant(seconds: end.value)) { (b: SimulatedBrewery) in
                    for e in effects { b.end(e) }
                    b.rehearsalEvents.append(ProcessEvent(.alert, b.rig.rehearsalEnded(f)))
                }
            }
        }
        // Said at the start: the whole batch is a rehearsal, and what is coming. A resume reads
        // these lines back for the faults staged on the command line (`FaultOption.staged`).
        for line in pending { rehearsalEvents.append(ProcessEvent(.alert, RehearsedFault.stagedPrefix + line)) }
    }

    private func begin(_ e: RehearsedFault.Effect, _ f: RehearsedFault) {
        switch e {
        case .deadElement(let v): box.plant.inject(.elementOpen, vessel: v)
        case .weldedSSR(let v): box.plant.inject(.weldedSSR, vessel: v)
        case .pumpDry(let v): box.plant.inject(.pumpFailed, vessel: v)
        case .coolantLost(let v): box.plant.inject(.coolantLost, vessel: v)
        case .probeStuck(let v):
            // Without a value it freezes at what it reads now — after a resume, at what the saved
            // plant's probe read, which a fault in force had already frozen.
            box.plant.inject(.probeStuck(f.value ?? box.plant[v].probe), vessel: v)
        case .probeSpikes(let v): box.plant.inject(.probeSpikes(by: f.spike, every: f.every), vessel: v)
        case .sensorStuck(let id):
            let v = rig.vesselOf(sensor: id)?.index
            devices.overrides[id] = .reads((f.value ?? v.map { box.plant[$0].probe } ?? rig.site.ambient).value)
        case .i2cSilent(let bus, let addresses):
            guard let b = devices.i2c[bus] else { return }
            for a in targets(on: b, addresses) {
                if let n = f.count { b.fail(at: a, next: n, with: .noDevice) } else { b.disconnect(a) }
            }
        case .modbusFails(let bus, let unit):
            guard let client = devices.modbus[bus] else { return }
            let fault: SimulatedModbusClient.Fault = f.kind == .modbusCRC ? .crc : .timeout
            let unit8 = unit.map { UInt8(clamping: $0) }
            if let n = f.count {
                for u in unit8.map({ [$0] }) ?? Array(client.devices.keys) { client.fail(unit: u, with: Array(repeating: fault, count: n)) }
            } else {
                client.keepFailing(unit: unit8, with: fault)
            }
        }
    }

    private func end(_ e: RehearsedFault.Effect) {
        switch e {
        case .deadElement(let v): box.plant.clearFaults(vessel: v) { $0 == .elementOpen }
        case .weldedSSR(let v): box.plant.clearFaults(vessel: v) { $0 == .weldedSSR }
        case .pumpDry(let v): box.plant.clearFaults(vessel: v) { $0 == .pumpFailed }
        case .coolantLost(let v): box.plant.clearFaults(vessel: v) { $0 == .coolantLost }
        case .probeStuck(let v):
            box.plant.clearFaults(vessel: v) { if case .probeStuck = $0 { true } else { false } }
        case .probeSpikes(let v):
            box.plant.clearFaults(vessel: v) { if case .probeSpikes = $0 { true } else { false } }
        case .sensorStuck(let id): devices.overrides[id] = nil
        case .i2cSilent(let bus, let addresses):
            guard let b = devices.i2c[bus] else { return }
            for a in targets(on: b, addresses) { b.reconnect(a) }
        case .modbusFails(let bus, let unit):
            devices.modbus[bus]?.stopFailing(unit: unit.map { UInt8(clamping: $0) })
        }
    }

    /// The chips a bus fault reaches: those listed, or every one attached.
    private func targets(on bus: SimulatedI2CBus, _ addresses: [Int]?) -> [UInt8] {
        if let addresses { return addresses.map { UInt8(truncatingIfNeeded: $0) } }
        return SimulatedI2CBus.validAddresses.filter { bus.device(at: $0) != nil }
    }
}
