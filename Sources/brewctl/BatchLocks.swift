import BrewHost
import BrewLog
import Foundation

/// One controller per batch: a controller holds a kernel lock (`flock`) on a lock file beside the
/// batch database for as long as it runs the batch; it dies with its holder, so a crashed
/// controller never leaves a stale one. "Running" means exactly that the lock is held.
enum BatchLocks {
    /// Takes the lock of batch `id`, or explains who holds it.
    static func claim(_ id: Int64, in log: BatchLog) throws -> KernelLock { try claim(id, database: log.path) }

    static func claim(_ id: Int64, database: String) throws -> KernelLock {
        do { return try KernelLock.lockFile(BatchLog.lockPath(database: database, batch: id)) } catch .held(let holder, _) {
            throw Refusal("batch \(id) is being run by \(holder): one controller per batch — use that one (its terminal, brewctl confirm/ack) or stop it first")
        } catch {
            throw Refusal("cannot take the lock of batch \(id) (\(error)): is the folder of \(database) writable?")
        }
    }

    /// Who runs batch `id` now (nil: nobody — it is interrupted, or over).
    static func runner(of id: Int64, in log: BatchLog) -> KernelLock.Holder? {
        KernelLock.holder(of: log.lockPath(batch: id))
    }

    /// Interrupted batches nobody is running, most recent first.
    static func interrupted(in log: BatchLog) throws -> [BatchRecord] {
        try log.interruptedBatches().filter { runner(of: $0.id, in: log) == nil }
    }

    /// Batches a controller runs now, most recent first.
    static func running(in log: BatchLog) throws -> [BatchRecord] {
        try log.unfinishedBatches().filter { runner(of: $0.id, in: log) != nil }
    }

    struct Refusal: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
