/* Targets of the instrument-probe and code-patch tests: hand-written assembly, so that each
 * probed instruction is where the test says (calc+2 is `add eax, esi` at every optimization
 * level), and the native callbacks the probes call. A callback gets the probed address and the
 * context: 18 words in dev.jpoline.inlinehook.Register's order (rax=0 ... rsp=7 ... rip=16,
 * rflags=17). */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "asm_function.h"

#define TARGET __attribute__((noinline, noipa, used))
#define CTX_RAX 0
#define CTX_RSP 7
#define CTX_RIP 16
#define CTX_RFLAGS 17
#define ZF 0x40

/* sighook's example target: calc(a, b) = a + b, with `add eax, esi; nop` (01 f0 90) at calc+2
 * for a patch to replace by `imul eax, esi` (0f af c6). */
int calc(int a, int b);
ASM_FUNCTION(calc, "mov %edi, %eax\n\t"
                   "add %esi, %eax\n\t"
                   "nop\n\t"
                   "ret");

/* Instrument probes. calc_wide(a, b) = a + b, with room after `add eax, esi` for a 5-byte jump. */
int calc_wide(int a, int b);
ASM_FUNCTION(calc_wide, "mov %edi, %eax\n\t"
                        "add %esi, %eax\n\t"
                        "nop\n\tnop\n\tnop\n\t"
                        "ret");
/* A probe's native callback: the value sighook's example puts in eax before the add. */
TARGET void set_rax_40(uint64_t address, uint64_t *context) {
    (void)address;
    context[0] = 40;
}
/* A probe's native callback that sends execution elsewhere: over calc_wide's add and nops to its ret. */
TARGET void skip_to_ret(uint64_t address, uint64_t *context) { context[16] = address + 5; }

/* context_round_trip(out): loads 0x1111111111111111 * (n + 1) into register n of the context's
 * order (rsp excepted), sets CF and ZF, runs five nops (the probe goes on the first) and stores
 * every register and the flags as they are after them into out[18]. */
void context_round_trip(uint64_t *out);
ASM_FUNCTION(context_round_trip, "push %rbx\n\t"
                              "push %rbp\n\t"
                              "push %r12\n\t"
                              "push %r13\n\t"
                              "push %r14\n\t"
                              "push %r15\n\t"
                              "push %rdi\n\t"
                              "xor %eax, %eax\n\t"
                              "stc\n\t"
                              "movabs $0x1111111111111111, %rax\n\t"
                              "movabs $0x2222222222222222, %rbx\n\t"
                              "movabs $0x3333333333333333, %rcx\n\t"
                              "movabs $0x4444444444444444, %rdx\n\t"
                              "movabs $0x5555555555555555, %rsi\n\t"
                              "movabs $0x6666666666666666, %rdi\n\t"
                              "movabs $0x7777777777777777, %rbp\n\t"
                              "movabs $0x9999999999999999, %r8\n\t"
                              "movabs $0xaaaaaaaaaaaaaaaa, %r9\n\t"
                              "movabs $0xbbbbbbbbbbbbbbbb, %r10\n\t"
                              "movabs $0xcccccccccccccccc, %r11\n\t"
                              "movabs $0xdddddddddddddddd, %r12\n\t"
                              "movabs $0xeeeeeeeeeeeeeeee, %r13\n\t"
                              "movabs $0xffffffffffffffff, %r14\n\t"
                              "movabs $0x1111111111111110, %r15\n\t"
                              "nop\n\t"
                              "nop\n\t"
                              "nop\n\t"
                              "nop\n\t"
                              "nop\n\t"
                              "pushfq\n\t"
                              "push %rax\n\t"
                              "mov 16(%rsp), %rax\n\t"
                              "mov %rbx, 8(%rax)\n\t"
                              "mov %rcx, 16(%rax)\n\t"
                              "mov %rdx, 24(%rax)\n\t"
                              "mov %rsi, 32(%rax)\n\t"
                              "mov %rdi, 40(%rax)\n\t"
                              "mov %rbp, 48(%rax)\n\t"
                              "mov %r8, 64(%rax)\n\t"
                              "mov %r9, 72(%rax)\n\t"
                              "mov %r10, 80(%rax)\n\t"
                              "mov %r11, 88(%rax)\n\t"
                              "mov %r12, 96(%rax)\n\t"
                              "mov %r13, 104(%rax)\n\t"
                              "mov %r14, 112(%rax)\n\t"
                              "mov %r15, 120(%rax)\n\t"
                              "lea 16(%rsp), %rcx\n\t"
                              "mov %rcx, 56(%rax)\n\t"
                              "pop %rcx\n\t"
                              "mov %rcx, (%rax)\n\t"
                              "pop %rcx\n\t"
                              "mov %rcx, 136(%rax)\n\t"
                              "pop %rdi\n\t"
                              "pop %r15\n\t"
                              "pop %r14\n\t"
                              "pop %r13\n\t"
                              "pop %r12\n\t"
                              "pop %rbp\n\t"
                              "pop %rbx\n\t"
                              "ret");
