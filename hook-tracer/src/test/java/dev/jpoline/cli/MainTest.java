package dev.jpoline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void versionNamesTheBuildAndItsRuntime() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString())
                .startsWith("jpoline 0.1.0-SNAPSHOT")
                .containsPattern("libjpoline.so sha256:[0-9a-f]{16} \\(ABI 2\\)");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void helpListsTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run", "trace", "sites", "call *%rax");
        assertThat(err.toString()).doesNotContain("WARN");
    }

    @Test
    void unknownOptionIsOneLineNamingTheHelp() {
        assertThat(run("--bogus")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString().strip().lines()).containsExactly("jpoline: Unknown option: '--bogus'; see: jpoline --help");
    }

    @Test
    void missingCommandSaysWhatThereIs() {
        assertThat(run()).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString()).contains("jpoline: name a command");
    }

    @Test
    void traceRefusesWhatItDoesNotSupportInOneLine() {
        assertThat(run("trace", "-e", "kvm=vcpu", "true")).isEqualTo(Main.EXIT_UNAVAILABLE);
        assertThat(err.toString().strip().lines()).singleElement().asString()
                .startsWith("jpoline: -e kvm= is not supported yet (supported: trace=, status=, signal=, quiet=,");
    }

    @Test
    void traceRejectsUnknownSyscallsAndBadCombinations() {
        assertThat(run("trace", "-e", "trace=open,nosuchcall", "true")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString().strip().lines()).hasSize(1).allMatch(l -> l.startsWith("jpoline: ") && l.contains("nosuchcall"));
        err.getBuffer().setLength(0);
        assertThat(run("trace", "-ff", "true")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString().strip()).isEqualTo("jpoline: -ff needs -o FILE (it writes FILE.TID per thread)");
        err.getBuffer().setLength(0);
        assertThat(run("trace", "-X", "fancy", "true")).isEqualTo(Main.EXIT_USAGE);
        assertThat(run("trace", "-e", "status=unfinished", "true")).isEqualTo(Main.EXIT_UNAVAILABLE);
    }

    @Test
    void traceHelpSaysFollowingIsAlwaysOn() {
        assertThat(run("trace", "--help")).isZero();
        assertThat(out.toString()).contains("always on").contains("-ff");
    }
}
