#if canImport(Glibc)
import Glibc
#endif
import CGPIOD
import CI2C
import CModbus

/// The C libraries the Linux backends are built on (Debian's libgpiod-dev, libi2c-dev,
/// libmodbus-dev), called for real so a missing or mismatched library fails at build or test time
/// rather than on the brew day.
public enum LinuxLibraries {
    /// libgpiod's own version string, e.g. "1.6.3" (Debian 12). The backends use the v1 API.
    public static var gpiodVersion: String {
        String(cString: gpiod_version_string())
    }

    /// libmodbus's version from its exported globals, e.g. "3.1.6" (Debian 12).
    public static var modbusVersion: String {
        "\(libmodbus_version_major).\(libmodbus_version_minor).\(libmodbus_version_micro)"
    }

    /// Calls libi2c's `i2c_smbus_read_byte_data` on a file descriptor that cannot be open (-1).
    /// libi2c returns −errno rather than setting errno, so this is −EBADF when libi2c is linked and
    /// working; touches no hardware.
    public static func i2cSMBusProbe() -> Int32 {
        i2c_smbus_read_byte_data(-1, 0)
    }

    /// True when libi2c answers the probe as it should (−EBADF).
    public static var i2cSMBusAvailable: Bool {
        i2cSMBusProbe() == -EBADF
    }

    /// One line for `brewctl --version` style diagnostics.
    public static var summary: String {
        "libgpiod \(gpiodVersion), libmodbus \(modbusVersion), libi2c \(i2cSMBusAvailable ? "ok" : "not answering")"
    }
}
