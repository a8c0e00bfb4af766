/* A JIT in miniature: `jit_syscall N` writes `mov eax, 39; syscall; ret` (getpid) into an
 * anonymous RWX page and calls it N times, then calls libc's getpid once. No file holds that
 * syscall, so jpoline cannot rewrite it: only --exhaustive (or SUD alone) sees those calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 3;
    unsigned char *page = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    static const unsigned char code[] = {0xB8, 0x27, 0x00, 0x00, 0x00, 0x0F, 0x05, 0xC3};
    memcpy(page, code, sizeof code);
    long (*jit_getpid)(void) = (long (*)(void))page;
    long pid = 0;
    for (int i = 0; i < n; i++) pid = jit_getpid();
    printf("jit getpid %s libc's\n", pid == (long)getpid() ? "matches" : "differs from");
    return 0;
}
