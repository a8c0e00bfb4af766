/* How far each syscall number walks on the VA0 page, measured three ways:
 *   decode            a tiny decoder of exactly the bytes the sled uses walks the image
 *                     jpoline_va0_build produces, for every offset of the page
 *   land              on the real CPU, every covered number goes through a registered
 *                     site and must reach the entry with rax intact (a slow-tier hook
 *                     answers for it, so no real syscall runs)
 *   ptrace NR...      single-steps a child through the call and counts the instructions
 *                     it executes on page 0 */
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "jp_test.h"

#define FAKE_ENTRY 0x7f1234567000ull
#define NOT_COVERED (-1)

static int is_legacy_prefix(uint8_t b) {
    return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65;
}

/* Instructions from `offset` until control leaves the page for `entry`, or NOT_COVERED if
 * the walk meets anything but prefixed jmp rel8 / nop / movabs r11 + jmp *%r11. */
static int walk(const uint8_t *page, int offset, uint64_t entry) {
    int steps = 0;
    for (int pc = offset; steps < 200;) {
        int start = pc;
        while (pc < JPOLINE_VA0_SIZE && is_legacy_prefix(page[pc])) pc++;
        if (pc >= JPOLINE_VA0_SIZE) return NOT_COVERED;
        if (page[pc] == 0xEB && pc + 1 < JPOLINE_VA0_SIZE) { /* jmp rel8 */
            int end = pc + 2;
            if (end - start > 15) return NOT_COVERED;
            pc = end + (int8_t)page[pc + 1];
            steps++;
            if (pc < 0 || pc >= JPOLINE_VA0_SIZE) return NOT_COVERED;
        } else if (page[pc] == 0x90) {
            if (pc + 1 - start > 15) return NOT_COVERED;
            pc++;
            steps++;
        } else if (page[pc] == 0x49 && pc + 13 <= JPOLINE_VA0_SIZE && page[pc + 1] == 0xBB) { /* movabs r11 */
            uint64_t imm;
            memcpy(&imm, page + pc + 2, 8);
            if (pc + 10 - start > 15 || imm != entry) return NOT_COVERED;
            if (page[pc + 10] != 0x41 || page[pc + 11] != 0xFF || page[pc + 12] != 0xE3) return NOT_COVERED;
            return steps + 2; /* movabs, jmp *%r11 */
        } else {
            return NOT_COVERED;
        }
    }
    return NOT_COVERED;
}

static int decode(void) {
    static uint8_t page[JPOLINE_VA0_SIZE];
    jpoline_va0_build(page, FAKE_ENTRY);
    int max_fast = 0, max_all = 0;
    for (int nr = 0; nr < JPOLINE_VA0_SIZE; nr++) {
        int s = walk(page, nr, FAKE_ENTRY);
        if (nr < JPOLINE_VA0_FAST_LIMIT && s > max_fast) max_fast = s;
        if (s > max_all) max_all = s;
    }
    printf("steps nr=0: %d\nsteps nr=39: %d\nsteps nr=231: %d\nsteps nr=500: %d\n", walk(page, 0, FAKE_ENTRY),
           walk(page, 39, FAKE_ENTRY), walk(page, 231, FAKE_ENTRY), walk(page, 500, FAKE_ENTRY));
    printf("max steps below %d: %d\nmax steps on the page: %d\n", JPOLINE_VA0_FAST_LIMIT, max_fast, max_all);
    /* Covered ranges, merged. */
    printf("covered:");
    for (int nr = 0; nr < JPOLINE_VA0_SIZE;) {
        if (walk(page, nr, FAKE_ENTRY) == NOT_COVERED) {
            nr++;
            continue;
        }
        int first = nr;
        while (nr < JPOLINE_VA0_SIZE && walk(page, nr, FAKE_ENTRY) != NOT_COVERED) nr++;
        printf(" %d-%d", first, nr - 1);
    }
    printf("\n");
    return 0;
}

static volatile long hook_saw = -1;

__attribute__((target("general-regs-only"))) static int answer_instead_of_kernel(struct jpoline_frame *f) {
    hook_saw = (long)f->rax;
    f->rax = ~f->rax;
    return JPOLINE_RETURN;
}

static int covered_on_page(int nr) {
    static uint8_t page[JPOLINE_VA0_SIZE];
    static int built;
    if (!built) jpoline_va0_build(page, FAKE_ENTRY), built = 1;
    return walk(page, nr, FAKE_ENTRY) != NOT_COVERED;
}

static int land(void) {
    jp_setup();
    for (int nr = 0; nr < JPOLINE_TIER_TABLE_SIZE; nr++) jpoline_set_tier(nr, JPOLINE_TRACE);
    jpoline_set_dispatch_hook(answer_instead_of_kernel);
    int landed = 0;
    for (int nr = 0; nr < JPOLINE_VA0_SIZE; nr++) {
        if (!covered_on_page(nr)) continue;
        hook_saw = -1;
        long r = jp_syscall0(nr);
        if (nr < JPOLINE_TIER_TABLE_SIZE) {
            CHECK(r == ~(long)nr && hook_saw == nr, "nr %d: result %ld, hook saw %ld", nr, r, hook_saw);
        } else { /* PASS: no syscall has a number this high */
            CHECK(r == -ENOSYS, "nr %d: result %ld", nr, r);
        }
        landed++;
    }
    printf("landed: %d numbers reached the entry on this CPU\n", landed);
    return 0;
}

static int single_step_count(long nr) {
    pid_t child = fork();
    CHECK(child >= 0, "fork");
    if (child == 0) {
        if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(99);
        raise(SIGSTOP);
        jp_syscall0(nr);
        _exit(0);
    }
    int status;
    CHECK(waitpid(child, &status, 0) == child, "waitpid");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 99) return -1;
    CHECK(WIFSTOPPED(status), "child stopped");
    uint64_t entry = jpoline_entry_address();
    int on_page = 0;
    for (int step = 0; step < 100000; step++) {
        struct user_regs_struct regs;
        CHECK(ptrace(PTRACE_GETREGS, child, NULL, &regs) == 0, "getregs");
        if (regs.rip == entry) break;
        if (regs.rip < JPOLINE_VA0_SIZE) on_page++;
        CHECK(ptrace(PTRACE_SINGLESTEP, child, NULL, NULL) == 0, "singlestep");
        CHECK(waitpid(child, &status, 0) == child && WIFSTOPPED(status), "stepped");
    }
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    return on_page;
}

static int single_step(int argc, char **argv) {
    jp_setup();
    /* The child must not run the real syscalls (0 = read, 231 = exit_group...). */
    for (int nr = 0; nr < JPOLINE_TIER_TABLE_SIZE; nr++) jpoline_set_tier(nr, JPOLINE_TRACE);
    jpoline_set_dispatch_hook(answer_instead_of_kernel);
    for (int i = 0; i < argc; i++) {
        long nr = strtol(argv[i], NULL, 10);
        int n = single_step_count(nr);
        if (n < 0) {
            printf("SKIP: ptrace is not permitted here\n");
            return JP_EXIT_SKIP;
        }
        printf("executed nr=%ld: %d\n", nr, n);
    }
    return 0;
}

int main(int argc, char **argv) {
    CHECK(argc >= 2, "usage: sled_walk decode|land|ptrace NR...");
    if (strcmp(argv[1], "decode") == 0) return decode();
    if (strcmp(argv[1], "land") == 0) return land();
    if (strcmp(argv[1], "ptrace") == 0) return single_step(argc - 2, argv + 2);
    CHECK(0, "unknown mode %s", argv[1]);
}
