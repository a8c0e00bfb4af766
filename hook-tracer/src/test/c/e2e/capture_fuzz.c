/* Fuzzes jpoline trace's captures: calls every syscall of the capture table (the numbers and
 * argument classes come from the test, CaptureFuzzIT, which reads them from CaptureRule) with
 * garbage pointers: NULL, -1, small ints (inside jpoline's page 0), kernel and non-canonical
 * addresses, an unmapped page, read-only and PROT_NONE pages, the last bytes of a page before a
 * PROT_NONE guard, and real buffers holding strings, iovecs and pointers to all of the above.
 * A capture must never fault the program, so every worker must end with _exit(0).
 *
 * usage: capture_fuzz SEED CALLS NR:CLASSES...   (classes, one letter an argument: p memory,
 *        f fd, i pid, n number).  Run in an empty directory: it creates files named jpfuzz-*.
 *
 * Each syscall number gets its own forked worker, so that what one call changes (its fds, limits,
 * signal mask, cwd, memory) cannot disturb another; the parent reports a worker that dies of a
 * signal or hangs. Exit status: 0 when every worker exited 0. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <mqueue.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define WORKER_LIMIT_S 10 /* a worker still running after this is reported as hung and killed */

/* Skipped, each because it would end or replace the worker rather than return to it: execve and
 * execveat (a success replaces the worker's image), clone3 (fork-like: a child running on the
 * fuzz's arguments), ptrace (PTRACE_TRACEME would hand the worker to the fuzz's own process,
 * whose wait would then take the worker's stops for its end; ptrace's copy, a fixed 216 bytes
 * after a successful call, is checked against a PROT_NONE page by ptrace_requests.c). Nothing else in the capture table needs skipping: exit, kill-like calls,
 * fork, munmap, mremap, rt_sigreturn and pause copy no memory, so they are not in the table;
 * calls that may block (read on an empty pipe, rt_sigsuspend, futex, poll, nanosleep...) are
 * interrupted by a 10 ms timer armed around every call; privileged ones (mount, settimeofday,
 * sethostname, swapon, init_module...) fail with EPERM because the fuzz drops root first. */
static int skipped(long nr) { return nr == SYS_execve || nr == SYS_execveat || nr == SYS_clone3 || nr == SYS_ptrace; }

static uint64_t rng;
static uint64_t next_random(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define POOL_MAX 48
static uint64_t pool[POOL_MAX];
static unsigned pool_count;
static void add(uint64_t p) {
    if (pool_count < POOL_MAX) pool[pool_count++] = p;
}

static char *map(int prot) {
    /* Each page with a PROT_NONE guard after it, so that reading past the end faults. */
    char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    mprotect(p + PAGE, PAGE, PROT_NONE);
    if (prot != (PROT_READ | PROT_WRITE)) mprotect(p, PAGE, prot);
    return p;
}

static const char *const names[] = {"jpfuzz-a", "jpfuzz-b", "jpfuzz-d/x", "jpfuzz-d", ""};

/* The signal of the timer that interrupts blocking calls, and its bit in a sigset. */
static int tick_signal = SIGALRM;
#define TICK_BIT (1ull << (tick_signal - 1))

/* Fills a readable page, then clears the tick's bit in every word: read as a signal mask, no word
 * blocks the tick, so that rt_sigsuspend, ppoll and the like stay interruptible. */
static void fill(char *page, int kind) {
    uint64_t *w = (uint64_t *)page;
    for (int i = 0; i < PAGE / 8; i++) w[i] = next_random();
    if (kind == 1) { /* iovecs: pool pointers with small, page-sized and huge lengths */
        static const uint64_t lengths[] = {0, 1, 8, 64, 4096, 1ull << 40};
        for (int i = 0; i + 1 < PAGE / 8; i += 2) {
            w[i] = pool[next_random() % pool_count];
            w[i + 1] = lengths[next_random() % 6];
        }
    } else if (kind == 2) { /* strings at the start, then a NULL-terminated array of pointers */
        size_t at = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            strcpy(page + at, names[i]);
            at += strlen(names[i]) + 1;
        }
        at = (at + 7) & ~7ul;
        uint64_t *array = (uint64_t *)(page + at);
        for (int i = 0; i < 8; i++) array[i] = (uint64_t)page + (next_random() % 2 ? 0 : 9);
        array[8] = 0;
    }
    /* SIGSYS too: under Syscall User Dispatch a temporary mask (rt_sigsuspend's) that blocks it
     * makes the kernel kill the program at its next caught syscall, a SUD matter, not a capture's. */
    for (int i = 0; i < PAGE / 8; i++) w[i] &= ~(TICK_BIT | (1ull << (SIGSYS - 1)));
}

static char *str_page;

