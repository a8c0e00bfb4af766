package dev.jpoline.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** Entry point of {@code jpoline.jar}: the command line that the {@code ./jpoline} script runs. */
public final class Main {
    /** Exit status for a user error (bad input, unmet requirement): the message names the fix. */
    public static final int EXIT_USAGE = 2;
    /** Exit status for a feature that this build does not have yet. */
    public static final int EXIT_UNAVAILABLE = 3;

    static final String HELP = """
            Usage: jpoline [-h|--help] [-V|--version] COMMAND [ARGS...]
            System-call interception for Linux x86-64: every syscall instruction of a
            program is rewritten to 'call *%rax' and lands on a trampoline at address 0,
            from where it is passed through, traced, or handed to Java hooks.

            Commands:
              run    Run a program with every syscall instruction of its code, its
                     libraries and every library it loads later rewritten to
                     'call *%rax' and passed through jpoline; --hooks hands syscalls
                     to Java hooks.
              trace  Trace the syscalls of a program and of every process and thread
                     it starts, strace-style, without stopping it.
              hook   Replace functions of a running process (--pid) with detours
                     from a library loaded into it; Enter restores them.
              sites  List the syscall (0f 05) and sysenter (0f 34) instructions that
                     jpoline finds in ELF files.
              help   Show a command's help: jpoline help COMMAND.

            Options:
              -h, --help     Show this help and exit.
              -V, --version  Print version information and exit.

            Examples:
              jpoline trace -o trace.txt -- ls -l /
              jpoline run --stats -- make
            """;

    private static final String[] NO_OPTIONS = {};

    private Main() {}

    /**
     * Where JNA looks for libraries by name (jpoline asks it for libc only). Unset, JNA's first
     * use runs {@code /sbin/ldconfig -p} to find more, a process spawn that cost about 12 ms on
     * the way to starting every program; these are the x86-64 directories JNA adds itself.
     */
    static final String JNA_LIBRARY_PATH = "/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:/usr/lib64:/lib64:/usr/lib:/lib";

    public static void main(String[] args) {
        if (System.getProperty("jna.platform.library.path") == null) {
            System.setProperty("jna.platform.library.path", JNA_LIBRARY_PATH);
        }
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit status. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        try {
            return dispatch(args, out, err);
        } catch (UserError e) {
            err.println("jpoline: " + e.getMessage());
            return e.exitCode();
        } catch (IOException e) {
            err.println("jpoline: " + e);
            return 1;
        } catch (UncheckedIOException e) {
            // The host's own files (the plan cache, the runtime's extraction): one line, not a trace.
            err.println("jpoline: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int dispatch(String[] args, PrintWriter out, PrintWriter err) throws IOException {
        Getopt top = new Getopt("jpoline", args, 0, NO_OPTIONS, true);
        top.next(); // no options of its own: it throws for any but help and version
        if (top.helpRequested()) {
            out.print(HELP);
            return 0;
        }
        if (top.versionRequested()) {
            VersionProvider.print(out);
            return 0;
        }
        List<String> words = top.operands();
        if (words.isEmpty()) {
            // No command: say what there is instead of doing nothing.
            err.print(HELP);
            throw new UserError("name a command: jpoline run|trace|hook|sites ... (see jpoline --help)");
        }
        String name = words.get(0);
        int start = args.length - words.size() + 1;
        if (name.equals("help")) {
            return help(args, start, out);
        }
        if (name.equals(CdsTraining.COMMAND)) {
            return CdsTraining.run(args, start); // hidden: the build's training run for the CDS archive
        }
        return parse(name, args, start).execute(out, err);
    }

    /** The command {@code name} with its arguments from {@code args[start]} on. */
    static Command parse(String name, String[] args, int start) {
        switch (name) {
            case "run":
                return RunCommand.parse(args, start);
            case "trace":
                return TraceCommand.parse(args, start);
            case "sites":
                return SitesCommand.parse(args, start);
            case "hook":
                return HookCommand.parse(args, start);
            default:
                throw unknownCommand(name);
        }
    }

    /** {@code jpoline help [COMMAND]}. */
    private static int help(String[] args, int start, PrintWriter out) {
        if (start >= args.length) {
            out.print(HELP);
            return 0;
        }
        if (start + 1 < args.length) {
            throw new UserError("help takes one command, got " + (args.length - start) + " words; see: jpoline --help");
        }
        String name = args[start];
        switch (name) {
            case "run":
                out.print(RunCommand.HELP);
                return 0;
            case "trace":
                out.print(TraceCommand.HELP);
                return 0;
            case "sites":
                out.print(SitesCommand.HELP);
                return 0;
            case "hook":
                out.print(HookCommand.HELP);
                return 0;
            case "help":
                out.print(HELP);
                return 0;
            default:
                throw unknownCommand(name);
        }
    }

    private static UserError unknownCommand(String name) {
        return new UserError("Unknown command: '" + name + "' (commands: run, trace, hook, sites, help); see: jpoline --help");
    }
}
