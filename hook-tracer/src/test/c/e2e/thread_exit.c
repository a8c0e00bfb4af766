/* The main thread exits with pthread_exit while workers keep making syscalls; the last one ends the process. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Workers report in id order whatever the scheduler does (a loaded machine, or SUD's slower
 * syscalls, reordered a 20 ms stagger): each waits for the one before it, the first for the main thread's line. */
static volatile long turn = 0;

static void *worker(void *arg) {
    long id = (long)arg;
    for (int i = 0; i < 2000; i++) getppid();
    while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != id) usleep(1000);
    printf("worker %ld done\n", id);
    fflush(stdout);
    __atomic_store_n(&turn, id + 1, __ATOMIC_RELEASE);
    return NULL;
}

int main(void) {
    pthread_t t[3];
    for (long i = 0; i < 3; i++) pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    printf("main thread leaving\n");
    fflush(stdout);
    __atomic_store_n(&turn, 1, __ATOMIC_RELEASE);
    pthread_exit(NULL);
}
