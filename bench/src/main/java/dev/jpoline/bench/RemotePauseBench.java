package dev.jpoline.bench;

import dev.jpoline.inlinehook.remote.RemoteHooks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * The pause a running target sees when remote hooks ({@link RemoteHooks}) attach to it and when
 * they detach, with 1, 16 and 64 threads. Measured inside the target ({@code pause_target.c}):
 * the longest gap between two consecutive clock readings of any of its threads, each of which
 * loops reading the clock and calling the hooked {@code compute()}. Per round and thread count:
 *
 * <ul>
 *   <li>baseline: the longest gap over a quiet window, no jpoline (the scheduler's own noise with
 *       that many threads on this machine's cores);
 *   <li>attach: over a window holding {@code RemoteHooks.install} of {@code pause_payload.c}'s
 *       detour, and the host's view of its two stop-the-world windows ({@code pauses()}: plan,
 *       write);
 *   <li>detach: over a window holding {@code restore()}, and its one stop window as the host saw it.
 * </ul>
 *
 * <p>Goal: attach and detach pause at most 50 ms with 64 threads. Run: {@code bench/run-main
 * RemotePauseBench [rounds]} from the repository root. Medians of the rounds, in ms; in
 * parentheses the median over rounds of the gap minus that round's baseline.
 */
public final class RemotePauseBench {
    private static final int[] THREADS = {1, 16, 64};
    /**
     * How long each window lasts after its event. A thread stopped by ptrace records its gap only
     * at its next clock reading, which with 64 threads on a few cores may come tens of ms after
     * it is let go; the baseline window is as long, so the figures compare.
     */
    private static final long WINDOW_MS = 300;
    private static final double GOAL_MS = 50;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = Path.of("").toAbsolutePath();
        // -O1 as the inline-hook tests build their targets; -pthread for the workers.
        Path bin = Commands.compile(root.resolve("bench/src/main/c/pause_target.c"), root.resolve("bench/target/pause_target"),
                List.of("-O1", "-pthread"));
        Path payload = Commands.compileShared(root.resolve("bench/src/main/c/pause_payload.c"),
                root.resolve("bench/target/libpause_payload.so"));
        RemoteHooks.Spec spec = RemoteHooks.Spec.parse(payload + "@compute:my_compute:install");

