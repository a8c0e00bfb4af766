/* Target of RemotePauseBench: argv[1] threads each loop reading CLOCK_MONOTONIC and calling
 * compute(), keeping the longest gap between two consecutive readings. A ptrace stop (or the
 * scheduler) shows up as such a gap, so this is the pause as the target itself sees it.
 * Commands arrive as lines on the FIFO argv[2]: "reset" zeroes every thread's longest gap and
 * prints "ok", "max" prints the longest gap over all threads as "max US" (microseconds), "quit"
 * stops the threads and exits. Prints "ready PID" once every thread has run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop;
static atomic_int running;
static atomic_long *max_gap; /* per thread, ns */
static atomic_long sink;     /* keeps compute's results alive */

/* The hooked function: exported, not inlined, so every iteration really calls it. */
__attribute__((noinline)) long compute(long x) {
    if (x < 0) {
        return -1;
    }
    return x * 3 + 1;
}

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void *worker(void *arg) {
    long i = (long)arg;
    long x = i, acc = 0;
    long prev = now_ns();
    atomic_fetch_add(&running, 1);
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        long t = now_ns();
        long gap = t - prev;
        prev = t;
        /* A reset racing with this store can only lose a gap that ended before the reset. */
        if (gap > atomic_load_explicit(&max_gap[i], memory_order_relaxed)) {
            atomic_store_explicit(&max_gap[i], gap, memory_order_relaxed);
        }
        x = (x + 7) & 0xffffff;
        acc += compute(x);
    }
    atomic_fetch_add(&sink, acc);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: pause_target THREADS CONTROL_FIFO\n");
        return 2;
    }
    int n = atoi(argv[1]);
    /* r+: opening a FIFO for reading and writing never waits for a writer. */
    FILE *control = fopen(argv[2], "r+");
    if (n < 1 || !control) {
        perror("pause_target");
        return 2;
    }
    max_gap = calloc(n, sizeof *max_gap);
    pthread_t *t = calloc(n, sizeof *t);
    for (long i = 0; i < n; i++) {
        pthread_create(&t[i], NULL, worker, (void *)i);
    }
    while (atomic_load(&running) < n) {
        usleep(1000);
    }
    printf("ready %d\n", getpid());
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, control)) {
        if (strncmp(line, "reset", 5) == 0) {
            for (int i = 0; i < n; i++) {
                atomic_store(&max_gap[i], 0);
            }
            printf("ok\n");
        } else if (strncmp(line, "max", 3) == 0) {
            long m = 0;
            for (int i = 0; i < n; i++) {
                long g = atomic_load(&max_gap[i]);
                m = g > m ? g : m;
            }
            printf("max %ld\n", m / 1000);
        } else if (strncmp(line, "quit", 4) == 0) {
            break;
        }
        fflush(stdout);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
    }
    return 0;
}
