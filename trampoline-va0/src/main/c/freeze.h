/* The in-process stop-the-world freeze of the inline-hook engine (DESIGN.md invariant 8): every
 * change to code that may run is made while every other thread of the process is parked in a
 * signal handler, threads caught inside the bytes being replaced are moved through a boundary
 * map, and the cores are serialized before anyone runs again.
 *
 * The caller (inline-hook's Freeze, through JNA) lays out a plan in memory as below and makes
 * one call, jpoline_freeze_apply: the whole critical section (signalling, waiting, fix-ups,
 * writes, serialization, release) runs inside it. It must, because the patching thread must not
 * reach a HotSpot safepoint poll while the others are parked (the VM thread may be one of them,
 * parked half-way into a safepoint); a thread inside a JNA call is `_thread_in_native`, which a
 * safepoint does not wait for.
 *
 * Every field is 64 bits wide, so that the Java side lays the plan out with plain offsets. The
 * layouts are checked by jpoline_freeze_layout(). */
#ifndef JPOLINE_FREEZE_H
#define JPOLINE_FREEZE_H

#include <stdint.h>

#include "jpoline.h"

/* One change. A thread whose instruction pointer is in [move_lo, move_hi) is moved to
 * move_to[i] when it equals move_from[i]; any other address in the range is an anomaly and
 * the thread is left alone. Every aligned 8-byte word on a thread's stack equal to
 * return_from[i] becomes return_to[i]. Then `length` bytes from `bytes` are written at
 * `address` (none: the step only asks). Arrays are uint64_t; a count may be 0. */
struct jpoline_freeze_step {
    uint64_t address;           /*   0 */
    uint64_t bytes;             /*   8: const uint8_t * */
    uint64_t length;            /*  16 */
    uint64_t move_lo;           /*  24 */
    uint64_t move_hi;           /*  32 */
    uint64_t move_from;         /*  40: const uint64_t * */
    uint64_t move_to;           /*  48 */
    uint64_t move_count;        /*  56 */
    uint64_t return_from;       /*  64: const uint64_t * */
    uint64_t return_to;         /*  72 */
    uint64_t return_count;      /*  80 */
    uint64_t busy_lo;           /*  88 */
    uint64_t busy_hi;           /*  96 */
    uint64_t busy_returns;      /* 104: const uint64_t * */
    uint64_t busy_return_count; /* 112 */
    /* Out: threads (the caller's included) that, after this step's fix-ups, have their
     * instruction pointer in [busy_lo, busy_hi) or a stack word equal to one of busy_returns:
     * memory there is still in use and must not be freed. */
    uint64_t busy;              /* 120 */
};

struct jpoline_freeze_plan {
    /* In. */
    uint64_t steps;      /*  0: struct jpoline_freeze_step *, applied in order */
    uint64_t step_count; /*  8 */
    uint64_t timeout_ns; /* 16: how long every thread gets to park */
    /* Out, all zero on entry to the call. */
    uint64_t threads;       /* 24: threads frozen, held ones included (the caller is not one) */
    uint64_t ip_fixups;     /* 32: instruction pointers moved */
    uint64_t return_fixups; /* 40: stack words rewritten */
    /* 48: instruction pointers in a move range that match no pair, and stacks that could not
     * be scanned (their stack pointer is in no readable mapping) */
    uint64_t anomalies;
    uint64_t nanos;         /* 56: the pause: from the first signal sent to the release */
    uint64_t flags;         /* 64: JPOLINE_FREEZE_* below */
    uint64_t stuck_tid;     /* 72: JPOLINE_FREEZE_TIMEOUT: a thread that did not park */
    uint64_t failed_step;   /* 80: the step a negative result is about, or ~0 */
    uint64_t signal;        /* 88: the freeze signal */
    /* 96: threads frozen without parking: asleep in a private futex wait with every signal
     * blocked, so that only a parked thread could wake them (freeze.c, can_hold) */
    uint64_t held;
};

/* jpoline_freeze_apply's result besides 0 and -errno: a thread did not park within the
 * timeout (it blocks the signal, or is stopped). Everyone was released, nothing written. */
#define JPOLINE_FREEZE_TIMEOUT 1

/* plan->flags */
#define JPOLINE_FREEZE_CORES_SERIALIZED 0x1ull /* membarrier(SYNC_CORE) ran after the writes */
#define JPOLINE_FREEZE_MPROTECT 0x2ull /* /proc/self/mem was unusable: written by mprotect */
#define JPOLINE_FREEZE_PARTIAL 0x4ull  /* steps before failed_step were written */

/* Installs the handler of the freeze signal (the first free real-time signal from
 * SIGRTMIN + 4), once per process. Returns the signal number or -errno (-EBUSY: every
 * candidate signal is in use). Also sets up core serialization (membarrier) when it exists. */
JPOLINE_EXPORT int jpoline_freeze_install(void);

/* The installed freeze signal, 0 before jpoline_freeze_install. */
JPOLINE_EXPORT int jpoline_freeze_signal(void);

/* Runs the plan under one freeze of every other thread of the process (installing first if
 * needed). Returns 0, JPOLINE_FREEZE_TIMEOUT, or -errno: -EFAULT (a step writes where nothing
 * is mapped; nothing written), -EBUSY (someone replaced the freeze signal's handler),
 * -E2BIG (more threads than the freeze can track), -EAGAIN (the kernel refused to queue the
 * signal: RLIMIT_SIGPENDING), -EINVAL (a malformed plan), or the error of a failed write
 * (see JPOLINE_FREEZE_PARTIAL). Freezes are serialized process-wide. */
JPOLINE_EXPORT int jpoline_freeze_apply(struct jpoline_freeze_plan *plan);

/* sizeof(struct jpoline_freeze_plan) << 16 | sizeof(struct jpoline_freeze_step): the caller
 * checks it against the layout it writes. */
JPOLINE_EXPORT uint32_t jpoline_freeze_layout(void);

#endif
