package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * -e signal=, -q/-qq/-e quiet=, -i, -E and --syscall-limit against strace 6.1 on
 * signal_options.c. The calls compared are ones the dynamic loader never makes (kill, getppid,
 * wait4), so both traces hold the same lines; pids are relabelled, -i's addresses compared by
 * their offset in the page (the libraries' bases differ between runs).
 */
class TraceOptionsIT {
    @TempDir Path temp;
    private static Path program;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireVa0();
        Programs.requireStrace();
        program = Programs.build("signal_options");
    }

    /** A trace file's text under {@code tracer}, and the run. */
    private record Traced(String text, Programs.Result run) {
        /**
         * Per process, as TraceGoldenIT normalizes (pids labelled, unfinished halves joined),
         * signals kept but SIGCHLD, which jpoline does not see while the program leaves it ignored
         * (docs/trace.md).
         */
        Map<String, List<String>> lines() {
            Map<String, List<String>> byProcess = TraceGoldenIT.normalize(withoutSigchld(text), true);
            // A child with no line of its own (-qq) has no label: the pid its parent waits for is a number.
            byProcess.replaceAll((p, lines) -> lines.stream()
                    .map(l -> l.startsWith("wait4(") ? l.replaceAll("\\b\\d{2,}\\b", "PID") : l).toList());
            return byProcess;
        }
    }

    static String withoutSigchld(String text) {
        return text.lines().filter(l -> !l.contains("--- SIGCHLD ")).map(l -> l + "\n")
                .collect(java.util.stream.Collectors.joining());
    }

    private Traced traced(List<String> tracer, List<String> options, String... programArgs) throws Exception {
        Path out = temp.resolve("t" + System.nanoTime() + ".txt");
        List<String> cmd = new ArrayList<>(tracer);
        cmd.addAll(List.of("-f", "-o", out.toString()));
        cmd.addAll(options);
        cmd.add("--");
        cmd.add(program.toString());
        cmd.addAll(List.of(programArgs));
        Programs.Result r = Programs.run(cmd, Map.of("LC_ALL", "C"), temp, Programs.DEFAULT_TIMEOUT);
        return new Traced(Files.exists(out) ? Files.readString(out) : "", r);
    }

    private Traced jpoline(List<String> options, String... args) throws Exception {
        return traced(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace"), options, args);
    }

    private Traced strace(List<String> options, String... args) throws Exception {
        return traced(List.of("strace"), options, args);
    }

    private void sameAsStrace(List<String> options, String... args) throws Exception {
        Traced s = strace(options, args);
        Traced j = jpoline(options, args);
        assertThat(j.lines()).as("trace with %s", options).isEqualTo(s.lines());
        assertThat(j.run().out()).as("stdout with %s", options).isEqualTo(s.run().out());
        assertThat(j.run().exit()).as("exit status with %s", options).isEqualTo(s.run().exit());
    }

    @Test
    void signalSetsPrintWhatStracePrints() throws Exception {
        List<String> calls = List.of("-e", "trace=kill,getppid,wait4");
        for (String set : List.of("all", "none", "usr2", "!SIGUSR1", "SIGUSR1,12", "!all", "!usr1,term")) {
            List<String> options = new ArrayList<>(calls);
            options.addAll(List.of("-e", "signal=" + set));
            sameAsStrace(options);
            sameAsStrace(options, "die"); // the SIGTERM's "killed by" line follows the set too
        }
    }

    @Test
    void quietLevelsAndSetsPrintWhatStracePrints() throws Exception {
        for (List<String> quiet : List.of(List.of("-q"), List.of("-qq"), List.of("-qqq"), List.of("-e", "quiet=exit"),
                List.of("-e", "quiet=!exit"), List.of("-e", "quiet=attach,exits"), List.of("-e", "quiet=none"))) {
            // getppid first: the parent's line comes before its child's exit line in both traces.
            List<String> options = new ArrayList<>(List.of("-e", "trace=getppid,kill,wait4"));
            options.addAll(quiet);
            sameAsStrace(options);
            sameAsStrace(options, "die");
        }
    }

    private static final Pattern IP = Pattern.compile("^(\\d+ +)\\[([0-9a-f]{16}|\\?{16})\\] (.*)$");

    /**
     * -i's lines per process (by first appearance), each address reduced to its page offset,
     * which ASLR keeps, and numbers (pids) to N.
     */
    private static Map<Integer, List<String>> pageOffsets(String text) {
        Map<String, Integer> order = new java.util.HashMap<>();
        Map<Integer, List<String>> byProcess = new java.util.TreeMap<>();
        for (String l : withoutSigchld(text).split("\n")) {
            Matcher m = IP.matcher(l);
            assertThat(m.matches()).as("an -i line: %s", l).isTrue();
            String ip = m.group(2).startsWith("?") ? m.group(2) : m.group(2).substring(13);
            int process = order.computeIfAbsent(m.group(1).strip(), k -> order.size());
            byProcess.computeIfAbsent(process, k -> new ArrayList<>())
                    .add("[" + ip + "] " + m.group(3).replaceAll("\\s+=", " =").replaceAll("\\d+", "N"));
        }
        return byProcess;
    }

    @Test
    void instructionPointersAreTheSitesStraceNames() throws Exception {
        List<String> options = List.of("-i", "-e", "trace=kill,getppid");
        Traced s = strace(options, "die");
        Traced j = jpoline(options, "die");
        assertThat(pageOffsets(j.text())).isEqualTo(pageOffsets(s.text()));
        // Not a constant: getppid's and kill's sites differ, and exit lines have none.
        assertThat(j.text().lines().map(l -> l.replaceAll("^\\d+ +", "").substring(0, 18)).distinct().count())
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void environmentChangesReachTheProgramAsStracesDo() throws Exception {
        Path env = Path.of("/usr/bin/env");
        List<String> base = List.of("-e", "trace=none", "-E", "JP_ONE=1", "-E", "JP_TWO=2", "-E", "HOME", "-E",
                "JP_TWO=3", "--");
        List<String> j = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o", "/dev/null"));
        j.addAll(base);
        j.add(env.toString());
        List<String> s = new ArrayList<>(List.of("strace", "-o", "/dev/null"));
        s.addAll(base);
        s.add(env.toString());
        Map<String, String> start = Map.of("LC_ALL", "C", "HOME", "/nonexistent");
        Programs.Result jr = Programs.run(j, start, temp, Programs.DEFAULT_TIMEOUT);
        Programs.Result sr = Programs.run(s, start, temp, Programs.DEFAULT_TIMEOUT);
        assertThat(jr.exit()).isZero();
        List<String> mine = jr.out().lines().filter(l -> l.startsWith("JP_") || l.startsWith("HOME=")).toList();
        assertThat(mine).containsExactly("JP_ONE=1", "JP_TWO=3");
        assertThat(mine).isEqualTo(sr.out().lines().filter(l -> l.startsWith("JP_") || l.startsWith("HOME=")).toList());
        assertThat(jr.out()).contains("LD_PRELOAD="); // jpoline's runtime is still preloaded
    }

    @Test
    void aSyscallLimitEndsTheTraceAndTheProgramRunsOn() throws Exception {
        List<String> options = List.of("-e", "trace=getppid", "-e", "signal=none");
        Traced full = jpoline(options);
        List<String> calls = full.text().lines().filter(l -> l.contains("getppid()")).toList();
        assertThat(calls).hasSize(9);
        for (int limit : List.of(1, 4, 8)) {
            List<String> limited = new ArrayList<>(options);
            limited.add("--syscall-limit=" + limit);
            Traced t = jpoline(limited);
            // The first LIMIT calls and what came between them (the child's exit), nothing after.
            List<String> lines = t.text().lines().map(TraceOptionsIT::withoutPid).toList();
            assertThat(lines).as("limit %d", limit).filteredOn(l -> l.startsWith("getppid()")).hasSize(limit);
            assertThat(lines.get(lines.size() - 1)).as("limit %d", limit).startsWith("getppid()");
            assertThat(lines).as("limit %d", limit).allMatch(l -> l.startsWith("getppid()")
                    || l.equals("+++ exited with 3 +++"));
            assertThat(t.run().out()).isEqualTo("child 3\n");
            assertThat(t.run().exit()).isEqualTo(5);
            assertThat(t.run().err()).contains("system call limit (" + limit + ") is reached");
        }
        Traced quiet = jpoline(List.of("-q", "-e", "trace=getppid", "--syscall-limit=2"));
        assertThat(quiet.run().err()).doesNotContain("limit");
        Traced counted = jpoline(List.of("-c", "-e", "trace=getppid", "--syscall-limit=4"));
        assertThat(counted.run().exit()).isEqualTo(5);
        assertThat(counted.text()).containsPattern("\\s4\\s+getppid");
    }

    /** A line without its leading pid and the pids getppid returns (which differ between runs). */
    private static String withoutPid(String line) {
        return line.replaceAll("^\\d+ +", "").replaceAll("= \\d+$", "= N");
    }

    @Test
    void aUserRunsTheProgramAsStracesDoes() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root || !Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            Assumptions.assumeFalse("true".equals(System.getenv("CI")), "CI=true: -u needs root and setpriv");
            Assumptions.abort("-u needs root (and setpriv for the refusal as another user)");
        }
        List<String> id = List.of("-e", "trace=getuid,geteuid,getgid,getgroups");
        for (String user : List.of("nobody", "1234:4321")) {
            List<String> options = new ArrayList<>(id);
            options.addAll(List.of("-u", user));
            Path idProgram = Path.of("/usr/bin/id");
            List<String> jc = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o",
                    temp.resolve("id.txt").toString()));
            jc.addAll(options);
            jc.addAll(List.of("--", idProgram.toString()));
            List<String> sc = new ArrayList<>(List.of("strace", "-o", temp.resolve("sid.txt").toString()));
            sc.addAll(options);
            sc.addAll(List.of("--", idProgram.toString()));
            Programs.Result jr = Programs.run(jc, Map.of("LC_ALL", "C"), temp, Programs.DEFAULT_TIMEOUT);
            Programs.Result sr = Programs.run(sc, Map.of("LC_ALL", "C"), temp, Programs.DEFAULT_TIMEOUT);
            assertThat(jr.exit()).as(jr.describe()).isZero();
            if (!user.equals("nobody")) {
                // strace 6.1 takes user names only; newer ones take UID:GID, as jpoline does.
                assertThat(jr.out()).isEqualTo("uid=1234 gid=4321 groups=4321\n");
                assertThat(Files.readString(temp.resolve("id.txt"))).contains("getuid()", "= 1234\n");
                continue;
            }
            assertThat(jr.out()).isEqualTo(sr.out()).startsWith("uid=65534");
            // The calls after main, which the loader never makes, line for line.
            assertThat(TraceGoldenIT.normalize(prefixed(Files.readString(temp.resolve("id.txt"))), false))
                    .isEqualTo(TraceGoldenIT.normalize(prefixed(Files.readString(temp.resolve("sid.txt"))), false));
        }
        Programs.Result unknown = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-u",
                "no-such-user-here", "true"), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err().strip()).isEqualTo("jpoline: -u: no such user 'no-such-user-here' (give a user name, or"
                + " UID:GID)");
        Programs.Result notRoot = Programs.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Programs.ROOT.resolve("jpoline").toString(), "trace", "-u", "nobody", "true"), Map.of(), Path.of("/tmp"),
                Programs.DEFAULT_TIMEOUT);
        assertThat(notRoot.exit()).as(notRoot.describe()).isEqualTo(2);
        assertThat(notRoot.err().strip()).endsWith("jpoline: -u nobody needs root (only root can start a program as"
                + " another user); run jpoline as root, or drop -u");
    }

    @Test
    void aForgedRequestForAnotherProcessIsRefused() throws Exception {
        // The victim: a shell that is no part of the trace (as any of the machine's processes).
        Process victim = new ProcessBuilder("sh", "-c", "while :; do sleep 0.05; done").start();
        try {
            Path forger = Programs.build("forged_request");
            List<String> cmd = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o",
                    "/dev/null", "-e", "trace=none"));
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root) {
                cmd.addAll(List.of("-u", "nobody")); // the case where it matters: the host is root, the program not
            }
            cmd.addAll(List.of("--", forger.toString(), Long.toString(victim.pid())));
            Programs.Result r = Programs.run(cmd, Map.of(), Path.of("/tmp"), Programs.DEFAULT_TIMEOUT);
            assertThat(r.out()).as(r.describe()).startsWith("state 6 result -1"); // FAILED, nothing rewritten
            assertThat(r.err()).contains("refused a request naming pid " + victim.pid());
            String maps = Files.readString(Path.of("/proc", Long.toString(victim.pid()), "maps"));
            assertThat(victim.isAlive()).isTrue();
            // Its code is as it was: the host never opened it for writing (a rewritten sh dies at its next syscall).
            Thread.sleep(200);
            assertThat(victim.isAlive()).as("the victim still runs").isTrue();
            assertThat(maps).doesNotContain("jpoline-");
        } finally {
            victim.destroyForcibly();
        }
    }

    /** A single process's trace with strace -o's pid prefix, for TraceGoldenIT's normalization. */
    private static String prefixed(String text) {
        return text.lines().map(l -> l.matches("^\\d+ .*") ? l : "1 " + l).map(l -> l + "\n")
                .collect(java.util.stream.Collectors.joining());
    }

    @Test
    void badValuesAreOneClearLine() throws Exception {
        for (String[] bad : new String[][] {
            {"-e", "signal=SIGNOPE", "not a signal"},
            {"-e", "signal=65", "not a signal"},
            {"-e", "quiet=loud", "not a message"},
            {"--syscall-limit=0", "", "at least 1"},
            {"--syscall-limit=many", "", "at least 1"},
            {"-E", "=1", "takes VAR=VAL"}}) {
            List<String> cmd = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace"));
            cmd.add(bad[0]);
            if (!bad[1].isEmpty()) {
                cmd.add(bad[1]);
            }
            cmd.add("true");
            Programs.Result r = Programs.run(cmd, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
            assertThat(r.exit()).as(bad[0] + bad[1]).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(bad[0] + bad[1]).hasSize(1);
            assertThat(r.err()).as(bad[0] + bad[1]).contains(bad[2]);
        }
    }
}
