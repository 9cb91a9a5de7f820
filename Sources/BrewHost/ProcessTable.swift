import Foundation

/// What the kernel says about other processes (Linux `/proc`), for messages that name them.
public enum ProcessTable {
    /// The command line of process `pid`, arguments joined by spaces, shortened to `limit`
    /// characters and with control characters shown escaped (it is printed to a terminal);
    /// nil when the process is gone or not ours to see.
    public static func command(of pid: Int32, limit: Int = 120) -> String? {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        let parts = data.split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
        guard !parts.isEmpty else { return nil }
        var text = parts.joined(separator: " ").unicodeScalars.map { s -> String in
            s.value < 0x20 || (0x7F...0x9F).contains(s.value) ? String(format: "\\x%02X", s.value) : String(s)
        }.joined()
        if text.count > limit { text = String(text.prefix(limit - 1)) + "…" }
        return text
    }

    /// Whether process `pid` exists (it may belong to another user).
    public static func exists(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}
