/* The stop-the-world freeze: the signal handler that parks a thread, and jpoline_freeze_apply,
 * which parks every other thread of the process, runs a plan (freeze_fixup.c) and lets them go,
 * all in one call (freeze.h says why it must be one native call).
 *
 * The protocol, per freeze (a "generation"):
 *   1. The patcher lists /proc/self/task and, for each other thread, fills a slot (tid, state
 *      SIGNALED) and sends it the freeze signal with rt_tgsigqueueinfo. The siginfo carries
 *      the generation and the slot's index in si_value.
 *   2. The thread's handler checks that the signal belongs to the freeze in progress, claims
 *      its slot (SIGNALED -> ARRIVING), publishes its ucontext, marks the slot PARKED and
 *      wakes the patcher, then sleeps on a futex until the generation is released.
 *   3. Once every listed thread is parked (or gone, or held: see can_hold()), the patcher lists
 *      the threads again: threads created meanwhile are signalled and waited for the same way,
 *      until a listing taken while everyone known is parked finds no one new. Nobody else can
 *      then be running: a parked thread creates no threads.
 *   4. The patcher moves threads, rewrites stacks, writes, serializes the cores, releases the
 *      generation and waits until every parked thread has left the handler.
 * Freestanding: the handler interrupts arbitrary code, and while the others are parked any of
 * them may hold any lock of libc. */
#include "freeze_internal.h"
#include "session.h" /* jp_monotonic_ns */

/* siginfo_t (x86-64): the fields the freeze fills in and checks. */
#define SI_QUEUE (-1)
#define SIGINFO_WORDS 16 /* 128 bytes */
#define SI_CODE 8
#define SI_PID 16
#define SI_VALUE 24

#define AT_FDCWD (-100)
#define O_RDWR 2
#define O_CLOEXEC 02000000

#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)

/* How the patcher sleeps while it waits: wake-ups come from the handlers; the slices only
 * bound how late it notices a thread that exited instead of parking. */
#define FIRST_SLICE_NS 200000LL
#define SLICE_NS 1000000LL
/* Threads late by this much have their state read from /proc (an open and a read or three
 * each), and again at this interval: see drop_or_hold(). */
#define PROC_CHECK_NS 1000000LL
/* Threads normally leave the handler within microseconds of the release; one that is stopped
 * there (by a debugger) must not hold the patcher forever. The protocol stays safe if it
 * leaves later (its slot state is claimed by compare-and-swap, its wait is for "released at
 * least up to my generation"). */
#define LEAVE_WAIT_NS 1000000000LL
#define NO_TARGET 0xFFFFFFFFu
/* task->flags in /proc/TID/stat */
#define PF_EXITING 0x4ull
#define PF_IO_WORKER 0x10ull
/* futex(2) */
#define FUTEX_CMD_MASK 0x7Full
#define FUTEX_PRIVATE 0x80ull
#define FUTEX_WAIT 0
#define FUTEX_WAIT_BITSET 9

static uint32_t own_tid(void) { return (uint32_t)jp_sys6(NR_gettid, 0, 0, 0, 0, 0, 0); }

static struct jp_timespec timespec_of(long long ns) {
    struct jp_timespec ts = {ns / 1000000000LL, ns % 1000000000LL};
    return ts;
}

/* ---- the handler ------------------------------------------------------------------------ */

