/* The host's release of a remote freeze (inline-hook's remote.RemoteProcess): PTRACE_DETACH of
 * every stopped thread of a target in one native call.
 *
 * Why native: each detach wakes a thread that may preempt the tracer, and on a busy machine the
 * JVM's own VM thread is then starved too. A Java loop that met a safepoint poll between two
 * detaches waited for that starved VM thread while the threads not yet detached stayed stopped:
 * measured on 2 cores with 64 busy threads, 60-150 ms releases, against under a millisecond for
 * this loop. A thread in a JNA call is in native state, which safepoints do not wait for.
 *
 * This runs in the host, never in a target: it is ordinary libc code. */
#include <stdint.h>
#include <sys/ptrace.h>

#include "jpoline.h"

JPOLINE_EXPORT int32_t jpoline_remote_detach_all(const int32_t *tids, const int32_t *signals, int32_t n) {
    int32_t detached = 0;
    for (int32_t i = 0; i < n; i++) {
        /* A thread that exited meanwhile fails with ESRCH: nothing left to release. */
        if (ptrace(PTRACE_DETACH, tids[i], (void *)0, (void *)(intptr_t)signals[i]) == 0) {
            detached++;
        }
    }
    return detached;
}

/* Interrupts n seized threads in one call (PTRACE_INTERRUPT), so that all start towards their
 * stop at once; returns how many the kernel accepted. */
JPOLINE_EXPORT int32_t jpoline_remote_interrupt_all(const int32_t *tids, int32_t n) {
    int32_t sent = 0;
    for (int32_t i = 0; i < n; i++) {
        if (ptrace(PTRACE_INTERRUPT, tids[i], (void *)0, (void *)0) == 0) {
            sent++;
        }
    }
    return sent;
}
