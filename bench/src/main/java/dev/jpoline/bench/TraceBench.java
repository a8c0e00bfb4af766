package dev.jpoline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whole-program benchmark of the TRACE tier against strace: {@code tar -cf /dev/null /usr/include}
 * (wall time) and a getpid loop (ns per call as the program measures it), each raw, under
 * {@code jpoline trace -o FILE} and under {@code strace -f -o FILE}, interleaved in one run so all
 * three see the same machine load; and {@code /bin/true} the same three ways, the fixed start-up
 * cost inside the tar figures. Prints medians, the ratios, and the load average.
 *
 * <p>Run: {@code bench/run-main TraceBench [rounds]} from the repository root. Needs strace.
 */
public final class TraceBench {
    private static final long CALLS = 1_000_000;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = Path.of("").toAbsolutePath();
        Path jpoline = root.resolve("jpoline");
        Path out = Files.createTempDirectory("jpoline-tracebench");
        Path loop = root.resolve("bench/target/syscall_loop");
        run(List.of("gcc", "-O2", "-o", loop.toString(), root.resolve("bench/src/main/c/syscall_loop.c").toString()));
        System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).strip());

        List<String> tar = List.of("tar", "-cf", "/dev/null", "/usr/include");
        double[][] tarMs = new double[3][rounds];
        for (int r = 0; r < rounds; r++) {
            tarMs[0][r] = timeMs(tar);
            tarMs[1][r] = timeMs(concat(List.of(jpoline.toString(), "trace", "-o", out.resolve("j.txt").toString()), tar));
            tarMs[2][r] = timeMs(concat(List.of("strace", "-f", "-o", out.resolve("s.txt").toString()), tar));
        }
        report("tar -cf /dev/null /usr/include, ms", tarMs);
        // The fixed cost in the wall times above: a JVM and a session for a program that does nothing.
        List<String> nothing = List.of("/bin/true");
        double[][] startMs = new double[3][rounds];
        for (int r = 0; r < rounds; r++) {
            startMs[0][r] = timeMs(nothing);
            startMs[1][r] = timeMs(concat(List.of(jpoline.toString(), "trace", "-o", out.resolve("t.txt").toString()), nothing));
            startMs[2][r] = timeMs(concat(List.of("strace", "-f", "-o", out.resolve("st.txt").toString()), nothing));
        }
        report("/bin/true (start-up), ms", startMs);
        System.out.printf("  lines: jpoline %d, strace %d%n", Files.lines(out.resolve("j.txt")).count(),
                Files.lines(out.resolve("s.txt")).count());

        List<String> getpid = List.of(loop.toString(), "getpid", Long.toString(CALLS));
        double[][] ns = new double[3][rounds];
        for (int r = 0; r < rounds; r++) {
            ns[0][r] = Double.parseDouble(run(getpid).strip());
            ns[1][r] = lastNumber(run(concat(List.of(jpoline.toString(), "trace", "-o", out.resolve("jg.txt").toString()),
                    getpid)));
            ns[2][r] = lastNumber(run(concat(List.of("strace", "-f", "-o", out.resolve("sg.txt").toString()), getpid)));
        }
        report("getpid loop, ns/call", ns);
        System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).strip());
        try (var files = Files.list(out)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(out);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static double lastNumber(String output) {
        String[] lines = output.strip().split("\n");
        return Double.parseDouble(lines[lines.length - 1].strip());
    }

    private static void report(String what, double[][] values) {
        double raw = Commands.median(values[0]);
        double jp = Commands.median(values[1]);
        double st = Commands.median(values[2]);
        System.out.printf("%-38s raw %10.1f  jpoline trace %10.1f (x%.2f raw)  strace -f %10.1f (x%.2f raw)"
                + "  strace/jpoline %.1f%n", what, raw, jp, jp / raw, st, st / raw, st / jp);
    }


    private static double timeMs(List<String> command) throws Exception {
        return Commands.timeMs(command, Map.of(), Commands.Stderr.DISCARD, 600);
    }

    /** Runs a command; returns its stdout (stderr is discarded, tar warns about /dev/null). */
    private static String run(List<String> command) throws Exception {
        return Commands.run(command, Map.of(), Commands.Stderr.DISCARD, 600);
    }
}
