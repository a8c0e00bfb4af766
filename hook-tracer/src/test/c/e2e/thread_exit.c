/* The main thread exits with pthread_exit while workers keep making syscalls; the last one ends the process. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *worker(void *arg) {
    long id = (long)arg;
    for (int i = 0; i < 2000; i++) getppid();
    usleep(1000 * (20 * id));
    printf("worker %ld done\n", id);
    fflush(stdout);
    return NULL;
}

int main(void) {
    pthread_t t[3];
    for (long i = 0; i < 3; i++) pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    printf("main thread leaving\n");
    fflush(stdout);
    pthread_exit(NULL);
}
