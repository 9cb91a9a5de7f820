import BrewControl
import BrewCore
import BrewLog
import BrewProcess
import BrewSim
import Foundation

/// Everything needed to continue a batch where it stopped, persisted in the log's `batch_state`
/// row on every step change and every samples flush (same transaction).
///
/// Format (`version`): 4 is the compact binary of `BinaryCoding.swift`, after the magic `BRWS`
/// and the version (`encoded()`), with the values the interlocks were deciding on; 3 was the same
/// without them (the interlock sensors are read again on resume), with what the outputs really did
/// since the last sample, and a CRC-32 of everything before it in its last 4 bytes (a damaged state
/// is refused, not misread); 2 was the same without either (still read: the first sample after such a resume averages a part of its
/// period); 1 was JSON, written before the whole plant and the tick's
/// memory were kept, and is still read (`decode`), so a batch interrupted by an older brewctl
/// resumes. Binary because the state is replaced every 5 s of brew time: JSON cost a quarter of
/// a flat-out simulation.
public struct BatchSnapshot: Decodable, Equatable, Sendable {
    public static let currentVersion = 4
    public var version = BatchSnapshot.currentVersion
    public var recipeName: String
    /// The recipe's step names: a resume refuses a recipe file that no longer matches.
    public var steps: [String]
    /// Brew time of the snapshot, s.
    public var brewTime: Double
    public var engine: StepEngine.Snapshot
    /// Each vessel's heater loop (nil without a heater).
    public var heaterLoops: [HeaterLoop.Snapshot?]
    /// The simulated plant as version 1 saved it: temperatures and contents only, restored
    /// approximately (nil in newer snapshots, which keep `simulation`, and on a real rig).
    public var plant: PlantSnapshot?
    /// True while heating waits for the operator after a long gap.
    public var gapHold: Bool
    /// Heater faults latched until acknowledged (a dead element, a welded SSR): a crash must not
    /// forget them. Absent in snapshots from before they were kept.
    public var heaterFaults: [String?]?
    /// The simulated plant, all of it, so a resumed simulation goes on exactly (nil on a real rig:
    /// real vessels outlive the controller by themselves; absent in version 1).
    public var simulation: SimulatedPlant.Snapshot?
    /// The tick's memory and the runner's last readings, for a seamless resume of the simulated
    /// brewery (absent in version 1; not used after a real gap).
    public var tick: ProcessController.TickState?
    public var readings: [TemperatureReading.Snapshot?]?
    /// Alarms raised since the last acknowledgement ("[brew time] message"), still shown until
    /// someone acknowledges them: a crash must not make them look seen.
    public var unacknowledged: [String]?
    /// Outputs an interlock trip holds off until acknowledged ("output: why").
    public var trips: [String]?
    /// What each heater really did since the last sample, for the logged applied power (absent
    /// before version 3).
    public var applied: AppliedOutputs?
    /// The values each interlock was deciding on until the next sample (the simulated brewery;
    /// absent before version 4).
    public var interlockMemory: [SavedInterlockValue]?

    /// Every field, none defaulted, so the binary format's `decode` cannot leave one out.
    public init(recipeName: String, steps: [String], brewTime: Double, engine: StepEngine.Snapshot, heaterLoops: [HeaterLoop.Snapshot?],
                plant: PlantSnapshot?, gapHold: Bool, heaterFaults: [String?]?, simulation: SimulatedPlant.Snapshot?,
                tick: ProcessController.TickState?, readings: [TemperatureReading.Snapshot?]?, unacknowledged: [String]?,
                trips: [String]?, applied: AppliedOutputs?, interlockMemory: [SavedInterlockValue]?) {
        self.recipeName = recipeName
        self.steps = steps
        self.brewTime = brewTime
        self.engine = engine
        self.heaterLoops = heaterLoops
        self.plant = plant
        self.gapHold = gapHold
        self.heaterFaults = heaterFaults
        self.simulation = simulation
        self.tick = tick
        self.readings = readings
        self.unacknowledged = unacknowledged
        self.trips = trips
        self.applied = applied
        self.interlockMemory = interlockMemory
    }

