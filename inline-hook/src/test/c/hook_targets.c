/* Functions of many prologue shapes for the inline-hook tests, built at several optimization
 * levels. Each target T has a transparent native detour T_same (calls the original through
 * T_orig) and a transforming one T_plus (the original's result + 1000); the test sets T_orig
 * to the hook's trampoline. noinline/noipa keep each a real call target at every level. */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TARGET __attribute__((noinline, noipa, used))

TARGET long helper_mix(long x) { return x * 2654435761L ^ (x >> 7); }

/* leaf: a few arithmetic instructions and ret (6-9 bytes at -O2) */
TARGET long leaf_add(long a, long b) { return a * 3 + b; }

/* an early call: the stolen bytes may contain a call whose return point is stolen too */
TARGET long early_call(long x) {
    long y = helper_mix(x);
    return y + x;
}

/* a large frame: sub rsp, imm32 in the prologue */
TARGET long big_frame(long n) {
    volatile char buf[9000];
    for (int i = 0; i < 9000; i += 1000) buf[i] = (char)(n + i);
    long s = 0;
    for (int i = 0; i < 9000; i += 1000) s += buf[i];
    return s + n;
}

/* a compare and a short conditional branch right at the start */
TARGET long early_jcc(long a, long b) {
    if (a > b) return a - b;
    return (b - a) * 5 + 1;
}

/* a loop whose head may sit inside the first bytes (then: BRANCH_INTO_PROLOGUE) */
TARGET long loop_sum(long n) {
    long s = 0;
    for (long i = 0; i < (n & 63); i++) s += (i * i) ^ n;
    return s;
}

/* a switch: a jump table in .rodata, an indirect jump */
TARGET long switchy(long k, long v) {
    switch (k & 15) {
    case 0: return v + 1;
    case 1: return v * 7;
    case 2: return v ^ 0x5555;
    case 3: return -v;
    case 4: return v << 3;
    case 5: return v >> 2;
    case 6: return v % 97;
    case 7: return v * v;
    case 8: return v - 12345;
    case 9: return ~v;
    default: return v + k;
    }
}

/* SSE arguments and results */
TARGET double sse_poly(double x, double y) { return x * x * 0.5 + y * 3.25 - x * y; }

/* AVX on a table: vector registers in the body */
__attribute__((target("avx2"))) TARGET long avx_sum(long seed) {
    long v[16];
    for (int i = 0; i < 16; i++) v[i] = seed * (i + 1);
    long s = 0;
    for (int i = 0; i < 16; i++) s += v[i] ^ (v[i] >> 3);
    return s;
}

/* many locals and arguments on the stack (8 integer arguments: two travel on the stack) */
TARGET long many_args(long a, long b, long c, long d, long e, long f, long g, long h) {
    volatile long locals[12] = {a, b, c, d, e, f, g, h, a ^ h, b ^ g, c ^ f, d ^ e};
    long s = 0;
    for (int i = 0; i < 12; i++) s = s * 31 + locals[i];
    return s;
}

/* a RIP-relative read-modify-write first */
static long rip_state = 17;
TARGET long rip_counter(long x) {
    rip_state = rip_state * 3 + x;
    return rip_state;
}
TARGET void rip_reset(void) { rip_state = 17; }

/* variadic: al holds the vector-register count, the prologue tests it */
TARGET long var_sum(long n, ...) {
    va_list ap;
    va_start(ap, n);
    long s = 0;
    for (long i = 0; i < (n & 7); i++) s += va_arg(ap, long);
    va_end(ap);
    return s + n;
}

