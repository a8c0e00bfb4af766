/* Syscall User Dispatch (docs/sud.md): the second way a syscall reaches the entry, used where
 * the VA0 page cannot be mapped (vm.mmap_min_addr, page 0 taken), for a JVM on a CPU without
 * protection keys, and on top of VA0 as a catch-all (--exhaustive).
 *
 * The kernel lets syscalls from the runtime's own text through and turns every other one into
 * a SIGSYS (si_code SYS_USER_DISPATCH) before it runs, with rip just after the `syscall` and rax
 * back to the syscall number. The handler below makes no syscall and runs no tier: it turns
 * the signal context into the state a rewritten site's `call *%rax` would have left (the return
 * address pushed in the caller's red-zone slot, rip at jpoline_entry) and returns. After the
 * sigreturn the thread runs the entry exactly as under VA0, outside any signal frame, so every
 * special case the entry already handles holds unchanged: rt_sigreturn on the program's own
 * frame, clone and clone3 with a new stack, vfork on the caller's stack, signals that interrupt
 * or restart a blocking call, HOOK waits of any length. The selector therefore never needs to
 * say ALLOW: it stays BLOCK, the entry's syscalls pass because of where they are.
 *
 * What the kernel does not do for us, measured on Linux 6.18 (trampoline-va0/src/test/c/sud.c
 * checks each): SUD is not copied on clone. Threads, fork children and vfork children all start
 * without it, so each turns it on for itself before it runs any code of the program
 * (jp_sud_child_start, from the entry's child paths). execve clears it; the new image's
 * constructor sets it again.
 *
 * A SUD SIGSYS is forced: were SIGSYS blocked or ignored, the kernel would reset it to the
 * default and kill the thread. So the program never gets to block it (SIGSYS is taken out of
 * every mask it passes to rt_sigprocmask and rt_sigaction) nor to replace our handler (its
 * rt_sigaction for SIGSYS is kept here, and a SIGSYS that is not ours, a seccomp trap or a
 * kill, is handed to what the program installed).
 *
 * Freestanding, like the entry: the handler runs wherever a syscall was made. */
#include <stddef.h>

#include "runtime_internal.h"
#include "session.h"

#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_OFF 0
#define PR_SYS_DISPATCH_ON 1
#define SELECTOR_ALLOW 0
#define SELECTOR_BLOCK 1

#define SIGSYS 31
#define SIGSYS_BIT (1ull << (SIGSYS - 1))
#define SYS_SECCOMP 1
#define SYS_USER_DISPATCH 2
#define SA_SIGINFO 0x4ull
#define SA_RESETHAND 0x80000000ull
#define SA_RESTORER 0x04000000ull
#define SIG_DFL 0ull
#define SIG_IGN 1ull
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define EFAULT 14
#define EINVAL 22

/* siginfo and ucontext offsets (x86-64). */
#define SI_CODE 8
#define UC_GREGS 40
#define G_R11 3
#define G_RSP 15
#define G_RIP 16
#define UC_SIGMASK 296

/* The selector the kernel reads on every syscall outside the allowed region. One byte for the
 * whole process, never changed: see the top of this file. */
static volatile uint8_t selector = SELECTOR_BLOCK;
static uint64_t region_start, region_length;
/* 1 once this process catches syscalls with SUD (its children and new threads follow). */
uint32_t jp_sud_mode;
/* Syscalls that reached the entry through a SUD trap (tests and benchmarks see jump patching in it). */
uint64_t jp_sud_traps;
/* Threads that could not turn SUD on (the kernel refused): they run uncaught; reported. */
uint64_t jp_sud_thread_failures;

/* The program's own SIGSYS action, two copies so that the handler never reads one half
 * written. Only the process that owns the table changes it: a vfork child shares our memory
 * and must not change what its parent sees (its settings are dropped, as an exec resets them). */
static struct jp_kernel_sigaction program_action[2];
static uint32_t program_current;
static uint32_t program_lock;
static uint32_t owner_pid;

void jp_sud_sigsys(int sig, void *info, void *context) JP_HIDDEN;
void jp_signal_restorer(void) JP_HIDDEN;