/* What record_context saw; it flips every register but rsp and clears CF and ZF. */
uint64_t seen_context[18];
uint64_t seen_address;
TARGET void record_context(uint64_t address, uint64_t *context) {
    seen_address = address;
    for (int i = 0; i < 18; i++) seen_context[i] = context[i];
    for (int i = 0; i < 16; i++)
        if (i != 7) context[i] = ~context[i];
    context[17] &= ~(uint64_t)0x41;
}

/* sighook's example: instrument without the original gives calc(4, 5) = 99. */
TARGET void set_rax_99(uint64_t address, uint64_t *context) {
    (void)address;
    context[CTX_RAX] = 99;
}
/* Over the probed `add eax, esi` (2 bytes) only: on the jump path the next instruction lies
 * under the jump, so the stub must run its copy. */
TARGET void skip_add(uint64_t address, uint64_t *context) { context[CTX_RIP] = address + 2; }

/* sighook's far inline hook: target_add(6, 7) = 42 through the detour target_mul. Written as
 * -O0 writes it, 18 bytes, so that the 14-byte absolute jump fits. */
int target_add(int a, int b);
ASM_FUNCTION(target_add, "push %rbp\n\t"
                         "mov %rsp, %rbp\n\t"
                         "mov %edi, -4(%rbp)\n\t"
                         "mov %esi, -8(%rbp)\n\t"
                         "mov -4(%rbp), %eax\n\t"
                         "add -8(%rbp), %eax\n\t"
                         "pop %rbp\n\t"
                         "ret");
TARGET int target_mul(int a, int b) { return a * b; }

/* A probe on a RIP-relative load: rip_load() = probe_value. */
long probe_value = 1234;
long rip_load(void);
ASM_FUNCTION(rip_load, "mov probe_value(%rip), %rax\n\t"
                       "ret");

/* A probe on a call: call_site(x) = (x + 1) + 10, the call first. */
long call_site(long x);
ASM_FUNCTION(plus_one, "lea 1(%rdi), %rax\n\t"
                       "ret");
ASM_FUNCTION(call_site, "call plus_one\n\t"
                        "add $10, %rax\n\t"
                        "ret");

/* A probe on a jcc: branch_on(x) = x == 0 ? 2 : 1, the jz at branch_on+2. */
long branch_on(long x);
ASM_FUNCTION(branch_on, "test %edi, %edi\n\t"
                        "jz 1f\n\t"
                        "mov $1, %eax\n\t"
                        "ret\n"
                        "1:\n\t"
                        "mov $2, %eax\n\t"
                        "ret");
/* Sets ZF: the jz is taken whatever x was. */
TARGET void set_zf(uint64_t address, uint64_t *context) {
    (void)address;
    context[CTX_RFLAGS] |= ZF;
}

/* A probe on a ret: returns_7() = 7, the ret at returns_7+5, followed by padding (a jump fits over it). */
long returns_7(void);
ASM_FUNCTION(returns_7, "mov $7, %eax\n\t"
                        "ret\n\t"
                        "nop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop\n\tnop");
TARGET void set_rax_8(uint64_t address, uint64_t *context) {
    (void)address;
    context[CTX_RAX] = 8;
}

/* A callback that returns from the probed function itself, as its ret would: rip from the stack,
 * rsp above it, rax = 1234. On never_returns_early() = 1, probed at its first instruction. */
long never_returns_early(void);
ASM_FUNCTION(never_returns_early, "mov $1, %eax\n\t"
                                  "nop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
                                  "ret");
TARGET void return_1234(uint64_t address, uint64_t *context) {
    (void)address;
    uint64_t *sp = (uint64_t *)context[CTX_RSP];
    context[CTX_RIP] = sp[0];
    context[CTX_RSP] += 8;
    context[CTX_RAX] = 1234;
}

/* ymm_round_trip(in, out): loads ymm0-15 from in[16][32 bytes], runs five nops (the probe goes on
 * the first) and stores ymm0-15 into out. The probe's callback clobbers every ymm register. */
void ymm_round_trip(const void *in, void *out);
#define YMM_LOAD(n) "vmovdqu " #n "*32(%rdi), %ymm" #n "\n\t"
#define YMM_STORE(n) "vmovdqu %ymm" #n ", " #n "*32(%rsi)\n\t"
ASM_FUNCTION(ymm_round_trip, YMM_LOAD(0) YMM_LOAD(1) YMM_LOAD(2) YMM_LOAD(3) YMM_LOAD(4) YMM_LOAD(5) YMM_LOAD(6)
                                 YMM_LOAD(7) YMM_LOAD(8) YMM_LOAD(9) YMM_LOAD(10) YMM_LOAD(11) YMM_LOAD(12)
                                     YMM_LOAD(13) YMM_LOAD(14) YMM_LOAD(15) "nop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
                                         YMM_STORE(0) YMM_STORE(1) YMM_STORE(2) YMM_STORE(3) YMM_STORE(4)
                                             YMM_STORE(5) YMM_STORE(6) YMM_STORE(7) YMM_STORE(8) YMM_STORE(9)
                                                 YMM_STORE(10) YMM_STORE(11) YMM_STORE(12) YMM_STORE(13)
                                                     YMM_STORE(14) YMM_STORE(15) "vzeroupper\n\t"
                                                                                 "ret");
