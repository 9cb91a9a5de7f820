import BrewCore
import BrewHost
import BrewLinux
import Foundation

/// One controller per rig: a controller holds a kernel lock on every device of its rig — each
/// GPIO chip, I2C adapter and serial line by its device node (so two hardware files naming the
/// same chip, or a serial adapter by two paths, are the same rig), and each Modbus TCP endpoint
/// by a lock file in `/run/lock`. The lock dies with its holder: a crashed controller never
/// leaves one behind (docs/safety.md, "One controller per batch, and per rig").
public enum RigLock {
    /// Another process holds part of the rig.
    public struct Held: Error, CustomStringConvertible {
        public var device: String
        public var holder: KernelLock.Holder
        public var description: String {
            "the rig's \(device) is in use by \(holder): one controller per rig — stop that one first (or use its terminal)"
        }
    }

    /// What to lock for each bus of the rig: a device node, or a lock file of our own.
    public enum Target: Hashable, Sendable {
        case device(String)
        case file(path: String, describing: String)

        public var label: String {
            switch self {
            case .device(let path): path
            case .file(_, let what): what
            }
        }
    }

    /// The devices of `rig` that can be locked now (a device that is not there is left to the
    /// device check, which refuses to run without it).
    public static func targets(_ rig: RigSpec) -> [Target] {
        var out: [Target] = []
        for bus in rig.buses {
            switch bus.kind {
            case .i2c(let adapter): out.append(.device("/dev/i2c-\(adapter)"))
            case .gpio(let chip):
                if let opened = try? LinuxGPIOChip(chip) { out.append(.device(opened.devicePath)) }
            case .modbusRTU(let rtu): out.append(.device(rtu.device))
            case .modbusTCP(let tcp):
                let name = "\(tcp.host)-\(tcp.port)".map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
                out.append(.file(path: lockDirectory() + "/brewctl-modbus-tcp-\(String(name)).lock",
                                 describing: "Modbus TCP \(tcp.host):\(tcp.port)"))
            case .oneWire:
                break   // through its DS2482 on an I2C adapter, locked as that adapter
            }
        }
        var seen = Set<Target>()
        return out.filter { seen.insert($0).inserted }
    }

    /// Takes every lock of the rig, or none: throws `Held` naming the first holder found.
    public static func acquire(_ rig: RigSpec) throws -> [KernelLock] {
        var held: [KernelLock] = []
        for target in targets(rig) {
            do {
                switch target {
                case .device(let path):
                    guard FileManager.default.fileExists(atPath: path) else { continue }
                    held.append(try KernelLock.existing(path))
                case .file(let path, _):
                    held.append(try KernelLock.lockFile(path))
                }
            } catch .held(let holder, _) {
                for lock in held { lock.release() }
                throw Held(device: target.label, holder: holder)
            } catch .unavailable {
                continue   // cannot be opened: the bus cannot be used either, and says why itself
            }
        }
        return held
    }

    /// Who holds any part of the rig now, without taking anything.
    public static func holders(_ rig: RigSpec) -> [(device: String, holder: KernelLock.Holder)] {
        targets(rig).compactMap { t in
            let path: String = switch t {
            case .device(let p): p
            case .file(let p, _): p
            }
            return KernelLock.holder(of: path).map { (t.label, $0) }
        }
    }

    /// `/run/lock` (world-writable on Debian, so the service and a member's shell see the same
    /// locks), else the user's runtime directory, else the temporary directory.
    static func lockDirectory() -> String {
        if access("/run/lock", W_OK) == 0 { return "/run/lock" }
        if let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime }
        return NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
    }
}
