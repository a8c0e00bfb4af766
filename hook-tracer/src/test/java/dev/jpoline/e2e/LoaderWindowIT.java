package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The top-level program of {@code jpoline trace} is seen from its execve: the dynamic loader's
 * syscalls are followed with ptrace until the runtime's constructor takes over
 * (docs/ptrace-window.md), so the classic question, "why does my program not find libfoo.so?",
 * gets strace's answer.
 */
class LoaderWindowIT {
    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireStrace();
    }

    @Test
    void theTraceStartsWithTheExecveLine() throws Exception {
        Path out = temp.resolve("true.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace("-o", out.toString(), "--", "true"), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = Files.readString(out).lines().map(l -> l.replaceFirst("^\\d+ +", "")).toList();
        assertThat(lines.get(0)).matches("execve\\(\"/usr/bin/true\", \\[\"true\"\\], 0x[0-9a-f]+ /\\* \\d+ vars \\*/\\)\\s+= 0");
        assertThat(lines.get(1)).startsWith("brk(NULL)");
        assertThat(lines).anyMatch(l -> l.startsWith("openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = "));
        assertThat(lines).anyMatch(l -> l.startsWith("arch_prctl(") || l.startsWith("set_tid_address("));
        assertThat(lines.get(lines.size() - 1)).isEqualTo("+++ exited with 0 +++");
    }

    @Test
    void aMissingLibraryShowsTheLoadersSearchAsStraceDoes() throws Exception {
        Path lib = temp.resolve("lib");
        Files.createDirectories(lib);
        Files.writeString(temp.resolve("jpmissing.c"), "int jp_missing(void) { return 7; }\n");
        Files.writeString(temp.resolve("needs.c"), "int jp_missing(void);\nint main(void) { return jp_missing(); }\n");
        assertThat(Programs.run(List.of("gcc", "-shared", "-fPIC", "-o", lib.resolve("libjpmissing.so").toString(),
                temp.resolve("jpmissing.c").toString()), Map.of(), temp, Programs.DEFAULT_TIMEOUT).exit()).isZero();
        Path program = temp.resolve("needs");
        assertThat(Programs.run(List.of("gcc", "-o", program.toString(), temp.resolve("needs.c").toString(), "-L" + lib,
                "-ljpmissing"), Map.of(), temp, Programs.DEFAULT_TIMEOUT).exit()).isZero();
        Path ours = temp.resolve("ours.txt");
        Path theirs = temp.resolve("strace.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace("-e", "trace=openat", "-o", ours.toString(), "--", program.toString()),
                Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as("the loader's own exit status").isEqualTo(127);
        assertThat(r.err()).contains("libjpmissing.so: cannot open shared object file");
        Programs.Result s = Programs.run(List.of("strace", "-e", "trace=openat", "-o", theirs.toString(), program.toString()),
                Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).isEqualTo(127);
        List<String> expected = searches(Files.readString(theirs));
        assertThat(expected).as("the loader looks in several places").hasSizeGreaterThan(2);
        assertThat(searches(Files.readString(ours))).isEqualTo(expected);
        assertThat(Files.readString(ours)).endsWith("+++ exited with 127 +++\n");
    }

    /** The loader's attempts to open the missing library. */
    private static List<String> searches(String trace) {
        return trace.lines().filter(l -> l.contains("libjpmissing.so")).map(l -> l.replaceFirst("^\\d+ +", "")).toList();
    }

    private static final Pattern TOTAL = Pattern.compile("^100\\.00\\s+[0-9.]+\\s+\\d+\\s+(\\d+)\\s+.*total$", Pattern.MULTILINE);

    private static int total(Path table) throws Exception {
        Matcher m = TOTAL.matcher(Files.readString(table));
        assertThat(m.find()).as(Files.readString(table)).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void countsReachStracesForAProgramThatExecsNothing() throws Exception {
        Path ours = temp.resolve("ours-c.txt");
        Path theirs = temp.resolve("strace-c.txt");
        List<String> ls = List.of("ls", "-la", "/usr");
        Programs.Result r = Programs.run(Programs.jpolineTrace(Programs.concat(List.of("-f", "-c", "-o", ours.toString(), "--"), ls)), Map.of(),
                temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        Programs.Result s = Programs.run(Programs.concat(List.of("strace", "-f", "-c", "-o", theirs.toString()), ls), Map.of(), temp,
                Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).isZero();
        // jpoline's count also holds the loader mapping jpoline's own runtime (about ten calls).
        assertThat(total(ours)).isGreaterThanOrEqualTo((int) Math.ceil(total(theirs) * 0.995));
    }
}
