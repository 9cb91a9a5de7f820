#if canImport(Glibc)
import Glibc
#endif
import BrewCore
import BrewHAL
import CGPIOD

// Every libgpiod call of brewctl is in this file, so a libgpiod 2 backend can be written beside it
// (Debian 12 and Raspberry Pi OS bookworm ship 1.6, the v1 API used here).

/// A GPIO chip (`/dev/gpiochipN`), opened by name (`gpiochip0`), label (`pinctrl-bcm2711`), path or
/// number — as the hardware file's `chip` says.
public final class LinuxGPIOChip {
    /// What brewctl's lines show as their consumer (`gpioinfo` lists it).
    public static let consumer = "brewctl"

    public let name: String
    public let label: String
    public let lineCount: Int
    private let chip: OpaquePointer

    /// Opens the chip. Throws `.noDevice` when there is no such chip, `.io` when it cannot be
    /// opened (permissions: the `gpio` group).
    public init(_ description: String) throws(BusError) {
        guard let chip = gpiod_chip_open_lookup(description) else {
            let e = errno
            throw BusError(e == ENOENT || e == ENODEV ? .noDevice : .io, bus: description,
                           detail: "cannot open GPIO chip \"\(description)\": \(String(cString: strerror(e)))"
                               + (e == EACCES ? " (add the user to the gpio group)" : ""))
        }
        self.chip = chip
        self.name = String(cString: gpiod_chip_name(chip))
        self.label = String(cString: gpiod_chip_label(chip))
        self.lineCount = Int(gpiod_chip_num_lines(chip))
    }

    deinit { gpiod_chip_close(chip) }

    /// The chip's device node, whichever way it was named.
    public var devicePath: String { "/dev/" + name }

    /// Requests `offset` as an output driven to its safe (off) value at once: the kernel sets the
    /// level in the same request, so the line never glitches on. `activeLow`: on = electrically low.
    public func output(line offset: Int, activeLow: Bool = false, name: String? = nil) throws(BusError) -> LinuxGPIOOutput {
        let line = try self.line(offset)
        let flags = activeLow ? Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0
        guard gpiod_line_request_output_flags(line, Self.consumer, flags, 0) == 0 else {
            throw requestError(offset, "as an output")
        }
        return LinuxGPIOOutput(chip: self, line: line, offset: offset, name: name ?? "\(self.name) line \(offset)")
    }

    /// Requests `offset` as an input (a level switch); `bias` where the kernel and board support it.
    public func input(line offset: Int, activeLow: Bool = false, bias: Bias = .asIs, name: String? = nil) throws(BusError) -> LinuxGPIOInput {
        let line = try self.line(offset)
        guard gpiod_line_request_input_flags(line, Self.consumer, flags(activeLow, bias)) == 0 else {
            throw requestError(offset, "as an input")
        }
        return LinuxGPIOInput(chip: self, line: line, offset: offset, name: name ?? "\(self.name) line \(offset)")
    }

    /// Requests edge events on `offset` (a pulse flow meter), timestamped by the kernel.
    public func edges(line offset: Int, _ edges: Edges = .rising, activeLow: Bool = false, bias: Bias = .asIs,
                      name: String? = nil) throws(BusError) -> LinuxGPIOEdges {
        let line = try self.line(offset)
        let f = flags(activeLow, bias)
        let rc: Int32 = switch edges {
        case .rising: gpiod_line_request_rising_edge_events_flags(line, Self.consumer, f)
        case .falling: gpiod_line_request_falling_edge_events_flags(line, Self.consumer, f)
        case .both: gpiod_line_request_both_edges_events_flags(line, Self.consumer, f)
        }
        guard rc == 0 else { throw requestError(offset, "for edge events") }
        return LinuxGPIOEdges(chip: self, line: line, offset: offset, name: name ?? "\(self.name) line \(offset)")
    }

    public enum Bias: Sendable { case asIs, disabled, pullUp, pullDown }
    public enum Edges: Sendable { case rising, falling, both }

    private func flags(_ activeLow: Bool, _ bias: Bias) -> Int32 {
        var f: UInt32 = activeLow ? UInt32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0
        switch bias {
        case .asIs: break
        case .disabled: f |= UInt32(GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)
        case .pullUp: f |= UInt32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
        case .pullDown: f |= UInt32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)
        }
        return Int32(bitPattern: f)
    }

    private func line(_ offset: Int) throws(BusError) -> OpaquePointer {
        guard offset >= 0, offset < lineCount, let line = gpiod_chip_get_line(chip, UInt32(offset)) else {
            throw BusError(.invalidRequest, bus: name, address: offset,
                           detail: "\(name) (\(label)) has lines 0…\(lineCount - 1), not \(offset)")
        }
        return line
    }

    private func requestError(_ offset: Int, _ what: String) -> BusError {
        let e = errno
        var detail = "cannot request line \(offset) \(what): \(String(cString: strerror(e)))"
        if e == EBUSY, let line = gpiod_chip_get_line(chip, UInt32(offset)), let user = gpiod_line_consumer(line) {
            detail += " (in use by \"\(String(cString: user))\")"
        }
        return BusError(e == EBUSY ? .io : e == EINVAL || e == EOPNOTSUPP ? .invalidRequest : .io,
                        bus: name, address: offset, detail: detail)
    }

    static func error(_ bus: String, _ offset: Int, _ what: String) -> BusError {
        BusError(.io, bus: bus, address: offset, detail: "\(what): \(String(cString: strerror(errno)))")
    }
}

