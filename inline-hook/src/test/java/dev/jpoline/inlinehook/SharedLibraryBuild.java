package dev.jpoline.inlinehook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Builds a test's C source into a shared library with gcc, for the tests to load with JNA. */
public final class SharedLibraryBuild {
    private SharedLibraryBuild() {}

    /** gcc {@code flags} -shared -fPIC -o {@code out} {@code source}; fails the test with gcc's output. */
    public static Path compile(Path source, Path out, List<String> flags) {
        List<String> command = new ArrayList<>(List.of("gcc"));
        command.addAll(flags);
        command.addAll(List.of("-shared", "-fPIC", "-o", out.toString(), source.toString()));
        try {
            Files.createDirectories(out.getParent());
            Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            gcc.getOutputStream().close();
            byte[] output = gcc.getInputStream().readAllBytes();
            if (!gcc.waitFor(120, TimeUnit.SECONDS)) {
                gcc.destroyForcibly();
                throw new AssertionError("gcc hung compiling " + source);
            }
            if (gcc.exitValue() != 0) {
                throw new AssertionError("gcc failed for " + source + ":\n" + new String(output, StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot compile " + source, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
