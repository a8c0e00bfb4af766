package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.api.Errno;
import dev.jpoline.api.hooks.SyscallCall;
import dev.jpoline.api.hooks.SyscallHooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jpoline run --hooks CLASS --from-exec}: the dynamic loader's syscalls go to the hooks
 * too (docs/ptrace-window.md), in the program jpoline starts and in every program it execs, so a
 * hook can deny or redirect the opening of a library. Without the option the loader is unseen.
 */
class FromExecIT {
    @TempDir Path temp;
    private Path lib;
    private Path program;

    /** The loader opens libjpdeny.so for {@code needs}; a hook may deny it, or open libjpother.so instead. */
    @BeforeEach
    void buildProgram() throws Exception {
        lib = temp.resolve("lib");
        Files.createDirectories(lib);
        Files.writeString(temp.resolve("deny.c"), "int jp_value(void) { return 7; }\n");
        Files.writeString(temp.resolve("other.c"), "int jp_value(void) { return 9; }\n");
        Files.writeString(temp.resolve("needs.c"), "int jp_value(void);\nint main(void) { return jp_value(); }\n");
        gcc("-shared", "-fPIC", "-o", lib.resolve("libjpdeny.so").toString(), temp.resolve("deny.c").toString());
        gcc("-shared", "-fPIC", "-o", lib.resolve("libjpother.so").toString(), temp.resolve("other.c").toString());
        program = temp.resolve("needs");
        gcc("-o", program.toString(), temp.resolve("needs.c").toString(), "-L" + lib, "-ljpdeny");
    }

    private void gcc(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("gcc"));
        cmd.addAll(List.of(args));
        Programs.Result r = Programs.run(cmd, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).as(r.err()).isZero();
    }

    /** Denies opening libjpdeny.so; writes every path openat gets to $JPOLINE_TEST_SEEN. */
    public static final class DenyLibrary implements SyscallHooks {
        @Override
        public long openat(SyscallCall call, int dirfd, String path, int flags, int mode) {
            String seen = System.getenv("JPOLINE_TEST_SEEN");
            if (seen != null && path != null) {
                try {
                    Files.writeString(Path.of(seen), call.pid() + " " + path + "\n", StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            if (path != null && path.endsWith("/libjpdeny.so")) {
                return call.fail(Errno.EACCES);
            }
            return call.proceed();
        }
    }

    /** The loader gets libjpother.so where it asked for libjpdeny.so. */
    public static final class RedirectLibrary implements SyscallHooks {
        @Override
        public long openat(SyscallCall call, int dirfd, String path, int flags, int mode) {
            if (path != null && path.endsWith("/libjpdeny.so")) {
                long fd = call.proceedWithString(1, path.replace("/libjpdeny.so", "/libjpother.so"));
                return fd;
            }
            return call.proceed();
        }
    }

    private Programs.Result run(String hooks, boolean fromExec, List<String> command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "run", "--hooks",
                hooks, "--classpath", Programs.ROOT.resolve("hook-tracer/target/test-classes").toString()));
        if (fromExec) {
            cmd.add("--from-exec");
        }
        cmd.add("--");
        cmd.addAll(command);
        return Programs.run(cmd, Map.of("LD_LIBRARY_PATH", lib.toString(), "JPOLINE_TEST_SEEN",
                temp.resolve("seen.txt").toString()), temp, Programs.DEFAULT_TIMEOUT);
    }

    @Test
    void withoutFromExecTheLoaderIsNotHooked() throws Exception {
        Programs.Result r = run(DenyLibrary.class.getName(), false, List.of(program.toString()));
        assertThat(r.exit()).as(r.err()).isEqualTo(7);
        assertThat(Files.exists(temp.resolve("seen.txt")) ? Files.readString(temp.resolve("seen.txt")) : "")
                .doesNotContain("libjpdeny.so");
    }

    @Test
    void aHookDeniesTheLoaderALibrary() throws Exception {
        Programs.Result r = run(DenyLibrary.class.getName(), true, List.of(program.toString()));
        assertThat(r.exit()).as("the loader's own exit status: " + r.err()).isEqualTo(127);
        assertThat(r.err()).contains("libjpdeny.so: cannot open shared object file: Permission denied");
        List<String> seen = Files.readAllLines(temp.resolve("seen.txt"));
        assertThat(seen).anyMatch(l -> l.endsWith(" /etc/ld.so.cache"))
                .anyMatch(l -> l.endsWith(lib.resolve("libjpdeny.so").toString()));
    }

    @Test
    void theLoaderOfAnExecdProgramIsHookedToo() throws Exception {
        Programs.Result r = run(DenyLibrary.class.getName(), true, List.of("sh", "-c", program + "; echo status $?"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("status 127\n");
        assertThat(r.err()).contains("libjpdeny.so: cannot open shared object file: Permission denied");
        List<String> seen = Files.readAllLines(temp.resolve("seen.txt"));
        String shPid = seen.get(0).split(" ")[0];
        assertThat(seen).as("sh's loader, then the child's").anyMatch(l -> l.startsWith(shPid + " ") && l.endsWith("/etc/ld.so.cache"))
                .anyMatch(l -> !l.startsWith(shPid + " ") && l.endsWith("/etc/ld.so.cache"));
    }

    @Test
    void aHookRedirectsTheLoaderToAnotherLibrary() throws Exception {
        Programs.Result r = run(RedirectLibrary.class.getName(), true, List.of(program.toString()));
        assertThat(r.exit()).as("libjpother.so's jp_value: " + r.err()).isEqualTo(9);
    }

    @Test
    void fromExecNeedsHooksAndAProgramToStart() throws Exception {
        Programs.Result r = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "run", "--from-exec", "--",
                "true"), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--from-exec hands the loader's syscalls to hooks: give --hooks CLASS too");
        Programs.Result p = Programs.run(List.of(Programs.ROOT.resolve("jpoline").toString(), "run", "--hooks",
                DenyLibrary.class.getName(), "--from-exec", "-p", "1"), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(p.exit()).isNotZero();
        assertThat(p.err()).contains("--from-exec cannot be used with -p");
    }
}
