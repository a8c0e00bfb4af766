/* sendmsg/recvmsg in every form strace decodes: with and without a name, several iovecs, data
 * beyond -s, SCM_RIGHTS and SCM_CREDENTIALS control data, recvmsg's name and flags as the kernel
 * left them (MSG_TRUNC, MSG_CTRUNC), a failed call, MSG_* flags. Starts with getppid (the marker
 * the comparison starts from). Never a NULL or small pointer the kernel should refuse: jpoline's
 * page 0 is mapped, so the kernel reads it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void) {
    getppid();
    /* UDP over loopback: a named send, a received name */
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    int v = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    bind(v, (struct sockaddr *)&a, sizeof a);
    getsockname(v, (struct sockaddr *)&a, &al);
    char ping[] = "ping", bang[] = "!";
    struct iovec out[2] = {{ping, 4}, {bang, 1}};
    struct msghdr m = {.msg_name = &a, .msg_namelen = sizeof a, .msg_iov = out, .msg_iovlen = 2};
    sendmsg(u, &m, 0);
    struct sockaddr_in from;
    char buf1[3], buf2[64];
    struct iovec in[2] = {{buf1, sizeof buf1}, {buf2, sizeof buf2}};
    struct msghdr r = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = in, .msg_iovlen = 2};
    recvmsg(v, &r, 0);
    /* a long string beyond -s, a truncated datagram (MSG_TRUNC) */
    char big[100];
    memset(big, 'x', sizeof big);
    struct iovec bigv = {big, sizeof big};
    m.msg_iov = &bigv;
    m.msg_iovlen = 1;
    sendmsg(u, &m, MSG_DONTWAIT);
    char small[10];
    struct iovec smallv = {small, sizeof small};
    r.msg_iov = &smallv;
    r.msg_iovlen = 1;
    r.msg_namelen = sizeof from;
    recvmsg(v, &r, MSG_DONTWAIT);
    /* nothing to read: a failed call */
    r.msg_namelen = sizeof from;
    recvmsg(v, &r, MSG_DONTWAIT);
    /* a failed send (bad descriptor) */
    sendmsg(99, &m, MSG_NOSIGNAL);

    /* AF_UNIX pair: no name, SCM_RIGHTS and SCM_CREDENTIALS */
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    int on = 1;
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } c;
    memset(&c, 0, sizeof c);
    struct msghdr s = {.msg_iov = out, .msg_iovlen = 2, .msg_control = c.buf, .msg_controllen = sizeof c.buf};
    struct cmsghdr *h = CMSG_FIRSTHDR(&s);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    int passed = 1;
    memcpy(CMSG_DATA(h), &passed, sizeof passed);
    sendmsg(sv[0], &s, 0);
    union { char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } rc;
    struct msghdr t = {.msg_iov = in, .msg_iovlen = 2, .msg_control = rc.buf, .msg_controllen = sizeof rc.buf};
    recvmsg(sv[1], &t, MSG_CMSG_CLOEXEC);
    /* a control buffer too small for the descriptor: MSG_CTRUNC */
    sendmsg(sv[0], &s, 0);
    union { char buf[CMSG_SPACE(0)]; struct cmsghdr align; } tiny;
    t.msg_control = tiny.buf;
    t.msg_controllen = sizeof tiny.buf;
    recvmsg(sv[1], &t, 0);
    /* no control buffer at all */
    s.msg_control = NULL;
    s.msg_controllen = 0;
    sendmsg(sv[0], &s, MSG_EOR);
    t.msg_control = NULL;
    t.msg_controllen = 0;
    recvmsg(sv[1], &t, MSG_PEEK | MSG_WAITALL);

    /* the edges: no iovec array, an empty one, a control buffer shorter than a cmsghdr, a name
     * pointer with no length, and an empty datagram received into a whole sockaddr_storage */
    int ev[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, ev);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct msghdr e = {.msg_iov = NULL, .msg_iovlen = 0};
    sendmsg(ev[0], &e, 0);
    e.msg_iov = out;
    sendmsg(ev[0], &e, 0);
    char shortc[8] = {0};
    e.msg_iovlen = 1;
    e.msg_control = shortc;
    e.msg_controllen = sizeof shortc;
    sendmsg(ev[0], &e, 0);
    e.msg_control = NULL;
    e.msg_controllen = 0;
    e.msg_name = &ss;
    e.msg_namelen = 0;
    sendmsg(ev[0], &e, 0);
    struct msghdr f = {.msg_name = &ss, .msg_namelen = sizeof ss, .msg_iov = &smallv, .msg_iovlen = 1};
    recvmsg(ev[1], &f, MSG_DONTWAIT);
    return 0;
}
