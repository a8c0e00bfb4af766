package dev.jpoline.trace;

import dev.jpoline.api.consts.Signals;
import java.util.Locale;

/**
 * {@code -e signal=SET}: which signals get a {@code --- SIG... ---} line (and, for the one that
 * kills, the {@code +++ killed by +++} line), read as strace reads a qualifier set: {@code all},
 * {@code none}, names with or without SIG in any case, numbers 1-64, a comma list, {@code !} in
 * front for its complement. Several {@code -e signal=} options: the last one counts.
 */
public final class SignalSet {
    /** Bit n for signal n (1..64): bit 0 is never set. */
    private final long low;
    private final boolean sixtyFour;

    private SignalSet(long low, boolean sixtyFour) {
        this.low = low;
        this.sixtyFour = sixtyFour;
    }

    /** Every signal: strace's default. */
    public static SignalSet all() {
        return new SignalSet(~1L, true);
    }

    public boolean contains(int signo) {
        if (signo == Signals.MAX) {
            return sixtyFour;
        }
        return signo > 0 && signo < Signals.MAX && (low & (1L << signo)) != 0;
    }

    /** Parses {@code value} (the part after {@code signal=}); a bad name is one line naming it. */
    public static SignalSet parse(String value) {
        String v = value;
        boolean negate = v.startsWith("!");
        if (negate) {
            v = v.substring(1);
        }
        long bits = 0;
        boolean last = false;
        if (v.isEmpty()) {
            throw new IllegalArgumentException("-e signal= needs a set: all, none, or names and numbers (SIGUSR1,io,15)");
        }
        for (String part : v.split(",", -1)) {
            String p = part.trim();
            if (p.equals("all")) {
                bits = ~1L;
                last = true;
            } else if (p.equals("none")) {
                continue;
            } else {
                int n = number(p);
                if (n == Signals.MAX) {
                    last = true;
                } else {
                    bits |= 1L << n;
                }
            }
        }
        if (negate) {
            bits = ~bits & ~1L;
            last = !last;
        }
        return new SignalSet(bits, last);
    }

    private static int number(String p) {
        if (!p.isEmpty() && p.chars().allMatch(Character::isDigit)) {
            try {
                int n = Integer.parseInt(p);
                if (n >= 1 && n <= Signals.MAX) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // too long: named below
            }
        } else {
            var n = Signals.number(p.toUpperCase(Locale.ROOT));
            if (n.isPresent()) {
                return n.get();
            }
        }
        throw new IllegalArgumentException("-e signal=: '" + p + "' is not a signal (a name as SIGUSR1 or usr1, or 1-"
                + Signals.MAX + ")");
    }
}
