/* The TRACE tier: one record per syscall into the session's ring (docs/trace.md).
 * Freestanding like the rest of the entry: no libc, no locks, no vector registers. A capture
 * must never fault the program, whatever pointer it passed, so every copy goes through
 * process_vm_readv on the own thread, which returns short instead of faulting, except where a
 * plain load is known to succeed: the fast path (a FULL record of a hot syscall that succeeded)
 * makes no syscall of its own, because its rules carry JPOLINE_RULE_DIRECT, given by the host
 * only where the kernel, on success, has read or written every byte the rule copies. Timestamps
 * come from the vDSO. */
#include <stddef.h>

#include "runtime_internal.h"
#include "session.h"

#define EFAULT 14
#define CLOCK_REALTIME 0
#define PAGE 4096ull
#define ERR_INTR 4 /* EINTR: the runtime is freestanding, without errno.h */
#define MAX_PLANS 48
#define MAX_IOV 32
#define STASH_SIZE 512
#define SPIN_BEFORE_SLEEP 2000
#define WAIT_SLICE_NS 100000000LL

struct ktimespec {
    long sec, nsec;
};

/* Set by the constructor (runtime.c) from the vDSO; 0 means "use the syscall". */
jp_clock_gettime_fn jp_vdso_clock_gettime;

/* Per-thread ids. A vfork child shares our TLS, so the ids are valid only at the vfork depth
 * they were taken at; clone children that share memory but not TLS invalidate them. */
struct jp_trace_ids {
    uint32_t pid, tid;
    uint64_t depth;
    uint64_t pending_nr; /* +1: a clone with a new stack whose parent owes an EXIT record */
    uint64_t pending_entry_ns;
    uint64_t tail_seen; /* the last ring tail this thread read: tails only grow */
};
static __thread struct jp_trace_ids ids __attribute__((tls_model("initial-exec")));
/* Per vfork depth: +1 the number of a traced vfork-style call whose parent owes an EXIT record.
 * Kept apart from ids because the child, running on our TLS, makes its own traced calls. */
static __thread uint64_t vfork_pending[JP_VFORK_DEPTH_MAX] __attribute__((tls_model("initial-exec")));

void jp_trace_ids_reset(void) { ids.tid = 0; }

/* Nonzero while the host's window thread (remote_caller) records a syscall of another process
 * (jpoline_remote_*): for that thread the ids are that process's, and every copy reads its
 * memory. Globals, not TLS: the runtime's static TLS must stay small (RuntimeLibraryTest), and
 * one thread of a host follows. */
static uint32_t remote_pid, remote_tid, remote_caller;

static void current_ids(uint32_t *pid, uint32_t *tid) {
    uint64_t depth = jp_vfork_returns.depth;
    if (ids.tid == 0 || ids.depth != depth) {
        ids.pid = (uint32_t)jp_sys6(NR_getpid, 0, 0, 0, 0, 0, 0);
        ids.tid = (uint32_t)jp_sys6(NR_gettid, 0, 0, 0, 0, 0, 0);
        ids.depth = depth;
    }
    if (remote_tid != 0 && ids.tid == remote_caller) {
        *pid = remote_pid;
        *tid = remote_tid;
        return;
    }
    *pid = ids.pid;
    *tid = ids.tid;
}

/* Makes this thread record for thread tid of process pid (0: for itself again). */
static void remote_for(uint32_t pid, uint32_t tid) {
    uint32_t own_pid, own_tid;
    remote_tid = 0;
    current_ids(&own_pid, &own_tid);
    remote_caller = own_tid;
    remote_pid = pid;
    remote_tid = tid;
}

