import ArgumentParser
import BrewCore
import BrewLog
import Foundation

/// `brewctl ack`: acknowledge the alarms of a running batch — from another terminal, a script or
/// the service's operator. It names what it acknowledges: the alarms the batch has raised so far
/// (one raised after this command read them is not acknowledged by it). The running brewctl
/// takes it at its next sample (within a second), clears the latched faults once every alarm is
/// acknowledged, and logs who acknowledged. Refused when no controller runs the batch or there is
/// nothing to acknowledge. At the brewing terminal, typing `ack` and Enter does the same.
struct Ack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Acknowledge a running batch's alarms (a heater held off by a runaway check, a tripped pump).",
        discussion: "Exit status 0 when the request was handed to the running controller; 2 when no controller runs the batch, or it has no alarm to acknowledge; 64 usage error."
    )

    @OptionGroup var request: OperatorRequestOptions

    func run() throws {
        let target = request.target()
        guard target.presence.alarmsPending > 0 else {
            fail("batch \(target.batch) has no alarm to acknowledge", code: ExitStatus.refused)
        }
        do {
            try target.log.request(.ack, batch: target.batch, answers: "\(target.presence.alarmsRaised)", controller: target.presence.session,
                                   by: target.who, wall: Date())
        } catch { fail("\(error)", code: ExitStatus.refused) }
        let n = target.presence.alarmsPending
        print("Acknowledging \(n) alarm\(n == 1 ? "" : "s") of batch \(target.batch)\(target.presence.latestAlarm.map { " (latest: \(Format.printable($0)))" } ?? "") for \(Format.printable(target.who)); the running brewctl (process \(target.presence.pid)) takes it within a second.")
    }
}

/// `brewctl confirm`: answer the prompt a running batch waits for (a manual step, or heating
/// again after a long gap) from outside its terminal — for a batch running as a service. It names
/// what it answers, and counts only while that very prompt is waiting: refused when no controller
/// runs the batch, or the batch waits for nothing.
struct Confirm: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Confirm the prompt a running batch waits for (a manual step, or heating again after a long gap).",
        discussion: "Exit status 0 when the confirmation was handed to the running controller; 2 when no controller runs the batch or it waits for no confirmation; 64 usage error."
    )

    @OptionGroup var request: OperatorRequestOptions

    func run() throws {
        let target = request.target()
        guard let waiting = target.presence.waiting else {
            fail("batch \(target.batch) waits for no confirmation now — nothing was confirmed", code: ExitStatus.refused)
        }
        do {
            try target.log.request(.confirm, batch: target.batch, answers: waiting.key, controller: target.presence.session,
                                   by: target.who, wall: Date())
        } catch { fail("\(error)", code: ExitStatus.refused) }
        print("Confirming for batch \(target.batch), \(Format.printable(waiting.key)): “\(Format.printable(waiting.text))” (\(Format.printable(target.who))); the running brewctl (process \(target.presence.pid)) acts on it within a second, while that is still what it waits for.")
    }
}

/// Which running batch an operator request is for, and who makes it (`ack`, `confirm`).
struct OperatorRequestOptions: ParsableArguments {
    @Option(help: "The batch (default: the one running).")
    var batch: Int64?

    @Option(help: "Who it is, for the log (default: $USER).")
    var brewer: String?

    @Option(help: "The batch database (default as for `brewctl run`).")
    var db: String?

    func validate() throws {
        if let brewer { try SessionOptions.checkName(brewer, option: "--brewer") }
    }

    struct Target {
        var log: BatchLog
        var batch: Int64
        var presence: ControllerPresence
        var who: String
    }

    /// The running batch and what its controller says it waits for; refuses (exit 2) when no
    /// controller runs it — a request must never wait in the log for a later controller.
    func target() -> Target {
        let env = ProcessInfo.processInfo.environment
        let path = db ?? BatchLog.defaultPath(environment: env)
        guard FileManager.default.fileExists(atPath: path) else { fail("there is no batch log at \(path): no batch is running", code: ExitStatus.refused) }
        let log: BatchLog
        do { log = try BatchLog(path: path) } catch { fail("\(error)", code: ExitStatus.refused) }
        let running: [BatchRecord]
        do { running = try BatchLocks.running(in: log) } catch { fail("\(error)", code: ExitStatus.refused) }
        let id: Int64
        if let batch {
            guard running.contains(where: { $0.id == batch }) else {
                let interrupted = (try? BatchLocks.interrupted(in: log))?.contains { $0.id == batch } ?? false
                fail(interrupted
                     ? "batch \(batch) is interrupted, not running: resume it (brewctl resume) and answer it there; a request counts only while a controller waits for it"
                     : "batch \(batch) is not running", code: ExitStatus.refused)
            }
            id = batch
        } else {
            guard let only = running.first else {
                let interrupted = (try? BatchLocks.interrupted(in: log)) ?? []
                fail(interrupted.first.map { "no batch is running (batch \($0.id) is interrupted: resume it with brewctl resume and answer it there)" }
                     ?? "no batch is running", code: ExitStatus.refused)
            }
            guard running.count == 1 else {
                fail("\(running.count) batches are running (\(running.map { "\($0.id)" }.joined(separator: ", "))): say which with --batch N", code: ExitStatus.refused)
            }
            id = only.id
        }
        guard let presence = try? log.presence(batch: id) else {
            fail("batch \(id) is starting and has not said yet what it waits for: try again in a second", code: ExitStatus.refused)
        }
        let who = SessionOptions.person(brewer)
        return Target(log: log, batch: id, presence: presence, who: who)
    }
}
