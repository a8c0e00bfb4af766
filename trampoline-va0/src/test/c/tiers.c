/* The per-syscall tier table and the slow path: non-PASS tiers go through the dispatch
 * hook, which can observe, change arguments, or answer instead of the kernel; without a
 * hook they behave as PASS. Specials on a slow tier still work (or are refused whole). */
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "jp_test.h"

#define MAX_SEEN 64
static long seen_nr[MAX_SEEN];
static int seen;

/* Runs inside the entry: freestanding, no vector registers. */
__attribute__((target("general-regs-only"))) static int hook(struct jpoline_frame *f) {
    if (seen < MAX_SEEN) seen_nr[seen++] = (long)f->rax;
    if (f->rax == SYS_write && f->rdi == 99) { /* answer instead of the kernel */
        f->rax = 4242;
        return JPOLINE_RETURN;
    }
    if (f->rax == SYS_write && f->rdi == 98) f->rdi = 1; /* redirect to stdout */
    if (f->rax == SYS_clone && f->rsi == 0 && (f->rdi & CSIGNAL) == SIGUSR2) { /* refuse */
        f->rax = (uint64_t)-EAGAIN;
        return JPOLINE_RETURN;
    }
    return JPOLINE_EXECUTE;
}

int main(void) {
    jp_setup();
    uint64_t pass0 = jpoline_entry_count(JPOLINE_PASS), trace0 = jpoline_entry_count(JPOLINE_TRACE),
             hook0 = jpoline_entry_count(JPOLINE_HOOK);

    /* Slow tier without a hook: executes like PASS. */
    CHECK(jpoline_set_tier(SYS_getpid, JPOLINE_TRACE) == 0 && jpoline_get_tier(SYS_getpid) == JPOLINE_TRACE, "tier");
    CHECK(jp_syscall0(SYS_getpid) == getpid(), "getpid on TRACE without hook");
    CHECK(jpoline_entry_count(JPOLINE_TRACE) - trace0 == 1, "counted on TRACE");

    jpoline_set_dispatch_hook(hook);
    CHECK(jpoline_set_tier(SYS_write, JPOLINE_HOOK) == 0, "tier");
    CHECK(jp_syscall0(SYS_getpid) == getpid(), "getpid on TRACE with hook");
    CHECK(jp_syscall3(SYS_write, 99, "x", 1) == 4242, "hook answered instead of the kernel");
    CHECK(jp_syscall3(SYS_write, 98, "redirected by the hook\n", 23) == 23, "hook changed the fd");
    CHECK(jp_syscall0(SYS_gettid) == gettid(), "gettid stays PASS");
    CHECK(seen == 3 && seen_nr[0] == SYS_getpid && seen_nr[1] == SYS_write && seen_nr[2] == SYS_write,
          "hook saw %d calls", seen);
    CHECK(jpoline_entry_count(JPOLINE_TRACE) - trace0 == 2 && jpoline_entry_count(JPOLINE_HOOK) - hook0 == 2 &&
              jpoline_entry_count(JPOLINE_PASS) - pass0 == 1,
          "per-tier counts");

    /* Specials on a slow tier: executed through their own paths after the hook... */
    CHECK(jpoline_set_tier(SYS_clone, JPOLINE_HOOK) == 0, "tier");
    long pid = jp_syscall2(SYS_clone, SIGCHLD, 0);
    if (pid == 0) jp_syscall1(SYS_exit_group, 5);
    int status = -1;
    CHECK(pid > 0 && waitpid((pid_t)pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 5,
          "clone on HOOK tier: %ld status %x", pid, status);
    /* ...or refused whole by it. */
    CHECK(jp_syscall2(SYS_clone, SIGUSR2, 0) == -EAGAIN, "hook refused clone");

    /* Back to PASS: the hook is no longer asked. */
    int seen_before = seen;
    CHECK(jpoline_set_tier(SYS_write, JPOLINE_PASS) == 0, "tier");
    CHECK(jp_syscall3(SYS_write, 99, "x", 1) == -EBADF, "fd 99 reaches the kernel again");
    CHECK(seen == seen_before, "hook not called for PASS");
    printf("OK tiers\n");
    return 0;
}
