package dev.jpoline.cli;

import picocli.CommandLine.Command;

@Command(name = "trace", mixinStandardHelpOptions = true, description = "Trace the syscalls of a program and all its children, strace-style.")
final class TraceCommand extends NotYetAvailable {
    @Override
    String what() {
        return "'jpoline trace' (strace-style tracing)";
    }
}
