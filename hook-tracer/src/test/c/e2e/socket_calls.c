/* Socket calls for the typed hooks (SocketHooksIT), all over loopback, deterministic output:
 * a UDP datagram sent with sendmsg (two iovecs and a name) and received with recvmsg; a TCP
 * connect, accept and a line through it; a connect to the port in argv[1], which a hook denies. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static struct sockaddr_in loopback(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int bound(int type, struct sockaddr_in *out) {
    int s = socket(AF_INET, type, 0);
    struct sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(s, (struct sockaddr *)out, &len) != 0) {
        perror("bind");
        exit(2);
    }
    return s;
}

int main(int argc, char **argv) {
    struct sockaddr_in server;
    int udp = bound(SOCK_DGRAM, &server);
    int client = socket(AF_INET, SOCK_DGRAM, 0);
    char first[] = "ping", second[] = "!";
    struct iovec out[2] = {{first, 4}, {second, 1}};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &server;
    m.msg_namelen = sizeof server;
    m.msg_iov = out;
    m.msg_iovlen = 2;
    printf("sendmsg %zd\n", sendmsg(client, &m, 0));
    char buffer[16] = {0};
    struct iovec in = {buffer, sizeof buffer - 1};
    struct sockaddr_in from;
    struct msghdr r;
    memset(&r, 0, sizeof r);
    r.msg_name = &from;
    r.msg_namelen = sizeof from;
    r.msg_iov = &in;
    r.msg_iovlen = 1;
    printf("recvmsg %zd %s\n", recvmsg(udp, &r, 0), buffer);

    int listener = bound(SOCK_STREAM, &server);
    listen(listener, 1);
    int tcp = socket(AF_INET, SOCK_STREAM, 0);
    printf("connect %d\n", connect(tcp, (struct sockaddr *)&server, sizeof server));
    struct sockaddr_in peer;
    socklen_t peer_length = sizeof peer;
    int accepted = accept(listener, (struct sockaddr *)&peer, &peer_length);
    printf("accept %s\n", accepted >= 0 ? "ok" : strerror(errno));
    printf("write %zd\n", write(tcp, "line\n", 5));

    struct sockaddr_in denied = loopback(argc > 1 ? atoi(argv[1]) : 9);
    int other = socket(AF_INET, SOCK_STREAM, 0);
    int rc = connect(other, (struct sockaddr *)&denied, sizeof denied);
    printf("connect to %d: %s\n", ntohs(denied.sin_port), rc == 0 ? "ok" : strerror(errno));
    return 0;
}
