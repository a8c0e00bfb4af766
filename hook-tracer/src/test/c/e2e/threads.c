/* Many threads making syscalls while others are created and exit; the sum proves none was lost. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WAVES 4
#define PER_WAVE 6
#define CALLS 3000

static void *worker(void *arg) {
    long id = (long)arg, ok = 0;
    int fds[2];
    if (pipe(fds) != 0) return (void *)-1L;
    for (int i = 0; i < CALLS; i++) {
        char b = (char)i, r = 0;
        if (syscall(SYS_getpid) == getpid()) ok++;
        if (write(fds[1], &b, 1) == 1 && read(fds[0], &r, 1) == 1 && r == b) ok++;
    }
    close(fds[0]);
    close(fds[1]);
    return (void *)(ok + id * 0);
}

int main(void) {
    long total = 0;
    for (int w = 0; w < WAVES; w++) {
        pthread_t t[PER_WAVE];
        for (long i = 0; i < PER_WAVE; i++)
            if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) return 2;
        for (int i = 0; i < PER_WAVE; i++) {
            void *ret;
            pthread_join(t[i], &ret);
            total += (long)ret;
        }
    }
    printf("threads: %ld of %d checks passed\n", total, WAVES * PER_WAVE * CALLS * 2);
    return total == WAVES * PER_WAVE * CALLS * 2 ? 0 : 1;
}
