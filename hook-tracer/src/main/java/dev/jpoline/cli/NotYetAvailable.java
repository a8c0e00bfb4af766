package dev.jpoline.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * Base of the commands whose machinery a later change brings. It accepts the command's usual
 * arguments and refuses clearly, so that scripts fail fast instead of doing nothing.
 */
abstract class NotYetAvailable implements Runnable {
    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "Arguments of the command.")
    List<String> arguments = new ArrayList<>();

    @Unmatched List<String> unmatched = new ArrayList<>();

    abstract String what();

    /** Whether the command will need the VA0 page; checked first so the fix is said early. */
    boolean needsVa0() {
        return true;
    }

    @Override
    public void run() {
        if (needsVa0()) {
            Va0Requirement.check();
        }
        throw new UserError(what() + " is not available yet in this build of jpoline", Main.EXIT_UNAVAILABLE);
    }
}
