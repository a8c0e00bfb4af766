/* Under Syscall User Dispatch, shows whether libc's getppid site was jump-patched: prints the
 * site's bytes (eb: jmp rel8 to its hop; 0f 05: it traps; ff d0: rewritten for VA0), the site's
 * address, and how many SUD traps N getppid calls cost, from the runtime's own counter. Then the
 * same from a thread and from a fork child, which inherit the patched code. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static uint64_t (*trap_count)(void);
static int calls = 1000;

static long traps_for_calls(void) {
    uint64_t before = trap_count ? trap_count() : 0;
    pid_t parent = getppid();
    for (int i = 0; i < calls; i++)
        if (getppid() != parent) return -1;
    return trap_count ? (long)(trap_count() - before) : -2;
}

static volatile int thread_done, main_spinning;

static void *thread_main(void *arg) {
    /* The counter is the process's, so nothing else may make a syscall while the thread counts:
     * main's pthread_create still restores its signal mask after the clone (a site without a hop
     * may trap), so the thread starts counting only once main spins, and main spins instead of
     * waiting in a futex. */
    while (!__atomic_load_n(&main_spinning, __ATOMIC_ACQUIRE)) __asm__ volatile("pause");
    *(long *)arg = traps_for_calls();
    __atomic_store_n(&thread_done, 1, __ATOMIC_RELEASE);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1) calls = atoi(argv[1]);
    trap_count = (uint64_t(*)(void))dlsym(RTLD_DEFAULT, "jpoline_sud_trap_count");
    const unsigned char *p = (const unsigned char *)dlsym(RTLD_NEXT, "getppid");
    if (!p) p = (const unsigned char *)&getppid;
    int at = -1;
    for (int i = 0; i < 64 && at < 0; i++)
        if ((p[i] == 0x0f && p[i + 1] == 0x05) || (p[i] == 0xff && p[i + 1] == 0xd0) || p[i] == 0xeb) at = i;
    if (at < 0) {
        printf("no site found in getppid\n");
        return 1;
    }
    printf("site %02x %02x at %p\n", p[at], p[at + 1], (void *)(p + at));
    printf("main traps %ld\n", traps_for_calls());
    long thread_traps = -3;
    pthread_t t;
    if (pthread_create(&t, NULL, thread_main, &thread_traps) != 0) return 2;
    __atomic_store_n(&main_spinning, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&thread_done, __ATOMIC_ACQUIRE)) __asm__ volatile("pause");
    if (pthread_join(t, NULL) != 0) return 2;
    printf("thread traps %ld\n", thread_traps);
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        printf("child traps %ld\n", traps_for_calls());
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 3;
    return 0;
}
