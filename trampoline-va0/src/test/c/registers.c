/* Register discipline of the entry, checked from assembly: every GPR but rax/rcx/r11,
 * rflags (status flags and DF), xmm0-15, rsp, and the 120 bytes of red zone below the
 * return-address slot come back exactly as they went in; rcx and r11 come back as a
 * `syscall` leaves them (return address, rflags). Run on the PASS tier and the slow path. */
#include <sys/syscall.h>

#include "jp_test.h"

struct probe_state {
    uint64_t rbx, rdx, rsi, rdi, rbp, r8, r9, r10, r12, r13, r14, r15; /* 0 .. 88 */
    uint64_t rax, rcx, r11;                                             /* 96, 104, 112 */
    uint64_t rflags;                                                    /* 120 */
    uint64_t xmm[16][2];                                                /* 128 */
    uint64_t red_zone[15]; /* 384: [rsp - 128, rsp - 8) at the call */
    uint64_t rsp;          /* 504 */
};
_Static_assert(sizeof(struct probe_state) == 512, "offsets used by the assembly below");

struct probe_state probe_in, probe_out;
uint64_t probe_saved_rsp;
extern const char probe_call_site[];
void run_probe(void);

/* Loads probe_in into the machine, calls through a registered site, stores into probe_out. */
__asm__(
    "    .text\n"
    "    .globl run_probe\n"
    "    .type run_probe, @function\n"
    "run_probe:\n"
    "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "    mov %rsp, probe_saved_rsp(%rip)\n"
    "    lea probe_in(%rip), %rax\n"
    "    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
    "    mov 384+8*\\i(%rax), %rcx\n"
    "    mov %rcx, -128+8*\\i(%rsp)\n"
    "    .endr\n"
    "    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "    movdqu 128+16*\\i(%rax), %xmm\\i\n"
    "    .endr\n"
    "    pushq 120(%rax)\n" /* writes rsp - 8 only: the slot the call overwrites next */
    "    popfq\n"
    "    mov 0(%rax), %rbx; mov 8(%rax), %rdx; mov 16(%rax), %rsi; mov 32(%rax), %rbp\n"
    "    mov 40(%rax), %r8; mov 48(%rax), %r9; mov 56(%rax), %r10; mov 64(%rax), %r12\n"
    "    mov 72(%rax), %r13; mov 80(%rax), %r14; mov 88(%rax), %r15\n"
    "    mov 104(%rax), %rcx; mov 112(%rax), %r11; mov 24(%rax), %rdi; mov 96(%rax), %rax\n"
    "    .globl probe_call_site\n"
    "probe_call_site:\n"
    "1:  call *%rax\n"
    "    " JP_RECORD_SITE "\n"
    "    mov %rbx, probe_out+0(%rip); mov %rdx, probe_out+8(%rip)\n"
    "    mov %rsi, probe_out+16(%rip); mov %rdi, probe_out+24(%rip)\n"
    "    mov %rbp, probe_out+32(%rip); mov %r8, probe_out+40(%rip)\n"
    "    mov %r9, probe_out+48(%rip); mov %r10, probe_out+56(%rip)\n"
    "    mov %r12, probe_out+64(%rip); mov %r13, probe_out+72(%rip)\n"
    "    mov %r14, probe_out+80(%rip); mov %r15, probe_out+88(%rip)\n"
    "    mov %rax, probe_out+96(%rip); mov %rcx, probe_out+104(%rip)\n"
    "    mov %r11, probe_out+112(%rip)\n"
    "    pushfq\n"
    "    popq probe_out+120(%rip)\n"
    "    mov %rsp, probe_out+504(%rip)\n"
    "    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "    movdqu %xmm\\i, probe_out+128+16*\\i(%rip)\n"
    "    .endr\n"
    "    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14\n"
    "    mov -128+8*\\i(%rsp), %rax\n"
    "    mov %rax, probe_out+384+8*\\i(%rip)\n"
    "    .endr\n"
    "    cld\n"
    "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "    ret\n"
    "    .size run_probe, . - run_probe\n");