static uint64_t now_ns(void) {
    struct ktimespec ts = {0, 0};
    jp_clock_gettime_fn f = jp_vdso_clock_gettime;
    if (f != 0) f(CLOCK_REALTIME, &ts);
    else jp_sys6(NR_clock_gettime, CLOCK_REALTIME, (long)&ts, 0, 0, 0, 0);
    return (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
}

/* --- copying ------------------------------------------------------------------------------ */

struct iov {
    uint64_t base, len;
};

/* Copies up to len bytes without faulting: page by page through process_vm_readv. Returns the
 * bytes copied (short at the first unreadable page). */
uint64_t jp_safe_copy(void *dst, uint64_t src, uint64_t len) {
    uint32_t pid, tid;
    current_ids(&pid, &tid);
    uint64_t done = 0;
    while (done < len) {
        uint64_t chunk = PAGE - ((src + done) & (PAGE - 1));
        if (chunk > len - done) chunk = len - done;
        struct iov local = {(uint64_t)dst + done, chunk}, remote = {src + done, chunk};
        /* By thread id: once the main thread has exited (pthread_exit) the process id names a
         * zombie without memory, and the call fails with ESRCH. */
        long n = jp_sys6(NR_process_vm_readv, tid, (long)&local, 1, (long)&remote, 1, 0);
        if (n <= 0) break;
        done += (uint64_t)n;
        if ((uint64_t)n < chunk) break;
    }
    return done;
}

#define safe_copy jp_safe_copy

static uint64_t copy_mem(void *dst, uint64_t src, uint64_t len, int safe) {
    if (safe) return safe_copy(dst, src, len);
    volatile const uint8_t *from = (const uint8_t *)src;
    uint8_t *to = dst;
    uint64_t i = 0;
    for (; i + 8 <= len; i += 8) *(uint64_t *)(to + i) = *(volatile const uint64_t *)(from + i);
    for (; i < len; i++) to[i] = from[i];
    return len;
}

/* Length of the string at src before its NUL, at most cap; *complete = found the NUL.
 * Returns -1 when nothing at src is readable (safe mode only). */
static int64_t measure_string(uint64_t src, uint64_t cap, int safe, int *complete) {
    *complete = 0;
    if (src == 0) return -1;
    if (!safe) {
        const volatile char *p = (const char *)src;
        for (uint64_t i = 0; i < cap; i++)
            if (p[i] == 0) {
                *complete = 1;
                return (int64_t)i;
            }
        return (int64_t)cap;
    }
    char buf[64];
    uint64_t done = 0;
    while (done < cap) {
        uint64_t want = cap - done < sizeof buf ? cap - done : sizeof buf;
        uint64_t got = safe_copy(buf, src + done, want);
        for (uint64_t i = 0; i < got; i++)
            if (buf[i] == 0) {
                *complete = 1;
                return (int64_t)(done + i);
            }
        if (got < want) return done + got == 0 ? -1 : (int64_t)(done + got);
        done += got;
    }
    return (int64_t)cap;
}

/* --- planning a record's payloads -------------------------------------------------------- */

struct plan {
    uint64_t src;    /* address; for STRING_ARRAY the pointer array */
    uint32_t length; /* bytes the payload will hold */
    uint8_t arg, phase, shape, safe;
    uint16_t element;
    uint8_t truncated;
    uint8_t from_stash; /* src points into the stash: copy directly */
    uint32_t elem, cap; /* STRING_ARRAY: bytes per string, strings */
};

struct record_plan {
    struct plan p[MAX_PLANS];
    unsigned count;
    uint64_t bytes; /* payload bytes including headers and padding */
};

static uint64_t pad8(uint64_t n) { return (n + 7) & ~7ull; }

static void add_plan(struct record_plan *rp, const struct plan *p) {
    if (rp->count >= MAX_PLANS) return;
    struct plan *q = &rp->p[rp->count++];
    *q = *p;
    uint64_t room = JPOLINE_RECORD_MAX - sizeof(struct jpoline_record) - rp->bytes - 8;
    if (rp->bytes + sizeof(struct jpoline_record) + 8 > JPOLINE_RECORD_MAX) room = 0;
    if (q->length > room) {
        q->length = (uint32_t)(room & ~7ull);
        q->truncated = 1;
    }
    rp->bytes += 8 + pad8(q->length);
}

/* Walks an argv-like array: how many bytes the NUL-separated copy takes. */
static uint32_t measure_string_array(uint64_t array, uint32_t per_string, uint32_t max_strings, int safe,
                                     int *truncated) {
    uint64_t total = 0;
    *truncated = 0;
    for (uint32_t i = 0;; i++) {
        uint64_t ptr = 0;
        if (copy_mem(&ptr, array + 8ull * i, 8, safe) != 8) return (uint32_t)total;
        if (ptr == 0) return (uint32_t)total;
        if (i >= max_strings) {
            *truncated = 1;
            return (uint32_t)total;
        }
        int complete;
        int64_t n = per_string == 0 ? 0 : measure_string(ptr, per_string, safe, &complete);
        if (n < 0) n = 0;
        total += (uint64_t)n + 1;
        if (total > JPOLINE_RECORD_MAX / 2) {
            *truncated = 1;
            return (uint32_t)total;
        }
    }
}

static int is_error(int64_t ret) { return ret < 0 && ret > -4096; }

/* A rule's length argument as the kernel reads it: an int or unsigned int length (poll's nfds,
 * sendto's addrlen) is the low half of the register, whatever the caller left in the high half. */
static uint64_t length_of(const struct jpoline_capture_rule *rule, const uint64_t *args) {
    if (rule->length_arg > 5) return 0;
    uint64_t v = args[rule->length_arg];
    return (rule->reserved & JPOLINE_RULE_LENGTH_32) ? (uint32_t)v : v;
}

/* Plans an iovec array of `count` elements at `addr` (at most MAX_IOV of them; none beyond 1024,
 * which the kernel refuses) and each element's data: at most `cap` bytes each and `left` in all
 * (the result, at exit). The array is element `array_element`, element k's data `data_element` + k.
 * `base` gives arg, phase and safety; `read_by_kernel` as in plan_phase. */
static void plan_iovecs(struct record_plan *rp, const struct plan *base, uint64_t addr, uint64_t count, uint64_t left,
                        uint64_t read_by_kernel, uint32_t cap, uint16_t array_element, uint16_t data_element) {
    if (count > 1024 || addr == 0) return;
    uint64_t take = count > MAX_IOV ? MAX_IOV : count;
    struct plan p = *base;
    p.src = addr;
    p.length = (uint32_t)(take * 16);
    p.truncated = take < count;
    p.shape = JPOLINE_SHAPE_FIXED;
    p.element = array_element;
    if (p.safe) {
        /* The array itself must be readable before its elements are planned. */
        struct iov probe;
        if (take > 0 && safe_copy(&probe, addr, 16) != 16) return;
    }
    add_plan(rp, &p);
    /* Each element's data: at entry as long as the element, at exit up to the result. */
    uint64_t before = 0; /* data bytes of the elements before this one */
    for (uint64_t k = 0; k < take; k++) {
        struct iov v;
        if (copy_mem(&v, addr + 16 * k, 16, p.safe) != 16) break;
        uint64_t len = v.len < left ? v.len : left;
        left -= len;
        struct plan d = {v.base, 0, p.arg, p.phase, JPOLINE_SHAPE_FIXED, p.safe, (uint16_t)(data_element + k), 0, 0, 0, 0};
        d.length = (uint32_t)(len > cap ? cap : len);
        d.truncated = len > cap;
        /* A writev's element lies within what the kernel read only if the bytes before it
         * and its own fit in the result. */
        if (before + d.length > read_by_kernel || before + d.length < before) d.safe = 1;
        before += v.len;
        if (before < v.len) before = ~0ull;
        uint8_t probe_byte;
        if (v.base == 0 || len == 0 || (d.safe && safe_copy(&probe_byte, v.base, 1) != 1)) continue;
        add_plan(rp, &d);
    }
}

/* `length` bytes at `addr` (at most `cap`) as element `element`, copied safely; left out when
 * the first byte is unreadable. */
static void plan_blob(struct record_plan *rp, const struct plan *base, uint64_t addr, uint64_t length, uint32_t cap,
                      uint16_t element) {
    if (addr == 0 || length == 0) return;
    struct plan d = {addr, 0, base->arg, base->phase, JPOLINE_SHAPE_FIXED, 1, element, 0, 0, 0, 0};
    d.length = (uint32_t)(length > cap ? cap : length);
    d.truncated = length > cap;
    uint8_t probe;
    if (safe_copy(&probe, addr, 1) != 1) return;
    add_plan(rp, &d);
}

/* The mmsghdr array of sendmmsg/recvmmsg (`vlen` entries) and, for each of the first `sent`
 * messages, its iovec array and data up to its msg_len (copied safely: the kernel wrote msg_len).
 * Only messages whose payloads all fit in the plan are taken; the array's payload ends after
 * them, so that the host knows which messages were not captured. */
static void plan_mmsghdrs(struct record_plan *rp, const struct plan *base, uint32_t vlen, uint64_t sent, uint32_t cap) {
    struct mmsg { uint64_t name; uint32_t namelen, pad; uint64_t iov, iovlen, control, controllen; uint32_t flags, pad2, len, pad3; };
    _Static_assert(sizeof(struct mmsg) == 64, "struct mmsghdr");
    if (sent > vlen) sent = vlen;
    uint64_t taken = 0;
    unsigned plans = rp->count + 1; /* the array's own */
    for (; taken < sent && taken < 256; taken++) {
        struct mmsg m;
        if (safe_copy(&m, base->src + 64 * taken, 64) != 64) break;
        unsigned need = 1 + (unsigned)(m.iovlen > MAX_IOV ? MAX_IOV : m.iovlen);
        if (plans + need > MAX_PLANS) break;
        plans += need;
    }
    if (taken == 0) return; /* nothing sent or received, or the array is unreadable */
    struct plan p = *base;
    p.length = (uint32_t)(64 * taken);
    p.truncated = taken < vlen;
    p.shape = JPOLINE_SHAPE_FIXED;
    p.safe = 1;
    add_plan(rp, &p);
    for (uint64_t i = 0; i < taken; i++) {
        struct mmsg m;
        if (safe_copy(&m, p.src + 64 * i, 64) != 64) break;
        plan_iovecs(rp, &p, m.iov, m.iovlen, m.len, ~0ull, cap, (uint16_t)JPOLINE_ELEMENT_IOV_ARRAY(i),
                    (uint16_t)JPOLINE_ELEMENT_IOV_DATA(i, 0));
    }
}

/* Plans the payloads of one phase. when: JPOLINE_AT_ENTRY rules (and the entry half of
 * ENTRY_AND_EXIT) or JPOLINE_AT_EXIT rules (and the exit half). */
static void plan_phase(struct record_plan *rp, const struct jpoline_schema_entry *e, const uint64_t *args,
                       int64_t ret, int phase, int force_safe, int have_ret, const uint8_t *stash,
                       const uint32_t *stash_len) {
    unsigned n = e->rule_count < JPOLINE_SCHEMA_MAX_RULES ? e->rule_count : JPOLINE_SCHEMA_MAX_RULES;
    uint32_t stash_off = 0;
    for (unsigned r = 0; r < n; r++) {
        const struct jpoline_capture_rule *rule = &e->rules[r];
        if (rule->arg > 5) continue;
        int vr = rule->timing == JPOLINE_AT_ENTRY_AND_EXIT;
        int wanted = phase == JPOLINE_PAYLOAD_ENTRY ? (rule->timing == JPOLINE_AT_ENTRY || vr)
                                                    : (rule->timing == JPOLINE_AT_EXIT || vr);
        uint32_t this_stash = 0;
        if (vr && stash_len != 0) this_stash = stash_len[r];
        if (!wanted) continue;
        uint64_t addr = args[rule->arg];
        if (addr == 0) continue;
        /* Entry halves of value-result fields come from the stash (copied before the call). */
        if (vr && phase == JPOLINE_PAYLOAD_ENTRY && stash != 0) {
            if (this_stash > 0) {
                struct plan p = {(uint64_t)(stash + stash_off), this_stash, rule->arg, (uint8_t)phase,
                                 rule->shape, 0, JPOLINE_PAYLOAD_WHOLE, 0, 1, 0, 0};
                add_plan(rp, &p);
            }
            stash_off += this_stash;
            continue;
        }
        if (vr && stash != 0) stash_off += this_stash;
        /* Kernel-written memory is worth reading only after a success (or, for the remaining
         * time of a sleep, after an interruption). */
        if (phase == JPOLINE_PAYLOAD_EXIT &&
            (!have_ret || (is_error(ret) && !(ret == -ERR_INTR && (rule->reserved & JPOLINE_RULE_AFTER_EINTR)))))
            continue;
        /* Direct only after a success of a DIRECT rule: before the call, or after a failure, the
         * kernel may not have touched the memory (EINVAL for a flag, EFAULT half-way). */
        int safe = force_safe || !have_ret || is_error(ret) || !(rule->reserved & JPOLINE_RULE_DIRECT);
        /* A write's buffer: the kernel read only as far as the result (a short write stops at an
         * unreadable byte), so what lies beyond is copied safely. */
        uint64_t read_by_kernel = !safe && (rule->reserved & JPOLINE_RULE_UP_TO_RETURN) ? (uint64_t)ret : ~0ull;
        struct plan p = {addr, 0, rule->arg, (uint8_t)phase, rule->shape, (uint8_t)safe,
                         JPOLINE_PAYLOAD_WHOLE, 0, 0, rule->elem, rule->cap};
        uint64_t want = 0;
        switch (rule->shape) {
        case JPOLINE_SHAPE_C_STRING: {
            int complete;
            int64_t len = measure_string(addr, rule->cap, safe, &complete);
            if (len < 0) continue;
            p.length = (uint32_t)len;
            p.truncated = !complete;
            add_plan(rp, &p);
            continue;
        }
        case JPOLINE_SHAPE_STRING_ARRAY: {
            int truncated;
            p.length = measure_string_array(addr, rule->elem, rule->cap, safe, &truncated);
            p.truncated = (uint8_t)truncated;
            add_plan(rp, &p);
            continue;
        }
        case JPOLINE_SHAPE_FIXED: want = rule->elem; break;
        case JPOLINE_SHAPE_LENGTH_ARG: want = length_of(rule, args); break;
        case JPOLINE_SHAPE_LENGTH_RETURN: want = have_ret && ret > 0 ? (uint64_t)ret : 0; break;
        case JPOLINE_SHAPE_ARRAY_ARG:
            want = length_of(rule, args) * rule->elem;
            if (length_of(rule, args) > (1u << 20)) want = rule->cap + 1ull;
            break;
        case JPOLINE_SHAPE_NODEMASK: {
            /* The kernel reads maxnode - 1 bits, rounded up to whole longs. */
            uint64_t maxnode = length_of(rule, args);
            want = maxnode > (1u << 20) ? rule->cap + 1ull : (maxnode + 62) / 64 * 8;
            break;
        }
        case JPOLINE_SHAPE_ARRAY_RETURN: want = have_ret && ret > 0 ? (uint64_t)ret * rule->elem : 0; break;
        case JPOLINE_SHAPE_IOVEC: {
            uint64_t left = phase == JPOLINE_PAYLOAD_EXIT ? (uint64_t)ret : ~0ull;
            plan_iovecs(rp, &p, addr, length_of(rule, args), left, read_by_kernel, rule->cap, JPOLINE_PAYLOAD_WHOLE, 0);
            continue;
        }
        case JPOLINE_SHAPE_MSGHDR: {
            /* msg_iov at 16, msg_iovlen at 24 */
            uint64_t mh[7];
            if (copy_mem(mh, addr, sizeof mh, safe) != sizeof mh) continue;
            p.length = sizeof mh;
            p.shape = JPOLINE_SHAPE_FIXED;
            add_plan(rp, &p);
            uint64_t left = phase == JPOLINE_PAYLOAD_EXIT ? (uint64_t)ret : ~0ull;
            /* A direct sendmsg: the kernel read the header and the iovec array, the data only up
             * to the result (a short send). */
            plan_iovecs(rp, &p, mh[2], mh[3], left, read_by_kernel, rule->cap, JPOLINE_ELEMENT_IOV_ARRAY(0),
                        JPOLINE_ELEMENT_IOV_DATA(0, 0));
            /* msg_name (msg_namelen at 8, an int) and msg_control (msg_controllen at 40): as the
             * header says now, so at exit as the kernel left them; always copied safely. */
            plan_blob(rp, &p, mh[0], (uint32_t)mh[1], JPOLINE_MSG_NAME_MAX, JPOLINE_ELEMENT_MSG_NAME(0));
            plan_blob(rp, &p, mh[4], mh[5], JPOLINE_MSG_CONTROL_MAX, JPOLINE_ELEMENT_MSG_CONTROL(0));
            continue;
        }
        case JPOLINE_SHAPE_MMSGHDR:
            plan_mmsghdrs(rp, &p, (uint32_t)length_of(rule, args), have_ret && ret > 0 ? (uint64_t)ret : 0, rule->cap);
            continue;
        default: continue;
        }
        uint64_t cap = rule->shape == JPOLINE_SHAPE_FIXED ? rule->elem : rule->cap;
        p.length = (uint32_t)(want > cap ? cap : want);
        p.truncated = want > cap;
        if (p.length > read_by_kernel) p.safe = safe = 1;
        if (safe && p.length > 0) {
            /* Check readability now so that a bad address leaves the payload out (the line then
             * shows the address, as strace does): the first byte, and the last if it lies on
             * another page (pages are mapped whole). */
            uint8_t first;
            uint64_t last = addr + p.length - 1;
            if (safe_copy(&first, addr, 1) != 1) continue;
            if ((last & ~(PAGE - 1)) != (addr & ~(PAGE - 1)) && safe_copy(&first, last, 1) != 1) continue;
        }
        add_plan(rp, &p);
    }
}

/* Copies the entry halves of value-result fields before the syscall changes them. */
static void stash_entry_halves(const struct jpoline_schema_entry *e, const uint64_t *args, uint8_t *stash,
                               uint32_t *stash_len) {
    unsigned n = e->rule_count < JPOLINE_SCHEMA_MAX_RULES ? e->rule_count : JPOLINE_SCHEMA_MAX_RULES;
    uint32_t off = 0;
    for (unsigned r = 0; r < n; r++) {
        const struct jpoline_capture_rule *rule = &e->rules[r];
        stash_len[r] = 0;
        if (rule->timing != JPOLINE_AT_ENTRY_AND_EXIT || rule->shape != JPOLINE_SHAPE_FIXED || rule->arg > 5)
            continue;
        uint64_t addr = args[rule->arg];
        if (addr == 0 || off + rule->elem > STASH_SIZE) continue;
        uint64_t got = safe_copy(stash + off, addr, rule->elem);
        if (got == rule->elem) {
            stash_len[r] = rule->elem;
            off += rule->elem;
        }
    }
}

/* --- the ring ----------------------------------------------------------------------------- */

static int tracing(struct jpoline_session_header *s) {
    return s != 0 && s->ring_size != 0 && __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == JPOLINE_SESSION_LIVE;
}

/* Waits until the ring has room up to byte `end` (absolute). 0 when the host is gone. */
static int wait_for_room(struct jpoline_session_header *s, uint64_t end) {
    uint64_t cap = s->ring_size;
    /* A tail seen earlier is a lower bound: if it already leaves room, do not touch the shared
     * line the host writes. (A stale value after fork or in a new session only costs a reload.) */
    if (end - ids.tail_seen <= cap && end >= ids.tail_seen) return 1;
    for (int i = 0; i < SPIN_BEFORE_SLEEP; i++) {
        uint64_t tail = __atomic_load_n(&s->ring_tail, __ATOMIC_ACQUIRE);
        ids.tail_seen = tail;
        if (end - tail <= cap) return 1;
        __asm__ volatile("pause");
    }
    long long waited = 0;
    long long limit = (long long)__atomic_load_n(&s->wait_timeout_ms, __ATOMIC_RELAXED) * 1000000LL;
    for (;;) {
        uint32_t seq = __atomic_load_n(&s->ring_wake, __ATOMIC_ACQUIRE);
        __atomic_fetch_add(&s->ring_waiters, 1, __ATOMIC_ACQ_REL);
        if (end - __atomic_load_n(&s->ring_tail, __ATOMIC_ACQUIRE) <= cap) {
            __atomic_fetch_sub(&s->ring_waiters, 1, __ATOMIC_RELEASE);
            return 1;
        }
        jp_futex_wait(&s->ring_wake, seq, WAIT_SLICE_NS);
        __atomic_fetch_sub(&s->ring_waiters, 1, __ATOMIC_RELEASE);
        if (end - __atomic_load_n(&s->ring_tail, __ATOMIC_ACQUIRE) <= cap) return 1;
        if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != JPOLINE_SESSION_LIVE) return 0;
        if (__atomic_load_n(&s->ring_wake, __ATOMIC_ACQUIRE) != seq) {
            waited = 0; /* the host is draining: keep waiting as long as it makes progress */
            continue;
        }
        waited += WAIT_SLICE_NS;
        if (!jp_host_alive(s) || waited > limit) {
            jp_session_give_up(s);
            return 0;
        }
    }
}

