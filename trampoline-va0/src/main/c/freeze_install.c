/* Setting up the freeze, once per process: the signal, its handler, the slots the handlers
 * report in, and core serialization. Freestanding like the rest of freeze*.c (it runs inside
 * jpoline_freeze_apply too), so the handler is installed with the raw rt_sigaction and the
 * runtime's own restorer (entry.S) instead of libc's sigaction. */
#include "freeze_internal.h"

#define SA_SIGINFO 0x4ull
#define SA_ONSTACK 0x08000000ull
#define SA_RESTART 0x10000000ull
#define SA_RESTORER 0x04000000ull
#define SIG_DFL 0ull
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000

/* Kernel numbering. glibc keeps 32 and 33 for itself (cancellation, setxid) and starts
 * SIGRTMIN at 34; other libraries that want a real-time signal tend to take the first few
 * from SIGRTMIN. Starting at SIGRTMIN + 4 leaves them room. HotSpot uses none of these (its
 * own are SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGUSR2 and SIGQUIT). */
#define FIRST_CANDIDATE 38
#define LAST_SIGNAL 64

/* membarrier(2) */
#define MEMBARRIER_CMD_QUERY 0
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)

void jp_signal_restorer(void) JP_HIDDEN; /* entry.S: rt_sigreturn from the runtime's own text */

struct jp_freeze_control jp_freeze;

static uint32_t install_lock;

static void lock(void) {
    while (__atomic_exchange_n(&install_lock, 1, __ATOMIC_ACQUIRE) != 0) jp_sys6(NR_sched_yield, 0, 0, 0, 0, 0, 0);
}

static void unlock(void) { __atomic_store_n(&install_lock, 0, __ATOMIC_RELEASE); }

/* The handler runs with every signal blocked (nothing else may run on a thread that is
 * parked, and a handler of ours must not nest), on the sigaltstack if the thread has one (a
 * thread whose stack is nearly exhausted still parks), and SA_RESTART makes the kernel
 * restart the blocking calls that can be restarted. */
static long install_handler(void) {
    for (int sig = FIRST_CANDIDATE; sig <= LAST_SIGNAL; sig++) {
        struct jp_kernel_sigaction current;
        if (jp_sys6(NR_rt_sigaction, sig, 0, (long)&current, 8, 0, 0) != 0) continue;
        if (current.handler != SIG_DFL) continue; /* someone's: keep off */
        struct jp_kernel_sigaction action = {(uint64_t)&jp_freeze_handler,
                                             SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_RESTORER,
                                             (uint64_t)&jp_signal_restorer, ~0ull};
        long rc = jp_sys6(NR_rt_sigaction, sig, (long)&action, 0, 8, 0, 0);
        if (rc != 0) return rc;
        return sig;
    }
    return -JP_EBUSY;
}

/* Threads that return from a handler go back to user mode through rt_sigreturn, which on
 * x86-64 returns with IRET (a serializing instruction), so a parked thread never runs stale
 * instructions. membarrier(SYNC_CORE) makes that a guarantee rather than a property of the
 * kernel's exit path: after it, every core that runs a thread of this process serializes its
 * instruction stream before returning to user mode. Registration is once per process and can
 * take a while (it waits for the scheduler), so it is done here, not in the freeze. */
static uint32_t register_sync_core(void) {
    long supported = jp_sys6(NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0, 0, 0, 0);
    if (jp_is_error(supported) || !(supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE)) return 0;
    return jp_sys6(NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0, 0, 0, 0) == 0;
}

JPOLINE_EXPORT int jpoline_freeze_install(void) {
    uint32_t sig = __atomic_load_n(&jp_freeze.signal, __ATOMIC_ACQUIRE);
    if (sig != 0) return (int)sig;
    lock();
    long rc = __atomic_load_n(&jp_freeze.signal, __ATOMIC_ACQUIRE);
    if (rc == 0) {
        /* Reserved, not committed: a page is used per hundred threads. The slots never move,
         * as a handler may read them at any time. */
        if (jp_freeze.slots == 0) {
            long p = jp_sys6(NR_mmap, 0, (long)JP_FREEZE_MAX_THREADS * (long)sizeof(struct jp_freeze_slot),
                             JP_PROT_READ | JP_PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (jp_is_error(p)) rc = p;
            else jp_freeze.slots = (struct jp_freeze_slot *)p;
        }
        if (rc == 0) {
            jp_freeze.sync_core = register_sync_core();
            rc = install_handler();
            if (rc > 0) __atomic_store_n(&jp_freeze.signal, (uint32_t)rc, __ATOMIC_RELEASE);
        }
    }
    unlock();
    return (int)rc;
}

JPOLINE_EXPORT int jpoline_freeze_signal(void) { return (int)__atomic_load_n(&jp_freeze.signal, __ATOMIC_ACQUIRE); }

JPOLINE_EXPORT uint32_t jpoline_freeze_layout(void) {
    return (uint32_t)(sizeof(struct jpoline_freeze_plan) << 16 | sizeof(struct jpoline_freeze_step));
}
