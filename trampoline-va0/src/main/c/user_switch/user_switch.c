/* jpoline-user-switch: trace -u's first process (strace -u). The host, as root, starts it with
 *
 *     jpoline-user-switch UID GID NGROUPS GROUP... PROGRAM ARGV0 ARG...
 *
 * and the program's environment. It takes the user's supplementary groups, then its group, then
 * its user (setresuid last: after it the others are not allowed), and execs PROGRAM. posix_spawn
 * cannot change credentials, and a JVM cannot fork to do it.
 *
 * Static and freestanding on purpose: the environment already holds LD_PRELOAD for the program,
 * and the loader of a static executable reads no LD_PRELOAD, so jpoline's runtime is not loaded
 * into this helper and the trace starts at the program's own exec, as strace -u's does. No libc:
 * nothing here may depend on one being installed as static. */
#include <stdint.h>

#define NR_write 1
#define NR_execve 59
#define NR_setresuid 117
#define NR_setresgid 119
#define NR_setgroups 116
#define NR_exit_group 231
#define ENOEXEC 8
#define MAX_GROUPS 65536

static long sys3(long nr, long a, long b, long c) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}

static unsigned long length(const char *s) {
    unsigned long n = 0;
    while (s[n]) n++;
    return n;
}

static void say(const char *s) {
    sys3(NR_write, 2, (long)s, (long)length(s));
}

static void number(long v) {
    char b[24];
    int i = 23;
    b[i] = 0;
    unsigned long u = v < 0 ? (unsigned long)-v : (unsigned long)v;
    do {
        b[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) b[--i] = '-';
    say(b + i);
}

__attribute__((noreturn)) static void fail(const char *what, long err, const char *program) {
    say("jpoline: -u: ");
    say(what);
    if (program) {
        say(" ");
        say(program);
    }
    say(" failed (errno ");
    number(-err);
    say(")\n");
    sys3(NR_exit_group, 126, 0, 0);
    __builtin_unreachable();
}

/* A decimal argument; the host wrote it, so anything else is a bug worth stopping on. */
static long decimal(const char *s) {
    long v = 0;
    if (!*s) fail("bad numeric argument", -22, s);
    for (; *s; s++) {
        if (*s < '0' || *s > '9') fail("bad numeric argument", -22, s);
        v = v * 10 + (*s - '0');
    }
    return v;
}

__attribute__((noreturn, used)) void jp_user_switch(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    if (argc < 6) fail("usage: jpoline-user-switch UID GID NGROUPS GROUP... PROGRAM ARGV0 ...", -22, 0);
    long uid = decimal(argv[1]), gid = decimal(argv[2]), n = decimal(argv[3]);
    if (n > MAX_GROUPS || argc < 6 + n) fail("bad group count", -22, 0);
    /* The groups are converted in place: argv[4..4+n) holds n strings, each at least as long
     * as the 4-byte gid it becomes once the pointer slots are reused (8 bytes each). */
    uint32_t *groups = (uint32_t *)&argv[4];
    for (long i = 0; i < n; i++) groups[i] = (uint32_t)decimal(argv[4 + i]);
    long r = sys3(NR_setgroups, n, (long)groups, 0);
    if (r < 0) fail("setgroups", r, 0);
    r = sys3(NR_setresgid, gid, gid, gid);
    if (r < 0) fail("setresgid", r, 0);
    r = sys3(NR_setresuid, uid, uid, uid);
    if (r < 0) fail("setresuid", r, 0);
    char **program = &argv[4 + n];
    r = sys3(NR_execve, (long)program[0], (long)(program + 1), (long)envp);
    if (r == -ENOEXEC) {
        /* A script without "#!": /bin/sh runs it, as execvp and jpoline's own start do. */
        program[1] = program[0];
        program[0] = "/bin/sh";
        r = sys3(NR_execve, (long)program[0], (long)program, (long)envp);
    }
    fail("exec", r, program[0]);
}

__asm__(".globl _start\n"
        "_start:\n"
        "    mov %rsp, %rdi\n"
        "    and $-16, %rsp\n"
        "    call jp_user_switch\n"
        "    hlt\n");
