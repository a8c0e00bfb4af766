/* The C half of the entry: called by entry.S with every register saved in a
 * struct jpoline_frame. It tells a rewritten site from a stray call, picks the tier, runs
 * ordinary syscalls, and prepares the special ones that entry.S must issue itself.
 * Freestanding (DESIGN.md invariant 1): built with -mgeneral-regs-only -fno-builtin, no
 * libc, no locks; the Makefile rejects the object if it references any outside symbol. */
#include <stddef.h>

#include "runtime_internal.h"
#include "session.h"

_Static_assert(offsetof(struct jpoline_frame, rax) == JP_FRAME_RAX, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, rbx) == JP_FRAME_RBX, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, rdx) == JP_FRAME_RDX, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, rsi) == JP_FRAME_RSI, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, rdi) == JP_FRAME_RDI, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, rbp) == JP_FRAME_RBP, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, r8) == JP_FRAME_R8, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, r9) == JP_FRAME_R9, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, r10) == JP_FRAME_R10, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, r12) == JP_FRAME_R12, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, r13) == JP_FRAME_R13, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, r14) == JP_FRAME_R14, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, r15) == JP_FRAME_R15, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, rflags) == JP_FRAME_RFLAGS, "frame layout");
_Static_assert(offsetof(struct jpoline_frame, caller_red_zone) == JP_FRAME_RFLAGS + 8 &&
                   sizeof(((struct jpoline_frame *)0)->caller_red_zone) == JP_RED_ZONE,
               "frame layout");
_Static_assert(offsetof(struct jpoline_frame, return_address) == JP_FRAME_RETURN_ADDRESS,
               "frame layout");
_Static_assert(sizeof(struct jpoline_frame) == JP_FRAME_SIZE, "frame layout");
_Static_assert(JP_CLONE3_COPY_MAX + 16 <= JP_SCRATCH_SIZE, "clone3 copy overlaps the flags push");

/* Flags the entry needs (no libc headers in freestanding code). */
#define PROT_EXEC 0x4ull
#define MAP_ANONYMOUS 0x20ull
#define CLONE_VM 0x100ull
#define CLONE_VFORK 0x4000ull
#define SIGSEGV 11
#define SEGV_MAPERR 1
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_DFL 0ull
#define SIG_IGN 1ull
#define EAGAIN 11
#define E2BIG 7
#define CLONE_ARGS_SIZE_VER0 64
#define PAGE_SIZE 4096

uint8_t jp_tiers[JPOLINE_TIER_TABLE_SIZE];
jpoline_dispatch_hook jp_dispatch_hook;
uint64_t jp_entry_counts[3];
uint8_t jp_count_pass;
__thread struct jp_vfork_returns jp_vfork_returns __attribute__((tls_model("initial-exec")));

unsigned jp_entry_dispatch(struct jpoline_frame *f) JP_HIDDEN;

#define sys6 jp_sys6

/* --- NULL calls ----------------------------------------------------------------------- */

struct kernel_siginfo {
    int32_t signo, errno_value, code, pad;
    uint64_t addr;
    uint64_t rest[13]; /* 128 bytes in all, as the kernel copies */
};

/* Best effort: the sled forgets where it was entered. For `call *%reg` (with or without
 * REX.B) the register still holds the target; anything else reports 0. */
static uint64_t called_address(const struct jpoline_frame *f) {
    const uint8_t *after = (const uint8_t *)f->return_address;
    if (after[-2] != 0xFF || (after[-1] & 0xF8) != 0xD0) return 0;
    unsigned reg = after[-1] & 7;
    /* Read a REX byte only when it is on the same page as the opcode we just read. */
    if (((uint64_t)(after - 2) & (PAGE_SIZE - 1)) != 0 && (after[-3] & 0xF1) == 0x41) reg += 8;
    switch (reg) {
    case 0: return f->rax;
    case 1: return f->rcx;
    case 2: return f->rdx;
    case 3: return f->rbx;
    case 4: return JPOLINE_FRAME_CALLER_RSP(f);
    case 5: return f->rbp;
    case 6: return f->rsi;
    case 7: return f->rdi;
    case 8: return f->r8;
    case 9: return f->r9;
    case 10: return f->r10;
    case 12: return f->r12;
    case 13: return f->r13;
    case 14: return f->r14;
    case 15: return f->r15;
    default: return 0; /* r11: the stub used it to reach us */
    }
}

/* A call through a NULL or small-integer pointer landed on the sled. Crash the way the
 * fault would have: SIGSEGV/SEGV_MAPERR at the called address, delivered even if blocked
 * or ignored (the kernel forces a fault's signal the same way). A handler that returns
 * gets the signal again, as a re-executed faulting call would. No syscall of the program
 * runs. */