/* Reserves `size` bytes (a multiple of 8) and marks them RESERVED with our tid; NULL when the
 * host is gone (the record is dropped and counted). */
static struct jpoline_record *reserve(struct jpoline_session_header *s, uint64_t size, uint32_t tid) {
    uint64_t cap = s->ring_size;
    char *base = (char *)s + s->ring_offset;
    for (;;) {
        uint64_t pos = __atomic_fetch_add(&s->ring_head, size, __ATOMIC_RELAXED);
        if (!wait_for_room(s, pos + size)) {
            __atomic_fetch_add(&s->records_dropped, 1, __ATOMIC_RELAXED);
            return 0;
        }
        uint64_t off = pos & (cap - 1);
        struct jpoline_record *r = (struct jpoline_record *)(base + off);
        if (off + size > cap) {
            /* Would wrap: the whole reservation becomes padding; the consumer skips it. */
            __atomic_store_n(&r->word0, size | ((uint64_t)JPOLINE_REC_KIND_PAD << 32) | (JPOLINE_REC_PUBLISHED << 40),
                             __ATOMIC_RELEASE);
            continue;
        }
        /* Only now: a padding reservation may start 8 bytes before the end of the ring. */
        r->tid = tid;
        __atomic_store_n(&r->word0, size | (JPOLINE_REC_RESERVED << 40), __ATOMIC_RELEASE);
        return r;
    }
}

