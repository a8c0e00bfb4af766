/* The page at virtual address 0: a jump-laced sled that carries any landing offset (the
 * syscall number a rewritten `call *%rax` jumps to) to an absolute jump into the entry.
 * Layout and the walk lengths it gives are described in docs/entry-path.md. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime_internal.h"

#define JMP_REL8 0xEB
#define NOP 0x90
#define FILL_PREFIX 0x3E /* DS override: ignored by every instruction used here */
/* Segment-override prefixes are no-ops on a direct jmp in 64-bit mode. Each doubles as
 * the displacement byte of the `EB xx` before it, so a landing on that byte executes a
 * prefixed copy of the next jmp. 0x66/0x67 are avoided: they change jmp semantics on
 * some CPUs. All are < 0x80: every jump goes forward. */
static const uint8_t kPrefixDisplacements[] = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
/* Prefixes allowed in front of the stub's movabs (4 + REX + opcode + imm64 = 14 <= 15). */
#define STUB_ZONE 4
/* Offsets this close before the stub zone cannot jump into it (the smallest displacement
 * is 0x26 = 38, a jmp is 2 bytes): they get a slow slide of prefixed nops instead. */
#define SLIDE 40

/* movabs $entry, %r11; jmp *%r11. r11 is free: a syscall clobbers it anyway. */
static void write_stub(uint8_t *p, uint64_t entry) {
    p[0] = 0x49;
    p[1] = 0xBB;
    memcpy(p + 2, &entry, 8);
    p[10] = 0x41;
    p[11] = 0xFF;
    p[12] = 0xE3;
}

/* Fills [begin, stub) so that every offset in it reaches `stub`. Works backwards: each
 * `EB d` pair picks the displacement whose target is cheapest, so steps[] holds the exact
 * number of instructions from each offset to the stub. */
static void fill_sled(uint8_t *page, int begin, int stub) {
    _Static_assert(JPOLINE_VA0_STUB1 - STUB_ZONE - SLIDE >= 2, "sled too short");
    int steps[JPOLINE_VA0_SIZE + 1];
    int zone = stub - STUB_ZONE;
    steps[stub] = 0;
    for (int q = zone; q < stub; q++) {
        page[q] = FILL_PREFIX;
        steps[q] = 0; /* part of the movabs instruction */
    }
    /* Keep the `EB d` pairs aligned on `begin`. */
    int slide = begin + ((zone - SLIDE - begin) & ~1);
    for (int q = zone - 1; q >= slide; q--) {
        page[q] = (zone - q) % 4 == 1 ? NOP : FILL_PREFIX; /* groups of 3E 3E 3E 90 */
        steps[q] = steps[q + 1] + (page[q] == NOP);
    }
    for (int p = slide - 2; p >= begin; p -= 2) {
        int best = -1;
        for (size_t i = 0; i < sizeof kPrefixDisplacements; i++) {
            int d = kPrefixDisplacements[i];
            int target = p + 2 + d;
            if (target <= stub && (best < 0 || steps[target] <= steps[p + 2 + best])) best = d;
        }
        page[p] = JMP_REL8;
        page[p + 1] = (uint8_t)best;
        steps[p] = 1 + steps[p + 2 + best];
        steps[p + 1] = steps[p + 2]; /* the prefix joins the instruction at p + 2 */
    }
}

JPOLINE_EXPORT void jpoline_va0_build(uint8_t *page, uint64_t entry_address) {
    fill_sled(page, 0, JPOLINE_VA0_STUB1);
    write_stub(page + JPOLINE_VA0_STUB1, entry_address);
    /* Numbers past the first stub are no syscalls today; a second sled still brings them
     * to the entry (slowly) so they get -ENOSYS, or SIGSEGV when called through a pointer. */
    fill_sled(page, JPOLINE_VA0_SECOND_SLED, JPOLINE_VA0_STUB2);
    write_stub(page + JPOLINE_VA0_STUB2, entry_address);
}

JPOLINE_EXPORT uint64_t jpoline_entry_address(void) { return (uint64_t)(uintptr_t)&jpoline_entry; }

static int va0_installed;
uint32_t jp_va0_active;

JPOLINE_EXPORT int jpoline_va0_install(void) {
    if (__atomic_load_n(&va0_installed, __ATOMIC_ACQUIRE)) return 0;
    /* MAP_FIXED_NOREPLACE: never clobber a mapping someone else made at 0. */
    void *page = mmap((void *)0, JPOLINE_VA0_SIZE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (page == MAP_FAILED) {
        /* The kernel refuses addresses below vm.mmap_min_addr with EPERM (or EACCES from
         * an LSM); report both as -EPERM so the host can name the sysctl. */
        return errno == EACCES ? -EPERM : -errno;
    }
    if (page != (void *)0) { /* a kernel without MAP_FIXED_NOREPLACE treats it as a hint */
        munmap(page, JPOLINE_VA0_SIZE);
        return -EEXIST;
    }
    /* Hide from the compiler that this pointer is NULL, or it may turn the writes into traps. */
    uint8_t *image = page;
    __asm__("" : "+r"(image));
    jpoline_va0_build(image, jpoline_entry_address());
    /* Execute only. Without protection keys x86 cannot take read access away; with them
     * the kernel backs a PROT_EXEC-only mapping with its execute-only pkey by itself, so
     * NULL reads and writes keep faulting. */
    if (mprotect(page, JPOLINE_VA0_SIZE, PROT_EXEC) != 0) {
        int err = errno;
        munmap(page, JPOLINE_VA0_SIZE);
        return -err;
    }
    __atomic_store_n(&va0_installed, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&jp_va0_active, 1, __ATOMIC_RELEASE);
    return 0;
}
