package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Builds the e2e C programs and runs commands raw or under {@code ./jpoline run}, bounded in time. */
final class Programs {
    static final Path ROOT = Path.of(System.getProperty("jpoline.repo.root", "..")).toAbsolutePath().normalize();
    static final Path SOURCES = ROOT.resolve("hook-tracer/src/test/c/e2e");
    static final Path BIN = ROOT.resolve("hook-tracer/target/e2e-bin");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private Programs() {}

    record Result(int exit, String out, String err) {
        String describe() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    /**
     * Skips (or, under CI=true, fails) when jpoline cannot catch syscalls here: address 0 is not
     * mappable and the kernel has no Syscall User Dispatch (before 5.11).
     */
    static void requireVa0() throws IOException {
        if (!underSud()) {
            return;
        }
        String[] release = System.getProperty("os.version").split("[^0-9]+", 3);
        int major = Integer.parseInt(release[0]), minor = Integer.parseInt(release[1]);
        if (major < 5 || (major == 5 && minor < 11)) {
            String message = "vm.mmap_min_addr is " + mmapMinAddr() + " and the kernel has no SUD; run: sudo sysctl -w"
                    + " vm.mmap_min_addr=0";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true but " + message);
            }
            Assumptions.abort(message);
        }
    }

    /** Skips (or, under CI=true, fails) when strace, which the comparisons run beside jpoline, is missing. */
    static void requireStrace() throws Exception {
        Result r = run(List.of("strace", "-V"), Map.of(), null, Duration.ofSeconds(10));
        if (r.exit() != 0) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true but strace does not run (.ci/run installs it): " + r.describe());
            }
            Assumptions.abort("strace is not installed (.ci/run installs it)");
        }
    }

    /**
     * Whether the programs the tests start catch their syscalls with Syscall User Dispatch: the
     * SUD half of the matrix (JPOLINE_NO_VA0=1, which failsafe's "sud" execution sets), or a
     * machine where page 0 cannot be mapped.
     */
    static boolean underSud() throws IOException {
        return "1".equals(System.getenv("JPOLINE_NO_VA0")) || !mmapMinAddr().equals("0");
    }

    /** In one read: the kernel ends a sysctl read at any offset but 0. */
    static String mmapMinAddr() throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/vm/mmap_min_addr"))) {
            byte[] b = new byte[64];
            int n = in.read(b);
            return new String(b, 0, Math.max(n, 0), StandardCharsets.US_ASCII).strip();
        }
    }

    /**
     * Compiles {@code name}.c from the e2e sources (once per build) and returns the binary; a
     * name with a '/' is a source of another module, relative to the repository root.
     */
    static synchronized Path build(String name, String... extraFlags) throws Exception {
        Files.createDirectories(BIN);
        Path source = name.contains("/") ? ROOT.resolve(name + ".c") : SOURCES.resolve(name + ".c");
        name = source.getFileName().toString().replaceFirst("\\.c$", "");
        boolean shared = List.of(extraFlags).contains("-shared");
        // A static build of a source gets its own name: the cache below goes by name.
        Path out = BIN.resolve(shared ? name + ".so" : List.of(extraFlags).contains("-static") ? name + "-static" : name);
        if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(source)) > 0) {
            return out;
        }
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", out.toString(),
                source.toString()));
        cmd.addAll(List.of(extraFlags));
        cmd.add("-ldl");
        Result r = run(cmd, Map.of(), null, Duration.ofSeconds(60));
        assertThat(r.exit()).as("gcc %s\n%s", name, r.err()).isZero();
        return out;
    }

    /**
     * An environment that loads jpoline's runtime without a session (its constructor then does
     * nothing): the loader of a program strace runs with it does what it does under jpoline trace,
     * which follows the loader too (docs/ptrace-window.md).
     */
    static Map<String, String> runtimePreloaded() {
        return Map.of("LD_PRELOAD", dev.jpoline.runtime.RuntimeLibrary.bundled().extract().toString());
    }

    /** {@code jpoline trace ARGS...}. */
    static List<String> jpolineTrace(String... args) {
        return jpolineTrace(List.of(args));
    }

    static List<String> jpolineTrace(List<String> args) {
        return concat(List.of(ROOT.resolve("jpoline").toString(), "trace"), args);
    }

    /** {@code a} then {@code b}. */
    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The command as run under jpoline. */
    static List<String> underJpoline(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("jpoline").toString(), "run", "--"));
        cmd.addAll(command);
        return cmd;
    }

    /** The command as run under {@code jpoline trace -o /dev/null} (signal wrappers and all). */
    static List<String> underJpolineTrace(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("jpoline").toString(), "trace", "-o", "/dev/null", "--"));
        cmd.addAll(command);
        return cmd;
    }

    static Result run(List<String> command, Map<String, String> env, Path cwd, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        if (cwd != null) {
            pb.directory(cwd.toFile());
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(p);
                throw new AssertionError("timed out after " + timeout + ": " + command + "\nstdout so far: "
                        + out.getNow("") + "\nstderr so far: " + err.getNow(""));
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } finally {
            killTree(p);
        }
    }

    private static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<read failed: " + e + ">";
            }
        });
    }
}