void jp_freeze_handler(int sig, void *info, void *context) {
    (void)sig;
    const char *si = (const char *)info;
    if (*(const int32_t *)(si + SI_CODE) != SI_QUEUE) return;
    uint64_t value = *(const uint64_t *)(si + SI_VALUE);
    uint32_t gen = (uint32_t)(value >> 32), index = (uint32_t)value;
    /* A stale signal: sent by an earlier freeze that gave up on this thread (it had the signal
     * blocked, and has just unblocked it), or by someone else. It must just return. */
    if (gen == 0 || gen != __atomic_load_n(&jp_freeze.active_gen, __ATOMIC_ACQUIRE)) return;
    if (*(const uint32_t *)(si + SI_PID) != __atomic_load_n(&jp_freeze.pid, __ATOMIC_RELAXED)) return;
    if (index >= __atomic_load_n(&jp_freeze.slot_count, __ATOMIC_ACQUIRE)) return;
    struct jp_freeze_slot *slot = &jp_freeze.slots[index];
    if (__atomic_load_n(&slot->tid, __ATOMIC_RELAXED) != own_tid()) return;
    /* The generation may have given up on us between the check above and here: then the slot
     * says ABANDONED (or belongs to a later freeze) and the claim fails. */
    uint32_t expected = JP_SLOT_WORD(gen, JP_SLOT_SIGNALED);
    if (!__atomic_compare_exchange_n(&slot->state, &expected, JP_SLOT_WORD(gen, JP_SLOT_ARRIVING), 0,
                                     __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return;
    __atomic_store_n(&slot->context, (uint64_t)context, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->state, JP_SLOT_WORD(gen, JP_SLOT_PARKED), __ATOMIC_RELEASE);
    uint32_t parked = __atomic_add_fetch(&jp_freeze.parked, 1, __ATOMIC_ACQ_REL);
    if (parked >= __atomic_load_n(&jp_freeze.park_target, __ATOMIC_ACQUIRE)) jp_freeze_futex_wake(&jp_freeze.parked, 1);

    /* From here until the release the patcher may rewrite our context (rip) and our stack. The
     * kernel restores the thread from the context on rt_sigreturn. */
    for (;;) {
        uint32_t released = __atomic_load_n(&jp_freeze.release_gen, __ATOMIC_ACQUIRE);
        if ((int32_t)(released - gen) >= 0) break;
        jp_freeze_futex_wait(&jp_freeze.release_gen, released, 0);
    }
    expected = JP_SLOT_WORD(gen, JP_SLOT_PARKED);
    __atomic_compare_exchange_n(&slot->state, &expected, JP_SLOT_WORD(gen, JP_SLOT_LEFT), 0, __ATOMIC_ACQ_REL,
                                __ATOMIC_RELAXED);
    uint32_t left = __atomic_add_fetch(&jp_freeze.left, 1, __ATOMIC_ACQ_REL);
    if (left >= __atomic_load_n(&jp_freeze.left_target, __ATOMIC_ACQUIRE)) jp_freeze_futex_wake(&jp_freeze.left, 1);
    /* Back through the restorer and rt_sigreturn. A blocking call the signal interrupted is
     * restarted if SA_RESTART allows (read, write, wait, futex without timeout, ...). Calls that
     * are never restarted after a handler (signal(7): nanosleep, clock_nanosleep, poll,
     * select, epoll_wait, timed futex waits, sigtimedwait, calls on sockets with a timeout)
     * return EINTR, as they do for any handled signal; code that sleeps must loop. */
}

/* ---- serializing freezes ---------------------------------------------------------------- */

/* One freeze at a time, process-wide. The word holds the owner's tid, so that a fork child
 * (which inherits the word but not the thread that set it) can take it over. */
static long take_freeze_lock(uint32_t self, uint32_t pid) {
    for (;;) {
        uint32_t owner = 0;
        if (__atomic_compare_exchange_n(&jp_freeze.owner, &owner, self, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return 0;
        if (owner == self) return -JP_EBUSY; /* a freeze inside a freeze cannot be */
        if (jp_sys6(NR_tgkill, pid, owner, 0, 0, 0, 0) == -JP_ESRCH) {
            __atomic_compare_exchange_n(&jp_freeze.owner, &owner, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
            continue;
        }
        /* Waiting here, this thread is parked like any other by the freeze in progress. */
        struct jp_timespec slice = timespec_of(SLICE_NS * 10);
        jp_freeze_futex_wait(&jp_freeze.owner, owner, &slice);
    }
}

static void drop_freeze_lock(void) {
    __atomic_store_n(&jp_freeze.owner, 0, __ATOMIC_RELEASE);
    jp_freeze_futex_wake(&jp_freeze.owner, 1);
}

/* ---- parking everyone ------------------------------------------------------------------- */

struct run {
    uint32_t gen, pid, self, sig;
    long long deadline;
    uint32_t stuck_tid;
    const struct jpoline_freeze_step *steps;
    uint64_t step_count;
};

/* The patcher's scratch, kept between freezes; only the lock's owner touches it. */
static struct jp_freeze_buf dirents_buf, tids_buf, table_buf, maps_text_buf, maps_buf;

static uint32_t slot_state(uint32_t index) {
    return JP_SLOT_STATE(__atomic_load_n(&jp_freeze.slots[index].state, __ATOMIC_ACQUIRE));
}

/* Abandons a slot that is still SIGNALED; 0 if the thread claimed it first. */
static int abandon(const struct run *r, uint32_t index) {
    uint32_t expected = JP_SLOT_WORD(r->gen, JP_SLOT_SIGNALED);
    return __atomic_compare_exchange_n(&jp_freeze.slots[index].state, &expected,
                                       JP_SLOT_WORD(r->gen, JP_SLOT_ABANDONED), 0, __ATOMIC_ACQ_REL,
                                       __ATOMIC_RELAXED);
}

/* Sends slot `index` its signal. 0, or -errno. */
static long send_signal(const struct run *r, uint32_t index) {
    uint64_t info[SIGINFO_WORDS];
    for (int i = 0; i < SIGINFO_WORDS; i++) info[i] = 0;
    int32_t *head = (int32_t *)info;
    head[0] = (int32_t)r->sig;
    head[SI_CODE / 4] = SI_QUEUE;
    head[SI_PID / 4] = (int32_t)r->pid;
    info[SI_VALUE / 8] = (uint64_t)r->gen << 32 | index;
    /* A real-time signal, queued: it cannot merge with another pending instance, and a thread
     * that blocks it keeps it pending until it unblocks (it then finds it stale). SI_QUEUE may
     * be sent to any thread; the kernel passes si_value through untouched. */
    long rc = jp_sys6(NR_rt_tgsigqueueinfo, r->pid, jp_freeze.slots[index].tid, r->sig, (long)info, 0, 0);
    if (rc == -JP_ESRCH) { /* exited since the listing */
        abandon(r, index);
        return 0;
    }
    return rc; /* -EAGAIN: RLIMIT_SIGPENDING is exhausted */
}

/* Fills a slot for tid and sends its signal. 0, or -errno. */
static long freeze_thread(struct run *r, uint32_t tid) {
    uint32_t index = jp_freeze.slot_count;
    if (index >= JP_FREEZE_MAX_THREADS) return -JP_E2BIG;
    struct jp_freeze_slot *slot = &jp_freeze.slots[index];
    slot->tid = tid;
    slot->context = slot->futex = slot->sp = slot->pc = 0;
    __atomic_store_n(&slot->state, JP_SLOT_WORD(r->gen, JP_SLOT_SIGNALED), __ATOMIC_RELAXED);
    __atomic_store_n(&jp_freeze.slot_count, index + 1, __ATOMIC_RELEASE);
    return send_signal(r, index);
}

/* Whether a thread, as /proc shows it now, can be held: it blocks every signal that could make
 * it run a handler, and it sleeps in a private futex wait without a timeout, somewhere no step
 * moves threads from. Such a thread returns to user mode only when another thread of this
 * process wakes that futex; once everyone else is parked (or held too), nobody can. This is
 * the glibc exit path: a thread that is ending blocks all signals and then takes glibc's locks
 * (the stack cache's, its own exit lock), which a thread we parked may hold; it would never
 * park, and every freeze during thread churn would time out waiting for it. */
static int can_hold(const struct run *r, uint32_t tid, uint64_t call[9]) {
    if (!jp_freeze_task_blocks_all_signals(tid) || !jp_freeze_task_syscall(tid, call)) return 0;
    uint64_t op = call[2], cmd = op & FUTEX_CMD_MASK;
    if (call[0] != NR_futex || !(op & FUTEX_PRIVATE) || (cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET) ||
        call[4] != 0)
        return 0;
    for (uint64_t i = 0; i < r->step_count; i++)
        if (call[8] >= r->steps[i].move_lo && call[8] < r->steps[i].move_hi) return 0;
    return 1;
}

/* A thread that will never park: it exited (tgkill finds no such thread), it is exiting (the
 * kernel's PF_EXITING: it never returns to user mode), it is a zombie (a thread group leader
 * that called pthread_exit stays listed until the process ends), or it is an io_uring worker
 * (a kernel thread listed among ours that never runs user code). Or one that can be held. */
static void drop_or_hold(const struct run *r, int read_proc) {
    uint32_t count = jp_freeze.slot_count;
    for (uint32_t i = 0; i < count; i++) {
        if (slot_state(i) != JP_SLOT_SIGNALED) continue;
        struct jp_freeze_slot *slot = &jp_freeze.slots[i];
        if (jp_sys6(NR_tgkill, r->pid, slot->tid, 0, 0, 0, 0) == -JP_ESRCH) {
            abandon(r, i);
            continue;
        }
        if (!read_proc) continue;
        uint64_t flags = 0, call[9];
        char state = jp_freeze_task_state(slot->tid, &flags);
        if (state == 0 || state == 'Z' || state == 'X' || (state != '?' && (flags & (PF_EXITING | PF_IO_WORKER)))) {
            abandon(r, i);
        } else if (state == 'S' && can_hold(r, slot->tid, call)) {
            slot->futex = call[1];
            slot->sp = call[7];
            slot->pc = call[8];
            uint32_t expected = JP_SLOT_WORD(r->gen, JP_SLOT_SIGNALED);
            __atomic_compare_exchange_n(&slot->state, &expected, JP_SLOT_WORD(r->gen, JP_SLOT_HELD), 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
        }
    }
}

/* Once nobody else runs, every held thread must still be where it was seen: a thread woken
 * before the last waker parked may be running now (its handler, if its signal got through,
 * found the slot HELD and returned). Such a thread is signalled again and waited for like any
 * other. Returns how many were, or -errno. */
static long confirm_held(const struct run *r) {
    uint32_t count = jp_freeze.slot_count;
    long again = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (slot_state(i) != JP_SLOT_HELD) continue;
        struct jp_freeze_slot *slot = &jp_freeze.slots[i];
        uint64_t call[9];
        if (can_hold(r, slot->tid, call) && call[1] == slot->futex && call[7] == slot->sp && call[8] == slot->pc)
            continue;
        __atomic_store_n(&slot->state, JP_SLOT_WORD(r->gen, JP_SLOT_SIGNALED), __ATOMIC_RELEASE);
        long rc = send_signal(r, i);
        if (rc != 0) return rc;
        again++;
    }
    return again;
}

/* Waits until no slot is SIGNALED or ARRIVING. 0, or JPOLINE_FREEZE_TIMEOUT with stuck_tid. */
static long wait_parked(struct run *r) {
    long long started = jp_monotonic_ns(), last_proc_check = started;
    long long slice = FIRST_SLICE_NS;
    for (;;) {
        uint32_t seen = __atomic_load_n(&jp_freeze.parked, __ATOMIC_ACQUIRE);
        uint32_t count = jp_freeze.slot_count, pending = 0, first = 0;
        for (uint32_t i = 0; i < count; i++) {
            uint32_t st = slot_state(i);
            if (st == JP_SLOT_SIGNALED || st == JP_SLOT_ARRIVING) {
                if (pending++ == 0) first = i;
            }
        }
        if (pending == 0) return 0;
        long long now = jp_monotonic_ns();
        if (now >= r->deadline) {
            r->stuck_tid = jp_freeze.slots[first].tid;
            return JPOLINE_FREEZE_TIMEOUT;
        }
        if (now - started >= FIRST_SLICE_NS) {
            /* A thread that exits after the signal was queued never runs the handler: the
             * signal dies with it. */
            int read_proc = now - last_proc_check >= PROC_CHECK_NS;
            if (read_proc) last_proc_check = now;
            drop_or_hold(r, read_proc);
        }
        /* The last handler to park wakes us; a handler that parks between our reading `seen`
         * and sleeping makes the futex wait return at once. */
        __atomic_store_n(&jp_freeze.park_target, seen + pending, __ATOMIC_RELEASE);
        long long wait = r->deadline - now < slice ? r->deadline - now : slice;
        struct jp_timespec ts = timespec_of(wait);
        jp_freeze_futex_wait(&jp_freeze.parked, seen, &ts);
        slice = SLICE_NS;
    }
}

/* Open-addressing table tid -> slot index + 1, over the slots so far, for one listing. */
static long build_tid_table(uint64_t *mask) {
    uint64_t capacity = 64;
    while (capacity < 2ull * jp_freeze.slot_count) capacity *= 2;
    long rc = jp_freeze_buf_reserve(&table_buf, capacity * sizeof(uint32_t));
    if (rc != 0) return rc;
    uint32_t *table = (uint32_t *)table_buf.base;
    for (uint64_t i = 0; i < capacity; i++) table[i] = 0;
    *mask = capacity - 1;
    for (uint32_t s = 0; s < jp_freeze.slot_count; s++) {
        /* A thread that exited may have left its tid to a new thread: only live slots count. */
        if (slot_state(s) == JP_SLOT_ABANDONED) continue;
        uint64_t h = (jp_freeze.slots[s].tid * 0x9E3779B1u) & *mask;
        while (table[h] != 0) h = (h + 1) & *mask;
        table[h] = s + 1;
    }
    return 0;
}

static int known_thread(uint64_t mask, uint32_t tid) {
    const uint32_t *table = (const uint32_t *)table_buf.base;
    for (uint64_t h = (tid * 0x9E3779B1u) & mask; table[h] != 0; h = (h + 1) & mask)
        if (jp_freeze.slots[table[h] - 1].tid == tid) return 1;
    return 0;
}

static long park_everyone(struct run *r) {
    for (;;) {
        uint64_t mask;
        long rc = build_tid_table(&mask);
        if (rc != 0) return rc;
        long n = jp_freeze_list_tasks(&dirents_buf, &tids_buf);
        if (n < 0) return n;
        long added = 0;
        for (long i = 0; i < n; i++) {
            uint32_t tid = ((const uint32_t *)tids_buf.base)[i];
            if (tid == r->self || known_thread(mask, tid)) continue;
            if ((rc = freeze_thread(r, tid)) != 0) return rc;
            added++;
        }
        /* Everyone known was parked (or held) when this listing started: nobody unknown can
         * exist, and nobody who could wake a held thread runs. */
        if (added == 0) {
            long again = confirm_held(r);
            if (again <= 0) return again;
        }
        if ((rc = wait_parked(r)) != 0) return rc;
    }
}

/* Gives up on the threads that have not parked. One that is just claiming its slot finishes
 * parking first (a few instructions), so it is released with the others. */
static void abandon_unparked(const struct run *r) {
    uint32_t count = jp_freeze.slot_count;
    for (uint32_t i = 0; i < count; i++) {
        for (;;) {
            uint32_t st = slot_state(i);
            if (st == JP_SLOT_SIGNALED && !abandon(r, i)) continue;
            if (st != JP_SLOT_ARRIVING) break;
            jp_sys6(NR_sched_yield, 0, 0, 0, 0, 0, 0);
        }
    }
}

static uint32_t threads_in(uint32_t state) {
    uint32_t count = jp_freeze.slot_count, n = 0;
    for (uint32_t i = 0; i < count; i++)
        if (slot_state(i) == state) n++;
    return n;
}

static void release_everyone(const struct run *r, uint32_t parked) {
    __atomic_store_n(&jp_freeze.left_target, parked, __ATOMIC_RELEASE);
    __atomic_store_n(&jp_freeze.release_gen, r->gen, __ATOMIC_RELEASE);
    jp_freeze_futex_wake(&jp_freeze.release_gen, 0x7FFFFFFF);
    long long until = jp_monotonic_ns() + LEAVE_WAIT_NS;
    for (;;) {
        uint32_t seen = __atomic_load_n(&jp_freeze.left, __ATOMIC_ACQUIRE);
        if (seen >= parked || jp_monotonic_ns() >= until) return;
        struct jp_timespec ts = timespec_of(SLICE_NS);
        jp_freeze_futex_wait(&jp_freeze.left, seen, &ts);
    }
}

/* ---- the plan --------------------------------------------------------------------------- */

static long check_plan(struct jpoline_freeze_plan *plan) {
    if (plan->timeout_ns == 0 || plan->timeout_ns > (1ull << 62) || plan->step_count > (1u << 20) ||
        (plan->step_count != 0 && plan->steps == 0))
        return -JP_EINVAL;
    const struct jpoline_freeze_step *steps = (const struct jpoline_freeze_step *)plan->steps;
    for (uint64_t i = 0; i < plan->step_count; i++) {
        const struct jpoline_freeze_step *s = &steps[i];
        if ((s->length != 0 && s->bytes == 0) || (s->move_count != 0 && (s->move_from == 0 || s->move_to == 0)) ||
            (s->return_count != 0 && (s->return_from == 0 || s->return_to == 0)) ||
            (s->busy_return_count != 0 && s->busy_returns == 0)) {
            plan->failed_step = i;
            return -JP_EINVAL;
        }
    }
    return 0;
}

/* Runs every step on the parked process. */
static long run_steps(struct jpoline_freeze_plan *plan, int mem_fd) {
    struct jpoline_freeze_step *steps = (struct jpoline_freeze_step *)plan->steps;
    int needs_maps = 0;
    for (uint64_t i = 0; i < plan->step_count; i++)
        if (steps[i].length != 0 || jp_freeze_step_scans_stacks(&steps[i])) needs_maps = 1;
    struct jp_freeze_maps maps = {0, 0};
    if (needs_maps) {
        /* Read now, not before: threads created during the freeze have their stacks mapped. */
        long n = jp_freeze_read_maps(&maps_text_buf, &maps_buf);
        if (n < 0) return n;
        maps.at = (const struct jp_freeze_mapping *)maps_buf.base;
        maps.count = (uint64_t)n;
    }
    /* Every write is checked before any is made, so that a bad address writes nothing. */
    for (uint64_t i = 0; i < plan->step_count; i++) {
        long rc = jp_freeze_check_write(&steps[i], &maps);
        if (rc != 0) {
            plan->failed_step = i;
            return rc;
        }
    }
    struct jp_freeze_totals totals = {0, 0, 0};
    struct jp_freeze_fix fix;
    long rc = jp_freeze_fix_prepare(&fix, steps, plan->step_count, &maps, &totals);
    if (rc != 0) return rc;
    /* The writes come first, the fix-ups after: nobody runs in between either way, and the
     * fix-ups read registers and stacks, never the code being written. A step whose write
     * fails has had its fix-ups, the steps after it none, as when every step's fix-ups came
     * just before its write. */
    int wrote = 0;
    for (uint64_t i = 0; i < plan->step_count && rc == 0;) {
        uint64_t run = jp_freeze_page_run(&steps[i], plan->step_count - i);
        if (jp_freeze_write_run(&steps[i], run, mem_fd)) {
            wrote = 1;
            i += run;
            continue;
        }
        for (uint64_t end = i + run; i < end; i++) {
            struct jpoline_freeze_step *s = &steps[i];
            rc = jp_freeze_write(s, mem_fd, &maps, &plan->flags);
            if (rc != 0) {
                plan->failed_step = i;
                if (wrote) plan->flags |= JPOLINE_FREEZE_PARTIAL;
                fix.count = i + 1;
                break;
            }
            if (s->length != 0) wrote = 1;
        }
    }
    /* One pass per thread for all the steps: with many steps, scanning every stack once per
     * step was most of the freeze. */
    uint32_t count = jp_freeze.slot_count;
    for (uint32_t t = 0; t < count; t++) {
        const struct jp_freeze_slot *slot = &jp_freeze.slots[t];
        uint32_t st = slot_state(t);
        if (st == JP_SLOT_PARKED)
            jp_freeze_fix_thread(&fix, t, (void *)slot->context);
        else if (st == JP_SLOT_HELD)
            jp_freeze_fix_held(&fix, t, slot->sp, slot->pc);
    }
    if (wrote && jp_freeze.sync_core &&
        jp_sys6(NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0, 0, 0, 0) == 0)
        plan->flags |= JPOLINE_FREEZE_CORES_SERIALIZED;
    plan->ip_fixups = totals.ip_fixups;
    plan->return_fixups = totals.return_fixups;
    plan->anomalies = totals.anomalies;
    return rc;
}

/* The caller's own stack is not scanned: its frames (the Java code that built the plan) hold
 * the plan's addresses as local variables, which must not be rewritten. So a thread must not
 * change code it is itself inside of (a hooked function calling back into Java that toggles
 * its own hook). */
JPOLINE_EXPORT int jpoline_freeze_apply(struct jpoline_freeze_plan *plan) {
    if (plan == 0) return -JP_EINVAL;
    plan->threads = plan->held = plan->ip_fixups = plan->return_fixups = plan->anomalies = 0;
    plan->nanos = plan->flags = plan->stuck_tid = 0;
    plan->failed_step = ~0ull;
    long rc = check_plan(plan);
    if (rc != 0) return (int)rc;
    struct jpoline_freeze_step *steps = (struct jpoline_freeze_step *)plan->steps;
    for (uint64_t i = 0; i < plan->step_count; i++) steps[i].busy = 0;
    long sig = jpoline_freeze_install();
    if (sig < 0) return (int)sig;
    plan->signal = (uint64_t)sig;

    struct run r = {0, 0, 0, 0, 0, 0, steps, plan->step_count};
    r.self = own_tid();
    r.pid = (uint32_t)jp_sys6(NR_getpid, 0, 0, 0, 0, 0, 0);
    r.sig = (uint32_t)sig;
    if ((rc = take_freeze_lock(r.self, r.pid)) != 0) return (int)rc;

    /* Another library may have installed its own handler over ours since. */
    struct jp_kernel_sigaction current;
    if (jp_sys6(NR_rt_sigaction, sig, 0, (long)&current, 8, 0, 0) != 0 ||
        current.handler != (uint64_t)&jp_freeze_handler) {
        drop_freeze_lock();
        return -JP_EBUSY;
    }
    /* Opened per freeze, before anyone is stopped: a descriptor kept open would be closed by
     * a program that closes all its descriptors, and its number handed to some other file. */
    int writes = 0;
    for (uint64_t i = 0; i < plan->step_count; i++)
        if (steps[i].length != 0) writes = 1;
    long mem_fd = writes ? jp_sys6(NR_openat, AT_FDCWD, (long)"/proc/self/mem", O_RDWR | O_CLOEXEC, 0, 0, 0) : -1;
    if (jp_is_error(mem_fd)) mem_fd = -1;

    uint32_t gen = jp_freeze.next_gen + 1;
    if (gen == 0) gen = 1;
    jp_freeze.next_gen = gen;
    r.gen = gen;
    jp_freeze.pid = r.pid;
    jp_freeze.slot_count = 0;
    __atomic_store_n(&jp_freeze.parked, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&jp_freeze.left, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&jp_freeze.park_target, NO_TARGET, __ATOMIC_RELAXED);
    __atomic_store_n(&jp_freeze.left_target, NO_TARGET, __ATOMIC_RELAXED);
    __atomic_store_n(&jp_freeze.active_gen, gen, __ATOMIC_RELEASE);

    long long started = jp_monotonic_ns();
    r.deadline = started + (long long)plan->timeout_ns;
    rc = park_everyone(&r);
    if (rc == 0) {
        rc = run_steps(plan, (int)mem_fd);
    } else if (rc == JPOLINE_FREEZE_TIMEOUT) {
        plan->stuck_tid = r.stuck_tid;
    }
    abandon_unparked(&r);
    uint32_t parked = threads_in(JP_SLOT_PARKED);
    plan->held = threads_in(JP_SLOT_HELD);
    plan->threads = parked + plan->held;
    /* The pause the other threads see ends here; waiting for them to leave the handler is
     * the patcher's own business (with more runnable threads than cores it takes a few
     * scheduler slices). */
    plan->nanos = (uint64_t)(jp_monotonic_ns() - started);
    release_everyone(&r, parked);
    __atomic_store_n(&jp_freeze.active_gen, 0, __ATOMIC_RELEASE);

    if (mem_fd >= 0) jp_sys6(NR_close, mem_fd, 0, 0, 0, 0, 0);
    drop_freeze_lock();
    return (int)rc;
}
