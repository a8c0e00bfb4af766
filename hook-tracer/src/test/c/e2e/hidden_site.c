/* A `syscall` in the program's own text that a linear sweep cannot see: a short jmp over two
 * bytes that start a movabs, whose 8-byte immediate is, when entered at its real start, the code
 * `mov eax, 39; syscall; ret` (getpid). The sweep decodes the movabs and rewrites nothing there;
 * only --exhaustive catches the call, and then rewrites the site (file-backed, read-only).
 * `hidden_site N`: calls it N times, prints whether it matches getpid() and the site's bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

long hidden_getpid(void);
extern const unsigned char hidden_syscall[];
__asm__(".text\n\t.globl hidden_getpid\n\t.type hidden_getpid, @function\n\t.p2align 4\nhidden_getpid:\n\t"
        "jmp 1f\n\t"
        ".byte 0x48, 0xb8\n" /* movabs rax, imm64: swallows the next 8 bytes in a linear decode */
        "1:\n\t"
        "mov $39, %eax\n\t"
        ".globl hidden_syscall\nhidden_syscall:\n\t"
        "syscall\n\t"
        "ret\n\t"
        ".size hidden_getpid, .-hidden_getpid");

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 3;
    long pid = 0;
    for (int i = 0; i < n; i++) pid = hidden_getpid();
    printf("hidden getpid %s; site bytes %02x %02x\n", pid == (long)getpid() ? "matches" : "differs",
           hidden_syscall[0], hidden_syscall[1]);
    return 0;
}
