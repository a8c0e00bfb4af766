/* A deterministic target for jpoline trace -p and run --hooks -p: "ready PID", then commands
 * from the FIFO argv[1] (opened read-write, so opening never waits for a writer):
 *   work  open, read and close /etc/hostname, write to /dev/null, then "done" (or "open ERROR")
 *   fork  a child that writes "child" to /dev/null and exits 7; the parent waits and says "forked 7"
 *   quit  exit 0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) return 9;
    FILE *control = fopen(argv[1], "r+");
    if (!control) return 8;
    printf("ready %d\n", getpid());
    fflush(stdout);
    char line[64];
    while (fgets(line, sizeof line, control)) {
        if (strncmp(line, "work", 4) == 0) {
            int fd = open("/etc/hostname", O_RDONLY);
            if (fd < 0) {
                printf("open %s\n", strerror(errno));
            } else {
                char b[8];
                if (read(fd, b, sizeof b) < 0) return 7;
                close(fd);
                int null = open("/dev/null", O_WRONLY);
                if (write(null, "hello", 5) != 5) return 6;
                close(null);
                printf("done\n");
            }
            fflush(stdout);
        } else if (strncmp(line, "fork", 4) == 0) {
            pid_t child = fork();
            if (child == 0) {
                int null = open("/dev/null", O_WRONLY);
                if (write(null, "child", 5) != 5) _exit(6);
                _exit(7);
            }
            int status = 0;
            waitpid(child, &status, 0);
            printf("forked %d\n", WEXITSTATUS(status));
            fflush(stdout);
        } else if (strncmp(line, "quit", 4) == 0) {
            return 0;
        }
    }
    return 0;
}
