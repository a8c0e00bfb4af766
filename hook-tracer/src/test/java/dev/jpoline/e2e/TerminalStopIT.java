package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-Z of a traced program in a real terminal (a tmux pane): the program stops as it would
 * without jpoline, the shell says the job stopped, and {@code fg} lets it run on to its end, with
 * the whole trace written. tmux gets a socket of its own, and its server is killed at the end.
 */
class TerminalStopIT {
    @TempDir Path temp;

    private Programs.Result tmux(String socket, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        return Programs.run(cmd, Map.of(), temp, Duration.ofSeconds(20));
    }

    private static String state(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("State:")).findFirst().orElse("State: gone");
    }

    private String pane(String socket) throws Exception {
        return tmux(socket, "capture-pane", "-p", "-t", "jp").out();
    }

    /** Polls until the condition holds, for at most 20 s. */
    private static boolean eventually(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.call()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.call();
    }

    @Test
    void ctrlZStopsTheTracedProgramAndFgResumesIt() throws Exception {
        assertThat(Programs.run(List.of("sh", "-c", "command -v tmux"), Map.of(), temp, Programs.DEFAULT_TIMEOUT).exit())
                .as("tmux is needed (it is on the machines this project runs on)").isZero();
        String socket = "jpoline-test-" + ProcessHandle.current().pid();
        // A duration no other process has, to find the program by its command line.
        String seconds = "4." + ThreadLocalRandom.current().nextInt(100000, 999999);
        Path out = temp.resolve("trace.txt");
        try {
            assertThat(tmux(socket, "new-session", "-d", "-s", "jp", "-x", "160", "-y", "40", "bash", "--norc",
                    "--noprofile").exit()).isZero();
            // One command, not a list: bash would run the rest of a list once the job stops.
            tmux(socket, "send-keys", "-t", "jp", Programs.ROOT.resolve("jpoline") + " trace -o " + out + " -- sleep "
                    + seconds, "Enter");
            long[] pid = {0};
            assertThat(eventually(() -> {
                pid[0] = ProcessHandle.allProcesses()
                        .filter(p -> p.info().commandLine().orElse("").equals("/usr/bin/sleep " + seconds)
                                || p.info().arguments().map(a -> a.length == 1 && a[0].equals(seconds)).orElse(false))
                        .mapToLong(ProcessHandle::pid).findFirst().orElse(0);
                return pid[0] != 0 && state(pid[0]).contains("S (sleeping)");
            })).as("the program runs: %s", pane(socket)).isTrue();
            tmux(socket, "send-keys", "-t", "jp", "C-z");
            assertThat(eventually(() -> state(pid[0]).contains("T (stopped)"))).as(state(pid[0])).isTrue();
            assertThat(eventually(() -> pane(socket).contains("Stopped"))).as(pane(socket)).isTrue();
            Thread.sleep(300);
            assertThat(state(pid[0])).as("it stays stopped").contains("T (stopped)");
            tmux(socket, "send-keys", "-t", "jp", "fg", "Enter");
            assertThat(eventually(() -> !state(pid[0]).contains("T (stopped)"))).as(state(pid[0])).isTrue();
            assertThat(eventually(() -> Files.exists(out) && Files.readString(out).endsWith("+++ exited with 0 +++\n")))
                    .as("the whole trace, once it ended").isTrue();
            assertThat(Files.readString(out)).contains("execve(\"/usr/bin/sleep\"", "clock_nanosleep(");
            tmux(socket, "send-keys", "-t", "jp", "echo ended $?", "Enter");
            assertThat(eventually(() -> pane(socket).contains("ended 0"))).as(pane(socket)).isTrue();
        } finally {
            tmux(socket, "kill-server");
        }
    }
}