static __attribute__((noreturn)) void crash_like_null_call(const struct jpoline_frame *f) {
    struct jp_kernel_sigaction current;
    uint64_t blocked = 0;
    const uint64_t segv_bit = 1ull << (SIGSEGV - 1);
    sys6(NR_rt_sigaction, SIGSEGV, 0, (long)&current, 8, 0, 0);
    sys6(NR_rt_sigprocmask, SIG_BLOCK, 0, (long)&blocked, 8, 0, 0);
    if (current.handler == SIG_IGN || (blocked & segv_bit) != 0) {
        struct jp_kernel_sigaction default_action = {SIG_DFL, 0, 0, 0};
        sys6(NR_rt_sigaction, SIGSEGV, (long)&default_action, 0, 8, 0, 0);
    }
    sys6(NR_rt_sigprocmask, SIG_UNBLOCK, (long)&segv_bit, 0, 8, 0, 0);

    struct kernel_siginfo info;
    for (size_t i = 0; i < sizeof info.rest / sizeof info.rest[0]; i++) info.rest[i] = 0;
    info.signo = SIGSEGV;
    info.errno_value = 0;
    info.code = SEGV_MAPERR;
    info.pad = 0;
    info.addr = called_address(f);
    long pid = sys6(NR_getpid, 0, 0, 0, 0, 0, 0);
    long tid = sys6(NR_gettid, 0, 0, 0, 0, 0, 0);
    for (;;) sys6(NR_rt_tgsigqueueinfo, pid, tid, SIGSEGV, (long)&info, 0, 0);
}

/* --- special syscalls ----------------------------------------------------------------- */

/* The child will run on the caller's stack: the parent must get its return address from
 * somewhere the child cannot overwrite. */
static unsigned vfork_action(struct jpoline_frame *f) {
    struct jp_vfork_returns *r = &jp_vfork_returns;
    if (r->depth >= JP_VFORK_DEPTH_MAX) { /* nested vforks this deep do not happen */
        f->rax = (uint64_t)-EAGAIN;
        return JP_ACT_RETURN;
    }
    r->addresses[r->depth] = f->return_address;
    r->depth++;
    return JP_ACT_VFORK;
}

static int shares_callers_stack_until_exec(uint64_t clone_flags) {
    return (clone_flags & (CLONE_VM | CLONE_VFORK)) == (CLONE_VM | CLONE_VFORK);
}

/* struct clone_args fields, in 64-bit words. */
enum { CLONE3_FLAGS = 0, CLONE3_STACK = 5, CLONE3_STACK_SIZE = 6 };

/* Returns 1 with *action set when clone3 needs more than a plain pass-through, else 0. */
static int prepare_clone3(struct jpoline_frame *f, unsigned *action) {
    const uint64_t *args = (const uint64_t *)f->rdi;
    uint64_t size = f->rsi;
    /* Malformed calls go to the kernel untouched: it rejects them before any child exists. */
    if (args == 0 || size < CLONE_ARGS_SIZE_VER0 || size > PAGE_SIZE || (size & 7) != 0) return 0;
    uint64_t stack = args[CLONE3_STACK], stack_size = args[CLONE3_STACK_SIZE];
    if (stack == 0) {
        if (!shares_callers_stack_until_exec(args[CLONE3_FLAGS])) return 0;
        *action = vfork_action(f);
        return 1;
    }
    if (stack_size < 16) return 0;
    jp_trace_ids_reset();
    if (size > JP_CLONE3_COPY_MAX) { /* documented limit: larger than any kernel's struct */
        f->rax = (uint64_t)-E2BIG;
        *action = JP_ACT_RETURN;
        return 1;
    }
    uint64_t *copy = (uint64_t *)((char *)f - JP_SCRATCH_SIZE);
    for (uint64_t i = 0; i < size / 8; i++) copy[i] = args[i];
    copy[CLONE3_STACK_SIZE] = stack_size - 16;
    uint64_t *top = (uint64_t *)(stack + stack_size);
    top[-1] = f->return_address;
    top[-2] = f->rdi; /* the child pops it: its rdi must be the caller's pointer, not ours */
    *action = JP_ACT_CLONE3_NEW_STACK;
    return 1;
}

/* Code that becomes executable after start-up (dlopen, a loader mapping a library) is
 * rewritten before the call returns to the program: the host patches it while we wait.
 * Anonymous executable memory (JIT code) is not a file the host can plan, so it is not
 * asked about. */
