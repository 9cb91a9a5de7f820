@testable import brewctl
import BrewCore
@testable import BrewRuntime
import XCTest

/// The live status block at every width: no line wider than the terminal, shortened by what
/// matters least first, the markers never dropped.
final class StatusBlockTests: XCTestCase {
    private func vessel(_ name: String, fault: String? = nil) -> RunStatus.Vessel {
        RunStatus.Vessel(name: name, temperature: Celsius(66.2), target: Celsius(66.5), demand: Percent(45),
                         heaterOn: true, fault: fault, involved: true)
    }

    private func status(step: String = "Heat strike water", waiting: String = "heating to 72.5 °C",
                        stepLeft: Seconds? = Seconds(720), batchLeft: Seconds? = Seconds(4 * 3600 + 120),
                        vessels: [RunStatus.Vessel]? = nil, paused: Bool = false, awaiting: Bool = false,
                        alarms: [String] = []) -> RunStatus {
        RunStatus(brewTime: Seconds(3900), stepNumber: 2, stepCount: 14, stepName: step, waitingFor: waiting,
                  stepTimeLeft: stepLeft, batchTimeLeft: batchLeft, vessels: vessels ?? [vessel("HLT")],
                  awaitingConfirmation: awaiting, heatingPaused: paused, unacknowledgedAlarms: alarms)
    }

    /// Everything a brewer can put on screen at once, long names and wide characters included.
    private var hardCases: [RunStatus] {
        let long = "Saccharification rest with a very long name from an imported BeerXML file"
        let fault = "the HLT element is dry: fill above the level switch hlt_level — held off until acknowledged"
        return [
            status(),
            status(step: long, waiting: "bringing to 66.5 °C", vessels: [vessel("HLT"), vessel("Mash tun"), vessel("Kettle")]),
            status(step: "糖化休止 🍺 Maischrast", waiting: "waiting for you: Stir in 13 kg of crushed grain, break up any dough balls, then confirm",
                   paused: true, awaiting: true),
            status(step: long, vessels: [vessel("HLT", fault: fault), vessel("Mash tun", fault: "probe mash_probe stopped answering")],
                   paused: true, alarms: ["[1:04:00] HLT: \(fault)", "[1:05:00] Mash tun: probe mash_probe stopped answering"]),
            status(stepLeft: nil, batchLeft: nil, vessels: [], alarms: ["[0:10] 🔔 something"]),
            status(step: "Boil\u{1B}[2J\r", waiting: "boiling\u{7}", vessels: [vessel("Kettle\u{202E}", fault: "x\u{1B}]0;t\u{7}")], paused: true),
            stalled(),
        ]
    }

    /// A step that made no progress: no time left, the watch's words instead.
    private func stalled(_ alarm: Bool = true) -> RunStatus {
        var s = status(stepLeft: nil, batchLeft: nil,
                       vessels: [vessel("Kettle", fault: alarm ? "no progress towards 70.0 °C — heater off until acknowledged" : nil)],
                       alarms: alarm ? ["[3:01:00] Kettle: no progress towards 70.0 °C for 20 min"] : [])
        s.noProgress = Seconds(alarm ? 20 * 60 + 42 : 7 * 60 + 3)
        s.stalled = alarm
        return s
    }

    func testNoProgressReplacesTheTimeLeftAndTheAlarmIsNeverDropped() throws {
        let full = StatusBlock(status: stalled(), promptShownAt: nil, interactive: true).fullLines
        XCTAssertTrue(full[0].hasSuffix(" · no progress for 20 min — see alarm"), full[0])
        XCTAssertFalse(full[0].contains("left"), full[0])
        let before = StatusBlock(status: stalled(false), promptShownAt: nil, interactive: true).fullLines
        XCTAssertTrue(before[0].hasSuffix(" · no progress for 7 min"), before[0])
        for width in 40...200 {
            let head = StatusBlock(status: stalled(), promptShownAt: nil, interactive: true).lines(fitting: width)[0]
            XCTAssertTrue(head.contains("no progress for 20 min — see alarm") || head.contains("NO PROGRESS"), "\(width): \(head)")
        }
    }

    func testNoLineIsWiderThanTheTerminalAtAnyWidth() {
        for (n, s) in hardCases.enumerated() {
            for interactive in [true, false] {
                let block = StatusBlock(status: s, promptShownAt: s.awaitingConfirmation ? Seconds(60) : nil, interactive: interactive)
                for width in 1...220 {
                    for line in block.lines(fitting: width) {
                        XCTAssertLessThanOrEqual(DisplayWidth.columns(line), width, "case \(n) at \(width): \(line)")
                    }
                }
            }
        }
    }

    func testTheMarkersAreNeverDroppedDownToFortyColumns() {
        for (n, s) in hardCases.enumerated() {
            let block = StatusBlock(status: s, promptShownAt: nil, interactive: true)
            for width in 40...220 {
                let text = block.lines(fitting: width).joined(separator: "\n")
                if s.heatingPaused { XCTAssertTrue(text.contains("HEATERS HELD OFF"), "case \(n) at \(width):\n\(text)") }
                for v in s.vessels where v.fault != nil {
                    XCTAssertTrue(text.contains("FAULT"), "case \(n) at \(width):\n\(text)")
                }
                if !s.unacknowledgedAlarms.isEmpty {
                    XCTAssertTrue(text.contains("⚠ \(s.unacknowledgedAlarms.count) alarm"), "case \(n) at \(width):\n\(text)")
                }
            }
        }
    }

