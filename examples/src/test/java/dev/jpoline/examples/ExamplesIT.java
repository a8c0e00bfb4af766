package dev.jpoline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each example hooks a real program through {@code jpoline run --hooks}: the program sees exactly the decision. */
class ExamplesIT {
    private static final Path ROOT = Path.of(System.getProperty("jpoline.repo.root", "..")).toAbsolutePath().normalize();
    private static final Path JAR = ROOT.resolve("examples/target/examples-0.1.0-SNAPSHOT.jar");

    @TempDir Path temp;

    record Result(int exit, String out, String err) {}

    @BeforeAll
    static void va0() throws IOException {
        // Under SUD (the "sud" failsafe execution, or a machine where page 0 cannot be mapped) the
        // examples run too; only a kernel without SUD and without page 0 cannot.
        String value;
        try (var in = Files.newInputStream(Path.of("/proc/sys/vm/mmap_min_addr"))) {
            byte[] b = new byte[64];
            value = new String(b, 0, Math.max(in.read(b), 0), java.nio.charset.StandardCharsets.US_ASCII).strip();
        }
        String[] release = System.getProperty("os.version").split("[^0-9]+", 3);
        boolean sud = Integer.parseInt(release[0]) > 5 || (release[0].equals("5") && Integer.parseInt(release[1]) >= 11);
        if (!value.equals("0") && !sud) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true but vm.mmap_min_addr is " + value);
            }
            Assumptions.abort("vm.mmap_min_addr is " + value + "; run: sudo sysctl -w vm.mmap_min_addr=0");
        }
        assertThat(JAR).exists();
    }

    private Result run(String hooks, List<String> properties, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("jpoline").toString(), "run", "--hooks",
                "dev.jpoline.examples." + hooks, "--classpath", JAR.toString(), "--"));
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(temp.toFile());
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        pb.environment().put("JPOLINE_JAVA_OPTS", String.join(" ", properties));
        pb.environment().put("LC_ALL", "C");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished: %s", cmd).isTrue();
            return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<" + e + ">";
            }
        });
    }

    @Test
    void denyListMakesCatFailWithPermissionDenied() throws Exception {
        Path secret = Files.writeString(temp.resolve("secret.txt"), "top secret\n");
        Path open = Files.writeString(temp.resolve("open.txt"), "hello\n");
        Result denied = run("DenyPaths", List.of("-Djpoline.deny=" + secret), "cat", secret.toString(), open.toString());
        assertThat(denied.out()).isEqualTo("hello\n");
        assertThat(denied.err()).isEqualTo("cat: " + secret + ": Permission denied\n");
        assertThat(denied.exit()).isEqualTo(1);
        // Relative paths are judged where the program stands.
        Result relative = run("DenyPaths", List.of("-Djpoline.deny=" + secret), "cat", "secret.txt");
        assertThat(relative.err()).isEqualTo("cat: secret.txt: Permission denied\n");
    }

    /** A C program of examples/src/test/c, built into the test's directory. */
    private Path build(String name) throws Exception {
        Path out = temp.resolve(name);
        Process gcc = new ProcessBuilder("gcc", "-O1", "-Wall", "-Werror", "-o", out.toString(),
                ROOT.resolve("examples/src/test/c/" + name + ".c").toString()).redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc %s: %s", name, log).isZero();
        return out;
    }

    @Test
    void openat2StatAndLstatAreDeniedAsOpenatIs() throws Exception {
        Path secret = Files.writeString(temp.resolve("secret.txt"), "top secret\n");
        Path open = Files.writeString(temp.resolve("open.txt"), "hello\n");
        Path program = build("open_paths");
        Result raw = run("DenyPaths", List.of("-Djpoline.deny=/nothing-here"), program.toString(), secret.toString());
        assertThat(raw.out()).isEqualTo("openat2 " + secret + ": ok\nstat " + secret + ": ok\nlstat " + secret + ": ok\n");
        Result denied = run("DenyPaths", List.of("-Djpoline.deny=" + secret), program.toString(), secret.toString(),
                open.toString(), "secret.txt");
        assertThat(denied.out()).isEqualTo("openat2 " + secret + ": errno 13\nstat " + secret + ": errno 13\nlstat "
                + secret + ": errno 13\n" + "openat2 " + open + ": ok\nstat " + open + ": ok\nlstat " + open + ": ok\n"
                + "openat2 secret.txt: errno 13\nstat secret.txt: errno 13\nlstat secret.txt: errno 13\n");
        assertThat(denied.exit()).isZero();
        // RESOLVE_IN_ROOT: "/secret.txt" is the one under the directory descriptor.
        Result inRoot = run("DenyPaths", List.of("-Djpoline.deny=" + secret), program.toString(), "--root",
                temp.toString(), "/secret.txt");
        assertThat(inRoot.out()).isEqualTo("openat2-in-root /secret.txt: errno 13\n");
        Result inRootAllowed = run("DenyPaths", List.of("-Djpoline.deny=" + secret), program.toString(), "--root",
                temp.toString(), "/open.txt");
        assertThat(inRootAllowed.out()).isEqualTo("openat2-in-root /open.txt: ok\n");
    }

    @Test
    void aJavaProgramsOwnOpenIsDeniedToo() throws Exception {
        Path secret = temp.resolve("secret.txt");
        Files.writeString(secret, "hidden\n");
        Files.writeString(temp.resolve("ReadIt.java"), "public class ReadIt { public static void main(String[] a) {"
                + " try { System.out.println(java.nio.file.Files.readString(java.nio.file.Path.of(a[0]))); }"
                + " catch (Exception e) { System.out.println(e.getClass().getSimpleName()); } } }");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Result denied = run("DenyPaths", List.of("-Djpoline.deny=" + secret), java, "ReadIt.java", secret.toString());
        assertThat(denied.err()).doesNotContain("jpoline");
        assertThat(denied.out()).as("a JVM's openat reaches the hooks like any program's")
                .isEqualTo("AccessDeniedException\n");
        assertThat(denied.exit()).isZero();
    }

    @Test
    void faultInjectionFailsEverySecondWriteOfMatchingFiles() throws Exception {
        Result r = run("FaultInjection", List.of("-Djpoline.fault.glob=**/*.log", "-Djpoline.fault.every=2"), "python3", "-c",
                "import os\n"
                        + "for name in ('a.log', 'b.txt'):\n"
                        + "    f = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)\n"
                        + "    for i in range(4):\n"
                        + "        try:\n"
                        + "            os.write(f, b'x'); print(name, 'ok')\n"
                        + "        except OSError as e:\n"
                        + "            print(name, e.strerror)\n");
        assertThat(r.out()).isEqualTo("a.log ok\na.log No space left on device\na.log ok\na.log No space left on device\n"
                + "b.txt ok\nb.txt ok\nb.txt ok\nb.txt ok\n");
        assertThat(r.exit()).isZero();
        assertThat(Files.readString(temp.resolve("a.log"))).isEqualTo("xx");
    }

    @Test
    void faultInjectionMakesCpFailAsDdDoes() throws Exception {
        // cp copies with copy_file_range and never writes; dd writes. Both must see the full disk.
        Files.writeString(temp.resolve("src.txt"), "hello world\n");
        List<String> everyCopy = List.of("-Djpoline.fault.glob=**/*.log", "-Djpoline.fault.every=1");
        Result cp = run("FaultInjection", everyCopy, "cp", "src.txt", "cp.log");
        assertThat(cp.err()).isEqualTo("cp: error copying 'src.txt' to 'cp.log': No space left on device\n");
        assertThat(cp.exit()).isEqualTo(1);
        // cp leaves the destination it created, with what was copied before the error: nothing.
        assertThat(temp.resolve("cp.log")).exists().isEmptyFile();

        Result dd = run("FaultInjection", everyCopy, "dd", "if=src.txt", "of=dd.log", "status=none");
        assertThat(dd.err()).isEqualTo("dd: error writing 'dd.log': No space left on device\n");
        assertThat(dd.exit()).isEqualTo(1);
        assertThat(temp.resolve("dd.log")).exists().isEmptyFile();

        // A file that does not match is copied whole.
        Result plain = run("FaultInjection", everyCopy, "cp", "src.txt", "copy.txt");
        assertThat(plain.err()).isEmpty();
        assertThat(plain.exit()).isZero();
        assertThat(temp.resolve("copy.txt")).hasContent("hello world\n");
    }

    @Test
    void redirectMakesCatReadAnotherFile() throws Exception {
        Path wanted = Files.writeString(temp.resolve("wanted.txt"), "the original\n");
        Path instead = Files.writeString(temp.resolve("instead.txt"), "the replacement\n");
        Result r = run("RedirectOpen", List.of("-Djpoline.redirect.from=" + wanted, "-Djpoline.redirect.to=" + instead),
                "cat", wanted.toString());
        assertThat(r.out()).isEqualTo("the replacement\n");
        assertThat(r.exit()).isZero();
    }

    @Test
    void byteCounterPrintsATableAtExit() throws Exception {
        Path in = Files.writeString(temp.resolve("in.txt"), "0123456789".repeat(100));
        Path out = temp.resolve("out.txt");
        Result r = run("ByteCounter", List.of(), "python3", "-c",
                "import os\nsrc = os.open('in.txt', os.O_RDONLY)\ndst = os.open('out.txt', os.O_WRONLY | os.O_CREAT)\n"
                        + "data = os.read(src, 4096)\nos.write(dst, data)\nos.write(dst, data[:10])\n");
        assertThat(r.exit()).isZero();
        assertThat(r.err().lines()).contains(
                String.format("%12s %12s  %s", "read", "written", "file"),
                String.format("%12d %12d  %s", 1000, 0, in),
                String.format("%12d %12d  %s", 0, 1010, out));
    }

    @Test
    void aHookClassThatCannotLoadStopsBeforeTheProgramStarts() throws Exception {
        Path marker = temp.resolve("ran");
        Result r = run("NoSuchHooks", List.of(), "touch", marker.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("jpoline: hook class dev.jpoline.examples.NoSuchHooks cannot be loaded from ")
                .contains("check --classpath");
        assertThat(marker).doesNotExist();
    }
}
