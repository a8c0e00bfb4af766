package dev.jpoline.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ptrace window (docs/ptrace-window.md) in one run, rounds interleaved: a static program's
 * getpid loop raw, under {@code jpoline trace} (followed with ptrace to its end) and under
 * {@code strace -f}, both writing to /dev/null (goal: strace's speed); and {@code jpoline trace}
 * of {@code /bin/true}, the start cost a trace pays for seeing its program's loader.
 *
 * <p>Run: {@code bench/run-main WindowBench [rounds]} from the repository root. Medians.
 */
public final class WindowBench {
    private static final String CALLS = "100000";

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = Path.of("").toAbsolutePath();
        String jpoline = root.resolve("jpoline").toString();
        Path loop = Commands.compile(root.resolve("bench/src/main/c/syscall_loop.c"),
                root.resolve("bench/target/syscall_loop_static"), List.of("-O2", "-static"));
        List<String> program = List.of(loop.toString(), "getpid", CALLS);
        Map<String, double[]> figures = new HashMap<>();
        for (int r = 0; r < rounds; r++) {
            Commands.put(figures, "raw", r, rounds, time(program));
            Commands.put(figures, "jpoline", r, rounds, time(Commands.prefixed(List.of(jpoline, "trace", "-o", "/dev/null", "--"), program)));
            Commands.put(figures, "strace", r, rounds, time(Commands.prefixed(List.of("strace", "-f", "-o", "/dev/null"), program)));
            Commands.put(figures, "true", r, rounds, time(List.of(jpoline, "trace", "-o", "/dev/null", "--", "/bin/true")));
        }
        double raw = Commands.median(figures.get("raw")), ours = Commands.median(figures.get("jpoline"));
        double strace = Commands.median(figures.get("strace"));
        System.out.printf("static getpid x %s, ms: raw %.0f, jpoline trace %.0f, strace -f %.0f; jpoline / strace %.2f"
                + " (goal: about 1)%n", CALLS, raw, ours, strace, ours / strace);
        System.out.printf("jpoline trace -- /bin/true, ms: %.0f%n", Commands.median(figures.get("true")));
    }

    private static double time(List<String> command) throws Exception {
        return Commands.timeMs(command, Map.of(), Commands.Stderr.DISCARD, 300);
    }


}
