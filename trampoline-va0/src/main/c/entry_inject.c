/* strace's -e inject= and -e fault=, in the target: the rules are in the session (the host
 * wrote them before the program started), and each thread counts the invocations of every
 * injected syscall, as strace counts per tracee, so that deciding costs a few loads and an
 * increment, and nothing goes to the host but the trace record.
 *
 * An invocation is injected when its number n (from 1) is in the rule's range: n >= first,
 * n <= last, and n == first when the rule has no step, else (n - first) % step == 0. Counts
 * are per thread id: a new thread, a fork or vfork child start at 0, as a new strace tracee.
 *
 * Freestanding, like the rest of the entry. */
#include "runtime_internal.h"
#include "session.h"

/* The counts live in a table keyed by thread id, not in TLS: the runtime's initial-exec TLS comes
 * out of glibc's small static surplus when it is dlopen'ed into a JVM, and 128 more bytes there
 * made that load fail. A fork or vfork child has a new tid, so it starts afresh as strace's new
 * tracee does; an entry is never removed (a reused tid would inherit counts: pid_max makes that
 * rare within one run). Mapped on first use, never unmapped; inserts claim a slot by CAS. */
#define THREAD_SLOTS 8192u
struct thread_counts {
    uint32_t tid;
    uint32_t counts[JPOLINE_INJECT_SLOTS];
};
static struct thread_counts *table;

static struct thread_counts *counts_of(uint32_t tid) {
    struct thread_counts *t = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
    if (t == 0) {
        long p = jp_sys6(NR_mmap, 0, (long)(THREAD_SLOTS * sizeof(struct thread_counts)), 3 /* RW */,
                         0x22 | 0x4000 /* PRIVATE|ANONYMOUS|NORESERVE */, -1, 0);
        if (p < 0 && p > -4096) return 0;
        struct thread_counts *expected = 0;
        if (!__atomic_compare_exchange_n(&table, &expected, (struct thread_counts *)p, 0, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE)) {
            jp_sys6(NR_munmap, p, (long)(THREAD_SLOTS * sizeof(struct thread_counts)), 0, 0, 0, 0);
            t = expected;
        } else {
            t = (struct thread_counts *)p;
        }
    }
    for (uint32_t i = (tid * 2654435761u) & (THREAD_SLOTS - 1), n = 0; n < THREAD_SLOTS;
         i = (i + 1) & (THREAD_SLOTS - 1), n++) {
        uint32_t owner = __atomic_load_n(&t[i].tid, __ATOMIC_ACQUIRE);
        if (owner == tid) return &t[i];
        if (owner == 0) {
            uint32_t expected = 0;
            if (__atomic_compare_exchange_n(&t[i].tid, &expected, tid, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ||
                expected == tid)
                return &t[i];
        }
    }
    return 0; /* full: this thread's calls are not injected */
}

const struct jpoline_inject_rule *jp_inject_due(const struct jpoline_session_header *s, uint64_t nr, uint32_t tid) {
    if (nr >= JPOLINE_TIER_COUNT) return 0;
    unsigned slot = __atomic_load_n(&s->inject_slot[nr], __ATOMIC_RELAXED);
    if (slot == 0 || slot > JPOLINE_INJECT_SLOTS) return 0;
    struct thread_counts *c = counts_of(tid);
    if (c == 0) return 0;
    uint32_t n = c->counts[slot - 1]; /* only this thread writes its entry */
    if (n != 0xFFFFFFFFu) c->counts[slot - 1] = ++n;
    unsigned index = s->inject_slot_rule[slot - 1];
    if (index >= JPOLINE_INJECT_RULES) return 0;
    const struct jpoline_inject_rule *r = &s->inject_rules[index];
    if (r->flags == 0 || n < r->first || n > r->last) return 0;
    if (r->step == 0 ? n != r->first : (n - r->first) % r->step != 0) return 0;
    return r;
}

struct kernel_timespec {
    long tv_sec, tv_nsec;
};

void jp_inject_delay(uint64_t ns) {
    struct kernel_timespec t = {(long)(ns / 1000000000u), (long)(ns % 1000000000u)};
    /* A signal may cut it short, as it may cut strace's. */
    jp_sys6(NR_nanosleep, (long)&t, 0, 0, 0, 0, 0);
}

void jp_inject_signal(uint32_t signo) {
    jp_sys6(NR_tgkill, jp_sys6(NR_getpid, 0, 0, 0, 0, 0, 0), jp_sys6(NR_gettid, 0, 0, 0, 0, 0, 0), signo, 0, 0, 0);
}