#define DETOURS1(T)                                                    \
    long (*T##_orig)(long);                                            \
    TARGET long T##_same(long a) { return T##_orig(a); }               \
    TARGET long T##_plus(long a) { return T##_orig(a) + 1000; }
#define DETOURS2(T)                                                    \
    long (*T##_orig)(long, long);                                      \
    TARGET long T##_same(long a, long b) { return T##_orig(a, b); }    \
    TARGET long T##_plus(long a, long b) { return T##_orig(a, b) + 1000; }

DETOURS2(leaf_add)
DETOURS1(early_call)
DETOURS1(big_frame)
DETOURS2(early_jcc)
DETOURS1(loop_sum)
DETOURS2(switchy)
DETOURS1(avx_sum)
DETOURS1(rip_counter)

double (*sse_poly_orig)(double, double);
TARGET double sse_poly_same(double x, double y) { return sse_poly_orig(x, y); }
TARGET double sse_poly_plus(double x, double y) { return sse_poly_orig(x, y) + 1000; }

long (*many_args_orig)(long, long, long, long, long, long, long, long);
TARGET long many_args_same(long a, long b, long c, long d, long e, long f, long g, long h) {
    return many_args_orig(a, b, c, d, e, f, g, h);
}
TARGET long many_args_plus(long a, long b, long c, long d, long e, long f, long g, long h) {
    return many_args_orig(a, b, c, d, e, f, g, h) + 1000;
}

/* A variadic detour cannot forward its arguments in C; it takes the three the test passes. */
long (*var_sum_orig)(long, ...);
TARGET long var_sum_same(long n, ...) {
    va_list ap;
    va_start(ap, n);
    long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
    va_end(ap);
    return var_sum_orig(n, a, b, c);
}
TARGET long var_sum_plus(long n, ...) {
    va_list ap;
    va_start(ap, n);
    long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
    va_end(ap);
    return var_sum_orig(n, a, b, c) + 1000;
}

/* ---- for the stress test: native threads calling a hooked function in tight loops ---- */

/* One call site per target so the loop is not folded; results are classified by the test:
 * the original's value, the detour's, or torn (anything else). */
struct stress_counts {
    volatile long stop;
    long calls;
    long original;
    long hooked;
    long torn;
    long torn_input;  /* the last torn call's input and result, for the test's message */
    long torn_result;
};

TARGET long stress_target(long x) {
    long r = x;
    r = r * 5 + 3;
    r ^= r >> 3;
    return r;
}
/* The expected value, computed without calling the (maybe hooked) target. */
static inline long stress_reference(long x) {
    long r = x * 5 + 3;
    return r ^ (r >> 3);
}
long (*stress_target_orig)(long);
TARGET long stress_target_detour(long x) { return stress_target_orig(x) + 1000000; }

/* Hand-written targets (top-level asm, with ELF sizes so the engine knows where they end). */
#include "asm_function.h"

/* A target whose stolen bytes hold a call with its return point inside them (an indirect
 * call is 2 bytes): threads sit inside the callee (sleeping a few microseconds) with a return
 * address into the stolen bytes, so enabling or disabling a hook must move that return
 * address. call_first(x, fn) = fn(x) + 48. */
__attribute__((used)) static long slow_callee(long x) {
    struct timespec ts = {0, 20000};
    nanosleep(&ts, 0);
    return x + 1;
}
long call_first(long x, long (*fn)(long));
ASM_FUNCTION(call_first, "push %rbx\n\t"
                         "call *%rsi\n\t"
                         "add $7, %rax\n\t"
                         "add $11, %rax\n\t"
                         "add $13, %rax\n\t"
                         "add $17, %rax\n\t"
                         "pop %rbx\n\t"
                         "ret");
long (*call_first_orig)(long, long (*)(long));
TARGET long call_first_detour(long x, long (*fn)(long)) { return call_first_orig(x, fn) + 1000000; }

/* A target whose prologue is all there is: threads' instruction pointers are often parked
 * between its instructions. */
long spin_first(long x);
ASM_FUNCTION(spin_first, "mov %rdi, %rax\n\t"
                         "add $1, %rax\n\t"
                         "add $2, %rax\n\t"
                         "add $3, %rax\n\t"
                         "add $4, %rax\n\t"
                         "add $5, %rax\n\t"
                         "add $6, %rax\n\t"
                         "add $7, %rax\n\t"
                         "ret");
long (*spin_first_orig)(long);
TARGET long spin_first_detour(long x) { return spin_first_orig(x) + 1000000; }

static long call_first_slow(long x) { return call_first(x, slow_callee); }

static long run_stress(long (*fn)(long), long offset_hooked, long expect_add, struct stress_counts *c) {
    long i = 0;
    while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
        long x = i++ & 0xFFFF;
        long r = fn(x);
        long want = expect_add ? x + expect_add : stress_reference(x);
        if (r == want) c->original++;
        else if (r == want + offset_hooked) c->hooked++;
        else {
            c->torn++;
            c->torn_input = x;
            c->torn_result = r;
        }
        c->calls++;
    }
    return c->calls;
}

TARGET long stress_loop(struct stress_counts *c) { return run_stress(stress_target, 1000000, 0, c); }
TARGET long stress_loop_call_first(struct stress_counts *c) {
    return run_stress(call_first_slow, 1000000, 1 + 7 + 11 + 13 + 17, c);
}
TARGET long stress_loop_spin_first(struct stress_counts *c) {
    return run_stress(spin_first, 1000000, 1 + 2 + 3 + 4 + 5 + 6 + 7, c);
}

/* Native threads the JVM does not know, running a stress loop: which = 0 stress_target,
 * 1 call_first, 2 spin_first. */
struct stress_start_args {
    int which;
    struct stress_counts *counts;
};
static void *stress_main(void *p) {
    struct stress_start_args a = *(struct stress_start_args *)p;
    free(p);
    if (a.which == 0) stress_loop(a.counts);
    else if (a.which == 1) stress_loop_call_first(a.counts);
    else stress_loop_spin_first(a.counts);
    return 0;
}
TARGET long stress_start(int which, struct stress_counts *counts) {
    struct stress_start_args *a = malloc(sizeof *a);
    if (!a) return 0;
    a->which = which;
    a->counts = counts;
    pthread_t t;
    if (pthread_create(&t, 0, stress_main, a) != 0) {
        free(a);
        return 0;
    }
    return (long)t;
}
TARGET int stress_join(long thread) { return pthread_join((pthread_t)thread, 0); }

/* A native thread parked inside call_first's callee until released: with call_first hooked,
 * its return address points into the trampoline, so closing the hook must keep that memory. */
static volatile long park_released, park_entered, park_value;
static long park_callee(long x) {
    __atomic_store_n(&park_entered, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&park_released, __ATOMIC_ACQUIRE)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, 0);
    }
    return x + 1;
}
static void *park_main(void *arg) {
    (void)arg;
    park_value = call_first(100, park_callee);
    return 0;
}
TARGET long park_start(void) {
    park_released = park_entered = park_value = 0;
    pthread_t t;
    return pthread_create(&t, 0, park_main, 0) == 0 ? (long)t : 0;
}
TARGET long park_entered_yet(void) { return __atomic_load_n(&park_entered, __ATOMIC_ACQUIRE); }
TARGET long park_release(long thread) {
    __atomic_store_n(&park_released, 1, __ATOMIC_RELEASE);
    pthread_join((pthread_t)thread, 0);
    return park_value;
}

