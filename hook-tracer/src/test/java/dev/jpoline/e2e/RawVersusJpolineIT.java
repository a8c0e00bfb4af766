package dev.jpoline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hard cases of DESIGN.md as small C programs, each run raw and under {@code jpoline run}:
 * stdout, stderr and exit status must be identical.
 */
class RawVersusJpolineIT {
    @TempDir Path temp;

    @BeforeAll
    static void va0() throws Exception {
        Programs.requireVa0();
    }

    private static void assertSameBehaviour(List<String> command, Path cwd) throws Exception {
        Programs.Result raw = Programs.run(command, Map.of(), cwd, Programs.DEFAULT_TIMEOUT);
        Programs.Result traced = Programs.run(Programs.underJpoline(command), Map.of(), cwd, Programs.DEFAULT_TIMEOUT);
        assertThat(traced.err()).as("stderr under jpoline of %s; raw run:\n%s", command, raw.describe()).isEqualTo(raw.err());
        assertThat(traced.out()).as("stdout under jpoline of %s", command).isEqualTo(raw.out());
        assertThat(traced.exit()).as("exit status under jpoline of %s", command).isEqualTo(raw.exit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"threads", "process_tree", "vfork_exec", "spawn_system", "signals", "thread_exit"})
    void hardCaseProgramBehavesTheSame(String name) throws Exception {
        assertSameBehaviour(List.of(Programs.build(name).toString()), temp);
    }

