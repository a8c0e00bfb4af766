package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jpoline trace -yy} (and -y) against strace 6.1 on sockets_yy.c: a TCP connection over
 * loopback, a connected UDP socket, a unix socketpair, a named unix listener, a netlink socket,
 * /dev/null and a pidfd. jpoline reads what a descriptor refers to when it drains the record, so
 * the program waits (on a FIFO) until the trace shows its last call before the closes: from the
 * marker on, every descriptor is what it stays, and the lines must equal strace's, numbers that
 * differ between runs (ports, inodes, pids) relabelled in order of appearance. Before the marker,
 * where the sockets change (bound, connected) faster than jpoline drains, the sockets' protocol
 * names must agree.
 */
class DecodeFdsIT {
    private static final Pattern ANNOTATED_NUMBER = Pattern.compile("(?<![\\d.])\\d+(?![\\d.])");
    private static final Pattern SOCKET_DETAILS = Pattern.compile("<([A-Za-z][A-Za-z0-9/-]*):\\[.*?\\]>");

    @TempDir Path temp;

    @BeforeAll
    static void requirements() throws Exception {
        Programs.requireVa0();
        Programs.requireStrace();
    }

    /**
     * Runs {@code command} (which writes its trace to {@code trace}) in {@code work}; once the
     * trace shows the program's getuid (or at once, for strace, whose lines are written as the calls
     * are made), opens the FIFO and gives the program its byte.
     */
    private static void runWithGo(List<String> command, Path work, Path trace, boolean waitForTrace) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path log = work.resolveSibling(trace.getFileName() + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (waitForTrace && !(Files.exists(trace) && Files.readString(trace).contains("getuid()"))) {
                assertThat(p.isAlive()).as("the program ended before its getuid was drained\n%s", Files.readString(log))
                        .isTrue();
                assertThat(System.nanoTime()).as("no getuid in the trace after 60 s:\n%s",
                        Files.exists(trace) ? Files.readString(trace) : "").isLessThan(deadline);
                Thread.sleep(20);
            }
            // Opening a FIFO to write waits for its reader: the program, blocked in its open.
            CompletableFuture<Void> go = CompletableFuture.runAsync(() -> {
                try (OutputStream out = Files.newOutputStream(work.resolve("go"))) {
                    out.write('x');
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            go.get(60, TimeUnit.SECONDS);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the program ends").isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** The trace of sockets_yy under jpoline and under strace -f, with these options. */
    private List<List<String>> traces(String option) throws Exception {
        Path program = Programs.build("sockets_yy");
        Path work = Files.createDirectories(temp.resolve("work")).toRealPath();
        List<List<String>> both = new ArrayList<>();
        for (boolean jpoline : List.of(true, false)) {
            Programs.Result fifo = Programs.run(List.of("mkfifo", work.resolve("go").toString()), Map.of(), null,
                    Duration.ofSeconds(10));
            assertThat(fifo.exit()).as(fifo.describe()).isZero();
            Path trace = temp.resolve(jpoline ? "jpoline.txt" : "strace.txt");
            List<String> cmd = new ArrayList<>(jpoline ? List.of(Programs.ROOT.resolve("jpoline").toString(), "trace")
                    : List.of("strace", "-f"));
            cmd.addAll(List.of(option, "-o", trace.toString(), program.toString(), "go"));
            runWithGo(cmd, work, trace, jpoline);
            Files.delete(work.resolve("go"));
            try (var left = Files.list(work)) {
                assertThat(left).as("sockets_yy leaves its directory empty").isEmpty();
            }
            both.add(normalize(Files.readString(trace)));
        }
        return both;
    }

    /**
     * From the first socket call on, without the pid prefix and alignment; before the marker,
     * socket details cut to their protocol; numbers inside {@code <...>}, in htons() and the pids
     * relabelled N1, N2... in order of first appearance.
     */
    static List<String> normalize(String trace) {
        List<String> out = new ArrayList<>();
        Map<String, String> labels = new HashMap<>();
        boolean started = false;
        boolean steady = false;
        for (String raw : trace.split("\n")) {
            String line = raw.replaceFirst("^\\d+ +", "").replaceAll("\\s+= ", " = ");
            started |= line.startsWith("socket(");
            if (!started) {
                continue;
            }
            if (line.startsWith("getppid()")) {
                steady = true;
                line = "getppid() = PPID";
            }
            if (!steady) {
                line = SOCKET_DETAILS.matcher(line).replaceAll("<$1>");
            }
            StringBuilder sb = new StringBuilder();
            Matcher places = Pattern.compile("<[^=]*?>(?=[,)\\]]| =|$)|htons\\(\\d+\\)|^getpid\\(\\) = \\d+|^pidfd_open\\(\\d+")
                    .matcher(line);
            int last = 0;
            while (places.find()) {
                sb.append(line, last, places.start());
                Matcher n = ANNOTATED_NUMBER.matcher(places.group());
                StringBuilder relabelled = new StringBuilder();
                while (n.find()) {
                    n.appendReplacement(relabelled, labels.computeIfAbsent(n.group(), k -> "N" + (labels.size() + 1)));
                }
                n.appendTail(relabelled);
                sb.append(relabelled);
                last = places.end();
            }
            out.add(sb.append(line.substring(last)).toString());
        }
        return out;
    }

    @Test
    void normalizingKeepsTheShapeAndRelabelsTheNumbers() {
        List<String> lines = normalize("""
                77 socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3<TCP:[1289158]>
                77 getppid()     = 70
                77 write(4<TCP:[127.0.0.1:39210->127.0.0.1:8080]>, "x", 1) = 1
                77 close(3<TCP:[127.0.0.1:8080]>)    = 0
                77 write(12</dev/null<char 1:3>>, "q", 1) = 1
                """);
        assertThat(lines).containsExactly("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3<TCP>", "getppid() = PPID",
                "write(4<TCP:[127.0.0.1:N1->127.0.0.1:N2]>, \"x\", 1) = 1", "close(3<TCP:[127.0.0.1:N2]>) = 0",
                "write(12</dev/null<char N3:N4>>, \"q\", 1) = 1");
    }

    @Test
    void socketsAndDevicesAreDescribedAsStraceDescribesThem() throws Exception {
        List<List<String>> both = traces("-yy");
        List<String> ours = both.get(0);
        List<String> theirs = both.get(1);
        assertThat(theirs).as("strace's details")
                .contains("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3<TCP>", "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = 10<NETLINK>")
                .anyMatch(l -> l.matches("write\\(4<TCP:\\[127\\.0\\.0\\.1:N\\d+->127\\.0\\.0\\.1:N\\d+\\]>, \"x\", 1\\) = 1"))
                .anyMatch(l -> l.matches("fcntl\\(3<TCP:\\[127\\.0\\.0\\.1:N\\d+\\]>, F_GETFL\\) = .*"))
                .anyMatch(l -> l.matches("write\\(6<UDP:\\[127\\.0\\.0\\.1:N\\d+->127\\.0\\.0\\.1:N\\d+\\]>, .*"))
                .anyMatch(l -> l.matches("write\\(7<UNIX-STREAM:\\[N\\d+->N\\d+\\]>, .*"))
                .anyMatch(l -> l.matches("close\\(9<UNIX-STREAM:\\[N\\d+,\"yy.sock\"\\]>\\) = 0"))
                .anyMatch(l -> l.matches("close\\(10<NETLINK:\\[ROUTE:N\\d+\\]>\\) = 0"))
                .anyMatch(l -> l.matches("write\\(11</dev/null<char N\\d+:N\\d+>>, \"q\", 1\\) = 1"))
                .anyMatch(l -> l.matches("fcntl\\(12<pid:N\\d+>, F_GETFD\\) = 0x1 \\(flags FD_CLOEXEC\\)"));
        assertThat(ours).as("\n--- jpoline ---\n%s\n--- strace ---\n%s", String.join("\n", ours), String.join("\n", theirs))
                .containsExactlyElementsOf(theirs);
    }

    /** -y is not changed by -yy: sockets are their /proc links, pidfds anon_inode:[pidfd]. */
    @Test
    void minusYShowsPathsOnly() throws Exception {
        List<List<String>> both = traces("-y");
        assertThat(both.get(1)).contains("fcntl(12<anon_inode:[pidfd]>, F_GETFD) = 0x1 (flags FD_CLOEXEC)",
                "write(11</dev/null>, \"q\", 1) = 1").anyMatch(l -> l.matches("write\\(4<socket:\\[N\\d+\\]>, .*"));
        assertThat(both.get(0)).as("\n--- jpoline ---\n%s\n--- strace ---\n%s", String.join("\n", both.get(0)),
                String.join("\n", both.get(1))).containsExactlyElementsOf(both.get(1));
    }
}
