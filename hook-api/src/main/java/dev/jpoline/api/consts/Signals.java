package dev.jpoline.api.consts;

import java.util.Optional;

/**
 * Linux x86-64 signal numbers and names as strace writes them: SIGHUP..SIGSYS for 1..31, SIGRTMIN
 * for 32 and SIGRT_n for 32+n up to 64. (glibc reserves the first two real-time signals, so its
 * SIGRTMIN is 34; strace names real-time signals relative to the kernel's 32, and so do we.)
 */
public final class Signals {
    private Signals() {
    }

    /** Highest signal number on Linux (_NSIG - 1 = 64). */
    public static final int MAX = 64;
    /** First real-time signal as the kernel numbers it. */
    public static final int RTMIN = 32;

    private static final String[] CLASSIC = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
        "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    };

    /** The name of a signal number (SIGSEGV, SIGRTMIN, SIGRT_3), if it is one. */
    public static Optional<String> name(long signo) {
        if (signo >= 1 && signo < CLASSIC.length) {
            return Optional.of(CLASSIC[(int) signo]);
        }
        if (signo == RTMIN) {
            return Optional.of("SIGRTMIN");
        }
        if (signo > RTMIN && signo <= MAX) {
            return Optional.of("SIGRT_" + (signo - RTMIN));
        }
        return Optional.empty();
    }

    /** The number of a signal name, with or without the SIG prefix; also accepts SIGRTMIN+n. */
    public static Optional<Integer> number(String name) {
        String n = name.startsWith("SIG") ? name : "SIG" + name;
        for (int i = 1; i < CLASSIC.length; i++) {
            if (CLASSIC[i].equals(n)) {
                return Optional.of(i);
            }
        }
        if (n.equals("SIGIOT")) {
            return Optional.of(6);
        }
        if (n.equals("SIGPOLL")) {
            return Optional.of(29);
        }
        try {
            if (n.equals("SIGRTMIN")) {
                return Optional.of(RTMIN);
            }
            int rel = -1;
            if (n.startsWith("SIGRT_")) {
                rel = Integer.parseInt(n.substring(6));
            } else if (n.startsWith("SIGRTMIN+")) {
                rel = Integer.parseInt(n.substring(9));
            }
            if (rel >= 0 && RTMIN + rel <= MAX) {
                return Optional.of(RTMIN + rel);
            }
        } catch (NumberFormatException ignored) {
            // not a real-time signal spelling
        }
        return Optional.empty();
    }

    /** A signal argument as strace prints it: the name, or the number in decimal when unnamed (0). */
    public static String format(long signo, XlatStyle style) {
        Optional<String> n = name(signo);
        if (n.isEmpty()) {
            // strace prints unnamed signal numbers (0, 99) in plain decimal in every style.
            return Long.toString(signo);
        }
        return switch (style) {
            case RAW -> Long.toString(signo);
            case ABBREV -> n.get();
            case VERBOSE -> signo + " /* " + n.get() + " */";
        };
    }

    /**
     * A signal set as strace prints it: names without the SIG prefix in brackets, and when about two
     * thirds of the signals are in the set (42 of 64, measured against strace 6.1), the complement
     * after a '~' (a block-everything mask reads {@code ~[KILL STOP]}). {@code bytes} is how much of
     * the set to look at (the sigsetsize argument).
     */
    public static String formatSet(long mask, int bytes) {
        return formatSet(mask, bytes, XlatStyle.ABBREV);
    }

    /** A signal set in a given style: raw numbers, names, or {@code 2 /* INT *}{@code /} pairs. */
    public static String formatSet(long mask, int bytes, XlatStyle style) {
        int nsig = Math.min(bytes, 8) * 8;
        long valid = nsig >= 64 ? -1L : (1L << nsig) - 1;
        mask &= valid;
        StringBuilder sb = new StringBuilder();
        long shown = mask;
        if (nsig > 0 && Long.bitCount(mask) * 3 >= (nsig - 1) * 2) {
            sb.append('~');
            shown = ~mask & valid;
        }
        sb.append('[');
        boolean first = true;
        for (int bit = 0; bit < nsig; bit++) {
            if ((shown & (1L << bit)) != 0) {
                if (!first) {
                    sb.append(' ');
                }
                first = false;
                int signo = bit + 1;
                Optional<String> n = name(signo).map(s -> s.substring(3));
                sb.append(switch (style) {
                    case RAW -> Integer.toString(signo);
                    case ABBREV -> n.orElse(Integer.toString(signo));
                    case VERBOSE -> signo + n.map(x -> " /* " + x + " */").orElse("");
                });
            }
        }
        return sb.append(']').toString();
    }
}
