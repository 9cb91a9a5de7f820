/// The device side of a 1-Wire bus, one time slot at a time, the way a slave sees the wire.
///
/// `SimulatedDS2482` turns each bridge command into these events: a reset pulse (answered with a
/// presence pulse), write slots and read slots. The line is wired-AND: in a read slot every device
/// still talking drives its bit and the master sees the AND (a device with nothing to say leaves
/// the line released, a 1). ROM-level protocol (Search, Match, Skip ROM) is the device's own
/// business, so a ROM search with several devices resolves by wired-AND exactly as on a real bus.
public protocol SimulatedOneWireDevice: AnyObject {
    /// Whether the device is electrically on the bus (false: unplugged, answers nothing).
    var isConnected: Bool { get }
    /// Reset pulse. Returns true for a presence pulse.
    func wireReset() -> Bool
    /// The master wrote one bit.
    func writeSlot(_ bit: Bool)
    /// The master opened a read slot; the device's bit (true: released line).
    func readSlot() -> Bool
}