/* Under jpoline without protection keys, page 0 (jpoline's) is readable: rt_sigsuspend(NULL)
 * then waits with a mask read from it. Pick a tick signal no such word blocks. */
static int page0_readable;
static void choose_tick_signal(void) {
    static const uint64_t low[] = {0, 1, 8, 16, 0x800};
    uint64_t blocked = 0;
    int p[2];
    if (pipe(p) != 0) return;
    for (size_t i = 0; i < sizeof low / sizeof low[0]; i++) {
        uint64_t word = 0;
        if (write(p[1], (const void *)low[i], 8) == 8 && read(p[0], &word, 8) == 8) blocked |= word;
    }
    page0_readable = syscall(SYS_write, p[1], 0L, 1L) == 1;
    close(p[0]);
    close(p[1]);
    const int candidates[] = {SIGALRM, SIGUSR1, SIGUSR2, SIGRTMIN, SIGRTMIN + 1, SIGRTMIN + 2, SIGRTMIN + 5, SIGRTMAX};
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (!(blocked & (1ull << (candidates[i] - 1)))) {
            tick_signal = candidates[i];
            return;
        }
}

static void build_pool(void) {
    char *unmapped = map(PROT_READ | PROT_WRITE);
    munmap(unmapped, 2 * PAGE);
    char *ro = map(PROT_READ | PROT_WRITE), *none = map(PROT_NONE);
    char *raw = map(PROT_READ | PROT_WRITE), *iov = map(PROT_READ | PROT_WRITE), *str = map(PROT_READ | PROT_WRITE);
    static const uint64_t fixed[] = {0,
                                     ~0ull,
                                     1,
                                     8,
                                     16,
                                     0x800, /* inside jpoline's page 0 */
                                     0xffffffff81000000ull,
                                     0xffff888000000000ull,
                                     0x0000800000000000ull, /* non-canonical */
                                     0x00007ffffffff000ull};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) add(fixed[i]);
    add((uint64_t)unmapped);
    add((uint64_t)none);
    char *pages[] = {ro, raw, iov, str};
    for (int i = 0; i < 4; i++) {
        add((uint64_t)pages[i]);
        add((uint64_t)pages[i] + 8);
        add((uint64_t)pages[i] + PAGE - 8);
        add((uint64_t)pages[i] + PAGE - 1);
    }
    fill(raw, 0);
    fill(str, 2);
    fill(iov, 1);
    fill(ro, 1);
    memcpy(ro, str, 256); /* strings and pointers, read-only */
    mprotect(ro, PAGE, PROT_READ);
    add((uint64_t)str + 9); /* the second string */
    str_page = str;
}

static int fds[16];
static unsigned fd_count;
static void open_fds(long nr) {
    int p[2], s[2];
    fd_count = 0;
    fds[fd_count++] = -1;
    fds[fd_count++] = AT_FDCWD;
    fds[fd_count++] = 999999;
    fds[fd_count++] = 0; /* /dev/null in the test */
    if (pipe(p) == 0) {
        fds[fd_count++] = p[0];
        fds[fd_count++] = p[1];
    }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0) fds[fd_count++] = s[0];
    char name[64];
    snprintf(name, sizeof name, "jpfuzz-file-%ld", nr);
    int f = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f >= 0) {
        write(f, "jpoline capture fuzz\n", 21);
        fds[fd_count++] = f;
    }
    int d = open(".", O_RDONLY | O_DIRECTORY);
    if (d >= 0) fds[fd_count++] = d;
    int m = memfd_create("jpfuzz", 0);
    if (m >= 0) fds[fd_count++] = m;
    int e = epoll_create1(0);
    if (e >= 0) fds[fd_count++] = e;
    int ev = eventfd(0, 0);
    if (ev >= 0) fds[fd_count++] = ev;
    int self = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (self >= 0) fds[fd_count++] = self; /* process_madvise's remote iovecs name our own pages */
}

static uint64_t number(void) {
    static const uint64_t common[] = {0, 1, 2, 3, 4, 8, 64, 4096, ~0ull, 0x80000000ull, 1ull << 40};
    switch (next_random() % 3) {
    case 0: return common[next_random() % (sizeof common / sizeof common[0])];
    case 1: return next_random() % 64;
    default: return next_random();
    }
}

static uint64_t argument(char c) {
    switch (c) {
    case 'p': return pool[next_random() % pool_count];
    case 'f': return (uint64_t)(int64_t)fds[next_random() % fd_count];
    case 'i': {
        const int64_t pids[] = {0, getpid(), -1, 0x7ffffff0};
        return (uint64_t)pids[next_random() % 4];
    }
    default: return number();
    }
}

static void on_alarm(int sig) { (void)sig; }

