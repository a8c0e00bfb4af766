package dev.jpoline.api.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.Errno;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Socket addresses decoded for connect, bind, accept, sendto, recvfrom; sendmsg and recvmsg's msghdr. */
class SocketHooksTest {
    private static byte[] inet(int port, int a, int b, int c, int d) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 2)
                .order(ByteOrder.BIG_ENDIAN).putShort((short) port).put((byte) a).put((byte) b).put((byte) c).put((byte) d)
                .array();
    }

    private static byte[] inet6(int port, byte[] ip, int scope) {
        ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 10);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).putInt(0).put(ip);
        return b.order(ByteOrder.LITTLE_ENDIAN).putInt(scope).array();
    }

    private static byte[] unix(byte[] path) {
        return ByteBuffer.allocate(2 + path.length).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 1).put(path).array();
    }

    @Test
    void inetAddressesDecodeWithoutALookup() throws Exception {
        assertThat(SocketAddresses.decode(inet(8080, 127, 0, 0, 1)))
                .isEqualTo(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 8080));
        InetSocketAddress a = (InetSocketAddress) SocketAddresses.decode(inet(443, 93, 184, 216, 34));
        assertThat(a.getPort()).isEqualTo(443);
        assertThat(a.isUnresolved()).isFalse();
        assertThat(a.getAddress().getHostAddress()).isEqualTo("93.184.216.34");
        byte[] loop6 = new byte[16];
        loop6[15] = 1;
        assertThat(SocketAddresses.decode(inet6(9000, loop6, 0)))
                .isEqualTo(new InetSocketAddress(InetAddress.getByAddress(loop6), 9000));
        byte[] linkLocal = new byte[16];
        linkLocal[0] = (byte) 0xfe;
        linkLocal[1] = (byte) 0x80;
        linkLocal[15] = 7;
        InetSocketAddress scoped = (InetSocketAddress) SocketAddresses.decode(inet6(22, linkLocal, 3));
        assertThat(((Inet6Address) scoped.getAddress()).getScopeId()).isEqualTo(3);
        assertThat(scoped.getPort()).isEqualTo(22);
    }

    @Test
    void unixPathsAbstractUnnamedTruncatedAndGarbage() {
        assertThat(SocketAddresses.decode(unix("/run/app.sock\0\0\0".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(UnixDomainSocketAddress.of("/run/app.sock"));
        assertThat(SocketAddresses.decode(unix("rel.sock".getBytes(StandardCharsets.UTF_8)))) // no NUL within addrlen
                .isEqualTo(UnixDomainSocketAddress.of("rel.sock"));
        assertThat(SocketAddresses.decode(unix("\0abstract".getBytes(StandardCharsets.UTF_8)))).isNull();
        assertThat(SocketAddresses.decode(unix(new byte[0]))).as("unnamed").isNull();
        assertThat(SocketAddresses.decode(java.util.Arrays.copyOf(inet(80, 1, 2, 3, 4), 6))).as("short inet").isNull();
        assertThat(SocketAddresses.decode(java.util.Arrays.copyOf(inet6(80, new byte[16], 0), 20))).isNull();
        assertThat(SocketAddresses.decode(new byte[] {(byte) 0x99, 0x7f, 1, 2, 3, 4})).as("unknown family").isNull();
        assertThat(SocketAddresses.decode(new byte[] {2})).isNull();
        assertThat(SocketAddresses.decode(null)).isNull();
    }

    @Test
    void connectBindAndSendtoGetTheirAddressDecodedAndMayDeny() {
        List<SocketAddress> seen = new ArrayList<>();
        SyscallHooks hooks = new SyscallHooks() {
            @Override
            public long connect(SyscallCall call, int fd, SocketAddress address, int addressLength) {
                seen.add(address);
                return address instanceof InetSocketAddress i && i.getPort() == 25 ? call.fail(Errno.ECONNREFUSED)
                        : call.proceed();
            }

            @Override
            public long bind(SyscallCall call, int fd, SocketAddress address, int addressLength) {
                seen.add(address);
                return call.proceed();
            }

            @Override
            public long sendto(SyscallCall call, int fd, TargetBuffer buffer, long length, int flags,
                    SocketAddress destination) {
                seen.add(destination);
                return call.proceed();
            }
        };
        HookDispatcher d = new HookDispatcher(List.of(hooks), HookDispatcher.OnError.PROCEED, r -> { });
        SimulatedCall smtp = SimulatedCall.of("connect", 3, 0x1000, 16).withBytes(0x1000, inet(25, 10, 0, 0, 1));
        assertThat(d.dispatch(smtp)).isEqualTo(-111);
        assertThat(smtp.kernelCalls()).isEmpty();
        SimulatedCall web = SimulatedCall.of("connect", 3, 0x1000, 16).withBytes(0x1000, inet(80, 10, 0, 0, 1))
                .kernelReturns(0);
        assertThat(d.dispatch(web)).isZero();
        assertThat(web.kernelCalls()).hasSize(1);
        d.dispatch(SimulatedCall.of("bind", 4, 0x2000, 9).withBytes(0x2000, unix("/tmp/s\0".getBytes(StandardCharsets.UTF_8)))
                .kernelReturns(0));
        d.dispatch(SimulatedCall.of("sendto", 5, 0x3000, 2, 0, 0, 0).withBytes(0x3000, new byte[2]).kernelReturns(2));
        d.dispatch(SimulatedCall.of("connect", 3, 0x4000, 16)); // unreadable: null, the kernel says EFAULT
        assertThat(seen).hasSize(5);
        assertThat(seen.get(2)).isEqualTo(UnixDomainSocketAddress.of("/tmp/s"));
        assertThat(seen.get(3)).as("sendto without a destination").isNull();
        assertThat(seen.get(4)).isNull();
        assertThat(d.hookedNumbers().stream().count()).isEqualTo(3);
    }

    @Test
    void aClassWithTheRawFormStillGetsItsCalls() {
        List<Long> lengths = new ArrayList<>();
        SyscallHooks raw = new SyscallHooks() {
            @Override
            public long connect(SyscallCall call, int fd, TargetBuffer address, int addressLength) {
                lengths.add(address.length());
                return call.proceed();
            }
        };
        HookDispatcher d = new HookDispatcher(List.of(raw), HookDispatcher.OnError.PROCEED, r -> { });
        d.dispatch(SimulatedCall.of("connect", 3, 0x1000, 16).withBytes(0x1000, inet(80, 1, 1, 1, 1)).kernelReturns(0));
        assertThat(lengths).containsExactly(16L);
    }

    @Test
    void acceptAndRecvfromReadTheAddressTheKernelReturned() {
        List<Object> seen = new ArrayList<>();
        SyscallHooks hooks = new SyscallHooks() {
            @Override
            public long accept4(SyscallCall call, int fd, KernelAddress peer, int flags) {
                seen.add(peer.address()); // before the call: nothing yet
                long r = call.proceed();
                seen.add(peer.address());
                return r;
            }

            @Override
            public long recvfrom(SyscallCall call, int fd, TargetBuffer buffer, long length, int flags,
                    KernelAddress source) {
                long r = call.proceed();
                seen.add(source.address());
                return r;
            }
        };
        HookDispatcher d = new HookDispatcher(List.of(hooks), HookDispatcher.OnError.PROCEED, r -> { });
        // The "kernel" wrote a 16-byte peer address and its length before returning descriptor 7.
        byte[] length16 = {16, 0, 0, 0};
        d.dispatch(SimulatedCall.of("accept4", 3, 0x1000, 0x2000, 0).withBytes(0x1000, inet(5555, 127, 0, 0, 1))
                .withBytes(0x2000, length16).kernelReturns(7));
        d.dispatch(SimulatedCall.of("recvfrom", 3, 0x3000, 4, 0, 0, 0).withBytes(0x3000, new byte[4]).kernelReturns(4));
        d.dispatch(SimulatedCall.of("accept4", 3, 0x1000, 0x2000, 0).withBytes(0x1000, inet(5555, 127, 0, 0, 1))
                .withBytes(0x2000, length16).kernelReturns(-11)); // EAGAIN: no peer
        assertThat(seen).hasSize(5);
        assertThat(seen.get(0)).isNull();
        assertThat(((InetSocketAddress) seen.get(1)).getPort()).isEqualTo(5555);
        assertThat(seen.get(2)).as("recvfrom(..., NULL, NULL)").isNull();
        assertThat(seen.get(4)).as("a failed accept").isNull();
    }

    @Test
    void anAddressTheKernelCutToTheProgramsBufferIsNotDecoded() {
        List<Object> seen = new ArrayList<>();
        SyscallHooks hooks = new SyscallHooks() {
            @Override
            public long accept(SyscallCall call, int fd, KernelAddress peer) {
                call.write(0x2000, new byte[] {28, 0, 0, 0}); // as the kernel stores an IPv6 peer's length
                long r = call.proceed();
                seen.add(peer.address() == null ? "cut" : peer.address());
                return r;
            }
        };
        HookDispatcher d = new HookDispatcher(List.of(hooks), HookDispatcher.OnError.PROCEED, r -> { });
        // The program gave 16 bytes: the kernel wrote 16 of a 28-byte sockaddr_in6 and said 28.
        d.dispatch(SimulatedCall.of("accept", 3, 0x1000, 0x2000).withBytes(0x1000, new byte[28])
                .withBytes(0x2000, new byte[] {16, 0, 0, 0}).kernelReturns(7));
        assertThat(seen).containsExactly("cut");
    }

    private static byte[] msghdr(long name, int nameLength, long iov, long iovlen, long control, long controllen, int flags) {
        return ByteBuffer.allocate(Message.SIZE).order(ByteOrder.LITTLE_ENDIAN).putLong(name).putInt(nameLength).putInt(0)
                .putLong(iov).putLong(iovlen).putLong(control).putLong(controllen).putInt(flags).putInt(0).array();
    }

    private static byte[] iovecs(long... baseAndLength) {
        ByteBuffer b = ByteBuffer.allocate(8 * baseAndLength.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : baseAndLength) {
            b.putLong(v);
        }
        return b.array();
    }

    @Test
    void sendmsgAndRecvmsgSeeTheirMessage() {
        List<String> seen = new ArrayList<>();
        SyscallHooks hooks = new SyscallHooks() {
            @Override
            public long sendmsg(SyscallCall call, int fd, Message message, int flags) {
                StringBuilder data = new StringBuilder();
                for (TargetBuffer b : message.iovecs()) {
                    data.append(b.readText(100));
                }
                seen.add(message.name() + " " + data + " control " + message.control().length());
                return call.proceed();
            }

            @Override
            public long recvmsg(SyscallCall call, int fd, Message message, int flags) {
                long r = call.proceed();
                seen.add(message.name() + " " + message.iovecs().get(0).readText((int) r) + " flags " + message.flags());
                return r;
            }
        };
        HookDispatcher d = new HookDispatcher(List.of(hooks), HookDispatcher.OnError.PROCEED, r -> { });
        SimulatedCall send = SimulatedCall.of("sendmsg", 3, 0x1000, 0)
                .withBytes(0x1000, msghdr(0x2000, 16, 0x3000, 2, 0x5000, 24, 0))
                .withBytes(0x2000, inet(53, 8, 8, 8, 8))
                .withBytes(0x3000, iovecs(0x4000, 3, 0x4100, 2))
                .withBytes(0x4000, "abc".getBytes(StandardCharsets.UTF_8))
                .withBytes(0x4100, "de".getBytes(StandardCharsets.UTF_8))
                .kernelReturns(5);
        assertThat(d.dispatch(send)).isEqualTo(5);
        SimulatedCall receive = SimulatedCall.of("recvmsg", 3, 0x1000, 0)
                .withBytes(0x1000, msghdr(0, 0, 0x3000, 1, 0, 0, 0x20 /* MSG_TRUNC */))
                .withBytes(0x3000, iovecs(0x4000, 8))
                .withBytes(0x4000, "hello!!!".getBytes(StandardCharsets.UTF_8))
                .kernelReturns(5);
        assertThat(d.dispatch(receive)).isEqualTo(5);
        assertThat(seen).containsExactly("/8.8.8.8:53 abcde control 24", "null hello flags 32");
        // A name the kernel cut: the program's msg_namelen was 8, the kernel says 16.
        seen.clear();
        SyscallHooks cut = new SyscallHooks() {
            @Override
            public long recvmsg(SyscallCall call, int fd, Message message, int flags) {
                call.write(0x1000, msghdr(0x2000, 16, 0x3000, 1, 0, 0, 0)); // as the kernel rewrites it
                long r = call.proceed();
                seen.add(String.valueOf(message.name()));
                return r;
            }
        };
        new HookDispatcher(List.of(cut), HookDispatcher.OnError.PROCEED, r -> { }).dispatch(
                SimulatedCall.of("recvmsg", 3, 0x1000, 0).withBytes(0x1000, msghdr(0x2000, 8, 0x3000, 1, 0, 0, 0))
                        .withBytes(0x2000, inet(53, 8, 8, 8, 8)).withBytes(0x3000, iovecs(0x4000, 1))
                        .withBytes(0x4000, new byte[1]).kernelReturns(1));
        assertThat(seen).containsExactly("null");
    }
}
