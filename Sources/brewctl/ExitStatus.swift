/// brewctl's exit statuses, for people and for scripts and systemd (README, "Exit status").
enum ExitStatus {
    /// The batch completed; the command did what it was asked.
    static let completed: Int32 = 0
    /// The batch was aborted or failed; the person declined; something could not be switched.
    static let failed: Int32 = 1
    /// A file could not be read or is invalid, there is nothing to resume, or another controller
    /// holds the batch or the rig: nothing was switched on, and trying again as it is won't help.
    static let refused: Int32 = 2
    /// The controller stopped (a signal, a storage fault) with every output off and the batch
    /// interrupted: `brewctl resume` continues it.
    static let interrupted: Int32 = 3
    /// The command line itself is wrong (ArgumentParser's EX_USAGE).
    static let usage: Int32 = 64
}
