package dev.jpoline.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A syscall's cost in a process jpoline attached to ({@code trace -p}) against the same program
 * launched under {@code jpoline trace}, and after jpoline detached against the raw program. The
 * target, {@code attach_loop.c}, times 200k getpid calls each time it is told to, so one process
 * gives a figure before, while and after the attachment, and start-up is in none. Per round,
 * interleaved:
 *
 * <ul>
 *   <li>raw: attach_loop alone;
 *   <li>launched: {@code jpoline trace -o /dev/null -- attach_loop};
 *   <li>attached: attach_loop running, then {@code jpoline trace -o /dev/null -p PID}; then,
 *       after SIGTERM made jpoline detach (put the code back), the same process once more.
 * </ul>
 *
 * <p>Goal: attached / launched about 1.0 (the same per-call cost after attach as launched), and
 * after detach about raw. Run: {@code bench/run-main AttachCostBench [rounds]} from the
 * repository root. Medians of the rounds. Needs vm.mmap_min_addr=0, as {@code trace -p} does.
 */
public final class AttachCostBench {
    private static final String CALLS = "200000";
    private static final long TIMEOUT_MS = 30_000;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String minAddr = Files.readString(Path.of("/proc/sys/vm/mmap_min_addr")).strip();
        if (!minAddr.equals("0")) {
            System.out.println("AttachCostBench: vm.mmap_min_addr is " + minAddr + "; jpoline trace -p needs 0"
                    + " (sudo sysctl -w vm.mmap_min_addr=0)");
            System.exit(2);
        }
        Path root = Path.of("").toAbsolutePath();
        String jpoline = root.resolve("jpoline").toString();
        // -O1 is enough: the loop's syscall is libc's syscall(), the site jpoline rewrites, whatever the flags.
        Path bin = Commands.compile(root.resolve("bench/src/main/c/attach_loop.c"), root.resolve("bench/target/attach_loop"),
                List.of("-O1"));

