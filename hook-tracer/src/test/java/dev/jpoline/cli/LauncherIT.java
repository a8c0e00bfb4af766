package dev.jpoline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the root {@code ./jpoline} launcher against the jar this build just packaged. */
class LauncherIT {
    private static final Path ROOT = Path.of(System.getProperty("jpoline.repo.root", "..")).toAbsolutePath();

    @TempDir Path temp;

    record Result(int exit, String out, String err) {}

    private static Result launch(Path script, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add(script.toString());
        pb.command().addAll(List.of(args));
        // Never let a test start a nested Maven build.
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        Process p = pb.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("launcher did not finish within 60 s");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void versionRunsThroughTheLauncher() throws Exception {
        Result r = launch(ROOT.resolve("jpoline"), "--version");
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("jpoline 0.1.0-SNAPSHOT").contains("libjpoline.so sha256:");
    }

    @Test
    void launcherNoticesSourcesNewerThanTheJar() throws Exception {
        // A copy of the layout the launcher expects, so the real tree is left alone.
        Path script = temp.resolve("jpoline");
        Files.copy(ROOT.resolve("jpoline"), script, StandardCopyOption.COPY_ATTRIBUTES);
        Path jar = temp.resolve("hook-tracer/target/jpoline.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(ROOT.resolve("hook-tracer/target/jpoline.jar"), jar);
        Path source = temp.resolve("rewriter/src/main/java/A.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class A {}");
        Files.setLastModifiedTime(source, FileTime.from(Instant.now().minusSeconds(3600)));

        assertThat(launch(script, "--version").exit()).isZero();

        touchNewerThan(source, jar);
        Result stale = launch(script, "--version");
        assertThat(stale.exit()).isEqualTo(2);
        assertThat(stale.err()).contains("older than the sources").contains("JPOLINE_NO_BUILD=1");
        assertThat(stale.out()).isEmpty();
    }

    private static void touchNewerThan(Path file, Path than) throws IOException {
        Instant reference = Files.getLastModifiedTime(than).toInstant();
        Files.setLastModifiedTime(file, FileTime.from(reference.plusSeconds(60)));
    }
}
