/* Exported C API of the jpoline runtime (libjpoline.so), and the layouts it shares with
 * its own assembly. See trampoline-va0/README.md and docs/entry-path.md. */
#ifndef JPOLINE_H
#define JPOLINE_H

#include <stddef.h>
#include <stdint.h>

#define JPOLINE_EXPORT __attribute__((visibility("default")))

/* Bumped whenever the layout shared with the host (session, records) changes;
 * the host refuses a runtime whose version differs from its own. */
#define JPOLINE_ABI_VERSION 2

/* Name of the environment variable that carries the session to the target. */
#define JPOLINE_SESSION_ENV "JPOLINE_SESSION"
/* Set by the host for the top-level program only: "BLOCKED,IGNORED" signal sets in hex. */
#define JPOLINE_SIGNAL_STATE_ENV "JPOLINE_SIGNAL_STATE"
/* Set for a top-level program the host follows with ptrace from its execve (docs/ptrace-window.md):
 * the constructor's first act is the syscall JPOLINE_WINDOW_END_NR (no syscall: -ENOSYS), at
 * whose entry stop the host detaches; from there on the runtime records. */
#define JPOLINE_WINDOW_ENV "JPOLINE_PTRACE_WINDOW"
#define JPOLINE_WINDOW_END_NR 0x4a500001L

/* ---- VA0 page ------------------------------------------------------------------ */

#define JPOLINE_VA0_SIZE 4096
/* Every number in [0, JPOLINE_VA0_FAST_LIMIT) reaches the entry in at most
 * JPOLINE_VA0_FAST_MAX_STEPS instructions (sled + stub). The first stub sits at
 * JPOLINE_VA0_STUB1; a second, longer sled serves [JPOLINE_VA0_SECOND_SLED,
 * JPOLINE_VA0_STUB2]. The stub bytes after each stub's first byte are not landable. */
#define JPOLINE_VA0_FAST_LIMIT 512
#define JPOLINE_VA0_STUB1 558
#define JPOLINE_VA0_STUB_SIZE 13
#define JPOLINE_VA0_SECOND_SLED (JPOLINE_VA0_STUB1 + JPOLINE_VA0_STUB_SIZE)
#define JPOLINE_VA0_STUB2 (JPOLINE_VA0_SIZE - JPOLINE_VA0_STUB_SIZE)
#define JPOLINE_VA0_FAST_MAX_STEPS 8

/* Maps the sled page at virtual address 0 (MAP_FIXED_NOREPLACE), writes the sled and the
 * jumps to the entry, then leaves it PROT_EXEC only. Idempotent within a process.
 * Returns 0, or -errno: -EPERM means vm.mmap_min_addr forbids page 0 (fix:
 * sysctl -w vm.mmap_min_addr=0); -EEXIST means something else already maps page 0. */
JPOLINE_EXPORT int jpoline_va0_install(void);

/* Writes the page image (JPOLINE_VA0_SIZE bytes) whose stubs jump to entry_address.
 * Pure function: the tests decode it without mapping page 0. */
JPOLINE_EXPORT void jpoline_va0_build(uint8_t *page, uint64_t entry_address);

/* Address the VA0 stubs jump to. */
JPOLINE_EXPORT uint64_t jpoline_entry_address(void);

/* ---- rewritten sites ------------------------------------------------------------ */

/* Registers the addresses of rewritten `FF D0` instructions. Only a call whose return
 * address minus 2 is registered is treated as a syscall; anything else that lands on
 * the sled is a call through a NULL or small-integer pointer and crashes with SIGSEGV.
 * Register sites before writing their bytes. Safe while other threads make syscalls.
 * Returns 0 or -errno (-EINVAL for address 0, -ENOMEM). */
JPOLINE_EXPORT int jpoline_sites_add(const uint64_t *site_addrs, size_t n);
JPOLINE_EXPORT int jpoline_sites_contains(uint64_t site_addr);
JPOLINE_EXPORT size_t jpoline_sites_count(void);

/* ---- tiers ---------------------------------------------------------------------- */

enum jpoline_tier { JPOLINE_PASS = 0, JPOLINE_TRACE = 1, JPOLINE_HOOK = 2 };
#define JPOLINE_TIER_TABLE_SIZE 1024

/* Sets the tier of one syscall number; numbers outside the table are always PASS.
 * Returns 0 or -EINVAL. */
JPOLINE_EXPORT int jpoline_set_tier(int nr, int tier);
JPOLINE_EXPORT int jpoline_get_tier(int nr);

/* Registers as the entry saved them for one syscall, lowest address first: the layout
 * of the entry's stack frame (entry.S pushes it; keep both in step). rax holds the
 * number on the way in and the result on the way out. */
struct jpoline_frame {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rflags;
    uint64_t caller_red_zone[16]; /* skipped, never written: the caller's red zone */
    uint64_t return_address;      /* pushed by the site's call: site + 2 */
};
/* The caller's rsp, as it was at the site. */
#define JPOLINE_FRAME_CALLER_RSP(f) ((uint64_t)(f) + sizeof(struct jpoline_frame))