/* What a fuzzed call may have changed and the next one needs: an interrupting SIGALRM (no
 * SA_RESTART: blocked calls return EINTR), nothing blocked, and the signals a call can raise on
 * itself without any fault ignored (SIGPIPE from a write to a closed pipe, SIGXFSZ past the
 * file size limit, SIGXCPU, SIGVTALRM/SIGPROF from setitimer, SIGIO, terminal stops). */
static void reset_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(tick_signal, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    const int ignored[] = {SIGPIPE, SIGXFSZ, SIGXCPU, SIGVTALRM, SIGPROF, SIGIO, SIGTTIN, SIGTTOU, SIGTSTP};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) sigaction(ignored[i], &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static timer_t tick;

/* Repeating: a tick that lands before the call starts (the worker descheduled) is followed by
 * another that interrupts it. */
static void arm(long usec) {
    struct itimerspec t = {{0, usec * 1000}, {0, usec * 1000}};
    timer_settime(tick, 0, &t, NULL);
}

/* Touches stack now, so that a fuzzed setrlimit(RLIMIT_STACK) cannot make later growth fault. */
static void __attribute__((noinline)) prefault_stack(void) {
    volatile char room[256 * 1024];
    for (size_t i = 0; i < sizeof room; i += PAGE) room[i] = 0;
}

static void worker(long nr, const char *classes, int calls) {
    prefault_stack();
    /* A file size limit that cannot be raised again: no fuzzed write or sendfile fills the disk. */
    struct rlimit fsize = {1 << 20, 1 << 20};
    setrlimit(RLIMIT_FSIZE, &fsize);
    open_fds(nr);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = tick_signal;
    if (timer_create(CLOCK_MONOTONIC, &ev, &tick) != 0) _exit(3);
    size_t n = strlen(classes);
    for (int k = 0; k < calls; k++) {
        uint64_t a[6] = {0, 0, 0, 0, 0, 0};
        for (size_t i = 0; i < n && i < 6; i++) a[i] = argument(classes[i]);
        /* jpoline's page 0 is readable on CPUs without protection keys (README, "Known
         * limitation"): rt_sigsuspend(NULL) then waits with the page's bytes as its mask instead
         * of failing with EFAULT, and the tick was seen not to end that wait. Not a capture
         * matter: such a mask is replaced by the unmapped page there. */
        if (nr == SYS_rt_sigsuspend && page0_readable && a[0] < PAGE) a[0] = pool[10];
        reset_signals();
        arm(10000);
        syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        arm(0);
    }
    _exit(0);
}

static int drop_root(void) {
    if (geteuid() != 0) return 0;
    /* As root a random call could change the machine (clock, hostname, mounts, modules, swap,
     * other processes' limits); as nobody those fail with EPERM, after the capture ran. */
    if (chmod(".", 0777) != 0) return -1;
    if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
        return -1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: capture_fuzz SEED CALLS NR:CLASSES...\n");
        return 2;
    }
    rng = strtoull(argv[1], NULL, 0) | 1;
    int calls = atoi(argv[2]);
    if (drop_root() != 0) {
        perror("capture_fuzz: dropping root");
        return 2;
    }
    choose_tick_signal();
    build_pool();
    mkdir("jpfuzz-d", 0777);
    int failures = 0, done = 0;
    for (int i = 3; i < argc; i++) {
        char *colon;
        long nr = strtol(argv[i], &colon, 10);
        const char *classes = *colon == ':' ? colon + 1 : "";
        if (skipped(nr)) continue;
        uint64_t seed = next_random(); /* each worker its own stream, the same for a given SEED */
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            rng = seed | 1;
            worker(nr, classes, calls);
        }
        int status = 0;
        struct timespec start, now, tick = {0, 2000000};
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid) break;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec - start.tv_sec > WORKER_LIMIT_S) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                printf("syscall %ld: worker hung, killed\n", nr);
                status = -1;
                break;
            }
            nanosleep(&tick, NULL);
        }
        if (status == -1) {
            failures++;
        } else if (WIFSIGNALED(status)) {
            printf("syscall %ld: worker killed by signal %d (%s)\n", nr, WTERMSIG(status), strsignal(WTERMSIG(status)));
            failures++;
        } else if (WEXITSTATUS(status) != 0) {
            printf("syscall %ld: worker exited %d\n", nr, WEXITSTATUS(status));
            failures++;
        }
        done++;
    }
    /* Message queues live outside the directory: remove the ones a fuzzed mq_open made, named by
     * the strings the pool points to (as the fill left them). */
    for (const char *at = str_page; *at != 0 && at < str_page + 256; at += strlen(at) + 1) {
        char name[64];
        snprintf(name, sizeof name, "/%s", at);
        mq_unlink(name);
    }
    printf("capture_fuzz: %d syscalls, %d calls each, %d failed\n", done, calls, failures);
    return failures == 0 ? 0 : 1;
}
