package dev.jpoline.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jpoline.api.hooks.HookDispatcher;
import dev.jpoline.api.hooks.SimulatedCall;
import dev.jpoline.api.hooks.SyscallHooks;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples against simulated calls from this very JVM, so that descriptor and working
 * directory lookups through /proc see real files.
 */
class ExamplesTest {
    private static final long ME = ProcessHandle.current().pid();
    private static final int AT_FDCWD = -100;

    @TempDir Path temp;

    private static long dispatch(SyscallHooks hooks, SimulatedCall call) {
        return new HookDispatcher(List.of(hooks), HookDispatcher.OnError.PROCEED, r -> {
            throw new AssertionError(r);
        }).dispatch(call);
    }

    /** The descriptor number this JVM has for {@code file}. */
    private static int fdOf(Path file) throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).equals(file)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (java.io.IOException gone) {
                    // the listing's own descriptor
                }
            }
        }
        throw new AssertionError("no descriptor for " + file);
    }

    @Test
    void denyPathsRefusesListedPathsAbsoluteOrRelative() {
        DenyPaths deny = new DenyPaths(List.of("/etc/shadow", "/secret"));
        assertThat(dispatch(deny, SimulatedCall.of("openat", AT_FDCWD, 0x10, 0).withString(0x10, "/etc/shadow")
                .from(ME, ME))).isEqualTo(-13);
        assertThat(dispatch(deny, SimulatedCall.of("openat", AT_FDCWD, 0x10, 0).withString(0x10, "/secret/key")
                .from(ME, ME))).isEqualTo(-13);
        // A relative path is judged where the target stands: this JVM's cwd plus "../../etc/shadow"...
        String cwd = Path.of("").toAbsolutePath().toString();
        String relative = Path.of(cwd).relativize(Path.of("/etc/shadow")).toString();
        assertThat(dispatch(deny, SimulatedCall.of("newfstatat", AT_FDCWD, 0x10, 0x20, 0).withString(0x10, relative)
                .from(ME, ME))).isEqualTo(-13);
        SimulatedCall allowed = SimulatedCall.of("openat", AT_FDCWD, 0x10, 0).withString(0x10, "/etc/shadowy")
                .from(ME, ME).kernelReturns(3);
        assertThat(dispatch(deny, allowed)).isEqualTo(3);
        assertThat(allowed.kernelCalls()).hasSize(1);
    }

    @Test
    void faultInjectionFailsEveryNthWriteToMatchingFilesOnly() throws Exception {
        Path log = temp.resolve("app.log");
        Path other = temp.resolve("data.bin");
        try (FileOutputStream a = new FileOutputStream(log.toFile()); FileOutputStream b = new FileOutputStream(other.toFile())) {
            int logFd = fdOf(log);
            int otherFd = fdOf(other);
            FaultInjection inject = new FaultInjection("**/*.log", 3);
            long[] results = new long[7];
            for (int i = 0; i < 7; i++) {
                results[i] = dispatch(inject, SimulatedCall.of("write", logFd, 0x10, 1).withString(0x10, "x")
                        .from(ME, ME).kernelReturns(1));
                assertThat(dispatch(inject, SimulatedCall.of("write", otherFd, 0x10, 1).withString(0x10, "x")
                        .from(ME, ME).kernelReturns(1))).isEqualTo(1);
            }
            assertThat(results).containsExactly(1, 1, -28, 1, 1, -28, 1);
        }
        assertThatThrownBy(() -> new FaultInjection("**", 0)).hasMessageContaining("at least 1");
    }

    @Test
    void faultInjectionCountsKernelCopiesIntoMatchingFilesAsWrites() throws Exception {
        Path log = temp.resolve("copy.log");
        Path source = Files.writeString(temp.resolve("source.txt"), "data");
        try (FileOutputStream out = new FileOutputStream(log.toFile()); var in = Files.newInputStream(source)) {
            int logFd = fdOf(log);
            int sourceFd = fdOf(source);
            FaultInjection inject = new FaultInjection("**/*.log", 2);
            // copy_file_range(in, NULL, out, NULL, len, 0) and sendfile(out, in, NULL, count): the
            // destination decides, and both share one count with write.
            assertThat(dispatch(inject, SimulatedCall.of("copy_file_range", sourceFd, 0, logFd, 0, 4, 0).from(ME, ME)
                    .kernelReturns(4))).isEqualTo(4);
            assertThat(dispatch(inject, SimulatedCall.of("sendfile", logFd, sourceFd, 0, 4).from(ME, ME)
                    .kernelReturns(4))).isEqualTo(-28);
            assertThat(dispatch(inject, SimulatedCall.of("write", logFd, 0x10, 1).withString(0x10, "x").from(ME, ME)
                    .kernelReturns(1))).isEqualTo(1);
            assertThat(dispatch(inject, SimulatedCall.of("copy_file_range", sourceFd, 0, logFd, 0, 4, 0).from(ME, ME)
                    .kernelReturns(4))).isEqualTo(-28);
            // Copying out of a matching file is reading it: untouched.
            assertThat(dispatch(inject, SimulatedCall.of("copy_file_range", logFd, 0, sourceFd, 0, 4, 0).from(ME, ME)
                    .kernelReturns(4))).isEqualTo(4);
            assertThat(dispatch(inject, SimulatedCall.of("sendfile", sourceFd, logFd, 0, 4).from(ME, ME)
                    .kernelReturns(4))).isEqualTo(4);
        }
    }

    @Test
    void redirectOpenSwapsThePathTheKernelSees() {
        RedirectOpen redirect = new RedirectOpen("/etc/hostname", "/tmp/other-hostname");
        SimulatedCall open = SimulatedCall.of("openat", AT_FDCWD, 0x10, 0).withString(0x10, "/etc/hostname").from(ME, ME)
                .kernelReturns(4);
        assertThat(dispatch(redirect, open)).isEqualTo(4);
        assertThat(open.kernelCalls()).containsExactly("openat with argument 1 = \"/tmp/other-hostname\"");
        SimulatedCall untouched = SimulatedCall.of("openat", AT_FDCWD, 0x10, 0).withString(0x10, "/etc/passwd")
                .from(ME, ME).kernelReturns(5);
        assertThat(dispatch(redirect, untouched)).isEqualTo(5);
        assertThat(untouched.kernelCalls()).containsExactly("openat(-100, 16, 0, 0)");
    }

    @Test
    void byteCounterTotalsSuccessfulTransfersPerFileAndPrintsATable() throws Exception {
        Path in = Files.writeString(temp.resolve("in.txt"), "hello");
        Path out = temp.resolve("out.txt");
        StringWriter table = new StringWriter();
        ByteCounter counter = new ByteCounter(new PrintWriter(table));
        try (var reader = Files.newInputStream(in); FileOutputStream writer = new FileOutputStream(out.toFile())) {
            int inFd = fdOf(in);
            int outFd = fdOf(out);
            dispatch(counter, SimulatedCall.of("read", inFd, 0x10, 4096).from(ME, ME).kernelReturns(5));
            dispatch(counter, SimulatedCall.of("read", inFd, 0x10, 4096).from(ME, ME).kernelReturns(0));
            dispatch(counter, SimulatedCall.of("write", outFd, 0x10, 5).from(ME, ME).kernelReturns(5));
            dispatch(counter, SimulatedCall.of("write", outFd, 0x10, 5).from(ME, ME).kernelReturns(-28));
        }
        assertThat(counter.totals().get(in.toString())).containsExactly(5, 0);
        assertThat(counter.totals().get(out.toString())).containsExactly(0, 5);
        counter.close();
        assertThat(table.toString().lines()).containsExactly(
                String.format("%12s %12s  %s", "read", "written", "file"),
                String.format("%12d %12d  %s", 5, 0, in),
                String.format("%12d %12d  %s", 0, 5, out));
    }
}
