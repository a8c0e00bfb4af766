package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jpoline trace -P} against {@code strace -f -P} (6.1) on pathtrace.c: the same lines, the
 * same -c counts, the same with -e trace=, and the same "Requested path ... resolved into ..."
 * for a symlink. The dynamic loader never touches the file, so the whole traces compare (strace's
 * lines before main are none).
 */
class PathTraceIT {
    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireVa0();
        Programs.requireStrace();
    }

    /** Both traces of pathtrace.c with these options, each in an empty directory of its own. */
    private record Traces(String ours, String theirs, Programs.Result ourRun, Programs.Result theirRun) {}

    private Traces trace(List<String> options, boolean symlink) throws Exception {
        Path program = Programs.build("pathtrace");
        // Both runs use one directory (the file's name is in the lines), one after the other.
        Path work = work();
        Path file = work.resolve("f.txt");
        Path ours = temp.resolve("jpoline.txt");
        Path theirs = temp.resolve("strace.txt");
        List<Programs.Result> results = new ArrayList<>();
        for (List<String> tracer : List.of(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o",
                ours.toString()), List.of("strace", "-f", "-o", theirs.toString()))) {
            if (symlink) {
                Files.writeString(file, "");
                Files.createSymbolicLink(work.resolve("link.txt"), file.getFileName());
            }
            List<String> cmd = new ArrayList<>(tracer);
            cmd.addAll(options);
            cmd.addAll(List.of(program.toString(), file.toString()));
            Programs.Result r = Programs.run(cmd, Map.of(), work, Programs.DEFAULT_TIMEOUT);
            assertThat(r.exit()).as(r.describe()).isZero();
            Files.deleteIfExists(work.resolve("link.txt"));
            try (var left = Files.list(work)) {
                assertThat(left).as("pathtrace leaves its directory empty").isEmpty();
            }
            results.add(r);
        }
        return new Traces(Files.readString(ours), Files.readString(theirs), results.get(0), results.get(1));
    }

    /** The directory the program runs in, by its real name (no resolution message for the file itself). */
    private Path work() throws Exception {
        return Files.createDirectories(temp.resolve("work")).toRealPath();
    }

    /** Lines per process as TraceGoldenIT normalizes them, without the SIGCHLD strace sees and jpoline does not. */
    private static Map<String, List<String>> lines(String output) {
        Map<String, List<String>> byProcess = new TreeMap<>(TraceGoldenIT.normalize(output, true));
        byProcess.replaceAll((p, l) -> l.stream().filter(s -> !s.startsWith("--- SIGCHLD ")).toList());
        return byProcess;
    }

    @Test
    void theCallsThatAccessTheFileAreStracesOnes() throws Exception {
        Traces t = trace(List.of("-P", work().resolve("f.txt").toString()), false);
        Map<String, List<String>> expected = lines(t.theirs());
        Map<String, List<String>> actual = lines(t.ours());
        assertThat(expected.get("P1")).as("strace saw every kind of match")
                .anyMatch(l -> l.startsWith("read(6, "))
                .anyMatch(l -> l.startsWith("newfstatat(8, \"\", "))
                .anyMatch(l -> l.startsWith("poll(["))
                .anyMatch(l -> l.startsWith("mmap("))
                .anyMatch(l -> l.startsWith("epoll_ctl("))
                .anyMatch(l -> l.startsWith("--- SIGUSR1 "))
                .noneMatch(l -> l.startsWith("write(4, "));
        assertThat(expected.get("P2")).containsExactly("write(3, \"child\\n\", 6) = 6", "+++ exited with 0 +++");
        assertThat(actual).as("\n--- jpoline ---\n%s\n--- strace ---\n%s", t.ours(), t.theirs()).isEqualTo(expected);
    }

    @Test
    void aSymlinkIsResolvedAsStraceResolvesItAndFiltersCombine() throws Exception {
        Traces t = trace(List.of("-e", "trace=write,close,openat,newfstatat,read", "-P", "link.txt"), true);
        String real = work().resolve("f.txt").toString();
        String said = "Requested path \"link.txt\" resolved into \"" + real + "\"";
        assertThat(t.theirRun().err()).contains("strace: " + said);
        assertThat(t.ourRun().err().lines().filter(l -> l.contains("Requested path")).toList())
                .containsExactly("jpoline: " + said);
        Map<String, List<String>> expected = lines(t.theirs());
        assertThat(expected.get("P1")).isNotEmpty().allMatch(l -> l.matches("^(write|close|openat|newfstatat|read)\\(.*")
                || l.startsWith("+++") || l.startsWith("--- "));
        assertThat(lines(t.ours())).as("\n--- jpoline ---\n%s\n--- strace ---\n%s", t.ours(), t.theirs())
                .isEqualTo(expected);
        // strace 6.1's -e quiet=path-resolution keeps it unsaid; -qqq does not (it applies after the paths are resolved).
        Path work = work();
        Files.writeString(work.resolve("f.txt"), "");
        Files.createSymbolicLink(work.resolve("link.txt"), Path.of("f.txt"));
        for (List<String> quiet : List.of(List.of("-e", "quiet=path-resolution"), List.of("-qqq"))) {
            boolean resolutionSaid = quiet.contains("-qqq");
            for (List<String> tracer : List.of(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace"),
                    List.of("strace", "-f"))) {
                List<String> cmd = new ArrayList<>(tracer);
                cmd.addAll(quiet);
                cmd.addAll(List.of("-o", "/dev/null", "-P", "link.txt", "true"));
                Programs.Result r = Programs.run(cmd, Map.of(), work, Programs.DEFAULT_TIMEOUT);
                assertThat(r.exit()).as(r.describe()).isZero();
                assertThat(r.err().contains("Requested path")).as(String.join(" ", cmd) + "\n" + r.err()).isEqualTo(resolutionSaid);
            }
        }
    }

    @Test
    void countsAreStracesCountsOfTheCallsOnThePath() throws Exception {
        Traces t = trace(List.of("-c", "-P", work().resolve("f.txt").toString()), false);
        Map<String, String> expected = TraceGoldenIT.summaryCounts(t.theirs());
        assertThat(expected).containsEntry("write", "7/0").containsEntry("close", "9/0").containsKey("dup2")
                .doesNotContainKey("getppid").doesNotContainKey("wait4");
        assertThat(TraceGoldenIT.summaryCounts(t.ours())).as("\n--- jpoline ---\n%s\n--- strace ---\n%s", t.ours(),
                t.theirs()).isEqualTo(expected);
    }
}
