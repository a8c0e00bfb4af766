/* Target of AttachCostBench: times argv[2] getpid calls each time "go" arrives as a line on the
 * FIFO argv[1] and prints "ns X" (ns per call), so one process can be measured before, while
 * and after jpoline is attached to it; "quit" exits. Prints "ready PID" first. syscall() rather
 * than getpid(): one real syscall per iteration, the same site in libc whatever the glibc. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: attach_loop CONTROL_FIFO CALLS\n");
        return 2;
    }
    /* r+: opening a FIFO for reading and writing never waits for a writer. */
    FILE *control = fopen(argv[1], "r+");
    long n = atol(argv[2]);
    if (!control || n < 1) {
        perror("attach_loop");
        return 2;
    }
    printf("ready %d\n", getpid());
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, control)) {
        if (strncmp(line, "go", 2) == 0) {
            double start = now_ns();
            for (long i = 0; i < n; i++) {
                syscall(SYS_getpid);
            }
            printf("ns %.1f\n", (now_ns() - start) / n);
            fflush(stdout);
        } else if (strncmp(line, "quit", 4) == 0) {
            return 0;
        }
    }
    return 0;
}
