package dev.jpoline.api;

import java.util.Objects;

/**
 * One argument of a syscall: its kind, an optional parameter (a flag or value table name for
 * {@link ArgKind#FLAGS} and {@link ArgKind#ENUM}), the index of the argument holding its length
 * (for {@link ArgKind#BUFFER_IN} and {@link ArgKind#SOCKADDR}), and whether the kernel writes it.
 *
 * <p>The textual form used by the syscall table is {@code KIND}, {@code KIND(param)} or
 * {@code KIND(2)} (a length argument index), prefixed with {@code >} when the kernel fills the
 * memory; {@link #parse(String)} reads it and {@link #toString()} writes it back.
 */
public record ArgSpec(ArgKind kind, String param, int lengthArg, boolean out) {

    public static final int NO_LENGTH_ARG = -1;

    public ArgSpec {
        Objects.requireNonNull(kind, "kind");
        if (lengthArg < NO_LENGTH_ARG || lengthArg > 5) {
            throw new IllegalArgumentException("length argument index out of range: " + lengthArg);
        }
    }

    /** Is the memory written by the kernel, so only meaningful at syscall exit? */
    public boolean out() {
        return out || kind == ArgKind.BUFFER_OUT || kind == ArgKind.STAT || kind == ArgKind.STATX
                || kind == ArgKind.STATFS || kind == ArgKind.FD_PAIR || kind == ArgKind.EPOLL_EVENTS
                || kind == ArgKind.WAIT_STATUS || kind == ArgKind.DIRENTS || kind == ArgKind.RUSAGE
                || kind == ArgKind.UTSNAME || kind == ArgKind.SYSINFO;
    }

    public static ArgSpec parse(String text) {
        String t = text.trim();
        boolean out = t.startsWith(">");
        if (out) {
            t = t.substring(1);
        }
        String param = null;
        int lengthArg = NO_LENGTH_ARG;
        int open = t.indexOf('(');
        if (open >= 0) {
            if (!t.endsWith(")")) {
                throw new IllegalArgumentException("unbalanced parameter in argument spec: " + text);
            }
            String inner = t.substring(open + 1, t.length() - 1);
            t = t.substring(0, open);
            if (isDigits(inner)) {
                lengthArg = Integer.parseInt(inner);
            } else {
                param = inner;
            }
        }
        return new ArgSpec(ArgKind.valueOf(t), param, lengthArg, out);
    }

    /** Non-empty and only ASCII digits (a loop, not a stream: the table is parsed at every start-up). */
    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (out) {
            sb.append('>');
        }
        sb.append(kind.name());
        if (param != null) {
            sb.append('(').append(param).append(')');
        } else if (lengthArg != NO_LENGTH_ARG) {
            sb.append('(').append(lengthArg).append(')');
        }
        return sb.toString();
    }
}
