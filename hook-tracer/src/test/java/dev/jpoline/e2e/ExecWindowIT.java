package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Windows for the programs a traced process execs (docs/ptrace-window.md): the runtime asks the
 * host to seize the thread about to exec, and the new image's loader is followed until its own
 * runtime takes over, or a static program to its end. Every process is then seen from its execve,
 * as strace -f sees it, and no process is left traced: a failed exec, a program that ptraces its
 * own child, gdb.
 */
class ExecWindowIT {
    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireStrace();
    }

    /**
     * TraceGoldenIT's normalization of every process from its first line, and what differs
     * between any two runs: random bytes, the environment's size, and rt_sigreturn's result (the
     * interrupted call's: a pid here).
     */
    private static Map<String, List<String>> normalize(String trace) throws Exception {
        boolean sud = Programs.underSud();
        Map<String, List<String>> byProcess = TraceGoldenIT.normalize(trace, true, false);
        // After the normalization has joined split calls (a getrandom <unfinished ...>, say).
        byProcess.replaceAll((process, lines) -> lines.stream()
                .map(l -> l.replaceAll("/\\* \\d+ vars \\*/", "/* N vars */")
                        .replaceAll("^getrandom\\(\"[^\"]*\"", "getrandom(\"BYTES\"")
                        .replaceAll("^(rt_sigreturn\\(.*\\)) = \\d+$", "$1 = RAX")
                        // Under SUD SIGSYS stays unblocked: a mask read back says so (docs/sud.md).
                        .replace("~[KILL STOP SYS ", sud ? "~[KILL STOP " : "~[KILL STOP SYS "))
                .toList());
        return byProcess;
    }

    /**
     * What does not depend on which child of a pipeline runs or ends first: sh's lines up to its
     * first wait4 in order, the rest of them as a sorted list (without its SIGCHLD handler's
     * runs), and each child's lines, the
     * children sorted, with the children's labels made one (P2 is whichever spoke first).
     */
    private static List<List<String>> raceFree(Map<String, List<String>> byProcess) {
        List<String> sh = byProcess.get("P1").stream().map(l -> l.replaceAll("\\bP[2-9]\\b", "PC")).toList();
        int firstWait = 0;
        while (firstWait < sh.size() && !sh.get(firstWait).startsWith("wait4(")) {
            firstWait++;
        }
        List<List<String>> parts = new ArrayList<>();
        parts.add(sh.subList(0, firstWait));
        // Two SIGCHLDs close together are delivered once: how many handler runs varies.
        parts.add(sh.subList(firstWait, sh.size()).stream()
                .filter(l -> !l.startsWith("--- SIGCHLD ") && !l.startsWith("rt_sigreturn(")).sorted().toList());
        byProcess.entrySet().stream().filter(e -> !e.getKey().equals("P1"))
                .map(e -> e.getValue().stream().map(l -> l.replaceAll("\\bP[2-9]\\b", "PC")).toList())
                .sorted(java.util.Comparator.comparing(Object::toString)).forEach(parts::add);
        return parts;
    }

    /** Both runs get the same PWD: jpoline's script sets it to the directory, which sh then trusts. */
    private Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(extra);
        env.put("LC_ALL", "C");
        env.put("PWD", temp.toString());
        return env;
    }

    @Test
    void aShellPipelineIsStracesLineForLineFromEveryExecve() throws Exception {
        List<String> pipeline = List.of("sh", "-c", "/bin/echo one | /usr/bin/tr o 0");
        Path ours = temp.resolve("jpoline.txt");
        Path theirs = temp.resolve("strace.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace(Programs.concat(List.of("-f", "-o", ours.toString(), "--"), pipeline)),
                env(Map.of()), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("0ne\n");
        // strace with jpoline's runtime preloaded: each loader then maps it, as under jpoline.
        Programs.Result s = Programs.run(Programs.concat(List.of("strace", "-f", "-o", theirs.toString()), pipeline),
                env(Programs.runtimePreloaded()), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).as(s.err()).isZero();
        Map<String, List<String>> actual = normalize(Files.readString(ours));
        Map<String, List<String>> expected = normalize(Files.readString(theirs));
        assertThat(actual).as("sh and its two children").hasSize(3);
        assertThat(raceFree(actual)).isEqualTo(raceFree(expected));
        assertThat(actual.get("P1").get(0)).as("sh from its execve").startsWith("execve(\"/usr/bin/sh\", [\"sh\", \"-c\"");
        // Which child is P2 depends on which spoke first.
        List<String> echo = actual.get(actual.get("P2").stream().anyMatch(l -> l.startsWith("execve(\"/bin/echo\"")) ? "P2" : "P3");
        List<String> tr = actual.get(echo == actual.get("P2") ? "P3" : "P2");
        int exec = indexOf(echo, "execve(\"/bin/echo\", [\"/bin/echo\", \"one\"]");
        assertThat(echo.get(exec + 1)).as("the loader's first call").startsWith("brk(NULL)");
        assertThat(tr).anyMatch(l -> l.startsWith("execve(\"/usr/bin/tr\""))
                .anyMatch(l -> l.startsWith("openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libc.so.6\""));
    }

    /** Where the first line starting so is; a fork child makes a call or two before its execve. */
    private static int indexOf(List<String> lines, String start) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with " + start + " in " + lines);
    }

    @Test
    void anExecdProgramsLoaderSearchIsShownAsStraceShowsIt() throws Exception {
        Path lib = temp.resolve("lib");
        Files.createDirectories(lib);
        Files.writeString(temp.resolve("jpmissing.c"), "int jp_missing(void) { return 7; }\n");
        Files.writeString(temp.resolve("needs.c"), "int jp_missing(void);\nint main(void) { return jp_missing(); }\n");
        assertThat(Programs.run(List.of("gcc", "-shared", "-fPIC", "-o", lib.resolve("libjpmissing.so").toString(),
                temp.resolve("jpmissing.c").toString()), Map.of(), temp, Programs.DEFAULT_TIMEOUT).exit()).isZero();
        Path program = temp.resolve("needs");
        assertThat(Programs.run(List.of("gcc", "-o", program.toString(), temp.resolve("needs.c").toString(), "-L" + lib,
                "-ljpmissing"), Map.of(), temp, Programs.DEFAULT_TIMEOUT).exit()).isZero();
        List<String> shell = List.of("sh", "-c", program + "; echo status $?");
        Path ours = temp.resolve("ours.txt");
        Path theirs = temp.resolve("strace.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace(Programs.concat(List.of("-f", "-e", "trace=openat", "-o",
                ours.toString(), "--"), shell)), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("status 127\n");
        Programs.Result s = Programs.run(Programs.concat(List.of("strace", "-f", "-e", "trace=openat", "-o", theirs.toString()), shell),
                Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).isZero();
        List<String> expected = searches(Files.readString(theirs));
        assertThat(expected).as("the loader looks in several places").hasSizeGreaterThan(2);
        assertThat(searches(Files.readString(ours))).isEqualTo(expected);
    }

    /** The loader's attempts to open the missing library, without their pids. */
    private static List<String> searches(String trace) {
        return trace.lines().filter(l -> l.contains("libjpmissing.so")).map(l -> l.replaceFirst("^\\d+ +", "")).toList();
    }

    @Test
    void aFailedExecLeavesTheProcessUntracedAndTheNextOneIsFollowed() throws Exception {
        Path ours = temp.resolve("fail.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace("-f", "-o", ours.toString(), "--", Programs.build("exec_fail").toString(),
                "/etc/passwd", "/bin/true"), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).as("let go once the exec failed: a debugger could attach")
                .isEqualTo("exec of /etc/passwd failed; tracer 0\n");
        List<String> lines = Files.readString(ours).lines().map(l -> l.replaceFirst("^\\d+ +", "")).toList();
        int failed = lines.indexOf(lines.stream().filter(l -> l.startsWith("execve(\"/etc/passwd\"")).findFirst().orElseThrow());
        assertThat(lines.get(failed)).endsWith("= -1 EACCES (Permission denied)");
        int ok = lines.indexOf(lines.stream().filter(l -> l.startsWith("execve(\"/bin/true\"")).findFirst().orElseThrow());
        assertThat(lines.get(ok)).endsWith("= 0");
        assertThat(lines.get(ok + 1)).as("true's loader, followed").startsWith("brk(NULL)");
        assertThat(lines.subList(ok, lines.size())).anyMatch(l -> l.startsWith("openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libc.so.6\""));
    }

    @Test
    void theProgramsEndComesWhenItEndsBeforeTheLinesOfTheOrphansItLeft() throws Exception {
        Path ours = temp.resolve("orphan.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace("-f", "-o", ours.toString(), "-e", "trace=exit_group,write",
                "--", "sh", "-c", "(sleep 0.5; echo late) & exit 3"), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("late\n");
        List<String> lines = Files.readString(ours).lines().toList();
        String top = lines.get(0).replaceFirst(" .*", "");
        int end = lines.indexOf(lines.stream().filter(l -> l.matches(top + " +\\+\\+\\+ exited with 3 \\+\\+\\+"))
                .findFirst().orElse("none"));
        int late = lines.indexOf(lines.stream().filter(l -> l.contains("write(1, \"late\\n\", 5)")).findFirst().orElseThrow());
        assertThat(end).as("as strace -f: the program's end where it happened\n%s", String.join("\n", lines))
                .isGreaterThanOrEqualTo(0).isLessThan(late);
        assertThat(lines).filteredOn(l -> l.contains("+++ exited with 3 +++")).hasSize(1);
        assertThat(lines.get(lines.size() - 1)).endsWith("+++ exited with 0 +++");
    }

    @Test
    void aStaticProgramExecdByADynamicOneIsFollowedToItsEnd() throws Exception {
        Path prog = Programs.build("static_tree", "-static");
        List<String> shell = List.of("sh", "-c", prog + "; echo status $?");
        Path ours = temp.resolve("ours.txt");
        Path theirs = temp.resolve("strace.txt");
        Programs.Result r = Programs.run(Programs.jpolineTrace(Programs.concat(List.of("-f", "-o", ours.toString(), "--"), shell)),
                env(Map.of()), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("child\nparent\nstatus 0\n");
        assertThat(r.err()).matches("(?s).*jpoline: pid \\d+: " + Pattern.quote(prog.toString()) + " is statically linked, so"
                + " LD_PRELOAD cannot reach it: it is followed with ptrace instead, at strace's speed\n");
        Programs.Result s = Programs.run(Programs.concat(List.of("strace", "-f", "-o", theirs.toString()), shell),
                env(Programs.runtimePreloaded()), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).as(s.err()).isZero();
        Map<String, List<String>> actual = normalize(Files.readString(ours));
        Map<String, List<String>> expected = normalize(Files.readString(theirs));
        // P1 is sh; P2 the static program from its execve; P3 and P4 its children.
        assertThat(actual).hasSize(4);
        assertThat(indexOf(actual.get("P2"), "execve(\"" + prog + "\"")).isPositive();
        assertThat(actual.get("P4")).contains("+++ killed by SIGTERM +++");
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void killingTheHostDuringAnExecdProgramsWindowLeavesItRunningUntraced() throws Exception {
        Path pidFile = temp.resolve("child.pid");
        Path prog = Programs.build("static_tree", "-static");
        ProcessBuilder pb = new ProcessBuilder(Programs.jpolineTrace("-f", "-o", temp.resolve("t.txt").toString(), "--", "sh", "-c",
                prog + " sleep 1500 " + pidFile));
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        pb.redirectErrorStream(true).redirectOutput(temp.resolve("host.log").toFile());
        Process host = pb.start();
        int pid = -1;
        try {
            pid = StaticTraceIT.readPid(pidFile);
            String tracer = StaticTraceIT.statusField(pid, "TracerPid"); // the follower thread's id
            assertThat(Path.of("/proc", Long.toString(host.pid()), "task", tracer)).as("followed by a thread of the host")
                    .isDirectory();
            host.destroyForcibly(); // the script execs java: this is the host JVM
            assertThat(host.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            StaticTraceIT.awaitItsEndUntraced(pid, pidFile);
        } finally {
            host.descendants().forEach(ProcessHandle::destroyForcibly);
            host.destroyForcibly();
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aProgramThatPtracesItsOwnChildKeepsIt() throws Exception {
        Programs.Result r = Programs.run(Programs.jpolineTrace("-f", "-o", temp.resolve("t.txt").toString(), "--",
                Programs.build("ptrace_child").toString(), "/bin/true"), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        // Its own SIGSTOP, and the SIGTRAP of its exec: the window did not take the child.
        assertThat(r.out()).isEqualTo("traced child: 2 stops, exit 0\n");
        assertThat(Files.readString(temp.resolve("t.txt"))).doesNotContain("exited with 19");
    }

    @Test
    void gdbRunsItsProgramInsideTheTrace() throws Exception {
        assertThat(Programs.run(List.of("sh", "-c", "command -v gdb"), Map.of(), temp, Programs.DEFAULT_TIMEOUT).exit())
                .as("gdb is needed (it is on the machines this project runs on)").isZero();
        Programs.Result r = Programs.run(Programs.jpolineTrace("-f", "-o", temp.resolve("gdb.txt").toString(), "--", "gdb", "-q", "-nx",
                "-batch", "-ex", "run", "-ex", "info inferiors", "--args", "/bin/true"), Map.of(), temp,
                Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("exited normally");
        assertThat(Files.readString(temp.resolve("gdb.txt"))).contains("execve(\"/usr/bin/gdb\"");
    }

    private static final Pattern COUNT_ROW = Pattern.compile("^\\s*[0-9.]+\\s+[0-9.]+\\s+\\d+\\s+(\\d+)\\s+(?:\\d+\\s+)?(\\w+)$");

    private static Map<String, Integer> counts(Path table) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (String line : Files.readString(table).split("\n")) {
            Matcher m = COUNT_ROW.matcher(line);
            if (m.matches() && !m.group(2).equals("total")) {
                counts.put(m.group(2), Integer.parseInt(m.group(1)));
            }
        }
        return counts;
    }

    /**
     * Calls whose number varies from run to run of the same program: waits and thread hand-offs,
     * and rt_sigreturn (two SIGCHLDs that come close together are delivered once).
     */
    private static final Set<String> VARYING = Set.of("futex", "poll", "ppoll", "epoll_wait", "epoll_pwait", "sched_yield",
            "nanosleep", "clock_nanosleep", "restart_syscall", "rt_sigreturn");
    /**
     * And, for node only, what its threads' timing decides: V8's collector's mappings, the main
     * thread's brk, and a file or two it reads or not (strace alone saw openat 17 and 18 times in
     * two runs here; CI saw brk 20 and 24 between jpoline's run and strace's).
     */
    private static final Set<String> VARYING_IN_NODE = Set.of("mmap", "munmap", "mprotect", "madvise", "brk", "openat",
            "fstat", "close", "read");

    private static List<String> program(String name, Path temp) throws Exception {
        return switch (name) {
            case "ls" -> List.of("ls", "-la", "/usr");
            case "python3" -> List.of("python3", "-c", "import subprocess; subprocess.run(['true']); print(1)");
            case "pipeline" -> List.of("sh", "-c", "ls /usr/bin | sort | wc -l");
            case "tar" -> List.of("tar", "-cf", "/dev/null", "-C", "/usr", "include/linux");
            case "git" -> List.of("git", "-C", Programs.ROOT.toString(), "log", "--oneline", "-3");
            case "node" -> List.of("node", "-e", "console.log(1)");
            case "perl" -> List.of("perl", "-e", "print 1");
            case "gcc" -> {
                Files.writeString(temp.resolve("hello.c"), "int main(void) { return 0; }\n");
                yield List.of("gcc", "-o", temp.resolve("hello").toString(), temp.resolve("hello.c").toString());
            }
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"ls", "python3", "pipeline", "tar", "git", "node", "perl", "gcc"})
    void countsReachStracesOnRealPrograms(String name) throws Exception {
        List<String> command = program(name, temp);
        Path ours = temp.resolve("ours-c.txt");
        Path theirs = temp.resolve("strace-c.txt");
        Files.deleteIfExists(temp.resolve("hello")); // ld unlinks an output that exists: both runs start without
        Programs.Result r = Programs.run(Programs.concat(Programs.jpolineTrace("-f", "-c", "-o", ours.toString(), "--"), command), env(Map.of()), temp,
                Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
        // strace twice: a call whose number differs between its own two runs varies too (node's
        // brk and a file its threads open or not, say); the rest must match the smaller count.
        Map<String, Integer> first = straceCounts(command, theirs), second = straceCounts(command, theirs);
        Map<String, Integer> mine = counts(ours);
        assertThat(first).containsKeys("execve", "openat", "mmap");
        int steady = 0, seen = 0;
        List<String> short_ = new ArrayList<>();
        List<String> varied = new ArrayList<>();
        for (Map.Entry<String, Integer> e : first.entrySet()) {
            String call = e.getKey();
            if (VARYING.contains(call) || (name.equals("node") && VARYING_IN_NODE.contains(call))) {
                continue;
            }
            if (!e.getValue().equals(second.get(call))) {
                varied.add(call + " " + e.getValue() + "/" + second.get(call));
                continue;
            }
            int n = mine.getOrDefault(call, 0);
            steady += e.getValue();
            seen += Math.min(n, e.getValue());
            if (n < e.getValue()) {
                short_.add(call + " " + n + " < " + e.getValue());
            }
        }
        Map<String, Integer> expected = first;
        // jpoline's counts also hold each loader mapping jpoline's own runtime (about ten calls).
        assertThat(seen).as("of strace's %d calls that do not vary, jpoline saw; short: %s; varied between strace's runs: %s",
                steady, short_, varied).isGreaterThanOrEqualTo((int) Math.ceil(steady * 0.995));
        assertThat(steady).as("a third of the calls at least are steady: %s varied", varied).isGreaterThan(
                first.values().stream().mapToInt(Integer::intValue).sum() / 3);
        assertThat(mine.get("execve")).as("every exec").isEqualTo(expected.get("execve"));
    }

    /** strace -f -c's counts of one run of {@code command}, its table written to {@code table}. */
    private Map<String, Integer> straceCounts(List<String> command, Path table) throws Exception {
        Files.deleteIfExists(temp.resolve("hello")); // ld unlinks an output that exists: every run starts without
        Programs.Result s = Programs.run(Programs.concat(List.of("strace", "-f", "-c", "-o", table.toString()), command), env(Map.of()),
                temp, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).as(s.err()).isZero();
        return counts(table);
    }
}
