package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.Errno;
import dev.jpoline.api.hooks.SyscallCall;
import dev.jpoline.api.hooks.SyscallHooks;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jpoline trace -p} and {@code run --hooks -p}: a running program attached to, traced or
 * hooked, and left running as it was; the trace line for line against {@code strace -f -p}. In
 * failsafe's "sud" execution the host's JPOLINE_NO_VA0=1 makes the runtime use Syscall User
 * Dispatch, which the host turns on in every thread.
 */
class TracePidIT {
    /** Targets' FIFOs and outputs, and the traces: removed after each test. */
    @TempDir Path temp;
    private final List<Long> started = new ArrayList<>();
    private final List<Process> tools = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        tools.forEach(Process::destroyForcibly);
        started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    /** A target started by a shell that exits at once, as a running program is nobody's child here. */
    private record Target(long pid, Path dir) {
        void send(String line) throws Exception {
            Files.writeString(dir.resolve("control"), line + "\n", StandardOpenOption.APPEND);
        }

        String awaitLine(String prefix) throws Exception {
            for (int i = 0; i < 2000; i++) {
                // The background shell may not have opened its output yet.
                List<String> lines = Files.exists(dir.resolve("out")) ? Files.readAllLines(dir.resolve("out")) : List.of();
                for (String l : lines) {
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
                Thread.sleep(5);
            }
            throw new AssertionError("no line " + prefix + " from " + pid + ": " + Files.readString(dir.resolve("out")));
        }

        List<String> lines() throws Exception {
            return Files.readAllLines(dir.resolve("out"));
        }
    }