static void after_mapping_change(const struct jpoline_frame *f, uint64_t nr) {
    if (jp_session == 0 || ((int64_t)f->rax < 0 && (int64_t)f->rax > -4096)) return;
    /* Under SUD new code is jump-patched where it has a pool (entry_sud_pool.c), else left
     * trapping; and only code just mapped: an mprotect may make code executable that another
     * thread runs already (and a JIT's would cost a request each), where the host's writes
     * could be seen half done. */
    int sud = !__atomic_load_n(&jp_va0_active, __ATOMIC_RELAXED);
    if (sud && (jp_sud_jump_pool == 0 || nr != NR_mmap)) return;
    uint64_t start, length;
    switch (nr) {
    case NR_mmap:
        if (!(f->rdx & PROT_EXEC) || (f->r10 & MAP_ANONYMOUS)) return;
        start = f->rax;
        length = f->rsi;
        break;
    case NR_mprotect:
    case NR_pkey_mprotect:
        if (!(f->rdx & PROT_EXEC)) return;
        start = f->rdi;
        length = f->rsi;
        break;
    default:
        return;
    }
    jp_session_obey(jp_session_request(JPOLINE_REQUEST_MAPPING, start, start + length));
}

/* What a call the program made changes for the runtime, once it returned: a successful
 * PTRACE_TRACEME takes the thread off SUD (entry_sud.c), new code is rewritten. */
static void after_call(const struct jpoline_frame *f, uint64_t nr) {
    if (nr == NR_ptrace && f->rdi == 0 /* PTRACE_TRACEME */ && f->rax == 0) jp_sud_traced();
    after_mapping_change(f, nr);
}

/* execve/execveat: reports a program beyond LD_PRELOAD's reach, has the host follow the new
 * image with ptrace under trace, and passes the kernel an environment that carries jpoline's
 * variables when the program's lacks them (entry_exec.c);
 * the frame's registers stay the program's. Returns the kernel's result. */
static long exec_call(struct jpoline_frame *f, int traced) {
    uint64_t nr = f->rax;
    int at = nr == NR_execveat;
    int window = at ? jp_exec_prepare_target((int)f->rdi, (const char *)f->rsi, (int)f->r8)
                    : jp_exec_prepare_target(-100 /* AT_FDCWD */, (const char *)f->rdi, 0);
    struct jp_exec_env env;
    long envp = (long)jp_exec_env_prepare(&env, (const char *const *)(at ? f->r10 : f->rdx), window);
    if (window && !env.window_added) {
        /* The environment could not be rebuilt (unreadable, too large a LD_PRELOAD): the new image
         * would never end the window, so there is none. */
        jp_exec_window_close();
        window = 0;
    }
    long result = traced ? jp_traced_sys6((long)nr, (long)f->rdi, (long)f->rsi, at ? (long)f->rdx : envp,
                                          at ? envp : (long)f->r10, (long)f->r8, (long)f->r9)
                         : sys6((long)nr, (long)f->rdi, (long)f->rsi, at ? (long)f->rdx : envp,
                                at ? envp : (long)f->r10, (long)f->r8, (long)f->r9);
    jp_exec_env_release(&env);
    if (window) jp_exec_window_close(); /* still here: the exec failed, and the host lets go */
    return result;
}

/* A syscall that the HOOK tier asked to run: an ordinary one (the special ones are never
 * hooked), with the checks an ordinary call gets. Returns the kernel's result. */
static long run_for_hook(struct jpoline_frame *f) {
    uint64_t nr = f->rax;
    if (nr == NR_execve || nr == NR_execveat) {
        long result = exec_call(f, 0);
        f->rax = nr;
        return result;
    }
    /* A hook that lets these proceed must not take SIGSYS from SUD either. */
    if ((nr == NR_rt_sigaction && jp_sud_sigaction(f)) || (nr == NR_rt_sigprocmask && jp_sud_sigprocmask(f))) {
        long result = (long)f->rax;
        f->rax = nr;
        return result;
    }
    f->rax = (uint64_t)sys6((long)nr, (long)f->rdi, (long)f->rsi, (long)f->rdx, (long)f->r10, (long)f->r8,
                            (long)f->r9);
    after_call(f, nr);
    long result = (long)f->rax;
    f->rax = nr;
    return result;
}

/* A fork-like child with memory of its own (not a thread, not a vfork-style child). */
static int private_child(uint64_t nr, const struct jpoline_frame *f) {
    if (nr == NR_fork) return 1;
    if (nr == NR_clone) return (f->rdi & CLONE_VM) == 0;
    return nr == NR_clone3 && f->rdi != 0 && (((const uint64_t *)f->rdi)[CLONE3_FLAGS] & CLONE_VM) == 0;
}

