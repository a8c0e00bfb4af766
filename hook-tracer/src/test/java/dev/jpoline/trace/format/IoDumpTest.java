package dev.jpoline.trace.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * -e read= and -e write= dumps against strace 6.1's own output: the expected texts are lines of
 * {@code strace -e read=all -e write=all} on hook-tracer/src/test/c/e2e/dump_io.c.
 */
class IoDumpTest {
    private static final IoDump ALL = new IoDump(DescriptorSet.parse("all"), DescriptorSet.parse("all"));
    private static final int READ = 0;
    private static final int WRITE = 1;
    private static final int READV = 19;
    private static final int WRITEV = 20;
    private static final int SENDMSG = 46;
    private static final int RECVMSG = 47;
    private static final int RECVMMSG = 299;
    private static final int SENDMMSG = 307;

    private static String text(IoDump dump, TraceRecord r) {
        LineBuffer out = new LineBuffer();
        boolean any = dump.appendText(out, r);
        assertThat(any).isEqualTo(out.length() > 0);
        return any ? out + "\n" : ""; // as the sink ends the last line
    }

    private static String json(IoDump dump, TraceRecord r) {
        LineBuffer out = new LineBuffer();
        dump.appendJson(out, r);
        return out.toString();
    }

    /** dump_io.c's 40 bytes: a partial last line, a newline, DEL, a space, a tilde, bytes above 0x7f. */
    private static byte[] forty() {
        byte[] b = new byte[40];
        for (int i = 0; i < 40; i++) {
            b[i] = (byte) (i * 7 + 0x1e);
        }
        b[3] = '\n';
        b[4] = 0x7f;
        b[5] = ' ';
        b[6] = '~';
        return b;
    }

    private static final String FORTY = """
             | 00000  1e 25 2c 0a 7f 20 7e 4f  56 5d 64 6b 72 79 80 87  .%,.. ~OV]dkry.. |
             | 00010  8e 95 9c a3 aa b1 b8 bf  c6 cd d4 db e2 e9 f0 f7  ................ |
             | 00020  fe 05 0c 13 1a 21 28 2f                           .....!(/         |
            """;

    @Test
    void aWriteIsDumpedAsStraceDumpsIt() {
        TraceRecord write = SyscallRecord.builder(WRITE).args(4, 0x1000, 40).bytes(1, forty()).returns(40).build();
        assertThat(text(ALL, write)).isEqualTo(FORTY);
        TraceRecord sixteen = SyscallRecord.builder(WRITE).args(4, 0x1000, 16).string(1, "0123456789abcdef").returns(16)
                .build();
        assertThat(text(ALL, sixteen))
                .isEqualTo(" | 00000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  0123456789abcdef |\n");
    }

    @Test
    void aReadIsDumpedUpToItsResult() {
        byte[] buf = new byte[256]; // more captured than read: only the result's 40 bytes are the data
        java.util.Arrays.fill(buf, (byte) 0xaa);
        System.arraycopy(forty(), 0, buf, 0, 40);
        TraceRecord read = SyscallRecord.builder(READ).args(3, 0x1000, 256).payload(1, Payload.complete(buf)).returns(40)
                .build();
        assertThat(text(ALL, read)).isEqualTo(FORTY);
    }

    @Test
    void aFailedWriteIsDumpedAndAFailedReadIsNot() {
        TraceRecord write = SyscallRecord.builder(WRITE).args(3, 0x1000, 15).string(1, "to the read end").fails(9).build();
        assertThat(text(ALL, write))
                .isEqualTo(" | 00000  74 6f 20 74 68 65 20 72  65 61 64 20 65 6e 64     to the read end  |\n");
        TraceRecord read = SyscallRecord.builder(READ).args(4, 0x1000, 10).fails(9).build();
        assertThat(text(ALL, read)).isEmpty();
    }

