package dev.jpoline.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whole-program benchmark of the PASS tier: a syscall loop and an exec-heavy shell loop, raw
 * and under {@code jpoline run}, interleaved in one run so both see the same machine load.
 * Prints medians and the ratio traced/raw.
 *
 * <p>Run: {@code bench/run-main PassThroughBench [rounds]} from the repository root.
 */
public final class PassThroughBench {
    private static final long CALLS = 2_000_000;
    private static final int EXECS = 200;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path root = Path.of("").toAbsolutePath();
        Path jpoline = root.resolve("jpoline");
        Path loop = Commands.compile(root.resolve("bench/src/main/c/syscall_loop.c"), root.resolve("bench/target/syscall_loop"));

        for (String kind : List.of("getpid", "read")) {
            double[] raw = new double[rounds];
            double[] traced = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                raw[r] = Double.parseDouble(run(List.of(loop.toString(), kind, Long.toString(CALLS))).strip());
                traced[r] = Double.parseDouble(run(List.of(jpoline.toString(), "run", "--", loop.toString(), kind,
                        Long.toString(CALLS))).strip());
            }
            report(kind + " ns/call", Commands.median(raw), Commands.median(traced));
        }

        // Two loop lengths, so that the difference is the per-exec cost alone, without the
        // once-per-run costs (jpoline's own JVM start, session set-up).
        double[] extraPerExec = new double[rounds];
        double[] rawPerExec = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double rawShort = timeMs(shLoop(null, EXECS));
            double rawLong = timeMs(shLoop(null, 2 * EXECS));
            double tracedShort = timeMs(shLoop(jpoline, EXECS));
            double tracedLong = timeMs(shLoop(jpoline, 2 * EXECS));
            rawPerExec[r] = (rawLong - rawShort) / EXECS;
            extraPerExec[r] = (tracedLong - tracedShort) / EXECS - rawPerExec[r];
        }
        report("exec of /bin/true from sh, ms", Commands.median(rawPerExec), Commands.median(rawPerExec) + Commands.median(extraPerExec));
        System.out.printf("extra start cost per exec: %.2f ms%n", Commands.median(extraPerExec));
    }

    private static List<String> shLoop(Path jpoline, int execs) {
        List<String> command = new ArrayList<>();
        if (jpoline != null) {
            command.addAll(List.of(jpoline.toString(), "run", "--"));
        }
        command.addAll(List.of("sh", "-c", "for i in $(seq " + execs + "); do /bin/true; done"));
        return command;
    }

    private static void report(String what, double raw, double traced) {
        System.out.printf("%-40s raw %10.2f   jpoline %10.2f   ratio %.3f%n", what, raw, traced, traced / raw);
    }



    private static double timeMs(List<String> command) throws Exception {
        return Commands.timeMs(command, Map.of(), Commands.Stderr.MERGE, 300);
    }

    private static String run(List<String> command) throws Exception {
        return Commands.run(command, Map.of(), Commands.Stderr.MERGE, 300);
    }
}
