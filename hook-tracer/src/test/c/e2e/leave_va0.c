/* A program that loads a library named libjvm.so (any shared library will do: the host knows a
 * JVM by that file name) and then reads address 0, as HotSpot's implicit null checks do. Under
 * VA0 on a CPU without protection keys, jpoline must leave VA0 for Syscall User Dispatch as the
 * library is mapped (single-threaded), or detach saying why (another thread already runs): in
 * both cases the read must fault. `leave_va0 LIB single|threaded`: prints "null read faulted",
 * then makes one getpid that a trace must show when the process stayed traced. */
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static sigjmp_buf back;

static void on_segv(int sig) {
    (void)sig;
    siglongjmp(back, 1);
}

static void *idle(void *arg) {
    (void)arg;
    pause(); /* ends with the process */
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: leave_va0 LIB single|threaded\n");
        return 2;
    }
    if (strcmp(argv[2], "threaded") == 0) {
        pthread_t t;
        if (pthread_create(&t, 0, idle, 0) != 0) return 3;
    }
    if (dlopen(argv[1], RTLD_NOW) == 0) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 4;
    }
    signal(SIGSEGV, on_segv);
    if (sigsetjmp(back, 1) == 0) {
        volatile char *null = 0;
        printf("null read gave %d\n", *null);
        return 5;
    }
    printf("null read faulted\n");
    fflush(stdout);
    syscall(SYS_getpid);
    return 0;
}
