import BrewConfig
import BrewCore
import BrewRuntime
import Foundation
import XCTest

/// A whole brew day with two elements on one supply that cannot carry both: the power budget
/// shares it, window by window, and never exceeds it — and the elements still do their work.
extension FaultInjectionTests {
    func testTheIPABrewsOnASingleSocketThatCannotCarryTheHLTAndTheRIMSAtOnce() throws {
        // The HLT (5.5 kW) and the RIMS tube (3.5 kW) on one 32 A socket (7.36 kW); the RIMS on
        // a contactor that wants 0.4 s pulses at least.
        var text = try Self.simToml()
        text = text.replacingOccurrences(of: "[vessels.mash_tun.heater]\noutput = \"rims_element\"",
                                         with: "[vessels.mash_tun.heater]\noutput = \"rims_element\"\nminimum_on = \"400 ms\"")
        text += """

        [circuits.socket]
        current = "32 A"
        voltage = "230 V"
        heaters = ["hlt_element", "rims_element"]

        """
        let rig = try HardwareLoader.parse(text, file: "socket.toml")
        XCTAssertEqual(rig.circuits.first?.limit.value ?? 0, 7360, accuracy: 1e-6)
        XCTAssertEqual(rig.vessels[Self.mash].heater?.minimumOn, Seconds(0.4))

        let run = try brew(rigText: text) { _ in }
        XCTAssertEqual(run.result.outcome, .completed)
        XCTAssertTrue(run.alarms.isEmpty, "a budget-limited element is not taken for a dead one: \(run.alarms.map(\.event.message))")

        var both = 0, hltOnly = 0, rimsOnly = 0
        for tick in run.recorder.applied {
            let load = (tick.heaterOn[Self.hlt] ? 5500.0 : 0) + (tick.heaterOn[Self.mash] ? 3500.0 : 0)
            XCTAssertLessThanOrEqual(load, 7360, "over the socket's limit at \(tick.at.seconds) s")
            if tick.heaterOn[Self.hlt] && tick.heaterOn[Self.mash] { both += 1 }
            if tick.heaterOn[Self.hlt] && !tick.heaterOn[Self.mash] { hltOnly += 1 }
            if !tick.heaterOn[Self.hlt] && tick.heaterOn[Self.mash] { rimsOnly += 1 }
        }
        XCTAssertEqual(both, 0)
        XCTAssertGreaterThan(hltOnly, 1000)
        XCTAssertGreaterThan(rimsOnly, 1000)
        // Both were wanted at once (the HLT holds the sparge water while the RIMS heats to
        // mash-out) and took turns: in that stretch each was on in every minute.
        let mashOut = run.recorder.applied.filter { $0.at.seconds >= 7950 && $0.at.seconds < 8250 }
        for minute in 0..<5 {
            let m = mashOut.filter { Int(($0.at.seconds - 7950) / 60) == minute }
            XCTAssertTrue(m.contains { $0.heaterOn[Self.mash] }, "RIMS starved in minute \(minute)")
            XCTAssertTrue(m.contains { $0.heaterOn[Self.hlt] }, "HLT starved in minute \(minute)")
        }

        // Every RIMS pulse lasts at least its minimum on-time (a step ending may cut the last one).
        var pulses: [Int] = []
        var length = 0
        for tick in run.recorder.applied {
            if tick.heaterOn[Self.mash] { length += 1 } else if length > 0 { pulses.append(length); length = 0 }
        }
        let short = pulses.filter { $0 < 4 }
        XCTAssertGreaterThan(pulses.count, 500)
        XCTAssertLessThanOrEqual(short.count, 3, "\(short.count) of \(pulses.count) RIMS pulses shorter than 400 ms")
    }
}