static long sys(long nr, long a, long b, long c, long d, long e) { return jp_sys6(nr, a, b, c, d, e, 0); }

static void read_program_action(struct jp_kernel_sigaction *out) {
    const volatile struct jp_kernel_sigaction *c =
        &program_action[__atomic_load_n(&program_current, __ATOMIC_ACQUIRE) & 1];
    out->handler = c->handler;
    out->flags = c->flags;
    out->restorer = c->restorer;
    out->mask = c->mask;
}

static void write_program_action(const struct jp_kernel_sigaction *a) {
    while (__atomic_exchange_n(&program_lock, 1, __ATOMIC_ACQUIRE) != 0) __asm__ volatile("pause");
    uint32_t next = (__atomic_load_n(&program_current, __ATOMIC_RELAXED) + 1) & 1;
    program_action[next] = *a;
    __atomic_store_n(&program_current, next, __ATOMIC_RELEASE);
    __atomic_store_n(&program_lock, 0, __ATOMIC_RELEASE);
}

static uint32_t own_pid(void) { return (uint32_t)sys(NR_getpid, 0, 0, 0, 0, 0); }

static int enable_this_thread(void) {
    return (int)sys(NR_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, (long)region_start,
                    (long)region_length, (long)&selector);
}

/* Our handler, with every other signal blocked while it runs (it is a few instructions, and a
 * signal that arrives meanwhile is delivered after the sigreturn, at the entry's first
 * instruction, as under VA0). Returns through the runtime's restorer: its rt_sigreturn is in
 * the allowed region. */
static long install_handler(struct jp_kernel_sigaction *previous) {
    struct jp_kernel_sigaction ours = {(uint64_t)&jp_sud_sigsys, SA_SIGINFO | SA_RESTORER,
                                       (uint64_t)&jp_signal_restorer, ~SIGSYS_BIT};
    return sys(NR_rt_sigaction, SIGSYS, (long)&ours, (long)previous, 8, 0);
}

int jp_sud_start(uint64_t start, uint64_t length) {
    region_start = start;
    region_length = length;
    struct jp_kernel_sigaction previous;
    long rc = install_handler(&previous);
    if (rc != 0) return (int)rc;
    /* What the program had stays the program's: after an exec only SIG_IGN or SIG_DFL (a program
     * started with SIGSYS ignored still believes it is), in a process leaving VA0 any handler it
     * installed. */
    struct jp_kernel_sigaction initial = previous;
    write_program_action(&initial);
    __atomic_store_n(&owner_pid, own_pid(), __ATOMIC_RELEASE);
    /* Handlers installed before SUD (a process leaving VA0 has them) may block SIGSYS while they
     * run; a syscall in one would then be a forced SIGSYS that kills. From now on every mask the
     * program passes loses SIGSYS (jp_sud_sigaction); these lose it here. */
    for (int sig = 1; sig <= 64; sig++) {
        struct jp_kernel_sigaction a;
        if (sig == 9 || sig == 19 || sig == SIGSYS || sys(NR_rt_sigaction, sig, 0, (long)&a, 8, 0) != 0) continue;
        if (a.handler > SIG_IGN && (a.mask & SIGSYS_BIT)) {
            a.mask &= ~SIGSYS_BIT;
            sys(NR_rt_sigaction, sig, (long)&a, 0, 8, 0);
        }
    }
    /* The mask survives exec: a parent that blocked SIGSYS must not make our first trap fatal. */
    uint64_t bit = SIGSYS_BIT;
    sys(NR_rt_sigprocmask, SIG_UNBLOCK, (long)&bit, 0, 8, 0);
    rc = enable_this_thread();
    if (rc != 0) {
        sys(NR_rt_sigaction, SIGSYS, (long)&initial, 0, 8, 0); /* as it was, flags and restorer too */
        return (int)rc;
    }
    __atomic_store_n(&jp_sud_mode, 1, __ATOMIC_RELEASE);
    return 0;
}

