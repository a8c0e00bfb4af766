/* Trap probes and trap hooks: the 1-byte int3 the inline-hook engine writes where no jump fits
 * (a function shorter than the jump, an instruction a branch lands right after). The SIGTRAP
 * handler here never runs a callback: it only sends the thread where the jump would have, to
 * the probe's stub or the hook's relay slot, and returns. After rt_sigreturn the thread is at
 * the stub with every register as the int3 left it, outside any signal handler, exactly as if
 * it had jumped there (the stub cannot tell the two paths apart).
 *
 * The table: address -> where to go on. The host (dev.jpoline.inlinehook.instrument.TrapTable)
 * writes it under its engine lock before the int3 is written, and never removes an address: a
 * closed probe's entry keeps its address with resume 0, so a trap taken there just before the
 * original byte came back is told apart from the program's own int3 (its byte is no longer
 * 0xCC: the thread re-runs the restored instruction). Lock-free reads, as in jp_site_registered.
 *
 * Why a thread is never frozen inside this handler: the freeze signal is in its sa_mask, and the
 * kernel delivers a pending synchronous SIGTRAP before any other signal, so a thread that ran the
 * int3 has left the handler (its rip at the stub, which the freeze sees) before it can park. A
 * freeze that closes a probe therefore always sees who is still in its stub.
 *
 * A SIGTRAP that is not one of ours (the program's own int3, a kill, a debugger's leftovers)
 * goes to the action that was installed before ours, as without jpoline: a handler is called
 * with the mask it asked for, the default action and an ignored forced trap end the process
 * with SIGTRAP's core. A program that installs its own SIGTRAP action after us replaces ours;
 * jpoline_trap_install (called before every trap is written) then puts ours back and chains to
 * the program's.
 *
 * Freestanding, like the entry: the handler runs wherever a probed instruction is. */
#include "freeze_internal.h"
#include "runtime_internal.h"

#define SIGTRAP 5
#define SIGTRAP_BIT (1ull << (SIGTRAP - 1))
#define SA_SIGINFO 0x4ull
#define SA_ONSTACK 0x08000000ull
#define SA_RESTART 0x10000000ull
#define SA_NODEFER 0x40000000ull
#define SA_RESETHAND 0x80000000ull
#define SA_RESTORER 0x04000000ull
#define SIG_DFL 0ull
#define SIG_IGN 1ull
#define SIG_SETMASK 2
#define SI_KERNEL 0x80 /* an int3's SIGTRAP (the kernel forces it) */
#define SI_CODE 8
#define UC_GREGS 40
#define UC_SIGMASK 296
#define G_RIP 16
#define INT3 0xCC
#define JP_ENOSPC 28

/* 16 bytes a slot: 4096 addresses ever probed per process, filled at most to 3/4. */
#define TRAP_SLOTS 4096u
struct trap_slot {
    uint64_t address; /* 0: empty */
    uint64_t resume;  /* 0: closed */
};
static struct trap_slot traps[TRAP_SLOTS];
static uint32_t trap_count; /* written under the host's engine lock, like the slots */

/* The action before ours, which a trap that is not ours goes to. Written only by
 * jpoline_trap_install, before any trap of ours can be taken with it. */
static struct jp_kernel_sigaction previous;
static uint32_t installed;

void jp_signal_restorer(void) JP_HIDDEN; /* entry.S */

static struct trap_slot *lookup(uint64_t address) {
    for (uint64_t i = jp_site_hash(address) & (TRAP_SLOTS - 1);; i = (i + 1) & (TRAP_SLOTS - 1)) {
        uint64_t a = __atomic_load_n(&traps[i].address, __ATOMIC_ACQUIRE);
        if (a == address) return &traps[i];
        if (a == 0) return 0;
    }
}

static long sys(long nr, long a1, long a2, long a3, long a4, long a5) { return jp_sys6(nr, a1, a2, a3, a4, a5, 0); }

