package dev.jpoline.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When a failed rewrite is worth a line: only while its target still lives. */
class HostRewritingTest {
    @Test
    void aLiveProcessHasNotExited() {
        assertThat(HostRewriting.exited((int) ProcessHandle.current().pid())).isFalse();
    }

    @Test
    void aGoneProcessHasExited() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(HostRewriting.exited((int) p.pid())).isTrue();
    }

    @Test
    void aZombieHasExited() throws Exception {
        // sh forks a child that exits at once and execs a sleeper that never reaps it.
        Process sh = new ProcessBuilder("sh", "-c", "true & exec sleep 5").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            ProcessHandle zombie = null;
            while (zombie == null && System.nanoTime() < deadline) {
                zombie = sh.toHandle().children().findFirst().orElse(null);
                Thread.sleep(10);
            }
            assertThat(zombie).as("the unreaped child").isNotNull();
            int pid = (int) zombie.pid();
            while (!HostRewriting.exited(pid) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(HostRewriting.exited(pid)).isTrue();
            assertThat(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/" + pid))).as("still a zombie").isTrue();
        } finally {
            sh.destroyForcibly();
            sh.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