        Path dir = Files.createTempDirectory("pausebench"); // FIFOs and the targets' output
        try {
            for (int threads : THREADS) {
                double[] baseline = new double[rounds], attach = new double[rounds], detach = new double[rounds];
                double[] plan = new double[rounds], write = new double[rounds], restore = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    try (Target t = Target.start(bin, threads, dir.resolve(threads + "-" + r))) {
                        Thread.sleep(WINDOW_MS); // past the threads' start-up
                        t.reset();
                        Thread.sleep(WINDOW_MS);
                        baseline[r] = t.maxMs();

                        t.reset();
                        RemoteHooks hooks = RemoteHooks.install(t.pid, List.of(spec));
                        RemoteHooks.Pauses p = hooks.pauses();
                        plan[r] = p.plan() / 1e6;
                        write[r] = p.write() / 1e6;
                        Thread.sleep(WINDOW_MS);
                        attach[r] = t.maxMs();

                        t.reset();
                        hooks.restore();
                        restore[r] = hooks.pauses().write() / 1e6;
                        Thread.sleep(WINDOW_MS);
                        detach[r] = t.maxMs();
                        t.quit();
                    }
                }
                double a = Commands.median(attach), d = Commands.median(detach), b = Commands.median(baseline);
                // Against the baseline of the same round: the scheduler's share of a gap comes with every window.
                double[] attachOver = new double[rounds], detachOver = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    attachOver[r] = attach[r] - baseline[r];
                    detachOver[r] = detach[r] - baseline[r];
                }
                String goal = threads == 64
                        ? String.format("; goal <= %.0f ms at 64 threads: attach %s, detach %s%s", GOAL_MS,
                                a <= GOAL_MS ? "met" : "missed", d <= GOAL_MS ? "met" : "missed",
                                b > GOAL_MS ? " (the baseline alone is over it)" : "")
                        : "";
                System.out.printf("%2d threads: longest gap in the target ms: baseline %.2f, attach %.2f (%+.2f), detach %.2f"
                        + " (%+.2f); host stop windows ms: plan %.2f, write %.2f, restore %.2f%s%n", threads, b,
                        a, Commands.median(attachOver), d, Commands.median(detachOver), Commands.median(plan),
                        Commands.median(write), Commands.median(restore), goal);
            }
        } finally {
            Commands.run(List.of("rm", "-rf", dir.toString()), Map.of(), Commands.Stderr.DISCARD, 60);
        }
    }

    /**
     * A pause_target started by a shell that exits at once, so that it is not the JVM's child: the
     * JVM's process reaper would otherwise wait for it too and take the ptrace stops jpoline waits
     * for. Its stdout goes to a file, read by polling; its commands go into a FIFO. Killed by pid.
     */
    private static final class Target implements AutoCloseable {
        final long pid;
        private final Path out;
        private final FileChannel control;
        private int linesRead;

        private Target(long pid, Path out, FileChannel control) {
            this.pid = pid;
            this.out = out;
            this.control = control;
        }

        static Target start(Path bin, int threads, Path dir) throws Exception {
            Files.createDirectories(dir);
            Path out = dir.resolve("out");
            Path fifo = dir.resolve("control");
            Commands.run(List.of("mkfifo", fifo.toString()), Map.of(), Commands.Stderr.MERGE, 10);
            // Read and write: opening never waits for the target, and a write never fails for want of a reader.
            FileChannel control = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
            String pid;
            try {
                pid = Commands.run(List.of("sh", "-c", "\"$0\" \"$1\" \"$2\" >\"$3\" 2>&1 </dev/null & echo $!",
                        bin.toString(), Integer.toString(threads), fifo.toString(), out.toString()),
                        Map.of(), Commands.Stderr.INHERIT, 10).strip();
            } catch (RuntimeException | IOException e) {
                control.close();
                throw e;
            }
            Target t = new Target(Long.parseLong(pid), out, control);
            try {
                String first = t.line();
                if (!first.equals("ready " + pid)) {
                    throw new IllegalStateException("pause_target said: " + first);
                }
            } catch (Exception e) {
                t.close();
                throw e;
            }
            return t;
        }

        void reset() throws Exception {
            send("reset");
            String reply = line();
            if (!reply.equals("ok")) {
                throw new IllegalStateException("pause_target answered reset with: " + reply);
            }
        }

        /** The longest gap of any thread since the last reset, in ms. */
        double maxMs() throws Exception {
            send("max");
            String reply = line();
            if (!reply.startsWith("max ")) {
                throw new IllegalStateException("pause_target answered max with: " + reply);
            }
            return Long.parseLong(reply.substring(4)) / 1e3;
        }

        /** Asks it to end and waits a little; {@link #close} kills it if it did not. */
        void quit() throws Exception {
            send("quit");
            long deadline = System.currentTimeMillis() + 5_000;
            while (alive() && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
        }

        private void send(String line) throws IOException {
            ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                control.write(b);
            }
        }

        /** Its next complete output line, within 30 s. */
        private String line() throws Exception {
            long deadline = System.currentTimeMillis() + 30_000;
            while (true) {
                String text = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
                String[] lines = text.split("\n", -1); // the last element is the unfinished line
                if (lines.length - 1 > linesRead) {
                    return lines[linesRead++];
                }
                if (!alive()) {
                    throw new IllegalStateException("pause_target " + pid + " ended; it said: " + text);
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("no line from pause_target " + pid + " in 30 s; it said: " + text);
                }
                Thread.sleep(2);
            }
        }

        private boolean alive() {
            return Commands.aliveNotZombie(pid);
        }

        @Override
        public void close() throws IOException {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            control.close();
        }
    }
}
