package dev.jpoline.e2e;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the tests of jpoline on running processes share: a tool's stderr as it comes, and who traces a target. */
final class RunningTargets {
    private RunningTargets() {}

    /** Starts {@code cmd} (JPOLINE_NO_BUILD=1); its stderr lines arrive in {@code lines}. */
    static Process start(List<String> cmd, BlockingQueue<String> lines) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        Process p = pb.start();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (Exception e) {
                lines.add("<" + e + ">");
            }
        });
        t.setDaemon(true);
        t.start();
        return p;
    }

    static BlockingQueue<String> queue() {
        return new LinkedBlockingQueue<>();
    }

    /** The first line holding {@code fragment}, within a minute; every line read goes to {@code seen}. */
    static String await(BlockingQueue<String> lines, String fragment, List<String> seen) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (line.contains(fragment)) {
                    return line;
                }
            }
        }
        throw new AssertionError("jpoline never said '" + fragment + "'; it said: " + seen);
    }

    /** The TracerPid lines of the threads of {@code pid} that are traced: empty when none is. */
    static List<String> tracers(long pid) throws Exception {
        List<String> traced = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                List<String> status;
                try {
                    status = Files.readAllLines(task.resolve("status"));
                } catch (java.io.IOException e) {
                    continue; // a thread that ended meanwhile (ENOENT, or ESRCH while it goes)
                }
                status.stream().filter(l -> l.startsWith("TracerPid:") && !l.endsWith("\t0")).forEach(traced::add);
            }
        }
        return traced;
    }
}
