package dev.jpoline.trace;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * strace's suppressible messages ({@code -q}, {@code -qq}, {@code -qqq}, {@code -e quiet=SET}).
 * ATTACH: the attach and detach lines of -p, and the syscall limit's line; PERSONALITY: where
 * strace names a personality change, jpoline's line that syscalls are caught with Syscall User
 * Dispatch (how the tracing works, not what the program does); EXIT: {@code +++ exited with N
 * +++}; PATH_RESOLUTION: -P's resolved paths; THREAD_EXECVE: a thread superseded by an execve.
 */
public enum Quiet {
    ATTACH("attach"), EXIT("exit"), PATH_RESOLUTION("path-resolution"), PERSONALITY("personality"),
    THREAD_EXECVE("thread-execve");

    private final String word;

    Quiet(String word) {
        this.word = word;
    }

    /** {@code -q} given {@code count} times (strace: 1 attach and personality, 2 also exit, 3 all). */
    public static Set<Quiet> level(int count) {
        EnumSet<Quiet> s = EnumSet.noneOf(Quiet.class);
        if (count >= 1) {
            s.add(ATTACH);
            s.add(PERSONALITY);
        }
        if (count >= 2) {
            s.add(EXIT);
        }
        if (count >= 3) {
            s.addAll(EnumSet.allOf(Quiet.class));
        }
        return s;
    }

    /** {@code -e quiet=SET}: words, all, none, {@code !} for the complement; a bad word is one line. */
    public static Set<Quiet> parse(String value) {
        String v = value;
        boolean negate = v.startsWith("!");
        if (negate) {
            v = v.substring(1);
        }
        EnumSet<Quiet> s = EnumSet.noneOf(Quiet.class);
        for (String part : v.split(",", -1)) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            switch (p) {
                case "all" -> s.addAll(EnumSet.allOf(Quiet.class));
                case "none" -> { }
                case "superseded" -> s.add(THREAD_EXECVE); // strace's other names for them
                case "exits" -> s.add(EXIT);
                default -> s.add(of(p));
            }
        }
        return negate ? EnumSet.complementOf(s) : s;
    }

    private static Quiet of(String p) {
        for (Quiet q : values()) {
            if (q.word.equals(p)) {
                return q;
            }
        }
        throw new IllegalArgumentException("-e quiet=: '" + p + "' is not a message strace can silence (attach, exit,"
                + " path-resolution, personality, thread-execve, all, none)");
    }
}