    private static let magic = Array("BRWS".utf8)

    /// Reads a saved state of any version brewctl knows: JSON (1) or binary (2).
    public static func decode(_ data: Data) throws -> BatchSnapshot {
        if data.first == UInt8(ascii: "{") {
            let s = try JSONDecoder().decode(BatchSnapshot.self, from: data)
            guard s.version == 1 else { throw BinaryReader.Error("a JSON snapshot of version \(s.version)") }
            return s
        }
        let bytes = [UInt8](data)
        var header = BinaryReader(bytes, version: 0)
        try header.expect(magic, "a brewctl batch snapshot")
        let version: Int = try header.read()
        guard (2...4).contains(version) else {
            throw BinaryReader.Error("a snapshot of format \(version), which this brewctl (format \(currentVersion)) cannot read: resume it with the brewctl that wrote it")
        }
        var body = bytes
        if version >= 3 {
            guard bytes.count >= header.offset + 4 else { throw BinaryReader.Error("too short to hold its checksum") }
            let stored = bytes.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            body = Array(bytes.dropLast(4))
            guard CRC32.checksum(body) == stored else {
                throw BinaryReader.Error("its checksum does not match: the saved state was damaged or changed since brewctl wrote it")
            }
        }
        var r = BinaryReader(body, offset: header.offset, version: version)
        var s = try BatchSnapshot(recipeName: r.read(), steps: r.read(), brewTime: r.read(), engine: r.read(), heaterLoops: r.read(),
                                  plant: r.read(), gapHold: r.read(), heaterFaults: r.read(), simulation: r.read(), tick: r.read(),
                                  readings: r.read(), unacknowledged: r.read(), trips: r.read(),
                                  applied: version >= 3 ? r.read() : nil, interlockMemory: version >= 4 ? r.read() : nil)
        guard r.isAtEnd else { throw BinaryReader.Error("\(body.count - r.offset) bytes left over after the snapshot") }
        s.version = version
        return s
    }

    /// The current format (binary, `currentVersion`), whatever `version` says.
    public func encoded() -> Data {
        var w = BinaryWriter(capacity: 4096)
        w.writeRaw(Self.magic)
        w.write(Self.currentVersion, recipeName, steps, brewTime, engine, heaterLoops, plant, gapHold, heaterFaults, simulation,
                tick, readings, unacknowledged, trips, applied, interlockMemory)
        let crc = CRC32.checksum(w.bytes)
        w.writeRaw((0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) })
        return Data(w.bytes)
    }
}

/// How long the controller was down, and how that was measured.
public struct ResumeGap: Sendable, Equatable {
    /// nil when it cannot be known (another boot and a wall clock earlier than the snapshot).
    public var length: Seconds?
    public var measuredBy: String

    /// Within the same boot the monotonic boot clock measures the gap (a wall clock that jumps
    /// cannot disturb it); after a reboot only the wall clock can, and one that is earlier than
    /// the snapshot (no RTC, NTP not yet synced) leaves the gap unknown.
    public static func measure(_ state: BatchState, wallNow: Date = Date(), bootID: String? = SystemClock.bootID,
                               uptime: Double? = SystemClock.uptime()) -> ResumeGap {
        if let b0 = state.bootID, let b1 = bootID, b0 == b1, let u0 = state.uptime, let u1 = uptime, u1 >= u0 {
            return ResumeGap(length: Seconds(u1 - u0), measuredBy: "monotonic clock")
        }
        let wall = wallNow.timeIntervalSince(state.wall)
        guard wall >= 0 else { return ResumeGap(length: nil, measuredBy: "unknown: the wall clock is earlier than the last snapshot") }
        return ResumeGap(length: Seconds(wall), measuredBy: "wall clock, after a reboot")
    }
}

/// The kernel's boot id and boot-time clock (Linux; nil elsewhere).
public enum SystemClock {
    public static let bootID: String? = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)

    public static func uptime() -> Double? {
        #if os(Linux)
        var ts = timespec()
        guard clock_gettime(CLOCK_BOOTTIME, &ts) == 0 else { return nil }
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        #else
        return Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        #endif
    }
}

