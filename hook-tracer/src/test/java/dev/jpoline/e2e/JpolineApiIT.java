package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.Jpoline;
import dev.jpoline.api.Errno;
import dev.jpoline.api.hooks.SyscallCall;
import dev.jpoline.api.hooks.SyscallHooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API with hooks written right here, against a real program. */
class JpolineApiIT {
    @TempDir Path temp;

    @BeforeAll
    static void va0() throws Exception {
        Programs.requireVa0();
    }

    @Test
    void hooksSeeTheProgramsOpensAndDecideWhatItGets() throws Exception {
        Path allowed = Files.writeString(temp.resolve("allowed.txt"), "fine\n");
        Path secret = Files.writeString(temp.resolve("secret.txt"), "hidden\n");
        Path out = temp.resolve("out.txt");
        ConcurrentLinkedQueue<String> opened = new ConcurrentLinkedQueue<>();
        SyscallHooks hooks = new SyscallHooks() {
            @Override
            public long openat(SyscallCall call, int dirfd, String path, int flags, int mode) {
                opened.add(path);
                return path != null && path.endsWith("secret.txt") ? call.fail(Errno.EACCES) : call.proceed();
            }
        };
        Jpoline.Running running = Jpoline.launch(List.of("sh", "-c", "cat " + allowed + " " + secret + " > " + out
                + " 2>&1; exit 7"), hooks);
        assertThat(running.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(running.waitFor()).isEqualTo(7);
        assertThat(Files.readString(out)).isEqualTo("fine\ncat: " + secret + ": Permission denied\n");
        assertThat(opened).contains(allowed.toString(), secret.toString(), out.toString());
    }

    @Test
    void aGenericHookCanRewriteResults() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        @dev.jpoline.api.hooks.HookSyscalls("getppid")
        final class FakeParent implements SyscallHooks {
            @Override
            public long syscall(SyscallCall call) {
                calls.incrementAndGet();
                call.proceed();
                return 4242;
            }
        }
        Path out = temp.resolve("ppid.txt");
        Jpoline.Running running = Jpoline.launch(List.of("python3", "-c",
                "import os; open('" + out + "', 'w').write(str(os.getppid()))"), new FakeParent());
        assertThat(running.waitFor()).isZero();
        assertThat(Files.readString(out)).isEqualTo("4242");
        assertThat(calls.get()).isPositive();
    }

    @dev.jpoline.api.hooks.HookSyscalls("getpriority")
    public static final class HoldsOneCall implements SyscallHooks {
        @Override
        public long syscall(SyscallCall call) {
            if (call.arg(1) == 777) {
                try {
                    Thread.sleep(1500); // a slow hook: only its own caller may wait for it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return call.proceed();
        }
    }

    @Test
    void aSlowHookHoldsOnlyItsCallerEvenAgainstItsOwnSignalHandler() throws Exception {
        Path program = Programs.build("hook_concurrency");
        Path out = temp.resolve("out.txt");
        Jpoline.Running running = Jpoline.launch(List.of("sh", "-c", program + " > " + out), new HoldsOneCall());
        assertThat(running.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(running.waitFor()).isZero();
        assertThat(Files.readString(out)).isEqualTo(
                "other thread: 100 hooked calls answered (100 ok) in under 1 s: yes\n"
                        + "held call returned -1 (no such process)\n"
                        + "signal handler's hooked call returned a priority: yes\n");
    }
}
