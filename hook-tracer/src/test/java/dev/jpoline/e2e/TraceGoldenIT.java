package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jpoline trace} against strace 6.1 on the same deterministic programs. Line by line the
 * comparison starts at the marker, the first syscall of main (getppid): before it, jpoline sees the
 * top-level program's loader too (docs/ptrace-window.md), but that loader also maps jpoline's
 * runtime, and a child's exec'd loader is not seen; the syscalls strace shows before the marker
 * must all be among {@link #LOADER_SYSCALLS}. Counts are compared whole (callCountsEqualStraces).
 */
class TraceGoldenIT {
    /** What strace shows before main for these programs: the loader's start-up, unseen by jpoline. */
    static final Set<String> LOADER_SYSCALLS = Set.of("execve", "brk", "arch_prctl", "mmap", "access", "openat",
            "newfstatat", "fstat", "read", "pread64", "close", "mprotect", "munmap", "set_tid_address",
            "set_robust_list", "rseq", "prlimit64", "getrandom");

    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireVa0();
        Programs.requireStrace();
    }

    private static final Pattern PID_PREFIX = Pattern.compile("^(\\d+)\\s+(.*)$");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-f]+");
    /**
     * Where these programs' lines hold a pid: what the pid calls return, the pid arguments of
     * wait4 and the kill family, siginfo's si_pid. Only there: a pid that happens to equal a size
     * (a child numbered 8192 and an mmap of 8192 bytes) must not be relabelled.
     */
    private static final List<Pattern> PID_PLACES = List.of(
            Pattern.compile("^(?:clone3?|v?fork|wait4|getpid|gettid|set_tid_address)\\(.*\\) = (\\d+)$"),
            Pattern.compile("^(?:wait4|kill|tkill|tgkill)\\((\\d+)[,)]"),
            Pattern.compile("^tgkill\\(\\w+, (\\d+),"),
            Pattern.compile("si_pid=(\\d+)"));

    /** The line with every pid in a {@link #PID_PLACES} place replaced by its process label. */
    static String labelPids(String line, Map<String, String> labels) {
        String t = line;
        for (Pattern place : PID_PLACES) {
            Matcher m = place.matcher(t);
            StringBuilder sb = new StringBuilder();
            int last = 0;
            while (m.find()) {
                String label = labels.get(m.group(1));
                if (label != null) {
                    sb.append(t, last, m.start(1)).append(label);
                    last = m.end(1);
                }
            }
            t = sb.append(t, last, t.length()).toString();
        }
        return t;
    }

    /** Lines per process (labelled P1, P2... by first appearance), pids and addresses normalized,
     * unfinished/resumed pairs joined, alignment spaces collapsed, strace's signal lines dropped,
     * and for the first process only the lines from the marker on. */
    static Map<String, List<String>> normalize(String output) {
        return normalize(output, false);
    }

    /** As {@link #normalize(String)}; {@code signals}: keep the signal lines (times in SIGCHLD's
     * siginfo normalized). */
    static Map<String, List<String>> normalize(String output, boolean signals) {
        return normalize(output, signals, true);
    }

    /** As {@link #normalize(String, boolean)}; {@code fromMarker} false: the first process whole. */
    static Map<String, List<String>> normalize(String output, boolean signals, boolean fromMarker) {
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, List<String>> byPid = new LinkedHashMap<>();
        Map<String, String> open = new HashMap<>();
        for (String raw : output.split("\n")) {
            Matcher m = PID_PREFIX.matcher(raw);
            if (!m.matches()) {
                continue;
            }
            String pid = m.group(1);
            String text = m.group(2);
            labels.computeIfAbsent(pid, p -> "P" + (labels.size() + 1));
            if (text.startsWith("--- ")) {
                if (!signals) {
                    continue; // the programs of the other tests do not handle the SIGCHLD strace shows
                }
                // A child's CPU time differs between the two runs, and with it strace's comment.
                text = text.replaceAll("si_([us])time=\\d+( /\\* [0-9.]+ s \\*/)?", "si_$1time=T");
            }
            if (text.endsWith(" <unfinished ...>")) {
                open.put(pid, text.substring(0, text.length() - " <unfinished ...>".length()));
                continue;
            }
            if (text.startsWith("<... ")) {
                text = open.remove(pid) + text.substring(text.indexOf("resumed>") + "resumed>".length());
            }
            byPid.computeIfAbsent(pid, p -> new ArrayList<>()).add(text);
        }
        Map<String, List<String>> result = new TreeMap<>();
        byPid.forEach((pid, lines) -> {
            List<String> out = new ArrayList<>();
            for (String line : lines) {
                String t = line.replaceAll("\\s+= ", " = ");
                if (t.startsWith("getppid() = ")) {
                    t = "getppid() = PPID"; // jpoline's JVM or strace
                }
                t = HEX.matcher(t).replaceAll("0xADDR");
                t = labelPids(t, labels);
                out.add(t);
            }
            result.put(labels.get(pid), out);
        });
        List<String> first = result.get("P1");
        if (first != null && fromMarker) {
            int marker = -1;
            for (int i = 0; i < first.size(); i++) {
                if (first.get(i).startsWith("getppid()")) {
                    marker = i;
                    break;
                }
            }
            result.put("P1", new ArrayList<>(first.subList(Math.max(marker, 0), first.size())));
        }
        return result;
    }

    /** As {@link #normalize}, for filtered traces: the first process's lines from the first one
     * that is not a loader syscall (the filters above keep the loader's calls out by name or by
     * their being before main's first selected call). */
    static Map<String, List<String>> normalizeFiltered(String output) {
        return normalizeFiltered(output, false);
    }

    static Map<String, List<String>> normalizeFiltered(String output, boolean signals) {
        StringBuilder marked = new StringBuilder();
        String first = null;
        boolean started = false;
        for (String raw : output.split("\n")) {
            Matcher m = PID_PREFIX.matcher(raw);
            if (m.matches() && first == null) {
                first = m.group(1);
            }
            if (m.matches() && m.group(1).equals(first) && !started) {
                String t = m.group(2);
                // main starts with getppid; with getppid filtered out, with the first openat of /etc/passwd
                if (t.startsWith("getppid()") || t.contains("\"/etc/passwd\"") || t.contains("\"/etc\"...")
                        || t.startsWith("write(") || t.startsWith("writev(") || t.startsWith("access(\"/etc/passwd")) {
                    started = true;
                    marked.append(m.group(1)).append("  getppid() = 1\n");
                } else {
                    continue;
                }
            }
            marked.append(raw).append('\n');
        }
        Map<String, List<String>> result = normalize(marked.toString(), signals);
        List<String> p1 = result.get("P1");
        if (p1 != null && !p1.isEmpty() && p1.get(0).startsWith("getppid()")) {
            p1.remove(0); // the synthetic marker
        }
        return result;
    }

    /** Names of the first process's syscalls before the marker in an strace -f -o output. */
    static Map<String, Integer> beforeMarker(String straceOutput) {
        Map<String, Integer> names = new TreeMap<>();
        String firstPid = null;
        for (String raw : straceOutput.split("\n")) {
            Matcher m = PID_PREFIX.matcher(raw);
            if (!m.matches()) {
                continue;
            }
            if (firstPid == null) {
                firstPid = m.group(1);
            }
            if (!m.group(1).equals(firstPid) || m.group(2).startsWith("+++") || m.group(2).startsWith("---")) {
                continue;
            }
            if (m.group(2).startsWith("getppid()")) {
                break;
            }
            String name = m.group(2).replaceAll("\\(.*", "");
            names.merge(name, 1, Integer::sum);
        }
        return names;
    }

    @Test
    void pidsAreLabelledOnlyWhereAPidStands() {
        Map<String, String> labels = Map.of("8192", "P2", "700", "P1");
        assertThat(labelPids("mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0xADDR", labels))
                .isEqualTo("mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0xADDR");
        assertThat(labelPids("clone(child_stack=NULL, flags=SIGCHLD, child_tidptr=0xADDR) = 8192", labels))
                .endsWith(") = P2");
        assertThat(labelPids("wait4(8192, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 8192", labels))
                .isEqualTo("wait4(P2, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = P2");
        assertThat(labelPids("tgkill(700, 700, SIGUSR2) = 0", labels)).isEqualTo("tgkill(P1, P1, SIGUSR2) = 0");
        assertThat(labelPids("--- SIGCHLD {si_signo=SIGCHLD, si_pid=8192, si_uid=0} ---", labels))
                .contains("si_pid=P2");
        assertThat(labelPids("read(3, \"x\", 8192) = 8192", labels)).isEqualTo("read(3, \"x\", 8192) = 8192");
    }

    @Test
    void linesAgreeWithStraceFromTheMarkerOn() throws Exception {
        agreeWithStrace();
    }

    @Test
    void optionsAgreeWithStrace() throws Exception {
        agreeWithStrace("-s", "4", "-X", "raw", "-e", "trace=/^(openat|getppid|write|writev|read)$");
        agreeWithStrace("-e", "trace=%file,getppid", "-z");
        agreeWithStrace("-e", "trace=!getpid,writev", "-s", "100");
    }

    /**
     * -n: strace's "[%4u] " before each call (its number), and on a thread's other lines its last
     * call's; the rest of every line as without -n. (Compared with the same trace without -n: the
     * strace comparison's normalization reads lines from their syscall name on.)
     */
    @Test
    void syscallNumbersStandBeforeEveryLineAsStracesDo() throws Exception {
        Path program = Programs.build("trace_golden");
        Path plain = temp.resolve("plain.txt");
        Path numbered = temp.resolve("numbered.txt");
        assertThat(Programs.run(Programs.jpolineTrace("-o", plain.toString(), program.toString()), Map.of(), null,
                Programs.DEFAULT_TIMEOUT).exit()).isZero();
        assertThat(Programs.run(Programs.jpolineTrace("-n", "-o", numbered.toString(), program.toString()), Map.of(), null,
                Programs.DEFAULT_TIMEOUT).exit()).isZero();
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("(\\d+ +)\\[ *(\\d+)\\] (.*)");
        java.util.regex.Pattern call = java.util.regex.Pattern.compile("(?:<\\.\\.\\. )?([a-z_0-9]+)[( ].*");
        Map<String, Integer> last = new java.util.HashMap<>();
        List<String> withoutNumbers = new ArrayList<>();
        for (String l : Files.readAllLines(numbered)) {
            java.util.regex.Matcher m = line.matcher(l);
            assertThat(m.matches()).as(l).isTrue();
            String pid = m.group(1).strip();
            int nr = Integer.parseInt(m.group(2));
            String rest = m.group(3);
            java.util.regex.Matcher c = call.matcher(rest);
            if (!rest.startsWith("+++") && !rest.startsWith("---") && c.matches()) {
                int expected = dev.jpoline.api.SyscallTable.x86_64().byName(c.group(1)).orElseThrow().number();
                assertThat(nr).as(l).isEqualTo(expected);
                last.put(pid, nr);
            } else {
                assertThat(nr).as("the thread's last call: %s", l).isEqualTo(last.getOrDefault(pid, 0));
            }
            withoutNumbers.add(m.group(1) + rest);
        }
        // Alignment: -n's 7 characters come before the column count, so compare without runs of
        // spaces; two runs: pids, addresses and times differ, and so does where a call that
        // another process's lines interrupt is split (<unfinished ...>): per process, joined.
        java.util.function.Function<String, String> shape = l -> l.replaceAll(" +", " ").replaceAll("0x[0-9a-f]+", "0x")
                .replaceAll("\\d+", "N");
        assertThat(perProcess(withoutNumbers, shape)).isEqualTo(perProcess(Files.readAllLines(plain), shape));
    }

    /** "PID text" lines as each process's lines, processes in order of first appearance, split calls joined. */
    private static List<List<String>> perProcess(List<String> lines, java.util.function.Function<String, String> shape) {
        Map<String, List<String>> byPid = new LinkedHashMap<>();
        Map<String, String> open = new HashMap<>();
        for (String l : lines) {
            Matcher m = PID_PREFIX.matcher(l);
            assertThat(m.matches()).as(l).isTrue();
            String pid = m.group(1);
            String text = m.group(2).strip();
            if (text.endsWith(" <unfinished ...>")) {
                open.put(pid, text.substring(0, text.length() - " <unfinished ...>".length()));
                continue;
            }
            if (text.startsWith("<... ") && open.containsKey(pid)) {
                text = open.remove(pid) + text.substring(text.indexOf("resumed>") + "resumed>".length());
            }
            byPid.computeIfAbsent(pid, p -> new ArrayList<>()).add(shape.apply(text));
        }
        return new ArrayList<>(byPid.values());
    }

    @Test
    void relativeTimestampsStartAtZeroAndPrecedeEveryLineAsStracesDo() throws Exception {
        Path program = Programs.build("trace_golden");
        Path ours = temp.resolve("relative.txt");
        Programs.Result j = Programs.run(Programs.jpolineTrace("-r", "-o", ours.toString(), program.toString()), Map.of(), null,
                Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        List<String> lines = Files.readString(ours).lines().filter(l -> !l.contains("+++")).toList();
        assertThat(lines).isNotEmpty().allMatch(l -> l.matches("\\d+ +\\s*\\d+\\.\\d{6} .*"), "PID  %6d.%06d ...");
        assertThat(lines.get(0)).matches("\\d+ +0\\.000000 .*");
    }

    private void agreeWithStrace(String... options) throws Exception {
        Path program = Programs.build("trace_golden");
        Path ours = temp.resolve("jpoline.txt");
        Path theirs = temp.resolve("strace.txt");
        List<String> ourCommand = new ArrayList<>(List.of(options));
        ourCommand.addAll(List.of("-o", ours.toString(), program.toString()));
        Programs.Result j = Programs.run(Programs.jpolineTrace(ourCommand.toArray(String[]::new)), Map.of(), null,
                Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        List<String> theirCommand = new ArrayList<>(List.of("strace", "-f"));
        theirCommand.addAll(List.of(options));
        theirCommand.addAll(List.of("-o", theirs.toString(), program.toString()));
        Programs.Result s = Programs.run(theirCommand, Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(s.exit()).as(s.describe()).isZero();
        assertThat(j.out()).isEqualTo(s.out());

        String strace = Files.readString(theirs);
        if (options.length > 0) {
            // With a filter the marker may be filtered out: compare what follows main's start in
            // both, which for the first process is everything jpoline saw.
            Map<String, List<String>> expected = normalizeFiltered(strace);
            Map<String, List<String>> actual = normalizeFiltered(Files.readString(ours));
            assertThat(actual).as("options %s\n--- jpoline ---\n%s\n--- strace ---\n%s", List.of(options),
                    Files.readString(ours), strace).isEqualTo(expected);
            return;
        }
        assertThat(beforeMarker(strace).keySet()).as("strace's lines before main").isSubsetOf(LOADER_SYSCALLS);
        Map<String, List<String>> expected = normalize(strace);
        Map<String, List<String>> actual = normalize(Files.readString(ours));
        assertThat(expected).hasSize(2);
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (String p : expected.keySet()) {
            assertThat(actual.get(p)).as("process %s\n--- jpoline ---\n%s\n--- strace ---\n%s", p,
                    Files.readString(ours), strace).containsExactlyElementsOf(expected.get(p));
        }
    }

    /**
     * Links, symlinks, ownership, copy_file_range and splice offsets (printed as passed), umask's
     * octal result, group lists (NULL, empty, abbreviated by -s, -1 entries, a failed call's
     * address), ioctl's and socket options' values read from the program's memory: files_golden.c
     * in an empty directory, the same lines as strace's.
     */
    @Test
    void fileAndGroupSyscallsAgreeWithStrace() throws Exception {
        Path program = Programs.build("files_golden");
        for (List<String> options : List.of(List.<String>of(), List.of("-s", "1"))) {
            Path ours = temp.resolve("jpoline-files.txt");
            Path theirs = temp.resolve("strace-files.txt");
            Path work = Files.createDirectories(temp.resolve("files-work"));
            List<String> ourCommand = new ArrayList<>(options);
            ourCommand.addAll(List.of("-o", ours.toString(), program.toString()));
            Programs.Result j = Programs.run(Programs.jpolineTrace(ourCommand.toArray(String[]::new)), Map.of(), work,
                    Programs.DEFAULT_TIMEOUT);
            assertThat(j.exit()).as(j.describe()).isZero();
            List<String> theirCommand = new ArrayList<>(List.of("strace", "-f"));
            theirCommand.addAll(options);
            theirCommand.addAll(List.of("-o", theirs.toString(), program.toString()));
            Programs.Result s = Programs.run(theirCommand, Map.of(), work, Programs.DEFAULT_TIMEOUT);
            assertThat(s.exit()).as(s.describe()).isZero();
            try (java.util.stream.Stream<Path> left = Files.list(work)) {
                assertThat(left).as("files_golden cleans up after itself").isEmpty();
            }
            String strace = Files.readString(theirs);
            Map<String, List<String>> expected = normalize(strace);
            Map<String, List<String>> actual = normalize(Files.readString(ours));
            assertThat(expected.get("P1")).as("strace saw the program's calls").anyMatch(l -> l.startsWith("linkat("));
            assertThat(actual).as("options %s\n--- jpoline ---\n%s\n--- strace ---\n%s", options,
                    Files.readString(ours), strace).isEqualTo(expected);
        }
    }

    /**
     * Handled signals of every origin (kill, tgkill, sigqueue, a child's end), children killed by a
     * signal, by a fault and by SIGKILL, a child that outlives the program, and the program itself
     * killed: the same lines as strace, signal lines and {@code +++ killed by +++} included. rt_sigqueueinfo's siginfo argument is not decoded yet.
     */
    @Test
    void signalLinesAgreeWithStrace() throws Exception {
        Path program = Programs.build("signal_golden");
        for (List<String> args : List.of(List.<String>of(), List.of("die"))) {
            Path ours = temp.resolve("jpoline-signals.txt");
            Path theirs = temp.resolve("strace-signals.txt");
            List<String> filter = List.of("-e", "trace=!rt_sigqueueinfo");
            List<String> ourCommand = new ArrayList<>(filter);
            ourCommand.addAll(List.of("-o", ours.toString(), program.toString()));
            ourCommand.addAll(args);
            // strace's tracee starts with the signal state this JVM's children get (SIGQUIT blocked):
            // jpoline's must start with the one it is told, the same.
            Programs.Result j = Programs.run(Programs.jpolineTrace(ourCommand.toArray(String[]::new)),
                    Map.of("JPOLINE_INHERITED_SIGNALS", childSignalState()), null, Programs.DEFAULT_TIMEOUT);
            List<String> theirCommand = new ArrayList<>(List.of("strace", "-f"));
            theirCommand.addAll(filter);
            theirCommand.addAll(List.of("-o", theirs.toString(), program.toString()));
            theirCommand.addAll(args);
            Programs.Result s = Programs.run(theirCommand, Map.of(), null, Programs.DEFAULT_TIMEOUT);
            assertThat(j.exit()).as(j.describe()).isEqualTo(args.isEmpty() ? 0 : 128 + 15).isEqualTo(s.exit());
            assertThat(j.out()).isEqualTo("usr1\nqueued 42\norphan\n").isEqualTo(s.out());
            String strace = Files.readString(theirs);
            String jp = Files.readString(ours);
            Map<String, List<String>> expected = normalizeFiltered(strace, true);
            Map<String, List<String>> actual = normalizeFiltered(jp, true);
            assertThat(expected).hasSize(5);
            assertThat(actual).as("args %s\n--- jpoline ---\n%s\n--- strace ---\n%s", args, jp, strace)
                    .isEqualTo(expected);
            assertThat(actual.get("P1")).contains("--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=P2,"
                    + " si_uid=0, si_status=SIGTERM, si_utime=T, si_stime=T} ---");
            assertThat(actual.get("P3")).containsSubsequence(
                    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---", "+++ killed by SIGSEGV +++");
            assertThat(actual.get("P4")).endsWith("+++ killed by SIGKILL +++");
            assertThat(actual.get("P5")).endsWith("exit_group(5) = ?", "+++ exited with 5 +++");
        }
    }

    /** SigBlk and SigIgn of a process this JVM starts, as "BLOCKED,IGNORED" in hex. */
    private static String childSignalState() throws Exception {
        Programs.Result r = Programs.run(List.of("grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"), Map.of(), null,
                Duration.ofSeconds(10));
        Matcher m = Pattern.compile("SigBlk:\\s*([0-9a-f]+)\\s+SigIgn:\\s*([0-9a-f]+)").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        return m.group(1) + "," + m.group(2);
    }

    private static final Pattern SUMMARY_ROW = Pattern.compile(
            "^\\s*[0-9.]+\\s+[0-9.]+\\s+\\d+\\s+(\\d+)\\s+(\\d+)?\\s*([a-z_0-9]+)$");

    static Map<String, String> summaryCounts(String table) {
        Map<String, String> rows = new TreeMap<>();
        for (String line : table.split("\n")) {
            Matcher m = SUMMARY_ROW.matcher(line);
            if (m.matches() && !m.group(3).equals("total")) {
                rows.put(m.group(3), m.group(1) + "/" + (m.group(2) == null ? "0" : m.group(2)));
            }
        }
        return rows;
    }

    @Test
    void callCountsEqualStraces() throws Exception {
        Path program = Programs.build("trace_golden");
        Path ours = temp.resolve("jpoline-c.txt");
        Path theirs = temp.resolve("strace-c.txt");
        Programs.Result j = Programs.run(Programs.jpolineTrace("-c", "-o", ours.toString(), program.toString(), "7"), Map.of(), null,
                Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        // The loader's calls are followed too (docs/ptrace-window.md), jpoline's runtime mapped
        // among them: strace, with the runtime preloaded, counts the same.
        Programs.run(List.of("strace", "-f", "-c", "-o", theirs.toString(), program.toString(), "7"),
                Programs.runtimePreloaded(), null, Programs.DEFAULT_TIMEOUT);
        Map<String, String> expected = summaryCounts(Files.readString(theirs));
        assertThat(expected).containsKeys("execve", "brk", "arch_prctl", "mmap");
        Map<String, String> actual = summaryCounts(Files.readString(ours));
        assertThat(actual).as("jpoline -c\n%s\nstrace -c\n%s", Files.readString(ours), Files.readString(theirs))
                .isEqualTo(expected);
        assertThat(actual.get("getpid")).isEqualTo("7/0");
    }

    @Test
    void aTinyRingAndAFastProducerLoseNothing() throws Exception {
        Path program = Programs.build("trace_golden");
        Path ours = temp.resolve("ring.txt");
        Programs.Result j = Programs.run(Programs.jpolineTrace("--ring-size", "4096", "-e", "trace=getpid", "-o", ours.toString(),
                program.toString(), "200000"), Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        assertThat(j.err()).doesNotContain("lost").doesNotContain("not written");
        long getpids = Files.lines(ours).filter(l -> l.matches("^\\d+\\s+getpid\\(\\)\\s+= \\d+$")).count();
        assertThat(getpids).isEqualTo(200000);
    }

    @Test
    void selectedSyscallsOnlyAndStatusFilters() throws Exception {
        Path program = Programs.build("trace_golden");
        Path ours = temp.resolve("filtered.txt");
        Programs.Result j = Programs.run(Programs.jpolineTrace("-e", "trace=%file,write", "-Z", "-o", ours.toString(),
                program.toString()), Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        List<String> lines = Files.readAllLines(ours).stream().map(l -> l.replaceAll("^\\d+\\s+", "")
                .replaceAll("\\s+= ", " = "))
                .filter(l -> !l.startsWith("+++")).toList();
        assertThat(lines).containsExactly(
                // the loader's, as strace shows it: the window follows it (docs/ptrace-window.md)
                "access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory)",
                "openat(AT_FDCWD, \"/nonexistent/jpoline-golden\", O_RDONLY) = -1 ENOENT (No such file or directory)",
                "mkdir(\"/nonexistent/dir\", 0755) = -1 ENOENT (No such file or directory)");
    }

    @Test
    void unknownSyscallNamesAreAOneLineErrorWithStatus2() throws Exception {
        Programs.Result j = Programs.run(Programs.jpolineTrace("-e", "trace=openat,nosuchcall", "true"), Map.of(), null,
                Duration.ofSeconds(60));
        assertThat(j.exit()).isEqualTo(2);
        assertThat(j.err().strip()).startsWith("jpoline: ").contains("nosuchcall").doesNotContain("\n");
        Programs.Result c = Programs.run(Programs.jpolineTrace("-e", "trace=%nosuchclass", "true"), Map.of(), null,
                Duration.ofSeconds(60));
        assertThat(c.exit()).isEqualTo(2);
        assertThat(c.err().strip()).contains("nosuchclass").doesNotContain("\n");
    }

    @Test
    void killingTheHostLeavesATracedTargetRunningToCompletion() throws Exception {
        Path program = Programs.build("trace_golden");
        Path out = temp.resolve("out");
        Path rc = temp.resolve("rc");
        ProcessBuilder pb = new ProcessBuilder(Programs.jpolineTrace("--ring-size", "4096", "-o", temp.resolve("t.txt").toString(),
                "sh", "-c", "sleep 2; " + program + " 300000 > " + out + "; echo $? > " + rc));
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        pb.redirectErrorStream(true).redirectOutput(temp.resolve("host.log").toFile());
        Process host = pb.start();
        try {
            Thread.sleep(2500); // the program is running, its records fill the tiny ring
            host.destroyForcibly(); // the launcher script execs java: this is the host JVM
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !(Files.exists(rc) && !Files.readString(rc).isBlank())) {
                Thread.sleep(100);
            }
            assertThat(rc).exists();
            assertThat(Files.readString(rc).strip()).isEqualTo("0");
            assertThat(Files.readString(out)).isEqualTo("hello \"world\"\nabcd\nchild\n");
        } finally {
            host.descendants().forEach(ProcessHandle::destroyForcibly);
            host.destroyForcibly();
        }
    }

    @Test
    void ffWritesOneFilePerThreadWithoutAPrefix() throws Exception {
        Path program = Programs.build("trace_golden");
        Path base = temp.resolve("ff");
        Programs.Result j = Programs.run(Programs.jpolineTrace("-ff", "-o", base.toString(), "-e", "trace=write,exit_group",
                program.toString()), Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        List<Path> files;
        try (var list = Files.list(temp)) {
            files = list.filter(f -> f.getFileName().toString().startsWith("ff.")).sorted().toList();
        }
        assertThat(files).hasSize(2);
        List<String> all = new ArrayList<>();
        for (Path f : files) {
            all.add(Files.readString(f).replaceAll(" +=", " ="));
        }
        assertThat(all).anySatisfy(t -> assertThat(t).isEqualTo(
                "write(1, \"child\\n\", 6) = 6\nexit_group(3) = ?\n+++ exited with 3 +++\n"));
        assertThat(all).anySatisfy(t -> assertThat(t).startsWith("write(1, \"hello \\\"world\\\"\\n\", 14) = 14\n")
                .endsWith("exit_group(0) = ?\n+++ exited with 0 +++\n"));
    }

    @Test
    void timestampsAndDurationsHaveStracesShape() throws Exception {
        Path program = Programs.build("trace_golden");
        Path ours = temp.resolve("times.txt");
        Programs.Result j = Programs.run(Programs.jpolineTrace("-ttt", "-T", "-e", "trace=getppid", "-o", ours.toString(),
                program.toString()), Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        List<String> lines = Files.readAllLines(ours);
        assertThat(lines.get(0)).matches("^\\d+\\s+\\d{10}\\.\\d{6} getppid\\(\\)\\s+= \\d+ <0\\.\\d{6}>$");
        long seconds = Long.parseLong(lines.get(0).replaceAll("^\\d+\\s+(\\d+)\\..*", "$1"));
        assertThat(Math.abs(seconds - System.currentTimeMillis() / 1000)).isLessThan(120);
    }

    @Test
    void aShellsVforkAndExecAreComplete() throws Exception {
        Path ours = temp.resolve("sh.txt");
        Programs.Result j = Programs.run(Programs.jpolineTrace("-e", "trace=vfork,execve,wait4", "-o", ours.toString(),
                "sh", "-c", "/bin/true; exit 5"), Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isEqualTo(5);
        String text = Files.readString(ours).replaceAll(" +=", " =");
        assertThat(text).containsPattern("(vfork\\(\\)|<\\.\\.\\. vfork resumed>\\)) = \\d+\\n");
        assertThat(text).containsPattern("execve\\(\"/bin/true\", \\[\"/bin/true\"\\], 0x[0-9a-f]+ /\\* \\d+ vars \\*/"
                + "(\\) = 0| <unfinished \\.\\.\\.>)");
        assertThat(text).containsPattern("\\d+ +\\+\\+\\+ exited with 0 \\+\\+\\+\\n");
        assertThat(text).endsWith("+++ exited with 5 +++\n");
    }

    @Test
    void manyThreadsLoseNoRecordAndCountAsStraceCounts() throws Exception {
        Path program = Programs.build("threads");
        Path lines = temp.resolve("threads.txt");
        Programs.Result j = Programs.run(Programs.jpolineTrace("--ring-size", "65536", "-e", "trace=getpid", "-o", lines.toString(),
                program.toString()), Map.of(), null, Programs.DEFAULT_TIMEOUT);
        assertThat(j.exit()).as(j.describe()).isZero();
        Map<String, Long> perThread = new TreeMap<>();
        for (String line : Files.readAllLines(lines)) {
            if (line.matches("^\\d+\\s+getpid\\(\\)\\s+= \\d+$")) {
                perThread.merge(line.substring(0, line.indexOf(' ')), 1L, Long::sum);
            }
        }
        // 4 waves of 6 threads, 3000 iterations with two getpid calls each.
        assertThat(perThread).hasSize(24);
        assertThat(perThread.values()).containsOnly(6000L);

        Path ours = temp.resolve("threads-c.txt");
        Path theirs = temp.resolve("threads-strace-c.txt");
        Programs.Result c = Programs.run(Programs.jpolineTrace("-c", "-o", ours.toString(), program.toString()), Map.of(), null,
                Programs.DEFAULT_TIMEOUT);
        assertThat(c.exit()).as(c.describe()).isZero();
        Programs.run(List.of("strace", "-f", "-c", "-o", theirs.toString(), program.toString()), Map.of(), null,
                Programs.DEFAULT_TIMEOUT);
        Map<String, String> actual = summaryCounts(Files.readString(ours));
        Map<String, String> expected = summaryCounts(Files.readString(theirs));
        // Syscalls the loader does not make: every one of them is seen.
        for (String name : List.of("getpid", "write", "pipe2", "clone3", "madvise")) {
            assertThat(actual.get(name)).as(name + "\n" + Files.readString(ours) + "\n" + Files.readString(theirs))
                    .isEqualTo(expected.get(name));
        }
    }
}