    private Target start(String program) throws Exception {
        Path bin = Programs.build(program);
        Path dir = Files.createTempDirectory(temp, "tracepid-");
        assertThat(new ProcessBuilder("mkfifo", dir.resolve("control").toString()).start().waitFor()).isZero();
        Process sh = new ProcessBuilder("sh", "-c", "\"$0\" \"$1\" >\"$2\" 2>&1 </dev/null & echo $!", bin.toString(),
                dir.resolve("control").toString(), dir.resolve("out").toString()).start();
        long pid = Long.parseLong(new String(sh.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        started.add(pid);
        Target t = new Target(pid, dir);
        t.awaitLine("ready");
        return t;
    }

    /** Starts a tracer; returns its stderr lines as they come. */
    private BlockingQueue<String> startTool(List<String> cmd) throws Exception {
        BlockingQueue<String> lines = RunningTargets.queue();
        tools.add(RunningTargets.start(cmd, lines));
        return lines;
    }

    private static void await(BlockingQueue<String> lines, String fragment, List<String> seen) throws Exception {
        RunningTargets.await(lines, fragment, seen);
    }

    /** SIGINT to the last tool, and its end. */
    private int interrupt() throws Exception {
        Process p = tools.get(tools.size() - 1);
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static List<String> tracers(long pid) throws Exception {
        return RunningTargets.tracers(pid);
    }

    /** One session of work and fork under a tracer given by {@code cmd} + pid; the trace file's lines. */
    private Map<String, List<String>> traceWork(List<String> cmd, String attachedFragment, Path traceFile) throws Exception {
        Target t = start("attach_target");
        List<String> full = new ArrayList<>(cmd);
        full.addAll(List.of("-o", traceFile.toString(), "-p", Long.toString(t.pid())));
        List<String> seen = new ArrayList<>();
        await(startTool(full), attachedFragment, seen);
        t.send("work");
        t.awaitLine("done");
        t.send("fork");
        t.awaitLine("forked 7");
        interrupt();
        assertThat(tracers(t.pid())).isEmpty();
        // Still running, and as it was: one more round of work, untraced.
        t.send("work");
        assertThat(t.lines().stream().filter(l -> l.equals("done")).count() >= 1).isTrue();
        t.send("quit");
        return normalize(Files.readAllLines(traceFile), t.pid());
    }

    /**
     * Each process's calls in order, keyed "PID" (the target) or "CHILD": two processes
     * interleave differently from run to run, and a call cut by another process's line
     * ({@code <unfinished ...>} then {@code <... resumed>}) is joined into one. Addresses and
     * numbers of 3 digits or more become placeholders. The call in progress at detach (strace:
     * {@code <detached ...>}) is dropped, and SIGCHLD lines: its action is to be ignored, so the
     * kernel never delivers it to the program and an in-process tracer cannot see it (jpoline's
     * launched traces have the same difference).
     */
    private static Map<String, List<String>> normalize(List<String> lines, long pid) {
        Map<String, List<String>> byProcess = new java.util.TreeMap<>();
        Map<String, String> held = new java.util.HashMap<>();
        for (String l : lines) {
            if (l.contains("<detached ...>") || l.contains("--- SIGCHLD")) {
                continue;
            }
            String[] parts = l.split("\\s+", 2);
            String who = parts[0].equals(Long.toString(pid)) ? "PID" : "CHILD";
            String call = parts.length > 1 ? parts[1] : "";
            if (call.endsWith(" <unfinished ...>")) {
                held.put(who, call.substring(0, call.length() - " <unfinished ...>".length()));
                continue;
            }
            if (call.startsWith("<... ") && held.containsKey(who)) {
                call = held.remove(who) + call.substring(call.indexOf("resumed>") + "resumed>".length());
            }
            call = call.replace(Long.toString(pid), "PID").replaceAll("0x[0-9a-f]{6,}", "ADDR")
                    .replaceAll("\\b\\d{3,}\\b", "N").replaceAll("\\s+=", " =");
            byProcess.computeIfAbsent(who, k -> new ArrayList<>()).add(call);
        }
        return byProcess;
    }

    @Test
    void traceDashPMatchesStraceDashP() throws Exception {
        Path dir = Files.createTempDirectory(temp, "tracepid-");
        Map<String, List<String>> ours = traceWork(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace"),
                "attached", dir.resolve("jpoline.txt"));
        Map<String, List<String>> strace = traceWork(List.of("strace", "-f"), "attached", dir.resolve("strace.txt"));
        assertThat(ours).as("jpoline trace -p against strace -f -p").isEqualTo(strace);
        assertThat(ours.get("PID")).anyMatch(l -> l.contains("openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY)"));
        assertThat(ours.get("CHILD")).anyMatch(l -> l.contains("exit_group(7)"));
    }

    /** Denies /etc/hostname with EACCES while attached. */
    public static final class DenyHostname implements SyscallHooks {
        @Override
        public long syscall(SyscallCall call) {
            if (call.number() == 257 && "/etc/hostname".equals(call.readString(call.arg(1), 4096))) {
                return call.fail(Errno.EACCES);
            }
            return call.proceed();
        }
    }

    /**
     * Every syscall is hooked (the hook overrides the generic method), so the read the target is
     * blocked in at detach is a hook's proceed in flight: its data must reach the program once,
     * not be read a second time after the host left.
     */
    @Test
    void runHooksDashPHooksWhileAttachedOnly() throws Exception {
        Target t = start("attach_target");
        List<String> seen = new ArrayList<>();
        await(startTool(List.of(Programs.ROOT.resolve("jpoline").toString(), "run", "--hooks", DenyHostname.class.getName(),
                "--classpath", Programs.ROOT.resolve("hook-tracer/target/test-classes").toString(), "-p",
                Long.toString(t.pid()))), "attached", seen);
        t.send("work");
        assertThat(t.awaitLine("open ")).isEqualTo("open Permission denied");
        assertThat(interrupt()).isZero();
        t.send("work");
        t.awaitLine("done");
        assertThat(tracers(t.pid())).isEmpty();
        t.send("quit");
    }

    @Test
    void blockedSyscallsCarryOnAcrossAttachAndDetach() throws Exception {
        Target t = start("inline-hook/src/test/c/remote_blocked");
        List<String> seen = new ArrayList<>();
        await(startTool(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o", "/dev/null", "-p",
                Long.toString(t.pid()))), "attached", seen);
        assertThat(interrupt()).isZero();
        assertThat(tracers(t.pid())).isEmpty();
        t.send("go");
        for (String r : List.of("read 1 ok", "nanosleep 0 ok", "futex 0 ok", "accept 0 ok", "epoll_wait 1 ok")) {
            assertThat(t.awaitLine(r.split(" ")[0] + " ")).isEqualTo(r);
        }
    }

    @Test
    void quietHidesTheAttachAndDetachLines() throws Exception {
        Target t = start("attach_target");
        Path out = Files.createTempFile(temp, "trace-", ".txt");
        List<String> cmd = List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-q", "-o", out.toString(), "-p",
                Long.toString(t.pid()));
        BlockingQueue<String> lines = startTool(cmd);
        // No line says when it is attached: work until the trace shows the work.
        for (int i = 0; i < 600 && !Files.readString(out).contains("/etc/hostname"); i++) {
            t.send("work");
            Thread.sleep(100);
        }
        assertThat(Files.readString(out)).contains("/etc/hostname");
        assertThat(interrupt()).isZero();
        List<String> said = new ArrayList<>();
        lines.drainTo(said);
        assertThat(said).as("stderr with -q").isEmpty();
        assertThat(tracers(t.pid())).isEmpty();
        t.send("quit");
    }

    @Test
    void aTargetThatExitsEndsTheTrace() throws Exception {
        Target t = start("attach_target");
        Path out = Files.createTempFile(temp, "trace-", ".txt");
        List<String> seen = new ArrayList<>();
        await(startTool(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o", out.toString(), "-p",
                Long.toString(t.pid()))), "attached", seen);
        t.send("quit");
        Process p = tools.get(0);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("jpoline ends with its target").isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readAllLines(out)).anyMatch(l -> l.endsWith("+++ exited with 0 +++"))
                .anyMatch(l -> l.contains("exit_group(0)"));
    }

