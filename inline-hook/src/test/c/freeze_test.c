/* Threads and code for FreezeTest, built by the test into a shared library that it loads with
 * JNA. Every thread started here is joined by jpt_stop_all(). */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define HIDDEN __attribute__((visibility("hidden")))
#define MAX_THREADS 1024

static pthread_t threads[MAX_THREADS];
static int thread_count;
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int stop;

static int start(void *(*fn)(void *), void *arg) {
    pthread_mutex_lock(&threads_lock);
    int rc = thread_count < MAX_THREADS ? pthread_create(&threads[thread_count], NULL, fn, arg) : EAGAIN;
    if (rc == 0) thread_count++;
    pthread_mutex_unlock(&threads_lock);
    return rc;
}

static long futex(volatile uint32_t *word, int op, uint32_t value) {
    return syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

/* Sleeps `ns`, resuming after EINTR: a freeze interrupts nanosleep, which is never restarted. */
static void sleep_ns(long ns) {
    struct timespec left = {ns / 1000000000L, ns % 1000000000L};
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {
    }
}

/* ---- (1) threads of every kind ----------------------------------------------------------- */

static volatile uint64_t spins[MAX_THREADS];
static volatile uint32_t idle_word;
static volatile uint64_t sleeps, futex_returns, futex_waiting;

static void *spinner(void *arg) {
    volatile uint64_t *count = &spins[(intptr_t)arg];
    while (!stop) (*count)++;
    return NULL;
}

EXPORT int jpt_start_spinners(int n) {
    for (int i = 0; i < n; i++)
        if (start(spinner, (void *)(intptr_t)i) != 0) return -1;
    return 0;
}

EXPORT uint64_t jpt_spin_total(void) {
    uint64_t total = 0;
    for (int i = 0; i < MAX_THREADS; i++) total += spins[i];
    return total;
}

/* Readers blocked in read(2) on a pipe each: SA_RESTART restarts the read after the freeze. */
#define MAX_PIPES 64
static int pipes[MAX_PIPES][2];
static int pipe_count;
static volatile int pipe_got[MAX_PIPES];

static void *pipe_reader(void *arg) {
    int i = (int)(intptr_t)arg;
    char c = 0;
    ssize_t n;
    do n = read(pipes[i][0], &c, 1);
    while (n < 0 && errno == EINTR);
    pipe_got[i] = n == 1 ? c : -1 - errno; /* an EINTR here would be a restart that failed */
    return NULL;
}

EXPORT int jpt_start_pipe_readers(int n) {
    for (int i = 0; i < n && pipe_count < MAX_PIPES; i++) {
        if (pipe(pipes[pipe_count]) != 0) return -1;
        pipe_got[pipe_count] = 0;
        if (start(pipe_reader, (void *)(intptr_t)pipe_count) != 0) return -1;
        pipe_count++;
    }
    return 0;
}

/* Writes 'A' + i into pipe i; returns how many readers got exactly theirs (after waiting). */
EXPORT int jpt_pipe_feed_and_check(void) {
    for (int i = 0; i < pipe_count; i++) {
        char c = (char)('A' + i % 26);
        if (write(pipes[i][1], &c, 1) != 1) return -1;
    }
    int ok = 0;
    for (int tries = 0; tries < 5000 && ok < pipe_count; tries++) {
        ok = 0;
        for (int i = 0; i < pipe_count; i++) ok += pipe_got[i] == 'A' + i % 26;
        if (ok < pipe_count) sleep_ns(1000000);
    }
    return ok;
}

static void *sleeper(void *arg) {
    (void)arg;
    while (!stop) {
        sleep_ns(20000000);
        __atomic_add_fetch(&sleeps, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

EXPORT int jpt_start_sleepers(int n) {
    for (int i = 0; i < n; i++)
        if (start(sleeper, NULL) != 0) return -1;
    return 0;
}

EXPORT uint64_t jpt_sleep_rounds(void) { return __atomic_load_n(&sleeps, __ATOMIC_RELAXED); }

/* Waiters in FUTEX_WAIT without a timeout, restarted after a handler. */
static volatile uint32_t futex_word;

static void *futex_waiter(void *arg) {
    (void)arg;
    __atomic_add_fetch(&futex_waiting, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&futex_word, __ATOMIC_ACQUIRE) == 0) futex(&futex_word, FUTEX_WAIT_PRIVATE, 0);
    __atomic_add_fetch(&futex_returns, 1, __ATOMIC_RELAXED);
    return NULL;
}

EXPORT int jpt_start_futex_waiters(int n) {
    for (int i = 0; i < n; i++)
        if (start(futex_waiter, NULL) != 0) return -1;
    return 0;
}

/* Wakes the futex waiters; returns how many returned (after waiting for them). */
EXPORT int jpt_futex_release_and_count(int expected) {
    __atomic_store_n(&futex_word, 1, __ATOMIC_RELEASE);
    futex(&futex_word, FUTEX_WAKE_PRIVATE, 0x7fffffff);
    for (int tries = 0; tries < 5000 && (int)futex_returns < expected; tries++) sleep_ns(1000000);
    return (int)futex_returns;
}

/* Idle threads, as most of a JVM's are: parked in a futex until jpt_stop_all. */
static void *idler(void *arg) {
    (void)arg;
    while (!stop) futex(&idle_word, FUTEX_WAIT_PRIVATE, 0);
    return NULL;
}

EXPORT int jpt_start_idle(int n) {
    for (int i = 0; i < n; i++)
        if (start(idler, NULL) != 0) return -1;
    return 0;
}

/* ---- (2) a loop in two copies: a thread in A is moved into B ------------------------------ */

HIDDEN volatile uint64_t jpt_count_a, jpt_count_b;
static volatile int loop_stop;

/* void loop(volatile int *stop): counts until *stop. Both copies have the same instruction
 * lengths, so boundary i of A corresponds to boundary i of B. */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl jpt_loop_a\n.hidden jpt_loop_a\n.type jpt_loop_a, @function\n"
        "jpt_loop_a:\n"
        ".globl jpt_loop_a1\n.hidden jpt_loop_a1\n"
        ".globl jpt_loop_a2\n.hidden jpt_loop_a2\n"
        ".globl jpt_loop_a3\n.hidden jpt_loop_a3\n"
        ".globl jpt_loop_a4\n.hidden jpt_loop_a4\n"
        "    lock incq jpt_count_a(%rip)\n"
        "jpt_loop_a1: pause\n"
        "jpt_loop_a2: cmpl $0, (%rdi)\n"
        "jpt_loop_a3: je jpt_loop_a\n"
        "jpt_loop_a4: ret\n"
        ".size jpt_loop_a, . - jpt_loop_a\n"
        ".p2align 4\n"
        ".globl jpt_loop_b\n.hidden jpt_loop_b\n.type jpt_loop_b, @function\n"
        "jpt_loop_b:\n"
        "    lock incq jpt_count_b(%rip)\n"
        "    pause\n"
        "    cmpl $0, (%rdi)\n"
        "    je jpt_loop_b\n"
        "    ret\n"
        ".size jpt_loop_b, . - jpt_loop_b\n");
void jpt_loop_a(volatile int *stop_flag) HIDDEN;
void jpt_loop_b(volatile int *stop_flag) HIDDEN;
extern const char jpt_loop_a1[], jpt_loop_a2[], jpt_loop_a3[], jpt_loop_a4[] HIDDEN;

static void *looper(void *arg) {
    (void)arg;
    jpt_loop_a(&loop_stop);
    return NULL;
}

EXPORT int jpt_start_looper(void) {
    loop_stop = 0;
    jpt_count_a = jpt_count_b = 0;
    return start(looper, NULL);
}

/* The 5 instruction boundaries of each copy; returns the number. */
EXPORT int jpt_loop_boundaries(uint64_t *a, uint64_t *b) {
    const char *at[5] = {(const char *)jpt_loop_a, jpt_loop_a1, jpt_loop_a2, jpt_loop_a3, jpt_loop_a4};
    for (int i = 0; i < 5; i++) {
        a[i] = (uint64_t)at[i];
        b[i] = (uint64_t)jpt_loop_b + (uint64_t)(at[i] - (const char *)jpt_loop_a);
    }
    return 5;
}

EXPORT uint64_t jpt_loop_count_a(void) { return jpt_count_a; }
EXPORT uint64_t jpt_loop_count_b(void) { return jpt_count_b; }

/* The same loop, interrupted by a handler of another signal that runs on a sigaltstack and
 * waits there: the loop's instruction pointer is then only in the signal context saved on the
 * sigaltstack. */
static volatile int nested_in_handler, nested_release, nested_signal;
static pthread_t nested_thread;
static char nested_altstack[1 << 16];

static void nested_handler(int sig) {
    (void)sig;
    nested_in_handler = 1;
    while (!nested_release) sleep_ns(1000000);
}

static void *nested_looper(void *arg) {
    (void)arg;
    stack_t ss = {.ss_sp = nested_altstack, .ss_flags = 0, .ss_size = sizeof nested_altstack};
    sigaltstack(&ss, NULL);
    jpt_loop_a(&loop_stop);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    return NULL;
}

/* Starts the looper with a sigaltstack and a handler for a free real-time signal; returns it. */
EXPORT int jpt_start_nested_looper(void) {
    nested_in_handler = nested_release = 0;
    jpt_count_a = jpt_count_b = 0;
    loop_stop = 0;
    if (nested_signal == 0) {
        for (int sig = SIGRTMAX; sig > SIGRTMIN + 8 && nested_signal == 0; sig--) {
            struct sigaction old;
            if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
                struct sigaction sa;
                memset(&sa, 0, sizeof sa);
                sa.sa_handler = nested_handler;
                sa.sa_flags = SA_ONSTACK; /* nothing blocked: the freeze's signal gets through */
                sigemptyset(&sa.sa_mask);
                if (sigaction(sig, &sa, NULL) == 0) nested_signal = sig;
            }
        }
        if (nested_signal == 0) return -1;
    }
    pthread_mutex_lock(&threads_lock);
    int rc = pthread_create(&threads[thread_count], NULL, nested_looper, NULL);
    if (rc == 0) nested_thread = threads[thread_count++];
    pthread_mutex_unlock(&threads_lock);
    return rc == 0 ? nested_signal : -1;
}

/* Sends the signal; returns once the handler runs (1), or 0. */
EXPORT int jpt_nested_interrupt(void) {
    if (pthread_kill(nested_thread, nested_signal) != 0) return 0;
    for (int tries = 0; tries < 5000 && !nested_in_handler; tries++) sleep_ns(1000000);
    return nested_in_handler;
}

EXPORT void jpt_nested_release(void) { nested_release = 1; }

/* ---- (3) a return address on a blocked thread's stack ------------------------------------ */

HIDDEN volatile int jpt_ret_flag_a, jpt_ret_flag_b, jpt_ret_waiting, jpt_ret_go;

HIDDEN void jpt_ret_wait(void) {
    jpt_ret_waiting = 1;
    while (!jpt_ret_go) sleep_ns(1000000);
}

/* jpt_ret_outer calls jpt_ret_wait; the return address is jpt_ret_after, which sets flag a.
 * jpt_ret_alt leaves the stack exactly as jpt_ret_after does but sets flag b. */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl jpt_ret_outer\n.hidden jpt_ret_outer\n.type jpt_ret_outer, @function\n"
        "jpt_ret_outer:\n"
        "    sub $8, %rsp\n"
        "    call jpt_ret_wait\n"
        ".globl jpt_ret_after\n.hidden jpt_ret_after\n"
        "jpt_ret_after:\n"
        "    movl $1, jpt_ret_flag_a(%rip)\n"
        "    add $8, %rsp\n"
        "    ret\n"
        ".globl jpt_ret_alt\n.hidden jpt_ret_alt\n"
        "jpt_ret_alt:\n"
        "    movl $1, jpt_ret_flag_b(%rip)\n"
        "    add $8, %rsp\n"
        "    ret\n"
        ".size jpt_ret_outer, . - jpt_ret_outer\n");
