import BrewCore

/// A digital input line: a level switch, a door contact, a flow meter's pulse output.
public protocol DigitalInput: AnyObject {
    /// A name for messages, e.g. "gpiochip0 line 17".
    var name: String { get }
    /// The line's current logical level (after any active-low inversion).
    func read() throws(BusError) -> Bool
}

/// One edge seen on an input line, stamped by the kernel (libgpiod's line events carry
/// CLOCK_MONOTONIC nanoseconds), so the timing does not depend on when the control loop gets
/// round to reading them.
public struct EdgeEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case rising, falling }
    public var kind: Kind
    /// Monotonic time in nanoseconds.
    public var timestamp: UInt64

    public init(_ kind: Kind, at timestamp: UInt64) {
        self.kind = kind
        self.timestamp = timestamp
    }
}

/// An input that queues its edges with timestamps (a GPIO line requested for both edges).
public protocol EdgeEventSource: DigitalInput {
    /// Moves up to `max` queued events, oldest first, to the end of `buffer` and returns how many.
    /// Never blocks: an empty queue returns 0. With `buffer`'s capacity reserved, nothing allocates.
    func readEdgeEvents(into buffer: inout [EdgeEvent], max: Int) throws(BusError) -> Int
}
