package dev.jpoline.inlinehook.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The few facts of {@code /proc/PID/...} the ptrace components read: state, owner, signals, and
 * (for the host's ptrace window and its SUD jump patching) a status file's numbers.
 */
public final class ProcStatus {
    private ProcStatus() {}

    /** The state letter of {@code /proc/PID/stat} (after the command name, which may hold spaces), or '?' when unreadable. */
    static char state(Path stat) {
        String s = readSmall(stat);
        if (s == null) {
            return '?';
        }
        int close = s.lastIndexOf(')');
        return close > 0 && close + 2 < s.length() ? s.charAt(close + 2) : '?';
    }

    /** The first number of a status file's field ({@code "Tgid:"}, {@code "Threads:"}), or -1 when unreadable. */
    public static long number(Path status, String name) {
        String v = field(readSmall(status), name);
        try {
            return v == null ? -1 : Long.parseLong(v.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The real uid of a status file, or -1. */
    static long uid(Path status) {
        return number(status, "Uid:");
    }

    /**
     * Whether a signal the program catches is pending for thread {@code tid} and not blocked:
     * then an EINTR it just got may be that signal's, and must stay.
     */
    static boolean caughtSignalPending(int pid, int tid) {
        String s = readSmall(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid), "status"));
        if (s == null) {
            return true; // unknown: leave the EINTR as it is
        }
        long pending = hex(field(s, "SigPnd:")) | hex(field(s, "ShdPnd:"));
        return (pending & ~hex(field(s, "SigBlk:")) & hex(field(s, "SigCgt:"))) != 0;
    }

    private static long hex(String v) {
        return v == null ? 0 : Long.parseUnsignedLong(v.trim(), 16);
    }

    private static String field(String text, String name) {
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(name)) {
                return line.substring(name.length());
            }
        }
        return null;
    }

    /** A small /proc or /sys file in one read (sysctls end a read at any other offset), trimmed; null when unreadable. */
    static String readSmall(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return null;
        }
    }
}
