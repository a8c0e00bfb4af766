package dev.jpoline.inlinehook.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ptrace component on a live target: stops, injected syscalls, detach, blocked syscalls unharmed. */
class RemoteProcessTest {
    private static final Path SOURCES = Path.of("src/test/c");
    private static final Path BIN = Path.of("target/test-bin");
    private DetachedTarget target;

    static Path build(String name) throws Exception {
        Files.createDirectories(BIN);
        Path out = BIN.resolve(name);
        Process gcc = new ProcessBuilder("gcc", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread", "-o", out.toString(),
                SOURCES.resolve(name + ".c").toString()).redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(120, TimeUnit.SECONDS) && gcc.exitValue() == 0).as(log).isTrue();
        return out;
    }

    /** Whether any thread of {@code pid} is still traced (TracerPid not 0). */
    static List<String> tracedThreads(long pid) throws Exception {
        List<String> traced = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                List<String> status;
                try {
                    status = Files.readAllLines(task.resolve("status"));
                } catch (java.io.IOException e) {
                    continue; // a thread that ended meanwhile (ENOENT, or ESRCH while it goes)
                }
                for (String line : status) {
                    if (line.startsWith("TracerPid:") && !line.endsWith("\t0")) {
                        traced.add(task.getFileName() + " " + line);
                    }
                }
            }
        }
        return traced;
    }

    @AfterEach
    void kill() {
        if (target != null) {
            target.close();
        }
    }

    @Test
    void injectedSyscallsAndDetachLeaveBlockedCallsAsTheyWere() throws Exception {
        Path bin = build("remote_blocked");
        target = DetachedTarget.start(bin);
        long pid = target.pid;
        for (int round = 0; round < 5; round++) {
            try (RemoteProcess p = RemoteProcess.attach(pid)) {
                p.stopAll(2000);
                assertThat(p.tids()).hasSize(6);
                int tid = p.tids().get(round % 6);
                Registers before = p.registers(tid);
                RemoteCall calls = RemoteCall.bootstrap(p, tid);
                assertThat(calls.syscall(tid, 39)).isEqualTo(pid); // getpid
                assertThat(calls.syscall(tid, 186)).isEqualTo(tid); // gettid
                calls.release(tid);
                assertThat(p.registers(tid)).isEqualTo(before);
            }
            assertThat(tracedThreads(pid)).isEmpty();
        }
        target.send("go");
        List<String> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(target.line(10_000));
        }
        assertThat(results).containsExactly("read 1 ok", "nanosleep 0 ok", "futex 0 ok", "accept 0 ok", "epoll_wait 1 ok");
        assertThat(target.awaitEnd(10_000)).isTrue();
    }

    @Test
    void badTargetsAreOneLineErrors() {
        assertThatThrownBy(() -> RemoteProcess.attach(0)).hasMessageContaining("no such process");
        assertThatThrownBy(() -> RemoteProcess.attach(Integer.MAX_VALUE - 1)).hasMessageContaining("no such process");
        assertThatThrownBy(() -> RemoteProcess.attach(ProcessHandle.current().pid())).hasMessageContaining("jpoline itself");
    }
}
