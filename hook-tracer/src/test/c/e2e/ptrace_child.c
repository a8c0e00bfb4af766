/* A program that ptraces its own child, as a debugger does: the child asks to be traced,
 * stops, and execs argv[1]; the parent sees the exec's SIGTRAP and lets it run to its end.
 * Under jpoline trace the child's exec must not be taken from its own tracer. */
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    pid_t child = fork();
    if (child == 0) {
        if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) _exit(10);
        raise(SIGSTOP);
        execv(argv[1], argv + 1);
        _exit(11);
    }
    int status, stops = 0;
    for (;;) {
        if (waitpid(child, &status, 0) != child) return 3;
        if (!WIFSTOPPED(status)) break;
        stops++;
        ptrace(PTRACE_CONT, child, 0, WSTOPSIG(status) == SIGTRAP || WSTOPSIG(status) == SIGSTOP ? 0 : WSTOPSIG(status));
        if (stops > 100) return 4;
    }
    printf("traced child: %d stops, exit %d\n", stops, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 5;
}
