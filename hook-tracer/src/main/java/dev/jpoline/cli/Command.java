package dev.jpoline.cli;

import java.io.IOException;
import java.io.PrintWriter;

/** A subcommand, parsed from its arguments: shows its help or the version when asked, else runs. */
abstract class Command {
    boolean helpRequested;
    boolean versionRequested;

    /** The text of {@code jpoline COMMAND --help}. */
    abstract String help();

    /** Runs the command and returns the exit status. */
    abstract int call(PrintWriter out, PrintWriter err) throws IOException;

    /** Records a help or version request; true when there was one, so parsing stops. */
    final boolean stoppedFor(Getopt options) {
        helpRequested = options.helpRequested();
        versionRequested = options.versionRequested();
        return helpRequested || versionRequested;
    }

    final int execute(PrintWriter out, PrintWriter err) throws IOException {
        if (helpRequested) {
            out.print(help());
            return 0;
        }
        if (versionRequested) {
            VersionProvider.print(out);
            return 0;
        }
        return call(out, err);
    }
}
