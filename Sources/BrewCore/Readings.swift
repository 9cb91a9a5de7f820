/// One temperature measurement as the control tick sees it: a value, when it was taken, and
/// whether it can be trusted. A bad reading is *invalid*, not an exception.
public struct TemperatureReading: Hashable, Sendable {
    public enum Quality: Hashable, Sendable {
        case good
        /// The device or bus failed; the text says how (for the alarm).
        case fault(String)
    }

    public var value: Celsius
    public var takenAt: Instant
    public var quality: Quality

    public init(value: Celsius, takenAt: Instant, quality: Quality = .good) {
        self.value = value
        self.takenAt = takenAt
        self.quality = quality
    }

    public static func fault(_ why: String, at: Instant) -> TemperatureReading {
        TemperatureReading(value: Celsius(.nan), takenAt: at, quality: .fault(why))
    }

    /// The range a brewing probe can physically report; anything outside is a wiring or chip fault.
    public static let plausibleRange: ClosedRange<Double> = -30...150

    /// Why this reading must not be used at `now`, or nil when it is fine.
    public func problem(at now: Instant, staleAfter: Seconds) -> String? {
        if case .fault(let why) = quality { return why }
        if !value.value.isFinite { return "no value" }
        if !Self.plausibleRange.contains(value.value) { return "implausible \(value)" }
        let age = now - takenAt
        if age > staleAfter { return "stale: last reading \(Format.duration(age)) old" }
        return nil
    }
}

extension TemperatureReading {
    /// A reading as plain numbers for a resume snapshot: the time as brew time (s after an
    /// origin), the value only when finite, and a fault's text.
    public struct Snapshot: Hashable, Sendable, Codable {
        public var value: Double?
        public var takenAt: Double
        public var fault: String?
        public init(value: Double?, takenAt: Double, fault: String?) {
            self.value = value
            self.takenAt = takenAt
            self.fault = fault
        }
    }

    public func snapshot(origin: Instant) -> Snapshot {
        var why: String?
        if case .fault(let text) = quality { why = text }
        return Snapshot(value: value.value.isFinite ? value.value : nil, takenAt: takenAt.seconds - origin.seconds, fault: why)
    }

    public init(_ s: Snapshot, origin: Instant) {
        self.init(value: Celsius(s.value ?? .nan), takenAt: origin + Seconds(s.takenAt), quality: s.fault.map { .fault($0) } ?? .good)
    }
}
