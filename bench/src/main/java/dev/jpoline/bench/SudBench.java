package dev.jpoline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Syscall User Dispatch against its floor and against the alternatives, all in one run and
 * interleaved round by round so that every figure sees the same machine load:
 *
 * <ul>
 *   <li>getpid: raw, PASS under VA0, PASS under SUD ({@code JPOLINE_NO_VA0=1}) with its site
 *       jump-patched, PASS under SUD trapping every time ({@code JPOLINE_SUD_NO_JUMPS=1}), and the
 *       bare SUD floor ({@code sud_floor.c}: a handler that only re-issues the syscall). Goals:
 *       the trapping PASS at most 1.2x the floor; VA0 PASS at most 1.10x raw.
 *   <li>tar: raw, traced under VA0, traced under SUD and under {@code strace -f}, for two
 *       workloads: the big one (/usr/lib and /usr/share to /dev/null, about 370k syscalls, the
 *       tar of jpoline's headline figures), and an archive of /usr/include written to a file
 *       (about 80k syscalls, where the host's start-up of about 0.2 s is a large share). Goal:
 *       traced under SUD at least 10x faster than strace -f.
 *   <li>{@code java -version}: raw, under {@code jpoline run} and under {@code jpoline trace},
 *       under SUD from the start and from VA0 (the process leaves VA0 for SUD as it maps
 *       libjvm.so on a CPU without protection keys).
 * </ul>
 *
 * <p>Run: {@code bench/run-main SudBench [rounds]} from the repository root. Medians of the
 * rounds; ratios are against the figure named.
 */
public final class SudBench {
    private static final long CALLS = 300_000;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = Path.of("").toAbsolutePath();
        String jpoline = root.resolve("jpoline").toString();
        Path loop = Commands.compile(root.resolve("bench/src/main/c/syscall_loop.c"), root.resolve("bench/target/syscall_loop"));
        Path floor = Commands.compile(root.resolve("bench/src/main/c/sud_floor.c"), root.resolve("bench/target/sud_floor"));
        Map<String, String> sud = Map.of("JPOLINE_NO_VA0", "1");
        Map<String, String> sudTrapping = Map.of("JPOLINE_NO_VA0", "1", "JPOLINE_SUD_NO_JUMPS", "1");
        Map<String, String> none = Map.of();
        String calls = Long.toString(CALLS);

        Path tree = Files.createTempDirectory("sudbench"); // where tar writes its archive
        try {
            Map<String, double[]> figures = new HashMap<>();
            for (int r = 0; r < rounds; r++) {
                Commands.put(figures, "getpid raw", r, rounds, number(run(List.of(loop.toString(), "getpid", calls), none)));
                Commands.put(figures, "getpid PASS VA0", r, rounds,
                        number(run(List.of(jpoline, "run", "--", loop.toString(), "getpid", calls), none)));
                Commands.put(figures, "getpid PASS SUD", r, rounds,
                        number(run(List.of(jpoline, "run", "--", loop.toString(), "getpid", calls), sud)));
                Commands.put(figures, "getpid PASS SUD trapping", r, rounds,
                        number(run(List.of(jpoline, "run", "--", loop.toString(), "getpid", calls), sudTrapping)));
                Commands.put(figures, "getpid SUD floor", r, rounds, number(run(List.of(floor.toString(), "getpid", calls), none)));

                // To /dev/null GNU tar reads no file's content: its syscalls are the walk (openat,
                // newfstatat, getdents64, close), about 370k for these two trees.
                tarRound(figures, "big tar", r, rounds, List.of("tar", "-cf", "/dev/null", "-C", "/", "usr/lib", "usr/share"),
                        jpoline, sud, none);
                // An archive written to a file: tar reads every file, about 80k syscalls for /usr/include.
                tarRound(figures, "tar", r, rounds, List.of("tar", "-cf", tree.resolve("out.tar").toString(), "-C", "/usr",
                        "include"), jpoline, sud, none);

                List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version");
                Commands.put(figures, "java -version raw", r, rounds, timeMs(java, none));
                Commands.put(figures, "java -version run SUD", r, rounds, timeMs(Commands.prefixed(List.of(jpoline, "run", "--"), java), sud));
                Commands.put(figures, "java -version trace SUD", r, rounds,
                        timeMs(Commands.prefixed(List.of(jpoline, "trace", "-o", "/dev/null", "--"), java), sud));
                // From VA0: the launcher's loader runs rewritten, the JVM under SUD once libjvm.so is mapped.
                Commands.put(figures, "java -version run VA0", r, rounds, timeMs(Commands.prefixed(List.of(jpoline, "run", "--"), java), none));
                Commands.put(figures, "java -version trace VA0", r, rounds,
                        timeMs(Commands.prefixed(List.of(jpoline, "trace", "-o", "/dev/null", "--"), java), none));
            }
            double raw = Commands.median(figures.get("getpid raw")), va0 = Commands.median(figures.get("getpid PASS VA0"));
            double pass = Commands.median(figures.get("getpid PASS SUD")), bare = Commands.median(figures.get("getpid SUD floor"));
            double trapping = Commands.median(figures.get("getpid PASS SUD trapping"));
            System.out.printf("getpid ns/call: raw %.1f, PASS VA0 %.1f (%.3fx raw, goal <= 1.10), PASS SUD jump-patched %.1f"
                    + " (%.3fx raw), PASS SUD trapping %.1f, SUD floor %.1f; trapping / floor %.3f (goal <= 1.2)%n", raw, va0,
                    va0 / raw, pass, pass / raw, trapping, bare, trapping / bare);
            for (String tar : List.of("big tar", "tar")) {
                double tarRaw = Commands.median(figures.get(tar + " raw")), tarSud = Commands.median(figures.get(tar + " trace SUD"));
                double tarVa0 = Commands.median(figures.get(tar + " trace VA0"));
                double tarStrace = Commands.median(figures.get(tar + " strace -f"));
                System.out.printf("%s ms: raw %.0f, traced under VA0 %.0f (%.2fx raw), under SUD %.0f (%.2fx raw), strace -f"
                        + " %.0f; strace / SUD %.2f (goal >= 10), strace / VA0 %.2f%n", tar, tarRaw, tarVa0, tarVa0 / tarRaw,
                        tarSud, tarSud / tarRaw, tarStrace, tarStrace / tarSud, tarStrace / tarVa0);
            }
            double jRaw = Commands.median(figures.get("java -version raw"));
            double jRun = Commands.median(figures.get("java -version run SUD")), jTrace = Commands.median(figures.get("java -version trace SUD"));
            System.out.printf("java -version ms: raw %.0f, run under SUD %.0f (%.2fx), trace under SUD %.0f (%.2fx)%n",
                    jRaw, jRun, jRun / jRaw, jTrace, jTrace / jRaw);
            double vRun = Commands.median(figures.get("java -version run VA0")), vTrace = Commands.median(figures.get("java -version trace VA0"));
            System.out.printf("java -version ms from VA0 (SUD from libjvm.so on): run %.0f (%.2fx), trace %.0f (%.2fx)%n",
                    vRun, vRun / jRaw, vTrace, vTrace / jRaw);
        } finally {
            run(List.of("rm", "-rf", tree.toString()), none);
        }
    }

    private static void tarRound(Map<String, double[]> figures, String name, int r, int rounds, List<String> tar, String jpoline,
            Map<String, String> sud, Map<String, String> none) throws Exception {
        Commands.put(figures, name + " raw", r, rounds, timeMs(tar, none));
        List<String> trace = List.of(jpoline, "trace", "-o", "/dev/null", "--");
        Commands.put(figures, name + " trace VA0", r, rounds, timeMs(Commands.prefixed(trace, tar), none));
        Commands.put(figures, name + " trace SUD", r, rounds, timeMs(Commands.prefixed(trace, tar), sud));
        Commands.put(figures, name + " strace -f", r, rounds, timeMs(Commands.prefixed(List.of("strace", "-f", "-o", "/dev/null"), tar), none));
    }



    private static double number(String out) {
        return Double.parseDouble(out.strip());
    }

    private static double timeMs(List<String> command, Map<String, String> env) throws Exception {
        return Commands.timeMs(command, env, Commands.Stderr.DISCARD, 300);
    }

    private static String run(List<String> command, Map<String, String> env) throws Exception {
        return Commands.run(command, env, Commands.Stderr.DISCARD, 300);
    }
}
