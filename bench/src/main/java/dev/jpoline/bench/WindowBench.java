package dev.jpoline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ptrace window (docs/ptrace-window.md) in one run, rounds interleaved so that every figure
 * sees the same machine load:
 *
 * <ul>
 *   <li>a static program's getpid loop raw, under {@code jpoline trace} (followed with ptrace to
 *       its end) and under {@code strace -f}, both writing to /dev/null (goal: strace's speed);
 *   <li>the start cost per exec: {@code sh} running {@code /bin/true} N and 2N times, raw, under
 *       {@code jpoline trace -f}, the same without windows for exec'd programs
 *       ({@code JPOLINE_EXEC_WINDOWS=0}), with {@code -e trace=execve} (no call a loader makes is
 *       shown, so no loader windows) and under {@code strace -f}; the difference of the two
 *       lengths is the per-exec cost alone, without the once-per-run costs;
 *   <li>the big workload, tar of /usr/lib and /usr/share, raw, traced and under strace -f;
 *   <li>{@code -c} totals against {@code strace -f -c} for the programs of ExecWindowIT.
 * </ul>
 *
 * <p>Run: {@code bench/run-main WindowBench [rounds]} from the repository root. Medians.
 */
public final class WindowBench {
    private static final String CALLS = "100000";
    private static final int EXECS = 100;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path root = Path.of("").toAbsolutePath();
        String jpoline = root.resolve("jpoline").toString();
        Path loop = Commands.compile(root.resolve("bench/src/main/c/syscall_loop.c"),
                root.resolve("bench/target/syscall_loop_static"), List.of("-O2", "-static"));
        List<String> program = List.of(loop.toString(), "getpid", CALLS);
        List<String> trace = List.of(jpoline, "trace", "-f", "-o", "/dev/null", "--");
        List<String> strace = List.of("strace", "-f", "-o", "/dev/null");
        List<String> execveOnly = List.of(jpoline, "trace", "-f", "-e", "trace=execve", "-o", "/dev/null", "--");
        List<String> tar = List.of("tar", "-cf", "/dev/null", "-C", "/", "usr/lib", "usr/share");
        Map<String, String> noWindows = Map.of("JPOLINE_EXEC_WINDOWS", "0");
        Map<String, double[]> f = new HashMap<>();
        for (int r = 0; r < rounds; r++) {
            Commands.put(f, "raw", r, rounds, time(program, Map.of()));
            Commands.put(f, "jpoline", r, rounds, time(Commands.prefixed(trace, program), Map.of()));
            Commands.put(f, "strace", r, rounds, time(Commands.prefixed(strace, program), Map.of()));
            Commands.put(f, "true", r, rounds, time(List.of(jpoline, "trace", "-o", "/dev/null", "--", "/bin/true"), Map.of()));
            Commands.put(f, "exec raw", r, rounds, perExec(List.of(), Map.of()));
            Commands.put(f, "exec trace", r, rounds, perExec(trace, Map.of()));
            Commands.put(f, "exec trace, no windows", r, rounds, perExec(trace, noWindows));
            Commands.put(f, "exec trace execve", r, rounds, perExec(execveOnly, Map.of()));
            Commands.put(f, "exec strace", r, rounds, perExec(strace, Map.of()));
            Commands.put(f, "tar raw", r, rounds, time(tar, Map.of()));
            Commands.put(f, "tar trace", r, rounds, time(Commands.prefixed(trace, tar), Map.of()));
            Commands.put(f, "tar strace", r, rounds, time(Commands.prefixed(strace, tar), Map.of()));
        }
        double raw = Commands.median(f.get("raw")), ours = Commands.median(f.get("jpoline"));
        double theirs = Commands.median(f.get("strace"));
        System.out.printf("static getpid x %s, ms: raw %.0f, jpoline trace %.0f, strace -f %.0f; jpoline / strace %.2f"
                + " (goal: about 1)%n", CALLS, raw, ours, theirs, ours / theirs);
        System.out.printf("jpoline trace -- /bin/true, ms: %.0f%n", Commands.median(f.get("true")));
        double execRaw = Commands.median(f.get("exec raw"));
        System.out.printf("exec of /bin/true from sh, ms each: raw %.2f; extra under jpoline trace -f %.2f, without windows"
                + " for exec'd programs %.2f, with -e trace=execve (no loader windows) %.2f, under strace -f %.2f (goal:"
                + " jpoline's extra under 3)%n", execRaw, Commands.median(f.get("exec trace")) - execRaw,
                Commands.median(f.get("exec trace, no windows")) - execRaw, Commands.median(f.get("exec trace execve")) - execRaw,
                Commands.median(f.get("exec strace")) - execRaw);
        double tarRaw = Commands.median(f.get("tar raw")), tarOurs = Commands.median(f.get("tar trace"));
        double tarTheirs = Commands.median(f.get("tar strace"));
        System.out.printf("tar of /usr/lib and /usr/share, ms: raw %.0f, jpoline trace -f %.0f (%.2fx raw), strace -f %.0f;"
                + " strace / jpoline %.1f%n", tarRaw, tarOurs, tarOurs / tarRaw, tarTheirs, tarTheirs / tarOurs);
        counts(jpoline);
    }

    /** Milliseconds per exec of /bin/true under {@code prefix}: N and 2N execs, the difference over N. */
    private static double perExec(List<String> prefix, Map<String, String> env) throws Exception {
        double shorter = time(Commands.prefixed(prefix, shLoop(EXECS)), env);
        double longer = time(Commands.prefixed(prefix, shLoop(2 * EXECS)), env);
        return (longer - shorter) / EXECS;
    }

    private static List<String> shLoop(int execs) {
        return List.of("sh", "-c", "for i in $(seq " + execs + "); do /bin/true; done");
    }

    private static final Pattern TOTAL = Pattern.compile("^100\\.00\\s+[0-9.]+\\s+\\d+\\s+(\\d+)\\s+.*total$", Pattern.MULTILINE);

    /** jpoline trace -f -c's total against strace -f -c's, once per program. */
    private static void counts(String jpoline) throws Exception {
        Path dir = Files.createTempDirectory("jpoline-window-bench");
        Files.writeString(dir.resolve("hello.c"), "int main(void) { return 0; }\n");
        Map<String, List<String>> programs = new java.util.LinkedHashMap<>();
        programs.put("ls", List.of("ls", "-la", "/usr"));
        programs.put("python3", List.of("python3", "-c", "import subprocess; subprocess.run(['true']); print(1)"));
        programs.put("sh pipeline", List.of("sh", "-c", "ls /usr/bin | sort | wc -l"));
        programs.put("tar", List.of("tar", "-cf", "/dev/null", "-C", "/usr", "include/linux"));
        programs.put("git", List.of("git", "log", "--oneline", "-3"));
        programs.put("node", List.of("node", "-e", "console.log(1)"));
        programs.put("perl", List.of("perl", "-e", "print 1"));
        programs.put("gcc", List.of("gcc", "-o", dir.resolve("hello").toString(), dir.resolve("hello.c").toString()));
        StringBuilder line = new StringBuilder("-c totals, jpoline / strace:");
        for (Map.Entry<String, List<String>> p : programs.entrySet()) {
            Path ours = dir.resolve("ours.txt"), theirs = dir.resolve("theirs.txt");
            Files.deleteIfExists(dir.resolve("hello"));
            Commands.run(Commands.prefixed(List.of(jpoline, "trace", "-f", "-c", "-o", ours.toString(), "--"), p.getValue()),
                    Map.of(), Commands.Stderr.DISCARD, 300);
            Files.deleteIfExists(dir.resolve("hello"));
            Commands.run(Commands.prefixed(List.of("strace", "-f", "-c", "-o", theirs.toString()), p.getValue()), Map.of(),
                    Commands.Stderr.DISCARD, 300);
            int a = total(ours), b = total(theirs);
            line.append(String.format(" %s %d/%d = %.1f%%;", p.getKey(), a, b, 100.0 * a / b));
        }
        System.out.println(line);
        List<Path> left = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.forEach(left::add);
        }
        for (Path p : left) {
            Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    private static int total(Path table) throws Exception {
        Matcher m = TOTAL.matcher(Files.readString(table));
        if (!m.find()) {
            throw new IllegalStateException("no total in " + table + ":\n" + Files.readString(table));
        }
        return Integer.parseInt(m.group(1));
    }

    private static double time(List<String> command, Map<String, String> env) throws Exception {
        return Commands.timeMs(command, env, Commands.Stderr.DISCARD, 300);
    }
}
