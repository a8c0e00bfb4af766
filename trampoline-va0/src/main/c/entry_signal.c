/* Signals for the TRACE tier (docs/trace.md, "Signals"). A process never stops for jpoline, so
 * the only way to see a signal is to be the code it runs: while the session asks for signal
 * records, every handler the program installs is installed as jp_signal_wrapper instead, which
 * records the signal and then calls the program's handler with the same arguments; and signals
 * whose default action kills the process get the wrapper too, which records the signal, restores
 * the default action and sends the signal again, so the process dies of it exactly as before.
 * rt_sigaction queries see the program's own actions, never the wrapper.
 *
 * The table below describes the dispositions of the process that owns it (owner_pid). A child
 * that shares our memory but has its own dispositions (vfork, posix_spawn) is left alone: its
 * rt_sigaction calls go straight to the kernel, and the wrappers it inherited still describe
 * what it inherited. Freestanding: runs in the entry and in signal handlers. */
#include <stddef.h>

#include "runtime_internal.h"
#include "session.h"

#define SA_SIGINFO 0x4ull
#define SA_RESTART 0x10000000ull
#define SA_ONSTACK 0x08000000ull
#define SA_RESTORER 0x04000000ull
#define SIG_DFL 0ull
#define SIG_IGN 1ull
#define SIG_SETMASK 2
#define EFAULT 14
#define SIGKILL 9
#define SIGSTOP 19
#define MAX_SIGNAL 64
/* glibc's own (SIGCANCEL, SIGSETXID): it installs them itself when it needs them. */
#define GLIBC_FIRST_PRIVATE 32
#define GLIBC_LAST_PRIVATE 33

/* Two copies per signal so that a handler reading one never sees it half written. */
struct disposition {
    uint32_t current; /* index of the copy in force */
    uint32_t wrapped; /* the kernel holds jp_signal_wrapper for this signal */
    struct jp_kernel_sigaction copy[2];
};

static struct disposition table[MAX_SIGNAL + 1];
static uint32_t table_lock;
static uint32_t owner_pid;
static uint32_t enabled;

void jp_signal_wrapper(int sig, void *info, void *context) JP_HIDDEN;
void jp_signal_restorer(void) JP_HIDDEN; /* entry.S: rt_sigreturn from the runtime's own text */

/* The default action of these ends the process (with or without a core). */
static int default_kills(int sig) {
    switch (sig) {
    case 17: /* SIGCHLD */
    case 18: /* SIGCONT */
    case SIGSTOP:
    case 20: /* SIGTSTP */
    case 21: /* SIGTTIN */
    case 22: /* SIGTTOU */
    case 23: /* SIGURG */
    case 28: /* SIGWINCH */
    case SIGKILL:
        return 0;
    default:
        return 1;
    }
}

static int interceptable(long sig) {
    /* Under SUD, SIGSYS belongs to entry_sud.c, which records the program's own SIGSYS too. */
    if (sig == 31 && __atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE)) return 0;
    return sig >= 1 && sig <= MAX_SIGNAL && sig != SIGKILL && sig != SIGSTOP &&
           (sig < GLIBC_FIRST_PRIVATE || sig > GLIBC_LAST_PRIVATE);
}

static void lock(void) {
    while (__atomic_exchange_n(&table_lock, 1, __ATOMIC_ACQUIRE) != 0) __asm__ volatile("pause");
}

static void unlock(void) { __atomic_store_n(&table_lock, 0, __ATOMIC_RELEASE); }

static void read_disposition(int sig, struct jp_kernel_sigaction *out, uint32_t *wrapped) {
    struct disposition *d = &table[sig];
    uint32_t at = __atomic_load_n(&d->current, __ATOMIC_ACQUIRE) & 1;
    const volatile struct jp_kernel_sigaction *c = &d->copy[at];
    out->handler = c->handler;
    out->flags = c->flags;
    out->restorer = c->restorer;
    out->mask = c->mask;
    *wrapped = __atomic_load_n(&d->wrapped, __ATOMIC_ACQUIRE);
}

