/* File, ownership, group, ioctl, socket-option, timer and memory-policy syscalls for the trace golden tests
 * (TraceGoldenIT): traced by strace -f and by jpoline trace in an empty directory, the lines from the marker (getppid, the
 * first syscall of main) on must agree. It leaves the directory empty. The calls that change
 * nothing the system keeps (a chown to -1, setgroups to the groups it read) give the same lines
 * as root and as anybody else (EPERM). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    getppid(); /* marker */
    int fd = open("a.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (write(fd, "hello, world\n", 13) != 13) return 1;
    if (fchown(fd, -1, -1) != 0) return 1;
    close(fd);
    symlink("a.txt", "s1");
    symlinkat("a.txt", AT_FDCWD, "s2");
    symlinkat("a.txt", AT_FDCWD, "s2"); /* EEXIST */
    link("a.txt", "h1");
    linkat(AT_FDCWD, "a.txt", AT_FDCWD, "h2", 0);
    linkat(AT_FDCWD, "s1", AT_FDCWD, "h3", AT_SYMLINK_FOLLOW);
    chown("a.txt", -1, -1);
    lchown("s1", -1, -1);
    fchownat(AT_FDCWD, "a.txt", -1, -1, AT_SYMLINK_NOFOLLOW);
    chown("missing", 0, 0); /* ENOENT */
    int in = open("a.txt", O_RDONLY);
    int out = open("b.txt", O_WRONLY | O_CREAT | O_EXCL, 0600);
    copy_file_range(in, NULL, out, NULL, 1 << 20, 0);
    off64_t off_in = 6, off_out = 0;
    copy_file_range(in, &off_in, out, &off_out, 5, 0);
    copy_file_range(in, NULL, 99, NULL, 5, 0); /* EBADF */
    int p[2];
    if (pipe(p) != 0) return 1;
    if (write(p[1], "piped", 5) != 5) return 1;
    int ready = 0;
    ioctl(p[0], FIONREAD, &ready); /* [5]: the pipe's bytes */
    off64_t off_splice = 2;
    splice(p[0], NULL, out, &off_splice, 5, 0);
    close(p[0]);
    close(p[1]);
    close(in);
    close(out);
    umask(0);
    umask(02);
    umask(022);
    gid_t saved[64], groups[64], bad[2] = {0, (gid_t)-1}, two[2] = {0, 1};
    int n = getgroups(0, NULL);
    n = getgroups(64, saved);
    setgroups(2, bad); /* EINVAL, or EPERM when not root */
    setgroups(2, two); /* root: the list below has two entries; others: EPERM */
    getgroups(64, groups);
    getgroups(0, groups);
    syscall(SYS_getgroups, -1, groups); /* EINVAL (raw: glibc declares the size non-negative) */
    setgroups(n < 0 ? 0 : n, saved);
    int sock = socket(AF_INET, SOCK_STREAM, 0), one = 1, value = 0;
    socklen_t length = sizeof value;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(sock, SOL_IP, IP_RECVERR, &one, sizeof one);
    getsockopt(sock, SOL_SOCKET, SO_ERROR, &value, &length);
    struct linger lg;
    length = sizeof lg;
    getsockopt(sock, SOL_SOCKET, SO_LINGER, &lg, &length);
    close(sock);
    /* A POSIX timer, deleted again, and the memory policy, read and set to what it is by default. */
    timer_t timer;
    struct sigevent event = {0};
    event.sigev_notify = SIGEV_NONE;
    event.sigev_value.sival_int = 7;
    if (timer_create(CLOCK_MONOTONIC, &event, &timer) == 0) timer_delete(timer);
    int policy;
    unsigned long nodes[2] = {0};
    syscall(SYS_get_mempolicy, &policy, nodes, 128, 0, 0);
    syscall(SYS_get_mempolicy, &policy, NULL, 0, NULL, 4 /* MPOL_F_MEMS_ALLOWED */);
    syscall(SYS_set_mempolicy, 0 /* MPOL_DEFAULT */, NULL, 0);
    unlink("a.txt");
    unlink("b.txt");
    unlink("s1");
    unlink("s2");
    unlink("h1");
    unlink("h2");
    unlink("h3");
    return 0;
}
