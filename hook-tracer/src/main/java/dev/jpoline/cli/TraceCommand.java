package dev.jpoline.cli;

import dev.jpoline.api.SyscallFilter;
import dev.jpoline.api.consts.XlatStyle;
import dev.jpoline.host.HostRewriting;
import dev.jpoline.host.Launcher;
import dev.jpoline.trace.TraceWriter;
import dev.jpoline.trace.Tracer;
import dev.jpoline.trace.format.TraceOptions;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "trace",
        mixinStandardHelpOptions = true,
        description = {
            "Trace the syscalls of a program and of every process and thread it starts, strace-style, without"
                    + " stopping it: each syscall writes one record into a shared ring that jpoline drains.",
            "Children are always followed (strace's -f is implied; -f is accepted). Options have strace's spelling"
                    + " and meaning. Syscalls made before jpoline's runtime starts in a process (the dynamic"
                    + " loader's own start-up) are not seen."
        })
final class TraceCommand implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "-f", description = "Follow children: always on; -ff writes one file per thread, FILE.TID (with -o).")
    boolean[] follow = new boolean[0];

    @Option(names = "-e", paramLabel = "EXPR", description = "trace=SET (names, %%classes, /regex, !negation) or"
            + " status=successful|failed|all.")
    List<String> expressions = new ArrayList<>();

    @Option(names = "-s", paramLabel = "N", defaultValue = "32", description = "Print at most N bytes of strings and buffers (default 32).")
    int stringLimit;

    @Option(names = "-o", paramLabel = "FILE", description = "Write the trace to FILE instead of stderr.")
    Path output;

    @Option(names = "-t", description = "Prefix lines with the time of day; -tt with microseconds; -ttt seconds since the epoch.")
    boolean[] time = new boolean[0];

    @Option(names = "-T", description = "Show the time spent in each syscall.")
    boolean duration;

    @Option(names = "-c", description = "Count calls, errors and time per syscall; print a summary table instead of lines.")
    boolean summaryOnly;

    @Option(names = "-C", description = "Like -c, and print the lines too.")
    boolean summaryToo;

    @Option(names = "-y", description = "Print paths associated with file descriptors (read from /proc at drain time).")
    boolean paths;

    @Option(names = "-z", description = "Print only syscalls that succeeded (-e status=successful).")
    boolean successfulOnly;

    @Option(names = "-Z", description = "Print only syscalls that failed (-e status=failed).")
    boolean failedOnly;

    @Option(names = "-X", paramLabel = "FORMAT", description = "Constants as raw numbers, abbrev (default) or verbose.")
    String xlat = "abbrev";

    @Option(names = "--host-timeout", paramLabel = "MS", defaultValue = "10000",
            description = "How long a target waits for an unresponsive host before it runs on untraced (default: ${DEFAULT-VALUE}).")
    int hostTimeoutMs;

    @Option(names = "--ring-size", hidden = true, paramLabel = "BYTES", defaultValue = "8388608",
            description = "Size of the trace ring (a power of two).")
    int ringSize;

    @Parameters(arity = "1..*", paramLabel = "PROGRAM", description = "The program and its arguments.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        SyscallFilter filter = SyscallFilter.all();
        TraceWriter.Status status = TraceWriter.Status.ALL;
        for (String e : expressions) {
            int eq = e.indexOf('=');
            String key = eq < 0 ? "trace" : e.substring(0, eq);
            String value = eq < 0 ? e : e.substring(eq + 1);
            switch (key) {
                case "trace", "t" -> {
                    try {
                        filter = SyscallFilter.parse(value);
                    } catch (IllegalArgumentException ex) {
                        throw new UserError(ex.getMessage());
                    }
                }
                case "status" -> status = switch (value) {
                    case "all" -> TraceWriter.Status.ALL;
                    case "successful" -> TraceWriter.Status.SUCCESSFUL;
                    case "failed" -> TraceWriter.Status.FAILED;
                    default -> throw new UserError("-e status=" + value
                            + " is not supported yet; use successful, failed or all", Main.EXIT_UNAVAILABLE);
                };
                default -> throw new UserError("-e " + key + "= is not supported yet (supported: trace=, status=)",
                        Main.EXIT_UNAVAILABLE);
            }
        }
        if (successfulOnly && failedOnly) {
            throw new UserError("-z and -Z exclude each other");
        }
        if (successfulOnly) {
            status = TraceWriter.Status.SUCCESSFUL;
        }
        if (failedOnly) {
            status = TraceWriter.Status.FAILED;
        }
        if (stringLimit < 0) {
            throw new UserError("-s must be >= 0, got " + stringLimit);
        }
        if (follow.length > 2) {
            throw new UserError("-f may be given once or twice (-ff)");
        }
        boolean ff = follow.length == 2;
        if (ff && output == null) {
            throw new UserError("-ff needs -o FILE (it writes FILE.TID per thread)");
        }
        if (summaryOnly && summaryToo) {
            throw new UserError("-c and -C exclude each other");
        }
        if (time.length > 3) {
            throw new UserError("-t may be given at most three times (-ttt)");
        }
        if (Integer.bitCount(ringSize) != 1 || ringSize < 4096) {
            throw new UserError("--ring-size must be a power of two of at least 4096, got " + ringSize);
        }
        if (hostTimeoutMs < 100) {
            throw new UserError("--host-timeout must be at least 100 ms, got " + hostTimeoutMs);
        }
        XlatStyle style = switch (xlat) {
            case "raw" -> XlatStyle.RAW;
            case "abbrev" -> XlatStyle.ABBREV;
            case "verbose" -> XlatStyle.VERBOSE;
            default -> throw new UserError("-X takes raw, abbrev or verbose, got " + xlat);
        };
        Va0Requirement.check();

        TraceOptions options = TraceOptions.defaults().withStringLimit(stringLimit).withXlatStyle(style)
                .withDuration(duration)
                .withTimestamps(switch (time.length) {
                    case 0 -> TraceOptions.Timestamps.NONE;
                    case 1 -> TraceOptions.Timestamps.TIME;
                    case 2 -> TraceOptions.Timestamps.TIME_MICROS;
                    default -> TraceOptions.Timestamps.EPOCH_MICROS;
                });
        boolean timestamps = duration || time.length > 0 || summaryOnly || summaryToo;
        PrintWriter err = spec.commandLine().getErr();
        Writer single = null;
        TraceWriter.Mode mode;
        if (ff) {
            mode = TraceWriter.Mode.FF;
        } else if (output != null) {
            mode = TraceWriter.Mode.FILE;
            single = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(output), StandardCharsets.UTF_8),
                    1 << 20);
        } else {
            mode = TraceWriter.Mode.STDERR;
            single = new BufferedWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), 1 << 16);
        }
        SyscallFilter selected = filter;
        try (TraceWriter writer = new TraceWriter(options, paths, mode, single, output, n -> selected.contains(n), status,
                !summaryOnly, summaryOnly || summaryToo, 0)) {
            Tracer tracer = new Tracer(filter, stringLimit, timestamps, writer, err);
            HostRewriting rewriting = HostRewriting.create(err);
            Launcher.Outcome outcome = new Launcher(err, hostTimeoutMs).run(command, rewriting::handlerFor, ringSize,
                    tracer);
            err.flush();
            return outcome.exitStatus();
        }
    }
}
