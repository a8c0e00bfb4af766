/* -yy (strace's socket and device details) for DecodeFdsIT: run in an empty directory as
 * `sockets_yy FIFO`. It makes a TCP connection over loopback (a listener, a client, the accepted
 * end), a connected UDP socket, a unix stream socketpair, a unix listener with a name, a netlink
 * socket, opens /dev/null and a pidfd; then (from the marker getppid on) uses each once, says it
 * is done (getuid) and waits until someone opens FIFO for writing and writes a byte: jpoline reads
 * what the descriptors refer to when it drains the records, so the test lets it catch up while
 * they are all open. Then it closes them and leaves the directory empty. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        return 2;
    }
    struct sockaddr_in any = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in server = any;
    socklen_t len = sizeof server;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(listener, (struct sockaddr *) &any, sizeof any) != 0) return 1;
    if (getsockname(listener, (struct sockaddr *) &server, &len) != 0) return 1;
    if (listen(listener, 1) != 0) return 1;
    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(client, (struct sockaddr *) &server, sizeof server) != 0) return 1;
    int accepted = accept(listener, NULL, NULL);
    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    if (connect(udp, (struct sockaddr *) &server, sizeof server) != 0) return 1;
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return 1;
    int named = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    strcpy(un.sun_path, "yy.sock");
    if (bind(named, (struct sockaddr *) &un, sizeof un) != 0) return 1;
    if (listen(named, 1) != 0) return 1;
    int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    struct sockaddr_nl nladdr = {.nl_family = AF_NETLINK};
    if (bind(nl, (struct sockaddr *) &nladdr, sizeof nladdr) != 0) return 1;
    int null = open("/dev/null", O_WRONLY);
    int pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0);

    getppid(); /* marker: every descriptor is what it stays */
    char c;
    if (write(client, "x", 1) != 1 || read(accepted, &c, 1) != 1) return 1;
    if (write(udp, "y", 1) != 1) return 1;
    if (write(pair[0], "z", 1) != 1 || read(pair[1], &c, 1) != 1) return 1;
    fcntl(listener, F_GETFL);
    fcntl(named, F_GETFL);
    fcntl(nl, F_GETFL);
    if (write(null, "q", 1) != 1) return 1;
    fcntl(pidfd, F_GETFD);
    getuid(); /* done: wait for the go */
    int go = open(argv[1], O_RDONLY);
    if (go < 0 || read(go, &c, 1) != 1) return 1;
    close(go);

    close(client);
    close(accepted);
    close(listener);
    close(udp);
    close(pair[0]);
    close(pair[1]);
    close(named);
    unlink("yy.sock");
    close(nl);
    close(null);
    close(pidfd);
    return 0;
}
