/* jpoline_va0_install: refuses to replace someone else's page 0, maps the page execute
 * only, and is idempotent. */
#include <sys/mman.h>
#include <sys/syscall.h>

#include "jp_test.h"

/* Permissions of the mapping at address 0 from /proc/self/maps, or "" if none. */
static const char *page0_permissions(void) {
    static char perms[8];
    perms[0] = 0;
    FILE *maps = fopen("/proc/self/maps", "r");
    CHECK(maps != NULL, "open maps");
    char line[512];
    while (fgets(line, sizeof line, maps))
        if (strncmp(line, "00000000-", 9) == 0) sscanf(strchr(line, ' ') + 1, "%4s", perms);
    fclose(maps);
    return perms;
}

int main(void) {
    /* Someone else's page 0 is never replaced. */
    void *other = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (other == MAP_FAILED) {
        CHECK(jpoline_va0_install() == -EPERM, "install must report -EPERM when page 0 is forbidden");
        printf("SKIP: cannot map page 0 (%s); run: sysctl -w vm.mmap_min_addr=0\n", strerror(errno));
        return JP_EXIT_SKIP;
    }
    CHECK(other == NULL, "mapped at %p", other);
    volatile uint8_t *mine = other;
    __asm__("" : "+r"(mine)); /* the compiler must not reason about this NULL pointer */
    mine[100] = 0x42;
    CHECK(jpoline_va0_install() == -EEXIST, "install over an existing page 0");
    CHECK(mine[100] == 0x42 && strcmp(page0_permissions(), "rw-p") == 0, "existing page 0 untouched");
    CHECK(munmap(other, 4096) == 0, "munmap");

    CHECK(jpoline_va0_install() == 0, "install");
    CHECK(strcmp(page0_permissions(), "--xp") == 0, "page 0 is %s, not execute-only", page0_permissions());
    CHECK(jpoline_va0_install() == 0, "second install");
    jp_setup();
    CHECK(jp_syscall0(SYS_getppid) == getppid(), "syscall through the installed page");
    printf("OK va0 install\n");
    return 0;
}