        Path dir = Files.createTempDirectory("attachbench"); // FIFOs and the programs' output
        try {
            double[] raw = new double[rounds], launched = new double[rounds];
            double[] attached = new double[rounds], afterDetach = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                try (Loop loop = Loop.detached(bin, dir.resolve("raw-" + r))) {
                    raw[r] = loop.go();
                    loop.quit();
                }

                try (Loop loop = Loop.launched(jpoline, bin, dir.resolve("launched-" + r))) {
                    launched[r] = loop.go();
                    loop.quit();
                    loop.awaitHost();
                }

                try (Loop loop = Loop.detached(bin, dir.resolve("attached-" + r)); Attach attach = Attach.start(jpoline, loop.pid)) {
                    attached[r] = loop.go();
                    attach.detach();
                    afterDetach[r] = loop.go();
                    loop.quit();
                }
            }
            double rawNs = Commands.median(raw), launchedNs = Commands.median(launched);
            double attachedNs = Commands.median(attached), afterNs = Commands.median(afterDetach);
            System.out.printf("getpid ns/call (median of %d, %s calls each): raw %.1f; launched under trace %.1f (%.2fx raw);"
                    + " attached with trace -p %.1f (%.2fx raw, %.3fx launched, goal about 1.0); after detach %.1f"
                    + " (%.3fx raw)%n", rounds, CALLS, rawNs, launchedNs, launchedNs / rawNs, attachedNs, attachedNs / rawNs,
                    attachedNs / launchedNs, afterNs, afterNs / rawNs);
        } finally {
            Commands.run(List.of("rm", "-rf", dir.toString()), Map.of(), Commands.Stderr.DISCARD, 60);
        }
    }

    /**
     * One attach_loop, told what to do through a FIFO, its stdout in a file read by polling. Started
     * detached (by a shell that exits, so that the benchmark JVM's process reaper cannot take the
     * ptrace stops jpoline waits for) or as {@code jpoline trace}'s child. Killed by pid on close.
     */
    private static final class Loop implements AutoCloseable {
        long pid = -1; // known from the shell when detached, from the first line when launched
        private final Path out;
        private final FileChannel control;
        private final Process host; // jpoline trace when launched under it
        private final Path hostErr;
        private int linesRead;

        private Loop(Path out, FileChannel control, Process host, Path hostErr) {
            this.out = out;
            this.control = control;
            this.host = host;
            this.hostErr = hostErr;
        }

        static Loop detached(Path bin, Path dir) throws Exception {
            Path fifo = fifo(dir);
            Path out = dir.resolve("out");
            // Read and write: opening never waits for the target, and a write never fails for want of a reader.
            Loop loop = new Loop(out, FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE), null, null);
            try {
                loop.pid = Long.parseLong(Commands.run(List.of("sh", "-c", "\"$0\" \"$1\" \"$2\" >\"$3\" 2>&1 </dev/null & echo $!",
                        bin.toString(), fifo.toString(), CALLS, out.toString()), Map.of(), Commands.Stderr.INHERIT, 10).strip());
                loop.expectReady(loop.pid);
            } catch (Exception e) {
                loop.close();
                throw e;
            }
            return loop;
        }

        static Loop launched(String jpoline, Path bin, Path dir) throws Exception {
            Path fifo = fifo(dir);
            Path out = dir.resolve("out"), err = dir.resolve("jpoline.err");
            FileChannel control = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ProcessBuilder pb = new ProcessBuilder(jpoline, "trace", "-o", "/dev/null", "--", bin.toString(), fifo.toString(), CALLS);
            pb.environment().put("JPOLINE_NO_BUILD", "1"); // run-main built it: a stale jar is an error, not a build
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(new java.io.File("/dev/null"));
            Process host;
            try {
                host = pb.start();
            } catch (IOException e) {
                control.close();
                throw e;
            }
            Loop loop = new Loop(out, control, host, err);
            try {
                loop.expectReady(-1);
            } catch (Exception e) {
                loop.close();
                throw e;
            }
            return loop;
        }

        private static Path fifo(Path dir) throws Exception {
            Files.createDirectories(dir);
            Path fifo = dir.resolve("control");
            Commands.run(List.of("mkfifo", fifo.toString()), Map.of(), Commands.Stderr.MERGE, 10);
            return fifo; // a new one for every process: a line left unread must not reach the next
        }

        /** Its first line, "ready PID": that pid, or the one the shell gave. */
        private void expectReady(long expected) throws Exception {
            String first = line();
            long said = first.startsWith("ready ") ? Long.parseLong(first.substring(6).strip()) : -1;
            if (said < 0 || (expected >= 0 && said != expected)) {
                throw new IllegalStateException("attach_loop said: " + first);
            }
            pid = said;
        }

        /** One timed loop of getpid calls: ns per call. */
        double go() throws Exception {
            send("go");
            String reply = line();
            if (!reply.startsWith("ns ")) {
                throw new IllegalStateException("attach_loop answered go with: " + reply);
            }
            return Double.parseDouble(reply.substring(3));
        }

        /** Asks it to end and waits a little; {@link #close} kills it if it did not. */
        void quit() throws Exception {
            send("quit");
            long deadline = System.currentTimeMillis() + 5_000;
            while (alive(pid) && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
        }

        /** jpoline trace ends with its program; a host still there after that is a failure. */
        void awaitHost() throws Exception {
            if (!host.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("jpoline trace still running after its program quit: " + Files.readString(hostErr));
            }
        }

        private void send(String line) throws IOException {
            ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                control.write(b);
            }
        }

        /** Its next complete output line, within the timeout. */
        private String line() throws Exception {
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (true) {
                String text = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
                String[] lines = text.split("\n", -1); // the last element is the unfinished line
                if (lines.length - 1 > linesRead) {
                    return lines[linesRead++];
                }
                boolean ended = host != null ? !host.isAlive() : !alive(pid);
                if (ended || System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException((ended ? "attach_loop ended" : "no line from attach_loop in 30 s")
                            + "; it said: " + text + (hostErr != null && Files.exists(hostErr)
                                    ? "\njpoline said: " + Files.readString(hostErr) : ""));
                }
                // Not faster: on 2 cores the polling must not take the CPU from the loop it waits for.
                Thread.sleep(5);
            }
        }

        @Override
        public void close() throws IOException {
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (host != null) {
                host.toHandle().destroyForcibly();
            }
            control.close();
        }
    }

    /**
     * {@code jpoline trace -p PID}, its stderr read by a thread into lines: started once it says
     * the process is attached, ended by SIGTERM (as a user's ^C would), which makes it put every
     * site back and say the process is detached.
     */
    private static final class Attach implements AutoCloseable {
        private final Process process;
        private final long pid;
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> said = new ArrayList<>();
        private static final String EOF = "\0eof";

        private Attach(Process process, long pid) {
            this.process = process;
            this.pid = pid;
        }

        static Attach start(String jpoline, long pid) throws Exception {
            ProcessBuilder pb = new ProcessBuilder(jpoline, "trace", "-o", "/dev/null", "-p", Long.toString(pid));
            pb.environment().put("JPOLINE_NO_BUILD", "1");
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Attach a = new Attach(pb.start(), pid);
            Thread reader = new Thread(a::readStderr, "jpoline-stderr");
            reader.setDaemon(true);
            reader.start();
            try {
                a.await(" attached");
            } catch (Exception e) {
                a.close();
                throw e;
            }
            return a;
        }

        /** SIGTERM, not Process.destroy(), which would also close the stderr being read. */
        void detach() throws Exception {
            process.toHandle().destroy();
            await(" detached");
            if (!process.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("jpoline trace -p still running after it detached: " + said);
            }
        }

        /** Waits for the line "jpoline: Process PID" + {@code what}; any other line is kept for a failure's message. */
        private void await(String what) throws Exception {
            String wanted = "jpoline: Process " + pid + what;
            long deadline = System.currentTimeMillis() + TIMEOUT_MS;
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (line == null || line.equals(EOF)) {
                    throw new IllegalStateException("jpoline trace -p " + pid + (line == null ? " did not say" : " ended before saying")
                            + " '" + wanted + "'; it said: " + said);
                }
                said.add(line);
                if (line.startsWith(wanted)) {
                    return;
                }
            }
        }

        private void readStderr() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(reading its stderr failed: " + e.getMessage() + ")");
            }
            lines.add(EOF);
        }

        @Override
        public void close() {
            process.toHandle().destroyForcibly();
        }
    }

    private static boolean alive(long pid) {
        return Commands.aliveNotZombie(pid);
    }
}
