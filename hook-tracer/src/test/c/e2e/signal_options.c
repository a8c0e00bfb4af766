/* strace's -e signal=, -q/-qq/-e quiet=, -i and --syscall-limit on one deterministic program:
 * a child that exits 3, a signal the program catches twice (USR1, USR2), getppid calls to count,
 * and with an argument a SIGTERM that kills it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void handler(int sig) {
    (void)sig;
}

int main(int argc, char **argv) {
    (void)argv;
    signal(SIGUSR1, handler);
    signal(SIGUSR2, handler);
    for (int i = 0; i < 3; i++) getppid();
    pid_t child = fork();
    if (child == 0) {
        for (int i = 0; i < 3; i++) getppid();
        _exit(3);
    }
    int status;
    waitpid(child, &status, 0);
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR2);
    for (int i = 0; i < 3; i++) getppid();
    printf("child %d\n", WEXITSTATUS(status));
    fflush(stdout);
    if (argc > 1) kill(getpid(), SIGTERM);
    return 5;
}
