/* While one thread is held in a slow hook, another thread's hooked calls and a signal handler's
 * hooked call (on the held thread itself) must still be answered promptly. The slow call is
 * getpriority(PRIO_PROCESS, 777); the host's test hook holds exactly that one. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile long handler_result = -99;

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void on_alarm(int sig) {
    (void)sig;
    handler_result = syscall(SYS_getpriority, PRIO_PROCESS, 0);
}

static void *fast_caller(void *arg) {
    (void)arg;
    usleep(200 * 1000); /* let the main thread get held first */
    double start = now_ms();
    long ok = 0;
    for (int i = 0; i < 100; i++) ok += syscall(SYS_getpriority, PRIO_PROCESS, 0) >= 0;
    printf("other thread: 100 hooked calls answered (%ld ok) in under 1 s: %s\n", ok, now_ms() - start < 1000 ? "yes" : "no");
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, fast_caller, NULL);
    struct itimerval it = {{0, 0}, {0, 400 * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
    long slow = syscall(SYS_getpriority, PRIO_PROCESS, 777);
    pthread_join(t, NULL);
    printf("held call returned %s\n", slow == -1 ? "-1 (no such process)" : "something else");
    printf("signal handler's hooked call returned a priority: %s\n", handler_result >= 0 ? "yes" : "no");
    return 0;
}
