/* The bare Syscall User Dispatch floor: N getpid calls, each trapped by SUD into a SIGSYS
 * handler that does nothing but re-issue the syscall from the allowed region and put the result
 * in the signal context. No tier, no redirection: what any SUD-based interception must pay on
 * this machine. Prints ns per call, like syscall_loop.c. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>

/* The allowed region: the re-issuing syscall and the restorer, in a section of their own. */
long floor_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
void floor_restorer(void);
extern const char floor_region_start[], floor_region_end[];
__asm__(".pushsection .text.floor,\"ax\",@progbits\n"
        ".globl floor_region_start\nfloor_region_start:\n"
        ".globl floor_syscall6\nfloor_syscall6:\n"
        "\tmov %rdi, %rax\n\tmov %rsi, %rdi\n\tmov %rdx, %rsi\n\tmov %rcx, %rdx\n"
        "\tmov %r8, %r10\n\tmov %r9, %r8\n\tmov 8(%rsp), %r9\n\tsyscall\n\tret\n"
        ".globl floor_restorer\nfloor_restorer:\n\tmov $15, %eax\n\tsyscall\n\tud2\n"
        ".globl floor_region_end\nfloor_region_end:\n"
        ".popsection\n");

static volatile char selector = 1;

static void handler(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)info;
    greg_t *g = ((ucontext_t *)context)->uc_mcontext.gregs;
    g[REG_RAX] = floor_syscall6(g[REG_RAX], g[REG_RDI], g[REG_RSI], g[REG_RDX], g[REG_R10], g[REG_R8], g[REG_R9]);
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* the vDSO: no syscall, no trap */
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 3 || strcmp(argv[1], "getpid") != 0) return 2;
    long n = atol(argv[2]);
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask;
    } act = {(void *)handler, SA_SIGINFO | 0x04000000 /* SA_RESTORER */, (void *)floor_restorer, 0};
    if (syscall(SYS_rt_sigaction, SIGSYS, &act, NULL, 8) != 0) return 3;
    if (prctl(59, 1, (unsigned long)floor_region_start, (unsigned long)(floor_region_end - floor_region_start),
              &selector) != 0) {
        perror("prctl(PR_SET_SYSCALL_USER_DISPATCH)");
        return 4;
    }
    double start = now_ns();
    for (long i = 0; i < n; i++) syscall(SYS_getpid);
    double per_call = (now_ns() - start) / n;
    selector = 0;
    printf("%.2f\n", per_call);
    return 0;
}
