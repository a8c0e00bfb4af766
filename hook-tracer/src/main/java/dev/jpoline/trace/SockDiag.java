package dev.jpoline.trace;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A socket's details from the kernel's sock_diag netlink interface, asked as strace asks it: a
 * unix socket by its inode (name and peer), inet and netlink sockets from a dump of their
 * protocol, searched for the inode. The requests and the parsing of the answers are plain Java
 * ({@link #unixRequest}, {@link #parse}); only the socket calls go through JNA.
 */
final class SockDiag {
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int UDIAG_SHOW_NAME = 1;
    private static final int UDIAG_SHOW_PEER = 4;
    private static final int UNIX_DIAG_NAME = 0;
    private static final int UNIX_DIAG_PEER = 2;
    private static final int NDIAG_PROTO_ALL = 255;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int BUFFER = 32 << 10;

    private static Function socket;
    private static Function sendto;
    private static Function recv;
    private static Function close;

    /** What one question found: the details, none (the kernel does not know the inode), or no answer at all. */
    enum Outcome { FOUND, ABSENT, UNAVAILABLE }

    /** An answer: the outcome and, when found, the details. */
    record Answer(Outcome outcome, String details) {
        static final Answer ABSENT = new Answer(Outcome.ABSENT, null);
        static final Answer UNAVAILABLE = new Answer(Outcome.UNAVAILABLE, null);
    }

    private SockDiag() {}

    /** A unix socket, by inode: strace's UNIX_DIAG request with the name and the peer. */
    static Answer unix(String name, long inode) {
        return ask(unixRequest(inode), name, inode, AF_UNIX);
    }

    /** An inet socket of {@code family} and {@code protocol}, from a dump of that protocol's sockets. */
    static Answer inet(String name, int family, int protocol, long inode) {
        return ask(inetRequest(family, protocol), name, inode, family);
    }

    /** A netlink socket, from a dump of every netlink socket. */
    static Answer netlink(String name, long inode) {
        return ask(netlinkRequest(), name, inode, AF_NETLINK);
    }

    static byte[] unixRequest(long inode) {
        ByteBuffer b = message(24, NLM_F_REQUEST);
        b.put((byte) AF_UNIX).put((byte) 0).putShort((short) 0);
        b.putInt(-1); // every state
        b.putInt((int) inode);
        b.putInt(UDIAG_SHOW_NAME | UDIAG_SHOW_PEER);
        b.putInt(-1).putInt(-1); // no cookie
        return b.array();
    }

    static byte[] inetRequest(int family, int protocol) {
        ByteBuffer b = message(56, NLM_F_REQUEST | NLM_F_DUMP);
        b.put((byte) family).put((byte) protocol).put((byte) 0).put((byte) 0);
        b.putInt(-1); // every state; the socket id (48 bytes) stays zero
        return b.array();
    }

    static byte[] netlinkRequest() {
        ByteBuffer b = message(20, NLM_F_REQUEST | NLM_F_DUMP);
        b.put((byte) AF_NETLINK).put((byte) NDIAG_PROTO_ALL);
        return b.array();
    }

    private static ByteBuffer message(int body, int flags) {
        ByteBuffer b = ByteBuffer.allocate(16 + body).order(ByteOrder.nativeOrder());
        b.putInt(16 + body).putShort((short) SOCK_DIAG_BY_FAMILY).putShort((short) flags).putInt(0).putInt(0);
        return b;
    }

    /**
     * Reads the messages in {@code data[0, length)}: the details of the socket {@code inode} of
     * {@code family} when one of them is about it; otherwise null, and {@code done[0]} says whether
     * the answer ended (NLMSG_DONE, an error, or another kind of message).
     */
    static String parse(byte[] data, int length, String name, long inode, int family, boolean[] done) {
        ByteBuffer b = ByteBuffer.wrap(data, 0, length).order(ByteOrder.nativeOrder());
        int at = 0;
        while (at + 16 <= length) {
            int len = b.getInt(at);
            int type = b.getShort(at + 4) & 0xffff;
            if (len < 16 || at + len > length) {
                done[0] = true;
                return null;
            }
            if (type == NLMSG_DONE || type == NLMSG_ERROR || type != SOCK_DIAG_BY_FAMILY) {
                done[0] = true;
                return null;
            }
            String found = switch (family) {
                case AF_UNIX -> unixMessage(b, at + 16, len - 16, name, inode);
                case AF_NETLINK -> netlinkMessage(b, at + 16, len - 16, name, inode);
                default -> inetMessage(b, at + 16, len - 16, name, inode);
            };
            if (found != null) {
                done[0] = true;
                return found.isEmpty() ? null : found;
            }
            at += (len + 3) & ~3;
        }
        return null;
    }

    /** struct unix_diag_msg and its attributes: "" when it is the socket but says nothing strace prints. */
    private static String unixMessage(ByteBuffer b, int at, int len, String name, long inode) {
        if (len < 16 || (b.getInt(at + 4) & 0xffffffffL) != inode || (b.get(at) & 0xff) != AF_UNIX) {
            return null;
        }
        long peer = 0;
        byte[] path = null;
        int attr = at + 16;
        int end = at + len;
        while (attr + 4 <= end) {
            int alen = b.getShort(attr) & 0xffff;
            int atype = b.getShort(attr + 2) & 0xffff;
            if (alen < 4 || attr + alen > end) {
                break;
            }
            if (atype == UNIX_DIAG_NAME && path == null) {
                path = new byte[Math.min(alen - 4, 108)];
                b.get(attr + 4, path);
            } else if (atype == UNIX_DIAG_PEER && alen >= 8) {
                peer = b.getInt(attr + 4) & 0xffffffffL;
            }
            attr += (alen + 3) & ~3;
        }
        String text = SocketText.unix(name, inode, peer, path);
        return text == null ? "" : text;
    }

    /** struct inet_diag_msg: family, state, timer, retrans, the socket id (ports big-endian), ..., inode. */
    private static String inetMessage(ByteBuffer b, int at, int len, String name, long inode) {
        if (len < 72 || (b.getInt(at + 68) & 0xffffffffL) != inode) {
            return null;
        }
        int family = b.get(at) & 0xff;
        int size = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
        if (size == 0) {
            return "";
        }
        int sport = ((b.get(at + 4) & 0xff) << 8) | (b.get(at + 5) & 0xff);
        int dport = ((b.get(at + 6) & 0xff) << 8) | (b.get(at + 7) & 0xff);
        byte[] src = new byte[size];
        byte[] dst = new byte[size];
        b.get(at + 8, src);
        b.get(at + 24, dst);
        return SocketText.inet(name, src, sport, dst, dport);
    }

    /** struct netlink_diag_msg: family, type, protocol, state, portid, dst portid, dst group, inode. */
    private static String netlinkMessage(ByteBuffer b, int at, int len, String name, long inode) {
        if (len < 28 || (b.getInt(at + 16) & 0xffffffffL) != inode) {
            return null;
        }
        if ((b.get(at) & 0xff) != AF_NETLINK) {
            return "";
        }
        return SocketText.netlink(name, b.get(at + 2) & 0xff, b.getInt(at + 4) & 0xffffffffL);
    }

    private static synchronized boolean bind() {
        if (socket == null) {
            try {
                NativeLibrary c = NativeLibrary.getInstance("c");
                recv = c.getFunction("recv");
                sendto = c.getFunction("sendto");
                close = c.getFunction("close");
                socket = c.getFunction("socket");
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    /** One question on a netlink socket of its own, as strace asks; never blocks (the kernel answers within the send). */
    private static Answer ask(byte[] request, String name, long inode, int family) {
        if (!bind()) {
            return Answer.UNAVAILABLE;
        }
        int fd = socket.invokeInt(new Object[] {AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG});
        if (fd < 0) {
            return Answer.UNAVAILABLE;
        }
        try {
            Memory out = new Memory(request.length);
            out.write(0, request, 0, request.length);
            Memory kernel = new Memory(12);
            kernel.clear();
            kernel.setShort(0, (short) AF_NETLINK);
            if (sendto.invokeLong(new Object[] {fd, out, (long) request.length, 0, kernel, 12}) < 0) {
                return Answer.UNAVAILABLE;
            }
            Memory in = new Memory(BUFFER);
            byte[] data = new byte[BUFFER];
            boolean[] done = {false};
            while (!done[0]) {
                long n = recv.invokeLong(new Object[] {fd, in, (long) BUFFER, MSG_DONTWAIT});
                if (n <= 0) {
                    break;
                }
                in.read(0, data, 0, (int) n);
                String found = parse(data, (int) n, name, inode, family, done);
                if (found != null) {
                    return new Answer(Outcome.FOUND, found);
                }
            }
            return Answer.ABSENT;
        } finally {
            close.invokeInt(new Object[] {fd});
        }
    }
}
