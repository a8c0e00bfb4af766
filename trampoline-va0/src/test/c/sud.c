/* Syscall User Dispatch (entry_sud.c): plain `syscall` instructions, nothing rewritten, every
 * one outside the runtime trapped into the entry. Each part checks one hard case; the kernel
 * facts the runtime relies on (SUD not inherited by threads, fork or vfork children) are
 * checked first, with a selector of our own, before the runtime turns SUD on. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <ucontext.h>

#include "jp_test.h"

#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif

static uint64_t passes(void) { return jpoline_entry_count(JPOLINE_PASS); }

static long raw6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/* getppid runs on the slow tier, where this hook notes which thread made it: proof that a given
 * task's own syscalls went through the entry (the counts above are process-wide). */
static volatile uint32_t getppid_by_tid[1 << 16];

static int note_getppid(struct jpoline_frame *f) {
    if (f->rax == SYS_getppid)
        __atomic_fetch_add(&getppid_by_tid[jpoline_raw_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0) & 0xffff], 1,
                           __ATOMIC_RELAXED);
    return JPOLINE_EXECUTE;
}

/* 1 when this task's getppid was trapped into the entry. */
static int own_getppid_trapped(void) {
    long tid = raw6(SYS_gettid, 0, 0, 0, 0, 0, 0);
    uint32_t before = getppid_by_tid[tid & 0xffff];
    raw6(SYS_getppid, 0, 0, 0, 0, 0, 0);
    return getppid_by_tid[tid & 0xffff] == before + 1;
}

/* A raw syscall instruction in this program's text (not the runtime's): trapped under SUD. */
static long raw6(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
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

/* --- what the kernel does, before the runtime's SUD is on ---------------------------------- */

static volatile char probe_selector;
static volatile int probe_traps;

static void probe_handler(int sig, siginfo_t *si, void *c) {
    (void)sig;
    ucontext_t *uc = c;
    probe_selector = 0; /* our own return (glibc's restorer) must pass */
    if (si->si_code == SYS_USER_DISPATCH) {
        probe_traps++;
        uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
    }
}

static void *probe_thread(void *arg) {
    (void)arg;
    int before = probe_traps;
    probe_selector = 1;
    raw6(SYS_getppid, 0, 0, 0, 0, 0, 0);
    probe_selector = 0;
    return (void *)(intptr_t)(probe_traps - before);
}

/* Documents (and checks) what entry_sud.c's comment says about inheritance on this kernel. */
static void kernel_facts(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = probe_handler;
    sa.sa_flags = SA_SIGINFO;
    CHECK(sigaction(SIGSYS, &sa, 0) == 0, "sigaction");
    if (prctl(59, 1, 0, 0, &probe_selector) != 0) {
        printf("SKIP: no Syscall User Dispatch here (%s)\n", strerror(errno));
        exit(JP_EXIT_SKIP);
    }
    probe_selector = 1;
    long r = raw6(SYS_getpid, 0, 0, 0, 0, 0, 0);
    probe_selector = 0;
    CHECK(r == -ENOSYS && probe_traps == 1, "a blocked syscall traps (r=%ld traps=%d)", r, probe_traps);

    pthread_t t;
    void *thread_traps;
    CHECK(pthread_create(&t, 0, probe_thread, 0) == 0, "pthread_create");
    pthread_join(t, &thread_traps);
    CHECK(thread_traps == 0, "threads do not inherit SUD");

    pid_t p = fork();
    if (p == 0) {
        probe_selector = 1;
        raw6(SYS_getppid, 0, 0, 0, 0, 0, 0);
        probe_selector = 0;
        raw6(SYS_exit_group, probe_traps == 1 ? 0 : 3, 0, 0, 0, 0, 0);
    }
    int st;
    CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork children do not inherit SUD");

    p = vfork();
    if (p == 0) {
        probe_selector = 1;
        long x = raw6(SYS_getppid, 0, 0, 0, 0, 0, 0);
        probe_selector = 0;
        raw6(SYS_exit_group, x > 0 ? 0 : 3, 0, 0, 0, 0, 0);
    }
    CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "vfork children do not inherit SUD");
    CHECK(prctl(59, 0, 0, 0, 0) == 0, "SUD off again");
    signal(SIGSYS, SIG_DFL);
    printf("kernel: SUD is per task and not inherited by threads, fork or vfork children\n");
}