void jpt_ret_outer(void) HIDDEN;
extern const char jpt_ret_after[], jpt_ret_alt[] HIDDEN;

static void *returner(void *arg) {
    (void)arg;
    jpt_ret_outer();
    return NULL;
}

EXPORT int jpt_start_returner(void) {
    jpt_ret_flag_a = jpt_ret_flag_b = jpt_ret_waiting = jpt_ret_go = 0;
    return start(returner, NULL);
}

EXPORT int jpt_returner_waiting(void) { return jpt_ret_waiting; }
EXPORT uint64_t jpt_ret_after_address(void) { return (uint64_t)jpt_ret_after; }
EXPORT uint64_t jpt_ret_alt_address(void) { return (uint64_t)jpt_ret_alt; }

/* Lets the returner return; then 1 = it came back through jpt_ret_after, 2 = jpt_ret_alt. */
EXPORT int jpt_returner_finish(void) {
    jpt_ret_go = 1;
    for (int tries = 0; tries < 5000 && !jpt_ret_flag_a && !jpt_ret_flag_b; tries++) sleep_ns(1000000);
    return (jpt_ret_flag_a ? 1 : 0) | (jpt_ret_flag_b ? 2 : 0);
}

/* ---- (4) a thread that blocks the freeze signal ----------------------------------------- */

