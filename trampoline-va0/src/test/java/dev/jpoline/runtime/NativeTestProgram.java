package dev.jpoline.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A C test program from {@code src/test/c}, compiled with gcc against the freshly built
 * {@code libjpoline.so} and run with a timeout. The programs simulate rewritten code with their
 * own registered {@code call *%rax} sites.
 */
final class NativeTestProgram {
    static final Path MODULE = Path.of(System.getProperty("user.dir"));
    static final Path SOURCES = MODULE.resolve("src/test/c");
    static final Path RUNTIME_HEADERS = MODULE.resolve("src/main/c");
    static final Path LIBRARY_DIR = MODULE.resolve("target/classes/dev/jpoline/runtime/linux-x86-64");
    static final Path BINARIES = MODULE.resolve("target/native-tests");
    /** What a program exits with when page 0 cannot be mapped (see jp_test.h). */
    static final int EXIT_SKIP = 77;
    /** The JVM reports death by signal n as exit value 128 + n. */
    static final int KILLED_BY_SIGSEGV = 128 + 11;

    private static final long TIMEOUT_SECONDS = 60;
    private static final ConcurrentHashMap<String, Path> COMPILED = new ConcurrentHashMap<>();

    record Result(int exitCode, String stdout, String stderr) {
        Result assertSucceeded() {
            assertThat(exitCode).as("exit status; stdout:%n%s%nstderr:%n%s", stdout, stderr).isZero();
            return this;
        }

        Result assertKilledBySigsegv() {
            assertThat(exitCode).as("exit status (139 = killed by SIGSEGV); stdout:%n%s%nstderr:%n%s", stdout, stderr)
                    .isEqualTo(KILLED_BY_SIGSEGV);
            return this;
        }
    }

    private final Path binary;

    private NativeTestProgram(Path binary) {
        this.binary = binary;
    }

    /** Compiles {@code src/test/c/<name>.c} once per JVM. */
    static NativeTestProgram compile(String name) {
        return new NativeTestProgram(COMPILED.computeIfAbsent(name, NativeTestProgram::build));
    }

    private static Path build(String name) {
        try {
            Files.createDirectories(BINARIES);
            Path out = BINARIES.resolve(name);
            List<String> cmd = List.of("gcc", "-std=gnu11", "-O2", "-g", "-D_GNU_SOURCE",
                    "-Wall", "-Wextra", "-Werror",
                    // The programs' call sites push a return address below rsp, as rewritten code does;
                    // without a red zone the compiler never keeps data there.
                    "-mno-red-zone", "-fno-stack-protector", "-pthread",
                    "-I", RUNTIME_HEADERS.toString(), "-I", SOURCES.toString(),
                    "-o", out.toString(), SOURCES.resolve(name + ".c").toString(),
                    "-L", LIBRARY_DIR.toString(), "-ljpoline", "-Wl,-rpath," + LIBRARY_DIR);
            Result r = exec(cmd, 120);
            if (r.exitCode() != 0) {
                fail("gcc failed for " + name + ":\n" + r.stderr() + r.stdout());
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot compile " + name, e);
        }
    }

    /**
     * Runs the program. A program that reports page 0 unmappable is skipped, except with
     * CI=true, where that is a failure.
     */
    Result run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        Result r = exec(cmd, TIMEOUT_SECONDS);
        if (r.exitCode() == EXIT_SKIP) {
            String why = r.stdout().strip();
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and page 0 cannot be mapped: " + why);
            }
            Assumptions.abort(why);
        }
        return r;
    }

    private static Result exec(List<String> cmd, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).directory(MODULE.toFile()).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                // Kill by pid, this process and its children only.
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail(cmd.get(0) + " hung for " + timeoutSeconds + " s and was killed; stdout so far:\n"
                        + out.getNow(""));
            }
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new AssertionError("running " + cmd + " failed", e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<unreadable: " + e + ">";
            }
        });
    }
}
