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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the root {@code ./jpoline} launcher against the jar this build just packaged. */
class LauncherIT {
    private static final Path ROOT = Path.of(System.getProperty("jpoline.repo.root", "..")).toAbsolutePath();

    @TempDir Path temp;

    record Result(int exit, String out, String err) {}

    private static Result launch(Path script, String... args) throws Exception {
        return launch(script, Map.of(), args);
    }

    private static Result launch(Path script, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add(script.toString());
        pb.command().addAll(List.of(args));
        pb.environment().putAll(env);
        // Never let a test start a nested Maven build.
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        // Files, not pipes: a class-loading log fills a pipe long before the process ends.
        Path out = Files.createTempFile("launcher-it", ".out");
        Path err = Files.createTempFile("launcher-it", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("launcher did not finish within 60 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
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

    private static final Path TARGET = ROOT.resolve("hook-tracer/target");
    /** Class loading on stdout, to see where classes come from: the archive is "(top)". */
    private static final Map<String, String> CLASS_LOG = Map.of("JPOLINE_JAVA_OPTS", "-Xlog:class+load=info");

    private static String sourceOf(String output, String className) {
        for (String line : output.lines().toList()) {
            if (line.contains(" " + className + " source: ")) {
                return line.substring(line.indexOf(" source: ") + 9);
            }
        }
        throw new AssertionError(className + " was not loaded:\n" + output);
    }

    /** Script, jar, archive and its JVM line copied to {@code dir}, the archive made newer than the jar. */
    private static Path layout(Path dir, String jvmLine) throws IOException {
        Path script = dir.resolve("jpoline");
        Files.copy(ROOT.resolve("jpoline"), script, StandardCopyOption.COPY_ATTRIBUTES);
        Path target = Files.createDirectories(dir.resolve("hook-tracer/target"));
        Files.copy(TARGET.resolve("jpoline.jar"), target.resolve("jpoline.jar"));
        Files.copy(TARGET.resolve("jpoline.jsa"), target.resolve("jpoline.jsa"));
        Files.writeString(target.resolve("jpoline.jsa.jvm"), jvmLine);
        Instant jar = Files.getLastModifiedTime(target.resolve("jpoline.jar")).toInstant();
        Files.setLastModifiedTime(target.resolve("jpoline.jsa"), FileTime.from(jar.plusSeconds(5)));
        return script;
    }

    private static String recordedJvm() throws IOException {
        Path line = TARGET.resolve("jpoline.jsa.jvm");
        Assumptions.assumeTrue(Files.exists(line) && Files.exists(TARGET.resolve("jpoline.jsa")),
                "the build made no CDS archive (see hook-tracer/target/cds-training/training.log)");
        return Files.readString(line).strip();
    }

    @Test
    void theBuildsArchiveServesTheJvmThatMadeIt() throws Exception {
        String jvm = recordedJvm();
        String javaPath = jvm.substring(jvm.indexOf(' ') + 1);
        Result r = launch(ROOT.resolve("jpoline"), Map.of("JAVA_HOME", Path.of(javaPath).getParent().getParent().toString(),
                "JPOLINE_JAVA_OPTS", "-Xlog:class+load=info"), "--version");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(sourceOf(r.out(), "dev.jpoline.cli.Main")).isEqualTo("shared objects file (top)");
    }

    @Test
    void anArchiveOfAnotherJvmIsNotPassedAndTheJdksOwnStaysInUse() throws Exception {
        String jvm = recordedJvm();
        Path script = layout(temp, "0.0.0-another-build" + jvm.substring(jvm.indexOf(' ')));
        Result r = launch(script, CLASS_LOG, "--version");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(sourceOf(r.out(), "java.lang.Object")).isEqualTo("shared objects file");
        assertThat(sourceOf(r.out(), "dev.jpoline.cli.Main")).startsWith("file:");
    }

    @Test
    void anArchiveTheJvmRejectsCostsNoWordOnStdoutOrStderr() throws Exception {
        // The copied jar is not the one the archive was made for: the JVM refuses the archive.
        Path script = layout(temp, recordedJvm());
        Result r = launch(script, "--version");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out().lines()).hasSize(3).first().asString().startsWith("jpoline 0.1.0-SNAPSHOT");
    }

    @Test
    void anotherInstalledJdkRunsWithoutTheArchiveAndWithoutWarnings() throws Exception {
        String jvm = recordedJvm();
        String version = jvm.substring(0, jvm.indexOf(' '));
        Path other = null;
        try (var homes = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path home : homes.sorted().toList()) {
                Path release = home.resolve("release");
                if (Files.isExecutable(home.resolve("bin/java")) && Files.exists(release)
                        && !Files.readString(release).contains("JAVA_RUNTIME_VERSION=\"" + version + "\"")) {
                    other = home;
                }
            }
        } catch (IOException e) {
            other = null;
        }
        Assumptions.assumeTrue(other != null, "no other JDK under /usr/lib/jvm");
        Result r = launch(ROOT.resolve("jpoline"), Map.of("JAVA_HOME", other.toString()), "--version");
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines()).hasSize(3).first().asString().startsWith("jpoline 0.1.0-SNAPSHOT");
    }

    @Test
    void jnaLoadsItsLibraryFromWhereTheBuildPutIt() throws Exception {
        Path lib = TARGET.resolve("jna/libjnidispatch.so");
        Assumptions.assumeTrue(Files.exists(lib), "the build did not take JNA's library out of the jar");
        String minAddr = Files.readString(Path.of("/proc/sys/vm/mmap_min_addr")).strip();
        Assumptions.assumeTrue(minAddr.equals("0") || "true".equals(System.getenv("CI")),
                "vm.mmap_min_addr is " + minAddr + "; run: sudo sysctl -w vm.mmap_min_addr=0");
        Result r = launch(ROOT.resolve("jpoline"), Map.of("JPOLINE_JAVA_OPTS", "-Xlog:library=info"), "run", "--", "true");
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        // Loaded in place, not copied to a temporary file first.
        assertThat(r.out()).contains("Loaded library " + lib.toRealPath() + ",");
    }

    private static void touchNewerThan(Path file, Path than) throws IOException {
        Instant reference = Files.getLastModifiedTime(than).toInstant();
        Files.setLastModifiedTime(file, FileTime.from(reference.plusSeconds(60)));
    }
}
