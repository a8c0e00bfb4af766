/* Shared by the end-to-end test programs. Each program simulates rewritten code with its
 * own `call *%rax` sites: every site records its address in the section jp_sites, and
 * jp_setup() registers them all with the runtime after mapping the VA0 page. */
#ifndef JP_TEST_H
#define JP_TEST_H

#ifndef _GNU_SOURCE
#error "build the test programs with -D_GNU_SOURCE"
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jpoline.h"

/* Exit status meaning "page 0 cannot be mapped here": the JUnit side skips (or fails when
 * CI=true). */
#define JP_EXIT_SKIP 77

/* Appended after a `1:` label on a call instruction: records it as a rewritten site. */
#define JP_RECORD_SITE ".pushsection jp_sites,\"aw\"\n\t.quad 1b\n\t.popsection\n\t"

extern const uint64_t __start_jp_sites[] __attribute__((weak));
extern const uint64_t __stop_jp_sites[] __attribute__((weak));

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
            fprintf(stderr, __VA_ARGS__);                                       \
            fprintf(stderr, "\n");                                              \
            exit(1);                                                            \
        }                                                                       \
    } while (0)

static inline void jp_setup(void) {
    jpoline_count_pass(1); /* the tests assert exact PASS counts */
    int rc = jpoline_va0_install();
    if (rc != 0) {
        printf("SKIP: cannot map page 0 (%s); run: sysctl -w vm.mmap_min_addr=0\n", strerror(-rc));
        fflush(stdout);
        exit(JP_EXIT_SKIP);
    }
    size_t n = (size_t)(__stop_jp_sites - __start_jp_sites);
    CHECK(jpoline_sites_add(__start_jp_sites, n) == 0, "registering %zu sites", n);
}

/* A syscall through a registered `call *%rax` site: what a rewritten `syscall` does. The
 * test programs are built with -mno-red-zone, so the pushed return address never lands on
 * a compiler-managed red-zone slot. */
static inline long jp_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;
    __asm__ volatile("1: call *%%rax\n\t" JP_RECORD_SITE
                     : "=a"(ret)
                     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}
#define jp_syscall0(nr) jp_syscall6((nr), 0, 0, 0, 0, 0, 0)
#define jp_syscall1(nr, a) jp_syscall6((nr), (long)(a), 0, 0, 0, 0, 0)
#define jp_syscall2(nr, a, b) jp_syscall6((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define jp_syscall3(nr, a, b, c) jp_syscall6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define jp_syscall4(nr, a, b, c, d) jp_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

#endif