    func testAtFullWidthNothingIsShortened() {
        let lines = StatusBlock(status: status(vessels: [vessel("HLT"), vessel("Mash tun")]), promptShownAt: nil, interactive: true)
            .lines(fitting: 199)
        XCTAssertEqual(lines, [
            "[1:05:00] Step 2/14 Heat strike water: heating to 72.5 °C · step 12:00 left · batch ≈ 4 h 02 min left",
            "  HLT 66.2/66.5 °C heat 45%▮  │  Mash tun 66.2/66.5 °C heat 45%▮",
        ])
        XCTAssertEqual(StatusBlock(status: status(vessels: [vessel("HLT"), vessel("Mash tun")]), promptShownAt: nil, interactive: true).fullLines, lines)
    }

    /// The batch's time left goes before the step's, and the step name is cut only once the
    /// batch's time left has gone.
    func testWhatMattersLeastGoesFirst() {
        let s = status(step: "Saccharification rest at the mash tun")
        var sawStepLeftWithoutBatch = false
        for width in stride(from: 200, through: 30, by: -1) {
            let head = StatusBlock(status: s, promptShownAt: nil, interactive: true).lines(fitting: width)[0]
            let batch = head.contains("≈")
            let stepLeft = head.contains("12:00 left")
            if batch { XCTAssertTrue(stepLeft, "the step's time left outlasts the batch's at \(width): \(head)") }
            if stepLeft && !batch { sawStepLeftWithoutBatch = true }
            if head.contains("…") { XCTAssertFalse(batch, "the name is cut only after the batch's time left went, at \(width): \(head)") }
        }
        XCTAssertTrue(sawStepLeftWithoutBatch, "some width shows the step's time left without the batch's")
        let at80 = StatusBlock(status: s, promptShownAt: nil, interactive: true).lines(fitting: 79)[0]
        XCTAssertTrue(at80.contains("12:00 left"), at80)
        XCTAssertTrue(at80.hasPrefix("[1:05:00] "), at80)
    }

    /// The prompt is printed once above; the block says since when it has waited instead.
    func testAWaitingPromptIsNotRepeatedInTheBlock() {
        let s = status(step: "Dough in", waiting: "waiting for you: Stir in 13 kg of crushed grain, then confirm", stepLeft: nil, awaiting: true)
        for width in [60, 79, 109, 199] {
            let head = StatusBlock(status: s, promptShownAt: Seconds(3600), interactive: true).lines(fitting: width)[0]
            XCTAssertFalse(head.contains("13 kg"), head)
            XCTAssertTrue(head.contains("since 1:00:00"), head)
        }
        let service = StatusBlock(status: s, promptShownAt: Seconds(3600), interactive: false).lines(fitting: 199)[0]
        XCTAssertTrue(service.contains("brewctl confirm"), service)
        // Not asked at this terminal (the prompt was never shown here): what the step waits for.
        let unasked = StatusBlock(status: s, promptShownAt: nil, interactive: true).lines(fitting: 199)[0]
        XCTAssertTrue(unasked.contains("13 kg"), unasked)
    }

    func testNamesAreEscapedInTheBlock() {
        let s = hardCases[5]
        let text = StatusBlock(status: s, promptShownAt: nil, interactive: true).lines(fitting: 199).joined(separator: "\n")
        XCTAssertTrue(text.contains(#"Boil\e[2J\r"#), text)
        XCTAssertTrue(text.contains(#"Kettle\u{202e}"#), text)
        XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x202E }, text)
    }

    /// The line fitter on its own: cuts in `keep` order, keeps suffixes, reports what cannot fit.
    func testFittedLineGivesUpTheLeastImportantFirst() {
        let line = FittedLine([
            .init([.init("[12:00] ", keep: 9), .init("", keep: 0)]),
            .init([.init("Saccharification rest", keep: 5, cutTo: 8)], suffix: ": "),
            .init([.init("resting", keep: 7)]),
            .init([.init(" · batch ≈ 3 h left", keep: 1), .init("", keep: 0)]),
            .fixed(" · HELD"),
        ])
        XCTAssertEqual(line.fitted(to: 100), "[12:00] Saccharification rest: resting · batch ≈ 3 h left · HELD")
        XCTAssertEqual(line.fitted(to: 45), "[12:00] Saccharification rest: resting · HELD")
        XCTAssertEqual(line.fitted(to: 35), "[12:00] Saccharifi…: resting · HELD")
        XCTAssertEqual(line.fitted(to: 30), "Sacchar…: resting · HELD", "cut to its least, then the clock goes")
        XCTAssertNil(line.fitted(to: 10), "the fixed marker and the shortest forms need more")
    }
}
