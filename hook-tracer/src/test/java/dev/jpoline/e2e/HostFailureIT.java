package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.host.Session;
import dev.jpoline.runtime.RuntimeLibrary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN.md invariant 5: a host that never answers, or is gone, never hangs a target. */
class HostFailureIT {
    @TempDir Path temp;

    @BeforeAll
    static void va0() throws Exception {
        Programs.requireVa0();
    }

    private Map<String, String> joining(Session session) {
        return Map.of("LD_PRELOAD", RuntimeLibrary.bundled().extract(temp.resolve("cache")).toString(),
                Session.ENV, session.file().toString());
    }

    @Test
    void aHostThatNeverAnswersIsGivenUpOnWithinTheTimeout() throws Exception {
        Path program = Programs.build("exec_chain");
        // A live session (heartbeat running) that nobody serves: a stuck host.
        try (Session session = Session.create(4, 400)) {
            long start = System.nanoTime();
            Programs.Result r = Programs.run(List.of(program.toString()), joining(session), temp, Duration.ofSeconds(30));
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.out()).isEqualTo("parent ran\nchild ran\n");
            assertThat(r.exit()).isZero();
            assertThat(r.err()).isEmpty();
            assertThat(session.processesRegistered()).isEqualTo(1);
            assertThat(session.processesThatGaveUp()).isEqualTo(1);
            // The first process waited about one timeout; it marked the session dead, so the
            // exec'd child did not wait at all.
            assertThat(session.isLive()).isFalse();
            assertThat(elapsedMs).isLessThan(10_000);
        }
    }

    @Test
    void aClosedSessionIsLeftAloneByNewProcesses() throws Exception {
        Path program = Programs.build("exec_chain");
        Session session = Session.create(4, 5000);
        Map<String, String> env = joining(session);
        session.close(); // the host left: file gone, state dead
        Programs.Result r = Programs.run(List.of(program.toString()), env, temp, Duration.ofSeconds(30));
        assertThat(r.out()).isEqualTo("parent ran\nchild ran\n");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
    }

    @Test
    void killingTheHostLeavesTheTargetRunningToCompletion() throws Exception {
        Path program = Programs.build("exec_chain");
        Path marker = temp.resolve("done");
        // The target outlives the host: it sleeps, then execs children that must still run.
        ProcessBuilder pb = new ProcessBuilder(Programs.underJpoline(List.of("sh", "-c",
                "sleep 2; " + program + " > " + marker + " 2>&1")));
        pb.environment().put("JPOLINE_NO_BUILD", "1");
        pb.redirectErrorStream(true).redirectOutput(temp.resolve("host.log").toFile());
        Process host = pb.start();
        try {
            Thread.sleep(1000);
            // jpoline's launcher script execs java, so the process is the host JVM itself.
            host.destroyForcibly();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && !(java.nio.file.Files.exists(marker)
                    && java.nio.file.Files.readString(marker).contains("child ran"))) {
                Thread.sleep(100);
            }
            assertThat(marker).exists();
            assertThat(java.nio.file.Files.readString(marker)).isEqualTo("parent ran\nchild ran\n");
        } finally {
            host.descendants().forEach(ProcessHandle::destroyForcibly);
            host.destroyForcibly();
        }
    }
}
