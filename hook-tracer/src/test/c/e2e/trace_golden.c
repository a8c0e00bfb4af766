/* A deterministic program for the trace golden tests (TraceGoldenIT): traced by strace -f and by
 * jpoline trace, the lines from the marker on must agree. getppid() is the marker: the first
 * syscall of main; everything before it (the dynamic loader's start-up) jpoline cannot see. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    getppid(); /* marker */
    int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    char buf[100];
    if (read(fd, buf, sizeof buf) < 0) return 1;
    lseek(fd, 5, SEEK_SET);
    struct stat st;
    fstat(fd, &st);
    close(fd);
    open("/nonexistent/jpoline-golden", O_RDONLY);
    access("/etc/passwd", R_OK);
    write(1, "hello \"world\"\n", 14);
    struct iovec iov[2] = {{"ab", 2}, {"cd\n", 3}};
    writev(1, iov, 2);
    int p[2];
    pipe2(p, O_CLOEXEC);
    write(p[1], "through the pipe", 16);
    read(p[0], buf, 64);
    close(p[0]);
    close(p[1]);
    void *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m, 8192);
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
    mkdir("/nonexistent/dir", 0755);
    pid_t child = fork();
    if (child == 0) {
        write(1, "child\n", 6);
        _exit(3);
    }
    int status;
    waitpid(child, &status, 0);
    for (int i = 0; i < (argc > 1 ? atoi(argv[1]) : 3); i++) getpid();
    chdir("/");
    return WEXITSTATUS(status) == 3 ? 0 : 1;
}