static void write_payloads(struct jpoline_record *r, const struct record_plan *rp) {
    char *out = (char *)(r + 1);
    for (unsigned i = 0; i < rp->count; i++) {
        const struct plan *p = &rp->p[i];
        struct jpoline_payload_header *h = (struct jpoline_payload_header *)out;
        h->arg = p->arg;
        h->phase = p->phase;
        h->element = p->element;
        h->length = p->length | (p->truncated ? JPOLINE_PAYLOAD_TRUNCATED : 0);
        char *data = out + 8;
        uint64_t got;
        if (p->from_stash) {
            got = copy_mem(data, p->src, p->length, 0);
        } else if (p->shape == JPOLINE_SHAPE_C_STRING) {
            got = copy_mem(data, p->src, p->length, p->safe);
        } else if (p->shape == JPOLINE_SHAPE_STRING_ARRAY) {
            got = 0;
            for (uint32_t k = 0; got < p->length && k <= p->cap; k++) {
                uint64_t ptr = 0;
                if (copy_mem(&ptr, p->src + 8ull * k, 8, p->safe) != 8 || ptr == 0) break;
                int complete;
                int64_t n = p->elem == 0 ? 0 : measure_string(ptr, p->elem, p->safe, &complete);
                if (n < 0) n = 0;
                if ((uint64_t)n + 1 > p->length - got) n = (int64_t)(p->length - got) - 1;
                if (n < 0) break;
                copy_mem(data + got, ptr, (uint64_t)n, p->safe);
                got += (uint64_t)n;
                data[got++] = 0;
            }
        } else {
            got = copy_mem(data, p->src, p->length, p->safe);
        }
        for (uint64_t k = got; k < pad8(p->length); k++) data[k] = 0; /* memory changed under us */
        out += 8 + pad8(p->length);
    }
}