int jp_sud_probe(void) {
    /* A selector that says ALLOW: turning SUD on changes nothing for this thread, and the call
     * that turns it off again passes. EINVAL: the kernel has no SUD (before 5.11, or built
     * without it). */
    static volatile uint8_t allow = SELECTOR_ALLOW;
    long rc = sys(NR_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 0, 0, (long)&allow);
    if (rc != 0) return (int)rc;
    sys(NR_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
    return 0;
}

/* entry.S (thread, vfork and clone children) and the fork path of entry_dispatch.c: the new
 * task turns SUD on for itself before it returns to the program. */
void jp_sud_child_start(void) {
    if (!__atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE)) return;
    if (enable_this_thread() != 0) __atomic_fetch_add(&jp_sud_thread_failures, 1, __ATOMIC_RELAXED);
}

/* After a successful PTRACE_TRACEME (a debugger's child, about to exec): every SIGSYS of this
 * thread would now stop it for its tracer first, and a vfork parent (gdb) that is that tracer
 * waits for the exec meanwhile: a deadlock. The thread goes on without SUD (its jump-patched
 * sites still reach the entry); the new image decides again (runtime.c). */
void jp_sud_traced(void) {
    if (!__atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE)) return;
    sys(NR_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0);
}

/* --- a process jpoline attached to (trace -p under SUD, docs/remote.md) ------------------------ */

/* What another thread's prctl needs to turn SUD on as this one did: the region and the
 * selector, which is one byte for the whole process. The host injects that prctl (and the
 * unblocking of SIGSYS) into every other thread while all are stopped: they are already running,
 * so no entry path of theirs will. */
void jp_sud_thread_args(uint64_t out[5]) {
    out[0] = region_start;
    out[1] = region_length;
    out[2] = (uint64_t)&selector;
    /* For a thread stopped in a syscall the kernel would restart from the program's own
     * instruction, which SUD would trap, and a trapped restart_syscall loses its restart block
     * in the SIGSYS frame's rt_sigreturn (nanosleep then fails with EINTR): the host sends it to
     * the entry as jp_sud_sigsys would, without the signal frame. */
    out[3] = (uint64_t)&jpoline_entry;
    out[4] = JP_SUD_MARK;
}

/* The host left, having turned SUD off in every thread: threads made from now on stay without
 * it, and the program's own SIGSYS action is the kernel's again. */
void jp_sud_leave(void) {
    __atomic_store_n(&jp_sud_mode, 0, __ATOMIC_RELEASE);
    struct jp_kernel_sigaction a;
    read_program_action(&a);
    sys(NR_rt_sigaction, SIGSYS, (long)&a, 0, 8, 0);
}

/* --- leaving VA0 in a running process --------------------------------------------------------- */

/* Threads of this process, from /proc/self/task; -errno if it cannot be read. */
static long count_threads(void) {
    static const char path[] = "/proc/self/task";
    long fd = sys(NR_openat, -100 /* AT_FDCWD */, (long)path, 0x10000 /* O_DIRECTORY */ | 0x80000 /* O_CLOEXEC */, 0,
                  0);
    if (fd < 0) return fd;
    char buf[2048] __attribute__((aligned(8)));
    long threads = 0;
    for (;;) {
        long n = sys(NR_getdents64, fd, (long)buf, sizeof buf, 0, 0);
        if (n <= 0) {
            sys(NR_close, fd, 0, 0, 0, 0);
            return n < 0 ? n : threads;
        }
        for (long at = 0; at < n;) {
            /* struct linux_dirent64: ino 8, off 8, reclen 2, type 1, name */
            uint16_t reclen = *(uint16_t *)(buf + at + 16);
            if (buf[at + 19] != '.') threads++;
            at += reclen;
        }
    }
}

/* A process under VA0 that is about to load a runtime needing faulting reads of address 0, on
 * a CPU that cannot make page 0 execute-only: the host has put every rewritten site back to
 * `syscall`, so nothing calls into page 0 any more; this thread (inside the entry, handling
 * the mmap that maps the runtime) turns SUD on, page 0 goes, and from the next syscall on every
 * one traps into the same entry. SUD is per thread and only a thread can turn it on for
 * itself, so a process with other threads already cannot switch (the java launcher loads
 * libjvm.so before it starts any). Threads and children started from here on turn it on
 * themselves (jp_sud_child_start). */
