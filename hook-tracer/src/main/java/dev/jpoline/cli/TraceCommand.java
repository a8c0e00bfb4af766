package dev.jpoline.cli;

import dev.jpoline.api.SyscallFilter;
import dev.jpoline.api.consts.XlatStyle;
import dev.jpoline.host.HostRewriting;
import dev.jpoline.host.Attacher;
import dev.jpoline.host.Launcher;
import dev.jpoline.host.UserSwitch;
import dev.jpoline.trace.InjectRules;
import dev.jpoline.trace.PathTrace;
import dev.jpoline.trace.Quiet;
import dev.jpoline.trace.SignalSet;
import dev.jpoline.trace.TimelineSink;
import dev.jpoline.trace.TraceWriter;
import dev.jpoline.trace.Tracer;
import dev.jpoline.trace.format.DescriptorSet;
import dev.jpoline.trace.format.IoDump;
import dev.jpoline.trace.format.SummaryTable;
import dev.jpoline.trace.format.TraceOptions;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/** {@code jpoline trace}: strace's options, the TRACE tier (docs/trace.md). */
final class TraceCommand extends Command {
    static final String HELP = """
            Usage: jpoline trace [OPTIONS] [--] PROGRAM [ARGS...]
                   jpoline trace [OPTIONS] -p PID[,PID...]
            Trace the syscalls of a program and of every process and thread it starts,
            strace-style, without stopping it: each syscall writes one record into a
            shared ring that jpoline drains.
            Children are always followed (strace's -f is implied; -f is accepted). Options
            have strace's spelling and meaning and end at PROGRAM. Syscalls made before
            jpoline's runtime starts in a process (the dynamic loader's own start-up) are
            not seen.

            Options:
              -p PID             Attach to a running process (repeatable, or PID,PID):
                                 its runtime is loaded with its own dlopen and every
                                 syscall site rewritten while it is stopped for a
                                 moment; Ctrl-C (SIGINT, SIGTERM) puts its code back
                                 and leaves it running.
              -f                 Follow children: always on; -ff writes one file per
                                 thread, FILE.TID (with -o).
              -e trace=SET       Trace only these syscalls: names, %classes (%file,
                                 %process, %net, ...), /regex, !negation (default: all).
              -e status=SET      Print only calls that were successful, failed, or all.
              -e signal=SET      Print only these signals (names, numbers, all, none, !SET);
                                 a process killed by another signal has no killed line.
              -e quiet=SET       Silence these messages: attach, exit, path-resolution,
                                 personality, thread-execve (all, none, !SET).
              -e inject=SET:error=ERRNO|retval=N[:signal=SIG][:delay_enter=T][:delay_exit=T][:when=EXPR]
                                 Tamper with these syscalls as strace does, in the program
                                 itself (when=FIRST[..LAST][+[STEP]], counted per thread).
              -e fault=SET[:error=ERRNO][:when=EXPR]
                                 Fail them (error=ENOSYS by default).
              -e read=FDS        Dump in hex and ASCII all data read from these
                                 descriptors (3,4, all, none, !negation).
              -e write=FDS       Dump all data written to these descriptors.
              -o FILE            Write the trace to FILE instead of stderr.
              --json             One JSON object per line instead of strace's text
                                 (to -o FILE, -ff's files or stderr).
              --timeline FILE    Also write the trace to FILE as Chrome trace-event
                                 JSON, for Perfetto UI or chrome://tracing.
              -s N               Print at most N bytes of strings and buffers
                                 (default 32).
              -t, -tt, -ttt      Prefix lines with the time of day; -tt with
                                 microseconds; -ttt seconds since the epoch.
              -T                 Show the time spent in each syscall.
              -r                 Print the time since the previous line at each line's start.
              -n                 Print each syscall's number ([  59] execve(...)).
              -i                 Print the instruction pointer after each call's syscall
                                 instruction ([00007f2a45623c47] brk(NULL) = ...).
              -c                 Count calls, errors and time per syscall; print a
                                 summary table instead of lines.
              -C                 Like -c, and print the lines too.
              -w                 Summarise wall-clock latency (strace's meaning; jpoline's
                                 -c time is always from entry to exit, see docs/trace.md).
              -S SORTBY          Sort the summary by time (default), min-time, max-time,
                                 avg-time, calls, errors, name or nothing.
              -U COLUMNS         The summary's columns, comma-separated: time-percent,
                                 total-time, min-time, max-time, avg-time, calls, errors,
                                 name (default: all but min-time and max-time).
              -y                 Print paths associated with file descriptors.
              -yy                Also print protocol-specific details of sockets
                                 (addresses, peers) and device numbers (resolved
                                 when jpoline reads the record: best effort).
              -P PATH            Trace only syscalls accessing PATH (repeatable), as
                                 strace does: by name, or by a descriptor that refers
                                 to it.
              -z                 Print only syscalls that succeeded
                                 (-e status=successful).
              -Z                 Print only syscalls that failed (-e status=failed).
              -X FORMAT          Constants as raw numbers (raw), abbreviated (abbrev,
                                 the default) or with their values (verbose).
              -q                 Do not say that syscalls are caught with Syscall User
                                 Dispatch (where vm.mmap_min_addr is not 0), nor that
                                 a -p process was attached or detached; -qq also no
                                 "+++ exited" lines; -qqq nothing that can be silenced.
              -E VAR=VAL, -E VAR Put VAR=VAL in the program's environment, or remove VAR.
              --syscall-limit=N  Stop tracing after N printed syscalls; the program runs
                                 on untraced (a -p process is left).
              -u USER            As root: run the program as USER (or UID:GID), with its
                                 groups.
              --exhaustive       Also catch syscalls of code that was not rewritten (JIT
                                 output, anonymous executable memory) with Syscall User
                                 Dispatch on top of VA0; each such site is reported once.
              --host-timeout MS  How long a target waits for an unresponsive host
                                 before it runs on untraced (default: 10000).
              -h, --help         Show this help and exit.
              -V, --version      Print version information and exit.

            Short options cluster as in strace (-ff, -ttt, -fT); a value follows its
            option as the next word or the rest of it (-s 64, -s64, -oFILE); a long
            option's value may also follow '=' (--host-timeout=500).
            Example: jpoline trace -f -e trace=%file -o trace.txt -- make
            """;