/// A requested output line: an SSR, relay, valve or pump contactor.
public final class LinuxGPIOOutput: DigitalOutput {
    public let name: String
    public let offset: Int
    public private(set) var isOn = false
    private let chip: LinuxGPIOChip   // keeps the chip open as long as the line is held
    private let line: OpaquePointer

    init(chip: LinuxGPIOChip, line: OpaquePointer, offset: Int, name: String) {
        self.chip = chip
        self.line = line
        self.offset = offset
        self.name = name
    }

    /// Drives the line off, then releases it. (A Raspberry Pi keeps a released line's last level,
    /// so it is driven off first; the board's pull-downs cover a process that dies without this.)
    deinit {
        _ = gpiod_line_set_value(line, 0)
        gpiod_line_release(line)
    }

    public func set(_ on: Bool) throws(BusError) {
        guard gpiod_line_set_value(line, on ? 1 : 0) == 0 else {
            throw LinuxGPIOChip.error(chip.name, offset, "cannot set \(name) \(on ? "on" : "off")")
        }
        isOn = on
    }

    /// The level as the kernel reports it (logical: active-low already applied).
    public func readBack() throws(BusError) -> Bool {
        let v = gpiod_line_get_value(line)
        guard v >= 0 else { throw LinuxGPIOChip.error(chip.name, offset, "cannot read back \(name)") }
        return v == 1
    }
}

/// A requested input line: a level switch, a flow switch.
public final class LinuxGPIOInput {
    public let name: String
    public let offset: Int
    private let chip: LinuxGPIOChip
    private let line: OpaquePointer

    init(chip: LinuxGPIOChip, line: OpaquePointer, offset: Int, name: String) {
        self.chip = chip
        self.line = line
        self.offset = offset
        self.name = name
    }

    deinit { gpiod_line_release(line) }

    /// The logical level (active-low already applied).
    public func read() throws(BusError) -> Bool {
        let v = gpiod_line_get_value(line)
        guard v >= 0 else { throw LinuxGPIOChip.error(chip.name, offset, "cannot read \(name)") }
        return v == 1
    }
}

/// One edge, as the kernel timestamped it.
public struct GPIOEdgeEvent: Hashable, Sendable {
    /// Kernel timestamp in nanoseconds (CLOCK_MONOTONIC for the v1 character device since Linux 5.7).
    public var nanoseconds: UInt64
    public var rising: Bool
    public init(nanoseconds: UInt64, rising: Bool) {
        self.nanoseconds = nanoseconds
        self.rising = rising
    }
}

/// A line requested for edge events. Reading drains what the kernel queued, without allocating:
/// events come through a fixed buffer to a closure, so a flow meter can be polled every tick.
public final class LinuxGPIOEdges {
    public let name: String
    public let offset: Int
    private let chip: LinuxGPIOChip
    private let line: OpaquePointer
    private var buffer: UnsafeMutablePointer<gpiod_line_event>
    private let capacity = 64

    init(chip: LinuxGPIOChip, line: OpaquePointer, offset: Int, name: String) {
        self.chip = chip
        self.line = line
        self.offset = offset
        self.name = name
        buffer = .allocate(capacity: capacity)
        buffer.initialize(repeating: gpiod_line_event(), count: capacity)
    }

    deinit {
        gpiod_line_release(line)
        buffer.deallocate()
    }

    /// Waits up to `timeout` for an edge; true when one is queued.
    public func wait(timeout: Seconds) throws(BusError) -> Bool {
        let whole = max(0, timeout.value)
        var ts = timespec(tv_sec: Int(whole), tv_nsec: Int((whole - whole.rounded(.down)) * 1e9))
        let rc = gpiod_line_event_wait(line, &ts)
        guard rc >= 0 else { throw LinuxGPIOChip.error(chip.name, offset, "waiting for edges on \(name)") }
        return rc == 1
    }

    /// Hands every queued edge to `body`, oldest first, without blocking; returns how many.
    @discardableResult
    public func drain(_ body: (GPIOEdgeEvent) -> Void) throws(BusError) -> Int {
        var total = 0
        while try wait(timeout: .zero) {
            let n = gpiod_line_event_read_multiple(line, buffer, UInt32(capacity))
            guard n >= 0 else { throw LinuxGPIOChip.error(chip.name, offset, "reading edges on \(name)") }
            for i in 0..<Int(n) {
                let e = buffer[i]
                body(GPIOEdgeEvent(nanoseconds: UInt64(e.ts.tv_sec) * 1_000_000_000 + UInt64(e.ts.tv_nsec),
                                   rising: e.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE)))
            }
            total += Int(n)
            if n < capacity { break }
        }
        return total
    }
}
