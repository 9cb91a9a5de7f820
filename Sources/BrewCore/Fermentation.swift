/// A fermentation temperature profile: stages run one after another, each holding or ramping the
/// fermenter's temperature, optionally ending early on a condition (gravity reached).
public struct FermentationProfile: Hashable, Sendable {
    public var stages: [FermentationStage]
    /// Reminders at times counted from the start of the fermentation ("dry hop on day 3").
    public var alerts: [TimedAlert]

    public init(stages: [FermentationStage], alerts: [TimedAlert] = []) {
        self.stages = stages
        self.alerts = alerts
    }

    /// The planned length, counting conditional stages at their maximum duration.
    public var plannedDuration: Seconds? {
        var total = Seconds.zero
        for s in stages {
            guard let d = s.duration else { return nil }
            total = total + d
        }
        return total
    }
}

public struct FermentationStage: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Hold the fermenter at a temperature.
        case hold(Celsius)
        /// Move the setpoint steadily to a temperature over the stage's duration.
        case ramp(to: Celsius)
    }

    public var name: String
    public var kind: Kind
    /// How long the stage lasts; with `until`, the longest it may last (nil: until the condition).
    public var duration: Seconds?
    /// Ends the stage early (or, without a duration, at all) when it holds.
    public var until: AdvanceCondition?

    public init(name: String, kind: Kind, duration: Seconds?, until: AdvanceCondition? = nil) {
        self.name = name
        self.kind = kind
        self.duration = duration
        self.until = until
    }

    public var temperature: Celsius {
        switch kind {
        case .hold(let t), .ramp(let t): t
        }
    }
}

/// A condition on a sensor reading that moves a fermentation on.
public enum AdvanceCondition: Hashable, Sendable {
    /// Specific gravity at or below a value, steadily for a time (so one low reading does not count).
    case gravity(atOrBelow: SpecificGravity, stableFor: Seconds)
}

/// A reminder at a time counted from the start of its step.
public struct TimedAlert: Hashable, Sendable {
    public var message: String
    public var at: Seconds
    public init(_ message: String, at: Seconds) {
        self.message = message
        self.at = at
    }
}