static void emit(struct jpoline_session_header *s, unsigned kind, uint64_t nr, const uint64_t *args, int have_ret,
                 int64_t ret, uint64_t t0, uint64_t t1, uint64_t ip, const struct record_plan *rp) {
    uint32_t pid, tid;
    current_ids(&pid, &tid);
    uint64_t size = sizeof(struct jpoline_record) + rp->bytes;
    struct jpoline_record *r = reserve(s, size, tid);
    if (r == 0) return;
    r->pid = pid;
    r->nr = (uint32_t)nr;
    r->flags = (have_ret & 1 ? JPOLINE_REC_HAS_RETURN : 0) | (have_ret & 2 ? JPOLINE_REC_INJECTED : 0);
    r->payloads = (uint16_t)rp->count;
    for (int i = 0; i < 6; i++) r->args[i] = args[i];
    r->ret = ret;
    r->entry_ns = t0;
    r->exit_ns = t1;
    r->ip = ip;
    write_payloads(r, rp);
    __atomic_store_n(&r->word0, size | ((uint64_t)kind << 32) | (JPOLINE_REC_PUBLISHED << 40), __ATOMIC_RELEASE);
}

/* --- the TRACE tier ----------------------------------------------------------------------- */

static int fork_like_child(uint64_t nr, uint64_t result) {
    return result == 0 && (nr == NR_clone || nr == NR_fork || nr == NR_clone3);
}

/* The syscall a thread is in, so that a signal delivered as it returns (or as it is interrupted)
 * can record it first, the order strace shows: the call, then the signal, then the handler. */
enum { CALL_RUNNING = 0, CALL_RECORDED = 1, CALL_RESTARTING = 2 };
struct in_flight {
    struct in_flight *self; /* == this while the call is on the stack */
    struct in_flight *prev;
    const struct jpoline_schema_entry *e;
    const uint64_t *args;
    uint64_t nr, t0;
    uint64_t ip; /* the site's return address: strace -i's instruction pointer */
    const uint8_t *stash;
    const uint32_t *stash_len;
    int split;
    volatile int state;
    int injected; /* -e inject= replaced the result */
};
static __thread struct in_flight *current_call __attribute__((tls_model("initial-exec")));

/* Offsets in the kernel's struct ucontext (x86-64). */
#define UC_RAX 144
#define UC_RIP 168
#define UC_SIGMASK 296
#define ERESTARTSYS 512
#define ERESTART_RESTARTBLOCK 516

