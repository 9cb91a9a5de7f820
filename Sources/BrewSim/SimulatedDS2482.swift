import BrewCore
import BrewHAL

/// A Maxim DS2482-100 or DS2482-800 I2C-to-1-Wire bridge at register level, with simulated 1-Wire
/// devices on each channel.
///
/// I2C side: the first byte written is a command code; commands that take a parameter execute
/// when it arrives, the others at once. Every read returns the register the read pointer selects
/// (status, read data, configuration, or — -800 only — channel selection), and every read of the
/// status register samples LL.
///
/// | code | command              | behaviour here                                                  |
/// |------|----------------------|-----------------------------------------------------------------|
/// | F0   | Device Reset         | status RST (+LL), config 0, channel IO0, pointer → status       |
/// | E1 p | Set Read Pointer     | p ∈ {F0, E1, C3, D2 (-800)}; another code is NACKed             |
/// | D2 p | Write Configuration  | upper nibble must be ~lower, else ignored; clears RST; → config |
/// | C3 p | Channel Select       | -800 only (NACKed on -100); unknown code ignored; → channel     |
/// | B4   | 1-Wire Reset         | PPD from the devices' presence pulses, SD on a short; → status  |
/// | 87 p | 1-Wire Single Bit    | bit 7 of p; SBR = line level                                     |
/// | A5 p | 1-Wire Write Byte    | eight write slots, LSB first                                     |
/// | 96   | 1-Wire Read Byte     | eight read slots into the read data register                     |
/// | 78 p | 1-Wire Triplet       | two read slots (SBR, TSB), then DIR written: SBR, or bit 7 of p  |
/// |      |                      | when both read 0                                                 |
///
/// Each 1-Wire command leaves 1WB set for the next `busyStatusReads` status reads (the command's
/// duration, measured in the polls it takes); a 1-Wire, configuration or channel command arriving
/// while 1WB is set is NACKed, as on the chip.
///
/// Faults: `shorted[channel]` (reset reports SD, every slot reads 0), `stuckBusy` (1WB never
/// clears), and whatever the attached devices do (unplug, CRC corruption …).
public final class SimulatedDS2482: SimulatedI2CDevice {
    public let channelCount: Int
    /// The devices on each channel's 1-Wire line, in no particular order.
    public var channels: [[any SimulatedOneWireDevice]]
    public var shorted: [Bool]
    public var stuckBusy = false
    public var busyStatusReads = 1

    public private(set) var status: UInt8 = 0x18
    public private(set) var readData: UInt8 = 0xFF
    public private(set) var config: UInt8 = 0
    public private(set) var selectedChannel = 0
    public private(set) var pointer: UInt8 = 0xF0
    /// 1-Wire reset pulses issued, per channel (tests count them).
    public private(set) var wireResets: [Int]

    private var busyLeft = 0
    private var command: UInt8?
    private var bytesInTransaction = 0

    private static let channelCodes: [UInt8] = [0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5, 0x96, 0x87]
    private static let channelReadBack: [UInt8] = [0xB8, 0xB1, 0xAA, 0xA3, 0x9C, 0x95, 0x8E, 0x87]

    /// `channels`: 1 for a DS2482-100, 8 for a DS2482-800.
    public init(channels: Int = 1) {
        precondition(channels == 1 || channels == 8, "a DS2482 has 1 (-100) or 8 (-800) channels")
        channelCount = channels
        self.channels = Array(repeating: [], count: channels)
        shorted = Array(repeating: false, count: channels)
        wireResets = Array(repeating: 0, count: channels)
        deviceReset()
    }

    public func attach(_ device: any SimulatedOneWireDevice, channel: Int = 0) {
        channels[channel].append(device)
    }

    public var isBusy: Bool { stuckBusy || busyLeft > 0 }

    private func deviceReset() {
        status = 0x10 | lineLevel
        config = 0
        selectedChannel = 0
        pointer = 0xF0
        busyLeft = 0
    }

    private var lineLevel: UInt8 { shorted[selectedChannel] ? 0 : 0x08 }

    // MARK: SimulatedI2CDevice

    public func i2cStart(read: Bool) {
        command = nil
        bytesInTransaction = 0
    }

    public func i2cWrite(_ byte: UInt8) -> Bool {
        defer { bytesInTransaction += 1 }
        if bytesInTransaction == 0 {
            command = byte
            switch byte {
            case 0xF0: deviceReset(); return true
            case 0xB4, 0x96:
                guard !isBusy else { return false }
                execute(byte, 0)
                return true
            case 0xE1, 0xD2, 0xA5, 0x87, 0x78: return byte == 0xE1 || !isBusy
            case 0xC3: return channelCount == 8 && !isBusy
            default: return false
            }
        }
        guard bytesInTransaction == 1, let command else { return false }
        switch command {
        case 0xE1:
            let valid: Set<UInt8> = channelCount == 8 ? [0xF0, 0xE1, 0xC3, 0xD2] : [0xF0, 0xE1, 0xC3]
            guard valid.contains(byte) else { return false }
            pointer = byte
            return true
        case 0xD2:
            if byte >> 4 == (~byte) & 0x0F {
                config = byte & 0x0F
                status &= ~0x10
            }
            pointer = 0xC3
            return true
        case 0xC3:
            if let i = Self.channelCodes.firstIndex(of: byte) { selectedChannel = i }
            pointer = 0xD2
            return true
        case 0xA5, 0x87, 0x78:
            execute(command, byte)
            return true
        default:
            return false
        }
    }

    public func i2cRead() -> UInt8 {
        switch pointer {
        case 0xF0:
            var s = status & ~0x09 | lineLevel
            if isBusy {
                s |= 0x01
                if busyLeft > 0 { busyLeft -= 1 }
            }
            return s
        case 0xE1: return readData
        case 0xC3: return config
        case 0xD2: return Self.channelReadBack[selectedChannel]
        default: return 0xFF
        }
    }

    public func i2cStop() {
        command = nil
        bytesInTransaction = 0
    }

    // MARK: 1-Wire

    private var devices: [any SimulatedOneWireDevice] { channels[selectedChannel] }

    private func slot(_ masterBit: Bool) -> Bool {
        if shorted[selectedChannel] { return false }
        var line = masterBit
        for d in devices where d.isConnected {
            if masterBit {
                if !d.readSlot() { line = false }
            } else {
                d.writeSlot(false)
            }
        }
        return line
    }

    private func execute(_ command: UInt8, _ parameter: UInt8) {
        pointer = 0xF0
        busyLeft = busyStatusReads
        switch command {
        case 0xB4:
            wireResets[selectedChannel] += 1
            status &= ~0x06
            if shorted[selectedChannel] {
                status |= 0x04
            } else {
                var presence = false
                for d in devices where d.wireReset() { presence = true }
                if presence { status |= 0x02 }
            }
        case 0xA5:
            for i in 0..<8 { _ = slot((parameter >> UInt8(i)) & 1 != 0) }
        case 0x96:
            var v: UInt8 = 0
            for i in 0..<8 where slot(true) { v |= 1 << UInt8(i) }
            readData = v
        case 0x87:
            let r = slot(parameter & 0x80 != 0)
            status = r ? status | 0x20 : status & ~0x20
        case 0x78:
            let id = slot(true)
            let cmp = slot(true)
            let dir = (!id && !cmp) ? parameter & 0x80 != 0 : id
            _ = slot(dir)
            status &= ~0xE0
            if id { status |= 0x20 }
            if cmp { status |= 0x40 }
            if dir { status |= 0x80 }
        default:
            break
        }
    }
}
