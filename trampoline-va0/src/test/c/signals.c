/* Signals around the entry: handlers installed with our own SA_RESTORER, whose
 * rt_sigreturn goes through a registered site; handlers that make syscalls through the
 * entry while the interrupted thread is itself inside it; SA_RESTART on a blocking read;
 * sigaltstack. */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "jp_test.h"

#define SA_RESTORER_FLAG 0x04000000ul

/* The restorer a rewritten libc would have: rt_sigreturn through `call *%rax`. */
void test_restorer(void);
__asm__(".text\n"
        ".globl test_restorer\n"
        "test_restorer:\n"
        "    mov $15, %eax\n"
        "1:  call *%rax\n"
        "    " JP_RECORD_SITE "\n"
        "    ud2\n");

struct kernel_sigaction {
    void (*handler)(int, siginfo_t *, void *);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static void install(int sig, void (*handler)(int, siginfo_t *, void *), unsigned long flags) {
    struct kernel_sigaction act = {handler, flags | SA_SIGINFO | SA_RESTORER_FLAG, test_restorer, 0};
    CHECK(jp_syscall4(SYS_rt_sigaction, sig, &act, NULL, 8) == 0, "rt_sigaction %d", sig);
}

static int pipe_fds[2];
static volatile int handled;

/* Syscalls from inside a handler, through the entry. */
static void handler_with_syscalls(int sig, siginfo_t *info, void *uc) {
    (void)uc;
    long pid = jp_syscall0(SYS_getpid);
    if (sig == SIGUSR1 && info->si_pid == pid) jp_syscall3(SYS_write, pipe_fds[1], "h", 1);
    handled++;
}

static void test_handler_makes_syscalls(void) {
    install(SIGUSR1, handler_with_syscalls, 0);
    uint64_t sigreturns_before = jpoline_entry_count(JPOLINE_TRACE);
    handled = 0;
    for (int i = 0; i < 100; i++) {
        /* Delivered on the way out of tgkill, i.e. while this thread is inside the entry. */
        CHECK(jp_syscall3(SYS_tgkill, getpid(), gettid(), SIGUSR1) == 0, "tgkill");
    }
    CHECK(handled == 100, "handler ran %d times", handled);
    char buf[128];
    CHECK(jp_syscall3(SYS_read, pipe_fds[0], buf, sizeof buf) == 100, "handler wrote 100 bytes");
    /* rt_sigreturn is on the TRACE tier (set in main), so each return counted there. */
    CHECK(jpoline_entry_count(JPOLINE_TRACE) - sigreturns_before == 100, "sigreturns through the entry: %llu",
          (unsigned long long)(jpoline_entry_count(JPOLINE_TRACE) - sigreturns_before));
    printf("OK handler makes syscalls; rt_sigreturn through the entry\n");
}

static int restart_write_fd = -1;

static void alarm_handler(int sig, siginfo_t *info, void *uc) {
    (void)sig, (void)info, (void)uc;
    handled++;
    if (restart_write_fd >= 0) jp_syscall3(SYS_write, restart_write_fd, "x", 1);
}

static void arm_timer_ms(long ms) {
    struct itimerval t = {{0, 0}, {0, ms * 1000}};
    CHECK(jp_syscall3(SYS_setitimer, ITIMER_REAL, &t, NULL) == 0, "setitimer");
}

/* A read blocked inside the entry is interrupted; with SA_RESTART the kernel re-runs the
 * runtime's syscall instruction and the read completes with the handler's byte. */
static void test_sa_restart(void) {
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    install(SIGALRM, alarm_handler, SA_RESTART);
    handled = 0;
    restart_write_fd = fds[1];
    arm_timer_ms(100);
    char c = 0;
    long n = jp_syscall3(SYS_read, fds[0], &c, 1);
    CHECK(n == 1 && c == 'x' && handled == 1, "restarted read returned %ld '%c' handled %d", n, c, handled);
    printf("OK SA_RESTART read restarted\n");

    install(SIGALRM, alarm_handler, 0);
    handled = 0;
    restart_write_fd = -1;
    arm_timer_ms(100);
    n = jp_syscall3(SYS_read, fds[0], &c, 1);
    CHECK(n == -EINTR && handled == 1, "read without SA_RESTART returned %ld", n);
    printf("OK no SA_RESTART gives -EINTR\n");
    close(fds[0]);
    close(fds[1]);
}

/* A nanosleep interrupted by a stop and continued comes back as restart_syscall, which the
 * kernel runs from the runtime's syscall instruction: the sleep still lasts its length. */
static void test_restart_block(void) {
    pid_t me = getpid();
    pid_t helper = fork();
    if (helper == 0) {
        usleep(50 * 1000);
        kill(me, SIGSTOP);
        usleep(50 * 1000);
        kill(me, SIGCONT);
        _exit(0);
    }
    CHECK(helper > 0, "fork");
    struct timespec start, end, sleep = {0, 300 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    long r = jp_syscall2(SYS_nanosleep, &sleep, NULL);
    clock_gettime(CLOCK_MONOTONIC, &end);
    long slept_ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
    int status;
    CHECK(waitpid(helper, &status, 0) == helper, "wait helper");
    CHECK(r == 0 && slept_ms >= 295, "nanosleep %ld after %ld ms", r, slept_ms);
    printf("OK nanosleep stopped and continued is restarted\n");
}

static char *alt_stack;
#define ALT_STACK_SIZE (64 * 1024)
static volatile int on_alt_stack, reported_onstack;

static void altstack_handler(int sig, siginfo_t *info, void *uc) {
    (void)sig, (void)info, (void)uc;
    char here;
    on_alt_stack = &here >= alt_stack && &here < alt_stack + ALT_STACK_SIZE;
    stack_t now;
    if (jp_syscall2(SYS_sigaltstack, NULL, &now) == 0) reported_onstack = (now.ss_flags & SS_ONSTACK) != 0;
    handled++;
}

static void test_sigaltstack(void) {
    alt_stack = malloc(ALT_STACK_SIZE);
    stack_t ss = {.ss_sp = alt_stack, .ss_flags = 0, .ss_size = ALT_STACK_SIZE};
    CHECK(jp_syscall2(SYS_sigaltstack, &ss, NULL) == 0, "sigaltstack");
    install(SIGUSR2, altstack_handler, SA_ONSTACK);
    handled = 0;
    for (int i = 0; i < 10; i++) CHECK(jp_syscall3(SYS_tgkill, getpid(), gettid(), SIGUSR2) == 0, "tgkill");
    CHECK(handled == 10 && on_alt_stack && reported_onstack, "handled %d on alt stack %d onstack flag %d",
          handled, on_alt_stack, reported_onstack);
    /* Back on the main stack after rt_sigreturn from the alternate one. */
    stack_t now;
    CHECK(jp_syscall2(SYS_sigaltstack, NULL, &now) == 0 && !(now.ss_flags & SS_ONSTACK), "left alt stack");
    printf("OK sigaltstack\n");
}

int main(void) {
    jp_setup();
    CHECK(pipe(pipe_fds) == 0, "pipe");
    CHECK(jpoline_set_tier(SYS_rt_sigreturn, JPOLINE_TRACE) == 0, "tier");
    test_handler_makes_syscalls();
    test_sa_restart();
    test_restart_block();
    test_sigaltstack();
    printf("OK signals\n");
    return 0;
}