    @Test
    void onlyTheSetsDescriptorsAndDirectionAreDumped() {
        TraceRecord write = SyscallRecord.builder(WRITE).args(4, 0x1000, 2).string(1, "ab").returns(2).build();
        TraceRecord read = SyscallRecord.builder(READ).args(4, 0x1000, 2).string(1, "ab").returns(2).build();
        // The largest descriptor strace takes costs no memory for the ones below it.
        DescriptorSet huge = DescriptorSet.parse("2147483647,5");
        assertThat(huge.contains(Integer.MAX_VALUE)).isTrue();
        assertThat(huge.contains(5)).isTrue();
        assertThat(huge.contains(6)).isFalse();
        assertThat(DescriptorSet.parse("!2147483647").contains(Integer.MAX_VALUE)).isFalse();
        IoDump writesTo4 = new IoDump(DescriptorSet.NONE, DescriptorSet.parse("3,4"));
        assertThat(text(writesTo4, write)).isNotEmpty();
        assertThat(text(writesTo4, read)).isEmpty();
        IoDump allBut4 = new IoDump(DescriptorSet.parse("!4"), DescriptorSet.parse("!4"));
        assertThat(text(allBut4, write)).isEmpty();
        assertThat(text(allBut4, read)).isEmpty();
        TraceRecord negative = SyscallRecord.builder(WRITE).args(-1, 0x1000, 2).string(1, "ab").fails(9).build();
        assertThat(text(ALL, negative)).isEmpty(); // strace: fd < 0 is never dumped
        TraceRecord empty = SyscallRecord.builder(WRITE).args(2, 0x1000, 0).bytes(1, new byte[0]).returns(0).build();
        assertThat(text(ALL, empty)).isEmpty(); // no line for no data
        TraceRecord unfinished = SyscallRecord.builder(WRITE).args(4, 0x1000, 2).string(1, "ab").build();
        assertThat(text(ALL, unfinished)).isEmpty(); // dumped at the call's exit, as strace
        assertThat(IoDump.NONE.any()).isFalse();
        assertThat(writesTo4.capturedSyscalls()).containsExactly("write", "pwrite64", "sendto", "mq_timedsend", "writev",
                "pwritev", "pwritev2", "vmsplice", "sendmsg", "sendmmsg");
        assertThat(new IoDump(DescriptorSet.parse("0"), DescriptorSet.NONE).capturedSyscalls()).containsExactly("read",
                "pread64", "recvfrom", "mq_timedreceive", "readv", "preadv", "preadv2", "recvmsg", "recvmmsg");
    }

    /** An iovec array of (base, length) pairs. */
    private static Payload iovecs(long... baseAndLength) {
        ByteBuffer b = ByteBuffer.allocate(8 * baseAndLength.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : baseAndLength) {
            b.putLong(v);
        }
        return Payload.complete(b.array());
    }

