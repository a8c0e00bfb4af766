/* Times N syscalls of one kind and prints ns per call: the loop's own clock, so process
 * start-up (and jpoline's rewrite of it) is not part of the figure. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    long n = atol(argv[2]);
    int fd = open("/dev/zero", O_RDONLY);
    char byte;
    double start = now_ns();
    if (strcmp(argv[1], "getpid") == 0) {
        for (long i = 0; i < n; i++) syscall(SYS_getpid);
    } else if (strcmp(argv[1], "read") == 0) {
        for (long i = 0; i < n; i++)
            if (read(fd, &byte, 1) != 1) return 3;
    } else {
        return 2;
    }
    printf("%.2f\n", (now_ns() - start) / n);
    return 0;
}
