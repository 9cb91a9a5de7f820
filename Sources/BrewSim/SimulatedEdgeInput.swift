import BrewCore
import BrewHAL

/// A GPIO input with an edge queue, fed by a test or the simulated plant: `pulse(at:)` queues a
/// rising and a falling edge, `set(_:at:)` a level change. Reading the events drains the queue,
/// oldest first. `failNextRead` makes the next call throw `.io` (and loses nothing).
public final class SimulatedEdgeInput: EdgeEventSource {
    public let name: String
    public private(set) var level = false
    public var failNextRead = false
    private var queue: [EdgeEvent] = []

    public init(name: String = "sim-gpio") { self.name = name }

    public var pendingEvents: Int { queue.count }

    public func set(_ high: Bool, at timestamp: UInt64) {
        guard high != level else { return }
        level = high
        queue.append(EdgeEvent(high ? .rising : .falling, at: timestamp))
    }

    /// A pulse `width` ns wide starting at `timestamp`.
    public func pulse(at timestamp: UInt64, width: UInt64 = 1_000_000) {
        set(true, at: timestamp)
        set(false, at: timestamp + width)
    }

    public func read() throws(BusError) -> Bool {
        if failNextRead { failNextRead = false; throw BusError(.io, bus: name, detail: "injected read failure") }
        return level
    }

    public func readEdgeEvents(into buffer: inout [EdgeEvent], max: Int) throws(BusError) -> Int {
        if failNextRead { failNextRead = false; throw BusError(.io, bus: name, detail: "injected read failure") }
        let n = min(max, queue.count)
        buffer.append(contentsOf: queue.prefix(n))
        queue.removeFirst(n)
        return n
    }
}
