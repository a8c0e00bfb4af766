/* A deterministic program for -e read= and -e write= (TraceDumpIT): every call strace dumps, on
 * descriptors with fixed numbers, traced by strace -f and by jpoline trace; the dump lines after
 * each call must agree. getppid() is the marker: the first syscall of main.
 *
 * Descriptors: 3/4 a pipe, 5/6 a socketpair, 7 a scratch file. Argument: the size of one big
 * write (and read back through the file), to show strace's offset column grow past 1 MiB or
 * jpoline's capture limit. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <mqueue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static char big[1 << 22];

int main(int argc, char **argv) {
    getppid(); /* marker */
    size_t big_size = argc > 1 ? (size_t)atol(argv[1]) : 100;
    if (big_size > sizeof big) big_size = sizeof big;
    int p[2];
    if (pipe(p) != 0 || p[0] != 3 || p[1] != 4) return 10;
    int s[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, s) != 0 || s[0] != 5 || s[1] != 6) return 11;
    int f = open("/tmp", O_TMPFILE | O_RDWR, 0600);
    if (f != 7) return 12;

    /* write/read: a partial last line and every kind of byte */
    unsigned char bytes[40];
    for (int i = 0; i < 40; i++) bytes[i] = (unsigned char)(i * 7 + 0x1e);
    bytes[3] = '\n';
    bytes[4] = 0x7f;
    bytes[5] = ' ';
    bytes[6] = '~';
    if (write(4, bytes, sizeof bytes) != sizeof bytes) return 13;
    char buf[256];
    if (read(3, buf, sizeof buf) != sizeof bytes) return 14; /* dumps only what was read */
    /* exactly 16 and 32 bytes: no partial line */
    if (write(4, "0123456789abcdef", 16) != 16) return 15;
    if (read(3, buf, 16) != 16) return 16;
    /* writev/readv: per-buffer dumps; an empty buffer ends strace's dump of a vector */
    struct iovec out[3] = {{"first ", 6}, {"second buffer\n", 14}, {"third", 5}};
    if (writev(4, out, 3) != 25) return 17;
    char r1[4], r2[30];
    struct iovec in[2] = {{r1, sizeof r1}, {r2, sizeof r2}};
    if (readv(3, in, 2) != 25) return 18; /* 4 into the first, 21 into the second */
    struct iovec gap[3] = {{"ab", 2}, {"", 0}, {"cd", 2}};
    if (writev(4, gap, 3) != 4) return 19;
    if (read(3, buf, sizeof buf) != 4) return 20;
    /* pwrite64/pread64, pwritev/preadv on the file */
    if (pwrite(7, "at offset 3", 11, 3) != 11) return 21;
    if (pread(7, buf, 11, 3) != 11) return 22;
    struct iovec pv[2] = {{"pw", 2}, {"ritev", 5}};
    if (pwritev(7, pv, 2, 20) != 7) return 23;
    char q1[3], q2[8];
    struct iovec qv[2] = {{q1, sizeof q1}, {q2, sizeof q2}};
    if (preadv(7, qv, 2, 20) != 7) return 24;
    if (pwritev2(7, pv, 2, 40, 0) != 7) return 25;
    if (preadv2(7, qv, 2, 40, 0) != 7) return 26;
    /* sendto/recvfrom, sendmsg/recvmsg, sendmmsg/recvmmsg on the socketpair */
    if (sendto(6, "datagram", 8, 0, NULL, 0) != 8) return 27;
    if (recvfrom(5, buf, sizeof buf, 0, NULL, NULL) != 8) return 28;
    struct iovec mv[2] = {{"msg ", 4}, {"vector", 6}};
    struct msghdr mh = {.msg_iov = mv, .msg_iovlen = 2};
    if (sendmsg(6, &mh, 0) != 10) return 29;
    char m1[5], m2[20];
    struct iovec rv[2] = {{m1, sizeof m1}, {m2, sizeof m2}};
    struct msghdr rh = {.msg_iov = rv, .msg_iovlen = 2};
    if (recvmsg(5, &rh, 0) != 10) return 30;
    struct iovec a[1] = {{"one", 3}}, b[2] = {{"tw", 2}, {"o!", 2}};
    struct mmsghdr mm[2] = {{.msg_hdr = {.msg_iov = a, .msg_iovlen = 1}}, {.msg_hdr = {.msg_iov = b, .msg_iovlen = 2}}};
    if (sendmmsg(6, mm, 2, 0) != 2) return 31;
    char n1[8], n2[8];
    struct iovec ra[1] = {{n1, sizeof n1}}, rb[1] = {{n2, sizeof n2}};
    struct mmsghdr rm[2] = {{.msg_hdr = {.msg_iov = ra, .msg_iovlen = 1}}, {.msg_hdr = {.msg_iov = rb, .msg_iovlen = 1}}};
    if (recvmmsg(5, rm, 2, 0, NULL) != 2) return 32;
    /* failures: a write that fails is still dumped (strace dumps what the caller passed), a
     * read that fails is not */
    if (write(3, "to the read end", 15) != -1) return 33;
    if (read(4, buf, 10) != -1) return 34;
    /* a big buffer through the file */
    for (size_t i = 0; i < big_size; i++) big[i] = (char)(i * 31 + i / 256);
    if (pwrite(7, big, big_size, 0) != (ssize_t)big_size) return 35;
    if (pread(7, big, big_size, 0) != (ssize_t)big_size) return 36;
    /* a descriptor outside the sets the tests give: never dumped */
    if (write(2, "", 0) != 0) return 37;
    close(7);
    return 0;
}
