/* The target's half of the rewrite-request protocol (docs/session.md). Freestanding: it runs
 * from the constructor and also from the entry path when the program maps code executable,
 * so it uses only raw syscalls and compiler atomics. */
#include "runtime_internal.h"
#include "session.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define CLOCK_MONOTONIC_ID 1
#define ERR_SRCH 3
#define ERR_NOENT 2
#define ERR_PROTO 71
#define ERR_TIMEDOUT 110

/* Waiting is done in slices so that a dead host is noticed within one of them. */
#define WAIT_SLICE_NS 100000000LL

struct jpoline_session_header *jp_session;

struct kernel_timespec {
    long tv_sec;
    long tv_nsec;
};

static struct jpoline_slot *slot_at(struct jpoline_session_header *s, uint32_t index) {
    return (struct jpoline_slot *)((char *)s + sizeof(*s) + (uint64_t)index * JPOLINE_SLOT_SIZE);
}

long long jp_monotonic_ns(void) {
    struct kernel_timespec ts;
    jpoline_raw_syscall6(NR_clock_gettime, CLOCK_MONOTONIC_ID, (long)&ts, 0, 0, 0, 0);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void jp_futex_wait(uint32_t *word, uint32_t expected, long long timeout_ns) {
    struct kernel_timespec ts = {timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
    jpoline_raw_syscall6(NR_futex, (long)word, FUTEX_WAIT, expected, (long)&ts, 0, 0);
}

void jp_futex_wake(uint32_t *word) {
    jpoline_raw_syscall6(NR_futex, (long)word, FUTEX_WAKE, 0x7fffffff, 0, 0, 0);
}

static long long timeout_ns(struct jpoline_session_header *s) {
    return (long long)__atomic_load_n(&s->wait_timeout_ms, __ATOMIC_RELAXED) * 1000000LL;
}

/* The host is alive while the session is live, its heartbeat is fresh and its pid exists. */
int jp_host_alive(struct jpoline_session_header *s) {
    if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != JPOLINE_SESSION_LIVE) return 0;
    long long beat = (long long)__atomic_load_n(&s->heartbeat_ns, __ATOMIC_ACQUIRE);
    if (jp_monotonic_ns() - beat > timeout_ns(s)) return 0;
    return jpoline_raw_syscall6(NR_kill, s->host_pid, 0, 0, 0, 0, 0) != -ERR_SRCH;
}

/* From now on every process of the session runs on without waiting for the host. */
void jp_session_give_up(struct jpoline_session_header *s) {
    __atomic_store_n(&s->state, JPOLINE_SESSION_DEAD, __ATOMIC_RELEASE);
    __atomic_fetch_add(&s->processes_gave_up, 1, __ATOMIC_RELAXED);
}

static struct jpoline_slot *claim_slot(struct jpoline_session_header *s) {
    long long deadline = jp_monotonic_ns() + timeout_ns(s);
    for (;;) {
        uint32_t count = s->slot_count;
        for (uint32_t i = 0; i < count; i++) {
            struct jpoline_slot *slot = slot_at(s, i);
            uint32_t expected = JPOLINE_SLOT_FREE;
            if (__atomic_compare_exchange_n(&slot->state, &expected, JPOLINE_SLOT_CLAIMED, 0,
                                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
                return slot;
        }
        /* Every slot busy: many processes starting at once. Wait a little for one to free. */
        if (!jp_host_alive(s) || jp_monotonic_ns() > deadline) return 0;
        struct kernel_timespec pause = {0, WAIT_SLICE_NS / 10};
        jpoline_raw_syscall6(NR_nanosleep, (long)&pause, 0, 0, 0, 0, 0);
    }
}

long jp_session_request(int kind, uint64_t start, uint64_t end) {
    return jp_session_request_with(kind, start, end, 0, 0);
}

long jp_session_request_with(int kind, uint64_t start, uint64_t end, const char *payload, uint32_t length) {
    struct jpoline_session_header *s = jp_session;
    if (s == 0 || __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != JPOLINE_SESSION_LIVE)
        return -ERR_NOENT;
    struct jpoline_slot *slot = claim_slot(s);
    if (slot == 0) {
        jp_session_give_up(s);
        return -ERR_TIMEDOUT;
    }
    slot->pid = (uint32_t)jpoline_raw_syscall6(NR_getpid, 0, 0, 0, 0, 0, 0);
    slot->tid = (uint32_t)jpoline_raw_syscall6(NR_gettid, 0, 0, 0, 0, 0, 0);
    slot->kind = (uint32_t)kind;
    slot->range_start = start;
    slot->range_end = end;
    if (length > sizeof(slot->addresses)) length = sizeof(slot->addresses);
    for (uint32_t i = 0; i < length; i++) ((char *)slot->addresses)[i] = payload[i];
    slot->chunk_count = length;
    slot->result = 0;
    slot->sites_announced = 0;
    int sud = !__atomic_load_n(&jp_va0_active, __ATOMIC_ACQUIRE);
    slot->flags = sud ? JPOLINE_REQUEST_FLAG_SUD : 0;
    slot->jump_pool = sud ? jp_sud_jump_pool : 0;
    __atomic_store_n(&slot->state, JPOLINE_SLOT_REQUEST, __ATOMIC_RELEASE);
    __atomic_fetch_add(&s->doorbell, 1, __ATOMIC_RELEASE);
    jp_futex_wake(&s->doorbell);

    long long last_progress = jp_monotonic_ns();
    for (;;) {
        uint32_t state = __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE);
        switch (state) {
        case JPOLINE_SLOT_SITES: {
            uint32_t n = slot->chunk_count;
            if (n > JPOLINE_SLOT_CHUNK_CAPACITY) n = JPOLINE_SLOT_CHUNK_CAPACITY;
            /* Sites enter the NULL-call table before the host may patch them. */
            jpoline_sites_add(slot->addresses, n);
            __atomic_store_n(&slot->state, JPOLINE_SLOT_TAKEN, __ATOMIC_RELEASE);
            jp_futex_wake(&slot->state);
            last_progress = jp_monotonic_ns();
            continue;
        }
        case JPOLINE_SLOT_DONE:
        case JPOLINE_SLOT_FAILED: {
            long result = slot->result;
            __atomic_store_n(&slot->state, JPOLINE_SLOT_FREE, __ATOMIC_RELEASE);
            return result;
        }
        case JPOLINE_SLOT_REQUEST:
        case JPOLINE_SLOT_TAKEN:
        case JPOLINE_SLOT_PATCHING:
            jp_futex_wait(&slot->state, state, WAIT_SLICE_NS);
            if (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) != state) {
                last_progress = jp_monotonic_ns();
                continue;
            }
            if (jp_host_alive(s) && jp_monotonic_ns() - last_progress < timeout_ns(s)) continue;
            /* The host is gone or stuck. Once PATCHING, every site is in our table, so a
             * half-finished patch is still correct; before that, the CAS stops the host. */
            if (__atomic_compare_exchange_n(&slot->state, &state, JPOLINE_SLOT_ABANDONED, 0,
                                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
                jp_session_give_up(s);
                return -ERR_TIMEDOUT;
            }
            continue;
        default:
            return -ERR_PROTO;
        }
    }
}

/* One line on stderr from the entry path (no stdio here). */
static void say(const char *a, const char *b) {
    char line[320];
    uint64_t n = 0;
    for (const char *p = a; *p && n < sizeof line - 2; p++) line[n++] = *p;
    for (const char *p = b; *p && n < sizeof line - 2; p++) line[n++] = *p;
    line[n++] = '\n';
    jpoline_raw_syscall6(NR_write, 2, (long)line, (long)n, 0, 0, 0);
}

void jp_session_obey(long result) {
    if (result == JPOLINE_RESULT_DETACH) {
        jp_session_detach();
    } else if (result == JPOLINE_RESULT_SUD) {
        int exhaustive = __atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE) != 0;
        const char *why = jp_sud_switch_from_va0();
        if (why != 0) {
            say("jpoline: a runtime that needs reads of address 0 to fault is loading, and this process cannot"
                " go on under Syscall User Dispatch (",
                why);
            jp_session_detach();
        } else if (!exhaustive && jp_sud_jump_pool_create() != 0) {
            /* The code is back to `syscall` and this is still the only thread: ask again, now
             * under SUD, and the host jump-patches every site with a hop (entry_sud_pool.c). With
             * --exhaustive other threads may run that code: it keeps trapping. */
            jp_session_request(JPOLINE_REQUEST_STARTUP, 0, 0);
        }
    }
}

void jp_session_detach(void) {
    jp_signals_stop(); /* the program's own signal actions, as it set them */
    jp_session = 0;
    jp_sud_restore_sites();
    __atomic_store_n(&jp_va0_active, 0, __ATOMIC_RELEASE);
    /* No rewritten site is left to land here; a NULL read now faults as the runtime wants. */
    jpoline_raw_syscall6(NR_munmap, 0, JPOLINE_VA0_SIZE, 0, 0, 0, 0);
}