const char *jp_sud_switch_from_va0(void) {
    if (__atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE)) {
        /* --exhaustive: every thread is under SUD already; only page 0 has to go. */
        jp_sud_restore_sites();
        __atomic_store_n(&jp_va0_active, 0, __ATOMIC_RELEASE);
        sys(NR_munmap, 0, JPOLINE_VA0_SIZE, 0, 0, 0);
        return 0;
    }
    if (jp_own_text_length == 0) return "the runtime did not find its own code)";
    long threads = count_threads();
    if (threads < 1) return "it cannot list its threads)";
    if (threads > 1) return "it has other threads already, and only a thread can turn it on for itself)";
    if (jp_sud_start(jp_own_text_start, jp_own_text_length) != 0)
        return "the kernel refused it: Linux 5.11 or later has it)";
    __atomic_store_n(&jp_va0_active, 0, __ATOMIC_RELEASE);
    sys(NR_munmap, 0, JPOLINE_VA0_SIZE, 0, 0, 0);
    return 0;
}

/* --- --exhaustive: sites that were not rewritten ------------------------------------------------ */

/* Sites already reported by this process: an open-addressing set that only grows. Past its
 * capacity a site may be reported again (the host says each once anyway). */
#define REPORTED_SLOTS 1024u
static uint64_t reported[REPORTED_SLOTS];
/* 1 where this process rewrote the reported site itself (fork children inherit both arrays,
 * and the rewritten code with them). */
static uint8_t rewritten[REPORTED_SLOTS];

#define PROT_RX 5
#define PROT_RWX 7

/* Turns the 2 bytes at site from `from` into `to` (little-endian 16-bit values) with one locked
 * 8-byte compare-and-swap on the aligned word holding them, so a thread running that code sees
 * the old instruction or the new one, never half of each (a byte-wise write, as the kernel
 * makes for /proc/PID/mem, could show `0F D0` for a moment). The page is RWX meanwhile: other
 * threads keep running it. 0 when the site straddles a word, or the bytes are not `from`. */
