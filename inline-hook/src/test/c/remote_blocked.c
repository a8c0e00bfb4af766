/* A target whose threads block in the syscalls a remote attach must not disturb: read on a pipe,
 * nanosleep, a futex wait, accept, epoll_wait. It prints "ready PID" once they are all blocked,
 * waits for a line on the FIFO named by argv[1] (opened read-write, so opening it never waits for
 * a writer), wakes each and prints what each call returned. A call that returns early, or fails
 * with EINTR, is printed as such. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int pipe_fds[2], epoll_pipe[2], epfd, listener;
static atomic_int futex_word;
static atomic_int blocked;
static char results[5][96];
static struct sockaddr_un addr;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void report(int slot, const char *what, long r, int err) {
    snprintf(results[slot], sizeof results[slot], "%s %ld %s", what, r, r < 0 ? strerror(err) : "ok");
}

static void *reader(void *arg) {
    (void)arg;
    char c;
    atomic_fetch_add(&blocked, 1);
    long r = read(pipe_fds[0], &c, 1);
    report(0, "read", r, errno);
    return NULL;
}

static void *sleeper(void *arg) {
    (void)arg;
    struct timespec t = {3, 0};
    double start = now();
    atomic_fetch_add(&blocked, 1);
    long r = nanosleep(&t, &t);
    int err = errno;
    if (r == 0 && now() - start < 2.9) {
        snprintf(results[1], sizeof results[1], "nanosleep 0 early after %.2f s", now() - start);
    } else {
        report(1, "nanosleep", r, err);
    }
    return NULL;
}

static void *waiter(void *arg) {
    (void)arg;
    atomic_fetch_add(&blocked, 1);
    long r;
    do {
        r = syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    } while (r == 0 && atomic_load(&futex_word) == 0); /* a futex may wake spuriously: POSIX says loop */
    report(2, "futex", r == -1 && errno == EAGAIN ? 0 : r, errno);
    return NULL;
}

static void *acceptor(void *arg) {
    (void)arg;
    atomic_fetch_add(&blocked, 1);
    long r = accept(listener, NULL, NULL);
    report(3, "accept", r < 0 ? r : 0, errno);
    return NULL;
}

static void *poller(void *arg) {
    (void)arg;
    struct epoll_event ev;
    atomic_fetch_add(&blocked, 1);
    long r = epoll_wait(epfd, &ev, 1, -1);
    report(4, "epoll_wait", r, errno);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) return 9;
    FILE *control = fopen(argv[1], "r+");
    if (!control) return 8;
    if (pipe(pipe_fds) || pipe(epoll_pipe)) return 1;
    epfd = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN};
    epoll_ctl(epfd, EPOLL_CTL_ADD, epoll_pipe[0], &ev);
    listener = socket(AF_UNIX, SOCK_STREAM, 0);
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path + 1, sizeof addr.sun_path - 1, "jpoline-blocked-%d", getpid()); /* abstract */
    socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(addr.sun_path + 1);
    if (bind(listener, (struct sockaddr *)&addr, len) || listen(listener, 1)) return 2;
    pthread_t t[5];
    void *(*fns[5])(void *) = {reader, sleeper, waiter, acceptor, poller};
    for (int i = 0; i < 5; i++) pthread_create(&t[i], NULL, fns[i], NULL);
    while (atomic_load(&blocked) < 5) usleep(1000);
    usleep(200000);
    printf("ready %d\n", getpid());
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, control)) return 3;
    /* The sleeper wakes by itself; the others are woken here. */
    if (write(pipe_fds[1], "x", 1) != 1 || write(epoll_pipe[1], "x", 1) != 1) return 4;
    atomic_store(&futex_word, 1);
    syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(c, (struct sockaddr *)&addr, len)) return 5;
    for (int i = 0; i < 5; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 5; i++) printf("%s\n", results[i]);
    return 0;
}
