/* Execs with environments of the program's own making (RawVersusJpolineIT): an empty one, a
 * custom one, one whose LD_PRELOAD names another library, from fork and from vfork; each child
 * says whether it runs in a jpoline session (its maps hold the runtime) and what it was given.
 * Bad environment pointers must still get the exec its EFAULT. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int in_session(void) {
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    int found = 0;
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL) found |= strstr(line, "libjpoline-") != NULL;
    if (maps != NULL) fclose(maps);
    return found;
}

static void run(const char *self, const char *label, char *const envp[], int use_vfork) {
    char *const argv[] = {(char *)self, "child", (char *)label, NULL};
    fflush(stdout);
    pid_t pid = use_vfork ? vfork() : fork();
    if (pid == 0) {
        execve(self, argv, envp);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("%s: exit %d\n", label, WEXITSTATUS(status));
}

int main(int argc, char **argv) {
    if (argc > 2 && strcmp(argv[1], "child") == 0) {
        const char *foo = getenv("FOO");
        int others = 0;
        for (char **e = environ; *e != NULL; e++)
            if (strncmp(*e, "JPOLINE_SESSION=", 16) != 0 && strncmp(*e, "LD_PRELOAD=", 11) != 0) others++;
        printf("%s: %s FOO=%s others=%d\n", argv[2], in_session() ? "joined" : "alone", foo ? foo : "(none)", others);
        return 3;
    }
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return 1;
    self[n] = '\0';
    char *empty[] = {NULL};
    char *custom[] = {"FOO=1", "BAR=2", NULL};
    char *preload[] = {"LD_PRELOAD=", "FOO=3", NULL};
    run(self, "empty", empty, 0);
    run(self, "custom", custom, 0);
    run(self, "preload", preload, 0);
    run(self, "vfork", custom, 1);
    char *const argv_bad[] = {self, "child", "bad", NULL};
    errno = 0;
    syscall(SYS_execve, self, argv_bad, (char *const *)0x10); /* raw: the compiler rejects the pointer */
    printf("bad envp: %s\n", strerror(errno));
    /* An unmapped page, not page 0: under jpoline that one holds the VA0 sled and is readable. */
    char *gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);
    char *bad_entry[] = {"FOO=4", gone, NULL};
    errno = 0;
    execve(self, argv_bad, bad_entry);
    printf("bad entry: %s\n", strerror(errno));
    return 0;
}