/* --- under the runtime's SUD ----------------------------------------------------------------- */

static void basics(void) {
    uint64_t before = passes();
    long pid = raw6(SYS_getpid, 0, 0, 0, 0, 0, 0);
    CHECK(pid == getpid(), "getpid result");
    CHECK(passes() >= before + 2, "both getpids went through the entry");
    CHECK(raw6(SYS_close, -1, 0, 0, 0, 0, 0) == -EBADF, "an error comes back as -errno");
    CHECK(raw6(2000, 0, 0, 0, 0, 0, 0) == -ENOSYS, "an unknown number gets -ENOSYS");
    CHECK(jpoline_sud_active() == 1, "active");
}

/* Every register but rax, rcx and r11 as it was, rflags too (DF set), and rcx/r11 as `syscall`
 * leaves them. in: rbx rbp r12 r13 r14 r15 r8 r9 r10 rdx rsi flags rdi; out: the same, then the
 * flags before, rcx, r11 and the address after the syscall. */
static void registers(void) {
    uint64_t in[13], out[17];
    for (int i = 0; i < 13; i++) in[i] = 0x1111111111111111ull * (uint64_t)(i + 1);
    in[11] = 0xcd7; /* CF PF AF ZF SF DF OF */
    __asm__ volatile(
        "push %%rbp\n\t"
        "push %%rbx\n\t"
        "push %%r12\n\t"
        "push %%r13\n\t"
        "push %%r14\n\t"
        "push %%r15\n\t"
        "push %%rsi\n\t"
        "mov 0(%%rdi), %%rbx\n\t"
        "mov 8(%%rdi), %%rbp\n\t"
        "mov 16(%%rdi), %%r12\n\t"
        "mov 24(%%rdi), %%r13\n\t"
        "mov 32(%%rdi), %%r14\n\t"
        "mov 40(%%rdi), %%r15\n\t"
        "mov 48(%%rdi), %%r8\n\t"
        "mov 56(%%rdi), %%r9\n\t"
        "mov 64(%%rdi), %%r10\n\t"
        "mov 72(%%rdi), %%rdx\n\t"
        "mov 80(%%rdi), %%rsi\n\t"
        "push 88(%%rdi)\n\t"
        "mov 96(%%rdi), %%rdi\n\t"
        "popfq\n\t"
        "pushfq\n\t"
        "mov $39, %%eax\n\t"
        "syscall\n\t"
        "2:\n\t"
        "pushfq\n\t"
        "xchg %%rdi, 16(%%rsp)\n\t"
        "mov %%rbx, 0(%%rdi)\n\t"
        "mov %%rbp, 8(%%rdi)\n\t"
        "mov %%r12, 16(%%rdi)\n\t"
        "mov %%r13, 24(%%rdi)\n\t"
        "mov %%r14, 32(%%rdi)\n\t"
        "mov %%r15, 40(%%rdi)\n\t"
        "mov %%r8, 48(%%rdi)\n\t"
        "mov %%r9, 56(%%rdi)\n\t"
        "mov %%r10, 64(%%rdi)\n\t"
        "mov %%rdx, 72(%%rdi)\n\t"
        "mov %%rsi, 80(%%rdi)\n\t"
        "mov %%rcx, 112(%%rdi)\n\t"
        "mov %%r11, 120(%%rdi)\n\t"
        "pop %%rax\n\t"
        "mov %%rax, 88(%%rdi)\n\t"
        "pop %%rax\n\t"
        "mov %%rax, 104(%%rdi)\n\t"
        "pop %%rax\n\t"
        "mov %%rax, 96(%%rdi)\n\t"
        "lea 2b(%%rip), %%rax\n\t"
        "mov %%rax, 128(%%rdi)\n\t"
        "pop %%r15\n\t"
        "pop %%r14\n\t"
        "pop %%r13\n\t"
        "pop %%r12\n\t"
        "pop %%rbx\n\t"
        "pop %%rbp\n\t"
        "cld\n\t"
        :
        : "D"(in), "S"(out)
        : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "memory", "cc");
    for (int i = 0; i < 11; i++) CHECK(out[i] == in[i], "register %d kept (%lx != %lx)", i, out[i], in[i]);
    CHECK(out[12] == in[12], "rdi kept");
    CHECK((out[13] & 0xcd5) == 0xcd5, "flags were set (%lx)", out[13]);
    CHECK((out[11] & 0xcd5) == 0xcd5, "flags kept (%lx)", out[11]);
    CHECK(out[14] == out[16], "rcx = the return address (%lx, %lx)", out[14], out[16]);
    CHECK((out[15] & 0xcd5) == 0xcd5, "r11 = rflags (%lx)", out[15]);
}

