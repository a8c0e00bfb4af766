package dev.jpoline.inlinehook.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test program started as someone else's child (a subshell of a shell that exits at once), as a process
 * jpoline attaches to is: the JVM's own process reaper would otherwise wait for it too and take
 * its ptrace stops. Its stdout goes to a file; a FIFO is its control input. Killed by pid.
 */
final class DetachedTarget implements AutoCloseable {
    final long pid;
    private final Path out;
    private final Path control;
    private int linesRead;

    private DetachedTarget(long pid, Path out, Path control) {
        this.pid = pid;
        this.out = out;
        this.control = control;
    }

    /**
     * Starts {@code bin control-fifo args...}; returns once it printed its pid on the first line
     * "ready PID". Its parent is a subshell that only waits for it and writes its exit status
     * (128+N for signal N, as sh counts) to a file, so that a test whose target ends says how.
     */
    static DetachedTarget start(Path bin, String... args) throws Exception {
        Path dir = Files.createTempDirectory("jpoline-remote-");
        Path out = dir.resolve("out");
        Path control = dir.resolve("control");
        Path pidFile = dir.resolve("pid");
        Process mkfifo = new ProcessBuilder("mkfifo", control.toString()).start();
        if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
            throw new AssertionError("mkfifo failed");
        }
        String script = "( \"$@\" >" + out + " 2>&1 </dev/null & echo $! >" + dir.resolve("pid.new") + "; mv "
                + dir.resolve("pid.new") + " " + pidFile + "; wait $!; echo $? >" + dir.resolve("status")
                + " ) >/dev/null 2>&1 </dev/null &";
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", script, "sh", bin.toString(), control.toString()));
        cmd.addAll(List.of(args));
        Process sh = new ProcessBuilder(cmd).start();
        sh.waitFor(10, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Files.exists(pidFile)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the target's shell never wrote its pid");
            }
            Thread.sleep(2);
        }
        DetachedTarget t = new DetachedTarget(Long.parseLong(Files.readString(pidFile).strip()), out, control);
        String first = t.line(10_000);
        if (!first.startsWith("ready")) {
            t.close();
            throw new AssertionError("target said: " + first);
        }
        return t;
    }

    /** How it ended, from its waiting shell: "exit status N", or "killed by signal N" (sh's 128+N). */
    String howItEnded() throws Exception {
        Path status = out.resolveSibling("status");
        for (int i = 0; i < 200 && !Files.exists(status); i++) {
            Thread.sleep(5);
        }
        if (!Files.exists(status)) {
            return "end not recorded";
        }
        int code = Integer.parseInt(Files.readString(status).strip());
        return code > 128 ? "killed by signal " + (code - 128) : "exit status " + code;
    }

    /** The next line of its output, waiting at most {@code millis}. */
    String line(long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            List<String> lines = Files.exists(out) ? Files.readAllLines(out, StandardCharsets.UTF_8) : List.of();
            String text = Files.exists(out) ? Files.readString(out) : "";
            if (lines.size() > linesRead && text.endsWith("\n") || lines.size() > linesRead + 1) {
                return lines.get(linesRead++);
            }
            if (!alive() && lines.size() <= linesRead) {
                throw new AssertionError("target " + pid + " ended (" + howItEnded() + "); output: " + text);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no line from target " + pid + " within " + millis + " ms; output: " + text);
            }
            Thread.sleep(5);
        }
    }

    void send(String line) throws IOException {
        Files.writeString(control, line + "\n", StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && !ProcStatus.readSmall(Path.of("/proc", Long.toString(pid), "stat")).contains(") Z");
    }

    /** Waits for it to end by itself. */
    boolean awaitEnd(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (alive()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Kills it by pid, waits for it to go, and removes its directory (output and FIFO). */
    @Override
    public void close() {
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroyForcibly();
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // still going: the directory goes anyway, its files are open descriptors only
            }
        });
        try (var files = Files.list(out.getParent())) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(out.getParent());
        } catch (IOException e) {
            // a test's leftovers in /tmp are not worth failing it for
        }
    }
}