/* What a dispatch hook tells the entry. */
enum jpoline_verdict {
    JPOLINE_EXECUTE = 0, /* run the syscall with the (possibly changed) registers */
    JPOLINE_RETURN = 1,  /* skip it; frame->rax is the result */
};

/* Called for every syscall whose tier is not PASS, before it runs, on the thread and
 * stack of the syscall (possibly in a signal handler). It must be freestanding: no
 * libc, no locks, no vector registers. NULL (the default) executes the syscall:
 * TRACE and HOOK plug in here. */
typedef int (*jpoline_dispatch_hook)(struct jpoline_frame *frame);
JPOLINE_EXPORT void jpoline_set_dispatch_hook(jpoline_dispatch_hook hook);

/* ---- Syscall User Dispatch (entry_sud.c, docs/sud.md) ---------------------------- */

/* Catches every syscall of this process made outside the runtime's own text with SIGSYS and
 * runs it through the entry (same tiers): the calling thread at once, every thread and child
 * started from then on by itself. Idempotent. 0, or -errno (-EINVAL: the kernel has no SUD). */
JPOLINE_EXPORT int jpoline_sud_install(void);
/* 0 when the kernel offers SUD (Linux 5.11 and later), else -errno. Changes nothing. */
JPOLINE_EXPORT int jpoline_sud_available(void);
/* 1 once jpoline_sud_install succeeded in this process. */
JPOLINE_EXPORT int jpoline_sud_active(void);
/* Syscalls of this process that reached the entry through a SUD trap rather than a jump-patched
 * or rewritten site (docs/sud.md, "Jump-patched sites"). */
JPOLINE_EXPORT uint64_t jpoline_sud_trap_count(void);

/* ---- introspection -------------------------------------------------------------- */

/* Syscalls that went through the entry, per tier, since the process started (counts
 * are process-wide, inherited by fork children). */
JPOLINE_EXPORT uint64_t jpoline_entry_count(int tier);
/* PASS calls are counted only after this is called with 1 (counting costs a locked add per
 * syscall); TRACE and HOOK calls are always counted. */
JPOLINE_EXPORT void jpoline_count_pass(int on);

/* ---- misc ----------------------------------------------------------------------- */

/* Raw syscall issued from the runtime's own text, which is never rewritten. */
JPOLINE_EXPORT long jpoline_raw_syscall6(long nr, long a1, long a2, long a3, long a4, long a5,
                                         long a6);
JPOLINE_EXPORT int jpoline_abi_version(void);
JPOLINE_EXPORT int jpoline_session_joined(void);
/* Joins a session from a running process (runtime.c): VA0, else (or with no_va0) Syscall User
 * Dispatch for the calling thread; the start-up answer, or -errno. */
JPOLINE_EXPORT long jpoline_attach(const char *session_path, const char *runtime_path, long no_va0);
/* Under SUD: {region start, length, selector address, entry, SUD mark} for the other threads; -ENOENT if not. */
JPOLINE_EXPORT long jpoline_attach_sud_args(uint64_t *out);
/* The host leaves (code restored, or SUD off in every thread): the program's own signal actions
 * back, and under SUD new threads stay without it. */
JPOLINE_EXPORT long jpoline_attach_leave(void);

/* The host's remote freeze (remote_release.c): release or interrupt stopped ptrace tracees
 * in one native call; each returns how many the kernel accepted. */
JPOLINE_EXPORT int32_t jpoline_remote_detach_all(const int32_t *tids, const int32_t *signals, int32_t n);
JPOLINE_EXPORT int32_t jpoline_remote_interrupt_all(const int32_t *tids, int32_t n);


/* ---- the host's ptrace window (docs/ptrace-window.md) --------------------------- */
/* Called in the host, for a process it follows with ptrace (entry_trace.c, remote_follow.c). */
struct jpoline_remote_call;
JPOLINE_EXPORT uint32_t jpoline_remote_call_size(void);
JPOLINE_EXPORT int jpoline_remote_syscall_entry(void *session, uint32_t pid, uint32_t tid, uint64_t nr,
                                                const uint64_t *args, uint64_t rsp, uint64_t ip,
                                                struct jpoline_remote_call *call);
JPOLINE_EXPORT int jpoline_remote_syscall_exit(void *session, uint32_t pid, uint32_t tid, uint64_t nr,
                                               const uint64_t *args, int64_t ret, uint64_t ip,
                                               const struct jpoline_remote_call *call);
JPOLINE_EXPORT int jpoline_remote_signal(void *session, uint32_t pid, uint32_t tid, int sig, const void *siginfo,
                                         int dies, uint64_t ip);
JPOLINE_EXPORT int jpoline_remote_task_add(int32_t tid, int32_t tgid, int32_t recording);
JPOLINE_EXPORT void jpoline_remote_task_remove(int32_t tid);
JPOLINE_EXPORT void jpoline_remote_task_rename(int32_t from, int32_t tid);
JPOLINE_EXPORT int jpoline_remote_next(void *session, int32_t top, int *status);
JPOLINE_EXPORT int jpoline_remote_task_recording(int32_t tid);

#endif
