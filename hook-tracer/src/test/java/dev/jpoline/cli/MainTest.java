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
                .containsPattern("libjpoline.so sha256:[0-9a-f]{16} \\(ABI 1\\)");
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
    void commandsNotBuiltYetRefuseClearlyAndFail() {
        assertThat(run("trace", "-f", "--", "ls", "-l", "/")).isEqualTo(Main.EXIT_UNAVAILABLE);
        assertThat(err.toString().strip()).startsWith("jpoline: 'jpoline trace'").endsWith("not available yet in this build of jpoline");
    }
}