/* --- signals ----------------------------------------------------------------------------------- */

static volatile int handled;

static void count_handler(int sig) {
    (void)sig;
    raw6(SYS_getpid, 0, 0, 0, 0, 0, 0); /* a syscall in a handler traps too */
    handled++;
}

void restorer_trampoline(void);
__asm__(".text\n.globl restorer_trampoline\nrestorer_trampoline:\n\tmov $15, %eax\n\tsyscall\n\tud2\n");

/* The program's own restorer: its rt_sigreturn is a trapped syscall, run on the signal frame. */
static void own_restorer(void) {
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        uint64_t mask;
    } act = {(void *)count_handler, 0x04000000 /* SA_RESTORER */, (void *)restorer_trampoline, ~0ull};
    CHECK(raw6(SYS_rt_sigaction, SIGUSR1, (long)&act, 0, 8, 0, 0) == 0, "rt_sigaction");
    handled = 0;
    kill(getpid(), SIGUSR1);
    CHECK(handled == 1, "handler ran and returned through its own rt_sigreturn");
    /* Its mask held every signal, SIGSYS too: the handler's getpid still worked. */
}

/* A program that blocks everything, SIGSYS included, keeps working. */
static void blocked_sigsys(void) {
    sigset_t all, old;
    sigfillset(&all);
    CHECK(sigprocmask(SIG_BLOCK, &all, &old) == 0, "block all");
    CHECK(raw6(SYS_getpid, 0, 0, 0, 0, 0, 0) == getpid(), "syscalls with every signal blocked");
    sigset_t now;
    sigprocmask(SIG_SETMASK, 0, &now);
    CHECK(!sigismember(&now, SIGSYS), "SIGSYS was never blocked in the kernel");
    CHECK(sigismember(&now, SIGUSR1), "the rest was");
    sigprocmask(SIG_SETMASK, &old, 0);
}

static volatile int program_sigsys_code = -1, program_sigsys_nr = -1;

static void program_sigsys(int sig, siginfo_t *si, void *c) {
    (void)sig;
    (void)c;
    program_sigsys_code = si->si_code;
    program_sigsys_nr = si->si_syscall;
    raw6(SYS_getpid, 0, 0, 0, 0, 0, 0); /* nested trap inside the program's SIGSYS handler */
}

/* The program installs its own SIGSYS handler: ours stays, a SIGSYS that is not a dispatch
 * reaches the program's, queries report the program's. */
