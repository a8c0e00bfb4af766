package dev.jpoline.cli;

import picocli.CommandLine.Command;

@Command(name = "sites", mixinStandardHelpOptions = true, description = "List the syscall instructions that jpoline would rewrite in ELF files.")
final class SitesCommand extends NotYetAvailable {
    @Override
    String what() {
        return "'jpoline sites' (list the syscall sites of ELF files)";
    }

    @Override
    boolean needsVa0() {
        return false; // only reads files
    }
}
