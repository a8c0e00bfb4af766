/* Two threads, each calling getpid four times: `-e inject=getpid:...:when=...` counts per
 * thread, as strace counts per tracee. Prints "thread N call K: R" with R "pid" for the real
 * result or the number returned, in an order that does not depend on scheduling. */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static long results[2][4];

static void *calls(void *arg) {
    long *r = arg;
    for (int i = 0; i < 4; i++) r[i] = syscall(SYS_getpid);
    return 0;
}

int main(void) {
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], 0, calls, results[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
    long pid = getpid();
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 4; k++) {
            if (results[i][k] == pid) printf("thread %d call %d: pid\n", i, k + 1);
            else printf("thread %d call %d: %ld\n", i, k + 1, results[i][k]);
        }
    return 0;
}
