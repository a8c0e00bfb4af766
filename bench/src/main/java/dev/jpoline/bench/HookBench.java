package dev.jpoline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The HOOK tier's round trip: a getpid whose Java hook just proceeds, against a raw getpid, in
 * the same run. Each call is timed alone inside the target; medians and 99th percentiles.
 *
 * <p>Run: {@code bench/run-main HookBench [rounds]} from the repository root.
 */
public final class HookBench {
    private static final int CALLS = 20_000;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = Path.of("").toAbsolutePath();
        Path program = root.resolve("bench/target/getpid_latency");
        Files.createDirectories(program.getParent());
        run(List.of("gcc", "-O2", "-o", program.toString(), root.resolve("bench/src/main/c/getpid_latency.c").toString()));
        String classpath = root.resolve("bench/target/benchmarks.jar").toString();
        long[][] raw = new long[rounds][];
        long[][] hooked = new long[rounds][];
        for (int r = 0; r < rounds; r++) {
            raw[r] = parse(run(List.of(program.toString(), Integer.toString(CALLS))));
            hooked[r] = parse(run(List.of(root.resolve("jpoline").toString(), "run", "--hooks",
                    ProceedingGetpid.class.getName(), "--classpath", classpath, "--", program.toString(),
                    Integer.toString(CALLS))));
        }
        System.out.printf("raw getpid      median %8d ns   p99 %8d ns%n", median(raw, 0), median(raw, 1));
        System.out.printf("hooked getpid   median %8d ns   p99 %8d ns   (medians over %d runs of %d calls)%n",
                median(hooked, 0), median(hooked, 1), rounds, CALLS);
    }

    private static long[] parse(String line) {
        String[] f = line.strip().split("\\s+");
        return new long[] {Long.parseLong(f[f.length - 2]), Long.parseLong(f[f.length - 1])};
    }

    private static long median(long[][] runs, int column) {
        long[] values = Arrays.stream(runs).mapToLong(r -> r[column]).sorted().toArray();
        return values[values.length / 2];
    }

    private static String run(List<String> command) throws Exception {
        return Commands.run(command, Map.of(), Commands.Stderr.INHERIT, 300);
    }
}