/* What the trap would have done without jpoline. */
static void forward(int sig, void *info, void *context) {
    struct jp_kernel_sigaction a = previous;
    int forced = *(int32_t *)((char *)info + SI_CODE) == SI_KERNEL;
    if (a.handler == SIG_IGN && !forced) return;
    if (a.handler == SIG_DFL || a.handler == SIG_IGN) {
        /* The kernel resets a forced, ignored trap to the default too. Sent again, the trap is
         * pending while we run and ends the process with its core once the restorer returns. */
        struct jp_kernel_sigaction dfl = {SIG_DFL, 0, 0, 0};
        sys(NR_rt_sigaction, SIGTRAP, (long)&dfl, 0, 8, 0);
        *(uint64_t *)((char *)context + UC_SIGMASK) &= ~SIGTRAP_BIT;
        sys(NR_rt_tgsigqueueinfo, sys(NR_getpid, 0, 0, 0, 0, 0), sys(NR_gettid, 0, 0, 0, 0, 0), SIGTRAP, (long)info,
            0);
        return;
    }
    if (a.flags & SA_RESETHAND) previous.handler = SIG_DFL;
    /* The program's handler runs with the mask it asked for; the freeze signal, blocked while we
     * looked the trap up, is open again (the program's handler may take its time). */
    uint64_t mask = *(uint64_t *)((char *)context + UC_SIGMASK) | a.mask;
    if (!(a.flags & SA_NODEFER)) mask |= SIGTRAP_BIT;
    sys(NR_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, 8, 0);
    if (a.flags & SA_SIGINFO) ((void (*)(int, void *, void *))a.handler)(sig, info, context);
    else ((void (*)(int))a.handler)(sig);
}

static void trap_handler(int sig, void *info, void *context) {
    uint64_t *g = (uint64_t *)((char *)context + UC_GREGS);
    if (*(int32_t *)((char *)info + SI_CODE) == SI_KERNEL) {
        uint64_t at = g[G_RIP] - 1; /* an int3 traps with rip after it */
        struct trap_slot *s = lookup(at);
        if (s != 0) {
            uint64_t resume = __atomic_load_n(&s->resume, __ATOMIC_ACQUIRE);
            if (resume != 0) {
                g[G_RIP] = resume;
                return;
            }
            if (*(volatile uint8_t *)at != INT3) {
                g[G_RIP] = at; /* closed since the trap: run what is there now */
                return;
            }
        }
    }
    forward(sig, info, context);
}

/* Installs the handler, or puts it back over one installed since: 0 or -errno. */
JPOLINE_EXPORT int jpoline_trap_install(void) {
    long freeze = jpoline_freeze_install();
    if (freeze < 0) return (int)freeze;
    struct jp_kernel_sigaction current;
    long rc = sys(NR_rt_sigaction, SIGTRAP, 0, (long)&current, 8, 0);
    if (rc != 0) return (int)rc;
    if (installed && current.handler == (uint64_t)&trap_handler) return 0;
    /* SA_NODEFER: a probe hit inside a handler we chain to traps again, nested. */
    struct jp_kernel_sigaction ours = {(uint64_t)&trap_handler,
                                       SA_SIGINFO | SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESTORER,
                                       (uint64_t)&jp_signal_restorer, 1ull << (freeze - 1)};
    previous = current;
    rc = sys(NR_rt_sigaction, SIGTRAP, (long)&ours, 0, 8, 0);
    if (rc != 0) return (int)rc;
    __atomic_store_n(&installed, 1, __ATOMIC_RELEASE);
    return 0;
}

/* Where a trap at address goes: resume, or 0 for a closed probe. 0 or -ENOSPC. The host calls it
 * under its engine lock (one writer); resume is published before the address. */
JPOLINE_EXPORT int jpoline_trap_set(uint64_t address, uint64_t resume) {
    struct trap_slot *s = lookup(address);
    if (s != 0) {
        __atomic_store_n(&s->resume, resume, __ATOMIC_RELEASE);
        return 0;
    }
    if (resume == 0) return 0;
    if (trap_count >= TRAP_SLOTS / 4 * 3) return -JP_ENOSPC;
    for (uint64_t i = jp_site_hash(address) & (TRAP_SLOTS - 1);; i = (i + 1) & (TRAP_SLOTS - 1)) {
        if (traps[i].address == 0) {
            __atomic_store_n(&traps[i].resume, resume, __ATOMIC_RELEASE);
            __atomic_store_n(&traps[i].address, address, __ATOMIC_RELEASE);
            trap_count++;
            return 0;
        }
    }
}

/* For the host's diagnostics: the handler the kernel has for SIGTRAP is ours. */
JPOLINE_EXPORT int jpoline_trap_installed(void) {
    struct jp_kernel_sigaction current;
    if (sys(NR_rt_sigaction, SIGTRAP, 0, (long)&current, 8, 0) != 0) return 0;
    return current.handler == (uint64_t)&trap_handler;
}