/* Under the lock. */
static void write_disposition(int sig, const struct jp_kernel_sigaction *a, uint32_t wrapped) {
    struct disposition *d = &table[sig];
    uint32_t next = (__atomic_load_n(&d->current, __ATOMIC_RELAXED) + 1) & 1;
    d->copy[next] = *a;
    __atomic_store_n(&d->current, next, __ATOMIC_RELEASE);
    __atomic_store_n(&d->wrapped, wrapped, __ATOMIC_RELEASE);
}

/* What the kernel gets for the program's action `a`: the wrapper where the signal would run a
 * handler or kill the process, the action itself otherwise (SIG_IGN, harmless defaults). */
static int wrap(int sig, const struct jp_kernel_sigaction *a, struct jp_kernel_sigaction *kernel) {
    *kernel = *a;
    if (a->handler == SIG_IGN || (a->handler == SIG_DFL && !default_kills(sig))) return 0;
    kernel->handler = (uint64_t)&jp_signal_wrapper;
    if (a->handler == SIG_DFL) {
        /* The process dies of it anyway: run the wrapper where it can (alternate stack) with
         * everything blocked, returning through the runtime's own restorer. */
        kernel->flags = SA_SIGINFO | SA_RESTORER | SA_ONSTACK | SA_RESTART;
        kernel->restorer = (uint64_t)&jp_signal_restorer;
        kernel->mask = ~0ull;
    } else {
        kernel->flags |= SA_SIGINFO; /* the record wants the siginfo; the handler may ignore it */
    }
    return 1;
}

static uint32_t own_pid(void) { return (uint32_t)jp_sys6(NR_getpid, 0, 0, 0, 0, 0, 0); }

static int copy_out(uint64_t dst, const void *src, uint64_t len) {
    struct {
        uint64_t base, len;
    } local = {(uint64_t)src, len}, remote = {dst, len};
    /* The thread id: the process id fails once the main thread has exited (entry_trace.c). */
    return jp_sys6(NR_process_vm_writev, jp_sys6(NR_gettid, 0, 0, 0, 0, 0, 0), (long)&local, 1, (long)&remote, 1, 0) ==
           (long)len;
}

int jp_signal_sigaction(struct jpoline_frame *f) {
    long sig = (long)f->rdi;
    uint64_t act = f->rsi, old = f->rdx;
    if (!__atomic_load_n(&enabled, __ATOMIC_ACQUIRE) || f->r10 != 8 || !interceptable(sig)) return 0;
    if (own_pid() != __atomic_load_n(&owner_pid, __ATOMIC_ACQUIRE)) return 0;
    struct jp_kernel_sigaction wanted, kernel_new, kernel_old, previous;
    if (act != 0 && jp_safe_copy(&wanted, act, sizeof wanted) != sizeof wanted) return 0; /* kernel: EFAULT */
    /* No handler of ours may run on this thread while the table and the kernel disagree. */
    uint64_t all = ~0ull, saved = 0;
    jp_sys6(NR_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&saved, 8, 0, 0);
    lock();
    uint32_t was_wrapped;
    read_disposition((int)sig, &previous, &was_wrapped);
    int wrapping = act != 0 && wrap((int)sig, &wanted, &kernel_new);
    long rc = jp_sys6(NR_rt_sigaction, sig, act != 0 ? (long)&kernel_new : 0, old != 0 ? (long)&kernel_old : 0, 8,
                      0, 0);
    if (rc == 0) {
        if (act != 0) write_disposition((int)sig, &wanted, (uint32_t)wrapping);
        if (old != 0) {
            if (was_wrapped && kernel_old.handler == (uint64_t)&jp_signal_wrapper) kernel_old = previous;
            /* SA_RESETHAND reset the handler but kept the flags, SA_SIGINFO of ours included. */
            else if (was_wrapped && !(previous.flags & SA_SIGINFO)) kernel_old.flags &= ~SA_SIGINFO;
            if (!copy_out(old, &kernel_old, sizeof kernel_old)) rc = -EFAULT; /* as the kernel: action changed */
        }
    }
    unlock();
    jp_sys6(NR_rt_sigprocmask, SIG_SETMASK, (long)&saved, 0, 8, 0, 0);
    f->rax = (uint64_t)rc;
    return 1;
}