/* traced: issue the syscall through jp_traced_sys6, whose address a signal handler knows. A
 * constant in both callers, so the PASS path keeps its inline syscall. */
static inline __attribute__((always_inline)) unsigned execute(struct jpoline_frame *f, int traced) {
    unsigned action;
    switch (f->rax) {
    case NR_rt_sigreturn:
        return JP_ACT_SIGRETURN;
    case NR_rt_sigaction:
        if (jp_sud_sigaction(f) || jp_signal_sigaction(f)) return JP_ACT_RETURN;
        break;
    case NR_rt_sigprocmask:
        if (jp_sud_sigprocmask(f)) return JP_ACT_RETURN;
        break;
    case NR_clone:
        if (f->rsi != 0) { /* new stack: the child returns through it */
            ((uint64_t *)f->rsi)[-1] = f->return_address;
            jp_trace_ids_reset(); /* a child sharing our TLS must not take our ids */
            return JP_ACT_CLONE_NEW_STACK;
        }
        if (shares_callers_stack_until_exec(f->rdi)) return vfork_action(f);
        break; /* fork-like: each side returns through its own copy of the frame */
    case NR_vfork:
        return vfork_action(f);
    case NR_clone3:
        if (prepare_clone3(f, &action)) return action;
        break;
    case NR_execve:
    case NR_execveat:
        f->rax = (uint64_t)exec_call(f, traced);
        return JP_ACT_RETURN;
    default:
        break; /* fork, execve, exit, ...: a plain pass-through is exact */
    }
    uint64_t nr = f->rax;
    if (traced)
        f->rax = (uint64_t)jp_traced_sys6((long)nr, (long)f->rdi, (long)f->rsi, (long)f->rdx, (long)f->r10,
                                          (long)f->r8, (long)f->r9);
    else
        f->rax = (uint64_t)sys6((long)nr, (long)f->rdi, (long)f->rsi, (long)f->rdx, (long)f->r10,
                                (long)f->r8, (long)f->r9);
    if (f->rax == 0 && (nr == NR_clone || nr == NR_fork || nr == NR_clone3)) { /* fork child */
        jp_trace_ids_reset();
        jp_sud_child_start(); /* SUD is not inherited: on again before the child's own code runs */
        if (private_child(nr, f)) {
            jp_signals_after_fork();
            jp_sud_after_fork();
        }
    }
    after_call(f, nr);
    return JP_ACT_RETURN;
}

unsigned jp_execute(struct jpoline_frame *f) { return execute(f, 0); }

unsigned jp_execute_traced(struct jpoline_frame *f) { return execute(f, 1); }

unsigned jp_entry_dispatch(struct jpoline_frame *f) {
    /* Sites first: the VA0 path pays nothing for the SUD check. Under SUD the site is a real
     * `syscall` that no table lists, and the handler's mark in r11 vouches for it. */
    if (!jp_site_registered(f->return_address - 2)) {
        if (f->r11 != JP_SUD_MARK) crash_like_null_call(f);
        /* Trapped while VA0 is in use: --exhaustive caught code that was not rewritten. */
        if (__atomic_load_n(&jp_va0_active, __ATOMIC_RELAXED)) jp_sud_report_site(f->return_address - 2);
    }
    uint64_t nr = f->rax;
    unsigned tier = nr < JPOLINE_TIER_TABLE_SIZE ? __atomic_load_n(&jp_tiers[nr], __ATOMIC_RELAXED)
                                                  : JPOLINE_PASS;
    /* A locked add on every PASS syscall costs about as much as the rest of the entry, so
     * PASS calls are counted only when asked (tests, diagnostics); the slow tiers always are. */
    if (tier != JPOLINE_PASS || jp_count_pass) __atomic_fetch_add(&jp_entry_counts[tier], 1, __ATOMIC_RELAXED);
    if (tier == JPOLINE_HOOK && jp_hook_call(f, run_for_hook)) return JP_ACT_RETURN;
    if (tier != JPOLINE_PASS) {
        /* The slow path: TRACE and HOOK plug in here. */
        jpoline_dispatch_hook hook = __atomic_load_n(&jp_dispatch_hook, __ATOMIC_ACQUIRE);
        if (hook != 0 && hook(f) == JPOLINE_RETURN) return JP_ACT_RETURN;
        if (tier == JPOLINE_TRACE && jp_session != 0) return jp_trace_call(f);
    }
    return jp_execute(f);
}
