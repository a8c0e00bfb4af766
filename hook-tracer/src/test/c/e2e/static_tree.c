/* A small process tree for the ptrace window (built -static, so LD_PRELOAD cannot reach it):
 * reads a file, handles a SIGUSR1 it sends itself, forks a child that writes and exits 3 and one
 * that dies of SIGTERM, and reaps both, SIGCHLD blocked meanwhile. Deterministic, so that its trace can be compared with
 * strace's line for line.
 *   static_tree             as above
 *   static_tree sleep MS F  writes its pid to F, then sleeps MS milliseconds in 10 ms steps and
 *                           writes "done" to F.done (for stop, continue and host-death tests)
 *   static_tree threads N   N threads, each calling getppid 10 times, then joined */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig) { got = sig; }

static int sleeper(long ms, const char *file) {
    char line[32];
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int n = snprintf(line, sizeof line, "%d\n", (int)getpid());
    if (fd < 0 || write(fd, line, n) != n) return 2;
    close(fd);
    struct timespec step = {0, 10 * 1000 * 1000};
    for (long t = 0; t < ms; t += 10) nanosleep(&step, NULL);
    char done[512];
    snprintf(done, sizeof done, "%s.done", file);
    fd = open(done, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "done\n", 5) != 5) return 2;
    close(fd);
    return 0;
}

static void *ten_getppids(void *arg) {
    for (int i = 0; i < 10; i++) getppid();
    return arg;
}

static int threads(int n) {
    pthread_t t[64];
    if (n > 64) n = 64;
    for (int i = 0; i < n; i++)
        if (pthread_create(&t[i], NULL, ten_getppids, NULL) != 0) return 2;
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    write(1, "joined\n", 7);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "threads") == 0) return threads(atoi(argv[2]));
    if (argc == 4 && strcmp(argv[1], "sleep") == 0) return sleeper(atol(argv[2]), argv[3]);
    char buf[16];
    int fd = open("/etc/passwd", O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof buf) != sizeof buf) return 2;
    close(fd);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    kill(getpid(), SIGUSR1);
    if (got != SIGUSR1) return 4;
    /* SIGCHLD blocked until each child is reaped: delivered at the unblock, not wherever the
     * child's exit happens to fall (before or after wait4), so that two runs match. */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    pid_t writer = fork();
    if (writer == 0) {
        write(1, "child\n", 6);
        _exit(3);
    }
    int status;
    waitpid(writer, &status, 0);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    pid_t victim = fork();
    if (victim == 0) {
        kill(getpid(), SIGTERM);
        _exit(5);
    }
    waitpid(victim, &status, 0);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
    write(1, "parent\n", 7);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM ? 0 : 6;
}
