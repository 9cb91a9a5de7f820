import BrewCore

extension ProgressWatch {
    /// The stall's alarm, in a brewer's words: what made no progress for how long, the likeliest
    /// reason from what the controller saw, and what to do.
    static func explain(_ s: Stall, vessel: BrewPlan.PlanVessel, temperature: Celsius?, at now: Instant,
                        readingFault: String?, heaterFault: String?, heldBy: String?) -> String {
        let name = vessel.name
        let span = Format.duration(now - s.since)
        let at = temperature.map { "at \($0)" } ?? "no reading"
        let head = "\(name): no progress towards \(s.target) for \(span) (\(at))"
        let duty = Int((s.heaterDuty * 100).rounded())
        let why: String
        if let readingFault {
            why = "its reading cannot be trusted (\(readingFault)), so the heater stays off — check the probe and its cable"
        } else if let heaterFault, !heaterFault.hasPrefix("no progress") {
            why = "its heater is latched off (\(heaterFault)) — find out why, then acknowledge it"
        } else if s.rising, !vessel.hasHeater {
            why = "it has no heater"
        } else if s.rising, s.heldShare >= 0.5 {
            why = "its element was held off at the output \(Int((s.heldShare * 100).rounded())) % of that time"
                + (heldBy.map { ": \($0)" } ?? "") + " — put right what holds it (liquid over the element, the pump running, a tripped pump acknowledged)"
        } else if s.rising {
            why = "its element was on \(duty) % of that time and could not get it there — the target is more than the rig can do "
                + "(an element too small for the volume, a lid off, a dead element, or more liquid than the recipe says)"
        } else if s.chilling {
            why = "chilling does not bring it closer — is the coolant flowing, and colder than \(s.target)?"
        } else {
            why = "it can only cool by losing heat to the room, and that is too slow — chill it, or set a rest it can reach"
        }
        return "\(head): \(why). Heater off until acknowledged: put it right, then acknowledge (ack) to try again, or abort"
    }
}
