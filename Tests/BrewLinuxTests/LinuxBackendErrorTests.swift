import BrewHAL
@testable import BrewLinux
import Testing

/// What the Linux backends say when the hardware is not there — the first thing a member wiring the
/// rig sees. (The backends against real kernel devices run in the QEMU hardware-in-the-loop test.)
@Suite("Linux backends: missing hardware is a clear error")
struct LinuxBackendErrorTests {
    @Test("a GPIO chip that does not exist")
    func missingChip() {
        #expect {
            _ = try LinuxGPIOChip("brewctl-no-such-chip")
        } throws: { error in
            guard let e = error as? BusError else { return false }
            return e.kind == .noDevice && e.description.contains("brewctl-no-such-chip")
        }
    }

    @Test("an I2C adapter that does not exist names the device file")
    func missingAdapter() {
        #expect {
            _ = try LinuxI2CBus(adapter: 97)
        } throws: { error in
            guard let e = error as? BusError else { return false }
            return e.kind == .noDevice && e.bus == "i2c-97" && e.detail.contains("/dev/i2c-97")
        }
    }

    @Test("a serial line that does not exist fails on first use, not at construction")
    func missingSerialPort() throws {
        let client = try LibModbusClient(link: .rtu(device: "/dev/ttyBREWCTL-none", baud: 19200, parity: .even, dataBits: 8, stopBits: 1),
                                         retries: 1)
        #expect {
            _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 1)
        } throws: { error in
            guard let e = error as? BusError else { return false }
            return e.kind == .io && e.description.contains("/dev/ttyBREWCTL-none") && e.address == 1
        }
        #expect(client.connects == 0)
    }
}