static uint64_t uc_word(const void *context, unsigned offset) {
    return *(const uint64_t *)((const char *)context + offset);
}

/* The record of a call that returned `ret`: FULL (with entry and exit payloads) or, for a SPLIT
 * call, the EXIT half. */
static void record_result(struct jpoline_session_header *s, const struct in_flight *c, int64_t ret, uint64_t t1) {
    int returned = 1 | (c->injected ? 2 : 0); /* emit's have_ret: bit 1 says injected */
    struct record_plan rp;
    rp.count = 0;
    rp.bytes = 0;
    if (c->e->rule_count == 0) { /* nothing to copy (getpid and the like): straight to the ring */
        emit(s, c->split ? JPOLINE_REC_KIND_EXIT : JPOLINE_REC_KIND_FULL, c->nr, c->args, returned, ret, c->t0, t1,
             c->ip, &rp);
        return;
    }
    if (c->split) {
        plan_phase(&rp, c->e, c->args, ret, JPOLINE_PAYLOAD_EXIT, 0, 1, 0, 0);
        emit(s, JPOLINE_REC_KIND_EXIT, c->nr, c->args, returned, ret, c->t0, t1, c->ip, &rp);
        return;
    }
    /* plan_phase decides per payload whether the kernel's success vouches for a direct copy. */
    if (ret != -EFAULT) plan_phase(&rp, c->e, c->args, ret, JPOLINE_PAYLOAD_ENTRY, 0, 1, c->stash, c->stash_len);
    plan_phase(&rp, c->e, c->args, ret, JPOLINE_PAYLOAD_EXIT, 0, 1, c->stash, c->stash_len);
    emit(s, JPOLINE_REC_KIND_FULL, c->nr, c->args, returned, ret, c->t0, t1, c->ip, &rp);
}

/* rt_sigreturn never returns to us: its record carries what strace shows, the mask it restores
 * and the rax it restores, both read from the signal frame at the caller's rsp. */
static void record_sigreturn(struct jpoline_session_header *s, struct jpoline_frame *f, const uint64_t *args,
                             int times) {
    uint64_t uc = JPOLINE_FRAME_CALLER_RSP(f);
    uint64_t restored_rax = 0;
    struct record_plan rp = {.count = 0, .bytes = 0};
    uint64_t mask;
    if (jp_safe_copy(&mask, uc + UC_SIGMASK, 8) == 8) {
        struct plan p = {(uint64_t)&mask, 8, 0, JPOLINE_PAYLOAD_ENTRY, JPOLINE_SHAPE_FIXED, 0, JPOLINE_PAYLOAD_WHOLE,
                         0, 1, 0, 0};
        add_plan(&rp, &p);
    }
    int have = jp_safe_copy(&restored_rax, uc + UC_RAX, 8) == 8;
    uint64_t t = times ? now_ns() : 0;
    emit(s, JPOLINE_REC_KIND_FULL, NR_rt_sigreturn, args, have, (int64_t)restored_rax, t, t, f->return_address, &rp);
}

unsigned jp_trace_call(struct jpoline_frame *f) {
    struct jpoline_session_header *s = jp_session;
    uint64_t nr = f->rax;
    if (!tracing(s) || nr >= JPOLINE_TIER_COUNT) return jp_execute(f);
    const struct jpoline_schema_entry *e =
        (const struct jpoline_schema_entry *)((const char *)s + s->schema_offset) + nr;
    const uint64_t args[6] = {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9};
    int times = (s->trace_flags & JPOLINE_TRACE_TIMES) != 0;

    if (nr == NR_rt_sigreturn) {
        record_sigreturn(s, f, args, times);
        return jp_execute(f);
    }

    struct in_flight call = {0, current_call, e, args, nr, 0, f->return_address, 0, 0,
                             (e->flags & JPOLINE_SCHEMA_SPLIT) != 0, CALL_RUNNING, 0};
    uint32_t pid, tid;
    current_ids(&pid, &tid);
    const struct jpoline_inject_rule *inject = jp_inject_due(s, nr, tid);
    call.self = &call;
    uint8_t stash[STASH_SIZE];
    uint32_t stash_len[JPOLINE_SCHEMA_MAX_RULES] = {0};
    if (call.split) {
        call.t0 = times ? now_ns() : 0;
        struct record_plan rp;
        rp.count = 0;
        rp.bytes = 0;
        plan_phase(&rp, e, args, 0, JPOLINE_PAYLOAD_ENTRY, 1, 0, 0, 0);
        emit(s, JPOLINE_REC_KIND_ENTRY, nr, args, 0, 0, call.t0, 0, call.ip, &rp);
        ids.pending_nr = 0;
    } else {
        int has_vr = 0;
        for (unsigned r = 0; r < e->rule_count && r < JPOLINE_SCHEMA_MAX_RULES; r++)
            if (e->rules[r].timing == JPOLINE_AT_ENTRY_AND_EXIT) has_vr = 1;
        if (has_vr) {
            stash_entry_halves(e, args, stash, stash_len);
            call.stash = stash;
            call.stash_len = stash_len;
        }
        call.t0 = times ? now_ns() : 0;
    }
    current_call = &call;
    unsigned action;
    if (inject != 0 && (inject->flags & JPOLINE_INJECT_DELAY_ENTER)) jp_inject_delay(inject->delay_enter_ns);
    if (inject != 0 && (inject->flags & (JPOLINE_INJECT_ERROR | JPOLINE_INJECT_RETVAL))) {
        /* The call is not made: strace replaces its number by -1 and sets the result. */
        f->rax = (uint64_t)inject->value;
        call.injected = 1;
        action = JP_ACT_RETURN;
    } else {
        action = jp_execute_traced(f);
    }
    if (inject != 0 && (inject->flags & JPOLINE_INJECT_DELAY_EXIT)) jp_inject_delay(inject->delay_exit_ns);
    current_call = call.prev;
    call.self = 0;
    if (call.split) {
        if (action == JP_ACT_CLONE_NEW_STACK || action == JP_ACT_CLONE3_NEW_STACK) {
            ids.pending_nr = nr + 1; /* the parent's EXIT record comes from jp_entry_after_clone */
            return action;
        }
        if (action == JP_ACT_VFORK) {
            uint64_t depth = jp_vfork_returns.depth; /* vfork_action pushed: we are at depth - 1 */
            if (depth > 0 && depth <= JP_VFORK_DEPTH_MAX) vfork_pending[depth - 1] = nr + 1;
            return action;
        }
    }
    if (action != JP_ACT_RETURN) return action; /* specials are SPLIT in every schema */
    if (fork_like_child(nr, f->rax)) return action;
    if (call.state != CALL_RECORDED && tracing(s)) record_result(s, &call, (int64_t)f->rax, times ? now_ns() : 0);
    /* After the call's record, as strace shows it: the signal is delivered as the entry returns
     * to the program, before its next instruction. */
    if (inject != 0 && (inject->flags & JPOLINE_INJECT_SIGNAL)) jp_inject_signal(inject->signo);
    return action;
}