    private static Payload ascii(String s) {
        return Payload.complete(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void vectorsAreDumpedPerBufferAndStopAtAnEmptyOne() {
        TraceRecord writev = SyscallRecord.builder(WRITEV).args(4, 0x2000, 3).payload(1, iovecs(0x10, 6, 0x20, 14, 0x30, 5))
                .elementPayload(1, 0, ascii("first ")).elementPayload(1, 1, ascii("second buffer\n"))
                .elementPayload(1, 2, ascii("third")).returns(25).build();
        assertThat(text(ALL, writev)).isEqualTo("""
                 * 6 bytes in buffer 0
                 | 00000  66 69 72 73 74 20                                 first            |
                 * 14 bytes in buffer 1
                 | 00000  73 65 63 6f 6e 64 20 62  75 66 66 65 72 0a        second buffer.   |
                 * 5 bytes in buffer 2
                 | 00000  74 68 69 72 64                                    third            |
                """);
        TraceRecord readv = SyscallRecord.builder(READV).args(3, 0x2000, 2).payload(1, iovecs(0x10, 4, 0x20, 30))
                .elementPayload(1, 0, ascii("firs")).elementPayload(1, 1, ascii("t second buffer\nthird")).returns(25)
                .build();
        assertThat(text(ALL, readv)).isEqualTo("""
                 * 4 bytes in buffer 0
                 | 00000  66 69 72 73                                       firs             |
                 * 21 bytes in buffer 1
                 | 00000  74 20 73 65 63 6f 6e 64  20 62 75 66 66 65 72 0a  t second buffer. |
                 | 00010  74 68 69 72 64                                    third            |
                """);
        TraceRecord gap = SyscallRecord.builder(WRITEV).args(4, 0x2000, 3).payload(1, iovecs(0x10, 2, 0x20, 0, 0x30, 2))
                .elementPayload(1, 0, ascii("ab")).elementPayload(1, 2, ascii("cd")).returns(4).build();
        assertThat(text(ALL, gap)).isEqualTo("""
                 * 2 bytes in buffer 0
                 | 00000  61 62                                             ab               |
                """);
        // an unreadable buffer: its count line, no data (strace's umoven fails)
        TraceRecord unreadable = SyscallRecord.builder(WRITEV).args(4, 0x2000, 2).payload(1, iovecs(0x10, 2, 0x20, 2))
                .elementPayload(1, 1, ascii("cd")).fails(14).build();
        assertThat(text(ALL, unreadable)).isEqualTo("""
                 * 2 bytes in buffer 0
                 * 2 bytes in buffer 1
                 | 00000  63 64                                             cd               |
                """);
    }

    /** A msghdr whose msg_iov is at 0x3000 with {@code iovlen} elements. */
    private static Payload msghdr(long iovlen) {
        ByteBuffer b = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(16, 0x3000).putLong(24, iovlen);
        return Payload.complete(b.array());
    }

    @Test
    void messagesAreDumpedPerBufferAndPerVector() {
        TraceRecord sendmsg = SyscallRecord.builder(SENDMSG).args(6, 0x2000, 0).payload(1, msghdr(2))
                .elementPayload(1, IoDump.elementIovArray(0), iovecs(0x10, 4, 0x20, 6))
                .elementPayload(1, IoDump.elementIovData(0, 0), ascii("msg "))
                .elementPayload(1, IoDump.elementIovData(0, 1), ascii("vector")).returns(10).build();
        assertThat(text(ALL, sendmsg)).isEqualTo("""
                 * 4 bytes in buffer 0
                 | 00000  6d 73 67 20                                       msg              |
                 * 6 bytes in buffer 1
                 | 00000  76 65 63 74 6f 72                                 vector           |
                """);
        TraceRecord recvmsg = SyscallRecord.builder(RECVMSG).args(5, 0x2000, 0).payload(1, msghdr(2))
                .elementPayload(1, IoDump.elementIovArray(0), iovecs(0x10, 5, 0x20, 20))
                .elementPayload(1, IoDump.elementIovData(0, 0), ascii("msg v"))
                .elementPayload(1, IoDump.elementIovData(0, 1), ascii("ector")).returns(10).build();
        assertThat(text(ALL, recvmsg)).isEqualTo("""
                 * 5 bytes in buffer 0
                 | 00000  6d 73 67 20 76                                    msg v            |
                 * 5 bytes in buffer 1
                 | 00000  65 63 74 6f 72                                    ector            |
                """);
        TraceRecord sendmmsg = mmsg(SENDMMSG, 2, new long[] {1, 2}, new long[] {3, 4}, new long[][] {{3}, {2, 2}},
                new String[][] {{"one"}, {"tw", "o!"}});
        assertThat(text(ALL, sendmmsg)).isEqualTo("""
                 = 1 buffers in vector 0
                 * 3 bytes in buffer 0
                 | 00000  6f 6e 65                                          one              |
                 = 2 buffers in vector 1
                 * 2 bytes in buffer 0
                 | 00000  74 77                                             tw               |
                 * 2 bytes in buffer 1
                 | 00000  6f 21                                             o!               |
                """);
        TraceRecord recvmmsg = mmsg(RECVMMSG, 2, new long[] {1, 1}, new long[] {3, 4}, new long[][] {{8}, {8}},
                new String[][] {{"one"}, {"two!"}});
        assertThat(text(ALL, recvmmsg)).isEqualTo("""
                 = 1 buffers in vector 0
                 * 3 bytes in buffer 0
                 | 00000  6f 6e 65                                          one              |
                 = 1 buffers in vector 1
                 * 4 bytes in buffer 0
                 | 00000  74 77 6f 21                                       two!             |
                """);
        assertThat(json(ALL, sendmmsg)).isEqualTo(",\"dump\":[{\"vector\":0,\"buffers\":1},"
                + "{\"vector\":0,\"buffer\":0,\"length\":3,\"hex\":\"6f6e65\"},{\"vector\":1,\"buffers\":2},"
                + "{\"vector\":1,\"buffer\":0,\"length\":2,\"hex\":\"7477\"},{\"vector\":1,\"buffer\":1,\"length\":2,"
                + "\"hex\":\"6f21\"}]");
    }

    /** sendmmsg/recvmmsg of {@code sent} messages, with their iovlen, msg_len, iov lengths and data. */
    private static TraceRecord mmsg(int nr, int sent, long[] iovlen, long[] msgLen, long[][] lengths, String[][] data) {
        ByteBuffer array = ByteBuffer.allocate(64 * sent).order(ByteOrder.LITTLE_ENDIAN);
        SyscallRecord.Builder b = SyscallRecord.builder(nr).args(nr == SENDMMSG ? 6 : 5, 0x2000, sent, 0);
        for (int m = 0; m < sent; m++) {
            array.putLong(64 * m + 16, 0x3000 + 0x100 * m).putLong(64 * m + 24, iovlen[m]).putInt(64 * m + 56, (int) msgLen[m]);
            long[] pairs = new long[2 * lengths[m].length];
            for (int k = 0; k < lengths[m].length; k++) {
                pairs[2 * k] = 0x4000 + 0x100 * m + 0x10 * k;
                pairs[2 * k + 1] = lengths[m][k];
                b.elementPayload(1, IoDump.elementIovData(m, k), ascii(data[m][k]));
            }
            b.elementPayload(1, IoDump.elementIovArray(m), iovecs(pairs));
        }
        return b.payload(1, Payload.complete(array.array())).returns(sent).build();
    }

    @Test
    void beyondMiBTheOffsetWidensAndWhatWasNotCapturedIsSaid() {
        // strace's offset is at least 5 hex digits, 1 + log2(length - 1) / 4 beyond 1 MiB: 6 for 2000000
        TraceRecord big = SyscallRecord.builder(18).args(7, 0x1000, 2_000_000, 0).payload(1, Payload.truncated(forty()))
                .returns(2_000_000).build();
        assertThat(text(ALL, big)).isEqualTo("""
                 | 000000  1e 25 2c 0a 7f 20 7e 4f  56 5d 64 6b 72 79 80 87  .%,.. ~OV]dkry.. |
                 | 000010  8e 95 9c a3 aa b1 b8 bf  c6 cd d4 db e2 e9 f0 f7  ................ |
                 | 000020  fe 05 0c 13 1a 21 28 2f                           .....!(/         |
                 | <jpoline: 1999960 more bytes not captured (trace records are limited to 64 KiB)>
                """);
        assertThat(json(ALL, big)).startsWith(",\"dump\":[{\"length\":2000000,\"hex\":\"1e252c0a7f207e4f")
                .endsWith("fe050c131a21282f\"}]");
        // 1 MiB exactly is still 5 digits wide
        TraceRecord mib = SyscallRecord.builder(READ).args(3, 0x1000, 1 << 20).payload(1, Payload.truncated(new byte[16]))
                .returns(1 << 20).build();
        assertThat(text(ALL, mib)).startsWith(" | 00000  00 00").endsWith("| <jpoline: 1048560 more bytes not captured"
                + " (trace records are limited to 64 KiB)>\n");
        // a vector longer than the record's 32 buffers
        long[] pairs = new long[64];
        SyscallRecord.Builder b = SyscallRecord.builder(WRITEV).args(4, 0x2000, 40);
        for (int k = 0; k < 32; k++) {
            pairs[2 * k] = 0x100 * (k + 1);
            pairs[2 * k + 1] = 1;
            b.elementPayload(1, k, ascii("x"));
        }
        TraceRecord longVector = b.payload(1, Payload.truncated(iovecs(pairs).bytes())).returns(40).build();
        String dump = text(ALL, longVector);
        assertThat(dump.lines()).hasSize(65);
        assertThat(dump).endsWith(" * 1 bytes in buffer 31\n"
                + " | 00000  78                                                x                |\n"
                + " | <jpoline: buffers 32 to 39 not captured (a trace record holds at most 32 buffers of a vector)>\n");
        assertThat(json(ALL, longVector)).endsWith(",{\"not_captured\":\"buffers 32 to 39\",\"why\":\"a trace record"
                + " holds at most 32 buffers of a vector\"}]");
        // messages of recvmmsg the record had no room for
        TraceRecord one = mmsg(RECVMMSG, 1, new long[] {1}, new long[] {3}, new long[][] {{8}}, new String[][] {{"one"}});
        TraceRecord three = SyscallRecord.builder(RECVMMSG).args(5, 0x2000, 3, 0).payload(1, one.payloadOrNull(1))
                .elementPayload(1, IoDump.elementIovArray(0), one.elementPayload(1, IoDump.elementIovArray(0)).get())
                .elementPayload(1, IoDump.elementIovData(0, 0), ascii("one")).returns(3).build();
        assertThat(text(ALL, three)).endsWith("| 00000  6f 6e 65                                          one"
                + "              |\n | <jpoline: messages 1 to 2 not captured (a trace record holds at most 48 pieces"
                + " of data)>\n");
    }

    @Test
    void jsonHasEveryBufferWithItsLengthAndBytes() {
        TraceRecord writev = SyscallRecord.builder(WRITEV).args(4, 0x2000, 2).payload(1, iovecs(0x10, 2, 0x20, 3))
                .elementPayload(1, 1, ascii("cd\n")).returns(5).build();
        assertThat(json(ALL, writev)).isEqualTo(",\"dump\":[{\"buffer\":0,\"length\":2,\"hex\":null},"
                + "{\"buffer\":1,\"length\":3,\"hex\":\"63640a\"}]");
        TraceRecord none = SyscallRecord.builder(39).returns(7).build();
        assertThat(json(ALL, none)).isEmpty();
    }

    @Test
    void descriptorSetsReadAsStraceReadsThem() {
        assertThat(DescriptorSet.parse("3,4").contains(3)).isTrue();
        assertThat(DescriptorSet.parse("3,4").contains(5)).isFalse();
        assertThat(DescriptorSet.parse("1,,2").contains(2)).isTrue();
        assertThat(DescriptorSet.parse(" +5").contains(5)).isTrue();
        assertThat(DescriptorSet.parse("all").contains(1000)).isTrue();
        assertThat(DescriptorSet.parse("all").contains(-1)).isFalse();
        assertThat(DescriptorSet.parse("none").isEmpty()).isTrue();
        assertThat(DescriptorSet.parse("!all").isEmpty()).isTrue();
        assertThat(DescriptorSet.parse("!none").contains(0)).isTrue();
        assertThat(DescriptorSet.parse("!3").contains(3)).isFalse();
        assertThat(DescriptorSet.parse("!3").contains(4)).isTrue();
        assertThat(DescriptorSet.parse("!!3").contains(3)).isTrue();
        assertThat(DescriptorSet.parse("!!3").contains(4)).isFalse();
        assertThat(DescriptorSet.parse("2147483647").contains(Integer.MAX_VALUE)).isTrue();
        for (String bad : List.of("x", "3,x", "-1", "2147483648", "99999999999999999999", "3.0", "0x3")) {
            assertThatThrownBy(() -> DescriptorSet.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("invalid descriptor '");
        }
        assertThatThrownBy(() -> DescriptorSet.parse("")).hasMessage("invalid descriptor ''");
        assertThatThrownBy(() -> DescriptorSet.parse(",")).hasMessage("invalid descriptor ','");
        assertThatThrownBy(() -> DescriptorSet.parse("!")).hasMessage("invalid descriptor '!'");
    }
}