    private static final String[] OPTIONS = {"-p PID", "-f", "-e EXPR", "-s N", "-o FILE", "-t", "-T", "-r", "-n", "-c", "-C", "-y", "-z",
        "-Z", "-X FORMAT", "-q", "--exhaustive", "--host-timeout MS", "--ring-size BYTES", "--json", "--timeline FILE",
        "-i", "-E VAR", "--syscall-limit N", "-u USER", "-w", "-S SORTBY", "-U COLUMNS",
        "-P PATH", "--trace-path PATH"};

    int follow;
    final List<String> expressions = new ArrayList<>();
    int stringLimit = 32;
    Path output;
    boolean json;
    Path timeline;
    int time;
    boolean duration;
    boolean relative;
    boolean numbers;
    boolean summaryOnly;
    boolean summaryToo;
    boolean wallClock;
    String sortBy;
    String columns;
    /** -y: 1 for paths, 2 (-yy) for strace's details too. */
    int paths;
    /** -P: trace only the calls that access these paths. */
    final List<String> tracedPaths = new ArrayList<>();
    /** strace's -e quiet=path-resolution (not -qqq): -P's "Requested path ... resolved into ..." is not said. */
    boolean quietPathResolution;
    /** -P's set, made (and its resolutions said) before the program starts. */
    PathTrace pathTrace;
    boolean successfulOnly;
    boolean failedOnly;
    String xlat = "abbrev";
    boolean exhaustive;
    /** -q given this many times (-qq, -qqq); -e quiet= replaces what it says. */
    int quiet;
    boolean instructionPointer;
    /** -E VAR=VAL and -E VAR, in order. */
    final List<String> environment = new ArrayList<>();
    /** -u: the user the program runs as (strace -u), or null. */
    String user;
    /** --syscall-limit: -1 for none. */
    long syscallLimit = -1;
    int hostTimeoutMs = 10000;
    /** Size of the trace ring (a power of two); not in the help: for tests of a full ring. */
    int ringSize = 8 << 20;
    List<String> command = List.of();
    /** -p: processes to attach to instead of a program to start. */
    final List<Long> pids = new ArrayList<>();

