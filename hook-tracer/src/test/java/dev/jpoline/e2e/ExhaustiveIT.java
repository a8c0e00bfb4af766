package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --exhaustive}: Syscall User Dispatch on top of VA0 catches a syscall from code no file
 * holds (a JIT-like buffer: mmap RWX, write {@code syscall; ret}, call it), and reports its site
 * once; without it, under VA0 that code is invisible.
 */
class ExhaustiveIT {
    private static final String REPORT = "was not rewritten; Syscall User Dispatch caught it (--exhaustive)";

    @TempDir Path temp;

    private Programs.Result trace(boolean exhaustive, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-e",
                "trace=getpid", "-o", out.toString()));
        if (exhaustive) {
            cmd.add("--exhaustive");
        }
        cmd.addAll(List.of("--", Programs.build("jit_syscall").toString(), "3"));
        return Programs.run(cmd, Map.of("LC_ALL", "C"), temp, Programs.DEFAULT_TIMEOUT);
    }

    private static long getpids(Path out) throws Exception {
        return Files.readString(out).lines().filter(l -> l.contains(" getpid() ") || l.startsWith("getpid()")).count();
    }

    @Test
    void aSyscallFromAJitBufferIsTracedAndItsSiteReportedOnce() throws Exception {
        Path out = temp.resolve("exhaustive.txt");
        Programs.Result r = trace(true, out);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("jit getpid matches libc's\n");
        assertThat(getpids(out)).as("three from the buffer, one from libc").isEqualTo(4);
        List<String> reports = r.err().lines().filter(l -> l.contains(REPORT)).toList();
        if (Programs.underSud()) {
            assertThat(reports).as("under SUD alone nothing is rewritten, so nothing is missed").isEmpty();
        } else {
            assertThat(reports).as("one site, reported once").hasSize(1);
            assertThat(reports.get(0)).contains("(anonymous memory)");
        }
    }

    @Test
    void withoutItTheBufferIsInvisibleUnderVa0() throws Exception {
        Path out = temp.resolve("plain.txt");
        Programs.Result r = trace(false, out);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("jit getpid matches libc's\n");
        assertThat(r.err()).doesNotContain(REPORT);
        assertThat(getpids(out)).isEqualTo(Programs.underSud() ? 4 : 1);
    }

    @Test
    void runTakesItToo() throws Exception {
        Programs.Result r = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "run", "--exhaustive", "--",
                Programs.build("jit_syscall").toString(), "5"), Map.of("LC_ALL", "C"), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("jit getpid matches libc's\n");
        assertThat(r.err().lines().filter(l -> l.contains(REPORT)).count()).isEqualTo(Programs.underSud() ? 0 : 1);
    }

    @Test
    void aFileBackedSiteTheSweepMissedIsRewrittenWhenFirstCaught() throws Exception {
        Path out = temp.resolve("hidden.txt");
        Programs.Result r = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "--exhaustive",
                "-e", "trace=getpid", "-o", out.toString(), "--", Programs.build("hidden_site").toString(), "3"),
                Map.of("LC_ALL", "C"), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(getpids(out)).as("the three hidden calls and libc's").isEqualTo(4);
        if (Programs.underSud()) {
            assertThat(r.out()).isEqualTo("hidden getpid matches; site bytes 0f 05\n");
            assertThat(r.err()).doesNotContain(REPORT);
        } else {
            // Caught once by SUD, rewritten then: the later calls take the VA0 path.
            assertThat(r.out()).isEqualTo("hidden getpid matches; site bytes ff d0\n");
            List<String> reports = r.err().lines().filter(l -> l.contains("was not rewritten")).toList();
            assertThat(reports).hasSize(1);
            assertThat(reports.get(0)).contains("hidden_site+0x", "and it is rewritten now (--exhaustive)");
        }
    }
}
