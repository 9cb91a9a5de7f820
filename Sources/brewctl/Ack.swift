import ArgumentParser
import BrewCore
import BrewLog
import Foundation

/// `brewctl ack`: acknowledge the latched alarms of the running batch — from another terminal, a
/// script or the service's operator. The running brewctl takes it at its next sample (within a
/// second), clears the latched heater faults and logs who acknowledged. At the brewing terminal,
/// typing `ack` and Enter does the same.
struct Ack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Acknowledge the running batch's latched alarms (a heater held off by a runaway check).",
        discussion: "Exit status 0 when the request was recorded; 2 when there is no batch running."
    )

    @OptionGroup var request: OperatorRequest

    func run() throws {
        let (log, target, who) = request.target()
        try log.requestAcknowledgement(batch: target, by: who, wall: Date())
        print("Acknowledgement for batch \(target) recorded (\(Format.printable(who))); the running brewctl clears its latched alarms within a second.")
    }
}

/// `brewctl confirm`: confirm the manual step the running batch waits for (or let it heat again
/// after a long gap) from outside its terminal — for a batch running as a service.
struct Confirm: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Confirm the manual step the running batch waits for (or release heating after a long gap).",
        discussion: "Exit status 0 when the request was recorded; 2 when there is no batch running."
    )

    @OptionGroup var request: OperatorRequest

    func run() throws {
        let (log, target, who) = request.target()
        try log.requestConfirmation(batch: target, by: who, wall: Date())
        print("Confirmation for batch \(target) recorded (\(Format.printable(who))); the running brewctl acts on it within a second.")
    }
}

/// Which running batch an operator request is for, and who makes it (`ack`, `confirm`).
struct OperatorRequest: ParsableArguments {
    @Option(help: "The batch (default: the one running).")
    var batch: Int64?

    @Option(help: "Who it is, for the log (default: $USER).")
    var brewer: String?

    @Option(help: "The batch database (default as for `brewctl run`).")
    var db: String?

    func target() -> (BatchLog, Int64, String) {
        let env = ProcessInfo.processInfo.environment
        let log: BatchLog
        do { log = try BatchLog(path: db ?? BatchLog.defaultPath(environment: env)) } catch { fail("\(error)", code: 2) }
        // A running batch has no outcome yet and a persisted state, as an interrupted one does.
        let running = (try? log.interruptedBatches()) ?? []
        guard let target = batch ?? running.first?.id, running.contains(where: { $0.id == target }) else {
            fail(batch.map { "batch \($0) is not running" } ?? "no batch is running", code: 2)
        }
        return (log, target, brewer ?? env["USER"] ?? env["LOGNAME"] ?? accountName() ?? "unknown")
    }
}