static volatile int blocker_signal, blocker_unblock, blocker_ready;
static volatile int blocker_tid, blocker_pending_before, blocker_pending_after;
static volatile uint64_t blocker_rounds;

static void *blocker(void *arg) {
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, blocker_signal);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    blocker_tid = (int)syscall(SYS_gettid);
    blocker_ready = 1;
    while (!blocker_unblock && !stop) {
        sleep_ns(1000000);
        blocker_rounds++;
    }
    sigset_t pending;
    sigpending(&pending);
    blocker_pending_before = sigismember(&pending, blocker_signal);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL); /* the stale signal is delivered here */
    sigpending(&pending);
    blocker_pending_after = sigismember(&pending, blocker_signal);
    blocker_unblock = 2;
    while (!stop) {
        sleep_ns(1000000);
        blocker_rounds++;
    }
    return NULL;
}

EXPORT int jpt_start_blocker(int sig) {
    blocker_signal = sig;
    blocker_unblock = blocker_ready = 0;
    blocker_rounds = 0;
    if (start(blocker, NULL) != 0) return -1;
    while (!blocker_ready) sleep_ns(1000000);
    return blocker_tid;
}

EXPORT uint64_t jpt_blocker_rounds(void) { return blocker_rounds; }

/* Unblocks; returns pending-before * 2 + pending-after once the thread did it. */
EXPORT int jpt_blocker_unblock(void) {
    blocker_unblock = 1;
    while (blocker_unblock != 2) sleep_ns(1000000);
    return blocker_pending_before * 2 + blocker_pending_after;
}

