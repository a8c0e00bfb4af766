/* Makes syscalls, then execs a child that makes syscalls too: a process whose host may be
 * gone must still finish, its children too. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    for (int i = 0; i < 1000; i++) getppid();
    if (argc > 1 && strcmp(argv[1], "child") == 0) {
        printf("child ran\n");
        return 0;
    }
    printf("parent ran\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execl(argv[0], argv[0], "child", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WEXITSTATUS(status);
}
