package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jpoline hook --pid}: a running, multi-threaded program hooked from the command line and restored. */
class HookPidIT {
    private static final Pattern REPORT = Pattern.compile("calls=(\\d+) hooked=(\\d+) bad=(\\d+)");
    /** Workers' FIFOs and outputs: removed after each test. */
    @TempDir Path temp;
    private final List<Long> started = new ArrayList<>();
    private Process jpoline;

    @AfterEach
    void cleanUp() {
        if (jpoline != null) {
            jpoline.destroyForcibly();
        }
        started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    /** The worker, started by a shell that exits (so it is nobody's child here, as a real target is); returns its pid. */
    private long startWorker(Path dir, int threads) throws Exception {
        Path bin = Programs.build("inline-hook/src/test/c/remote_worker");
        Path control = dir.resolve("control");
        assertThat(new ProcessBuilder("mkfifo", control.toString()).start().waitFor()).isZero();
        Process sh = new ProcessBuilder("sh", "-c", "\"$0\" \"$1\" \"$2\" >\"$3\" 2>&1 </dev/null & echo $!", bin.toString(),
                control.toString(), Integer.toString(threads), dir.resolve("out").toString()).start();
        long pid = Long.parseLong(new String(sh.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        started.add(pid);
        awaitLine(dir, 0, "ready");
        return pid;
    }

    private static String awaitLine(Path dir, int index, String prefix) throws Exception {
        for (int i = 0; i < 2000; i++) {
            List<String> lines = Files.exists(dir.resolve("out")) ? Files.readAllLines(dir.resolve("out")) : List.of();
            if (lines.size() > index && lines.get(index).startsWith(prefix)) {
                return lines.get(index);
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no line " + index + " starting " + prefix + " in " + Files.readString(dir.resolve("out")));
    }

    private static long[] report(Path dir) throws Exception {
        int index = Files.readAllLines(dir.resolve("out")).size();
        Files.writeString(dir.resolve("control"), "report\n", StandardOpenOption.APPEND);
        Matcher m = REPORT.matcher(awaitLine(dir, index, "calls="));
        assertThat(m.matches()).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    private static boolean hookedCallsGrow(Path dir) throws Exception {
        long before = report(dir)[1];
        Thread.sleep(100);
        return report(dir)[1] > before;
    }

    private static Path payload() throws Exception {
        return Programs.build("inline-hook/src/test/c/remote_payload", "-shared", "-fPIC");
    }

    /** Starts {@code jpoline hook ...}; its stderr lines arrive in the queue. */
    private BlockingQueue<String> startHook(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "hook"));
        cmd.addAll(List.of(args));
        BlockingQueue<String> lines = RunningTargets.queue();
        jpoline = RunningTargets.start(cmd, lines);
        return lines;
    }

    private static String awaitStderr(BlockingQueue<String> lines, String fragment, List<String> seen) throws Exception {
        return RunningTargets.await(lines, fragment, seen);
    }

    private static List<String> tracers(long pid) throws Exception {
        return RunningTargets.tracers(pid);
    }

    @Test
    void enterRestoresTheOriginal() throws Exception {
        Path dir = Files.createTempDirectory(temp, "hookpid-");
        long pid = startWorker(dir, 4);
        Path lib = payload();
        BlockingQueue<String> err = startHook("--pid", Long.toString(pid), "--hook", lib + "@compute:my_compute:install");
        List<String> seen = new ArrayList<>();
        assertThat(awaitStderr(err, "hooked ", seen)).contains("remote_worker:compute").contains("5-byte jump");
        awaitStderr(err, "press Enter", seen);
        assertThat(tracers(pid)).as("traced while hooked").isEmpty();
        assertThat(hookedCallsGrow(dir)).as("the detour runs").isTrue();
        jpoline.getOutputStream().write('\n');
        jpoline.getOutputStream().flush();
        assertThat(awaitStderr(err, "original restored", seen)).contains("compute");
        assertThat(jpoline.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(jpoline.exitValue()).as("%s", seen).isZero();
        assertThat(hookedCallsGrow(dir)).as("the detour still runs after restore").isFalse();
        assertThat(report(dir)[2]).as("torn calls").isZero();
        assertThat(tracers(pid)).isEmpty();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    }

    @Test
    void sigtermRestoresTooAndATargetThatEndsIsNoticed() throws Exception {
        Path dir = Files.createTempDirectory(temp, "hookpid-");
        long pid = startWorker(dir, 2);
        Path lib = payload();
        BlockingQueue<String> err = startHook("-p", Long.toString(pid), "--hook", lib + "@remote_worker:compute:my_compute:install");
        List<String> seen = new ArrayList<>();
        awaitStderr(err, "press Enter", seen);
        assertThat(hookedCallsGrow(dir)).isTrue();
        jpoline.toHandle().destroy(); // SIGTERM (Process.destroy would also close its streams)
        awaitStderr(err, "original restored", seen);
        assertThat(jpoline.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(hookedCallsGrow(dir)).isFalse();

        err = startHook("-p", Long.toString(pid), "--hook", lib + "@compute:my_compute:install");
        awaitStderr(err, "press Enter", seen);
        int next = Files.readAllLines(dir.resolve("out")).size();
        Files.writeString(dir.resolve("control"), "quit\n", StandardOpenOption.APPEND);
        assertThat(awaitLine(dir, next, "done")).isEqualTo("done bad=0");
        awaitStderr(err, "has ended; nothing to restore", seen);
        assertThat(jpoline.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(jpoline.exitValue()).isZero();
    }

    @Test
    void badInputIsOneLineEach() throws Exception {
        Path dir = Files.createTempDirectory(temp, "hookpid-");
        long pid = startWorker(dir, 1);
        Path lib = payload();
        Path worker = Programs.build("inline-hook/src/test/c/remote_worker");
        Path staticProgram = Programs.build("inline-hook/src/test/c/remote_blocked", "-static");
        String p = Long.toString(pid);
        Map<List<String>, String> cases = Map.of(
                List.of("--pid", "999999999", "--hook", lib + "@compute:my_compute"), "no such process: 999999999",
                List.of("--pid", p, "--hook", lib + "@no_such_function:my_compute"), "no function no_such_function",
                List.of("--pid", p, "--hook", lib + "@compute:absent_detour"), "has no function absent_detour",
                List.of("--pid", p, "--hook", "compute:my_compute"), "expected LIB@TARGET:DETOUR",
                List.of("--hook", lib + "@compute:my_compute"), "name the process",
                List.of("--pid", p), "give at least one --hook",
                List.of("--pid", p, "--hook", worker + "@compute:compute"), // dlerror's own words
                        "could not load " + worker + ": " + worker + ": cannot dynamically load position-independent executable",
                List.of("--pid", p, "--hook", Programs.SOURCES.resolve("threads.c") + "@compute:x"), "as an ELF library");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "hook"));
            cmd.addAll(c.getKey());
            Programs.Result r = Programs.run(cmd, Map.of(), null, Duration.ofSeconds(60));
            assertThat(r.exit()).as("%s: %s", c.getKey(), r.describe()).isEqualTo(2);
            assertThat(r.err().strip()).as("%s", c.getKey()).startsWith("jpoline: ").contains(c.getValue())
                    .doesNotContain("\n").doesNotContain("Exception");
        }
        // Another user's process: jpoline run as nobody against this (root's or the tester's) target.
        if (Files.isExecutable(Path.of("/usr/bin/setpriv")) && "root".equals(System.getProperty("user.name"))) {
            Programs.Result r = Programs.run(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Programs.ROOT.resolve("jpoline").toString(), "hook", "--pid", p, "--hook", lib + "@compute:my_compute"),
                    Map.of(), Path.of("/tmp"), Duration.ofSeconds(60));
            assertThat(r.exit()).as(r.describe()).isEqualTo(2);
            assertThat(r.err().strip()).isEqualTo("jpoline: process " + p + " belongs to another user (uid 0); run jpoline"
                    + " as that user or as root");
        } else if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true: the another-user case needs root and setpriv");
        }
        assertThat(tracers(pid)).isEmpty();
        assertThat(report(dir)[1]).as("no refusal changed the target").isZero();

        // A static program has no dlopen to load a payload with.
        Path sdir = Files.createTempDirectory(temp, "static-");
        Path control = sdir.resolve("control");
        assertThat(new ProcessBuilder("mkfifo", control.toString()).start().waitFor()).isZero();
        Process sh = new ProcessBuilder("sh", "-c", "\"$0\" \"$1\" >\"$2\" 2>&1 </dev/null & echo $!", staticProgram.toString(),
                control.toString(), sdir.resolve("out").toString()).start();
        long spid = Long.parseLong(new String(sh.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        started.add(spid);
        awaitLine(sdir, 0, "ready");
        List<String> cmd = List.of(Programs.ROOT.resolve("jpoline").toString(), "hook", "--pid", Long.toString(spid),
                "--hook", lib + "@nanosleep:my_compute");
        Programs.Result r = Programs.run(cmd, Map.of(), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as(r.describe()).isEqualTo(2);
        assertThat(r.err()).contains("static program");
        assertThat(tracers(spid)).isEmpty();
        Files.writeString(control, "go\n", StandardOpenOption.APPEND);
        for (String result : List.of("read 1 ok", "nanosleep 0 ok", "futex 0 ok", "accept 0 ok", "epoll_wait 1 ok")) {
            assertThat(awaitLine(sdir, 1 + List.of("read", "nanosleep", "futex", "accept", "epoll_wait")
                    .indexOf(result.split(" ")[0]), result.split(" ")[0])).isEqualTo(result);
        }
    }
}
