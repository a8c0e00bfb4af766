package dev.jpoline.trace.ring;

import static dev.jpoline.host.SessionLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.SyscallTable;
import dev.jpoline.host.Session;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema the host writes for -e read= and -e write=: whole buffers for exactly the dumped syscalls. */
class CaptureSchemaTest {
    @TempDir Path temp;

    private static final SyscallTable TABLE = SyscallTable.x86_64();

    /** One rule of a schema entry: arg, timing, shape, length arg, elem, cap, flags. */
    record Rule(int arg, int timing, int shape, int lengthArg, int elem, int cap, int flags) {
    }

    private static Rule rule(Session s, String syscall, int index) {
        ByteBuffer m = s.memory().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) s.getLong(OFF_SCHEMA_OFFSET) + TABLE.numberOf(syscall) * SCHEMA_ENTRY_SIZE + SCHEMA_RULES
                + index * RULE_SIZE;
        return new Rule(m.get(at + RULE_ARG), m.get(at + RULE_TIMING), m.get(at + RULE_SHAPE),
                m.get(at + RULE_LENGTH_ARG) & 0xff, m.getInt(at + RULE_ELEM), m.getInt(at + RULE_CAP),
                m.getInt(at + RULE_FLAGS));
    }

    private static int ruleCount(Session s, String syscall) {
        return s.memory().get((int) s.getLong(OFF_SCHEMA_OFFSET) + TABLE.numberOf(syscall) * SCHEMA_ENTRY_SIZE
                + SCHEMA_RULE_COUNT);
    }

    private static int[] numbers(String... names) {
        int[] n = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            n[i] = TABLE.numberOf(names[i]);
        }
        return n;
    }

    @Test
    void theDumpedSyscallsBuffersAreCapturedWholeAndNoOthers() {
        try (Session s = Session.create(temp, 1, 10_000, 8 << 20)) {
            CaptureSchema.write(s, TABLE, numbers("read", "write", "writev", "pread64", "sendmsg", "recvmmsg", "getcwd"),
                    32, Set.of("read", "writev", "sendmsg", "recvmmsg"));
            assertThat(rule(s, "read", 0).cap()).isEqualTo(RECORD_MAX);
            assertThat(rule(s, "read", 0).shape()).isEqualTo(SHAPE_LENGTH_RETURN);
            assertThat(rule(s, "writev", 0).cap()).isEqualTo(RECORD_MAX);
            assertThat(rule(s, "write", 0).cap()).isEqualTo(32); // not asked for: -s
            assertThat(rule(s, "pread64", 0).cap()).isEqualTo(32);
            assertThat(ruleCount(s, "getcwd")).isEqualTo(1);
            // sendmsg's msghdr, its data whole in a dumping run
            assertThat(ruleCount(s, "sendmsg")).isEqualTo(1);
            assertThat(rule(s, "sendmsg", 0)).isEqualTo(new Rule(1, AT_ENTRY, SHAPE_MSGHDR, 0xff, 56, RECORD_MAX,
                    RULE_DIRECT | RULE_UP_TO_RETURN));
            // recvmmsg's timeout, then its messages, at exit, vlen as an unsigned int
            assertThat(ruleCount(s, "recvmmsg")).isEqualTo(2);
            assertThat(rule(s, "recvmmsg", 1)).isEqualTo(new Rule(1, AT_EXIT, SHAPE_MMSGHDR, 2, 64, RECORD_MAX,
                    RULE_LENGTH_32));
        }
        try (Session s = Session.create(temp, 1, 10_000, 8 << 20)) {
            CaptureSchema.write(s, TABLE, numbers("read", "sendmsg", "recvmsg", "recvmmsg"), 32);
            assertThat(rule(s, "read", 0).cap()).isEqualTo(32);
            // the lines decode sendmsg's and recvmsg's messages: their data up to -s; sendmsg's read
            // directly after a success (the kernel read its header and iovecs, its data up to the result)
            assertThat(rule(s, "sendmsg", 0)).isEqualTo(new Rule(1, AT_ENTRY, SHAPE_MSGHDR, 0xff, 56, 32,
                    RULE_DIRECT | RULE_UP_TO_RETURN));
            // recvmsg's header as passed, then the message as the kernel left it
            assertThat(ruleCount(s, "recvmsg")).isEqualTo(2);
            assertThat(rule(s, "recvmsg", 0)).isEqualTo(new Rule(1, AT_ENTRY, SHAPE_FIXED, 0xff, 56, 56, RULE_DIRECT));
            assertThat(rule(s, "recvmsg", 1)).isEqualTo(new Rule(1, AT_EXIT, SHAPE_MSGHDR, 0xff, 56, 32, RULE_DIRECT));
            // recvmmsg's messages are not decoded: only its timeout
            assertThat(ruleCount(s, "recvmmsg")).isEqualTo(1);
        }
    }

    @Test
    void aSmallRingGetsSmallerBuffersSoThatARecordStillFits() {
        try (Session s = Session.create(temp, 1, 10_000, 64 * 1024)) {
            CaptureSchema.write(s, TABLE, numbers("writev"), 32, Set.of("writev"));
            assertThat(rule(s, "writev", 0).cap()).isEqualTo(1024); // 33 payloads of 1 KiB in half of 64 KiB
        }
    }
}
