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
    /// Whirlpool or hop stand after the boil: optionally cool to (and hold at) a temperature,
    /// then run for a time, with additions announced by the time left.
    case whirlpool(VesselRole, duration: Seconds, temperature: Celsius?, additions: [Addition])
    /// Pump a metered volume from one vessel to another (needs a pump and a flow meter).
    case transfer(from: VesselRole, to: VesselRole, volume: Litres)
    /// Sparge and lauter: rinse the grain in `vessel` with water from `from`, running off into
    /// `to` until `collect` is there. Operator-guided, or automated with pumps and flow meters.
    case sparge(Sparge)
    /// A fermentation temperature profile over days.
    case ferment(VesselRole, FermentationProfile)
    /// A stripping, spirit or gin run on a still, with its cuts.
    case distill(VesselRole, DistillationRun)

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
        case .whirlpool: "whirlpool"
        case .transfer: "transfer"
        case .sparge: "sparge"
        case .ferment: "ferment"
        case .distill: "distill"
        }
    }

    /// What the operator is asked to do and confirm, for steps that wait for them.
    public var manualPrompt: (message: String, actions: [OperatorAction])? {
        switch self {
        case .confirm(let message, let actions): (message, actions)
        case .sparge(let s) where s.mode == .manual: (s.instruction, s.actions)
        default: nil
        }
    }

    /// Every vessel the step involves, the controlled one first.
    public var vessels: [VesselRole] {
        switch self {
        case .transfer(let from, let to, _): [from, to]
        case .sparge(let s): [s.vessel, s.from, s.to]
        case .confirm(_, let actions): actions.flatMap(\.vessels)
        default: vessel.map { [$0] } ?? []
        }
    }

    /// The vessel the step controls, if any.
    public var vessel: VesselRole? {
        switch self {
        case .heat(let v, _), .rest(let v, _, _), .ramp(let v, _, _), .hold(let v, _), .off(let v),
             .boil(let v, _, _, _), .chill(let v, _), .whirlpool(let v, _, _, _), .ferment(let v, _), .distill(let v, _):
            v
        case .transfer(let from, _, _):
            from
        case .sparge(let s):
            s.vessel
        case .confirm:
            nil
        }
    }
}

/// A sparge: rinse the grain bed with hot water and run the wort off into the kettle.
public struct Sparge: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable {
        /// The brewer runs it; brewctl shows what to do and waits for confirmation.
        case manual
        /// brewctl runs the pumps, metering the water in and the wort out.
        case automated
    }
    /// Where the grain is (the mash tun).
    public var vessel: VesselRole
    /// Where the sparge water comes from (the HLT).
    public var from: VesselRole
    /// Where the wort runs to (the kettle).
    public var to: VesselRole
    /// Sparge water to run onto the grain.
    public var water: Litres
    /// Wort to collect in `to` (the pre-boil volume), if the brewer works to a volume.
    public var collect: Litres?
    public var mode: Mode
    /// What the brewer is told (manual mode); a standard instruction if nil.
    public var message: String?

    public init(vessel: VesselRole, from: VesselRole, to: VesselRole, water: Litres, collect: Litres?, mode: Mode, message: String? = nil) {
        self.vessel = vessel
        self.from = from
        self.to = to
        self.water = water
        self.collect = collect
        self.mode = mode
        self.message = message
    }

    /// The instruction shown to the brewer for a manual sparge.
    public var instruction: String {
        if let message { return message }
        let target = collect.map { " until the \(to.displayName.lowercased()) holds \($0)" } ?? ""
        return "Sparge with \(water) from the \(from.displayName) and run off into the \(to.displayName.lowercased())\(target), then confirm"
    }

    /// The physical change, as operator actions.
    public var actions: [OperatorAction] {
        [.transfer(from: from, to: vessel, water), .transfer(from: vessel, to: to, collect ?? water)]
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

    /// What kind of thing goes in, for the log and the screen.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case hop, fining, sugar, spice, nutrient, salt, other
    }

    public var what: String
    public var amount: String?
    public var timing: Timing
    public var kind: Kind?

    public init(_ what: String, amount: String? = nil, at timing: Timing, kind: Kind? = nil) {
        self.what = what
        self.amount = amount
        self.timing = timing
        self.kind = kind
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

    public var vessels: [VesselRole] {
        switch self {
        case .fill(let v, _), .addGrain(let v, _): [v]
        case .transfer(let a, let b, _): [a, b]
        }
    }

    public var description: String {
        switch self {
        case .fill(let v, let l): "fill \(v.displayName) with \(l)"
        case .transfer(let a, let b, let l): "transfer \(l) from \(a.displayName) to \(b.displayName)"
        case .addGrain(let v, let kg): "add \(kg) grain to \(v.displayName)"
        }
    }
}
