/* vfork children that exec, and one that _exits after using the stack; the parent must resume intact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int deep(int n) {
    volatile char pad[256];
    memset((char *)pad, n, sizeof pad);
    return n == 0 ? pad[3] : deep(n - 1) + pad[7];
}

int main(void) {
    volatile unsigned long canary[8];
    for (int i = 0; i < 8; i++) canary[i] = 0x0101010101010101UL * (unsigned long)(i + 1);

    pid_t child = vfork();
    if (child == 0) {
        char *argv[] = {"echo", "echo from a vfork child", NULL};
        execv("/bin/echo", argv);
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    printf("exec child exited %d\n", WEXITSTATUS(status));

    child = vfork();
    if (child == 0) {
        /* Scribble over the stack the parent will return through, then leave. */
        _exit(deep(40) == 0 ? 7 : 7);
    }
    waitpid(child, &status, 0);
    printf("scribbling child exited %d\n", WEXITSTATUS(status));
    for (int i = 0; i < 8; i++)
        if (canary[i] != 0x0101010101010101UL * (unsigned long)(i + 1)) {
            printf("parent stack damaged at %d\n", i);
            return 1;
        }
    printf("parent stack intact\n");
    return 0;
}
