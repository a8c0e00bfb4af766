/* State shared between the entry (entry*.c, entry.S: freestanding) and the rest of the
 * runtime (ordinary C). Not exported. */
#ifndef JPOLINE_RUNTIME_INTERNAL_H
#define JPOLINE_RUNTIME_INTERNAL_H

#include <stdint.h>

#include "entry_layout.h"
#include "jpoline.h"
#include "syscall_numbers.h"

#define JP_HIDDEN __attribute__((visibility("hidden")))

/* Open-addressing set of rewritten site addresses. A table is never changed except by
 * filling an empty slot; growing publishes a new table through jp_site_table, so a
 * reader always sees a consistent table and never misses a site it could see before.
 * Old tables are never unmapped (a reader may still be probing one). */
struct jp_site_table {
    uint64_t mask;  /* capacity - 1; capacity is a power of two */
    uint64_t count; /* written under the writers' lock */
    uint64_t slots[]; /* 0 = empty */
};
extern struct jp_site_table *jp_site_table JP_HIDDEN;

static inline uint64_t jp_site_hash(uint64_t site) {
    /* Fibonacci hashing: sites are 2-byte-aligned-ish code addresses, so mix them. */
    return (site * 0x9E3779B97F4A7C15ull) >> 17;
}

/* Lock-free lookup, safe in the entry and in signal handlers. */
static inline int jp_site_registered(uint64_t site) {
    struct jp_site_table *t = __atomic_load_n(&jp_site_table, __ATOMIC_ACQUIRE);
    if (t == 0 || site == 0) return 0;
    for (uint64_t i = jp_site_hash(site) & t->mask;; i = (i + 1) & t->mask) {
        uint64_t s = __atomic_load_n(&t->slots[i], __ATOMIC_ACQUIRE);
        if (s == site) return 1;
        if (s == 0) return 0;
    }
}

extern uint8_t jp_tiers[JPOLINE_TIER_TABLE_SIZE] JP_HIDDEN;
extern jpoline_dispatch_hook jp_dispatch_hook JP_HIDDEN;
extern uint64_t jp_entry_counts[3] JP_HIDDEN;
extern uint8_t jp_count_pass JP_HIDDEN;

/* Return addresses of vfork-style calls still waiting for their child (entry.S pops). */
struct jp_vfork_returns {
    uint64_t depth;
    uint64_t addresses[JP_VFORK_DEPTH_MAX];
};
extern __thread struct jp_vfork_returns jp_vfork_returns
    __attribute__((tls_model("initial-exec"))) JP_HIDDEN;

/* A syscall instruction in the runtime's own text, which the host never rewrites, so it
 * reaches the kernel directly. Inline: the entry's PASS path issues it on every call. */
