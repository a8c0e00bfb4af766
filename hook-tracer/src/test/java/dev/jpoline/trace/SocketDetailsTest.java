package dev.jpoline.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.trace.format.InetText;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -yy's socket details: strace 6.1's text, /proc/net's tables, sock_diag's answers, the inode cache. */
class SocketDetailsTest {
    @TempDir Path temp;

    private static byte[] ip(String text) throws IOException {
        return InetAddress.getByName(text).getAddress();
    }

    @Test
    void addressesReadAsGlibcsInetNtopWritesThem() throws IOException {
        assertThat(InetText.ntop(ip("127.0.0.1"))).isEqualTo("127.0.0.1");
        assertThat(InetText.ntop(new byte[16])).isEqualTo("::");
        assertThat(InetText.ntop(ip("::1"))).isEqualTo("::1");
        assertThat(InetText.ntop(ip("fe80::1:0:0:2"))).isEqualTo("fe80::1:0:0:2");
        // The first of two equal runs of zeros is the one compressed; a single zero word is not.
        assertThat(InetText.ntop(ip("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(InetText.ntop(ip("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(InetText.ntop(ip("1:0:0:0:0:0:0:0"))).isEqualTo("1::");
        // IPv4 inside IPv6 ends in dotted form (InetAddress would turn the mapped one into a 4-byte address).
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 127;
        mapped[15] = 1;
        assertThat(InetText.ntop(mapped)).isEqualTo("::ffff:127.0.0.1");
        byte[] compatible = new byte[16];
        compatible[12] = 10;
        compatible[15] = 7;
        assertThat(InetText.ntop(compatible)).isEqualTo("::10.0.0.7");
    }

    @Test
    void inetUnixAndNetlinkDetailsHaveStracesForms() throws IOException {
        assertThat(SocketText.inet("TCP", ip("127.0.0.1"), 39210, ip("127.0.0.1"), 8080))
                .isEqualTo("TCP:[127.0.0.1:39210->127.0.0.1:8080]");
        assertThat(SocketText.inet("TCP", ip("127.0.0.1"), 8080, new byte[4], 0)).isEqualTo("TCP:[127.0.0.1:8080]");
        assertThat(SocketText.inet("UDP", ip("0.0.0.0"), 5353, new byte[4], 0)).isEqualTo("UDP:[0.0.0.0:5353]");
        assertThat(SocketText.inet("TCPv6", ip("::1"), 51961, ip("::1"), 33550)).isEqualTo("TCPv6:[[::1]:51961->[::1]:33550]");
        assertThat(SocketText.unix("UNIX-STREAM", 12345, 12346, null)).isEqualTo("UNIX-STREAM:[12345->12346]");
        assertThat(SocketText.unix("UNIX-STREAM", 12345, 0, "/run/x.sock\0\0\0".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("UNIX-STREAM:[12345,\"/run/x.sock\"]");
        assertThat(SocketText.unix("UNIX", 7, 8, "\0abs\"tract\0x".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("UNIX:[7->8,@\"abs\\\"tract\"]");
        assertThat(SocketText.unix("UNIX", 7, 0, null)).as("nothing to say: strace prints UNIX:[7]").isNull();
        assertThat(SocketText.netlink("NETLINK", 0, 7652)).isEqualTo("NETLINK:[ROUTE:7652]");
        assertThat(SocketText.netlink("NETLINK", 16, 0)).isEqualTo("NETLINK:[GENERIC:0]");
        assertThat(SocketText.netlink("NETLINK", 17, 5)).as("no name in strace's table").isEqualTo("NETLINK:[17]");
    }

    /** Lines as this kernel writes them (captured from a Python program's sockets). */
    private static final String TCP6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000001000000:CAF9 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1376272 1 000000007ba7d6a2 100 0 0 10 0
               1: 00000000000000000000000001000000:CAF9 00000000000000000000000001000000:830E 01 00000000:00000000 00:00000000 00000000     0        0 1376274 1 00000000dfa08f4f 20 0 0 10 -1
            """;
    private static final String UDP = """
               sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              808: 0100007F:C826 0100007F:0009 01 00000000:00000000 00:00000000 00000000     0        0 1376275 2 000000008739dc62 0
              809: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 000000008739dc62 0
            """;
    private static final String UNIX = """
            Num       RefCount Protocol Flags    Type St Inode Path
            00000000508a5823: 00000002 00000000 00010000 0001 01 1376277 /tmp/fdsel/p s
            00000000328e4bf0: 00000002 00000000 00010000 0001 01 1376276 @abs name
            000000004964f1df: 00000002 00000000 00000000 0001 03 1373084
            """;
    private static final String NETLINK = """
            sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode
            0000000011f10db0 0   7652       00000000 0        0        0     2        0        1289197
            000000006fa8b459 4   0          00000000 0        0        0     2        0        150
            """;

    @Test
    void procNetTablesGiveTheSameDetails() {
        assertThat(ProcNet.inet(TCP6, "TCPv6", 1376272)).isEqualTo("TCPv6:[[::1]:51961]");
        assertThat(ProcNet.inet(TCP6, "TCPv6", 1376274)).isEqualTo("TCPv6:[[::1]:51961->[::1]:33550]");
        assertThat(ProcNet.inet(UDP, "UDP", 1376275)).isEqualTo("UDP:[127.0.0.1:51238->127.0.0.1:9]");
        assertThat(ProcNet.inet(UDP, "UDP", 99)).isEqualTo("UDP:[0.0.0.0:5353]");
        assertThat(ProcNet.inet(UDP, "UDP", 1376)).as("an inode that is not there").isNull();
        assertThat(ProcNet.unix(UNIX, "UNIX-STREAM", 1376277)).isEqualTo("UNIX-STREAM:[1376277,\"/tmp/fdsel/p s\"]");
        assertThat(ProcNet.unix(UNIX, "UNIX-STREAM", 1376276)).isEqualTo("UNIX-STREAM:[1376276,@\"abs name\"]");
        assertThat(ProcNet.unix(UNIX, "UNIX-STREAM", 1373084)).as("no path, and the table has no peer").isNull();
        assertThat(ProcNet.netlink(NETLINK, "NETLINK", 1289197)).isEqualTo("NETLINK:[ROUTE:7652]");
        assertThat(ProcNet.netlink(NETLINK, "NETLINK", 150)).isEqualTo("NETLINK:[SOCK_DIAG:0]");
        assertThat(ProcNet.netlink(NETLINK, "NETLINK", 4)).isNull();
        assertThat(ProcNet.inetFile("PINGv6")).isEqualTo("icmp6");
        assertThat(ProcNet.inetFile("SCTP")).isNull();
    }

    private static byte[] message(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(16 + body.length).order(ByteOrder.nativeOrder());
        b.putInt(16 + body.length).putShort((short) type).putShort((short) 2).putInt(0).putInt(0).put(body);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += (p.length + 3) & ~3;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p).position((b.position() + 3) & ~3);
        }
        return b.array();
    }

    private static byte[] inetMessage(int family, byte[] src, int sport, byte[] dst, int dport, int inode) {
        ByteBuffer b = ByteBuffer.allocate(72).order(ByteOrder.nativeOrder());
        b.put((byte) family).put((byte) 1).put((byte) 0).put((byte) 0);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) sport).putShort((short) dport).order(ByteOrder.nativeOrder());
        b.put(8, src).put(24, dst);
        b.putInt(68, inode);
        return message(20, b.array());
    }

    private static byte[] unixMessage(int inode, int peer, byte[] name) {
        ByteBuffer b = ByteBuffer.allocate(16 + 8 + ((4 + name.length + 3) & ~3)).order(ByteOrder.nativeOrder());
        b.put((byte) 1).put((byte) 1).put((byte) 10).put((byte) 0).putInt(inode).putInt(-1).putInt(-1);
        b.putShort((short) 8).putShort((short) 2).putInt(peer); // UNIX_DIAG_PEER
        b.putShort((short) (4 + name.length)).putShort((short) 0).put(name); // UNIX_DIAG_NAME
        return message(20, b.array());
    }

    @Test
    void sockDiagAnswersAreReadAsStraceReadsThem() throws IOException {
        boolean[] done = {false};
        byte[] dump = concat(inetMessage(2, ip("10.0.0.1"), 22, ip("10.0.0.2"), 50000, 11),
                inetMessage(2, ip("127.0.0.1"), 8080, new byte[4], 0, 12));
        assertThat(SockDiag.parse(dump, dump.length, "TCP", 12, SockDiag.AF_INET, done)).isEqualTo("TCP:[127.0.0.1:8080]");
        assertThat(done[0]).isTrue();
        done[0] = false;
        assertThat(SockDiag.parse(dump, dump.length, "TCP", 13, SockDiag.AF_INET, done)).isNull();
        assertThat(done[0]).as("the dump goes on in the next read").isFalse();
        byte[] end = message(3, new byte[4]); // NLMSG_DONE
        assertThat(SockDiag.parse(end, end.length, "TCP", 13, SockDiag.AF_INET, done)).isNull();
        assertThat(done[0]).isTrue();

        byte[] unix = unixMessage(100, 101, "\0name".getBytes(StandardCharsets.UTF_8));
        assertThat(SockDiag.parse(unix, unix.length, "UNIX-STREAM", 100, SockDiag.AF_UNIX, new boolean[1]))
                .isEqualTo("UNIX-STREAM:[100->101,@\"name\"]");

        ByteBuffer nl = ByteBuffer.allocate(28).order(ByteOrder.nativeOrder());
        nl.put((byte) 16).put((byte) 3).put((byte) 9).put((byte) 7).putInt(4242).putInt(0).putInt(0).putInt(77);
        byte[] netlink = message(20, nl.array());
        assertThat(SockDiag.parse(netlink, netlink.length, "NETLINK", 77, SockDiag.AF_NETLINK, new boolean[1]))
                .isEqualTo("NETLINK:[AUDIT:4242]");

        ByteBuffer req = ByteBuffer.wrap(SockDiag.unixRequest(100)).order(ByteOrder.nativeOrder());
        assertThat(req.getInt(0)).isEqualTo(40);
        assertThat(req.getShort(4)).isEqualTo((short) 20);
        assertThat(req.getInt(16 + 8)).as("udiag_ino").isEqualTo(100);
        assertThat(req.getInt(16 + 12)).as("name and peer").isEqualTo(5);
        assertThat(SockDiag.inetRequest(10, 6)).hasSize(72);
        assertThat(SockDiag.netlinkRequest()).hasSize(36);
    }

    /** A source that answers from a list and says what it was asked. */
    private static final class Scripted implements SocketDetails.Source {
        final List<String> asked = new ArrayList<>();
        SockDiag.Answer answer = SockDiag.Answer.ABSENT;
        String table;

        @Override
        public SockDiag.Answer unix(String name, long inode) {
            asked.add(name);
            return answer;
        }

        @Override
        public SockDiag.Answer inet(String name, int family, int protocol, long inode) {
            asked.add(name);
            return answer;
        }

        @Override
        public SockDiag.Answer netlink(String name, long inode) {
            asked.add(name);
            return answer;
        }

        @Override
        public String procNet(String file) {
            asked.add("/proc/net/" + file);
            return table;
        }
    }

    @Test
    void theFirstDetailsFoundAreKeptAndWhatIsNotFoundPrintsAsStracePrintsIt() {
        Scripted source = new Scripted();
        SocketDetails details = new SocketDetails(source);
        assertThat(details.describe("TCP", 1289158)).as("an unbound socket").isEqualTo("TCP:[1289158]");
        source.answer = new SockDiag.Answer(SockDiag.Outcome.FOUND, "TCP:[127.0.0.1:54679]");
        assertThat(details.describe("TCP", 1289158)).isEqualTo("TCP:[127.0.0.1:54679]");
        source.answer = new SockDiag.Answer(SockDiag.Outcome.FOUND, "TCP:[127.0.0.1:54679->127.0.0.1:1]");
        assertThat(details.describe("TCP", 1289158)).as("kept, as strace keeps it").isEqualTo("TCP:[127.0.0.1:54679]");
        assertThat(details.describe("TCP", 1289158 + 1024)).as("the same slot: replaced")
                .isEqualTo("TCP:[127.0.0.1:54679->127.0.0.1:1]");

        source.asked.clear();
        source.answer = SockDiag.Answer.ABSENT;
        assertThat(details.describe("PACKET", 5)).as("a protocol strace does not know: its path prints").isNull();
        assertThat(source.asked).as("every protocol strace knows, in its order").startsWith("UNIX", "UNIX-STREAM", "TCP")
                .endsWith("RAWv6", "NETLINK").hasSize(19);

        source.asked.clear();
        source.answer = SockDiag.Answer.UNAVAILABLE;
        source.table = UDP;
        assertThat(details.describe("UDP", 1376275)).as("no sock_diag: /proc/net")
                .isEqualTo("UDP:[127.0.0.1:51238->127.0.0.1:9]");
        assertThat(source.asked).containsExactly("UDP", "/proc/net/udp");
    }

    private static final com.sun.jna.NativeLibrary LIBC = com.sun.jna.NativeLibrary.getInstance("c");

    private static int call(String function, Object... args) {
        return LIBC.getFunction(function).invokeInt(args);
    }

    private static long inode(int fd) throws IOException {
        return FdPaths.socketInode(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
    }

    /** Sockets of this JVM's own, made with libc (so that their descriptors are known), described by the kernel's two sources alike. */
    @Test
    void sockDiagAndProcNetDescribeALiveSocketAlike() throws Exception {
        List<Integer> fds = new ArrayList<>();
        try {
            int tcp = call("socket", 2, 1, 0);
            fds.add(tcp);
            com.sun.jna.Memory in = new com.sun.jna.Memory(16);
            in.clear();
            in.setShort(0, (short) 2);
            in.setByte(4, (byte) 127);
            in.setByte(7, (byte) 1);
            assertThat(call("bind", tcp, in, 16)).isZero();
            assertThat(call("listen", tcp, 1)).isZero();
            com.sun.jna.Memory len = new com.sun.jna.Memory(4);
            len.setInt(0, 16);
            assertThat(call("getsockname", tcp, in, len)).isZero();
            int port = ((in.getByte(2) & 0xff) << 8) | (in.getByte(3) & 0xff);
            long listening = inode(tcp);
            SockDiag.Answer diag = SockDiag.inet("TCP", SockDiag.AF_INET, 6, listening);
            assertThat(diag.outcome()).isEqualTo(SockDiag.Outcome.FOUND);
            assertThat(diag.details()).isEqualTo("TCP:[127.0.0.1:" + port + "]");
            assertThat(ProcNet.inet(ProcNet.read("tcp"), "TCP", listening)).isEqualTo(diag.details());
            assertThat(FileFacts.socketProtocol("/proc/self/fd/" + tcp)).isEqualTo("TCP");

            com.sun.jna.Memory pair = new com.sun.jna.Memory(8);
            assertThat(call("socketpair", 1, 1, 0, pair)).isZero();
            int a = pair.getInt(0);
            int b = pair.getInt(4);
            fds.add(a);
            fds.add(b);
            assertThat(SockDiag.unix("UNIX-STREAM", inode(a)).details())
                    .isEqualTo("UNIX-STREAM:[" + inode(a) + "->" + inode(b) + "]");
            assertThat(FileFacts.socketProtocol("/proc/self/fd/" + a)).isEqualTo("UNIX-STREAM");

            int named = call("socket", 1, 1, 0);
            fds.add(named);
            String path = temp.resolve("s.sock").toString();
            com.sun.jna.Memory un = new com.sun.jna.Memory(110);
            un.clear();
            un.setShort(0, (short) 1);
            un.setString(2, path);
            assertThat(call("bind", named, un, 110)).isZero();
            assertThat(call("listen", named, 1)).isZero();
            String expected = "UNIX-STREAM:[" + inode(named) + ",\"" + path + "\"]";
            assertThat(SockDiag.unix("UNIX-STREAM", inode(named)).details()).isEqualTo(expected);
            assertThat(ProcNet.unix(ProcNet.read("unix"), "UNIX-STREAM", inode(named))).isEqualTo(expected);
            assertThat(SockDiag.unix("UNIX-STREAM", listening).outcome()).as("a TCP socket's inode").isEqualTo(
                    SockDiag.Outcome.ABSENT);
        } finally {
            for (int fd : fds) {
                call("close", fd);
            }
        }
    }
}