static void program_sigsys_handler(void) {
    struct sigaction sa = {0}, back;
    sa.sa_sigaction = program_sigsys;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    CHECK(sigaction(SIGSYS, &sa, 0) == 0, "sigaction SIGSYS");
    CHECK(sigaction(SIGSYS, 0, &back) == 0 && back.sa_sigaction == program_sigsys, "query sees the program's");
    CHECK(raw6(SYS_getpid, 0, 0, 0, 0, 0, 0) == getpid(), "still trapped by the runtime");
    CHECK(program_sigsys_code == -1, "a dispatch is not the program's");
    kill(getpid(), SIGSYS);
    CHECK(program_sigsys_code == SI_USER, "kill(SIGSYS) reaches the program (code %d)", program_sigsys_code);

    /* A seccomp trap on uname reaches the program's handler, with the seccomp code. */
    pid_t p = fork();
    if (p == 0) {
        struct sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_uname, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
        CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
        CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0, "seccomp");
        char buf[512];
        raw6(SYS_uname, (long)buf, 0, 0, 0, 0, 0);
        CHECK(program_sigsys_code == 1 /* SYS_SECCOMP */ && program_sigsys_nr == SYS_uname,
              "seccomp's SIGSYS reached the program (code %d nr %d)", program_sigsys_code, program_sigsys_nr);
        _exit(0);
    }
    int st;
    CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "seccomp child (status %x)", st);
    signal(SIGSYS, SIG_IGN);
    CHECK(raw6(SYS_getpid, 0, 0, 0, 0, 0, 0) == getpid(), "SIGSYS ignored by the program: still trapped");
    signal(SIGSYS, SIG_DFL);
}

static char altstack[64 * 1024];

static void sigaltstack_handler(void) {
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    CHECK(sigaltstack(&ss, 0) == 0, "sigaltstack");
    struct sigaction sa = {0};
    sa.sa_handler = count_handler;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &sa, 0);
    handled = 0;
    raise(SIGUSR2);
    CHECK(handled == 1, "a handler on the alternate stack makes syscalls");
}

/* Signals arrive all the time, in the SIGSYS handler, in the entry, in the program. */
static void signal_storm(void) {
    struct sigaction sa = {0};
    sa.sa_handler = count_handler;
    sa.sa_flags = SA_RESTART;
    sigfillset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, 0);
    struct itimerval it = {{0, 200}, {0, 200}};
    handled = 0;
    setitimer(ITIMER_REAL, &it, 0);
    long pid = getpid();
    for (int i = 0; i < 100000 || handled < 20; i++)
        CHECK(raw6(SYS_getpid, 0, 0, 0, 0, 0, 0) == pid, "getpid under a signal storm");
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, 0);
    signal(SIGALRM, SIG_IGN);
    printf("signal storm: %d handlers ran\n", handled);
}

/* SA_RESTART restarts a blocking read; without it the read fails with EINTR. */
static void restart(void) {
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    for (int with_restart = 0; with_restart < 2; with_restart++) {
        struct sigaction sa = {0};
        sa.sa_handler = count_handler;
        sa.sa_flags = with_restart ? SA_RESTART : 0;
        sigaction(SIGALRM, &sa, 0);
        pid_t writer = fork();
        if (writer == 0) {
            usleep(100000);
            kill(getppid(), SIGALRM);
            usleep(100000);
            (void)!write(fds[1], "x", 1);
            _exit(0);
        }
        char c;
        handled = 0;
        long n = raw6(SYS_read, fds[0], (long)&c, 1, 0, 0, 0);
        CHECK(handled == 1, "the handler ran");
        if (with_restart)
            CHECK(n == 1 && c == 'x', "SA_RESTART: read restarted and got the byte (%ld)", n);
        else {
            CHECK(n == -EINTR, "no SA_RESTART: EINTR (%ld)", n);
            CHECK(raw6(SYS_read, fds[0], (long)&c, 1, 0, 0, 0) == 1, "the byte");
        }
        waitpid(writer, 0, 0);
    }
    signal(SIGALRM, SIG_IGN);
    close(fds[0]);
    close(fds[1]);
}

/* --- new tasks ------------------------------------------------------------------------------ */

static void *worker(void *arg) {
    uint64_t *seen = arg;
    for (int i = 0; i < 2000; i++) *seen += (uint64_t)own_getppid_trapped();
    return 0;
}

