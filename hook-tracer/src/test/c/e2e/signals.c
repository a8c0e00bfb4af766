/* Signal handlers that make syscalls, SA_RESTART vs EINTR on a blocking read, sigaltstack,
 * and a signal arriving while a thread blocks. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t handled;
static char *altstack_base;

static void on_alarm(int sig) {
    (void)sig;
    /* Syscalls inside the handler go through the same path. */
    const char msg[] = "handler ran\n";
    if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0) _exit(3);
    handled++;
}

static void on_usr1(int sig) {
    (void)sig;
    char here;
    handled += (&here >= altstack_base && &here < altstack_base + SIGSTKSZ * 4) ? 10 : 1000;
}

static void arm(int ms) {
    struct itimerval t = {{0, 0}, {0, ms * 1000}};
    setitimer(ITIMER_REAL, &t, NULL);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int fds[2];
    if (pipe(fds) != 0) return 2;
    char c;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: the read fails with EINTR */
    arm(50);
    ssize_t n = read(fds[0], &c, 1);
    printf("read without SA_RESTART: %zd %s\n", n, n < 0 && errno == EINTR ? "EINTR" : "unexpected");

    sa.sa_flags = SA_RESTART; /* the read restarts after the handler and gets the byte */
    sigaction(SIGALRM, &sa, NULL);
    if (fork() == 0) {
        usleep(200 * 1000);
        if (write(fds[1], "x", 1) != 1) _exit(1);
        _exit(0);
    }
    arm(50);
    n = read(fds[0], &c, 1);
    printf("read with SA_RESTART: %zd %c\n", n, n == 1 ? c : '?');

    altstack_base = malloc(SIGSTKSZ * 4);
    stack_t ss = {.ss_sp = altstack_base, .ss_size = SIGSTKSZ * 4, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    handled = 0;
    raise(SIGUSR1);
    printf("sigaltstack handler on the alternate stack: %s\n", handled == 10 ? "yes" : "no");

    /* What rt_sigaction reads back is the program's own action (jpoline trace installs its own). */
    struct sigaction back;
    sigaction(SIGUSR1, NULL, &back);
    printf("SIGUSR1 reads back: handler %s, flags %#x\n", back.sa_handler == on_usr1 ? "on_usr1" : "other",
           (unsigned)(back.sa_flags & (SA_ONSTACK | SA_SIGINFO | SA_RESTART | SA_RESETHAND)));
    sigaction(SIGTERM, NULL, &back);
    printf("SIGTERM reads back: %s\n", back.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESETHAND;
    struct sigaction previous;
    sigaction(SIGUSR2, &sa, &previous);
    printf("SIGUSR2 was: %s\n", previous.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
    raise(SIGUSR2);
    sigaction(SIGUSR2, NULL, &back);
    printf("SIGUSR2 after SA_RESETHAND ran: %s\n", back.sa_handler == SIG_DFL ? "SIG_DFL" : "other");
    signal(SIGPIPE, SIG_IGN);
    printf("SIGPIPE ignored: %s\n", signal(SIGPIPE, SIG_DFL) == SIG_IGN ? "yes" : "no");
    return 0;
}
