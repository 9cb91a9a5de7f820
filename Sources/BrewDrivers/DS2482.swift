import BrewCore
import BrewHAL

/// Maxim DS2482-100 (one channel) and DS2482-800 (eight channels) I2C-to-1-Wire bridge
/// (datasheets 19-4931 and 19-4930), at 0x18…0x1B (pins AD1–AD0; the -800 also has AD2 for
/// 0x18…0x1F).
///
/// Commands are SMBus transactions: a bare command code is a "send byte", a command with a
/// parameter a "write byte data" (command as the register), and every read is a "receive byte" from
/// the register the read pointer selects. All 1-Wire commands leave the read pointer at the status
/// register, so the driver polls the 1WB (1-Wire busy) bit with "receive byte" until it clears —
/// at most `busyPollLimit` times, after which it gives up with `.timeout` (a stuck bus, a bridge
/// that lost power mid-command). A 1-Wire command issued while 1WB is set would be NACKed, so every
/// 1-Wire command first waits for idle.
///
/// Creating one resets the bridge (0xF0) and checks the status shows RST (bit 4) — anything else is
/// not a DS2482 — then writes the configuration (0xD2, upper nibble the one's complement of the
/// lower; active pull-up on) and checks the read-back, and on a -800 selects channel IO0 (0xC3) and
/// checks the datasheet's read-back code.
///
/// Nothing here allocates except `search`, which returns the ROM codes it found.
public final class DS2482 {
    public enum Model: Sendable {
        case ds2482_100, ds2482_800
        public var channelCount: Int { self == .ds2482_100 ? 1 : 8 }
        public var addresses: ClosedRange<UInt8> { self == .ds2482_100 ? 0x18...0x1B : 0x18...0x1F }
    }

    public enum Command {
        public static let deviceReset: UInt8 = 0xF0
        public static let setReadPointer: UInt8 = 0xE1
        public static let writeConfiguration: UInt8 = 0xD2
        public static let channelSelect: UInt8 = 0xC3
        public static let wireReset: UInt8 = 0xB4
        public static let singleBit: UInt8 = 0x87
        public static let writeByte: UInt8 = 0xA5
        public static let readByte: UInt8 = 0x96
        public static let triplet: UInt8 = 0x78
    }

    /// Read pointer codes (parameter of Set Read Pointer).
    public enum Pointer {
        public static let status: UInt8 = 0xF0
        public static let readData: UInt8 = 0xE1
        public static let channelSelection: UInt8 = 0xD2
        public static let configuration: UInt8 = 0xC3
    }

    /// Status register bits.
    public enum Status {
        public static let busy: UInt8 = 0x01        // 1WB
        public static let presence: UInt8 = 0x02    // PPD
        public static let short: UInt8 = 0x04       // SD
        public static let logicLevel: UInt8 = 0x08  // LL
        public static let deviceReset: UInt8 = 0x10 // RST
        public static let singleBitResult: UInt8 = 0x20 // SBR
        public static let tripletSecondBit: UInt8 = 0x40 // TSB
        public static let branchDirection: UInt8 = 0x80 // DIR
    }

    /// Configuration register bits (lower nibble).
    public enum Config {
        public static let activePullup: UInt8 = 0x01    // APU
        public static let strongPullup: UInt8 = 0x04    // SPU
        public static let overdrive: UInt8 = 0x08       // 1WS
    }

    /// Channel Select codes for IO0…IO7 (DS2482-800 datasheet, Channel Select command).
    public static let channelCodes: [UInt8] = [0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5, 0x96, 0x87]
    /// What the channel selection register reads back for IO0…IO7.
    public static let channelReadBackCodes: [UInt8] = [0xB8, 0xB1, 0xAA, 0xA3, 0x9C, 0x95, 0x8E, 0x87]

    /// The ROM command that starts a search.
    public static let searchROM: UInt8 = 0xF0
    public static let matchROM: UInt8 = 0x55
    public static let skipROM: UInt8 = 0xCC

    public let bus: any I2CBus
    public let address: UInt8
    public let model: Model
    public let name: String
    /// How many status reads to wait for 1WB to clear before giving up.
    public var busyPollLimit: Int
    /// The channel last selected successfully (always 0 on a -100).
    public private(set) var channel = 0
    /// Status register as last read.
    public private(set) var lastStatus: UInt8 = 0

    public init(bus: any I2CBus, address: UInt8 = 0x18, model: Model = .ds2482_100, busyPollLimit: Int = 100) throws(BusError) {
        guard model.addresses.contains(address) else {
            throw BusError(.invalidRequest, bus: bus.name, address: Int(address),
                           detail: "a \(model == .ds2482_100 ? "DS2482-100" : "DS2482-800") can only be at 0x18…0x\(model == .ds2482_100 ? "1B" : "1F")")
        }
        self.bus = bus
        self.address = address
        self.model = model
        self.busyPollLimit = max(1, busyPollLimit)
        self.name = "\(model == .ds2482_100 ? "DS2482-100" : "DS2482-800") @ \(bus.name):0x\(MCP9808.hex(UInt16(address), digits: 2))"
        try probe()
    }

