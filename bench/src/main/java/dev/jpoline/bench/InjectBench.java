package dev.jpoline.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fault injection's cost, in one run, interleaved round by round: a getpid loop raw, under
 * {@code jpoline trace -e trace=none -e inject=getpid:retval=0:when=2+} (the rule applied in the
 * target, nothing recorded), under the same with getpid traced, and under {@code strace -f} with
 * the same rule. Goal: the injected loop within 1.2x of the raw one. An injected call is not
 * made, so it may well be cheaper than the real one.
 *
 * <p>Run: {@code bench/run-main InjectBench [rounds]} from the repository root.
 */
public final class InjectBench {
    private static final String CALLS = "300000";
    /** strace costs a hundred microseconds a call: fewer, or the round takes minutes. */
    private static final String STRACE_CALLS = "20000";
    private static final String RULE = "inject=getpid:retval=0:when=2+";

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = Path.of("").toAbsolutePath();
        String jpoline = root.resolve("jpoline").toString();
        Path loop = Commands.compile(root.resolve("bench/src/main/c/syscall_loop.c"), root.resolve("bench/target/syscall_loop"));
        double[][] ns = new double[4][rounds];
        for (int r = 0; r < rounds; r++) {
            ns[0][r] = number(run(List.of(loop.toString(), "getpid", CALLS)));
            ns[1][r] = number(run(concat(List.of(jpoline, "trace", "-q", "-o", "/dev/null", "-e", "trace=none", "-e", RULE,
                    "--"), loop.toString(), "getpid", CALLS)));
            ns[2][r] = number(run(concat(List.of(jpoline, "trace", "-q", "-o", "/dev/null", "-e", RULE, "--"),
                    loop.toString(), "getpid", CALLS)));
            ns[3][r] = number(run(concat(List.of("strace", "-f", "-o", "/dev/null", "-e", RULE), loop.toString(), "getpid",
                    STRACE_CALLS)));
        }
        double raw = Commands.median(ns[0]);
        double injected = Commands.median(ns[1]);
        double traced = Commands.median(ns[2]);
        double strace = Commands.median(ns[3]);
        System.out.printf("getpid ns/call (median of %d): raw %.1f; injected in the target %.1f (%.2fx raw, goal <= 1.2);"
                + " injected and traced %.1f (%.2fx); strace -f with the rule %.1f (%.0fx the injected loop)%n", rounds,
                raw, injected, injected / raw, traced, traced / raw, strace, strace / injected);
    }

    private static List<String> concat(List<String> prefix, String... rest) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(rest));
        return all;
    }

    private static double number(String out) {
        return Double.parseDouble(out.strip());
    }


    private static String run(List<String> command) throws Exception {
        return Commands.run(command, Map.of(), Commands.Stderr.DISCARD, 300);
    }
}
