import BrewConfig
import BrewCore
import BrewLog
import BrewProcess
import BrewRuntime
import BrewSim
import Foundation
import XCTest

/// A resumed simulated batch continues exactly where it stopped. The IPA is brewed once without
/// interruption on a database file; at chosen moments the database files are copied as they are —
/// what a SIGKILL at that moment leaves behind — and each copy is resumed in-process. Every
/// resumed batch must be the uninterrupted one, bit for bit: the same steps at the same brew
/// times, the same end, every sample and event, and the same plant at the end.
final class ExactResumeTests: XCTestCase {
    /// Copies the batch database whenever brew time passes the next target (the runner has
    /// committed everything up to its last flush or step change; nothing more survives a kill).
    final class CrashImages: OperatorConsole {
        let db: String
        var targets: [(at: Double, to: String)]
        /// Also an image at the first sample after each step change (the state was committed at
        /// the change, between samples — often just after a fill was confirmed): `step-N.sqlite`.
        let stepImages: URL?
        private var step = 1
        private(set) var stepChanges: [(step: Int, at: Double)] = []
        /// Copies that failed (a console cannot throw; the test asserts there are none).
        var failures: [String] = []
        init(db: String, targets: [(at: Double, to: String)], stepImages: URL? = nil) {
            self.db = db
            self.targets = targets.sorted { $0.at < $1.at }
            self.stepImages = stepImages
        }
        func show(_ event: ProcessEvent, at brewTime: Seconds) {}
        func update(_ status: RunStatus) {
            if let dir = stepImages, status.stepNumber != step {
                step = status.stepNumber
                stepChanges.append((step, status.brewTime.value))
                copy(to: dir.appendingPathComponent("step-\(step).sqlite").path)
            }
            guard let next = targets.first, status.brewTime.value >= next.at else { return }
            targets.removeFirst()
            copy(to: next.to)
        }
        private func copy(to path: String) {
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: db + suffix) {
                do { try FileManager.default.copyItem(atPath: db + suffix, toPath: path + suffix) } catch {
                    failures.append("\(path + suffix): \(error)")
                }
            }
        }
        func poll() -> OperatorInput? { nil }
        func finish() {}
    }

    struct Run {
        var result: BatchRunner.Result
        var brewery: SimulatedBrewery
        var log: BatchLog
    }

    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    static func setup() throws -> (RigSpec, BrewPlan) {
        let rig = try HardwareLoader.load(path: shipped("Hardware/sim.toml"))
        return (rig, try BrewPlan.bind(try RecipeLoader.load(path: shipped("Recipes/ipa.toml")), to: rig))
    }

    static func options() -> BatchRunner.Options {
        .init(brewer: "ci", autoConfirm: true, recipePath: "Recipes/ipa.toml", hardwarePath: "Hardware/sim.toml",
              speedLabel: "fast", startedAt: start)
    }

    /// Kill points: mid-mash rest, during the heat-up to the boil (the boil detection's history
    /// holds readings), mid-boil (additions still to come), during the chill.
    static let crashes: [(name: String, at: Double)] = [("strike", 4_100), ("rest", 6_000), ("heat-up", 9_900), ("boil", 12_000), ("chill", 14_300)]

    nonisolated(unsafe) private static var cached: (dir: URL, reference: Run)?
    /// The steps the uninterrupted brew changed to, each with a crash image `step-N`.
    nonisolated(unsafe) private static var stepChanges: [Int] = []

    /// The uninterrupted brew, leaving a crash image at each kill point.
    private static func reference() throws -> (dir: URL, reference: Run) {
        if let c = Self.cached { return c }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("brewctl-exact-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("reference.sqlite").path
        let (rig, plan) = try Self.setup()
        let console = CrashImages(db: db, targets: Self.crashes.map { ($0.at, dir.appendingPathComponent("\($0.name).sqlite").path) },
                                  stepImages: dir)
        let log = try BatchLog(path: db, durability: .normal)
        let brewery = try SimulatedBrewery(rig: rig)
        let result = BatchRunner(plan: plan, backend: brewery, log: log, clock: SimulationClock(speed: nil), console: console,
                                 options: Self.options()).run()
        XCTAssertEqual(result.outcome, .completed)
        XCTAssertTrue(console.targets.isEmpty, "every crash image was taken")
        XCTAssertEqual(console.failures, [], "every crash image was copied")
        Self.stepChanges = console.stepChanges.map(\.step)
        let reference = (dir: dir, reference: Run(result: result, brewery: brewery, log: log))
        Self.cached = reference
        return reference
    }

    override class func tearDown() {
        removeCrashImages()
        super.tearDown()
    }

    static func removeCrashImages() {
        if let dir = cached?.dir { try? FileManager.default.removeItem(at: dir) }
        cached = nil
    }

    /// Resumes the interrupted batch of (a copy of) a crash image the way `brewctl resume --fast` does.
    private func resume(_ name: String, edit: ((BatchLog) throws -> Void)? = nil) throws -> Run {
        let dir = try Self.reference().dir
        let image = dir.appendingPathComponent("\(name).sqlite").path
        let db = dir.appendingPathComponent("\(name)-\(UUID().uuidString).sqlite").path
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: image + suffix) {
            try FileManager.default.copyItem(atPath: image + suffix, toPath: db + suffix)
        }
        let log = try BatchLog(path: db, durability: .normal)
        try edit?(log)
        let (rig, plan) = try Self.setup()
        let point = try ResumePoint.load(batch: 1, from: log, simulated: true)
        let brewery = try SimulatedBrewery(rig: rig)
        let clock = SimulationClock(start: Instant(seconds: point.firstTick(tick: rig.control.tick)), speed: nil)
        let result = BatchRunner(plan: plan, backend: brewery, log: log, clock: clock, console: RecordingConsole(),
                                 options: Self.options(), resume: point).run()
        return Run(result: result, brewery: brewery, log: log)
    }

    private func snapshot(_ name: String) throws -> BatchSnapshot { try BatchSnapshot.decode(try Self.payload(at: name)) }

    /// The saved state in a crash image of the uninterrupted IPA brew (`crashes`), as stored.
    static func payload(at name: String) throws -> Data {
        let log = try BatchLog(path: try reference().dir.appendingPathComponent("\(name).sqlite").path, durability: .normal)
        return try XCTUnwrap(try log.state(batch: 1)).payload
    }

    private func assertSameBatch(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let ref = try Self.reference().reference
        let resumed = try resume(name)
        XCTAssertEqual(resumed.result.outcome, .completed, file: file, line: line)
        XCTAssertEqual(resumed.result.brewTime, ref.result.brewTime, "the same end of the brew day, to the tick", file: file, line: line)
        XCTAssertEqual(resumed.brewery.plant.snapshot(), ref.brewery.plant.snapshot(), "the same plant at the end", file: file, line: line)

        let a = try XCTUnwrap(try ref.log.batch(1)), b = try XCTUnwrap(try resumed.log.batch(1))
        func steps(_ d: BatchDetail) -> [String] { d.steps.map { "\($0.position) \($0.name) \($0.startedAt)–\($0.endedAt ?? -1) \($0.outcome ?? "")" } }
        XCTAssertEqual(steps(b), steps(a), file: file, line: line)
        func events(_ d: BatchDetail) -> [String] {
            d.events.filter { !$0.message.hasPrefix("Resumed after a gap") }.map { "\($0.at) \($0.kind.rawValue) \($0.message) \($0.actor ?? "")" }
        }
        XCTAssertEqual(events(b), events(a), file: file, line: line)
        XCTAssertEqual(b.events.filter { $0.message.hasPrefix("Resumed after a gap") }.count, 1, file: file, line: line)
        XCTAssertEqual(b.channels.map(\.name), a.channels.map(\.name), file: file, line: line)
        for (x, y) in zip(a.channels, b.channels) {
            let want = try ref.log.samples(channel: x.id), got = try resumed.log.samples(channel: y.id)
            XCTAssertEqual(got.count, want.count, "\(x.name): sample count", file: file, line: line)
            let first = zip(want, got).first { $0.at != $1.at || $0.value != $1.value }
            XCTAssertNil(first.map { "\(x.name): \($0.0) ≠ \($0.1)" }, "every sample as uninterrupted", file: file, line: line)
        }
    }

    /// A kill just after any step change — the state committed at the change, between samples,
    /// with the plant already changed by a confirmed fill or transfer — resumes as the
    /// uninterrupted batch: the interlocks decide on the values they held until the next sample.
    func testAResumeJustAfterEveryStepChangeIsTheUninterruptedBatch() throws {
        _ = try Self.reference()
        XCTAssertGreaterThanOrEqual(Self.stepChanges.count, 10, "the IPA's step changes were seen")
        for step in Self.stepChanges {
            try assertSameBatch("step-\(step)")
        }
    }

    func testAResumeWhileTheRIMSHeatsWithItsPumpAndFlowInterlockIsTheUninterruptedBatch() throws {
        let s = try snapshot("strike")
        XCTAssertEqual(s.steps[s.engine.stepIndex], "Bring the mash tun to strike temperature")
        try assertSameBatch("strike")
    }

    func testAResumeMidMashRestIsTheUninterruptedBatch() throws {
        let s = try snapshot("rest")
        XCTAssertEqual(s.steps[s.engine.stepIndex], "Saccharification rest")
        XCTAssertNotNil(s.engine.reachedAt, "the rest timer was running")
        try assertSameBatch("rest")
    }

    func testAResumeDuringTheHeatUpToTheBoilKeepsTheBoilDetectionAndIsTheUninterruptedBatch() throws {
        let s = try snapshot("heat-up")
        XCTAssertEqual(s.steps[s.engine.stepIndex], "Boil")
        XCTAssertNil(s.engine.boilStartedAt, "still heating to the boil")
        XCTAssertGreaterThan(s.engine.history?.values.count ?? 0, 100, "the boil detection had a history to keep")
        try assertSameBatch("heat-up")
    }

    func testAResumeMidBoilIsTheUninterruptedBatch() throws {
        let s = try snapshot("boil")
        XCTAssertEqual(s.steps[s.engine.stepIndex], "Boil")
        XCTAssertNotNil(s.engine.boilStartedAt)
        XCTAssertLessThan(s.engine.additionsAnnounced, 4, "additions still to come")
        try assertSameBatch("boil")
    }

    func testAResumeDuringTheChillIsTheUninterruptedBatch() throws {
        let s = try snapshot("chill")
        XCTAssertEqual(s.steps[s.engine.stepIndex], "Chill to pitching temperature")
        XCTAssertEqual(s.simulation?.vessels[2].chillerOpen, true, "the chiller valve was open")
        try assertSameBatch("chill")
    }

    /// A version 1 snapshot (JSON, from before the whole plant was kept) still resumes, through
    /// the approximate restore: the same steps, a few seconds off the uninterrupted brew day.
    func testAVersionOneSnapshotResumesApproximately() throws {
        let ref = try Self.reference().reference
        let old = try BatchSnapshot.decode(Data(Self.versionOne.utf8))
        XCTAssertEqual(old.version, 1)
        XCTAssertNil(old.simulation)
        XCTAssertNotNil(old.plant)
        let resumed = try resume("rest") { log in
            let state = try XCTUnwrap(try log.state(batch: 1))
            XCTAssertEqual(state.brewTime, old.brewTime, "the fixture was saved at the same point of the same brew day")
            var v1 = state
            v1.payload = Data(Self.versionOne.utf8)
            try log.saveState(v1)
        }
        XCTAssertEqual(resumed.result.outcome, .completed)
        let a = try XCTUnwrap(try ref.log.batch(1)), b = try XCTUnwrap(try resumed.log.batch(1))
        XCTAssertEqual(b.steps.map(\.name), a.steps.map(\.name))
        XCTAssertTrue(b.events.contains { $0.message.contains("restored approximately from a snapshot of an older brewctl") })
        // It ends 9 s after the uninterrupted day: the probe's lag and noise started over.
        XCTAssertNotEqual(resumed.result.brewTime, ref.result.brewTime, "approximate, not exact")
        XCTAssertEqual(resumed.result.brewTime.value, ref.result.brewTime.value, accuracy: 15, "close to the uninterrupted day")
    }

    /// `brewctl run` of this IPA at brew time 5995 s (mid-mash rest), as the version 1 format saved it.
    static let versionOne = #"""
{"heaterLoops":[{"output":{"carry":-0.056379234281525054},"mode":"pid","setpoint":77,"demand":7.182600785914653,"pid":{"setpoint":77,"integral":3.4326007859146532,"lastTime":5995,"lastMeasurement":76.9375,"derivative":0,"output":7.182600785914653,"unclamped":7.182600785914653}},{"output":{"carry":-0.08527543573430485},"mode":"pid","setpoint":66.5,"demand":3.1120328204589223,"pid":{"setpoint":66.5,"integral":6.862032820458922,"lastTime":5995,"lastMeasurement":66.5625,"derivative":0,"output":3.1120328204589223,"unclamped":3.1120328204589223}},{"output":{"carry":0},"mode":"off","demand":0,"pid":{"integral":0,"derivative":0,"unclamped":0,"setpoint":0,"output":0}}],"plant":{"vessels":[{"evaporated":0,"grain":0,"probe":76.98416447599294,"temperature":77.0209867934306,"water":38},{"evaporated":0,"grain":13,"probe":66.58788805429758,"temperature":66.57425010541303,"water":40},{"evaporated":0,"grain":0,"probe":17.9913054076222,"temperature":18,"water":0}],"now":5995.000000004278},"gapHold":false,"heaterFaults":[null,null,null],"engine":{"stepIndex":6,"lastAdvance":5995,"reachedAt":4345,"regimes":[{"kind":"hold","to":77},{"kind":"hold","to":66.5},{"kind":"off"}],"countedTime":1650,"stepStartedAt":4320.1,"phase":"running","additionsAnnounced":0},"steps":["Fill the HLT","Heat strike water","Strike water to the mash tun","Heat sparge water","Bring the mash tun to strike temperature","Dough in","Saccharification rest","Mash out","Stop the RIMS","Lauter and sparge","HLT off","Boil","Chill to pitching temperature","Into the fermenter"],"brewTime":5995,"recipeName":"Club American IPA","version":1}
"""#
}
