/* Prints the bytes of the first syscall-or-rewritten instruction in libc's getppid, so a test
 * can tell a rewritten process (ff d0) from an untouched one (0f 05). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    const unsigned char *p = (const unsigned char *)dlsym(RTLD_NEXT, "getppid");
    if (!p) p = (const unsigned char *)&getppid;
    for (int i = 0; i < 64; i++) {
        if ((p[i] == 0x0f && p[i + 1] == 0x05) || (p[i] == 0xff && p[i + 1] == 0xd0)) {
            printf("getppid site: %02x %02x\n", p[i], p[i + 1]);
            return getppid() > 0 ? 0 : 1;
        }
    }
    printf("no site found in getppid\n");
    return 1;
}
