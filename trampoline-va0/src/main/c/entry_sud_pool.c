/* The jump pool of a process under Syscall User Dispatch (docs/sud.md, "Jump-patched sites").
 * Freestanding: made by the constructor, or from the entry path when a process leaves VA0.
 *
 * Each SUD trap costs a signal round trip (microseconds). The host takes that cost away from
 * every site it can prove safe: the site's `syscall` becomes `jmp rel8` to a hop in padding
 * that nothing executes, the hop a `jmp rel32` to the site's trampoline here, and the trampoline
 * does what a rewritten site's `call *%rax` does under VA0: it pushes site + 2 into the caller's
 * red-zone slot and enters jpoline_entry with r11 = the entry's address. From there the path is
 * the VA0 path, special cases and all.
 *
 * This file only reserves the pool and writes its header, once per process image (fork children
 * inherit both, and the host's allocation mark in it, with the memory). The host writes the
 * trampolines through /proc/PID/mem, so the pool is never writable from the process; the
 * anonymous mapping lands where the kernel puts the libraries (top-down, below the lowest), so it
 * is within a rel32's reach of them, which the host checks per hop. Its pages are committed only
 * as trampolines fill them. */
#include "runtime_internal.h"
#include "session.h"

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000

uint64_t jp_sud_jump_pool;
uint32_t jp_sud_no_jumps;

uint64_t jp_sud_jump_pool_create(void) {
    if (jp_sud_jump_pool != 0 || jp_sud_no_jumps) return jp_sud_jump_pool;
    long p = jpoline_raw_syscall6(9 /* mmap */, 0, JPOLINE_JUMP_POOL_SIZE, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p < 0 && p > -4096) return 0; /* every site keeps trapping: slower, as correct */
    struct jpoline_jump_pool_header *h = (struct jpoline_jump_pool_header *)p;
    h->magic = JPOLINE_JUMP_POOL_MAGIC;
    h->size = JPOLINE_JUMP_POOL_SIZE;
    h->used = sizeof(struct jpoline_jump_pool_header);
    h->entry = (uint64_t)(uintptr_t)&jpoline_entry;
    if (jpoline_raw_syscall6(10 /* mprotect */, p, JPOLINE_JUMP_POOL_SIZE, PROT_READ | PROT_EXEC, 0, 0, 0) != 0) {
        jpoline_raw_syscall6(11 /* munmap */, p, JPOLINE_JUMP_POOL_SIZE, 0, 0, 0, 0);
        return 0;
    }
    jp_sud_jump_pool = (uint64_t)p;
    return jp_sud_jump_pool;
}
