package dev.jpoline.api;

import java.util.BitSet;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A set of syscalls written as strace's {@code -e trace=} expression: a comma-separated list of
 * names, classes ({@code %file}, {@code %net}, ...), regular expressions over names
 * ({@code /^sched_}), {@code all} and {@code none}; a {@code ?} before an element ignores it when it
 * matches nothing, and a {@code !} before the whole list takes the complement. Immutable.
 */
public final class SyscallFilter {
    private final BitSet members;
    /** Whether numbers the table does not know (syscall_0x...) are in the set: true for "all" and complements. */
    private final boolean includesUnknown;
    private final SyscallTable table;

    private SyscallFilter(BitSet members, boolean includesUnknown, SyscallTable table) {
        this.members = members;
        this.includesUnknown = includesUnknown;
        this.table = table;
    }

    /** Every syscall, known or not. */
    public static SyscallFilter all() {
        return parse("all");
    }

    /**
     * Parses an expression against the x86-64 table.
     *
     * @throws IllegalArgumentException with a one-line message naming the bad element
     */
    public static SyscallFilter parse(String expression) {
        return parse(expression, SyscallTable.x86_64());
    }

    public static SyscallFilter parse(String expression, SyscallTable table) {
        String expr = expression.strip();
        boolean negate = expr.startsWith("!");
        if (negate) {
            expr = expr.substring(1);
        }
        if (expr.isEmpty()) {
            throw new IllegalArgumentException("empty syscall filter");
        }
        BitSet set = new BitSet(table.limit());
        boolean unknown = false;
        for (String raw : expr.split(",", -1)) {
            String element = raw.strip();
            boolean optional = element.startsWith("?");
            if (optional) {
                element = element.substring(1);
            }
            if (element.isEmpty()) {
                throw new IllegalArgumentException("empty element in syscall filter '" + expression + "'");
            }
            int before = set.cardinality();
            if (element.equals("all")) {
                table.all().forEach(s -> set.set(s.number()));
                unknown = true;
                continue;
            }
            if (element.equals("none")) {
                continue;
            }
            if (element.startsWith("%")) {
                Optional<SyscallClass> c = SyscallClass.fromName(element);
                if (c.isEmpty()) {
                    if (optional) {
                        continue;
                    }
                    throw new IllegalArgumentException("unknown syscall class '" + element + "' in syscall filter"
                            + " (known: %file, %desc, %network, %process, %signal, %memory, %ipc, %creds, %clock,"
                            + " %stat, %lstat, %fstat, %%stat, %statfs, %fstatfs, %%statfs, %pure)");
                }
                table.inClass(c.get()).forEach(s -> set.set(s.number()));
            } else if (element.startsWith("/")) {
                Pattern p;
                try {
                    p = Pattern.compile(element.substring(1));
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("bad regular expression '" + element.substring(1)
                            + "' in syscall filter: " + e.getDescription());
                }
                table.all().stream().filter(s -> p.matcher(s.name()).find()).forEach(s -> set.set(s.number()));
            } else {
                Optional<Syscall> s = table.byName(element);
                if (s.isEmpty()) {
                    if (optional) {
                        continue;
                    }
                    throw new IllegalArgumentException("unknown syscall name '" + element + "' in syscall filter"
                            + " (x86-64)");
                }
                set.set(s.get().number());
            }
            if (set.cardinality() == before && !optional && element.startsWith("/")) {
                throw new IllegalArgumentException("'" + element + "' matches no syscall in syscall filter");
            }
        }
        if (negate) {
            BitSet complement = new BitSet(table.limit());
            table.all().forEach(s -> complement.set(s.number()));
            complement.andNot(set);
            return new SyscallFilter(complement, !unknown, table);
        }
        return new SyscallFilter(set, unknown, table);
    }

    /** Whether syscall {@code number} is in the set. */
    public boolean contains(long number) {
        if (number < 0 || number > Integer.MAX_VALUE) {
            return false;
        }
        boolean known = table.byNumber(number).isPresent();
        return known ? members.get((int) number) : includesUnknown;
    }

    /** The known syscall numbers in the set, ascending. */
    public int[] numbers() {
        return members.stream().toArray();
    }
}
