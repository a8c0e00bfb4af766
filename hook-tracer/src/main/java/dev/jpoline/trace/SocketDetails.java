package dev.jpoline.trace;

/**
 * {@code -yy}'s text for a socket, by its inode, as strace 6.1 finds it: asked of sock_diag for
 * the socket's protocol (every protocol strace knows, in its order, when the protocol is not
 * known), else read from /proc/net where sock_diag cannot be asked; the first details found for
 * an inode are kept in a 1024-slot cache indexed by the inode's low bits, as strace keeps them (so a
 * socket prints as it was first seen, and a later socket of the same slot replaces it). When
 * nothing is found, strace's {@code PROTOCOL:[INODE]}, or null for a protocol strace does not know
 * (the descriptor then prints as its path, {@code socket:[INODE]}).
 *
 * <p>Asked when a record is drained, not when the call was made: a socket that changed in between
 * (bound, connected, closed) shows how it is at the drain.
 */
final class SocketDetails {
    private static final int CACHE = 1024;

    /** strace's protocols: its name, how to ask, the family and the protocol number of the question. */
    private record Protocol(String name, char kind, int family, int number) {}

    private static final Protocol[] PROTOCOLS = {
        new Protocol("UNIX", 'u', SockDiag.AF_UNIX, 0),
        new Protocol("UNIX-STREAM", 'u', SockDiag.AF_UNIX, 0),
        new Protocol("TCP", 'i', SockDiag.AF_INET, 6),
        new Protocol("UDP", 'i', SockDiag.AF_INET, 17),
        new Protocol("UDPLITE", 'i', SockDiag.AF_INET, 136),
        new Protocol("DCCP", 'i', SockDiag.AF_INET, 33),
        new Protocol("SCTP", 'i', SockDiag.AF_INET, 132),
        new Protocol("L2TP/IP", 'i', SockDiag.AF_INET, 115),
        new Protocol("PING", 'i', SockDiag.AF_INET, 1),
        new Protocol("RAW", 'i', SockDiag.AF_INET, 255),
        new Protocol("TCPv6", 'i', SockDiag.AF_INET6, 6),
        new Protocol("UDPv6", 'i', SockDiag.AF_INET6, 17),
        new Protocol("UDPLITEv6", 'i', SockDiag.AF_INET6, 136),
        new Protocol("DCCPv6", 'i', SockDiag.AF_INET6, 33),
        new Protocol("SCTPv6", 'i', SockDiag.AF_INET6, 132),
        new Protocol("L2TP/IPv6", 'i', SockDiag.AF_INET6, 115),
        new Protocol("PINGv6", 'i', SockDiag.AF_INET6, 1),
        new Protocol("RAWv6", 'i', SockDiag.AF_INET6, 255),
        new Protocol("NETLINK", 'n', SockDiag.AF_NETLINK, 0),
    };

    /** Where the facts come from; tests give their own. */
    interface Source {
        SockDiag.Answer unix(String name, long inode);

        SockDiag.Answer inet(String name, int family, int protocol, long inode);

        SockDiag.Answer netlink(String name, long inode);

        /** The text of /proc/net/FILE, or null. */
        String procNet(String file);
    }

    /** The kernel's: sock_diag, and /proc/net. */
    static final Source KERNEL = new Source() {
        @Override
        public SockDiag.Answer unix(String name, long inode) {
            return SockDiag.unix(name, inode);
        }

        @Override
        public SockDiag.Answer inet(String name, int family, int protocol, long inode) {
            return SockDiag.inet(name, family, protocol, inode);
        }

        @Override
        public SockDiag.Answer netlink(String name, long inode) {
            return SockDiag.netlink(name, inode);
        }

        @Override
        public String procNet(String file) {
            return ProcNet.read(file);
        }
    };

    private final Source source;
    private final long[] cachedInodes = new long[CACHE];
    private final String[] cachedDetails = new String[CACHE];

    SocketDetails(Source source) {
        this.source = source;
    }

    /**
     * The text for socket {@code inode}, whose protocol is {@code protocol} (the kernel's name, the
     * socket's {@code system.sockprotoname}; null when unknown).
     */
    String describe(String protocol, long inode) {
        int slot = (int) (inode & (CACHE - 1));
        if (cachedInodes[slot] == inode && cachedDetails[slot] != null) {
            return cachedDetails[slot];
        }
        Protocol known = null;
        for (Protocol p : PROTOCOLS) {
            if (p.name.equals(protocol)) {
                known = p;
            }
        }
        String details = null;
        if (known != null) {
            details = lookup(known, inode);
        } else {
            for (Protocol p : PROTOCOLS) {
                details = lookup(p, inode);
                if (details != null) {
                    break;
                }
            }
        }
        if (details != null) {
            cachedInodes[slot] = inode;
            cachedDetails[slot] = details;
            return details;
        }
        return known == null ? null : known.name + ":[" + inode + "]";
    }

    private String lookup(Protocol p, long inode) {
        SockDiag.Answer a = switch (p.kind) {
            case 'u' -> source.unix(p.name, inode);
            case 'n' -> source.netlink(p.name, inode);
            default -> source.inet(p.name, p.family, p.number, inode);
        };
        if (a.outcome() != SockDiag.Outcome.UNAVAILABLE) {
            return a.details();
        }
        String file = switch (p.kind) {
            case 'u' -> "unix";
            case 'n' -> "netlink";
            default -> ProcNet.inetFile(p.name);
        };
        String table = file == null ? null : source.procNet(file);
        if (table == null) {
            return null;
        }
        return switch (p.kind) {
            case 'u' -> ProcNet.unix(table, p.name, inode);
            case 'n' -> ProcNet.netlink(table, p.name, inode);
            default -> ProcNet.inet(table, p.name, inode);
        };
    }
}