    /** strace's -p values: one pid, or several separated by commas or spaces. */
    static void addPids(List<Long> pids, String value) {
        for (String part : value.trim().split("[,\\s]+")) {
            try {
                long pid = Long.parseLong(part);
                if (pid <= 0) {
                    throw new NumberFormatException();
                }
                pids.add(pid);
            } catch (NumberFormatException e) {
                throw new UserError("-p takes process ids (PID or PID,PID), not '" + value + "'");
            }
        }
    }

    private static boolean isRoot() {
        try {
            return dev.jpoline.runtime.UserCacheDirectory.currentUid() == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** --syscall-limit's value: a positive number. */
    private static long syscallLimit(String value) {
        try {
            long n = Long.parseLong(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new UserError("--syscall-limit takes a number of syscalls of at least 1, not '" + value + "'");
    }

    /**
     * -E's changes to the program's environment, in order: VAR=VAL sets (a null value removes),
     * as strace applies them one after the other.
     */
    static java.util.LinkedHashMap<String, String> environmentChanges(List<String> options) {
        java.util.LinkedHashMap<String, String> changes = new java.util.LinkedHashMap<>();
        for (String e : options) {
            int eq = e.indexOf('=');
            String name = eq < 0 ? e : e.substring(0, eq);
            if (name.isEmpty()) {
                throw new UserError("-E takes VAR=VAL (set VAR) or VAR (remove it), not '" + e + "'");
            }
            changes.remove(name); // the last change of a variable counts, in its place
            changes.put(name, eq < 0 ? null : e.substring(eq + 1));
        }
        return changes;
    }

    /** Reads {@code jpoline trace}'s arguments, from {@code args[start]} on. */
    static TraceCommand parse(String[] args, int start) {
        TraceCommand c = new TraceCommand();
        Getopt options = new Getopt("jpoline trace", args, start, OPTIONS, true);
        for (String o = options.next(); o != null; o = options.next()) {
            switch (o) {
                case "-p" -> addPids(c.pids, options.value());
                case "-f" -> c.follow++;
                case "-e" -> c.expressions.add(options.value());
                case "-s" -> c.stringLimit = options.intValue();
                case "-o" -> c.output = Path.of(options.value());
                case "--json" -> c.json = true;
                case "--timeline" -> c.timeline = Path.of(options.value());
                case "-t" -> c.time++;
                case "-T" -> c.duration = true;
                case "-r" -> c.relative = true;
                case "-n" -> c.numbers = true;
                case "-c" -> c.summaryOnly = true;
                case "-C" -> c.summaryToo = true;
                case "-w" -> c.wallClock = true;
                case "-S" -> c.sortBy = options.value();
                case "-U" -> c.columns = options.value();
                case "-y" -> c.paths++;
                case "-P", "--trace-path" -> c.tracedPaths.add(options.value());
                case "-z" -> c.successfulOnly = true;
                case "-Z" -> c.failedOnly = true;
                case "-X" -> c.xlat = options.value();
                case "-q" -> c.quiet++;
                case "-i" -> c.instructionPointer = true;
                case "-E" -> c.environment.add(options.value());
                case "-u" -> c.user = options.value();
                case "--syscall-limit" -> c.syscallLimit = syscallLimit(options.value());
                case "--exhaustive" -> c.exhaustive = true;
                case "--host-timeout" -> c.hostTimeoutMs = options.intValue();
                case "--ring-size" -> c.ringSize = options.intValue();
                default -> throw new IllegalStateException(o);
            }
        }
        if (!c.stoppedFor(options)) {
            if (c.pids.isEmpty()) {
                c.command = options.requireOperands("name the program to trace: jpoline trace [OPTIONS] PROGRAM [ARGS...],"
                        + " or a running process: jpoline trace -p PID");
            } else if (!options.operands().isEmpty()) {
                throw new UserError("give -p PID or a PROGRAM to start, not both (" + options.operands().get(0) + ")");
            } else if (c.user != null) {
                throw new UserError("-u runs a program jpoline starts as another user; a -p process keeps its own");
            } else if (!c.environment.isEmpty()) {
                throw new UserError("-E sets the environment of a program jpoline starts; a -p process keeps its own");
            } else if (c.exhaustive) {
                throw new UserError("--exhaustive cannot be used with -p: Syscall User Dispatch must be turned on by each"
                        + " thread itself, at its start; start the program under jpoline trace --exhaustive instead");
            }
        }
        return c;
    }

    @Override
    String help() {
        return HELP;
    }

    @Override
    int call(PrintWriter out, PrintWriter err) throws IOException {
        Warmup.start(true, time == 1 || time == 2);
        List<String> traceSets = new ArrayList<>();
        InjectRules injections = new InjectRules();
        TraceWriter.Status status = TraceWriter.Status.ALL;
        DescriptorSet readFds = DescriptorSet.NONE;
        DescriptorSet writeFds = DescriptorSet.NONE;
        SignalSet signals = SignalSet.all();
        Set<Quiet> quietSet = Quiet.level(quiet);
        for (String e : expressions) {
            int eq = e.indexOf('=');
            String key = eq < 0 ? "trace" : e.substring(0, eq);
            String value = eq < 0 ? e : e.substring(eq + 1);
            switch (key) {
                case "trace", "t" -> traceSets.add(value); // parsed below, once the syscall table is ready
                case "inject", "fault" -> {
                    try {
                        injections.add(value, key.equals("fault"));
                    } catch (IllegalArgumentException ex) {
                        throw new UserError(ex.getMessage());
                    }
                }
                case "signal", "signals", "s" -> {
                    try {
                        signals = SignalSet.parse(value);
                    } catch (IllegalArgumentException ex) {
                        throw new UserError(ex.getMessage());
                    }
                }
                case "quiet", "silent", "silence", "q" -> {
                    if (quiet > 0) {
                        throw new UserError("-q and -e quiet= cannot be given together (as in strace); use one of them");
                    }
                    try {
                        quietSet = Quiet.parse(value);
                        // Only -e quiet= silences -P's resolutions: strace 6.1 resolves them before -qqq applies.
                        quietPathResolution = quietSet.contains(Quiet.PATH_RESOLUTION);
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
                // as strace: each one replaces the set before it
                case "read", "reads", "r" -> readFds = descriptors(key, value);
                case "write", "writes", "w" -> writeFds = descriptors(key, value);
                default -> throw new UserError("-e " + key + "= is not supported yet (supported: trace=, status=, signal=,"
                        + " quiet=, inject=, fault=, read=, write=)",
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
        if (follow > 2) {
            throw new UserError("-f may be given once or twice (-ff)");
        }
        boolean ff = follow == 2;
        if (ff && output == null) {
            throw new UserError("-ff needs -o FILE (it writes FILE.TID per thread)");
        }
        if (summaryOnly && summaryToo) {
            throw new UserError("-c and -C exclude each other");
        }
        SummaryTable.Layout summaryLayout = summaryLayout(err);
        if (json && (summaryOnly || summaryToo)) {
            throw new UserError((summaryOnly ? "-c" : "-C") + " prints strace's table, which JSON lines have no"
                    + " place for; drop --json, or use --timeline FILE beside " + (summaryOnly ? "-c" : "-C"));
        }
        if (timeline != null && output != null && timeline.toAbsolutePath().normalize()
                .equals(output.toAbsolutePath().normalize())) {
            throw new UserError("--timeline " + timeline + " is also -o's file; name another file for one of them");
        }
        if (time > 3) {
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
        UserSwitch.Account account = null;
        if (user != null) {
            if (!isRoot()) {
                throw new UserError("-u " + user + " needs root (only root can start a program as another user);"
                        + " run jpoline as root, or drop -u");
            }
            try {
                account = UserSwitch.resolve(user);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
        }
        // What a user may have got wrong first, so that it costs no run: -e trace= needs the
        // syscall table, which the warm-up thread is parsing meanwhile.
        if (pids.isEmpty()) {
            Va0Requirement.check(err, quietSet.contains(Quiet.PERSONALITY)); // -p maps page 0 in the target or says why not
        }
        if (!tracedPaths.isEmpty()) {
            pathTrace = PathTrace.select(tracedPaths, quietPathResolution, err);
        }
        HostRewriting rewriting = HostRewriting.create(err);
        SyscallFilter filter = null;
        try {
            for (String set : traceSets) {
                filter = SyscallFilter.parse(set); // each is checked; the last one counts
            }
        } catch (IllegalArgumentException ex) {
            throw new UserError(ex.getMessage());
        }
        // JSON and the timeline give every call its time and duration.
        boolean timestamps = duration || relative || time > 0 || summaryOnly || summaryToo || json || timeline != null;
        // Bytes, not a Writer: the formatter writes ASCII lines into byte buffers, and a Writer's
        // charset encoder was ~100 ns of a traced call's ~300 (measured with DrainBench).
        OutputStream single = null;
        TraceWriter.Mode mode;
        OutputStream timelineFile = timeline == null ? null
                : new BufferedOutputStream(openOutput("--timeline", timeline), 1 << 20);
        if (ff) {
            mode = TraceWriter.Mode.FF;
        } else if (output != null) {
            mode = TraceWriter.Mode.FILE;
            single = new BufferedOutputStream(openOutput("-o", output), 1 << 20);
        } else {
            mode = TraceWriter.Mode.STDERR;
            single = new BufferedOutputStream(new FileOutputStream(FileDescriptor.err), 1 << 16);
        }
        // Without -e trace=, the filter (all) is made after the program started, when the table
        // is more likely parsed; the writer (formatters, time zone) once it is being rewritten.
        Selected selected = new Selected(filter);
        IoDump dump = new IoDump(readFds, writeFds);
        java.util.LinkedHashMap<String, String> envChanges = environmentChanges(environment);
        Attacher attacher = pids.isEmpty() ? null : new Attacher(err, hostTimeoutMs).quiet(quietSet.contains(Quiet.ATTACH));
        Tracer tracer = new Tracer(selected, stringLimit, timestamps,
                new WriterFactory(this, style, paths > 0, mode, single, selected, status, timelineFile, signals,
                        quietSet.contains(Quiet.EXIT), summaryLayout, dump), err)
                .withInjections(injections).withCapturedWhole(summaryOnly ? Set.of() : dump.capturedSyscalls())
                .withSyscallLimit(syscallLimit, quietSet.contains(Quiet.ATTACH),
                        attacher == null ? null : attacher::requestStop);
        if (paths > 0 || pathTrace != null) {
            tracer.withFdTracking(pathTrace != null);
        }
        try {
            if (attacher != null) {
                int attached = attacher.run(pids, rewriting, ringSize, tracer);
                err.flush();
                return attached;
            }
            Launcher.Outcome outcome = new Launcher(err, hostTimeoutMs).exhaustive(exhaustive).environment(envChanges)
                    .runAs(account).ptraceWindow(true)
                    .run(command, new Handlers(rewriting), ringSize, tracer);
            err.flush();
            return outcome.exitStatus();
        } finally {
            TraceWriter writer = tracer.writer();
            if (writer != null) {
                writer.close();
            } else {
                if (single != null) {
                    single.close();
                }
                if (timelineFile != null) {
                    timelineFile.close();
                }
            }
        }
    }

    /** Makes the trace's writer from the options (a named class: it runs while the program waits). */
    private record WriterFactory(TraceCommand c, XlatStyle style, boolean paths, TraceWriter.Mode mode,
            OutputStream single, IntPredicate selected, TraceWriter.Status status, OutputStream timelineFile,
            SignalSet signals, boolean quietExits, SummaryTable.Layout summaryLayout, IoDump dump)
            implements Supplier<TraceWriter> {
        @Override
        public TraceWriter get() {
            TraceOptions options = TraceOptions.defaults().withStringLimit(c.stringLimit).withXlatStyle(style)
                    .withDuration(c.duration)
                    .withRelativeTimestamps(c.relative)
                    .withSyscallNumbers(c.numbers)
                    .withInstructionPointer(c.instructionPointer)
                    .withTimestamps(switch (c.time) {
                        case 0 -> TraceOptions.Timestamps.NONE;
                        case 1 -> TraceOptions.Timestamps.TIME;
                        case 2 -> TraceOptions.Timestamps.TIME_MICROS;
                        default -> TraceOptions.Timestamps.EPOCH_MICROS;
                    });
            TraceWriter.Lines lines = c.summaryOnly ? TraceWriter.Lines.NONE
                    : c.json ? TraceWriter.Lines.JSON : TraceWriter.Lines.TEXT;
            java.time.Instant now = java.time.Instant.now();
            TimelineSink timeline = timelineFile == null ? null : new TimelineSink(timelineFile,
                    c.command.isEmpty() ? "pid " + c.pids.get(0) : c.command.get(0),
                    now.getEpochSecond() * 1_000_000_000L + now.getNano());
            TraceWriter writer = new TraceWriter(options, paths, mode, single, c.output, selected, status, lines,
                    c.summaryOnly || c.summaryToo, 0, timeline).withSignals(signals).withQuietExits(quietExits)
                    .withSummaryLayout(summaryLayout).withIoDump(dump);
            if (c.paths > 1) {
                writer.detailedFds();
            }
            if (c.pathTrace != null) {
                writer.tracePaths(c.pathTrace);
            }
            return writer;
        }
    }

    /** -e read=SET, -e write=SET: strace's descriptor sets. */
    private static DescriptorSet descriptors(String key, String value) {
        try {
            return DescriptorSet.parse(value);
        } catch (IllegalArgumentException ex) {
            throw new UserError("-e " + key + "=" + value + ": " + ex.getMessage() + "; give descriptor numbers (3 or 3,4),"
                    + " all, none, or !SET for all but SET");
        }
    }

    /** -S, -U and -w, checked as strace checks them: -U and -w need -c or -C, -S only warns without. */
    private SummaryTable.Layout summaryLayout(PrintWriter err) {
        boolean summary = summaryOnly || summaryToo;
        if (wallClock && !summary) {
            throw new UserError("-w summarises wall-clock time in -c's table: give it with -c or -C");
        }
        if (columns != null && !summary) {
            throw new UserError("-U chooses the columns of -c's table: give it with -c or -C");
        }
        if (sortBy != null && !summary) {
            err.println("jpoline: -S has no effect without -c or -C");
        }
        SummaryTable.Layout layout = SummaryTable.Layout.DEFAULT;
        try {
            if (sortBy != null) {
                layout = layout.withSortBy(SummaryTable.sortBy(sortBy));
            }
            if (columns != null) {
                layout = layout.withColumns(SummaryTable.columns(columns));
            }
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        return layout;
    }

    /**
     * The syscalls -e trace= selects, for the tracer and the writer; all of them without -e
     * trace=, made on first use (a named class: see {@link Handlers}).
     */
    private static final class Selected implements IntPredicate, Supplier<SyscallFilter> {
        private volatile SyscallFilter filter;

        Selected(SyscallFilter filter) {
            this.filter = filter;
        }

        @Override
        public SyscallFilter get() {
            SyscallFilter f = filter;
            if (f == null) {
                f = SyscallFilter.all();
                filter = f;
            }
            return f;
        }

        @Override
        public boolean test(int nr) {
            return get().contains(nr);
        }
    }

    /** The file of -o or --timeline, opened before the program starts, so that a bad name costs no run. */
    private static OutputStream openOutput(String option, Path file) {
        try {
            return Files.newOutputStream(file);
        } catch (NoSuchFileException e) {
            throw new UserError(option + " " + file + ": no such directory; name a file in an existing directory");
        } catch (AccessDeniedException e) {
            throw new UserError(option + " " + file + ": permission denied; name a file you can write");
        } catch (IOException e) {
            throw new UserError(option + " " + file + ": cannot write it (" + e.getMessage() + ")");
        }
    }
}
