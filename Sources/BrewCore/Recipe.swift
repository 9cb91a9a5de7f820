/// A recipe: *what* to make, as an ordered list of steps in terms of vessel roles.
public struct Recipe: Hashable, Sendable {
    public var name: String
    public var style: String?
    public var notes: String?
    public var batchVolume: Litres?
    public var steps: [Step]

    public init(name: String, style: String? = nil, notes: String? = nil, batchVolume: Litres? = nil, steps: [Step]) {
        self.name = name
        self.style = style
        self.notes = notes
        self.batchVolume = batchVolume
        self.steps = steps
    }

    /// One step of a brew day. `name` is what the brewer sees ("Saccharification rest").
    public struct Step: Hashable, Sendable {
        public var name: String
        public var kind: StepKind
        public init(_ name: String, _ kind: StepKind) {
            self.name = name
            self.kind = kind
        }
    }
}

/// The kinds of brewing step. What each leaves behind when it ends is part of its meaning:
/// `heat`, `rest` and `ramp` keep the vessel at their final temperature until a later step takes
/// the vessel over or turns it `off` (strike water and mash wait for you at temperature);
/// `boil` and `chill` leave the heater off.
public enum StepKind: Hashable, Sendable {
    /// Heat a vessel until it reaches a temperature.
    case heat(VesselRole, to: Celsius)
    /// Bring a vessel to a temperature, then hold it there for a time (the timer counts only
    /// while the temperature is within the band).
    case rest(VesselRole, at: Celsius, duration: Seconds)
    /// Move the setpoint linearly to a temperature over a time; ends once both are reached.
    case ramp(VesselRole, to: Celsius, duration: Seconds)
    /// Keep a vessel at a temperature in the background while later steps run; ends at once.
    case hold(VesselRole, at: Celsius)
    /// Turn a vessel's heating off (for example once the HLT is drained); ends at once.
    case off(VesselRole)
    /// Heat to a boil, then boil for a time counted from the moment the boil is detected, with
    /// additions announced by the time left.
    case boil(VesselRole, duration: Seconds, additions: [Addition], power: Percent?)
    /// Cool a vessel (chiller on, heat off) until it is at or below a temperature.
    case chill(VesselRole, to: Celsius)
    /// Wait for the operator to do something and confirm it. `actions` describe the physical
    /// change in a form the simulated brewery can carry out, and the log can record.
    case confirm(message: String, actions: [OperatorAction])

    public var keyword: String {
        switch self {
        case .heat: "heat"
        case .rest: "rest"
        case .ramp: "ramp"
        case .hold: "hold"
        case .off: "off"
        case .boil: "boil"
        case .chill: "chill"
        case .confirm: "confirm"
        }
    }

    /// The vessel the step controls, if any.
    public var vessel: VesselRole? {
        switch self {
        case .heat(let v, _), .rest(let v, _, _), .ramp(let v, _, _), .hold(let v, _), .off(let v),
             .boil(let v, _, _, _), .chill(let v, _):
            v
        case .confirm:
            nil
        }
    }
}

/// Something added during the boil: hops, finings, sugar.
public struct Addition: Hashable, Sendable {
    public enum Timing: Hashable, Sendable {
        /// Into the kettle as the wort runs in, before the boil starts.
        case firstWort
        /// With this much boil time left (60 min in a 60-min boil = at the start of the boil).
        case remaining(Seconds)
        /// At the end of the boil, as the heat goes off (0 min).
        case flameout
    }

    public var what: String
    public var amount: String?
    public var timing: Timing

    public init(_ what: String, amount: String? = nil, at timing: Timing) {
        self.what = what
        self.amount = amount
        self.timing = timing
    }

    /// Time left in the boil when this addition is due; nil for first-wort.
    public var timeLeft: Seconds? {
        switch timing {
        case .firstWort: nil
        case .remaining(let s): s
        case .flameout: .zero
        }
    }

    /// "Add 30 g Citra".
    public var instruction: String {
        if let amount { return "Add \(amount) \(what)" }
        return "Add \(what)"
    }
}

/// A physical change the operator makes at a confirmation step.
public enum OperatorAction: Hashable, Sendable, CustomStringConvertible {
    /// Fill a vessel with water from the tap.
    case fill(VesselRole, Litres)
    /// Move liquid from one vessel to another (pumping, running off, sparging).
    case transfer(from: VesselRole, to: VesselRole, Litres)
    /// Stir grain into a vessel (dough in).
    case addGrain(VesselRole, Kilograms)

    public var description: String {
        switch self {
        case .fill(let v, let l): "fill \(v.displayName) with \(l)"
        case .transfer(let a, let b, let l): "transfer \(l) from \(a.displayName) to \(b.displayName)"
        case .addGrain(let v, let kg): "add \(kg) grain to \(v.displayName)"
        }
    }
}
