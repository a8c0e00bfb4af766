package dev.jpoline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the harnesses' commands: stdout returned, a timeout or a failure ends the benchmark. */
final class Commands {
    /** Where a command's stderr goes. */
    enum Stderr {
        /** into the returned output (the harness parses both) */
        MERGE,
        /** away (tar warns about /dev/null) */
        DISCARD,
        /** to the harness's own stderr */
        INHERIT
    }

    private Commands() {}

    static String run(List<String> command, Map<String, String> env, Stderr stderr, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
        pb.environment().putAll(env);
        switch (stderr) {
            case MERGE -> pb.redirectErrorStream(true);
            case DISCARD -> pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            case INHERIT -> pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("failed (" + p.exitValue() + "): " + command + "\n" + out);
        }
        return out;
    }

    /** Wall time of one run, in ms. */
    static double timeMs(List<String> command, Map<String, String> env, Stderr stderr, long timeoutSeconds)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        run(command, env, stderr, timeoutSeconds);
        return (System.nanoTime() - start) / 1e6;
    }

    /** The middle of the values (the upper one of an even count), as every harness reports. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** {@code prefix} then {@code command}: a command run under jpoline or strace. */
    static List<String> prefixed(List<String> prefix, List<String> command) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(command);
        return all;
    }

    /** Stores round {@code round}'s figure of {@code name} (of {@code rounds}), for a median later. */
    static void put(Map<String, double[]> figures, String name, int round, int rounds, double value) {
        figures.computeIfAbsent(name, k -> new double[rounds])[round] = value;
    }

    /** Builds a harness's C program with gcc -O2 into {@code out}. */
    static java.nio.file.Path compile(java.nio.file.Path source, java.nio.file.Path out)
            throws IOException, InterruptedException {
        return compile(source, out, List.of("-O2"));
    }

    /** Builds a harness's C program with gcc and {@code flags} (in place of -O2) into {@code out}. */
    static java.nio.file.Path compile(java.nio.file.Path source, java.nio.file.Path out, List<String> flags)
            throws IOException, InterruptedException {
        java.nio.file.Files.createDirectories(out.getParent());
        List<String> command = new ArrayList<>(List.of("gcc"));
        command.addAll(flags);
        command.addAll(List.of("-o", out.toString(), source.toString()));
        // gcc's errors go into the failure's message.
        run(command, Map.of(), Stderr.MERGE, 300);
        return out;
    }

    /** Builds a payload library with gcc -O1 -shared -fPIC into {@code out}. */
    static java.nio.file.Path compileShared(java.nio.file.Path source, java.nio.file.Path out)
            throws IOException, InterruptedException {
        return compile(source, out, List.of("-O1", "-shared", "-fPIC"));
    }

    /** Alive and not a zombie (a detached target's reaper is init, which may be slow to wait for it). */
    static boolean aliveNotZombie(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 1).strip().startsWith("Z");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
