import Foundation

/// A small, fast, seedable generator (SplitMix64) so a simulated brew day is the same every run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var word: UInt64
    private var spare: Double?

    public init(seed: UInt64) { word = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// The generator's whole state: a generator restored from it continues the very same sequence
    /// (a resumed simulation draws the probe noise an uninterrupted one would have).
    public struct State: Hashable, Sendable, Codable {
        public var word: UInt64
        /// The second Box–Muller deviate, not yet handed out.
        public var spare: Double?
        public init(word: UInt64, spare: Double?) {
            self.word = word
            self.spare = spare
        }
    }

    public var state: State { State(word: word, spare: spare) }

    public init(state: State) {
        word = state.word
        spare = state.spare
    }

    public mutating func next() -> UInt64 {
        word &+= 0x9E37_79B9_7F4A_7C15
        var z = word
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    public mutating func unit() -> Double { (Double(next() >> 11) + 1) / 9_007_199_254_740_992.0 }

    /// Standard normal deviate (Box–Muller, both halves used).
    public mutating func gaussian() -> Double {
        if let s = spare {
            spare = nil
            return s
        }
        let r = (-2 * log(unit())).squareRoot()
        let theta = 2 * Double.pi * unit()
        spare = r * sin(theta)
        return r * cos(theta)
    }
}
