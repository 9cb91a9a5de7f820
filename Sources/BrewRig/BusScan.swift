import BrewCore
import BrewDrivers
import BrewHAL

/// `brewctl hardware scan`: what answers on each bus, whatever the hardware file says.
public enum BusScan {
    /// 7-bit addresses that acknowledge a read-byte, as `i2cdetect -r` probes (0x08–0x77: the
    /// reserved ranges are left alone).
    public static func i2c(_ bus: any I2CBus, addresses: ClosedRange<UInt8> = 0x08...0x77) -> [UInt8] {
        addresses.filter { address in (try? bus.readByte(address: address)) != nil }
    }

    /// The DS18B20s (and other 1-Wire devices) behind a DS2482, per channel.
    public static func oneWire(_ bridge: DS2482, channels: [Int]) -> [(channel: Int, result: Result<[OneWireROM], BusError>)] {
        channels.map { channel in
            do throws(BusError) { return (channel, .success(try bridge.search(channel: channel))) } catch { return (channel, .failure(error)) }
        }
    }

    public struct ModbusAnswer: Sendable {
        public var unit: UInt8
        /// Holding register 0, or the exception the unit answered with (it is there either way).
        public var answer: String
    }

    /// Units that answer a read of holding register 0 — with data or with an exception; silent
    /// units (timeouts, garbled answers) are absent. Bounded by the client's response timeout per
    /// unit. Throws when the line itself cannot be used (no such serial port, connection refused).
    public static func modbus(_ client: any ModbusClient, units: ClosedRange<UInt8>) throws(BusError) -> [ModbusAnswer] {
        var found: [ModbusAnswer] = []
        for unit in units {
            do throws(BusError) {
                let r = try client.readHoldingRegisters(unit: unit, address: 0, count: 1)
                found.append(ModbusAnswer(unit: unit, answer: "holding register 0 = \(r.first ?? 0)"))
            } catch {
                switch error.kind {
                case .deviceFault: found.append(ModbusAnswer(unit: unit, answer: error.detail))
                case .io where found.isEmpty, .noDevice where found.isEmpty: throw error
                default: continue
                }
            }
        }
        return found
    }
}
