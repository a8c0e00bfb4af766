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
    void aProbeInsideZlibsDeflateCountsTheFlushModesThisJvmUses() {
        byte[] input = new byte[1 << 16];
        RegisterHistogram.compress(input);
        try (RegisterHistogram h = new RegisterHistogram(RegisterHistogram.zlib(), "deflate", 2,
                dev.jpoline.inlinehook.Register.RSI)) {
            assertThat(h.counts()).isEmpty();
            RegisterHistogram.compress(input);
            assertThat(h.counts()).as("NO_FLUSH, SYNC_FLUSH, FULL_FLUSH, Z_FINISH").containsKeys(0L, 2L, 3L, 4L);
            assertThat(h.counts().keySet()).as("zlib's flush modes only").allSatisfy(v -> assertThat(v).isBetween(0L, 5L));
            long seen = h.counts().values().stream().mapToLong(Long::longValue).sum();
            assertThat(h.probe().hits()).as("every hit counted once").isEqualTo(seen);
            RegisterHistogram.compress(input);
            assertThat(h.probe().hits()).isEqualTo(2 * seen);
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
        String flushModes = runMain("dev.jpoline.examples.RegisterHistogram");
        assertThat(flushModes).contains("deflate's rsi (flush mode) at instruction 2", "  2: ", "  4: ");
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
        assertThat(runMainOn(java, "dev.jpoline.examples.RegisterHistogram")).contains("  2: ", "  4: ");
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
