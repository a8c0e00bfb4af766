/* Signals for the trace golden tests (TraceGoldenIT): handled signals of several origins, a
 * child killed by a signal, a child killed by a fault, a SIGCHLD handled after its wait, and (with
 * the argument "die") the program itself killed by a signal; a child SIGKILLed, and one that
 * outlives the program. Every delivery happens where strace
 * and jpoline must show the same lines: right after a syscall returned, or in code that makes
 * none. getppid() is the marker, as in trace_golden.c. */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t spin = 1;

static void on_usr1(int sig) {
    (void)sig;
    write(1, "usr1\n", 5);
}

static void on_info(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)context;
    if (info->si_code == SI_QUEUE && info->si_value.sival_int == 42) write(1, "queued 42\n", 10);
}

int main(int argc, char **argv) {
    getppid(); /* marker */
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core); /* "(core dumped)" would depend on the machine */
    signal(SIGUSR1, on_usr1);
    kill(getpid(), SIGUSR1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2);
    union sigval value = {.sival_int = 42};
    sigqueue(getpid(), SIGUSR2, value);

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    /* A child says it runs its loop through memory, not a syscall: a process is killed after its
     * last syscall returned but maybe before that syscall's record is written. */
    volatile int *running = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t child = fork();
    if (child == 0) {
        *running = 1;
        while (spin) {
        } /* killed here, outside any syscall */
        _exit(0);
    }
    while (*running != 1) {
    }
    kill(child, SIGTERM);
    int status;
    waitpid(child, &status, 0);
    child = fork();
    if (child == 0) {
        *(volatile int *)0 = 1;
        _exit(0);
    }
    waitpid(child, &status, 0);
    child = fork();
    if (child == 0) {
        *running = 2;
        while (spin) {
        } /* SIGKILL leaves no trace in the process itself */
        _exit(0);
    }
    while (*running != 2) {
    }
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    sigprocmask(SIG_UNBLOCK, &chld, NULL); /* the SIGCHLDs were one pending signal */
    if (fork() == 0) { /* outlives the program: followed to its end */
        struct timespec pause_ = {0, 200000000};
        nanosleep(&pause_, NULL);
        write(1, "orphan\n", 7);
        _exit(5);
    }
    if (argc > 1 && strcmp(argv[1], "die") == 0) kill(getpid(), SIGTERM);
    return 0;
}
