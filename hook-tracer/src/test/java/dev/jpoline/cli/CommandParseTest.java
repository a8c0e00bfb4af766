package dev.jpoline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The commands' options as parsed, and every refusal of bad input before anything is started. */
class CommandParseTest {
    @TempDir Path temp;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private static String[] words(String line) {
        return line.isEmpty() ? new String[0] : line.split(" ");
    }

    @Test
    void traceReadsEveryStraceOption() {
        TraceCommand c = TraceCommand.parse(words("trace -ff -o out -e trace=open -etrace=%file -e status=failed -s64 -ttt -T -C"
                + " -yzZ -X raw --host-timeout=500 --ring-size 4096 ls -l -f"), 1);
        assertThat(c.follow).isEqualTo(2);
        assertThat(c.output).isEqualTo(Path.of("out"));
        assertThat(c.expressions).containsExactly("trace=open", "trace=%file", "status=failed");
        assertThat(c.stringLimit).isEqualTo(64);
        assertThat(c.time).isEqualTo(3);
        assertThat(c.duration).isTrue();
        assertThat(c.summaryToo).isTrue();
        assertThat(c.summaryOnly).isFalse();
        assertThat(c.paths).isEqualTo(1);
        assertThat(c.successfulOnly).isTrue();
        assertThat(c.failedOnly).isTrue();
        assertThat(c.xlat).isEqualTo("raw");
        assertThat(c.hostTimeoutMs).isEqualTo(500);
        assertThat(c.ringSize).isEqualTo(4096);
        assertThat(c.command).containsExactly("ls", "-l", "-f");
    }

    @Test
    void traceCountsYAndCollectsEveryTracedPath() {
        TraceCommand c = TraceCommand.parse(words("trace -yy -P /etc/passwd -P/tmp --trace-path=rel -fP x ls"), 1);
        assertThat(c.paths).isEqualTo(2);
        assertThat(c.tracedPaths).containsExactly("/etc/passwd", "/tmp", "rel", "x");
        assertThat(c.quietPathResolution).isFalse();
        assertThat(c.command).containsExactly("ls");
    }

    @Test
    void traceReadsTheMachineReadableOutputs() {
        TraceCommand c = TraceCommand.parse(words("trace --json --timeline=t.json -o x -- ls"), 1);
        assertThat(c.json).isTrue();
        assertThat(c.timeline).isEqualTo(Path.of("t.json"));
        assertThat(c.output).isEqualTo(Path.of("x"));
        TraceCommand d = TraceCommand.parse(words("trace --timeline t.json ls"), 1);
        assertThat(d.json).isFalse();
        assertThat(d.timeline).isEqualTo(Path.of("t.json"));
        assertThat(d.command).containsExactly("ls");
    }

    @Test
    void traceDefaults() {
        TraceCommand c = TraceCommand.parse(words("trace true"), 1);
        assertThat(c.follow).isZero();
        assertThat(c.output).isNull();
        assertThat(c.stringLimit).isEqualTo(32);
        assertThat(c.time).isZero();
        assertThat(c.xlat).isEqualTo("abbrev");
        assertThat(c.hostTimeoutMs).isEqualTo(10000);
        assertThat(c.ringSize).isEqualTo(8 << 20);
        assertThat(c.command).containsExactly("true");
        assertThat(c.json).isFalse();
        assertThat(c.timeline).isNull();
    }

    @Test
    void runReadsItsOptionsAndStopsAtTheProgram() {
        RunCommand c = RunCommand.parse(words("run --stats --hooks A --hooks=B --classpath cp --on-hook-error fail"
                + " --host-timeout 300 -- prog --stats"), 1);
        assertThat(c.stats).isTrue();
        assertThat(c.hookClasses).containsExactly("A", "B");
        assertThat(c.hookClasspath).isEqualTo("cp");
        assertThat(c.onHookError).isEqualTo("fail");
        assertThat(c.hostTimeoutMs).isEqualTo(300);
        assertThat(c.command).containsExactly("prog", "--stats");

        RunCommand bare = RunCommand.parse(words("run ls -l"), 1);
        assertThat(bare.stats).isFalse();
        assertThat(bare.onHookError).isEqualTo("proceed");
        assertThat(bare.command).containsExactly("ls", "-l");
    }

    @Test
    void sitesMixesFilesAndItsOption() {
        SitesCommand c = SitesCommand.parse(words("sites a --summary b -- --summary"), 1);
        assertThat(c.summary).isTrue();
        assertThat(c.files).containsExactly(Path.of("a"), Path.of("b"), Path.of("--summary"));
    }

