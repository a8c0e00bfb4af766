/* An exec that fails after the host opened a window for it (the file opens, but is not a
 * program: EACCES), then one that succeeds: the first must leave the process untraced
 * (TracerPid 0, so a debugger could attach), the second's loader must be followed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tracer_pid(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int pid = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "TracerPid:", 10) == 0) pid = atoi(line + 10);
    if (f) fclose(f);
    return pid;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    char *none[] = {argv[1], NULL};
    execv(argv[1], none); /* not a program */
    printf("exec of %s failed; tracer %d\n", argv[1], tracer_pid());
    fflush(stdout);
    char *args[] = {argv[2], NULL};
    execv(argv[2], args);
    return 3;
}