    /// Resets the bridge and checks its identity (see the type's documentation).
    public func probe() throws(BusError) {
        pointerOnStatus = false
        try bus.writeByte(address: address, value: Command.deviceReset)
        pointerOnStatus = true
        let status = try bus.readByte(address: address)
        lastStatus = status
        // After a device reset RST is set and 1WB, PPD, SD, SBR, TSB, DIR are clear; LL follows the line.
        guard status & ~Status.logicLevel == Status.deviceReset else {
            throw fault(.badResponse, Command.deviceReset,
                        "status after device reset reads 0x\(hex(status)), a DS2482 reads 0x10 (or 0x18)")
        }
        try writeConfiguration(Config.activePullup)
        channel = 0
        if model == .ds2482_800 { try selectChannel(0) }
    }

    /// Write Configuration: the lower nibble is the configuration, the upper its one's complement.
    /// Reads it back (the register reads the lower nibble only).
    public func writeConfiguration(_ bits: UInt8) throws(BusError) {
        let low = bits & 0x0F
        try waitIdle(Command.writeConfiguration)
        pointerOnStatus = false
        try bus.writeByteData(address: address, register: Command.writeConfiguration, value: (~low << 4) | low)
        let readBack = try bus.readByte(address: address)
        guard readBack == low else {
            throw fault(.badResponse, Command.writeConfiguration,
                        "configuration reads back 0x\(hex(readBack)) after writing 0x\(hex(low))")
        }
    }

    /// Channel Select (DS2482-800 only): IO0…IO7, checked against the datasheet's read-back code.
    public func selectChannel(_ channel: Int) throws(BusError) {
        guard channel >= 0 && channel < model.channelCount else {
            throw fault(.invalidRequest, Command.channelSelect,
                        "channel \(channel) does not exist on a bridge with \(model.channelCount) channel(s)")
        }
        if model == .ds2482_100 { self.channel = 0; return }
        try waitIdle(Command.channelSelect)
        pointerOnStatus = false
        try bus.writeByteData(address: address, register: Command.channelSelect, value: Self.channelCodes[channel])
        let readBack = try bus.readByte(address: address)
        guard readBack == Self.channelReadBackCodes[channel] else {
            throw fault(.badResponse, Command.channelSelect,
                        "channel selection reads back 0x\(hex(readBack)) after selecting IO\(channel), expected 0x\(hex(Self.channelReadBackCodes[channel]))")
        }
        self.channel = channel
    }

    /// 1-Wire reset. Returns whether any device answered with a presence pulse; throws
    /// `.deviceFault` when the bridge detects a short on the 1-Wire line.
    @discardableResult
    public func resetWire() throws(BusError) -> Bool {
        try waitIdle(Command.wireReset)
        try oneWireCommand(Command.wireReset, nil)
        let status = try waitIdle(Command.wireReset)
        if status & Status.short != 0 {
            throw fault(.deviceFault, Command.wireReset, "1-Wire short detected on channel IO\(channel)")
        }
        return status & Status.presence != 0
    }

    /// 1-Wire reset that insists on a presence pulse (`.noDevice` otherwise).
    public func resetRequiringPresence() throws(BusError) {
        guard try resetWire() else {
            throw fault(.noDevice, Command.wireReset, "no presence pulse on channel IO\(channel) (nothing connected?)")
        }
    }

    public func writeWireByte(_ byte: UInt8) throws(BusError) {
        try waitIdle(Command.writeByte)
        try oneWireCommand(Command.writeByte, byte)
        try waitIdle(Command.writeByte)
    }

    public func readWireByte() throws(BusError) -> UInt8 {
        try waitIdle(Command.readByte)
        try oneWireCommand(Command.readByte, nil)
        try waitIdle(Command.readByte)
        pointerOnStatus = false
        try bus.writeByteData(address: address, register: Command.setReadPointer, value: Pointer.readData)
        return try bus.readByte(address: address)
    }

    /// One 1-Wire triplet: two read slots (a bit and its complement from every device still in
    /// the search) and one write slot with the direction the bridge chose: the bit read if the two
    /// differ, `direction` if both were 0 (a discrepancy), 1 if both were 1 (nobody answered).
    public func triplet(direction: Bool) throws(BusError) -> (bit: Bool, complement: Bool, taken: Bool) {
        try waitIdle(Command.triplet)
        try oneWireCommand(Command.triplet, direction ? 0x80 : 0x00)
        let status = try waitIdle(Command.triplet)
        return (status & Status.singleBitResult != 0, status & Status.tripletSecondBit != 0,
                status & Status.branchDirection != 0)
    }

