package dev.jpoline.cli;

import picocli.CommandLine.Command;

@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a program with every syscall rewritten and passed through jpoline.")
final class RunCommand extends NotYetAvailable {
    @Override
    String what() {
        return "'jpoline run' (run a program with every syscall routed through jpoline)";
    }
}
