/* -P (strace's path tracing) for PathTraceIT: run in an empty directory as `pathtrace FILE`, where
 * FILE is an absolute path in that directory. Every way strace 6.1 matches a call to FILE: by a
 * path argument, by a descriptor (open, dup'd, inherited by a child, opened relative to the
 * working directory or to a directory descriptor, after the file was unlinked), in the calls
 * with several descriptors (dup2, dup3, sendfile, splice, copy_file_range, mmap, epoll_ctl, poll,
 * select), and calls that touch only other files, which must not print. It leaves the directory
 * empty. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int sig) {
    (void) sig;
}

int main(int argc, char **argv) {
    getppid(); /* marker */
    if (argc < 2) {
        return 2;
    }
    const char *file = argv[1];
    const char *name = strrchr(file, '/') + 1;
    char dir[4096];
    size_t dirlen = (size_t) (name - file - 1);
    memcpy(dir, file, dirlen);
    dir[dirlen] = 0;

    int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (write(fd, "hello, path\n", 12) != 12) return 1;
    int other = open("/dev/null", O_WRONLY);
    if (write(other, "not this one\n", 13) != 13) return 1; /* another file: no line */
    access(file, R_OK);
    access("/dev/null", R_OK); /* no line */
    struct stat st;
    stat(file, &st);
    fstat(fd, &st);
    lseek(fd, 0, SEEK_SET);

    int copy = dup(fd);
    dup2(fd, 10);
    dup2(other, 11); /* neither is FILE: no line */
    dup2(11, fd + 20);
    dup3(fd, 12, O_CLOEXEC);
    int f20 = fcntl(fd, F_DUPFD, 20);
    int f30 = fcntl(fd, F_DUPFD_CLOEXEC, 30);
    if (write(copy, "a", 1) != 1 || write(10, "b", 1) != 1 || write(12, "c", 1) != 1
            || write(f20, "d", 1) != 1 || write(f30, "e", 1) != 1) {
        return 1;
    }
    if (write(11, "x", 1) != 1) return 1; /* /dev/null: no line */
    close(11);
    dup2(fd, 11); /* 11 is FILE from now on */
    fsync(11);

    /* Relative to the working directory and to a directory descriptor: the openat lines name
     * "NAME", which is not FILE, but the calls on their descriptors match. */
    if (chdir(dir) != 0) return 1;
    int rel = open(name, O_RDONLY);
    char buf[64];
    if (read(rel, buf, sizeof buf) < 0) return 1;
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    int at = openat(dfd, name, O_RDONLY);
    fstat(at, &st);
    faccessat(AT_FDCWD, file, R_OK, 0);

    /* Calls with several descriptors. */
    int p[2];
    if (pipe(p) != 0) return 1;
    sendfile(other, fd, NULL, 4); /* out is /dev/null, in is FILE */
    lseek(fd, 0, SEEK_SET);
    splice(fd, NULL, p[1], NULL, 4, 0);
    if (read(p[0], buf, 4) != 4) return 1; /* the pipe: no line */
    int out = open("copy.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    copy_file_range(fd, NULL, out, NULL, 4, 0);
    copy_file_range(out, NULL, other, NULL, 4, 0); /* EBADF or EINVAL: no line either way */
    void *map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    munmap(map, 4096); /* no descriptor: no line */
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev); /* EPERM: a regular file */
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev); /* the pipe: no line */
    struct pollfd pfds[2] = {{.fd = p[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    poll(pfds, 2, 0);
    poll(pfds, 1, 0); /* only the pipe: no line */
    fd_set rset;
    FD_ZERO(&rset);
    FD_SET(fd, &rset);
    struct timeval zero = {0, 0};
    select(fd + 1, &rset, NULL, NULL, &zero);
    FD_ZERO(&rset);
    FD_SET(p[0], &rset);
    select(p[0] + 1, &rset, NULL, NULL, &zero); /* no line */

    /* A child writes through the descriptor it inherited and exits; a handled signal. */
    pid_t child = fork();
    if (child == 0) {
        if (write(fd, "child\n", 6) != 6) _exit(1);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);

    /* Renamed and unlinked: the descriptors still refer to it (strace strips " (deleted)"). */
    rename(file, "renamed.tmp");
    rename("renamed.tmp", file);
    unlink(file);
    fstat(fd, &st);
    ftruncate(fd, 0);

    close(at);
    close(rel);
    close(dfd);
    close(out);
    unlink("copy.tmp");
    close(ep);
    close(p[0]);
    close(p[1]);
    close(copy);
    close(10);
    close(11);
    close(12);
    close(fd + 20);
    close(f20);
    close(f30);
    close(other);
    close(fd);
    return 0;
}
