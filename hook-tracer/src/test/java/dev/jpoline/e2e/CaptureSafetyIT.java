package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.ArgKind;
import dev.jpoline.api.CaptureRule;
import dev.jpoline.api.Syscall;
import dev.jpoline.api.SyscallTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture must never fault the traced program, whatever pointer it passes (issue 16): strace
 * itself runs under {@code jpoline trace} (its process_vm_readv calls name the tracee's addresses),
 * and a fuzz calls every syscall of the capture table with garbage pointers.
 */
class CaptureSafetyIT {
    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireVa0();
    }

    private static List<String> trace(Path out, List<String> command, String... options) {
        List<String> cmd = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o",
                out.toString()));
        cmd.addAll(List.of(options));
        cmd.add("--");
        cmd.addAll(command);
        return cmd;
    }

    @Test
    void straceRunsUnderTrace() throws Exception {
        Programs.requireStrace();
        Path out = temp.resolve("trace.txt");
        Programs.Result r = Programs.run(trace(out, List.of("strace", "-o", "/dev/null", "true")), Map.of(), null,
                Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.err()).as(r.describe()).doesNotContain("lost");
        String lines = Files.readString(out);
        // (strace SIGKILLs its own probe children: "killed by SIGKILL" lines are its, not a fault.)
        assertThat(lines).contains("process_vm_readv(").doesNotContain("killed by SIGSEGV");
    }

    /**
     * Every syscall number with a capture rule, with one letter per argument for the fuzz's
     * generator: p memory (garbage pointers), f descriptor, i pid, n number.
     */
    private static List<String> captureTable() {
        // sendmsg's and recvmsg's messages are captured by the schema itself (CaptureSchema)
        return captureTable(s -> !CaptureRule.forSyscall(s).isEmpty() || s.name().equals("sendmsg")
                || s.name().equals("recvmsg"));
    }

    private static List<String> captureTable(java.util.function.Predicate<Syscall> which) {
        List<String> out = new ArrayList<>();
        for (Syscall s : SyscallTable.x86_64().all()) {
            if (!which.test(s)) {
                continue;
            }
            StringBuilder sb = new StringBuilder().append(s.number()).append(':');
            for (int i = 0; i < s.argCount(); i++) {
                ArgKind k = s.arg(i).kind();
                sb.append(k.isMemory() ? 'p' : k == ArgKind.FD || k == ArgKind.DIRFD ? 'f' : k == ArgKind.PID ? 'i' : 'n');
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void garbagePointersNeverKillTheTracedProgram() throws Exception {
        Path fuzz = Programs.build("capture_fuzz");
        List<String> table = captureTable();
        assertThat(table).hasSizeGreaterThan(150);
        // A fixed seed: a failure reproduces with the same command line.
        List<String> command = new ArrayList<>(List.of(fuzz.toString(), "16", "48"));
        command.addAll(table);
        Path out = temp.resolve("fuzz-trace.txt");
        Path work = Files.createDirectory(temp.resolve("work"));
        Programs.Result r = Programs.run(trace(out, command), Map.of(), work, Duration.ofSeconds(120));
        // Exit 0: every worker (one per syscall) exited normally, none died of a signal or hung.
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.out()).as(r.describe()).contains("0 failed");
        assertThat(r.err()).as(r.describe()).doesNotContain("lost");
        String lines = Files.readString(out);
        assertThat(lines).doesNotContain("killed by SIGSEGV").contains("+++ exited with 0 +++");
    }

    /**
     * The same for the captures of -e read= and -e write= (whole buffers, msghdr and mmsghdr
     * arrays with their iovecs, which no other run copies): the dumped syscalls only.
     */
    @Test
    void garbagePointersNeverKillTheTracedProgramWhileDumping() throws Exception {
        Path fuzz = Programs.build("capture_fuzz");
        java.util.Set<String> dumped = new dev.jpoline.trace.format.IoDump(
                dev.jpoline.trace.format.DescriptorSet.parse("all"), dev.jpoline.trace.format.DescriptorSet.parse("all"))
                .capturedSyscalls();
        List<String> table = captureTable(s -> dumped.contains(s.name()));
        assertThat(table).hasSize(dumped.size());
        List<String> command = new ArrayList<>(List.of(fuzz.toString(), "17", "200"));
        command.addAll(table);
        Path out = temp.resolve("fuzz-dump.txt");
        Path work = Files.createDirectory(temp.resolve("work"));
        Programs.Result r = Programs.run(trace(out, command, "-e", "read=all", "-e", "write=all"), Map.of(), work,
                Duration.ofSeconds(120));
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.out()).as(r.describe()).contains("0 failed");
        assertThat(r.err()).as(r.describe()).doesNotContain("lost");
        String lines = Files.readString(out);
        assertThat(lines).doesNotContain("killed by SIGSEGV").contains("+++ exited with 0 +++").contains(" | 00000  ");
    }
}
