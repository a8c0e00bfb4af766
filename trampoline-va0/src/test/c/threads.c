/* Many threads making syscalls through the entry while others are created and exit, and
 * while the site set grows (publish-by-pointer-swap): no call may be mistaken for a NULL
 * call, every result must be right, and the counters must add up exactly. */
#include <pthread.h>
#include <sys/syscall.h>

#include "jp_test.h"

#define WORKERS 8
#define CALLS_PER_WORKER 20000
#define CHURN_ROUNDS 100
#define CALLS_PER_SHORT_THREAD 100
#define EXTRA_SITE_BATCHES 40
#define EXTRA_SITES_PER_BATCH 500

static long pid;
static volatile int failures;

static void *worker(void *arg) {
    long tid = gettid();
    long n = (long)(intptr_t)arg;
    for (long i = 0; i < n; i++) {
        if (jp_syscall0(SYS_getpid) != pid || jp_syscall0(SYS_gettid) != tid) __atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void *churn(void *arg) {
    (void)arg;
    for (int round = 0; round < CHURN_ROUNDS; round++) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, (void *)(intptr_t)(CALLS_PER_SHORT_THREAD / 2)) != 0 ||
            pthread_join(t, NULL) != 0)
            __atomic_add_fetch(&failures, 1000, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* Grows the site table many times over while the workers look sites up. */
static void *registrar(void *arg) {
    (void)arg;
    static uint64_t fake[EXTRA_SITES_PER_BATCH];
    for (int b = 0; b < EXTRA_SITE_BATCHES; b++) {
        for (int i = 0; i < EXTRA_SITES_PER_BATCH; i++)
            fake[i] = 0x700000000000ull + ((uint64_t)b * EXTRA_SITES_PER_BATCH + (uint64_t)i) * 6;
        if (jpoline_sites_add(fake, EXTRA_SITES_PER_BATCH) != 0) __atomic_add_fetch(&failures, 1000, __ATOMIC_RELAXED);
    }
    return NULL;
}

int main(void) {
    jp_setup();
    pid = getpid();
    size_t sites_before = jpoline_sites_count();
    uint64_t before = jpoline_entry_count(JPOLINE_PASS);
    pthread_t workers[WORKERS], churner, reg;
    for (int i = 0; i < WORKERS; i++)
        CHECK(pthread_create(&workers[i], NULL, worker, (void *)(intptr_t)CALLS_PER_WORKER) == 0, "create");
    CHECK(pthread_create(&churner, NULL, churn, NULL) == 0, "create churner");
    CHECK(pthread_create(&reg, NULL, registrar, NULL) == 0, "create registrar");
    for (int i = 0; i < WORKERS; i++) pthread_join(workers[i], NULL);
    pthread_join(churner, NULL);
    pthread_join(reg, NULL);

    CHECK(failures == 0, "%d failures", failures);
    uint64_t expected = 2ull * (WORKERS * CALLS_PER_WORKER + CHURN_ROUNDS * (CALLS_PER_SHORT_THREAD / 2));
    uint64_t counted = jpoline_entry_count(JPOLINE_PASS) - before;
    CHECK(counted == expected, "counted %llu, expected %llu", (unsigned long long)counted,
          (unsigned long long)expected);
    CHECK(jpoline_sites_count() == sites_before + EXTRA_SITE_BATCHES * EXTRA_SITES_PER_BATCH, "site count %zu",
          jpoline_sites_count());
    for (const uint64_t *s = __start_jp_sites; s < __stop_jp_sites; s++)
        CHECK(jpoline_sites_contains(*s), "own site lost after growth");
    printf("OK threads: %llu syscalls through the entry\n", (unsigned long long)counted);
    return 0;
}
