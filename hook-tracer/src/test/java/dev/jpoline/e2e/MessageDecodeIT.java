package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sendmsg's and recvmsg's decoded msghdr against strace 6.1 on msg_decode.c (names sent and
 * received, several iovecs, data beyond -s, SCM_RIGHTS and SCM_CREDENTIALS, MSG_TRUNC and
 * MSG_CTRUNC, failed calls, MSG_* flags, empty and missing iovecs, short control buffers): the
 * lines must be the same once the ports the kernel chose, the credentials' pid and the stack's
 * addresses are masked.
 */
class MessageDecodeIT {
    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireVa0();
        Programs.requireStrace();
    }

    /** The lines without the pid column, the ports, pids and stack addresses inside them masked. */
    static List<String> normalized(String output) {
        return Arrays.stream(output.split("\n")).map(l -> l.replaceFirst("^\\d+\\s+", ""))
                .map(l -> l.replaceAll("htons\\(\\d+\\)", "htons(PORT)").replaceAll("\\{pid=\\d+,", "{pid=PID,")
                        .replaceAll("0x7ff[0-9a-f]+", "STACK"))
                .toList();
    }

    private void compare(String... options) throws Exception {
        Path program = Programs.build("msg_decode");
        Path ours = temp.resolve("jpoline.txt");
        Path theirs = temp.resolve("strace.txt");
        List<String> jpoline = new java.util.ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace",
                "-o", ours.toString()));
        jpoline.addAll(List.of(options));
        jpoline.add(program.toString());
        Programs.Result j = Programs.run(jpoline, Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        List<String> strace = new java.util.ArrayList<>(List.of("strace", "-f", "-o", theirs.toString()));
        strace.addAll(List.of(options));
        strace.add(program.toString());
        Programs.Result s = Programs.run(strace, Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).as(s.describe()).isZero();
        List<String> expected = normalized(Files.readString(theirs));
        assertThat(expected).anyMatch(l -> l.contains("SCM_RIGHTS")).anyMatch(l -> l.contains("SCM_CREDENTIALS"))
                .anyMatch(l -> l.contains("msg_flags=MSG_TRUNC")).anyMatch(l -> l.contains("= -1 EAGAIN"))
                .anyMatch(l -> l.contains("msg_iov=[]")).anyMatch(l -> l.contains("msg_namelen=128 => 0"));
        assertThat(normalized(Files.readString(ours))).as("--- jpoline ---\n%s\n--- strace ---\n%s",
                Files.readString(ours), Files.readString(theirs)).containsExactlyElementsOf(expected);
    }

    @Test
    void sendmsgAndRecvmsgAreDecodedAsStraceDoes() throws Exception {
        compare("-e", "trace=sendmsg,recvmsg");
    }

    @Test
    void theLimitCutsDataAndIovecsAsStracesDoes() throws Exception {
        compare("-s", "2", "-e", "trace=sendmsg,recvmsg");
    }

    @Test
    void theDumpsStillFollowTheDecodedLines() throws Exception {
        compare("-e", "trace=sendmsg,recvmsg", "-e", "read=all", "-e", "write=all");
    }
}
