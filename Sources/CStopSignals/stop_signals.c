#define _GNU_SOURCE
#include "stop_signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIGNAL 65

static volatile long counts[MAX_SIGNAL];
static volatile long total;   /* every signal counted, so a poll with nothing new is one load */
static volatile int senders[MAX_SIGNAL];
static struct sigaction previous[MAX_SIGNAL];
static volatile int installed[MAX_SIGNAL];

static int is_fault(int sig) {
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP || sig == SIGSYS ||
           sig == SIGABRT;
}

static void handler(int sig, siginfo_t *info, void *context) {
    (void)context;
    if (sig <= 0 || sig >= MAX_SIGNAL) return;
    pid_t self = getpid();
    int fromElsewhere = info != NULL && info->si_code <= 0 && info->si_pid != 0 && info->si_pid != self;
    if (!fromElsewhere) {
        if (sig == SIGPIPE || sig == SIGXFSZ) return;   /* our own write: it fails with EPIPE / EFBIG */
        if (is_fault(sig)) {
            /* A real crash: let it be one, through whatever handled it before (the Swift runtime's
               backtracer, else the default). The signal is blocked while this handler runs, so it
               is delivered again, to that action, as soon as the handler returns. */
            sigaction(sig, &previous[sig], NULL);
            if (info == NULL || info->si_code <= 0) raise(sig);
            return;
        }
    }
    __atomic_store_n(&senders[sig], info != NULL ? (int)info->si_pid : 0, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&counts[sig], 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&total, 1, __ATOMIC_SEQ_CST);
}

int brewctl_signals_install(const int *signals, int count) {
    for (int i = 0; i < count; i++) {
        int sig = signals[i];
        if (sig <= 0 || sig >= MAX_SIGNAL) { errno = EINVAL; return -1; }
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = handler;
        sa.sa_flags = SA_SIGINFO;   /* no SA_RESTART: a blocked read returns EINTR */
        sigemptyset(&sa.sa_mask);
        if (sigaction(sig, &sa, installed[sig] ? NULL : &previous[sig]) != 0) return -1;
        installed[sig] = 1;
    }
    return 0;
}

long brewctl_signals_count(int sig) {
    if (sig <= 0 || sig >= MAX_SIGNAL) return 0;
    return __atomic_load_n(&counts[sig], __ATOMIC_SEQ_CST);
}

int brewctl_signals_sender(int sig) {
    if (sig <= 0 || sig >= MAX_SIGNAL) return 0;
    return __atomic_load_n(&senders[sig], __ATOMIC_SEQ_CST);
}

void brewctl_signals_restore(int sig) {
    if (sig <= 0 || sig >= MAX_SIGNAL) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigaction(sig, &sa, NULL);
    installed[sig] = 0;
}

long brewctl_signals_total(void) {
    return __atomic_load_n(&total, __ATOMIC_SEQ_CST);
}