TARGET void clobber_ymm(uint64_t address, uint64_t *context) {
    (void)address;
    (void)context;
    __asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"
                     "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm2\n\tvmovdqa %%ymm0, %%ymm3\n\t"
                     "vmovdqa %%ymm0, %%ymm4\n\tvmovdqa %%ymm0, %%ymm5\n\tvmovdqa %%ymm0, %%ymm6\n\t"
                     "vmovdqa %%ymm0, %%ymm7\n\tvmovdqa %%ymm0, %%ymm8\n\tvmovdqa %%ymm0, %%ymm9\n\t"
                     "vmovdqa %%ymm0, %%ymm10\n\tvmovdqa %%ymm0, %%ymm11\n\tvmovdqa %%ymm0, %%ymm12\n\t"
                     "vmovdqa %%ymm0, %%ymm13\n\tvmovdqa %%ymm0, %%ymm14\n\tvmovdqa %%ymm0, %%ymm15" ::
                         : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                           "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* The program's own SIGTRAP handler, for its own int3s: jpoline's trap handler must pass them on. */
volatile long own_traps;
static void own_trap_handler(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)info;
    (void)context;
    own_traps++;
}
TARGET int install_own_trap_handler(void) {
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_sigaction = own_trap_handler;
    a.sa_flags = SA_SIGINFO;
    return sigaction(SIGTRAP, &a, 0);
}
TARGET void own_trap(void) { __asm__ volatile("int3"); }

/* calc_wide(a, b) called on a thread the JVM does not know (a Java probe's callback must not run there). */
struct call_args {
    int a, b, result;
};
static void *call_calc_wide(void *p) {
    struct call_args *c = p;
    c->result = calc_wide(c->a, c->b);
    return 0;
}
TARGET int calc_wide_on_new_thread(int a, int b) {
    struct call_args c = {a, b, -1};
    pthread_t t;
    if (pthread_create(&t, 0, call_calc_wide, &c) != 0) return -2;
    pthread_join(t, 0);
    return c.result;
}

/* red_zone_intact() = 1 when the 128 bytes below rsp, written before five nops (the probe goes on
 * the first), read back the same after them: the stub and its callback must leave the interrupted
 * code's red zone alone. */
long red_zone_intact(void);
ASM_FUNCTION(red_zone_intact, "lea -128(%rsp), %rdx\n\t"
                              "mov $16, %ecx\n\t"
                              "movabs $0x0123456789abcdef, %rax\n"
                              "1:\n\t"
                              "mov %rax, -8(%rdx,%rcx,8)\n\t" /* rsp-8 .. rsp-128 */
                              "sub $1, %ecx\n\t"
                              "jnz 1b\n\t"
                              "nop\n\tnop\n\tnop\n\tnop\n\tnop\n\t"
                              "mov $16, %ecx\n"
                              "2:\n\t"
                              "cmp %rax, -8(%rdx,%rcx,8)\n\t"
                              "jne 3f\n\t"
                              "sub $1, %ecx\n\t"
                              "jnz 2b\n\t"
                              "mov $1, %eax\n\t"
                              "ret\n"
                              "3:\n\t"
                              "xor %eax, %eax\n\t"
                              "ret");
/* A callback that fills its own stack frame: it runs below whatever the stub left. */
TARGET void scribble_stack(uint64_t address, uint64_t *context) {
    volatile unsigned char frame[4096];
    for (unsigned i = 0; i < sizeof frame; i++) frame[i] = (unsigned char)(address + i);
    (void)context;
}

/* A callback for SavedState.SSE: legacy SSE only (it keeps the upper halves of ymm registers). */
TARGET void clobber_xmm(uint64_t address, uint64_t *context) {
    (void)address;
    (void)context;
    __asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\tmovdqa %%xmm0, %%xmm1\n\tmovdqa %%xmm0, %%xmm2\n\t"
                     "movdqa %%xmm0, %%xmm3\n\tmovdqa %%xmm0, %%xmm4\n\tmovdqa %%xmm0, %%xmm5\n\t"
                     "movdqa %%xmm0, %%xmm6\n\tmovdqa %%xmm0, %%xmm7\n\tmovdqa %%xmm0, %%xmm8\n\t"
                     "movdqa %%xmm0, %%xmm9\n\tmovdqa %%xmm0, %%xmm10\n\tmovdqa %%xmm0, %%xmm11\n\t"
                     "movdqa %%xmm0, %%xmm12\n\tmovdqa %%xmm0, %%xmm13\n\tmovdqa %%xmm0, %%xmm14\n\t"
                     "movdqa %%xmm0, %%xmm15" ::
                         : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                           "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}