/* A signal arrived as the innermost traced call of this thread returned or was interrupted:
 * record that call now, so that it comes before the signal. */
static void settle_interrupted_call(struct jpoline_session_header *s, const void *context) {
    struct in_flight *c = current_call;
    if (c == 0 || c->self != c || c->state == CALL_RECORDED || context == 0) return;
    uint64_t rip = uc_word(context, UC_RIP), rax = uc_word(context, UC_RAX);
    int64_t ret;
    if (rip == (uint64_t)jp_traced_syscall_return) {
        ret = (int64_t)rax;
        c->state = CALL_RECORDED;
    } else if (rip == (uint64_t)jp_traced_syscall_insn) {
        /* The kernel rewound to the syscall instruction: it runs again after the handler, and
         * is recorded again then, as strace shows it. */
        ret = rax == NR_restart_syscall ? -ERESTART_RESTARTBLOCK : -ERESTARTSYS;
        c->state = CALL_RESTARTING;
    } else {
        return;
    }
    if (fork_like_child(c->nr, (uint64_t)ret)) return; /* a new child's clone has no line */
    record_result(s, c, ret, (s->trace_flags & JPOLINE_TRACE_TIMES) ? now_ns() : 0);
}

/* strace -i's address for a signal: where the program was. Inside a traced call that is the
 * call's site (the signal interrupted it, or arrived as it returned); elsewhere the interrupted
 * rip, unless that is the runtime's own code (an untraced call in progress) or a jump-patched
 * site's trampoline: 0, unknown, then,
 * rather than an address of jpoline's. */
static uint64_t signal_ip(const void *context) {
    struct in_flight *c = current_call;
    if (c != 0 && c->self == c) return c->ip;
    if (context == 0) return 0;
    uint64_t rip = uc_word(context, UC_RIP);
    if (rip - jp_own_text_start < jp_own_text_length || rip < 4096) return 0; /* the runtime, or the sled */
    if (jp_sud_jump_pool != 0 && rip - jp_sud_jump_pool < JPOLINE_JUMP_POOL_SIZE) return 0; /* a trampoline */
    return rip;
}

/* A SIGNAL record: the siginfo (128 bytes, in this process's memory) as its payload. */
static void record_signal(struct jpoline_session_header *s, int sig, const void *info, int dies, uint64_t ip) {
    const uint64_t args[6] = {dies ? JPOLINE_SIGNAL_KILLS : 0, 0, 0, 0, 0, 0};
    struct record_plan rp = {.count = 0, .bytes = 0};
    if (info != 0) {
        struct plan p = {(uint64_t)info, 128, 0, JPOLINE_PAYLOAD_ENTRY, JPOLINE_SHAPE_FIXED, 0, JPOLINE_PAYLOAD_WHOLE,
                         0, 1, 0, 0};
        add_plan(&rp, &p);
    }
    uint64_t t = (s->trace_flags & JPOLINE_TRACE_TIMES) ? now_ns() : 0;
    emit(s, JPOLINE_REC_KIND_SIGNAL, (uint64_t)sig, args, 0, 0, t, t, ip, &rp);
}

void jp_trace_signal(int sig, const void *info, void *context, int dies) {
    struct jpoline_session_header *s = jp_session;
    if (!tracing(s) || !(s->trace_flags & JPOLINE_TRACE_SIGNALS)) return;
    /* A fork child signalled before its first instruction after the fork still holds its
     * parent's cached ids. */
    jp_trace_ids_reset();
    settle_interrupted_call(s, context);
    record_signal(s, sig, info, dies, signal_ip(context));
}

/* entry.S calls this in the parent after a clone/clone3 with a new stack (every tier). */
void jp_entry_after_clone(struct jpoline_frame *f) {
    uint64_t pending = ids.pending_nr;
    ids.pending_nr = 0;
    /* A child that shared our memory but not our TLS may have written our ids. */
    jp_trace_ids_reset();
    struct jpoline_session_header *s = jp_session;
    if (pending == 0 || !tracing(s)) return;
    const uint64_t args[6] = {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9};
    struct record_plan rp = {.count = 0, .bytes = 0};
    uint64_t t1 = (s->trace_flags & JPOLINE_TRACE_TIMES) ? now_ns() : 0;
    emit(s, JPOLINE_REC_KIND_EXIT, pending - 1, args, 1, (int64_t)f->rax, 0, t1, f->return_address, &rp);
}

/* entry.S calls this in a vfork parent (every tier) after it popped its return address. */
void jp_entry_after_vfork(uint64_t result) {
    uint64_t depth = jp_vfork_returns.depth;
    if (depth >= JP_VFORK_DEPTH_MAX) return;
    uint64_t pending = vfork_pending[depth];
    vfork_pending[depth] = 0;
    struct jpoline_session_header *s = jp_session;
    if (pending == 0 || !tracing(s)) return;
    const uint64_t args[6] = {0, 0, 0, 0, 0, 0}; /* the host takes them from the ENTRY record */
    struct record_plan rp = {.count = 0, .bytes = 0};
    uint64_t t1 = (s->trace_flags & JPOLINE_TRACE_TIMES) ? now_ns() : 0;
    emit(s, JPOLINE_REC_KIND_EXIT, pending - 1, args, 1, (int64_t)result, 0, t1, 0, &rp); /* ip: the ENTRY's */
}

