package dev.jpoline.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code jpoline.jar}: the command line that the {@code ./jpoline} script runs. */
@Command(
        name = "jpoline",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description =
                "System-call interception for Linux x86-64: every syscall instruction of a program is"
                        + " rewritten to 'call *%%rax' and lands on a trampoline at address 0, from where it"
                        + " is passed through, traced, or handed to Java hooks.",
        subcommands = {
            RunCommand.class,
            TraceCommand.class,
            SitesCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    /** Exit status for a user error (bad input, unmet requirement): the message names the fix. */
    public static final int EXIT_USAGE = 2;
    /** Exit status for a feature that this build does not have yet. */
    public static final int EXIT_UNAVAILABLE = 3;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // No subcommand: say what there is instead of doing nothing.
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new UserError("name a command: jpoline run|trace|sites ... (see jpoline --help)");
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit status. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        // strace's convention: options end at the program's name (jpoline trace ls -l).
        cli.getSubcommands().get("trace").setStopAtPositional(true);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UserError) {
                err.println("jpoline: " + ex.getMessage());
                return ((UserError) ex).exitCode();
            }
            throw ex;
        });
        cli.setParameterExceptionHandler((ex, parsedArgs) -> {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            err.println("jpoline: " + ex.getMessage() + "; see: " + command + " --help");
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }
}
