package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.SyscallTable;
import dev.jpoline.host.SessionLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * sendmsg's and recvmsg's msghdr against strace 6.1's lines (msg_decode.c and a variant run under
 * strace -e trace=sendmsg,recvmsg on this machine): the records hold what the capture schema
 * copies, the header (recvmsg's as passed, then as left), the name, the iovecs and their data, and
 * the control data as payload elements.
 */
class MessageFormatTest {
    private static final StraceFormatter F = new StraceFormatter(TraceOptions.defaults());
    // the elements as the runtime writes them (SessionLayoutTest checks them against session.h)
    private static final int IOV_ARRAY = SessionLayout.elementIovArray(0);
    private static final int NAME = SessionLayout.elementMsgName(0);
    private static final int CONTROL = SessionLayout.elementMsgControl(0);
    private static final long NAME_AT = 0x7ffd1000L;
    private static final long IOV_AT = 0x7ffd2000L;
    private static final long CONTROL_AT = 0x7ffd3000L;

    private static SyscallRecord.Builder call(String name, long... args) {
        return SyscallRecord.builder(SyscallTable.x86_64().numberOf(name)).pid(100).args(args);
    }

    private static Payload text(String s) {
        return Payload.complete(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A struct msghdr written at offset {@code at} of {@code b}. */
    private static Bytes header(Bytes b, int at, long name, int namelen, long iov, long iovlen, long control,
            long controllen, int flags) {
        return b.u64(at, name).u32(at + 8, namelen).u64(at + 16, iov).u64(at + 24, iovlen).u64(at + 32, control)
                .u64(at + 40, controllen).u32(at + 48, flags);
    }

    private static Payload msghdr(long name, int namelen, long iov, long iovlen, long control, long controllen,
            int flags) {
        return header(Bytes.of(56), 0, name, namelen, iov, iovlen, control, controllen, flags).payload();
    }

    /** recvmsg's: the header as passed, then as the kernel left it. */
    private static Payload received(int passedNamelen, long name, int namelen, long iov, long iovlen, long control,
            long passedControllen, long controllen, int flags) {
        Bytes b = Bytes.of(112);
        header(b, 0, name, passedNamelen, iov, iovlen, control, passedControllen, 0);
        return header(b, 56, name, namelen, iov, iovlen, control, controllen, flags).payload();
    }

    private static Payload inet(int port) {
        return Bytes.of(16).u16(0, 2).be16(2, port).u8(4, 127).u8(7, 1).payload();
    }

    private static Payload iovs(long... lengths) {
        Bytes b = Bytes.of(16 * lengths.length);
        for (int k = 0; k < lengths.length; k++) {
            b.u64(16 * k, 0x7ffd4000L + 0x100 * k).u64(16 * k + 8, lengths[k]);
        }
        return b.payload();
    }

    private static String line(SyscallRecord.Builder b) {
        return F.formatSyscall(b.build());
    }

    @Test
    void aNamedSendAndItsReceptionWithSeveralIovecs() {
        assertThat(line(call("sendmsg", 3, 0x7ffc0000L, 0).payload(1, msghdr(NAME_AT, 16, IOV_AT, 2, 0, 0, 0))
                .elementPayload(1, NAME, inet(34776)).elementPayload(1, IOV_ARRAY, iovs(4, 1))
                .elementPayload(1, 0x8000, text("ping")).elementPayload(1, 0x8001, text("!")).returns(5)))
                .isEqualTo("sendmsg(3, {msg_name={sa_family=AF_INET, sin_port=htons(34776), sin_addr=inet_addr("
                        + "\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"ping\", iov_len=4}, {iov_base=\"!\","
                        + " iov_len=1}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, 0) = 5");
        // the kernel's data only up to the result
        assertThat(line(call("recvmsg", 4, 0x7ffc0000L, 0).payload(1, received(16, NAME_AT, 16, IOV_AT, 2, 0, 0, 0, 0))
                .elementPayload(1, NAME, inet(59230)).elementPayload(1, IOV_ARRAY, iovs(3, 64))
                .elementPayload(1, 0x8000, text("pin")).elementPayload(1, 0x8001, text("g!")).returns(5)))
                .isEqualTo("recvmsg(4, {msg_name={sa_family=AF_INET, sin_port=htons(59230), sin_addr=inet_addr("
                        + "\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"pin\", iov_len=3}, {iov_base=\"g!\","
                        + " iov_len=64}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, 0) = 5");
    }

    @Test
    void dataBeyondTheLimitTheKernelsFlagsAndTheCallsFlags() {
        assertThat(line(call("sendmsg", 3, 0x7ffc0000L, 0x40).payload(1, msghdr(NAME_AT, 16, IOV_AT, 1, 0, 0, 0))
                .elementPayload(1, NAME, inet(34776)).elementPayload(1, IOV_ARRAY, iovs(100))
                .elementPayload(1, 0x8000, Payload.truncated("x".repeat(32).getBytes(StandardCharsets.US_ASCII)))
                .returns(100)))
                .isEqualTo("sendmsg(3, {msg_name={sa_family=AF_INET, sin_port=htons(34776), sin_addr=inet_addr("
                        + "\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"" + "x".repeat(32) + "\"..., "
                        + "iov_len=100}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, MSG_DONTWAIT) = 100");
        assertThat(line(call("recvmsg", 4, 0x7ffc0000L, 0x40)
                .payload(1, received(16, NAME_AT, 16, IOV_AT, 1, 0, 0, 0, 0x20)).elementPayload(1, NAME, inet(59230))
                .elementPayload(1, IOV_ARRAY, iovs(10)).elementPayload(1, 0x8000, text("xxxxxxxxxx")).returns(10)))
                .isEqualTo("recvmsg(4, {msg_name={sa_family=AF_INET, sin_port=htons(59230), sin_addr=inet_addr("
                        + "\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"xxxxxxxxxx\", iov_len=10}], "
                        + "msg_iovlen=1, msg_controllen=0, msg_flags=MSG_TRUNC}, MSG_DONTWAIT) = 10");
        assertThat(line(call("sendmsg", 5, 0x7ffc0000L, 0x80).payload(1, msghdr(0, 0, IOV_AT, 2, 0, 0, 0))
                .elementPayload(1, IOV_ARRAY, iovs(4, 1)).elementPayload(1, 0x8000, text("ping"))
                .elementPayload(1, 0x8001, text("!")).returns(5)))
                .isEqualTo("sendmsg(5, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"ping\", iov_len=4}, "
                        + "{iov_base=\"!\", iov_len=1}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, MSG_EOR) = 5");
    }

    @Test
    void theNameToTheShorterLengthAndTheLengthAsChanged() {
        assertThat(line(call("recvmsg", 4, 0x7ffc0000L, 0).payload(1, received(128, NAME_AT, 16, IOV_AT, 1, 0, 0, 0, 0))
                .elementPayload(1, NAME, inet(43940)).elementPayload(1, IOV_ARRAY, iovs(8))
                .elementPayload(1, 0x8000, text("ping")).returns(4)))
                .isEqualTo("recvmsg(4, {msg_name={sa_family=AF_INET, sin_port=htons(43940), sin_addr=inet_addr("
                        + "\"127.0.0.1\")}, msg_namelen=128 => 16, msg_iov=[{iov_base=\"ping\", iov_len=8}], "
                        + "msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 4");
        // 4 of the kernel's 16 bytes: not a whole sockaddr_in
        assertThat(line(call("recvmsg", 4, 0x7ffc0000L, 0).payload(1, received(4, NAME_AT, 16, IOV_AT, 1, 0, 0, 0, 0))
                .elementPayload(1, NAME, Bytes.of(16).u16(0, 2).be16(2, 0xaba4).payload())
                .elementPayload(1, IOV_ARRAY, iovs(8)).elementPayload(1, 0x8000, text("ping")).returns(4)))
                .isEqualTo("recvmsg(4, {msg_name={sa_family=AF_INET, sa_data=\"\\253\\244\"}, msg_namelen=4 => 16, "
                        + "msg_iov=[{iov_base=\"ping\", iov_len=8}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0)"
                        + " = 4");
    }

    @Test
    void failedCalls() {
        // recvmsg: only the length it was given; sendmsg: all it passed
        assertThat(line(call("recvmsg", 4, 0x7ffc0000L, 0x40).payload(1, msghdr(NAME_AT, 16, IOV_AT, 1, 0, 0, 0))
                .fails(11)))
                .isEqualTo("recvmsg(4, {msg_namelen=16}, MSG_DONTWAIT) = -1 EAGAIN (Resource temporarily unavailable)");
        assertThat(line(call("sendmsg", 99, 0x7ffc0000L, 0x4000).payload(1, msghdr(NAME_AT, 16, IOV_AT, 1, 0, 0, 0))
                .elementPayload(1, NAME, inet(33676)).elementPayload(1, IOV_ARRAY, iovs(100))
                .elementPayload(1, 0x8000, Payload.truncated("x".repeat(32).getBytes(StandardCharsets.US_ASCII)))
                .fails(9)))
                .isEqualTo("sendmsg(99, {msg_name={sa_family=AF_INET, sin_port=htons(33676), sin_addr=inet_addr("
                        + "\"127.0.0.1\")}, msg_namelen=16, msg_iov=[{iov_base=\"" + "x".repeat(32) + "\"..., "
                        + "iov_len=100}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, MSG_NOSIGNAL) = -1 EBADF"
                        + " (Bad file descriptor)");
        // an unreadable msghdr: its address
        assertThat(line(call("recvmsg", 4, 0x8, 0x40).fails(14)))
                .isEqualTo("recvmsg(4, 0x8, MSG_DONTWAIT)           = -1 EFAULT (Bad address)");
    }

    private static void cmsg(Bytes b, int at, long len, int level, int type) {
        b.u64(at, len).u32(at + 8, level).u32(at + 12, type);
    }

    @Test
    void controlMessages() {
        Bytes rights = Bytes.of(24);
        cmsg(rights, 0, 20, 1, 1);
        rights.u32(16, 1);
        assertThat(line(call("sendmsg", 5, 0x7ffc0000L, 0).payload(1, msghdr(0, 0, IOV_AT, 2, CONTROL_AT, 24, 0))
                .elementPayload(1, IOV_ARRAY, iovs(4, 1)).elementPayload(1, 0x8000, text("ping"))
                .elementPayload(1, 0x8001, text("!")).elementPayload(1, CONTROL, rights.payload()).returns(5)))
                .isEqualTo("sendmsg(5, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"ping\", iov_len=4}, "
                        + "{iov_base=\"!\", iov_len=1}], msg_iovlen=2, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET,"
                        + " cmsg_type=SCM_RIGHTS, cmsg_data=[1]}], msg_controllen=24, msg_flags=0}, 0) = 5");
        Bytes both = Bytes.of(56);
        cmsg(both, 0, 28, 1, 2);
        both.u32(16, 13833).u32(20, 0).u32(24, 0);
        cmsg(both, 32, 20, 1, 1);
        both.u32(48, 7);
        assertThat(line(call("recvmsg", 6, 0x7ffc0000L, 0x40000000)
                .payload(1, received(0, 0, 0, IOV_AT, 2, CONTROL_AT, 56, 56, 0x40000000))
                .elementPayload(1, IOV_ARRAY, iovs(3, 64)).elementPayload(1, 0x8000, text("pin"))
                .elementPayload(1, 0x8001, text("g!")).elementPayload(1, CONTROL, both.payload()).returns(5)))
                .isEqualTo("recvmsg(6, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"pin\", iov_len=3}, "
                        + "{iov_base=\"g!\", iov_len=64}], msg_iovlen=2, msg_control=[{cmsg_len=28, "
                        + "cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=13833, uid=0, gid=0}}, "
                        + "{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[7]}], "
                        + "msg_controllen=56, msg_flags=MSG_CMSG_CLOEXEC}, MSG_CMSG_CLOEXEC) = 5");
        // a control buffer with room for the header only: MSG_CTRUNC, no data
        Bytes header = Bytes.of(16);
        cmsg(header, 0, 16, 1, 2);
        assertThat(line(call("recvmsg", 6, 0x7ffc0000L, 0)
                .payload(1, received(0, 0, 0, IOV_AT, 2, CONTROL_AT, 16, 16, 8))
                .elementPayload(1, IOV_ARRAY, iovs(3, 64)).elementPayload(1, 0x8000, text("pin"))
                .elementPayload(1, 0x8001, text("g!")).elementPayload(1, CONTROL, header.payload()).returns(5)))
                .isEqualTo("recvmsg(6, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"pin\", iov_len=3}, "
                        + "{iov_base=\"g!\", iov_len=64}], msg_iovlen=2, msg_control=[{cmsg_len=16, "
                        + "cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS}], msg_controllen=16, msg_flags=MSG_CTRUNC},"
                        + " 0) = 5");
    }

    @Test
    void theLimitCutsTheIovecList() {
        StraceFormatter s0 = new StraceFormatter(TraceOptions.defaults().withStringLimit(0));
        assertThat(s0.formatSyscall(call("sendmsg", 3, 0x7ffc0000L, 0)
                .payload(1, msghdr(NAME_AT, 16, IOV_AT, 1, 0, 0, 0)).elementPayload(1, NAME, inet(39145))
                .elementPayload(1, IOV_ARRAY, iovs(4)).returns(4).build()))
                .isEqualTo("sendmsg(3, {msg_name={sa_family=AF_INET, sin_port=htons(39145), sin_addr=inet_addr("
                        + "\"127.0.0.1\")}, msg_namelen=16, msg_iov=[...], msg_iovlen=1, msg_controllen=0, "
                        + "msg_flags=0}, 0) = 4");
    }
}
