/// One run of a still: heat up, optionally settle under full reflux, then collect the distillate
/// in cuts, each into its own receiver, until the end condition.
public struct DistillationRun: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Strip a wash to low wines as fast as is safe; usually one cut.
        case stripping
        /// Low wines (or wash) to spirit, with foreshots, heads, hearts and tails.
        case spirit
        /// A spirit run through botanicals.
        case gin
    }

    public var kind: Kind
    /// What is charged into the still.
    public var charge: Litres?
    /// Alcohol by volume of the charge, for the log and yield estimates.
    public var chargeABV: Percent?
    /// Element power while heating up to the first distillate.
    public var heatUpPower: Percent
    /// Element power while collecting.
    public var runPower: Percent
    /// Time under full reflux before anything is collected (a column's plates settle).
    public var equilibrate: Seconds?
    public var botanicals: Botanicals?
    /// In order: the distillate goes to each cut's receiver until its `until` holds.
    public var cuts: [Cut]
    /// Ends the run (and the last cut, if it has no `until` of its own).
    public var end: CutCondition

    public init(kind: Kind, charge: Litres?, chargeABV: Percent? = nil, heatUpPower: Percent, runPower: Percent,
                equilibrate: Seconds?, botanicals: Botanicals? = nil, cuts: [Cut], end: CutCondition) {
        self.kind = kind
        self.charge = charge
        self.chargeABV = chargeABV
        self.heatUpPower = heatUpPower
        self.runPower = runPower
        self.equilibrate = equilibrate
        self.botanicals = botanicals
        self.cuts = cuts
        self.end = end
    }

    /// Whether the run needs a probe at the column head (any cut switched on vapour temperature).
    public var needsHeadTemperature: Bool {
        (cuts.compactMap(\.until) + [end]).contains { if case .headTemperature = $0 { true } else { false } }
    }

    /// Whether the run switches on distillate volume.
    public var needsDistillateVolume: Bool {
        (cuts.compactMap(\.until) + [end]).contains { if case .volume = $0 { true } else { false } }
    }
}

public struct Cut: Hashable, Sendable {
    public enum Fraction: String, Hashable, Sendable, CaseIterable {
        case foreshots, heads, hearts, tails
        case lowWines = "low_wines"
    }

    public var fraction: Fraction
    /// The receiver's name, as the rig's still lists it (or a jar the distiller swaps in).
    public var receiver: String
    /// When to switch to the next cut; nil only for the last cut, which ends with the run.
    public var until: CutCondition?

    public init(_ fraction: Fraction, receiver: String, until: CutCondition?) {
        self.fraction = fraction
        self.receiver = receiver
        self.until = until
    }
}

/// When a cut (or the run) ends.
public enum CutCondition: Hashable, Sendable {
    /// This much distillate has been collected into the cut (foreshots by volume).
    case volume(Litres)
    /// The vapour temperature at the column head has reached this.
    case headTemperature(Celsius)
    /// The run has lasted this long since the first distillate.
    case duration(Seconds)
}

/// Botanicals for a gin: in a basket in the vapour path, or macerated in the charge beforehand.
public struct Botanicals: Hashable, Sendable {
    public enum Method: Hashable, Sendable {
        case basket
        /// Steeped in the charge for this long before heating.
        case maceration(Seconds)
    }

    public struct Item: Hashable, Sendable {
        public var what: String
        public var amount: String?
        public init(_ what: String, amount: String? = nil) {
            self.what = what
            self.amount = amount
        }
    }

    public var method: Method
    public var items: [Item]
    public init(method: Method, items: [Item]) {
        self.method = method
        self.items = items
    }
}