/// Where a resumed run starts.
public struct ResumePoint: Sendable {
    public var batchID: Int64
    public var state: BatchState
    public var snapshot: BatchSnapshot
    public var gap: ResumeGap
    /// Brew time that passed while the controller was down: the gap on a real rig; zero for the
    /// simulated brewery, whose plant stopped with the controller.
    public var brewTimeGap: Seconds
    public var channels: [ChannelRecord]
    /// The step row still open in the log (the step that was running).
    public var openStep: StepRecord?

    /// Brew time of the first tick of the resumed run: the tick after the snapshot's, plus the gap,
    /// on the run's tick grid (whole ticks from brew time zero, as an uninterrupted run has them).
    public func firstTick(tick: Seconds) -> Double {
        tick.value * (((state.brewTime + brewTimeGap.value) / tick.value).rounded() + 1)
    }

    public init(batchID: Int64, state: BatchState, snapshot: BatchSnapshot, gap: ResumeGap, brewTimeGap: Seconds,
                channels: [ChannelRecord], openStep: StepRecord?) {
        self.batchID = batchID
        self.state = state
        self.snapshot = snapshot
        self.gap = gap
        self.brewTimeGap = brewTimeGap
        self.channels = channels
        self.openStep = openStep
    }

    /// Loads the resume point of an interrupted batch from the log, refusing a saved state that
    /// is damaged or does not belong to `plan` (nil: not checked against a plan). Every number in
    /// it is from a file, so it is checked before any of it is used.
    public static func load(batch id: Int64, from log: BatchLog, simulated: Bool, plan: BrewPlan? = nil,
                            wallNow: Date = Date()) throws -> ResumePoint {
        guard let state = try log.state(batch: id) else { throw BatchLogError("batch \(id) has no saved state to resume from") }
        guard let detail = try log.batch(id) else { throw BatchLogError("there is no batch \(id)") }
        if let outcome = detail.batch.outcome { throw BatchLogError("batch \(id) already ended (\(outcome.rawValue))") }
        let snapshot: BatchSnapshot
        do { snapshot = try BatchSnapshot.decode(state.payload) } catch {
            throw BatchLogError("batch \(id) cannot be resumed: its saved state is damaged (\(error))")
        }
        func damaged(_ what: String) -> BatchLogError {
            BatchLogError("batch \(id) cannot be resumed: its saved state is damaged (\(what))")
        }
        let aLifetime = 1e9   // s, some thirty years: no brew time is longer
        guard state.brewTime.isFinite, state.brewTime >= 0, state.brewTime < aLifetime else { throw damaged("a brew time of \(state.brewTime) s") }
        guard snapshot.brewTime.isFinite, abs(snapshot.brewTime - state.brewTime) < 1e-3 else {
            throw damaged("its row says \(state.brewTime) s of brew time, its snapshot \(snapshot.brewTime) s")
        }
        let wall = state.wall.timeIntervalSince1970
        guard wall.isFinite, wall > 0, wall < 7e9 else { throw damaged("a wall-clock time of \(wall)") }
        if let uptime = state.uptime, !(uptime.isFinite && uptime >= 0) { throw damaged("an uptime of \(uptime)") }
        if let plan {
            let steps = plan.recipe.steps.count
            guard (0...steps).contains(state.stepIndex), (0...steps).contains(snapshot.engine.stepIndex) else {
                throw damaged("step \(state.stepIndex) of a recipe with \(steps) steps")
            }
            guard snapshot.heaterLoops.count == plan.vessels.count else {
                throw damaged("\(snapshot.heaterLoops.count) heater loops for \(plan.vessels.count) vessels")
            }
        }
        let gap = ResumeGap.measure(state, wallNow: wallNow)
        let open = detail.steps.last(where: { $0.endedAt == nil })
        return ResumePoint(batchID: id, state: state, snapshot: snapshot, gap: gap,
                           brewTimeGap: simulated ? .zero : (gap.length ?? .zero), channels: detail.channels, openStep: open)
    }
}