    /// Reset, then address one device (Match ROM) — or every device on the channel with `nil`
    /// (Skip ROM). Throws `.noDevice` without a presence pulse.
    public func select(_ rom: OneWireROM?) throws(BusError) {
        try resetRequiringPresence()
        if let rom {
            try writeWireByte(Self.matchROM)
            for i in 0..<8 { try writeWireByte(rom.byte(i)) }
        } else {
            try writeWireByte(Self.skipROM)
        }
    }

    /// Every device on `channel`, by the Search ROM algorithm (Maxim application note 187) driven
    /// with triplets: each pass follows the last discrepancy's 1-branch and the 0-branch below it,
    /// until a pass leaves no unexplored discrepancy. Every ROM code's CRC is checked
    /// (`.checksum`); a triplet where both bits read 1 means no device answered — one was unplugged
    /// during the search — and throws `.noDevice`. An empty channel (no presence) returns [].
    public func search(channel: Int = 0) throws(BusError) -> [OneWireROM] {
        if model == .ds2482_800 || channel != 0 { try selectChannel(channel) }
        var found: [OneWireROM] = []
        var rom: UInt64 = 0
        var lastDiscrepancy = 0       // 1-based bit position; 0 = none
        var passes = 0
        repeat {
            passes += 1
            if passes > 64 * 64 {
                throw fault(.badResponse, Command.triplet, "ROM search does not terminate")
            }
            guard try resetWire() else {
                if found.isEmpty { return [] }
                throw fault(.noDevice, Command.wireReset, "presence pulse lost during the ROM search on IO\(channel)")
            }
            try writeWireByte(Self.searchROM)
            var lastZero = 0
            for position in 1...64 {
                let want: Bool
                if position < lastDiscrepancy { want = (rom >> UInt64(position - 1)) & 1 != 0 }
                else { want = position == lastDiscrepancy }
                let (bit, complement, taken) = try triplet(direction: want)
                if bit && complement {
                    throw fault(.noDevice, Command.triplet,
                                "no device answered at ROM bit \(position - 1) of the search on IO\(channel) (a probe removed mid-search?)")
                }
                if !bit && !complement && !taken { lastZero = position }
                if taken { rom |= 1 << UInt64(position - 1) } else { rom &= ~(1 << UInt64(position - 1)) }
            }
            let code = OneWireROM(rom)
            guard code.isCRCValid else {
                throw fault(.checksum, Command.triplet, "ROM code \(hex64(rom)) found on IO\(channel) fails its CRC")
            }
            if found.contains(code) {
                throw fault(.badResponse, Command.triplet, "ROM code \(code) found twice on IO\(channel)")
            }
            found.append(code)
            lastDiscrepancy = lastZero
        } while lastDiscrepancy != 0
        return found
    }

    // MARK: Internals

    /// A 1-Wire command (the bridge must be idle): afterwards the read pointer is on status.
    private func oneWireCommand(_ command: UInt8, _ parameter: UInt8?) throws(BusError) {
        pointerOnStatus = false
        if let parameter {
            try bus.writeByteData(address: address, register: command, value: parameter)
        } else {
            try bus.writeByte(address: address, value: command)
        }
        pointerOnStatus = true
    }

    /// Polls the status register (the read pointer must be on it, as every 1-Wire command leaves
    /// it) until 1WB clears. Returns that status.
    @discardableResult
    private func waitIdle(_ command: UInt8) throws(BusError) -> UInt8 {
        for _ in 0..<busyPollLimit {
            let status = try readStatus()
            if status & Status.busy == 0 { return status }
        }
        throw fault(.timeout, command, "1-Wire busy (1WB) still set after \(busyPollLimit) status reads")
    }

    private func readStatus() throws(BusError) -> UInt8 {
        // The pointer may be elsewhere (data, configuration, channel): put it on status first.
        if !pointerOnStatus {
            try bus.writeByteData(address: address, register: Command.setReadPointer, value: Pointer.status)
            pointerOnStatus = true
        }
        let s = try bus.readByte(address: address)
        lastStatus = s
        return s
    }

    /// Whether the read pointer is known to be on the status register. Device reset and the 1-Wire
    /// commands leave it there; Write Configuration, Channel Select and Set Read Pointer move it.
    /// Unknown (after a bus error) counts as elsewhere, costing one Set Read Pointer.
    private var pointerOnStatus = false

    private func fault(_ kind: BusError.Kind, _ command: UInt8, _ detail: String) -> BusError {
        BusError(kind, bus: bus.name, address: Int(address), register: Int(command), detail: detail)
    }

    private func hex(_ v: UInt8) -> String { MCP9808.hex(UInt16(v), digits: 2) }
    private func hex64(_ v: UInt64) -> String {
        var s = String(v, radix: 16, uppercase: true)
        while s.count < 16 { s = "0" + s }
        return "0x" + s
    }
}