    @Test
    void badInputIsOneLineEach() throws Exception {
        Target live = start("attach_target");
        Path staticProgram = Programs.build("inline-hook/src/test/c/remote_blocked", "-static");
        Path dir = Files.createTempDirectory(temp, "static-");
        assertThat(new ProcessBuilder("mkfifo", dir.resolve("control").toString()).start().waitFor()).isZero();
        Process sh = new ProcessBuilder("sh", "-c", "\"$0\" \"$1\" >\"$2\" 2>&1 </dev/null & echo $!", staticProgram.toString(),
                dir.resolve("control").toString(), dir.resolve("out").toString()).start();
        long spid = Long.parseLong(new String(sh.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        started.add(spid);
        new Target(spid, dir).awaitLine("ready");
        String jp = Programs.ROOT.resolve("jpoline").toString();
        Map<List<String>, String> cases = Map.of(
                List.of(jp, "trace", "-p", "999999999"), "no such process: 999999999",
                List.of(jp, "trace", "-p", "12x"), "-p takes process ids",
                List.of(jp, "trace", "-p", Long.toString(live.pid()), "--", "true"), "give -p PID or a PROGRAM",
                List.of(jp, "run", "--exhaustive", "-p", Long.toString(live.pid())), "--exhaustive cannot be used with -p",
                List.of(jp, "trace", "-p", Long.toString(spid)), "is statically linked");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            Programs.Result r = Programs.run(c.getKey(), Map.of(), null, Duration.ofSeconds(60));
            assertThat(r.exit()).as("%s: %s", c.getKey(), r.describe()).isEqualTo(2);
            assertThat(r.err().strip()).as("%s", c.getKey()).startsWith("jpoline: ").contains(c.getValue())
                    .doesNotContain("\n");
        }
        assertThat(tracers(live.pid())).isEmpty();
        assertThat(tracers(spid)).isEmpty();
    }
}
