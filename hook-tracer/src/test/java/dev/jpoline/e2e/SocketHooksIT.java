package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.Jpoline;
import dev.jpoline.api.Errno;
import dev.jpoline.api.hooks.KernelAddress;
import dev.jpoline.api.hooks.Message;
import dev.jpoline.api.hooks.SyscallCall;
import dev.jpoline.api.hooks.SyscallHooks;
import dev.jpoline.api.hooks.TargetBuffer;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed socket hooks against a real program's calls over loopback (socket_calls.c). */
class SocketHooksIT {
    @TempDir Path temp;

    @BeforeAll
    static void va0() throws Exception {
        Programs.requireVa0();
    }

    @Test
    void hooksSeeMessagesAndAddressesAndDenyOnePort() throws Exception {
        Path program = Programs.build("socket_calls");
        Path out = temp.resolve("out.txt");
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        SyscallHooks hooks = new SyscallHooks() {
            @Override
            public long sendmsg(SyscallCall call, int fd, Message message, int flags) {
                StringBuilder data = new StringBuilder();
                for (TargetBuffer b : message.iovecs()) {
                    data.append(b.readText(64)).append('|');
                }
                InetSocketAddress to = (InetSocketAddress) message.name();
                seen.add("sendmsg " + data + " to " + to.getAddress().getHostAddress() + " port>0 " + (to.getPort() > 0));
                return call.proceed();
            }

            @Override
            public long recvmsg(SyscallCall call, int fd, Message message, int flags) {
                long n = call.proceed();
                InetSocketAddress from = (InetSocketAddress) message.name();
                seen.add("recvmsg " + n + " " + message.iovecs().get(0).readText((int) Math.max(0, n)) + " from "
                        + from.getAddress().getHostAddress());
                return n;
            }

            @Override
            public long connect(SyscallCall call, int fd, SocketAddress address, int addressLength) {
                InetSocketAddress to = (InetSocketAddress) address;
                seen.add("connect " + to.getAddress().getHostAddress() + (to.getPort() == 9 ? " 9" : ""));
                return to.getPort() == 9 ? call.fail(Errno.ECONNREFUSED) : call.proceed();
            }

            @Override
            public long accept(SyscallCall call, int fd, KernelAddress peer) {
                long r = call.proceed();
                seen.add("accept " + ((InetSocketAddress) peer.address()).getAddress().getHostAddress());
                return r;
            }

            @Override
            public long accept4(SyscallCall call, int fd, KernelAddress peer, int flags) {
                long r = call.proceed(); // glibc's accept may be accept4
                seen.add("accept " + ((InetSocketAddress) peer.address()).getAddress().getHostAddress());
                return r;
            }
        };
        Jpoline.Running running = Jpoline.launch(List.of("sh", "-c", program + " 9 > " + out), hooks);
        assertThat(running.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(running.waitFor()).isZero();
        assertThat(Files.readString(out)).isEqualTo("sendmsg 5\nrecvmsg 5 ping!\nconnect 0\naccept ok\nwrite 5\n"
                + "connect to 9: Connection refused\n");
        assertThat(seen).containsExactly("sendmsg ping|!| to 127.0.0.1 port>0 true", "recvmsg 5 ping! from 127.0.0.1",
                "connect 127.0.0.1", "accept 127.0.0.1", "connect 127.0.0.1 9");
    }
}