/* CF PF AF ZF SF DF OF: what the entry could plausibly disturb. */
#define CHECKED_FLAGS 0x0CD5ull

static void check_probe(const char *what, long nr, long expected_rax, uint64_t flags, uint64_t seed) {
    memset(&probe_in, 0, sizeof probe_in);
    uint64_t *words = (uint64_t *)&probe_in;
    for (size_t i = 0; i < 16; i++) words[i] = 0x0101010101010101ull * (i + 1) ^ seed;
    probe_in.rax = (uint64_t)nr;
    probe_in.rflags = flags | 0x2; /* bit 1 always reads 1 */
    for (int i = 0; i < 16; i++) {
        probe_in.xmm[i][0] = 0xA5A5000000000000ull + (uint64_t)i + seed;
        probe_in.xmm[i][1] = 0x5A5A000000000000ull + (uint64_t)i * 3 + seed;
    }
    for (int i = 0; i < 15; i++) probe_in.red_zone[i] = 0xC0DE000000000000ull + (uint64_t)i + seed;

    run_probe();

    const struct probe_state *in = &probe_in, *out = &probe_out;
    CHECK(out->rax == (uint64_t)expected_rax, "%s: rax %lld", what, (long long)out->rax);
#define SAME(r) CHECK(out->r == in->r, "%s: %s changed %llx -> %llx", what, #r, \
                      (unsigned long long)in->r, (unsigned long long)out->r)
    SAME(rbx); SAME(rdx); SAME(rsi); SAME(rdi); SAME(rbp); SAME(r8); SAME(r9); SAME(r10);
    SAME(r12); SAME(r13); SAME(r14); SAME(r15);
#undef SAME
    CHECK((out->rflags & CHECKED_FLAGS) == (in->rflags & CHECKED_FLAGS), "%s: rflags %llx -> %llx",
          what, (unsigned long long)in->rflags, (unsigned long long)out->rflags);
    CHECK(out->rcx == (uint64_t)probe_call_site + 2, "%s: rcx is not the return address", what);
    CHECK((out->r11 & CHECKED_FLAGS) == (in->rflags & CHECKED_FLAGS), "%s: r11 is not rflags", what);
    CHECK(memcmp(out->xmm, in->xmm, sizeof in->xmm) == 0, "%s: an xmm register changed", what);
    for (int i = 0; i < 15; i++)
        CHECK(out->red_zone[i] == in->red_zone[i], "%s: red zone word at rsp-%d changed", what,
              128 - 8 * i);
    CHECK(out->rsp == probe_saved_rsp, "%s: rsp moved", what);
}

static void check_all_flag_patterns(const char *tier) {
    static const uint64_t patterns[] = {0, CHECKED_FLAGS, 0x0441 /* CF ZF DF */, 0x0894 /* PF SF OF */};
    char what[64];
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        snprintf(what, sizeof what, "%s getpid flags %llx", tier, (unsigned long long)patterns[i]);
        check_probe(what, SYS_getpid, getpid(), patterns[i], i * 0x1111);
        snprintf(what, sizeof what, "%s 500 flags %llx", tier, (unsigned long long)patterns[i]);
        check_probe(what, 500, -ENOSYS, patterns[i], i * 0x2222 + 7);
    }
}

int main(void) {
    jp_setup();
    check_all_flag_patterns("PASS");
    uint64_t slow_before = jpoline_entry_count(JPOLINE_TRACE);
    CHECK(jpoline_set_tier(SYS_getpid, JPOLINE_TRACE) == 0 && jpoline_set_tier(500, JPOLINE_TRACE) == 0,
          "set tier");
    check_all_flag_patterns("TRACE");
    CHECK(jpoline_entry_count(JPOLINE_TRACE) - slow_before == 8, "slow path taken 8 times");
    printf("OK registers\n");
    return 0;
}
