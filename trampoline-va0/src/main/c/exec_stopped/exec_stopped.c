/* jpoline-exec-stopped: the first process of a program jpoline trace follows with ptrace (a
 * static executable, docs/ptrace-window.md). The host starts it with
 *
 *     jpoline-exec-stopped BLOCKED,IGNORED PROGRAM ARGV0 ARG...
 *
 * and the program's environment. It first puts in place the signal mask and the ignored signals
 * jpoline was started with (hex, /proc's SigBlk and SigIgn: what the runtime's constructor does
 * for a dynamic program, there being none here). Then it stops itself with SIGSTOP, so that the host can seize it
 * before anything of the program runs, and once continued execs PROGRAM: the trace starts at
 * that execve, as strace's does. Static and freestanding, like jpoline-user-switch: no loader,
 * no libc, no syscall of its own but these. */
#define NR_write 1
#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_getpid 39
#define NR_execve 59
#define NR_kill 62
#define NR_exit_group 231
#define SIGSTOP 19
#define ENOEXEC 8

static long sys4(long nr, long a, long b, long c, long d) {
    long ret;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return ret;
}

static long sys3(long nr, long a, long b, long c) { return sys4(nr, a, b, c, 0); }

/* The kernel's struct sigaction: handler, flags, restorer, mask. */
struct kernel_sigaction {
    unsigned long handler, flags, restorer, mask;
};

/* Hex digits up to `stop`; *ok = 0 on anything else. */
static unsigned long hex(const char **s, char stop, int *ok) {
    unsigned long v = 0;
    int digits = 0;
    for (; **s && **s != stop; (*s)++, digits++) {
        char c = **s;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0 || digits >= 16) *ok = 0;
        v = v * 16 + (unsigned long)(d < 0 ? 0 : d);
    }
    if (digits == 0 || **s != stop) *ok = 0;
    return v;
}

static void signal_state(const char *state) {
    int ok = 1;
    unsigned long blocked = hex(&state, ',', &ok);
    if (*state == ',') state++;
    unsigned long ignored = hex(&state, 0, &ok);
    if (!ok) return; /* the host wrote it: a bad one leaves the defaults */
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == 9 || sig == 19 || !((ignored >> (sig - 1)) & 1)) continue;
        struct kernel_sigaction ignore = {1 /* SIG_IGN */, 0, 0, 0};
        sys4(NR_rt_sigaction, sig, (long)&ignore, 0, 8);
    }
    sys4(NR_rt_sigprocmask, 2 /* SIG_SETMASK */, (long)&blocked, 0, 8);
}

static void say(const char *s) {
    unsigned long n = 0;
    while (s[n]) n++;
    sys3(NR_write, 2, (long)s, (long)n);
}

__attribute__((noreturn, used)) void jp_exec_stopped(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    if (argc < 4) {
        say("jpoline: usage: jpoline-exec-stopped BLOCKED,IGNORED PROGRAM ARGV0 ARG...\n");
        sys3(NR_exit_group, 126, 0, 0);
    }
    signal_state(argv[1]);
    sys3(NR_kill, sys3(NR_getpid, 0, 0, 0), SIGSTOP, 0);
    char **program = &argv[2];
    long r = sys3(NR_execve, (long)program[0], (long)(program + 1), (long)envp);
    if (r == -ENOEXEC) {
        /* A script without "#!": /bin/sh runs it, as execvp and jpoline's own start do. */
        program[1] = program[0];
        program[0] = "/bin/sh";
        r = sys3(NR_execve, (long)program[0], (long)program, (long)envp);
    }
    say("jpoline: cannot exec ");
    say(program[0]);
    say("\n");
    sys3(NR_exit_group, 126, 0, 0);
    __builtin_unreachable();
}

__asm__(".globl _start\n"
        "_start:\n"
        "    mov %rsp, %rdi\n"
        "    and $-16, %rsp\n"
        "    call jp_exec_stopped\n"
        "    hlt\n");