static void threads(void) {
    pthread_t t[4];
    uint64_t seen[4] = {0};
    for (int i = 0; i < 4; i++) CHECK(pthread_create(&t[i], 0, worker, &seen[i]) == 0, "pthread_create");
    for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
    for (int i = 0; i < 4; i++) CHECK(seen[i] == 2000, "thread %d: its syscalls were trapped (%lu)", i, seen[i]);
}

static char child_stack[64 * 1024] __attribute__((aligned(16)));
static volatile uint64_t child_seen;

static int clone_child(void *arg) {
    (void)arg;
    child_seen = (uint64_t)own_getppid_trapped();
    return 0;
}

/* clone with a new stack (as pthread_create and posix_spawn do) and clone3: the child returns
 * straight to the call site on its stack, with SUD on. */
static void clones(void) {
    child_seen = 0;
    pid_t p = clone(clone_child, child_stack + sizeof child_stack, CLONE_VM | SIGCHLD, 0);
    CHECK(p > 0, "clone");
    int st;
    CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st), "clone child ended");
    CHECK(child_seen == 1, "clone child trapped (%lu)", child_seen);

    /* clone3 with CLONE_VM and a new stack, by hand: the child runs on the new stack. */
    struct {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    } args = {CLONE_VM, 0, 0, 0, SIGCHLD, (uint64_t)child_stack, sizeof child_stack, 0};
    child_seen = 0;
    long r = raw6(SYS_clone3, (long)&args, sizeof args, 0, 0, 0, 0);
    if (r == 0) {
        /* Child, on child_stack: no calls that use the parent's frame. */
        child_seen = (uint64_t)own_getppid_trapped();
        raw6(SYS_exit, 0, 0, 0, 0, 0, 0);
    }
    CHECK(r > 0, "clone3 (%ld)", r);
    CHECK(waitpid((pid_t)r, &st, 0) == r && WIFEXITED(st), "clone3 child ended");
    CHECK(child_seen == 1, "clone3 child trapped (%lu)", child_seen);
}

static void forks(void) {
    pid_t p = fork();
    if (p == 0) raw6(SYS_exit_group, own_getppid_trapped() ? 0 : 3, 0, 0, 0, 0, 0);
    int st;
    CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork child trapped (status %x)", st);

    /* vfork: the child shares our memory, the count is the parent's too. */
    p = vfork();
    if (p == 0) raw6(SYS_exit_group, own_getppid_trapped() ? 0 : 3, 0, 0, 0, 0, 0);
    CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0, "vfork child trapped (status %x)", st);

    /* posix_spawn-like: system() runs a shell through clone(CLONE_VM|CLONE_VFORK) with its stack. */
    CHECK(system("exit 7") == 7 << 8, "system()");
}

int main(void) {
    setvbuf(stdout, 0, _IONBF, 0);
    kernel_facts();
    jpoline_count_pass(1);
    int rc = jpoline_sud_install();
    CHECK(rc == 0, "jpoline_sud_install: %s", strerror(-rc));
    jpoline_set_dispatch_hook(note_getppid);
    CHECK(jpoline_set_tier(SYS_getppid, JPOLINE_TRACE) == 0, "tier");
    CHECK(own_getppid_trapped(), "the main thread's getppid");
    basics();
    printf("OK basics\n");
    registers();
    printf("OK registers\n");
    own_restorer();
    printf("OK own restorer\n");
    blocked_sigsys();
    printf("OK blocked sigsys\n");
    program_sigsys_handler();
    printf("OK program sigsys handler\n");
    sigaltstack_handler();
    printf("OK sigaltstack handler\n");
    restart();
    printf("OK restart\n");
    threads();
    printf("OK threads\n");
    clones();
    printf("OK clones\n");
    forks();
    printf("OK forks\n");
    signal_storm();
    printf("OK signal storm\n");
    printf("sud ok: %lu syscalls through the entry\n", passes());
    return 0;
}
