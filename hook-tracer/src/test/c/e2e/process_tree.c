/* fork three levels deep, each level waiting for the next; exit statuses travel back up. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int level(int depth) {
    printf("level %d pid-is-positive=%d\n", depth, getpid() > 0);
    fflush(stdout);
    if (depth == 3) return 40 + depth;
    pid_t child = fork();
    if (child < 0) return 99;
    if (child == 0) _exit(level(depth + 1));
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 98;
    printf("level %d saw child exit %d\n", depth, WEXITSTATUS(status));
    fflush(stdout);
    return WEXITSTATUS(status) + 1;
}

int main(void) { return level(1) == 45 ? 0 : 1; }