void jp_signals_start(void) {
    __atomic_store_n(&owner_pid, own_pid(), __ATOMIC_RELEASE);
    lock();
    for (int sig = 1; sig <= MAX_SIGNAL; sig++) {
        if (!interceptable(sig) || !default_kills(sig)) continue;
        struct jp_kernel_sigaction current, kernel;
        if (jp_sys6(NR_rt_sigaction, sig, 0, (long)&current, 8, 0, 0) != 0 || current.handler != SIG_DFL) continue;
        wrap(sig, &current, &kernel);
        if (jp_sys6(NR_rt_sigaction, sig, (long)&kernel, 0, 8, 0, 0) == 0) write_disposition(sig, &current, 1);
    }
    unlock();
    __atomic_store_n(&enabled, 1, __ATOMIC_RELEASE);
}

void jp_signals_after_fork(void) {
    if (__atomic_load_n(&enabled, __ATOMIC_ACQUIRE)) __atomic_store_n(&owner_pid, own_pid(), __ATOMIC_RELEASE);
}

void jp_signals_stop(void) {
    if (!__atomic_exchange_n(&enabled, 0, __ATOMIC_ACQ_REL)) return;
    if (own_pid() != __atomic_load_n(&owner_pid, __ATOMIC_ACQUIRE)) return;
    uint64_t all = ~0ull, saved = 0;
    jp_sys6(NR_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&saved, 8, 0, 0);
    lock();
    for (int sig = 1; sig <= MAX_SIGNAL; sig++) {
        struct jp_kernel_sigaction a, current;
        uint32_t wrapped;
        read_disposition(sig, &a, &wrapped);
        if (!wrapped) continue;
        /* Only where the kernel still holds the wrapper (SA_RESETHAND may have reset it). */
        if (jp_sys6(NR_rt_sigaction, sig, 0, (long)&current, 8, 0, 0) == 0 &&
            current.handler == (uint64_t)&jp_signal_wrapper)
            jp_sys6(NR_rt_sigaction, sig, (long)&a, 0, 8, 0, 0);
        __atomic_store_n(&table[sig].wrapped, 0, __ATOMIC_RELEASE);
    }
    unlock();
    jp_sys6(NR_rt_sigprocmask, SIG_SETMASK, (long)&saved, 0, 8, 0, 0);
}

/* siginfo_t fields (x86-64). */
#define SI_CODE 8
#define SI_ADDR 16
#define SIGSEGV 11
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define SEGV_PKUERR 4

/* A NULL dereference hits jpoline's page at address 0, which is mapped: the kernel reports an
 * access or protection-key error where the program, without jpoline, gets an unmapped address. */
static void as_without_va0(int sig, void *info) {
    if (sig != SIGSEGV || info == 0) return;
    int32_t *code = (int32_t *)((char *)info + SI_CODE);
    uint64_t addr = *(uint64_t *)((char *)info + SI_ADDR);
    if ((*code == SEGV_ACCERR || *code == SEGV_PKUERR) && addr < JPOLINE_VA0_SIZE) *code = SEGV_MAPERR;
}

void jp_signal_wrapper(int sig, void *info, void *context) {
    struct jp_kernel_sigaction a;
    uint32_t wrapped;
    read_disposition(sig, &a, &wrapped);
    as_without_va0(sig, info);
    int dies = a.handler == SIG_DFL;
    jp_trace_signal(sig, info, context, dies);
    if (dies) {
        /* Back to the default action and the same signal again: pending (it is blocked while we
         * run), it kills the process as soon as the restorer returns. */
        struct jp_kernel_sigaction dfl = {SIG_DFL, 0, 0, 0};
        jp_sys6(NR_rt_sigaction, sig, (long)&dfl, 0, 8, 0, 0);
        long pid = jp_sys6(NR_getpid, 0, 0, 0, 0, 0, 0), tid = jp_sys6(NR_gettid, 0, 0, 0, 0, 0, 0);
        jp_sys6(NR_rt_tgsigqueueinfo, pid, tid, sig, (long)info, 0, 0);
        return;
    }
    if (a.handler == SIG_IGN) return; /* changed to SIG_IGN while this delivery was on its way */
    ((void (*)(int, void *, void *))a.handler)(sig, info, context);
}