static inline long jp_sys6(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* Runs the syscall in the frame (with the special cases) and returns entry.S's action. */
unsigned jp_execute(struct jpoline_frame *f) JP_HIDDEN;

/* The TRACE tier (entry_trace.c): records around jp_execute. */
unsigned jp_trace_call(struct jpoline_frame *f) JP_HIDDEN;
/* Forget the cached pid/tid (fork child, or a clone child that may share our TLS). */
void jp_trace_ids_reset(void) JP_HIDDEN;
/* Called by entry.S in a vfork parent once it resumed, with the syscall's result. */
void jp_entry_after_vfork(uint64_t result) JP_HIDDEN;
/* Called by entry.S in the parent after a clone/clone3 with a new stack returned. */
void jp_entry_after_clone(struct jpoline_frame *f) JP_HIDDEN;

/* The TRACE tier's syscall instruction (entry.S), and where it is. */
long jp_traced_sys6(long nr, long a1, long a2, long a3, long a4, long a5, long a6) JP_HIDDEN;
extern const char jp_traced_syscall_insn[] JP_HIDDEN;
extern const char jp_traced_syscall_return[] JP_HIDDEN;
/* jp_execute with the syscall issued through jp_traced_sys6. */
unsigned jp_execute_traced(struct jpoline_frame *f) JP_HIDDEN;

/* Copies up to len bytes from src without faulting (process_vm_readv); returns bytes copied. */
uint64_t jp_safe_copy(void *dst, uint64_t src, uint64_t len) JP_HIDDEN;

/* An exec's environment with JPOLINE_SESSION and this runtime in LD_PRELOAD put back when the
 * program's own lacks them (env -i): jp_exec_env_prepare returns the envp to pass (the
 * program's when nothing is missing or it cannot be read), jp_exec_env_release frees what it
 * took after the exec failed. About 1.5 KiB of stack; larger environments take a mapping. */
#define JP_EXEC_ENV_SLOTS 128
struct jp_exec_env {
    void *mapping;
    uint64_t mapping_size;
    int window_added; /* JPOLINE_PTRACE_WINDOW is in the returned environment */
    const char *slots[JP_EXEC_ENV_SLOTS];
    char preload[512];
};
void jp_exec_env_init(const char *session_path, const char *preload) JP_HIDDEN;
/* window: the host follows this exec (jp_exec_prepare_target): JPOLINE_PTRACE_WINDOW goes in too. */
const char *const *jp_exec_env_prepare(struct jp_exec_env *e, const char *const *envp, int window) JP_HIDDEN;
void jp_exec_env_release(struct jp_exec_env *e) JP_HIDDEN;

/* Signals (entry_signal.c). jp_signal_sigaction handles a program's rt_sigaction when signal
 * records are on: returns 1 with the result in f->rax, 0 to let it run as it is. */
int jp_signal_sigaction(struct jpoline_frame *f) JP_HIDDEN;
void jp_signals_start(void) JP_HIDDEN;
void jp_signals_after_fork(void) JP_HIDDEN;
void jp_signals_stop(void) JP_HIDDEN;
/* The TRACE tier's record of a delivered signal (entry_trace.c); `dies`: its default action
 * is about to end the process. */
void jp_trace_signal(int sig, const void *info, void *context, int dies) JP_HIDDEN;

/* The vDSO's clock_gettime, found by the constructor; 0 if there is none. It uses general
 * registers only (the kernel builds the vDSO without SSE), so the entry may call it. */
typedef int (*jp_clock_gettime_fn)(long clock, void *ts);
extern jp_clock_gettime_fn jp_vdso_clock_gettime JP_HIDDEN;

/* The assembly entry the VA0 stubs jump to. */
void jpoline_entry(void) JP_HIDDEN;

/* 1 while this process's VA0 page is mapped (va0.c; 0 again after a detach). */
extern uint32_t jp_va0_active JP_HIDDEN;

/* Syscall User Dispatch (entry_sud.c, docs/sud.md). The SIGSYS handler enters jpoline_entry with
 * r11 = JP_SUD_MARK, where a VA0 stub leaves the entry's own address: the entry then knows the
 * call came from a trapped `syscall`, not from a rewritten site nor a NULL call. */
#define JP_SUD_MARK 0x5355440000000001ull
extern uint32_t jp_sud_mode JP_HIDDEN;
extern uint64_t jp_sud_thread_failures JP_HIDDEN;
extern uint64_t jp_sud_traps JP_HIDDEN;
/* Installs the SIGSYS handler and turns SUD on for the calling thread, with [start, start +
 * length) (the runtime's text) as the region whose syscalls pass; 0 or -errno. */
int jp_sud_start(uint64_t start, uint64_t length) JP_HIDDEN;
/* The runtime's executable segment, found by the constructor: the region SUD lets through. */
extern uint64_t jp_own_text_start JP_HIDDEN, jp_own_text_length JP_HIDDEN;
/* A process jpoline attached to under SUD: the prctl arguments for its other threads
 * {start, length, &selector}, and how a blocked thread enters the entry {&jpoline_entry,
 * JP_SUD_MARK}; and the end of it, once every thread has SUD off. */
void jp_sud_thread_args(uint64_t out[5]) JP_HIDDEN;
void jp_sud_leave(void) JP_HIDDEN;
/* Leaves VA0 for SUD in a running process whose code the host has restored: null on success,
 * else why not (the process must then detach). */
const char *jp_sud_switch_from_va0(void) JP_HIDDEN;
/* --exhaustive: tells the host, once per site, that a syscall at site was not rewritten. */
void jp_sud_report_site(uint64_t site) JP_HIDDEN;
/* The jump pool (entry_sud_pool.c): reserved once per image under SUD, 0 when there is none. */
extern uint64_t jp_sud_jump_pool JP_HIDDEN;
/* Set by the constructor from JPOLINE_SUD_NO_JUMPS=1: no pool, every syscall traps. */
extern uint32_t jp_sud_no_jumps JP_HIDDEN;
uint64_t jp_sud_jump_pool_create(void) JP_HIDDEN;
/* Puts back the sites jp_sud_report_site rewrote, before the VA0 page is unmapped. */
void jp_sud_restore_sites(void) JP_HIDDEN;

/* -e inject= (entry_inject.c): the rule to apply to this invocation of nr, or null. */
struct jpoline_session_header;
struct jpoline_inject_rule;
const struct jpoline_inject_rule *jp_inject_due(const struct jpoline_session_header *s, uint64_t nr,
                                               uint32_t tid) JP_HIDDEN;
void jp_inject_delay(uint64_t ns) JP_HIDDEN;
void jp_inject_signal(uint32_t signo) JP_HIDDEN;
/* 0 when the kernel offers SUD, else -errno (-EINVAL: it has none). Changes nothing. */
int jp_sud_probe(void) JP_HIDDEN;
void jp_sud_child_start(void) JP_HIDDEN;
void jp_sud_traced(void) JP_HIDDEN;
void jp_sud_after_fork(void) JP_HIDDEN;
/* The program's rt_sigaction and rt_sigprocmask under SUD: SIGSYS stays ours and unblocked.
 * Return 1 with the result in f->rax when they made the call themselves. */
int jp_sud_sigaction(struct jpoline_frame *f) JP_HIDDEN;
int jp_sud_sigprocmask(struct jpoline_frame *f) JP_HIDDEN;

#endif