    @Test
    void everyCommandShowsItsHelpAndTheVersion() {
        for (String command : new String[] {"run", "trace", "sites"}) {
            out.getBuffer().setLength(0);
            assertThat(run(command, "--help")).isZero();
            assertThat(out.toString()).startsWith("Usage: jpoline " + command + " ");
            out.getBuffer().setLength(0);
            // Help wins over a missing program and over what follows it.
            assertThat(run(command, "-h", "--bogus")).isZero();
            assertThat(out.toString()).startsWith("Usage: jpoline " + command + " ");
            out.getBuffer().setLength(0);
            assertThat(run("help", command)).isZero();
            assertThat(out.toString()).startsWith("Usage: jpoline " + command + " ");
            out.getBuffer().setLength(0);
            assertThat(run(command, "-V")).isZero();
            assertThat(out.toString()).startsWith("jpoline 0.1.0-SNAPSHOT");
        }
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void helpDescribesEveryVisibleOptionAndHidesTheRingSize() {
        for (String option : new String[] {"-f", "-e trace=", "-e status=", "-o FILE", "-s N", "-t, -tt, -ttt", "-T", "-c",
            "-C", "-w", "-S SORTBY", "-U COLUMNS", "-e read=FDS", "-e write=FDS", "-y", "-z", "-Z", "-X FORMAT",
            "--host-timeout MS", "--json", "--timeline FILE", "-h, --help",
            "-V, --version"}) {
            assertThat(TraceCommand.HELP).contains("\n  " + option);
        }
        assertThat(TraceCommand.HELP).doesNotContain("--ring-size");
        for (String option : new String[] {"--stats", "--hooks CLASS", "--classpath PATH", "--on-hook-error proceed|fail",
            "--host-timeout MS"}) {
            assertThat(RunCommand.HELP).contains("\n  " + option);
        }
        assertThat(SitesCommand.HELP).contains("\n  --summary");
    }

    /** Bad input: exit status and the one line on stderr, and nothing on stdout. */
    @ParameterizedTest
    @CsvSource(delimiterString = " | ", quoteCharacter = '"', textBlock = """
            bogus                               | 2 | jpoline: Unknown command: 'bogus' (commands: run, trace, hook, sites, help); see: jpoline --help
            -x                                  | 2 | jpoline: Unknown option: '-x'; see: jpoline --help
            help bogus                          | 2 | jpoline: Unknown command: 'bogus' (commands: run, trace, hook, sites, help); see: jpoline --help
            help run trace                      | 2 | jpoline: help takes one command, got 2 words; see: jpoline --help
            trace                               | 2 | jpoline: name the program to trace: jpoline trace [OPTIONS] PROGRAM [ARGS...], or a running process: jpoline trace -p PID; see: jpoline trace --help
            trace -f --                         | 2 | jpoline: name the program to trace: jpoline trace [OPTIONS] PROGRAM [ARGS...], or a running process: jpoline trace -p PID; see: jpoline trace --help
            run --stats                         | 2 | jpoline: name the program to run: jpoline run [OPTIONS] -- PROGRAM [ARGS...], or a running process: jpoline run --hooks CLASS -p PID; see: jpoline run --help
            hook --hook x@f:g                   | 2 | jpoline: name the process: jpoline hook --pid PID --hook LIB@TARGET:DETOUR[:ENTRY]; see: jpoline hook --help
            hook --pid 1                        | 2 | jpoline: give at least one --hook LIB@TARGET:DETOUR[:ENTRY]; see: jpoline hook --help
            hook --pid x --hook a@b:c           | 2 | jpoline: --pid takes a process id, not 'x'; see: jpoline hook --help
            trace -p 1,x                        | 2 | jpoline: -p takes process ids (PID or PID,PID), not '1,x'
            sites --summary                     | 2 | jpoline: name at least one ELF file: jpoline sites [--summary] FILE...; see: jpoline sites --help
            trace -fQ true                      | 2 | jpoline: Unknown option: '-Q'; see: jpoline trace --help
            run --bogus true                    | 2 | jpoline: Unknown option: '--bogus'; see: jpoline run --help
            sites -f x                          | 2 | jpoline: Unknown option: '-f'; see: jpoline sites --help
            trace -s                            | 2 | jpoline: -s needs a value: -s N; see: jpoline trace --help
            trace -o                            | 2 | jpoline: -o needs a value: -o FILE; see: jpoline trace --help
            trace -e                            | 2 | jpoline: -e needs a value: -e EXPR; see: jpoline trace --help
            trace -X                            | 2 | jpoline: -X needs a value: -X FORMAT; see: jpoline trace --help
            run --hooks                         | 2 | jpoline: --hooks needs a value: --hooks CLASS; see: jpoline run --help
            run --classpath                     | 2 | jpoline: --classpath needs a value: --classpath PATH; see: jpoline run --help
            run --on-hook-error                 | 2 | jpoline: --on-hook-error needs a value: --on-hook-error proceed|fail; see: jpoline run --help
            run --host-timeout                  | 2 | jpoline: --host-timeout needs a value: --host-timeout MS; see: jpoline run --help
            trace --ring-size                   | 2 | jpoline: --ring-size needs a value: --ring-size BYTES; see: jpoline trace --help
            trace --timeline                    | 2 | jpoline: --timeline needs a value: --timeline FILE; see: jpoline trace --help
            trace --json=yes true               | 2 | jpoline: --json takes no value, got '--json=yes'; see: jpoline trace --help
            trace --json -c true                | 2 | jpoline: -c prints strace's table, which JSON lines have no place for; drop --json, or use --timeline FILE beside -c
            trace --json -C true                | 2 | jpoline: -C prints strace's table, which JSON lines have no place for; drop --json, or use --timeline FILE beside -C
            trace -o t.json --timeline t.json true | 2 | jpoline: --timeline t.json is also -o's file; name another file for one of them
            trace -s abc true                   | 2 | jpoline: -s takes a whole number N, got 'abc'; see: jpoline trace --help
            trace --host-timeout=1e3 true       | 2 | jpoline: --host-timeout takes a whole number MS, got '1e3'; see: jpoline trace --help
            trace --ring-size 4k true           | 2 | jpoline: --ring-size takes a whole number BYTES, got '4k'; see: jpoline trace --help
            run --host-timeout=ten true         | 2 | jpoline: --host-timeout takes a whole number MS, got 'ten'; see: jpoline run --help
            run --stats=1 true                  | 2 | jpoline: --stats takes no value, got '--stats=1'; see: jpoline run --help
            sites --summary=no x                | 2 | jpoline: --summary takes no value, got '--summary=no'; see: jpoline sites --help
            trace -z -Z true                    | 2 | jpoline: -z and -Z exclude each other
            trace -c -C true                    | 2 | jpoline: -c and -C exclude each other
            trace -s -1 true                    | 2 | jpoline: -s must be >= 0, got -1
            trace -fff -o x true                | 2 | jpoline: -f may be given once or twice (-ff)
            trace -ff true                      | 2 | jpoline: -ff needs -o FILE (it writes FILE.TID per thread)
            trace -tttt true                    | 2 | jpoline: -t may be given at most three times (-ttt)
            trace --ring-size 5000 true         | 2 | jpoline: --ring-size must be a power of two of at least 4096, got 5000
            trace --ring-size 2048 true         | 2 | jpoline: --ring-size must be a power of two of at least 4096, got 2048
            trace --host-timeout 99 true        | 2 | jpoline: --host-timeout must be at least 100 ms, got 99
            trace -X fancy true                 | 2 | jpoline: -X takes raw, abbrev or verbose, got fancy
            trace -q -e quiet=exit true         | 2 | jpoline: -q and -e quiet= cannot be given together (as in strace); use one of them
            trace -e kvm=vcpu true              | 3 | jpoline: -e kvm= is not supported yet (supported: trace=, status=, signal=, quiet=, inject=, fault=, read=, write=)
            trace -e status=unfinished true     | 3 | jpoline: -e status=unfinished is not supported yet; use successful, failed or all
            trace -w true                       | 2 | jpoline: -w summarises wall-clock time in -c's table: give it with -c or -C
            trace -U calls true                 | 2 | jpoline: -U chooses the columns of -c's table: give it with -c or -C
            trace -c -S call true               | 2 | jpoline: -S call: sort by time, min-time, max-time, avg-time, calls, errors, name or nothing
            trace -c -U calls,bogus true        | 2 | jpoline: -U calls,bogus: unknown column 'bogus'; the columns are time-percent, total-time, min-time, max-time, avg-time, calls, errors or name
            trace -C -U shortest,min-time true  | 2 | jpoline: -U shortest,min-time: column 'min-time' is given twice; name each of time-percent, total-time, min-time, max-time, avg-time, calls, errors or name at most once
            trace -e read=3,x true              | 2 | jpoline: -e read=3,x: invalid descriptor 'x'; give descriptor numbers (3 or 3,4), all, none, or !SET for all but SET
            trace -e w=-1 true                  | 2 | jpoline: -e w=-1: invalid descriptor '-1'; give descriptor numbers (3 or 3,4), all, none, or !SET for all but SET
            trace -e writes=! true              | 2 | jpoline: -e writes=!: invalid descriptor '!'; give descriptor numbers (3 or 3,4), all, none, or !SET for all but SET
            run --host-timeout 50 true          | 2 | jpoline: --host-timeout must be at least 100 ms, got 50
            run --on-hook-error retry true      | 2 | jpoline: --on-hook-error takes proceed or fail, not 'retry'
            """)
    void badInputIsOneLineAndAnExitStatus(String line, int status, String message) {
        assertThat(run(words(line.strip()))).isEqualTo(status);
        assertThat(err.toString().strip()).isEqualTo(message);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void anUnwritableTraceFileIsRefusedBeforeTheProgramStarts() {
        Path missing = temp.resolve("no-such-dir/trace.txt");
        assertThat(run("trace", "-o", missing.toString(), "true")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString().strip())
                .isEqualTo("jpoline: -o " + missing + ": no such directory; name a file in an existing directory");
    }

    @Test
    void anUnwritableTimelineIsRefusedBeforeTheProgramStarts() {
        Path missing = temp.resolve("no-such-dir/timeline.json");
        assertThat(run("trace", "--timeline", missing.toString(), "true")).isEqualTo(Main.EXIT_USAGE);
        assertThat(err.toString().strip()).isEqualTo(
                "jpoline: --timeline " + missing + ": no such directory; name a file in an existing directory");
    }
}
