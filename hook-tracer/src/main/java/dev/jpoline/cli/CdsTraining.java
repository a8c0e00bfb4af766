package dev.jpoline.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;

/**
 * The training run behind {@code target/jpoline.jsa}, the AppCDS archive the {@code ./jpoline}
 * script starts the JVM with (hook-tracer's {@code src/build/startup-files.sh} runs it with
 * {@code -XX:ArchiveClassesAtExit}). It goes through what a user's run goes through before and
 * while the program runs, so that those classes are loaded from the archive, parsed and verified
 * already: the command line (help, version, errors), and real runs of {@code run}, {@code trace}
 * (twice, so that the second takes its plans from the cache) and {@code sites}.
 *
 * <p>Hidden command {@code jpoline __cds-training SCRATCH_DIR}; jpoline's own output goes
 * nowhere, a trace without {@code -o} to stderr. On a machine where address 0 cannot be mapped the runs stop at that check, and the
 * archive holds less: it never fails the build.
 */
final class CdsTraining {
    static final String COMMAND = "__cds-training";

    private CdsTraining() {}

    static int run(String[] args, int start) {
        if (start >= args.length) {
            throw new UserError(COMMAND + " needs a scratch directory");
        }
        String scratch = Path.of(args[start]).toAbsolutePath().toString();
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        String[][] runs = {
            {"--help"},
            {"--version"},
            {"trace", "--help"},
            {"run", "--help"},
            {"sites", "--help"},
            {"trace", "-Q", "true"},
            {"trace", "-s", "x", "true"},
            {"run", "--host-timeout"},
            {"sites", "--summary", "/bin/true"},
            {"trace", "-o", scratch + "/trace-1.txt", "--host-timeout", "3000", "--", "/bin/true"},
            {"trace", "-o", scratch + "/trace-2.txt", "--host-timeout", "3000", "--", "/bin/true"},
            {"trace", "-f", "-tt", "-T", "-y", "-s", "64", "-e", "trace=%file,%process,read,write", "-o",
                scratch + "/trace-3.txt", "--host-timeout", "3000", "--", "/bin/sh", "-c", "echo x > /dev/null"},
            {"trace", "-e", "trace=write,exit_group", "--host-timeout", "3000", "--", "/bin/true"},
            // Every syscall formatted, from a shell, ls and tar (where there are): the formatter's classes.
            {"trace", "-f", "-o", scratch + "/trace-5.txt", "--host-timeout", "3000", "--", "/bin/sh", "-c",
                "ls -l / /dev/null >/dev/null 2>&1; tar -cf /dev/null /etc/hostname >/dev/null 2>&1; kill -0 $$"},
            {"trace", "-c", "-o", scratch + "/trace-4.txt", "--host-timeout", "3000", "--", "/bin/true"},
            {"run", "--stats", "--host-timeout", "3000", "--", "/bin/true"},
        };
        int failed = 0;
        for (String[] run : runs) {
            try {
                Main.execute(run, sink, sink);
            } catch (RuntimeException e) {
                // A training run that breaks still loaded classes; the archive is only ever less useful.
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