static int swap_site(uint64_t site, uint16_t from, uint16_t to) {
    unsigned shift = (unsigned)(site & 7) * 8;
    if ((site & 7) == 7) return 0;
    uint64_t *word = (uint64_t *)(site & ~7ull);
    uint64_t page = site & ~4095ull;
    if (sys(NR_mprotect, (long)page, 4096, PROT_RWX, 0, 0) != 0) return 0;
    uint64_t old = __atomic_load_n(word, __ATOMIC_ACQUIRE);
    int done = 0;
    while ((uint16_t)(old >> shift) == from) {
        uint64_t next = (old & ~(0xFFFFull << shift)) | (uint64_t)to << shift;
        if (__atomic_compare_exchange_n(word, &old, next, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            done = 1;
            break;
        }
    }
    sys(NR_mprotect, (long)page, 4096, PROT_RX, 0, 0);
    return done;
}

#define SYSCALL_BYTES 0x050F  /* 0F 05 */
#define CALL_RAX_BYTES 0xD0FF /* FF D0 */

/* Rewrites and restores of sites go one at a time: two threads changing the protection of the
 * same page would leave it read-only under the other's CAS. A thread that finds it taken does
 * not wait (it may be a signal handler interrupting the holder on the same thread): its site
 * keeps trapping, which is always correct. `closing`: the VA0 page is going; no more rewrites. */
static uint32_t rewrite_lock;
static uint32_t closing;

static int try_lock_rewrites(void) { return __atomic_exchange_n(&rewrite_lock, 1, __ATOMIC_ACQUIRE) == 0; }
static void unlock_rewrites(void) { __atomic_store_n(&rewrite_lock, 0, __ATOMIC_RELEASE); }

void jp_sud_report_site(uint64_t site) {
    uint64_t i = jp_site_hash(site) & (REPORTED_SLOTS - 1);
    int slot = 0;
    for (uint64_t n = 0; n < REPORTED_SLOTS; i = (i + 1) & (REPORTED_SLOTS - 1), n++) {
        uint64_t seen = __atomic_load_n(&reported[i], __ATOMIC_ACQUIRE);
        if (seen == site) return;
        if (seen == 0) {
            uint64_t expected = 0;
            if (!__atomic_compare_exchange_n(&reported[i], &expected, site, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
                if (expected == site) return; /* another thread took it for the same site */
                continue;
            }
            slot = 1;
            break;
        }
    }
    /* The host says where the site is; for a `syscall` in a read-only file mapping it answers
     * REWRITE, and the site takes the VA0 path from the next call on (as lazypoline does). The
     * site goes into the site set first: a call through it must be known when it lands. */
    if (jp_session_request(JPOLINE_REQUEST_UNREWRITTEN_SITE, site, 0) != JPOLINE_RESULT_REWRITE_SITE) return;
    /* No slot (the set is full): it could not be put back, so it is not rewritten. */
    if (!slot || !try_lock_rewrites()) return;
    if (!__atomic_load_n(&closing, __ATOMIC_ACQUIRE) && __atomic_load_n(&jp_va0_active, __ATOMIC_ACQUIRE) &&
        jpoline_sites_add(&site, 1) == 0 && swap_site(site, SYSCALL_BYTES, CALL_RAX_BYTES))
        __atomic_store_n(&rewritten[i], 1, __ATOMIC_RELEASE);
    unlock_rewrites();
}

/* Before the VA0 page goes: the sites this process rewrote itself are `syscall` again (the host
 * restores only the ones it rewrote). */
void jp_sud_restore_sites(void) {
    __atomic_store_n(&closing, 1, __ATOMIC_RELEASE);
    /* Bounded: a holder is between two mprotects, but one interrupted on this very thread never
     * ends; the sites are put back all the same (a site left rewritten would call into the
     * unmapped page 0, which is worse than the race). */
    int held = 0;
    for (int spins = 0; spins < 100000 && !held; spins++) held = try_lock_rewrites();
    for (uint64_t i = 0; i < REPORTED_SLOTS; i++)
        if (__atomic_load_n(&rewritten[i], __ATOMIC_ACQUIRE) && swap_site(reported[i], CALL_RAX_BYTES, SYSCALL_BYTES))
            rewritten[i] = 0;
    if (held) unlock_rewrites();
}

void jp_sud_after_fork(void) {
    if (__atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE)) __atomic_store_n(&owner_pid, own_pid(), __ATOMIC_RELEASE);
}

/* --- the handler ---------------------------------------------------------------------------- */

/* A SIGSYS that is not a dispatch (a seccomp SECCOMP_RET_TRAP, a kill): what the program would
 * have got with its own action installed. */
static void forward(int sig, void *info, void *context) {
    struct jp_kernel_sigaction a;
    read_program_action(&a);
    int32_t code = *(int32_t *)((char *)info + SI_CODE);
    /* The kernel forces a seccomp trap: ignored, it kills all the same. */
    int dies = a.handler == SIG_DFL || (a.handler == SIG_IGN && code == SYS_SECCOMP);
    if (a.handler == SIG_IGN && !dies) return;
    jp_trace_signal(sig, info, context, dies);
    if (dies) {
        /* The default action, from the same signal sent again: pending while we run (everything
         * is blocked), it ends the process with a core as soon as the restorer returns. */
        struct jp_kernel_sigaction dfl = {SIG_DFL, 0, 0, 0};
        sys(NR_rt_sigaction, SIGSYS, (long)&dfl, 0, 8, 0);
        uint64_t bit = SIGSYS_BIT;
        uint64_t *mask = (uint64_t *)((char *)context + UC_SIGMASK);
        *mask &= ~bit;
        sys(NR_rt_tgsigqueueinfo, own_pid(), sys(NR_gettid, 0, 0, 0, 0, 0), SIGSYS, (long)info, 0);
        return;
    }
    if (a.flags & SA_RESETHAND) {
        struct jp_kernel_sigaction dfl = {SIG_DFL, 0, 0, 0};
        write_program_action(&dfl);
    }
    /* The program's handler runs with the mask it asked for, SIGSYS excepted: its own syscalls
     * trap into this handler again, nested. */
    uint64_t mask = (*(uint64_t *)((char *)context + UC_SIGMASK) | a.mask) & ~SIGSYS_BIT;
    sys(NR_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, 8, 0);
    ((void (*)(int, void *, void *))a.handler)(sig, info, context);
}

void jp_sud_sigsys(int sig, void *info, void *context) {
    if (*(int32_t *)((char *)info + SI_CODE) != SYS_USER_DISPATCH) {
        forward(sig, info, context);
        return;
    }
    /* As the site's `call *%rax` would: the address after the syscall in the 8 bytes below the
     * caller's rsp (the one slot the entry path may write, invariant 2), rip at the entry, and
     * r11, which the VA0 stub sets to the entry's address, the mark that tells the entry this
     * call came from a trap and not from a rewritten site. rax holds the number already. */
    __atomic_fetch_add(&jp_sud_traps, 1, __ATOMIC_RELAXED); /* ~20 ns against a µs round trip */
    uint64_t *g = (uint64_t *)((char *)context + UC_GREGS);
    uint64_t rsp = g[G_RSP] - 8;
    *(uint64_t *)rsp = g[G_RIP];
    g[G_RSP] = rsp;
    g[G_R11] = JP_SUD_MARK;
    g[G_RIP] = (uint64_t)&jpoline_entry;
}

/* --- the program's signal calls ------------------------------------------------------------- */

static int copy_out(uint64_t dst, const void *src, uint64_t len) {
    struct {
        uint64_t base, len;
    } local = {(uint64_t)src, len}, remote = {dst, len};
    /* The thread id: the process id fails once the main thread has exited (entry_trace.c). */
    return sys(NR_process_vm_writev, sys(NR_gettid, 0, 0, 0, 0, 0), (long)&local, 1, (long)&remote, 1) == (long)len;
}

/* rt_sigaction(SIGSYS): the program's action lives here; ours stays with the kernel. */
static long sigsys_action(uint64_t act, uint64_t old) {
    struct jp_kernel_sigaction wanted, previous;
    if (act != 0 && jp_safe_copy(&wanted, act, sizeof wanted) != sizeof wanted) return -EFAULT;
    read_program_action(&previous);
    if (act != 0 && own_pid() == __atomic_load_n(&owner_pid, __ATOMIC_ACQUIRE)) write_program_action(&wanted);
    if (old != 0 && !copy_out(old, &previous, sizeof previous)) return -EFAULT;
    return 0;
}

int jp_sud_sigaction(struct jpoline_frame *f) {
    if (!__atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE) || f->r10 != 8) return 0;
    if (f->rdi == SIGSYS) {
        f->rax = (uint64_t)sigsys_action(f->rsi, f->rdx);
        return 1;
    }
    struct jp_kernel_sigaction wanted;
    if (f->rsi == 0 || jp_safe_copy(&wanted, f->rsi, sizeof wanted) != sizeof wanted || !(wanted.mask & SIGSYS_BIT))
        return 0;
    /* A handler that blocks everything (sigfillset) would make its own syscalls fatal. */
    wanted.mask &= ~SIGSYS_BIT;
    uint64_t theirs = f->rsi;
    f->rsi = (uint64_t)&wanted;
    if (!jp_signal_sigaction(f))
        f->rax = (uint64_t)sys(NR_rt_sigaction, (long)f->rdi, (long)f->rsi, (long)f->rdx, 8, 0);
    f->rsi = theirs;
    return 1;
}

int jp_sud_sigprocmask(struct jpoline_frame *f) {
    if (!__atomic_load_n(&jp_sud_mode, __ATOMIC_ACQUIRE) || f->rsi == 0 || f->rdi == SIG_UNBLOCK || f->r10 != 8)
        return 0;
    uint64_t set;
    if (jp_safe_copy(&set, f->rsi, 8) != 8 || !(set & SIGSYS_BIT)) return 0; /* bad pointers: the kernel says */
    set &= ~SIGSYS_BIT;
    f->rax = (uint64_t)sys(NR_rt_sigprocmask, (long)f->rdi, (long)&set, (long)f->rdx, 8, 0);
    return 1;
}
