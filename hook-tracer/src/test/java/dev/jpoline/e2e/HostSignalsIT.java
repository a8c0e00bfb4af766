package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host outlives a program that handles Ctrl-C, and passes SIGTERM on to the program. */
class HostSignalsIT {
    @TempDir Path temp;

    @BeforeAll
    static void va0() throws Exception {
        Programs.requireVa0();
    }

    private static Process start(String script) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Programs.underJpoline(List.of("sh", "-c", script)));
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /**
     * The program's pid, once the host has started it and the shell catches {@code signal}. The
     * shell is the child whose command line is {@code sh -c SCRIPT}: before the launcher script
     * execs the JVM, its own subshells are children too, with the launcher's command line (which
     * holds the script as an argument), and they may catch SIGINT while they wait.
     */
    private static ProcessHandle programOf(Process host, int signal) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            var child = host.children().filter(HostSignalsIT::runsTheScript).findFirst();
            if (child.isPresent() && catches(child.get().pid(), signal)) {
                return child.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the host started no program that catches signal " + signal + " within 20 s");
    }

    private static boolean runsTheScript(ProcessHandle p) {
        try {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/" + p.pid() + "/cmdline")),
                    StandardCharsets.UTF_8).startsWith("sh\0-c\0trap '");
        } catch (java.io.IOException e) {
            return false; // gone
        }
    }

    /** Whether the process has a handler for the signal (its trap is installed): /proc's SigCgt. */
    private static boolean catches(long pid, int signal) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("SigCgt:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) >>> (signal - 1) & 1) != 0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return false; // not started yet, or gone
        }
        return false;
    }

    private static void kill(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static String finish(Process host) throws Exception {
        try {
            assertThat(host.waitFor(30, TimeUnit.SECONDS)).as("jpoline finished").isTrue();
            return new String(host.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            host.descendants().forEach(ProcessHandle::destroyForcibly);
            host.destroyForcibly();
        }
    }

    @Test
    void ctrlCReachesTheProgramAndTheHostReportsItsStatus() throws Exception {
        Process host = start("trap 'kill $!; echo got INT; exit 3' INT; sleep 20 >/dev/null 2>&1 & wait");
        ProcessHandle program = programOf(host, 2);
        // What a terminal does: SIGINT to the whole foreground group, host and program.
        kill("INT", host.pid());
        kill("INT", program.pid());
        String output = finish(host);
        assertThat(output).isEqualTo("got INT\n");
        assertThat(host.exitValue()).isEqualTo(3);
    }

    @Test
    void sigtermToJpolineIsPassedOnToTheProgram() throws Exception {
        Process host = start("trap 'kill $!; echo got TERM; exit 4' TERM; sleep 20 >/dev/null 2>&1 & wait");
        programOf(host, 15);
        kill("TERM", host.pid());
        String output = finish(host);
        assertThat(output).isEqualTo("got TERM\n");
        assertThat(host.exitValue()).isEqualTo(4);
    }
}
