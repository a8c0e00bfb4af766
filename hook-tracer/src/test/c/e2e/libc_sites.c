/* Prints the bytes of the syscall site in libc's getppid (the instruction after its
 * `mov $110, %eax`), so a test can tell a rewritten process (ff d0), one whose site was
 * jump-patched under Syscall User Dispatch (eb: jmp rel8) and an untouched one (0f 05). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    const unsigned char *p = (const unsigned char *)dlsym(RTLD_NEXT, "getppid");
    if (!p) p = (const unsigned char *)&getppid;
    for (int i = 0; i < 64; i++) {
        if (p[i] == 0xb8 && p[i + 1] == 110 && p[i + 2] == 0 && p[i + 3] == 0 && p[i + 4] == 0) {
            if (p[i + 5] == 0xeb)
                printf("getppid site: eb (jmp rel8)\n"); /* its displacement depends on the libc build */
            else
                printf("getppid site: %02x %02x\n", p[i + 5], p[i + 6]);
            return getppid() > 0 ? 0 : 1;
        }
    }
    printf("no site found in getppid\n");
    return 1;
}
