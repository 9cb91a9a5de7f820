/// The wire side of a chip whose registers are 16 bits, sent MSB first, behind a register pointer
/// (TMP117, ADS1115): a write transaction sets the pointer and, with two more bytes, a register;
/// a read transaction clocks out the register the pointer names. The chip supplies what its
/// registers hold and applies completed writes; this keeps the framing in one place.
///
/// A completed write is handed back rather than applied through a callback, so the chip can
/// change the port (a soft reset clears the pointer) while applying it.
struct WordRegisterPort {
    private(set) var pointer: UInt8 = 0
    /// Pointer bits the chip decodes (the ADS1115 has four registers: 0b11).
    let pointerMask: UInt8
    private enum Phase { case idle, writing, reading }
    private var phase = Phase.idle
    private var written = 0
    private var pending: UInt16 = 0
    private var readValue: UInt16 = 0
    private var readIndex = 0

    init(pointerMask: UInt8 = 0xFF) { self.pointerMask = pointerMask }

    mutating func resetPointer() { pointer = 0 }

    /// Ends a write transaction (STOP, or a repeated START); returns the register write it
    /// completed, if the host sent pointer and both bytes.
    mutating func finishWrite() -> (register: UInt8, value: UInt16)? {
        guard phase == .writing else { return nil }
        phase = .idle
        defer { written = 0 }
        return written >= 3 ? (pointer, pending) : nil
    }

    /// START for writing (call `finishWrite` first).
    mutating func beginWrite() {
        phase = .writing
        written = 0
        pending = 0
    }

    /// START for reading: `value` is what the register at `pointer` holds now.
    mutating func beginRead(_ value: UInt16) {
        phase = .reading
        readValue = value
        readIndex = 0
    }

    mutating func write(_ byte: UInt8) -> Bool {
        guard phase == .writing else { return false }
        if written == 0 { pointer = byte & pointerMask } else if written <= 2 { pending = pending << 8 | UInt16(byte) }
        written += 1
        return true
    }

    mutating func read() -> UInt8 {
        guard phase == .reading, readIndex < 2 else { return 0xFF }
        defer { readIndex += 1 }
        return readIndex == 0 ? UInt8(readValue >> 8) : UInt8(truncatingIfNeeded: readValue)
    }

    mutating func stop() -> (register: UInt8, value: UInt16)? {
        let done = finishWrite()
        phase = .idle
        return done
    }
}