/* --- a process the host follows with ptrace (docs/ptrace-window.md) ---------------------------
 *
 * Where no runtime runs (a static program, the loader before the runtime's constructor), the
 * host follows the process with ptrace and records its syscalls with these functions, in its own
 * process: the same schema, the same plans, the same records in the same ring, so the writer
 * cannot tell them from the ones a runtime makes. The only difference is where memory comes
 * from: every copy goes through process_vm_readv to the stopped thread (force_safe, and
 * current_ids giving the followed thread's ids), except the stash, which is the host's. */

/* What the host keeps per followed thread between a syscall's entry and exit stops. */
struct jpoline_remote_call {
    uint64_t t0;
    uint32_t stash_len[JPOLINE_SCHEMA_MAX_RULES];
    uint32_t pad;
    uint8_t stash[STASH_SIZE];
};

JPOLINE_EXPORT uint32_t jpoline_remote_call_size(void) { return sizeof(struct jpoline_remote_call); }

static const struct jpoline_schema_entry *remote_schema(struct jpoline_session_header *s, uint64_t nr) {
    if (!tracing(s) || nr >= JPOLINE_TIER_COUNT || s->tiers[nr] != JPOLINE_TRACE) return 0;
    return (const struct jpoline_schema_entry *)((const char *)s + s->schema_offset) + nr;
}

/* At the syscall-entry stop of thread tid of process pid: a SPLIT call's ENTRY record, else the
 * entry halves of its value-result fields into `call`; rt_sigreturn, which never returns, gets
 * its whole record here from the signal frame at rsp. Returns 1 when the call is traced. */
JPOLINE_EXPORT int jpoline_remote_syscall_entry(void *session, uint32_t pid, uint32_t tid, uint64_t nr,
                                                const uint64_t *args, uint64_t rsp, uint64_t ip,
                                                struct jpoline_remote_call *call) {
    struct jpoline_session_header *s = session;
    const struct jpoline_schema_entry *e = remote_schema(s, nr);
    if (e == 0) return 0;
    remote_for(pid, tid);
    int times = (s->trace_flags & JPOLINE_TRACE_TIMES) != 0;
    call->t0 = times ? now_ns() : 0;
    for (unsigned r = 0; r < JPOLINE_SCHEMA_MAX_RULES; r++) call->stash_len[r] = 0;
    if (nr == NR_rt_sigreturn) {
        struct record_plan rp = {.count = 0, .bytes = 0};
        uint64_t mask, restored_rax = 0;
        if (jp_safe_copy(&mask, rsp + UC_SIGMASK, 8) == 8) {
            struct plan p = {(uint64_t)&mask, 8, 0, JPOLINE_PAYLOAD_ENTRY, JPOLINE_SHAPE_FIXED, 0,
                             JPOLINE_PAYLOAD_WHOLE, 0, 1, 0, 0};
            add_plan(&rp, &p);
        }
        int have = jp_safe_copy(&restored_rax, rsp + UC_RAX, 8) == 8;
        emit(s, JPOLINE_REC_KIND_FULL, nr, args, have, (int64_t)restored_rax, call->t0, call->t0, ip, &rp);
    } else if (e->flags & JPOLINE_SCHEMA_SPLIT) {
        struct record_plan rp = {.count = 0, .bytes = 0};
        plan_phase(&rp, e, args, 0, JPOLINE_PAYLOAD_ENTRY, 1, 0, 0, 0);
        emit(s, JPOLINE_REC_KIND_ENTRY, nr, args, 0, 0, call->t0, 0, ip, &rp);
    } else {
        stash_entry_halves(e, args, call->stash, call->stash_len);
    }
    remote_for(0, 0);
    return 1;
}

/* At the syscall-exit stop: the EXIT record of a SPLIT call, else the FULL one (entry payloads
 * read now, value-result halves from `call`). Returns 1 when a record was written. */
JPOLINE_EXPORT int jpoline_remote_syscall_exit(void *session, uint32_t pid, uint32_t tid, uint64_t nr,
                                               const uint64_t *args, int64_t ret, uint64_t ip,
                                               const struct jpoline_remote_call *call) {
    struct jpoline_session_header *s = session;
    const struct jpoline_schema_entry *e = remote_schema(s, nr);
    if (e == 0 || nr == NR_rt_sigreturn) return 0;
    remote_for(pid, tid);
    uint64_t t1 = (s->trace_flags & JPOLINE_TRACE_TIMES) ? now_ns() : 0;
    struct record_plan rp = {.count = 0, .bytes = 0};
    if (e->flags & JPOLINE_SCHEMA_SPLIT) {
        if (e->rule_count != 0) plan_phase(&rp, e, args, ret, JPOLINE_PAYLOAD_EXIT, 1, 1, 0, 0);
        emit(s, JPOLINE_REC_KIND_EXIT, nr, args, 1, ret, call->t0, t1, ip, &rp);
    } else {
        if (e->rule_count != 0) {
            if (ret != -EFAULT) plan_phase(&rp, e, args, ret, JPOLINE_PAYLOAD_ENTRY, 1, 1, call->stash, call->stash_len);
            plan_phase(&rp, e, args, ret, JPOLINE_PAYLOAD_EXIT, 1, 1, call->stash, call->stash_len);
        }
        emit(s, JPOLINE_REC_KIND_FULL, nr, args, 1, ret, call->t0, t1, ip, &rp);
    }
    remote_for(0, 0);
    return 1;
}

/* A signal delivered to a followed thread (its siginfo, 128 bytes, from PTRACE_GETSIGINFO, in
 * the host's memory); dies: the default action kills the process. */
JPOLINE_EXPORT int jpoline_remote_signal(void *session, uint32_t pid, uint32_t tid, int sig, const void *siginfo,
                                         int dies, uint64_t ip) {
    struct jpoline_session_header *s = session;
    if (!tracing(s) || !(s->trace_flags & JPOLINE_TRACE_SIGNALS)) return 0;
    remote_for(pid, tid);
    record_signal(s, sig, siginfo, dies, ip);
    remote_for(0, 0);
    return 1;
}