    /** Traced, every handler the program installs runs through jpoline's signal wrapper. */
    @ParameterizedTest
    @ValueSource(strings = {"threads", "process_tree", "vfork_exec", "spawn_system", "signals", "thread_exit"})
    void hardCaseProgramBehavesTheSameWhenTraced(String name) throws Exception {
        List<String> command = List.of(Programs.build(name).toString());
        Programs.Result raw = Programs.run(command, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        Programs.Result traced = Programs.run(Programs.underJpolineTrace(command), Map.of(), temp,
                Programs.DEFAULT_TIMEOUT);
        assertThat(traced.out()).as("stdout under jpoline trace; raw run:\n%s", raw.describe()).isEqualTo(raw.out());
        assertThat(traced.err()).as("stderr under jpoline trace").isEqualTo(raw.err());
        assertThat(traced.exit()).isEqualTo(raw.exit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "small", "rdx", "rax"})
    void callsThroughNullOrSmallPointersStillDieBySigsegvWhenTraced(String how) throws Exception {
        List<String> command = List.of(Programs.build("null_call").toString(), how);
        Programs.Result traced = Programs.run(Programs.underJpolineTrace(command), Map.of(), temp,
                Programs.DEFAULT_TIMEOUT);
        assertThat(traced.exit()).as(traced.describe()).isEqualTo(128 + 11);
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "small", "rdx", "rax"})
    void callsThroughNullOrSmallPointersStillDieBySigsegv(String how) throws Exception {
        List<String> command = List.of(Programs.build("null_call").toString(), how);
        Programs.Result raw = Programs.run(command, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(raw.exit()).isEqualTo(128 + 11);
        assertSameBehaviour(command, temp);
    }

    /**
     * Execs with environments of the program's own making (empty, custom, another LD_PRELOAD,
     * from fork and vfork) stay in the session, as strace -f follows them; the programs see what
     * they were given (plus jpoline's two variables), and bad environment pointers still fail
     * with EFAULT. Traced, each child's syscalls and exit are in the trace.
     */
    @Test
    void execsWithEnvironmentsOfTheirOwnStayInTheSession() throws Exception {
        List<String> command = List.of(Programs.build("exec_env").toString());
        Programs.Result raw = Programs.run(command, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(raw.out()).as(raw.describe()).contains("empty: alone", "vfork: alone", "bad entry: Bad address")
                .doesNotContain("joined");
        Programs.Result run = Programs.run(Programs.underJpoline(command), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(run.out()).as(run.describe()).contains("empty: joined FOO=(none) others=0",
                "custom: joined FOO=1 others=2", "preload: joined FOO=3 others=1", "vfork: joined FOO=1 others=2",
                "bad envp: Bad address", "bad entry: Bad address");
        assertThat(run.out().replace("joined", "alone")).isEqualTo(raw.out());
        assertThat(run.exit()).isEqualTo(raw.exit());
        Path trace = temp.resolve("exec_env.trace");
        List<String> traced = new ArrayList<>(List.of(Programs.ROOT.resolve("jpoline").toString(), "trace", "-o",
                trace.toString(), "--"));
        traced.addAll(command);
        Programs.Result t = Programs.run(traced, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(t.out()).isEqualTo(run.out());
        String lines = Files.readString(trace);
        assertThat(lines.split("\\+\\+\\+ exited with 3 \\+\\+\\+", -1)).as(lines).hasSize(5); // four children
        // The environment the program passed (its empty one), whether the line is split or not.
        assertThat(lines).contains("\"empty\"], 0x", "/* 0 vars */", "-1 EFAULT (Bad address)");
    }

    @Test
    void lateLibrariesWork() throws Exception {
        Path lib = Programs.build("late_lib", "-shared", "-fPIC");
        assertSameBehaviour(List.of(Programs.build("dlopen_late").toString(), lib.toString()), temp);
    }

    @Test
    void sitesAreReallyRewrittenInTheRunningProcess() throws Exception {
        List<String> libc = List.of(Programs.build("libc_sites").toString());
        assertThat(Programs.run(libc, Map.of(), temp, Programs.DEFAULT_TIMEOUT).out()).isEqualTo("getppid site: 0f 05\n");
        Programs.Result traced = Programs.run(Programs.underJpoline(libc), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        // Under SUD the site jumps to its hop (docs/sud.md, "Jump-patched sites") instead.
        assertThat(traced.out()).as(traced.describe())
                .isEqualTo(Programs.underSud() ? "getppid site: eb (jmp rel8)\n" : "getppid site: ff d0\n");

        Path lib = Programs.build("late_lib", "-shared", "-fPIC");
        List<String> late = List.of(Programs.build("dlopen_late").toString(), lib.toString(), "--sites");
        assertThat(Programs.run(late, Map.of(), temp, Programs.DEFAULT_TIMEOUT).out()).endsWith("site bytes: 0f 05\n");
        Programs.Result lateTraced = Programs.run(Programs.underJpoline(late), Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(lateTraced.out()).as(lateTraced.describe())
                .endsWith(Programs.underSud() ? "site bytes: eb (jmp rel8)\n" : "site bytes: ff d0\n");
    }

    /**
     * Descriptors the caller opened above 2 reach the program as they do without jpoline (a
     * shell's {@code 3<file}, make's jobserver pipes), and none of the host's own do.
     */
    @Test
    void inheritedDescriptorsReachTheProgramAndTheHostsDoNot() throws Exception {
        Path written = temp.resolve("fd7.txt");
        // The listing shows every descriptor's number, and for 3 and 7 what they are open on.
        List<String> listing = List.of("sh", "-c", "for f in /proc/$$/fd/*; do n=${f##*/};"
                + " case $n in 3|7) echo \"$n $(readlink \"$f\")\";; *) echo \"$n\";; esac; done");
        String expected = null;
        for (List<String> inner : List.of(listing, Programs.underJpoline(listing), Programs.underJpolineTrace(listing))) {
            List<String> command = new java.util.ArrayList<>(List.of("sh", "-c",
                    "exec 3</etc/passwd 7>\"$1\"; shift; exec \"$@\"", "sh", written.toString()));
            command.addAll(inner);
            Programs.Result r = Programs.run(command, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(r.out()).as(r.describe()).contains("3 /etc/passwd\n", "7 " + written + "\n");
            if (expected == null) {
                expected = r.out();
            } else {
                assertThat(r.out()).as("descriptors under %s", inner.subList(0, 2)).isEqualTo(expected);
            }
        }
    }

    /** A script without "#!" runs through /bin/sh, as a shell or execvp would run it. */
    @Test
    void scriptsWithoutAnInterpreterLineRunThroughTheShell() throws Exception {
        Path script = temp.resolve("no-shebang");
        Files.writeString(script, "echo \"args: $*\"; exit 7\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        for (List<String> command : List.of(Programs.underJpoline(List.of(script.toString(), "a", "b c")),
                Programs.underJpolineTrace(List.of(script.toString(), "a", "b c")))) {
            Programs.Result r = Programs.run(command, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
            assertThat(r.out()).as(r.describe()).isEqualTo("args: a b c\n");
            assertThat(r.exit()).as(r.describe()).isEqualTo(7);
        }
    }

    /**
     * Started with SIGCHLD ignored (as some daemons and CI runners leave it), jpoline still learns
     * the program's exit status, and the program still starts with SIGCHLD ignored.
     */
    @Test
    void anIgnoredSigchldLosesNeitherTheExitStatusNorTheIgnore() throws Exception {
        String ignoring = "import os, signal, sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN);"
                + " os.execvp(sys.argv[1], sys.argv[1:])";
        List<String> listing = List.of("grep", "SigIgn", "/proc/self/status");
        List<String> raw = new java.util.ArrayList<>(List.of("python3", "-c", ignoring));
        raw.addAll(listing);
        Programs.Result direct = Programs.run(raw, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        assertThat(Long.parseLong(direct.out().trim().split("\\s+")[1], 16) & (1L << (17 - 1)))
                .as("SIGCHLD ignored in the raw run: %s", direct.describe()).isNotZero();
        for (boolean trace : new boolean[] {false, true}) {
            for (List<String> program : List.of(listing, List.of("sh", "-c", "exit 3"))) {
                List<String> command = new java.util.ArrayList<>(List.of("python3", "-c", ignoring));
                command.addAll(trace ? Programs.underJpolineTrace(program) : Programs.underJpoline(program));
                Programs.Result r = Programs.run(command, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
                if (program == listing) {
                    assertThat(r.out()).as(r.describe()).isEqualTo(direct.out());
                } else {
                    assertThat(r.exit()).as(r.describe()).isEqualTo(3);
                }
            }
        }
    }

    @Test
    void exitStatusAndSignalsAreReportedAsAShellWould() throws Exception {
        assertSameBehaviour(List.of("sh", "-c", "exit 42"), temp);
        assertSameBehaviour(List.of("sh", "-c", "kill -TERM $$"), temp);
        Programs.Result missing = Programs.run(Programs.underJpoline(List.of("no-such-program-xyz")), Map.of(), temp,
                Programs.DEFAULT_TIMEOUT);
        assertThat(missing.exit()).isEqualTo(127);
        assertThat(missing.err()).isEqualTo("jpoline: no-such-program-xyz: command not found\n");
    }

    @Test
    void staticExecutablesAreReportedAndRunUntraced() throws Exception {
        Path source = temp.resolve("static_hello.c");
        Files.writeString(source, "#include <stdio.h>\nint main(void){puts(\"static hello\");return 3;}\n");
        Path binary = temp.resolve("static_hello");
        List<String> gcc = new ArrayList<>(List.of("gcc", "-static", "-o", binary.toString(), source.toString()));
        Programs.Result built = Programs.run(gcc, Map.of(), temp, Programs.DEFAULT_TIMEOUT);
        org.junit.jupiter.api.Assumptions.assumeTrue(built.exit() == 0, "no static libc here: " + built.err());
        Programs.Result r = Programs.run(Programs.underJpoline(List.of(binary.toString())), Map.of(), temp,
                Programs.DEFAULT_TIMEOUT);
        assertThat(r.out()).isEqualTo("static hello\n");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("jpoline: " + binary + " runs without jpoline: it is statically linked, so LD_PRELOAD cannot reach it\n");

        // The same program exec'd by a traced shell is reported with the pid that execs it.
        Programs.Result child = Programs.run(Programs.underJpoline(List.of("sh", "-c", binary + "; echo $?")), Map.of(),
                temp, Programs.DEFAULT_TIMEOUT);
        assertThat(child.out()).isEqualTo("static hello\n3\n");
        assertThat(child.err()).matches("jpoline: pid \\d+: \\Q" + binary
                + "\\E runs without jpoline: it is statically linked, so LD_PRELOAD cannot reach it\n");
    }
}
