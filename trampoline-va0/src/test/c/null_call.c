/* Calls through NULL or small-integer pointers land on the sled too. They come from sites
 * that are not registered, so the entry must crash the program with SIGSEGV (SEGV_MAPERR,
 * si_addr = the called address) without running the syscall their rax would name.
 *
 * usage: null_call {rax0|rax39|rdx0} [report|blocked|ignored]
 *   (none)   no handler: the default action kills us with SIGSEGV
 *   report   a SIGSEGV handler prints what it got and exits 42
 *   blocked  SIGSEGV blocked beforehand: still killed, as by a real fault
 *   ignored  SIGSEGV ignored beforehand: still killed, as by a real fault */
#include <signal.h>
#include <sys/syscall.h>

#include "jp_test.h"

static uint64_t entries_before;

static void report(int sig, siginfo_t *info, void *uc) {
    (void)uc;
    uint64_t entries = jpoline_entry_count(JPOLINE_PASS) + jpoline_entry_count(JPOLINE_TRACE) +
                       jpoline_entry_count(JPOLINE_HOOK) - entries_before;
    char line[160];
    int n = snprintf(line, sizeof line, "signal=%d code=%d addr=%p syscalls=%llu\n", sig, info->si_code,
                     info->si_addr, (unsigned long long)entries);
    (void)!write(1, line, (size_t)n);
    _exit(42);
}

int main(int argc, char **argv) {
    CHECK(argc >= 2, "usage");
    jp_setup();
    /* A registered site works before and after: the check is per site, not global. */
    CHECK(jp_syscall0(SYS_getpid) == getpid(), "getpid through a registered site");
    const char *how = argc > 2 ? argv[2] : "";
    if (strcmp(how, "report") == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = report;
        sa.sa_flags = SA_SIGINFO;
        CHECK(sigaction(SIGSEGV, &sa, NULL) == 0, "sigaction");
    } else if (strcmp(how, "blocked") == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGSEGV);
        CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0, "block");
    } else if (strcmp(how, "ignored") == 0) {
        CHECK(signal(SIGSEGV, SIG_IGN) != SIG_ERR, "ignore");
    }
    printf("calling through %s\n", argv[1]);
    fflush(stdout);
    entries_before = jpoline_entry_count(JPOLINE_PASS) + jpoline_entry_count(JPOLINE_TRACE) +
                     jpoline_entry_count(JPOLINE_HOOK);

    /* None of these call instructions is registered. If the entry ran the syscall in rax
     * with rdi = 0, exit_group(0) would end us with status 0 instead of SIGSEGV. */
    if (strcmp(argv[1], "rax0") == 0) {
        __asm__ volatile("call *%%rax" : : "a"(0L), "D"(0L) : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory");
    } else if (strcmp(argv[1], "rax39") == 0) {
        __asm__ volatile("call *%%rax" : : "a"(39L), "D"(0L) : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory");
    } else if (strcmp(argv[1], "rdx0") == 0) {
        __asm__ volatile("call *%%rdx" : : "d"(0L), "a"((long)SYS_exit_group), "D"(0L)
                         : "rcx", "rsi", "r8", "r9", "r10", "r11", "memory");
    }
    printf("survived the call\n");
    return 3;
}
