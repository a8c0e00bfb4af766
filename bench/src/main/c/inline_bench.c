/* Native side of InlineHookBench: targets, detours and timing loops, so that a call's cost is
 * measured in native code (a JNA call alone costs far more than a hook). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define TARGET __attribute__((noinline, noipa, used))

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The hooked function and a detour with the same body: their difference is the hook's jumps. */
TARGET long bench_target(long x) { return x * 3 + (x >> 2) + 1; }
TARGET long bench_detour(long x) { return x * 3 + (x >> 2) + 1; }
/* A detour that calls the original through the trampoline. */
long (*bench_original)(long);
TARGET long bench_detour_calling_original(long x) { return bench_original(x); }
/* A copy of the target to compare against the trampoline. */
TARGET long bench_copy(long x) { return x * 3 + (x >> 2) + 1; }

/* ns for n calls of fn, best of `rounds` */
TARGET uint64_t bench_calls(long (*fn)(long), long n, int rounds) {
    uint64_t best = UINT64_MAX;
    for (int r = 0; r < rounds; r++) {
        long acc = 0;
        uint64_t t0 = now_ns();
        for (long i = 0; i < n; i++) acc += fn(i);
        uint64_t t = now_ns() - t0;
        __asm__ volatile("" ::"r"(acc));
        if (t < best) best = t;
    }
    return best;
}

/* 100 distinct functions for the batch benchmark. */
#define F(n) TARGET long bench_f##n(long x) { return x * (n + 3) + (x >> 1) + n; }
#define F10(t) F(t##0) F(t##1) F(t##2) F(t##3) F(t##4) F(t##5) F(t##6) F(t##7) F(t##8) F(t##9)
F(0) F(1) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9)
F10(1) F10(2) F10(3) F10(4) F10(5) F10(6) F10(7) F10(8) F10(9)

/* Threads that exist but mostly sleep, as a JVM's do: the freeze must reach every one. */
static volatile long idle_stop;
static pthread_t idle_threads[1024];
static int idle_count;

static void *idle_main(void *arg) {
    (void)arg;
    while (!__atomic_load_n(&idle_stop, __ATOMIC_ACQUIRE)) {
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, 0);
    }
    return 0;
}

TARGET int bench_idle_threads(int n) {
    __atomic_store_n(&idle_stop, 0, __ATOMIC_RELEASE);
    while (idle_count < n && idle_count < 1024) {
        if (pthread_create(&idle_threads[idle_count], 0, idle_main, 0) != 0) break;
        idle_count++;
    }
    return idle_count;
}

TARGET void bench_idle_stop(void) {
    __atomic_store_n(&idle_stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < idle_count; i++) pthread_join(idle_threads[i], 0);
    idle_count = 0;
}

/* InstrumentBench: a probe site (the add, with room for a jump over the nops after it), a
 * native callback that does nothing, and the bare cost of a SIGTRAP round trip to compare the
 * trap path with. */
__asm__(".text\n\t.globl probe_site\n\t.type probe_site, @function\n\t.p2align 4\nprobe_site:\n\t"
        "mov %rdi, %rax\n\t"
        "add $1, %rax\n\t"
        "nop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
        "ret\n\t.size probe_site, .-probe_site");
TARGET void null_callback(uint64_t address, uint64_t *context) {
    (void)address;
    (void)context;
}

#include <signal.h>
#include <string.h>
static void empty_trap_handler(int sig) { (void)sig; }

/* ns per int3 -> SIGTRAP handler that only returns -> next instruction, best of `rounds`. */
TARGET uint64_t bench_trap_round_trips(long n, int rounds) {
    struct sigaction mine, old;
    memset(&mine, 0, sizeof mine);
    mine.sa_handler = empty_trap_handler;
    mine.sa_flags = SA_NODEFER;
    sigaction(SIGTRAP, &mine, &old);
    uint64_t best = UINT64_MAX;
    for (int r = 0; r < rounds; r++) {
        uint64_t t0 = now_ns();
        for (long i = 0; i < n; i++) __asm__ volatile("int3");
        uint64_t t = now_ns() - t0;
        if (t < best) best = t;
    }
    sigaction(SIGTRAP, &old, 0);
    return best / (uint64_t)n;
}
