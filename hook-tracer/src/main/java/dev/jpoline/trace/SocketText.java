package dev.jpoline.trace;

import dev.jpoline.trace.format.InetText;
import dev.jpoline.trace.format.StringQuoter;

/**
 * How strace 6.1's {@code -yy} writes what it knows about a socket ({@code TCP:[127.0.0.1:39210->127.0.0.1:8080]},
 * {@code UNIX-STREAM:[12345->12346]}, {@code UNIX-STREAM:[12345,"/run/x.sock"]}, {@code NETLINK:[ROUTE:731]}),
 * whichever source the facts came from (sock_diag or /proc/net).
 */
final class SocketText {
    /** strace's netlink_protocols, indexed by protocol number, without their NETLINK_ prefix. */
    private static final String[] NETLINK_PROTOCOLS = {"ROUTE", "UNUSED", "USERSOCK", "FIREWALL", "SOCK_DIAG",
        "NFLOG", "XFRM", "SELINUX", "ISCSI", "AUDIT", "FIB_LOOKUP", "CONNECTOR", "NETFILTER", "IP6_FW", "DNRTMSG",
        "KOBJECT_UEVENT", "GENERIC", null, "SCSITRANSPORT", "ECRYPTFS", "RDMA", "CRYPTO", "SMC"};

    private SocketText() {}

    /**
     * An inet socket: {@code NAME:[SRC:SPORT]}, or {@code NAME:[SRC:SPORT->DST:DPORT]} when it has a
     * peer (a destination port or address that is not zero); IPv6 addresses in brackets.
     */
    static String inet(String name, byte[] src, int sport, byte[] dst, int dport) {
        boolean v6 = src.length == 16;
        String open = v6 ? "[" : "";
        String close = v6 ? "]" : "";
        StringBuilder sb = new StringBuilder(name).append(":[").append(open).append(InetText.ntop(src)).append(close)
                .append(':').append(sport);
        boolean peer = dport != 0;
        for (byte b : dst) {
            peer |= b != 0;
        }
        if (peer) {
            sb.append("->").append(open).append(InetText.ntop(dst)).append(close).append(':').append(dport);
        }
        return sb.append(']').toString();
    }

    /**
     * A unix socket: {@code NAME:[INODE->PEER,"PATH"]}, the peer and the path each when known (an
     * abstract name as {@code @"name"}), or null when neither is: strace then prints {@code NAME:[INODE]}.
     * {@code path} is the name's bytes as the kernel keeps them (a leading NUL for an abstract one),
     * up to the first NUL that ends it.
     */
    static String unix(String name, long inode, long peer, byte[] path) {
        if (peer == 0 && (path == null || path.length == 0)) {
            return null;
        }
        StringBuilder sb = new StringBuilder(name).append(":[").append(inode);
        if (peer != 0) {
            sb.append("->").append(peer);
        }
        if (path != null && path.length > 0) {
            sb.append(',');
            int from = 0;
            if (path[0] == 0) {
                sb.append('@');
                from = 1;
            }
            int end = from;
            while (end < path.length && path[end] != 0) {
                end++;
            }
            byte[] shown = java.util.Arrays.copyOfRange(path, from, end);
            sb.append(StringQuoter.quote(shown, shown.length, false, false));
        }
        return sb.append(']').toString();
    }

    /** A netlink socket: {@code NAME:[ROUTE:PORTID]}, or {@code NAME:[PROTOCOL]} for a protocol strace has no name for. */
    static String netlink(String name, int protocol, long portid) {
        String known = protocol >= 0 && protocol < NETLINK_PROTOCOLS.length ? NETLINK_PROTOCOLS[protocol] : null;
        if (known == null) {
            return name + ":[" + protocol + "]";
        }
        return name + ":[" + known + ":" + portid + "]";
    }
}
