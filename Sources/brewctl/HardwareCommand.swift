import ArgumentParser
import BrewConfig
import BrewHost
import BrewCore
import BrewDrivers
import BrewLinux
import BrewRig
import BrewRuntime
import Dispatch
import Foundation
import BrewRigIO

/// Bring-up tools for the member who wires the rig.
struct HardwareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hardware",
        abstract: "Bring-up tools: check the declared devices, scan the buses, pulse one output.",
        subcommands: [Check.self, Scan.self, Pulse.self]
    )

    /// Loads the rig a bring-up command works on; real hardware only.
    static func loadRig(_ explicit: String?) -> RigSpec {
        let choice: HardwareChoice
        do { choice = try HardwareChoice.resolve(explicit: explicit, environment: ProcessInfo.processInfo.environment) } catch {
            fail("\(error)", code: 2)
        }
        do { return try HardwareLoader.load(path: choice.path) } catch {
            for e in error.errors { printDiagnostic(e.description) }
            fail("cannot read \(choice.path)", code: 2)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Probe every device the hardware file declares: found?, current value, error.",
            discussion: "Outputs are opened at their safe state (off) and left off. Exit status 0 when everything answers "
                + "and reads plausibly, 1 otherwise, 2 when the hardware file cannot be read."
        )

        @Option(help: "The rig's hardware file (default: the configured rig).")
        var hardware: String?

        func run() throws {
            let rig = HardwareCommand.loadRig(hardware)
            let protections = HardwareCheck.protections(of: rig)
            func printProtections() {
                print(protections.isEmpty ? "Interlocks: none" : "Interlocks (enforced at the outputs):")
                for line in protections { print("  \(line)") }
            }
            guard rig.backend == .linux else {
                print("\(rig.name) is simulated: its chips are simulated in-process, there is nothing to probe.")
                printProtections()
                return
            }
            defer { printProtections() }
            let lock = lockRig(rig)   // a controller's buses are not to be probed under it
            defer { for l in lock { l.release() } }
            let buses = LinuxRigBuses(rig: rig)
            let clock = MonotonicClock()
            let rows = HardwareCheck.sensors(of: rig, using: RigSensors(rig: rig, buses: buses, now: clock.now),
                                             sleep: { usleep(UInt32($0.value * 1e6)) })
                + HardwareCheck.outputs(of: rig, using: RigOutputs(rig: rig, buses: buses))
            print("Rig: \(rig.name) (\(rig.source))")
            print(HardwareCheck.table(rows))
            let bad = rows.filter { !$0.ok }
            if !bad.isEmpty {
                printError("\(bad.count) of \(rows.count) devices missing or not reading plausibly: \(bad.map(\.id).joined(separator: ", "))")
                throw ExitCode(1)
            }
        }
    }

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List what answers: I2C addresses per adapter, 1-Wire ROM ids behind each DS2482, Modbus units per line.",
            discussion: "With a hardware file, its buses are scanned (and the DS2482 bridges and Modbus lines it declares); "
                + "without one, every /dev/i2c-N adapter."
        )

        @Option(help: "The rig's hardware file (default: the configured rig, if any).")
        var hardware: String?

        @Option(help: "Modbus unit ids to try, e.g. 1-32 (each silent unit costs the line's response timeout).")
        var units: String = "1-247"

        func run() throws {
            let parts = units.split(separator: "-").compactMap { UInt8($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(parts.count), let lo = parts.first, let hi = parts.last, lo >= 1, hi <= 247, lo <= hi else {
                throw ValidationError("--units takes a unit id or a range within 1-247, like 1-32.")
            }
            let env = ProcessInfo.processInfo.environment
            var rig: RigSpec?
            if hardware != nil || (try? ToolConfig.find(environment: env))??.hardware != nil {
                rig = HardwareCommand.loadRig(hardware)
            }
            guard let rig, rig.backend == .linux else {
                // No real rig named: every I2C adapter the kernel has.
                let adapters = ((try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? [])
                    .filter { $0.hasPrefix("i2c-") }.compactMap { Int($0.dropFirst(4)) }.sorted()
                if adapters.isEmpty { print("No I2C adapters (/dev/i2c-N); enable I2C with raspi-config.") }
                for n in adapters { scanI2C(n) }
                return
            }
            let lock = lockRig(rig)
            defer { for l in lock { l.release() } }
            let buses = LinuxRigBuses(rig: rig)
            for bus in rig.buses {
                switch bus.kind {
                case .i2c(let adapter): scanI2C(adapter, as: bus.id)
                case .gpio(let chip):
                    do { let c = try buses.gpio(bus.id); print("\(bus.id): GPIO chip \(c.name) (\(c.label)), \(c.lineCount) lines") } catch {
                        print("\(bus.id): GPIO chip \(chip): \(error)")
                    }
                case .oneWire(let wire):
                    do {
                        let bridge = try DS2482(bus: try buses.i2c(wire.i2cBus), address: UInt8(clamping: wire.address),
                                                model: wire.part == .ds2482_800 ? .ds2482_800 : .ds2482_100)
                        for (channel, result) in BusScan.oneWire(bridge, channels: [wire.channel]) {
                            switch result {
                            case .success(let roms):
                                print("\(bus.id): DS2482 0x\(String(wire.address, radix: 16)) channel \(channel): "
                                      + (roms.isEmpty ? "no devices" : roms.map(\.description).joined(separator: ", ")))
                            case .failure(let error): print("\(bus.id): channel \(channel): \(error)")
                            }
                        }
                    } catch { print("\(bus.id): \(error)") }
                case .modbusRTU, .modbusTCP:
                    do {
                        let client = try buses.modbus(bus.id)
                        let found = try BusScan.modbus(client, units: lo...hi)
                        print("\(bus.id) (\(client.name)): " + (found.isEmpty ? "no unit answered in \(lo)-\(hi)"
                            : found.map { "unit \($0.unit): \($0.answer)" }.joined(separator: "; ")))
                    } catch { print("\(bus.id): \(error)") }
                }
            }
        }

        private func scanI2C(_ adapter: Int, as id: String? = nil) {
            let label = id.map { "\($0) (/dev/i2c-\(adapter))" } ?? "/dev/i2c-\(adapter)"
            do {
                let bus = try LinuxI2CBus(adapter: adapter, retries: 0)
                let found = BusScan.i2c(bus)
                print("\(label): " + (found.isEmpty ? "nothing answers" : found.map { "0x" + String($0, radix: 16) }.joined(separator: " ")))
            } catch { print("\(label): \(error)") }
        }
    }

    struct Pulse: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Switch one output on for a bounded time, to check the wiring; it is always switched off again.",
            discussion: "Asks before switching (unless --yes). Ctrl-C or SIGTERM switches it off at once."
        )

        @Argument(help: "The output's id in the hardware file, e.g. hlt_element.")
        var output: String

        @Option(help: "How long to keep it on, in seconds (at most 60).")
        var seconds: Double = 2

        @Option(help: "The rig's hardware file (default: the configured rig).")
        var hardware: String?

        @Flag(name: .shortAndLong, help: "Do not ask for confirmation.")
        var yes = false

        static let longest = 60.0

        func validate() throws {
            guard seconds > 0, seconds <= Self.longest else {
                throw ValidationError("--seconds must be more than 0 and at most \(Int(Self.longest)).")
            }
        }

        func run() throws {
            let rig = HardwareCommand.loadRig(hardware)
            guard let spec = rig.output(id: output) else {
                let ids = rig.outputs.map(\.id)
                fail("no output `\(output)` in \(rig.source); outputs: \(ids.joined(separator: ", "))", code: 2)
            }
            guard rig.backend == .linux else { fail("\(rig.name) is simulated: there is no wiring to check", code: 2) }
            let vessel = rig.vessels.first { $0.heater?.output == output || $0.pump == output || $0.recirculationPump == output
                || $0.chillerValve == output }
            let what = "\(output) (\(spec.kind.rawValue)\(vessel.map { ", \($0.name)" } ?? ""), \(spec.bus) line/coil \(spec.line))"
            if !yes {
                print("Switch \(what) ON for \(Format.fixed(seconds, 1)) s? Stand clear; an element must be covered. [y/N] ", terminator: "")
                fflush(nil)
                let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
                guard answer == "y" || answer == "yes" else {
                    print("Nothing switched.")
                    return
                }
            }
            let lock = lockRig(rig)
            // Every signal that could end the process only sets a flag; the loop below switches
            // off, so it happens in one place. SIGKILL: the guard switches it off.
            let signals = StopSignals()
            var stopped = false
            let guardProcess = runningUnderSystemd(ProcessInfo.processInfo.environment) ? nil
                : ControllerGuard(hardware: rig.source, db: nil)
            let outputs = RigOutputs(rig: rig, buses: LinuxRigBuses(rig: rig))
            defer {
                // Whatever happened, off — and say so if that failed.
                do { try outputs.set(output, on: false) } catch {
                    printError("\(output) could NOT be switched off: \(error) — switch it off by hand")
                }
                guardProcess?.done()
                for l in lock { l.release() }
            }
            do { try outputs.set(output, on: true) } catch {
                printError("\(output) could not be switched on: \(error)")
                throw ExitCode(1)   // not fail(): the deferred switch-off must still run
            }
            print("\(output): ON")
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
            while DispatchTime.now().uptimeNanoseconds < deadline, !stopped {
                switch signals.take() {
                case nil: usleep(20_000)
                case .suspend?: continue   // Ctrl-Z: not while an output is on
                default: stopped = true
                }
            }
            print("\(output): off\(stopped ? " (interrupted)" : "")")
        }
    }
}