/* A native thread that blocks signal `sig` and spins until *stop: a freeze cannot park it. */
static void *blocker_main(void *p) {
    volatile long *stop = p;
    while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, 0);
    }
    return 0;
}
TARGET long blocker_start(int sig, volatile long *stop) {
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old); /* the new thread inherits the mask */
    pthread_t t;
    int rc = pthread_create(&t, 0, blocker_main, (void *)stop);
    pthread_sigmask(SIG_SETMASK, &old, 0);
    return rc == 0 ? (long)t : 0;
}

/* Too short for any jump: 3 bytes */
long tiny(void);
ASM_FUNCTION(tiny, "xor %eax, %eax\n\t"
                   "ret");

/* 8 bytes: room for the 5-byte jump only */
long short8(long x);
ASM_FUNCTION(short8, "lea 1(%rdi), %rax\n\t"
                     "add %rax, %rax\n\t"
                     "ret");

/* A loop back to offset 3, inside the first 5 bytes: BRANCH_INTO_PROLOGUE */
long loop_into(long n);
ASM_FUNCTION(loop_into, "xor %eax, %eax\n\t"
                        "nop\n"
                        "1:\n\t"
                        "add %rdi, %rax\n\t"
                        "dec %rdi\n\t"
                        "jnz 1b\n\t"
                        "ret");

/* A call to the next instruction reads its own address: copied elsewhere it would read the
 * trampoline's (UNRELOCATABLE). */
long own_address(void);
ASM_FUNCTION(own_address, "call 1f\n"
                          "1:\n\t"
                          "pop %rax\n\t"
                          "add $1, %rax\n\t"
                          "ret");

/* The call sites the tests use, so a hook's effect is seen from native code too. */
TARGET long call_tiny(void) { return tiny(); }
