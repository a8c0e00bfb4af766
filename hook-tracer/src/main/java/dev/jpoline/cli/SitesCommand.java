package dev.jpoline.cli;

import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.FunctionSymbol;
import dev.jpoline.rewriter.elf.FunctionSymbols;
import dev.jpoline.rewriter.plan.FilePlan;
import dev.jpoline.rewriter.plan.Planner;
import dev.jpoline.rewriter.plan.SegmentPlan;
import dev.jpoline.rewriter.plan.SuspiciousFileSite;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code jpoline sites}: the syscall sites the rewriter finds in ELF files. */
final class SitesCommand extends Command {
    static final String HELP = """
            Usage: jpoline sites [--summary] FILE...
            List the syscall (0f 05) and sysenter (0f 34) instructions that jpoline finds
            in ELF files by a linear sweep of every executable segment, with the function
            that holds each one.
            Suspicious sites (after an invalid decode, or inside a range the ELF marks as
            data) are listed with their reason and are never rewritten. sysenter sites are
            found but not rewritten.

            Options:
              --summary      One line of counts per file instead of one line per site.
              -h, --help     Show this help and exit.
              -V, --version  Print version information and exit.

            Example: jpoline sites --summary /lib/x86_64-linux-gnu/libc.so.6
            """;

    private static final String[] OPTIONS = {"--summary"};

    boolean summary;
    final List<Path> files = new ArrayList<>();

    /** Reads {@code jpoline sites}'s arguments, from {@code args[start]} on; options and files may mix. */
    static SitesCommand parse(String[] args, int start) {
        SitesCommand c = new SitesCommand();
        Getopt options = new Getopt("jpoline sites", args, start, OPTIONS, false);
        for (String o = options.next(); o != null; o = options.next()) {
            if (o.equals("--summary")) {
                c.summary = true;
            }
        }
        if (!c.stoppedFor(options)) {
            for (String file : options.requireOperands("name at least one ELF file: jpoline sites [--summary] FILE...")) {
                c.files.add(Path.of(file));
            }
        }
        return c;
    }

    @Override
    String help() {
        return HELP;
    }

    @Override
    int call(PrintWriter out, PrintWriter err) {
        Planner planner = new Planner();
        int failures = 0;
        for (Path file : files) {
            try {
                FilePlan plan = planner.plan(file);
                if (summary) {
                    printSummary(out, file, plan);
                } else {
                    printSites(out, file, plan);
                }
            } catch (NoSuchFileException e) {
                err.println("jpoline: " + file + ": no such file");
                failures++;
            } catch (IOException e) {
                err.println("jpoline: " + file + ": " + e.getMessage());
                failures++;
            }
            out.flush();
        }
        return failures == 0 ? 0 : Main.EXIT_USAGE;
    }

    private static void printSummary(PrintWriter out, Path file, FilePlan plan) {
        int sites = 0;
        int sysenters = 0;
        int suspicious = 0;
        long instructions = 0;
        long invalid = 0;
        for (SegmentPlan segment : plan.segments()) {
            sysenters += segment.sysenterFileOffsets().length;
            sites += segment.siteCount() - segment.sysenterFileOffsets().length;
            suspicious += segment.suspicious().size();
            instructions += segment.instructions();
            invalid += segment.invalidBytes();
        }
        out.printf("%s: %d syscall, %d sysenter, %d suspicious (%d executable segment%s, %d instructions, %d invalid bytes)%n",
                file, sites, sysenters, suspicious, plan.segments().size(), plan.segments().size() == 1 ? "" : "s",
                instructions, invalid);
    }

    private static void printSites(PrintWriter out, Path file, FilePlan plan) throws IOException {
        try (ElfFile elf = ElfFile.open(file)) {
            FunctionSymbols symbols = elf.functionSymbols();
            out.println(file + ":");
            out.printf("  %-12s %-18s %-6s %-9s %s%n", "file offset", "address", "bytes", "kind", "function");
            for (SegmentPlan segment : plan.segments()) {
                long delta = segment.segmentVaddr() - segment.key().segmentOffset();
                for (long offset : segment.siteFileOffsets()) {
                    boolean sysenter = segment.isSysenter(offset);
                    out.printf("  0x%-10x 0x%-16x 0f %02x  %-9s %s%n", offset, offset + delta,
                            segment.expectedSecondByte(offset), sysenter ? "sysenter" : "syscall",
                            where(symbols, offset + delta));
                }
                for (SuspiciousFileSite s : segment.suspicious()) {
                    out.printf("  0x%-10x 0x%-16x %-6s %-9s %s: %s%n", s.fileOffset(), s.fileOffset() + delta, "",
                            "SUSPECT", where(symbols, s.fileOffset() + delta), s.reason());
                }
            }
        }
        printSummary(out, file, plan);
    }

    private static String where(FunctionSymbols symbols, long address) {
        FunctionSymbol f = symbols.containing(address);
        return f == null ? "?" : f.name() + "+0x" + Long.toHexString(address - f.value());
    }
}