/* ---- (5) read-only text changed under a freeze ------------------------------------------- */

/* int jpt_one(void) { return 1; } and int jpt_probe(void) { return 7; }, each followed by
 * padding so that a 6-byte rewrite stays inside. */
__asm__(".text\n"
        ".p2align 4\n"
        ".globl jpt_one\n.type jpt_one, @function\n"
        "jpt_one:\n"
        "    mov $1, %eax\n"
        "    ret\n"
        "    int3; int3; int3; int3; int3; int3; int3; int3; int3; int3\n"
        ".size jpt_one, . - jpt_one\n"
        ".p2align 4\n"
        ".globl jpt_probe\n.type jpt_probe, @function\n"
        "jpt_probe:\n"
        "    mov $7, %eax\n"
        "    ret\n"
        "    int3; int3; int3; int3; int3; int3; int3; int3; int3; int3\n"
        ".size jpt_probe, . - jpt_probe\n");
EXPORT int jpt_one(void);
EXPORT int jpt_probe(void);

static volatile uint64_t results[4]; /* [0] other, [1] ones, [2] twos */
static int (*volatile one_fn)(void) = jpt_one;

static void *caller(void *arg) {
    (void)arg;
    while (!stop) {
        int r = one_fn();
        __atomic_add_fetch(&results[r == 1 ? 1 : r == 2 ? 2 : 0], 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

EXPORT int jpt_start_caller(void) {
    results[0] = results[1] = results[2] = 0;
    return start(caller, NULL);
}

EXPORT uint64_t jpt_caller_results(int which) { return results[which]; }

/* ---- (6) threads that come and go ------------------------------------------------------- */

static volatile uint64_t churned;

static void *short_lived(void *arg) {
    (void)arg;
    volatile int x = 0;
    for (int i = 0; i < 1000; i++) x += i;
    return NULL;
}

static void *churner(void *arg) {
    (void)arg;
    while (!stop) {
        pthread_t t[4];
        int n = 0;
        for (int i = 0; i < 4; i++)
            if (pthread_create(&t[n], NULL, short_lived, NULL) == 0) n++;
        for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
        __atomic_add_fetch(&churned, (uint64_t)n, __ATOMIC_RELAXED);
    }
    return NULL;
}

EXPORT int jpt_start_churners(int n) {
    for (int i = 0; i < n; i++)
        if (start(churner, NULL) != 0) return -1;
    return 0;
}

EXPORT uint64_t jpt_churned(void) { return __atomic_load_n(&churned, __ATOMIC_RELAXED); }

/* ---- every test ------------------------------------------------------------------------- */

EXPORT int jpt_membarrier_sync_core(void) {
    long mask = syscall(SYS_membarrier, 0 /* MEMBARRIER_CMD_QUERY */, 0, 0);
    return mask > 0 && (mask & (1 << 5)) != 0;
}

/* Stops and joins every thread started here; returns how many were joined. */
EXPORT int jpt_stop_all(void) {
    stop = 1;
    loop_stop = 1;
    nested_release = 1;
    jpt_ret_go = 1;
    blocker_unblock = blocker_unblock == 0 ? 1 : blocker_unblock;
    futex_word = 1;
    futex(&futex_word, FUTEX_WAKE_PRIVATE, 0x7fffffff);
    idle_word = 1;
    futex(&idle_word, FUTEX_WAKE_PRIVATE, 0x7fffffff);
    for (int i = 0; i < pipe_count; i++) {
        char c = 0;
        if (pipe_got[i] == 0 && write(pipes[i][1], &c, 1) != 1) return -1;
    }
    pthread_mutex_lock(&threads_lock);
    int joined = 0;
    for (int i = 0; i < thread_count; i++)
        if (pthread_join(threads[i], NULL) == 0) joined++;
    thread_count = 0;
    pthread_mutex_unlock(&threads_lock);
    for (int i = 0; i < pipe_count; i++) {
        close(pipes[i][0]);
        close(pipes[i][1]);
    }
    pipe_count = 0;
    /* Ready for the next test. */
    stop = 0;
    idle_word = 0;
    futex_word = 0;
    futex_returns = futex_waiting = 0;
    for (int i = 0; i < MAX_THREADS; i++) spins[i] = 0;
    return joined;
}
