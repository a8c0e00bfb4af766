/* A target under load for remote hooks: argv[2] threads call compute() in a loop and check each
 * result is either the original's (3x+1) or the payload's detour's (3x+1 + 1000000); anything
 * else is a torn call. With argv[3] "churn", one more thread creates and joins short-lived
 * threads without pause (threads born while jpoline attaches). Commands arrive as lines on the
 * FIFO argv[1]: "report" prints "calls=N hooked=H bad=B", "fork" prints "child R" with what
 * compute(5) returned in a forked child, "quit" ends it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_long calls, hooked, bad;
static atomic_int stop;

/* A jcc among the first five bytes (DynHook refuses such a prologue). */
__attribute__((noinline)) long compute(long x) {
    if (x < 0) {
        return -1;
    }
    return x * 3 + 1;
}

/* One `ret`: too short for any jump, the refusal a remote hook must give in one line. */
__attribute__((noinline)) void tiny(void) {
    __asm__ volatile("");
}

static void *worker(void *arg) {
    long x = (long)arg * 1000003;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        x = (x + 7) & 0xffffff;
        long r = compute(x);
        if (r == x * 3 + 1) {
            /* original */
        } else if (r == x * 3 + 1 + 1000000) {
            atomic_fetch_add_explicit(&hooked, 1, memory_order_relaxed);
        } else {
            atomic_fetch_add_explicit(&bad, 1, memory_order_relaxed);
        }
        atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    }
    return NULL;
}

static void *short_lived(void *arg) {
    return arg;
}

static atomic_long born;

static void *churn(void *arg) {
    (void)arg;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        pthread_t t;
        if (pthread_create(&t, NULL, short_lived, NULL) == 0) {
            pthread_join(t, NULL);
            atomic_fetch_add_explicit(&born, 1, memory_order_relaxed);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3 && argc != 4) return 9;
    FILE *control = fopen(argv[1], "r+");
    if (!control) return 8;
    int n = atoi(argv[2]);
    pthread_t *t = calloc(n, sizeof *t);
    for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, worker, (void *)(long)i);
    pthread_t churner;
    int churning = argc == 4 && strcmp(argv[3], "churn") == 0;
    if (churning) pthread_create(&churner, NULL, churn, NULL);
    while (atomic_load(&calls) < 1000) usleep(1000);
    tiny();
    printf("ready %d\n", getpid());
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, control)) {
        if (strncmp(line, "report", 6) == 0) {
            printf("calls=%ld hooked=%ld bad=%ld\n", atomic_load(&calls), atomic_load(&hooked), atomic_load(&bad));
            fflush(stdout);
        } else if (strncmp(line, "fork", 4) == 0) {
            pid_t child = fork();
            if (child == 0) {
                printf("child %ld\n", compute(5));
                fflush(stdout);
                _exit(0);
            }
            waitpid(child, NULL, 0);
        } else if (strncmp(line, "quit", 4) == 0) {
            break;
        }
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    if (churning) pthread_join(churner, NULL);
    printf("done bad=%ld\n", atomic_load(&bad));
    return 0;
}
