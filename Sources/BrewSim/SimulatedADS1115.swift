import BrewCore
import BrewHAL

/// A Texas Instruments ADS1115 at register level (datasheet SBAS444), single-ended inputs set by
/// the test or the plant, conversions timed against an injected clock.
///
/// | ptr  | register   | behaviour here                                                           |
/// |------|------------|--------------------------------------------------------------------------|
/// | 0x00 | Conversion | read-only; the last finished conversion                                  |
/// | 0x01 | Config     | POR 0x8583; OS reads 0 while converting; writing OS = 1 in single-shot  |
/// |      |            | mode starts a conversion lasting 1/DR                                    |
/// | 0x02 | Lo_thresh  | POR 0x8000                                                               |
/// | 0x03 | Hi_thresh  | POR 0x7FFF                                                               |
///
/// The conversion takes the input of the channel MUX selects (single-ended codes 100–111; the
/// differential codes read the difference), divides by the PGA's full scale and clamps to
/// −32768…32767 (the chip's saturation codes), rounding down. Continuous mode (MODE = 0) converts
/// whenever the conversion register is read.
public final class SimulatedADS1115: SimulatedI2CDevice {
    public let clock: SimulatedClock
    /// Input voltages AIN0…AIN3 against GND.
    public var inputs: [Double] = [0, 0, 0, 0]

    public private(set) var config: UInt16 = 0x8583
    public private(set) var conversion: UInt16 = 0
    public private(set) var loThresh: UInt16 = 0x8000
    public private(set) var hiThresh: UInt16 = 0x7FFF
    public private(set) var conversionsStarted = 0
    /// The register pointer as last written by the host.
    public var pointer: UInt8 { port.pointer }
    private var doneAt: Instant?

    private var port = WordRegisterPort(pointerMask: 0x03)

    private static let fullScale: [Double] = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256]
    private static let sps: [Double] = [8, 16, 32, 64, 128, 250, 475, 860]

    public init(clock: SimulatedClock) {
        self.clock = clock
    }

    public static func code(volts: Double, fullScale: Double) -> UInt16 {
        let counts = min(32767, max(-32768, Int((volts / fullScale * 32768).rounded(.down))))
        return UInt16(bitPattern: Int16(counts))
    }

    private func inputVoltage() -> Double {
        switch (config >> 12) & 7 {
        case 0: return inputs[0] - inputs[1]
        case 1: return inputs[0] - inputs[3]
        case 2: return inputs[1] - inputs[3]
        case 3: return inputs[2] - inputs[3]
        case let m: return inputs[Int(m) - 4]
        }
    }

    private func convertNow() {
        conversion = Self.code(volts: inputVoltage(), fullScale: Self.fullScale[Int((config >> 9) & 7)])
    }

    /// Every register access is one I2C transaction: it reads the clock (which may advance it by
    /// the clock's `perRead`, the transaction's duration).
    private func settle() {
        let now = clock.read()
        if let end = doneAt, now >= end {
            conversion = pendingCode
            doneAt = nil
            config |= 0x8000
        }
    }

    public func registerValue(_ register: UInt8) -> UInt16 {
        settle()
        switch register & 3 {
        case 0:
            if config & 0x0100 == 0 { convertNow() }
            return conversion
        case 1: return config
        case 2: return loThresh
        default: return hiThresh
        }
    }

    private func write(_ register: UInt8, _ value: UInt16) {
        settle()
        switch register & 3 {
        case 1:
            let start = value & 0x8000 != 0 && value & 0x0100 != 0 && doneAt == nil
            config = (value & 0x7FFF) | (doneAt == nil ? 0x8000 : 0)
            if start {
                conversionsStarted += 1
                // The conversion's input is sampled over the conversion; here at its start.
                doneAt = clock.now + Seconds(1 / Self.sps[Int((value >> 5) & 7)])
                let fs = Self.fullScale[Int((value >> 9) & 7)]
                let v = inputVoltage()
                config &= 0x7FFF
                pendingCode = Self.code(volts: v, fullScale: fs)
            }
        case 2: loThresh = value
        case 3: hiThresh = value
        default: break
        }
    }

    private var pendingCode: UInt16 = 0

    // MARK: SimulatedI2CDevice

    public func i2cStart(read: Bool) {
        if let w = port.finishWrite() { write(w.register, w.value) }
        if read {
            port.beginRead(registerValue(port.pointer))
        } else {
            port.beginWrite()
        }
    }

    public func i2cWrite(_ byte: UInt8) -> Bool { port.write(byte) }

    public func i2cRead() -> UInt8 { port.read() }

    public func i2cStop() {
        if let w = port.stop() { write(w.register, w.value) }
    }
}
