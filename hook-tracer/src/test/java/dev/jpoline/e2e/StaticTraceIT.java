package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A statically linked program under {@code jpoline trace}: followed with ptrace from its execve to
 * the end of its last child (docs/ptrace-window.md), with strace's lines, strace's counts, signals
 * delivered unchanged, job-control stops kept, and the program running on untraced when the host
 * dies.
 */
class StaticTraceIT {
    private static final String SAYS = "is statically linked, so LD_PRELOAD cannot reach it: it is followed with ptrace"
            + " instead, at strace's speed";

    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireStrace();
    }

    private static Path program() throws Exception {
        return Programs.build("static_tree", "-static");
    }

    /** TraceGoldenIT's normalization, and what differs between any two runs of the same program. */
    private static Map<String, List<String>> normalize(String trace) {
        String t = trace.replaceAll("/\\* \\d+ vars \\*/", "/* N vars */")
                .replaceAll("getrandom\\(\"[^\"]*\"", "getrandom(\"BYTES\"");
        return TraceGoldenIT.normalize(t, true);
    }

    @Test
    void theTraceIsStracesFromTheExecveOn() throws Exception {
        Path prog = program();
        Path ours = temp.resolve("jpoline.txt");
        Path theirs = temp.resolve("strace.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace("-f", "-o", ours.toString(), "--", prog.toString()), Map.of("LC_ALL", "C"),
                temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("child\nparent\n");
        assertThat(r.err()).isEqualTo("jpoline: " + prog + " " + SAYS + "\n");
        Programs.Result s = Programs.run(List.of("strace", "-f", "-o", theirs.toString(), prog.toString()),
                Map.of("LC_ALL", "C"), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).as(s.err()).isZero();
        Map<String, List<String>> expected = normalize(Files.readString(theirs));
        Map<String, List<String>> actual = normalize(Files.readString(ours));
        assertThat(actual.get("P1").get(0)).startsWith("execve(\"" + prog + "\", [\"").endsWith("/* N vars */) = 0");
        assertThat(actual).as("three processes, every line as strace shows it").hasSize(3).isEqualTo(expected);
        assertThat(String.join("\n", actual.get("P1"))).contains("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER",
                "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED", "exit_group(0) = ?", "+++ exited with 0 +++");
        assertThat(actual.get("P3")).contains("+++ killed by SIGTERM +++");
    }

    private static final Pattern COUNT_ROW = Pattern.compile("^\\s*[0-9.]+\\s+[0-9.]+\\s+\\d+\\s+(\\d+)\\s+(?:\\d+\\s+)?(\\w+)$");

    /** syscall name to calls, from a -c table. */
    private static Map<String, Integer> counts(String table) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String line : table.split("\n")) {
            Matcher m = COUNT_ROW.matcher(line);
            if (m.matches() && !m.group(2).equals("total")) {
                counts.put(m.group(2), Integer.parseInt(m.group(1)));
            }
        }
        return counts;
    }

    @Test
    void countsAreStraces() throws Exception {
        Path prog = program();
        Path ours = temp.resolve("jpoline-c.txt");
        Path theirs = temp.resolve("strace-c.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace("-f", "-c", "-o", ours.toString(), "--", prog.toString()), Map.of(), temp,
                Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        Programs.Result s = Programs.run(List.of("strace", "-f", "-c", "-o", theirs.toString(), prog.toString()), Map.of(),
                temp, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).as(s.err()).isZero();
        Map<String, Integer> expected = counts(Files.readString(theirs));
        assertThat(expected).containsKeys("execve", "brk", "arch_prctl", "clone", "wait4", "kill");
        assertThat(counts(Files.readString(ours))).isEqualTo(expected);
    }

    @Test
    void aFilterSelectsAsForAnyProgram() throws Exception {
        Path ours = temp.resolve("openat.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace("-e", "trace=openat", "-o", ours.toString(), "--", program().toString()),
                Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        // Without -f, strace prints no pid prefix either; signals and ends still show, as strace's do.
        List<String> calls = Files.readString(ours).lines().filter(l -> !l.contains("+++") && !l.contains("---")).toList();
        assertThat(calls).singleElement().asString().endsWith("openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY) = 3");
    }

    @Test
    void threadsAreFollowedFromBirth() throws Exception {
        Path ours = temp.resolve("threads.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace("-f", "-e", "trace=getppid,clone,clone3", "-o", ours.toString(), "--",
                program().toString(), "threads", "8"), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("joined\n");
        List<String> lines = Files.readString(ours).lines().toList();
        List<String> getppids = lines.stream().filter(l -> l.contains("getppid()")).toList();
        assertThat(getppids).hasSize(80);
        assertThat(getppids.stream().map(l -> l.substring(0, l.indexOf(' '))).distinct().count())
                .as("eight threads, by their own ids").isEqualTo(8);
        assertThat(lines.stream().filter(l -> l.contains("clone") && l.contains("CLONE_THREAD")).count()).isEqualTo(8);
    }

    static int readPid(Path file) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                String s = Files.readString(file).trim();
                if (!s.isEmpty()) {
                    return Integer.parseInt(s);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the program never wrote its pid to " + file);
    }

    /** static_tree's sleeper, once its tracer is gone: it must run to its end, never traced again. */
    static void awaitItsEndUntraced(int pid, Path pidFile) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && !Files.exists(Path.of(pidFile + ".done"))) {
            if (Files.exists(Path.of("/proc", Integer.toString(pid)))) {
                assertThat(statusField(pid, "TracerPid")).as("no longer traced").isIn("0", "");
            }
            Thread.sleep(50);
        }
        assertThat(Path.of(pidFile + ".done")).as("the program ran to its end").hasContent("done");
    }

    static String statusField(int pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return "";
    }

    @Test
    void aStoppedProgramStaysStoppedUntilContinued() throws Exception {
        Path pidFile = temp.resolve("stopped.pid");
        ProcessBuilder pb = new ProcessBuilder(Programs.jpolineTrace("-o", temp.resolve("stop.txt").toString(), "--",
                program().toString(), "sleep", "1500", pidFile.toString()));
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        pb.redirectErrorStream(true).redirectOutput(temp.resolve("host.log").toFile());
        Process host = pb.start();
        try {
            int pid = readPid(pidFile);
            new ProcessBuilder("kill", "-STOP", Integer.toString(pid)).start().waitFor();
            Thread.sleep(300);
            assertThat(statusField(pid, "State")).as("stopped, as without jpoline").matches("[tT] .*");
            Thread.sleep(1700); // longer than it sleeps: stopped, it does not get to the end
            assertThat(Files.exists(Path.of(pidFile + ".done"))).isFalse();
            new ProcessBuilder("kill", "-CONT", Integer.toString(pid)).start().waitFor();
            assertThat(host.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(host.exitValue()).isZero();
            assertThat(Path.of(pidFile + ".done")).hasContent("done");
            assertThat(Files.readString(temp.resolve("stop.txt"))).contains("--- SIGCONT {si_signo=SIGCONT");
        } finally {
            host.descendants().forEach(ProcessHandle::destroyForcibly);
            host.destroyForcibly();
        }
    }

    @Test
    void killingTheHostLeavesTheProgramRunningUntraced() throws Exception {
        Path pidFile = temp.resolve("orphan.pid");
        ProcessBuilder pb = new ProcessBuilder(Programs.jpolineTrace("-o", temp.resolve("orphan.txt").toString(), "--",
                program().toString(), "sleep", "1500", pidFile.toString()));
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        pb.redirectErrorStream(true).redirectOutput(temp.resolve("host.log").toFile());
        Process host = pb.start();
        int pid = -1;
        try {
            pid = readPid(pidFile);
            // jpoline's launcher script execs java, so the process is the host JVM itself.
            host.destroyForcibly();
            assertThat(host.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            awaitItsEndUntraced(pid, pidFile);
        } finally {
            host.descendants().forEach(ProcessHandle::destroyForcibly);
            host.destroyForcibly();
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }
}
