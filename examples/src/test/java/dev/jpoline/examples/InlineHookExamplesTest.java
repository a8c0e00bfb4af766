package dev.jpoline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The inline-hook examples: in this JVM, and each example's main in a JVM of its own. */
class InlineHookExamplesTest {
    @Test
    void everyNameLookupOfThisJvmIsLoggedWithItsResult() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String name = "jpoline-lookup-" + ProcessHandle.current().pid() + ".invalid";
        try (NameLookupLog log = new NameLookupLog(new PrintStream(out, true, StandardCharsets.UTF_8))) {
            InetAddress.getAllByName("localhost");
            try {
                InetAddress.getAllByName(name);
            } catch (java.net.UnknownHostException expected) {
                // a name that cannot resolve still went through getaddrinfo
            }
            assertThat(log.lookups()).extracting(NameLookupLog.Lookup::node).contains("localhost", name);
            assertThat(log.lookups()).filteredOn(l -> name.equals(l.node())).allSatisfy(
                    l -> assertThat(l.result()).as("EAI_* code").isNegative());
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("getaddrinfo(localhost)", "getaddrinfo(" + name + ")");
        // closed: further lookups are not logged (and still work)
        String after = "jpoline-after-" + ProcessHandle.current().pid() + ".invalid";
        try {
            InetAddress.getAllByName(after);
        } catch (java.net.UnknownHostException expected) {
            // as before
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain(after);
    }

    @Test
    void aJniFunctionOfTheJdkItselfCanBeHooked() {
        int real = Runtime.getRuntime().availableProcessors();
        try (CpuCountOverride override = new CpuCountOverride(real + 61)) {
            assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(real + 61);
            override.set(3);
            assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(3);
            assertThat(override.realCount()).isEqualTo(real);
        }
        assertThat(Runtime.getRuntime().availableProcessors()).isEqualTo(real);
    }

    @Test
    void probesAtWritesSyscallInstructionsCountTheByteCountsThisJvmWrites() throws Exception {
        try (java.io.FileOutputStream devNull = new java.io.FileOutputStream("/dev/null");
                RegisterHistogram h = new RegisterHistogram("libc.so.6", "write", dev.jpoline.inlinehook.Register.RDX)) {
            assertThat(h.probes()).as("glibc's write has a syscall for each of its two paths").isNotEmpty();
            RegisterHistogram.writeSizes(devNull);
            // Other threads of this JVM may write too (the test runner's reports): at least these.
            assertThat(h.counts()).hasEntrySatisfying(10L, n -> assertThat(n).isGreaterThanOrEqualTo(3))
                    .hasEntrySatisfying(100L, n -> assertThat(n).isGreaterThanOrEqualTo(2))
                    .hasEntrySatisfying(1000L, n -> assertThat(n).isGreaterThanOrEqualTo(1));
            long hits = h.probes().stream().mapToLong(dev.jpoline.inlinehook.Hook::hits).sum();
            long seen = h.counts().values().stream().mapToLong(Long::longValue).sum();
            assertThat(hits).as("every hit counted once (none skipped on this thread)").isGreaterThanOrEqualTo(seen);
        }
    }

    @Test
    @Timeout(120)
    void theExamplesRunAsPrograms() throws Exception {
        String lookups = runMain("dev.jpoline.examples.NameLookupLog", "localhost");
        assertThat(lookups).contains("getaddrinfo(localhost) = 0").contains("localhost -> ");
        String cpus = runMain("dev.jpoline.examples.CpuCountOverride", "64");
        int real = Runtime.getRuntime().availableProcessors();
        assertThat(cpus).contains("before: " + real, "hooked: 64 (real " + real + ")", "after: " + real);
        String sizes = runMain("dev.jpoline.examples.RegisterHistogram");
        assertThat(sizes).contains("write's rdx (byte count) at its syscall instructions:", "  10: 3", "  100: 2",
                "  1000: 1");
    }

    /** The newest JDK of the machine: the engine meets another HotSpot (its JIT, its signal use, JNI). */
    private static final Path JDK_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @Test
    @Timeout(180)
    void theInlineHookExamplesRunOnJdk25Too() throws Exception {
        if (!java.nio.file.Files.isExecutable(JDK_25.resolve("bin/java"))) {
            assertThat(System.getenv("CI")).as("CI has Temurin 25 at " + JDK_25).isNotEqualTo("true");
            System.err.println("skipped: no JDK 25 at " + JDK_25);
            return;
        }
        String java = JDK_25.resolve("bin/java").toString();
        assertThat(runMainOn(java, "dev.jpoline.examples.NameLookupLog", "localhost")).contains("getaddrinfo(localhost) = 0");
        int real = Runtime.getRuntime().availableProcessors();
        assertThat(runMainOn(java, "dev.jpoline.examples.CpuCountOverride", "64")).contains("hooked: 64 (real " + real + ")");
        assertThat(runMainOn(java, "dev.jpoline.examples.RegisterHistogram")).contains("  10: 3", "  100: 2");
    }

    private static String runMain(String mainClass, String... args) throws Exception {
        return runMainOn(Path.of(System.getProperty("java.home"), "bin", "java").toString(), mainClass, args);
    }

    private static String runMainOn(String java, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        // JDK 24 and later warn about JNA's native access; the warning is not the output checked.
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String text = new String(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(text).isZero();
            return text;
        } finally {
            p.destroyForcibly();
        }
    }

    /** This JVM's class path, with a manifest-only booter jar expanded by the JVM itself. */
    private static String classPath() {
        String cp = ManagementFactory.getRuntimeMXBean().getClassPath();
        String extra = System.getProperty("surefire.test.class.path");
        return extra != null && !extra.isEmpty() ? extra : cp.replace(':', File.pathSeparatorChar);
    }
}
