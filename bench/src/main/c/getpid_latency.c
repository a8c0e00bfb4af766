/* Times each of N getpid calls on its own and prints the median and 99th percentile in ns. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int compare(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000;
    long long *samples = malloc(sizeof(long long) * n);
    for (long i = 0; i < n / 10; i++) syscall(SYS_getpid); /* warm-up */
    for (long i = 0; i < n; i++) {
        long long start = now_ns();
        syscall(SYS_getpid);
        samples[i] = now_ns() - start;
    }
    qsort(samples, n, sizeof samples[0], compare);
    printf("%lld %lld\n", samples[n / 2], samples[n * 99 / 100]);
    return 0;
}
