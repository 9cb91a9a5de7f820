import Foundation
import GRDB

/// The batch log's storage failed under a running batch: the disk is full, the file was deleted
/// or replaced, the disk reports I/O errors, or the file is damaged. What was committed before is
/// intact (SQLite rolls a failed transaction back); the runner stops the batch with every output
/// off, interrupted and resumable (docs/safety.md, "Storage faults").
public struct StorageFault: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case full, deleted, replaced, ioError, readOnly, damaged
    }

    public var kind: Kind
    public var path: String
    public var reason: String

    public init(kind: Kind, path: String, reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    /// The fault an SQLite error means, or nil for errors that are not about storage.
    init?(_ error: DatabaseError, path: String) {
        let place = path.isEmpty ? "" : " (\(path))"
        switch error.resultCode {
        case .SQLITE_FULL:
            self.init(kind: .full, path: path, reason: "the disk holding the batch log is full\(place)")
        case .SQLITE_IOERR:
            // SQLite reports ENOSPC while writing the WAL or syncing as an I/O error too.
            let text = error.message ?? "\(error)"
            if text.localizedCaseInsensitiveContains("disk is full") || text.localizedCaseInsensitiveContains("no space") {
                self.init(kind: .full, path: path, reason: "the disk holding the batch log is full\(place)")
            } else {
                self.init(kind: .ioError, path: path, reason: "the disk reports an input/output error on the batch log\(place): \(text)")
            }
        case .SQLITE_READONLY:
            self.init(kind: .readOnly, path: path, reason: "the batch log cannot be written\(place): \(error.message ?? "read-only")")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            self.init(kind: .damaged, path: path, reason: "the batch log is damaged\(place): \(error.message ?? "malformed")")
        case .SQLITE_CANTOPEN:
            self.init(kind: .deleted, path: path, reason: "the batch log cannot be opened any more\(place): \(error.message ?? "")")
        default:
            return nil
        }
    }

    public var description: String { reason }
}

extension BatchLog {
    /// Where the log keeps its reserve: a file of `reserveSize` bytes it can delete when the disk
    /// fills, so that the stop — the event that says why, and the batch's last state — can still
    /// be written.
    public var reservePath: String { path + "-reserve" }
    public static let reserveSize = 1 << 20

    /// Makes sure the reserve is there (whole, with its blocks allocated); false when there was no
    /// room for it.
    @discardableResult
    public func keepReserve() -> Bool {
        let fd = open(reservePath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return posix_fallocate(fd, 0, off_t(Self.reserveSize)) == 0
    }

    /// Gives the reserve's space back to the disk (the disk is full and the stop must be logged).
    public func releaseReserve() { unlink(reservePath) }

    /// Bytes free for an unprivileged writer on the disk holding the log.
    public func freeSpace() -> Int64? {
        var s = statvfs()
        let folder = (path as NSString).deletingLastPathComponent
        guard statvfs(folder.isEmpty ? "." : folder, &s) == 0 else { return nil }
        let bytes = Double(s.f_bavail) * Double(s.f_frsize)
        return bytes < Double(Int64.max) ? Int64(bytes) : Int64.max
    }
}
