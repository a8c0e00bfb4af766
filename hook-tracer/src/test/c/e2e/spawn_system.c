/* posix_spawn (clone(CLONE_VM|CLONE_VFORK) on its own stack) and system() (a shell). */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void) {
    pid_t pid;
    char *argv[] = {"sh", "-c", "echo spawned; exit 5", NULL};
    if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) return 2;
    int status = 0;
    waitpid(pid, &status, 0);
    printf("posix_spawn child exited %d\n", WEXITSTATUS(status));
    fflush(stdout);
    int rc = system("echo from system; ls / | grep -c . >/dev/null; exit 3");
    printf("system returned %d\n", WEXITSTATUS(rc));
    return 0;
}
