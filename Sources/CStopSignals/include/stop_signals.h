#ifndef BREWCTL_STOP_SIGNALS_H
#define BREWCTL_STOP_SIGNALS_H

/// Signal handling for the control loop, in C because a signal handler may only touch
/// `volatile sig_atomic_t`-like state and call async-signal-safe functions; Swift code cannot be
/// guaranteed to do either. The handler only counts; the loop polls the counts every tick.

/// Installs the counting handler for `signals[0..<count]` (no SA_RESTART, so a blocking read
/// returns EINTR and the caller can look at the counts). A signal that the process caused itself
/// (SIGPIPE or SIGXFSZ from its own write: the write fails with EPIPE/EFBIG instead) is ignored;
/// a fault the kernel raised (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS) or the process
/// raised itself (abort()) is handed back to the action that was installed before, so a crash
/// stays a crash (and the Swift runtime's backtrace still prints). Returns 0, or -1 with errno.
int brewctl_signals_install(const int *signals, int count);

/// How many times `signal` has arrived (from another process) since installation.
long brewctl_signals_count(int signal);

/// The process id of the last sender of `signal` (0 if unknown).
int brewctl_signals_sender(int signal);

/// Restores the default action of `signal` (the process is done with it).
void brewctl_signals_restore(int signal);

/* How many signals were counted so far, all together (async-signal-safe to read). */
long brewctl_signals_total(void);

#endif
