/* strace's -e inject= and -e fault=, in the target: the rules are in the session (the host
 * wrote them before the program started), and each thread counts the invocations of every
 * injected syscall in its own TLS, as strace counts per tracee, so that deciding costs a few
 * loads and an increment, and nothing goes to the host but the trace record.
 *
 * An invocation is injected when its number n (from 1) is in the rule's range: n >= first,
 * n <= last, and n == first when the rule has no step, else (n - first) % step == 0. A fork
 * child starts counting afresh (strace sees a new tracee); a thread starts at 0 (fresh TLS).
 *
 * Freestanding, like the rest of the entry. */
#include "runtime_internal.h"
#include "session.h"

static __thread uint32_t counts[JPOLINE_INJECT_SLOTS] __attribute__((tls_model("initial-exec")));

const struct jpoline_inject_rule *jp_inject_due(const struct jpoline_session_header *s, uint64_t nr) {
    if (nr >= JPOLINE_TIER_COUNT) return 0;
    unsigned slot = __atomic_load_n(&s->inject_slot[nr], __ATOMIC_RELAXED);
    if (slot == 0 || slot > JPOLINE_INJECT_SLOTS) return 0;
    uint32_t n = counts[slot - 1];
    if (n != 0xFFFFFFFFu) counts[slot - 1] = ++n;
    unsigned index = s->inject_slot_rule[slot - 1];
    if (index >= JPOLINE_INJECT_RULES) return 0;
    const struct jpoline_inject_rule *r = &s->inject_rules[index];
    if (r->flags == 0 || n < r->first || n > r->last) return 0;
    if (r->step == 0 ? n != r->first : (n - r->first) % r->step != 0) return 0;
    return r;
}

void jp_inject_after_fork(void) {
    for (unsigned i = 0; i < JPOLINE_INJECT_SLOTS; i++) counts[i] = 0;
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
