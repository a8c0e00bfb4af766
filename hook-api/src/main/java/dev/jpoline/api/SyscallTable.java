package dev.jpoline.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Number and name lookups over a syscall table parsed from {@link SyscallData}. Immutable and
 * shared: {@link #x86_64()} parses once.
 */
public final class SyscallTable {
    private static final class Holder {
        static final SyscallTable X86_64 = parse(SyscallData.X86_64);
    }

    private final Syscall[] byNumber;
    private final Map<String, Syscall> byName;
    private final List<Syscall> all;

    private SyscallTable(List<Syscall> syscalls) {
        int max = -1;
        for (Syscall s : syscalls) {
            max = Math.max(max, s.number());
        }
        this.byNumber = new Syscall[max + 1];
        this.byName = new HashMap<>();
        for (Syscall s : syscalls) {
            if (byNumber[s.number()] != null) {
                throw new IllegalStateException("duplicate syscall number " + s.number());
            }
            if (byName.put(s.name(), s) != null) {
                throw new IllegalStateException("duplicate syscall name " + s.name());
            }
            byNumber[s.number()] = s;
        }
        List<Syscall> sorted = new ArrayList<>(syscalls.size());
        for (Syscall s : byNumber) {
            if (s != null) {
                sorted.add(s); // byNumber is in number order, and holds each syscall once
            }
        }
        this.all = Collections.unmodifiableList(sorted);
    }

    /** The table of the x86-64 (64-bit) syscall ABI. */
    public static SyscallTable x86_64() {
        return Holder.X86_64;
    }

    /**
     * Parses table text in the format described in {@link SyscallData}. Public so that a table for
     * another ABI or a patched table can be built from data alone.
     */
    public static SyscallTable parse(String text) {
        List<Syscall> list = new ArrayList<>();
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = fields(line);
            if (f.length < 4) {
                throw new IllegalArgumentException("syscall table line " + lineNo + ": too few fields: " + line);
            }
            try {
                int number = Integer.parseInt(f[0]);
                Set<SyscallClass> classes = EnumSet.noneOf(SyscallClass.class);
                if (!f[2].equals("-")) {
                    for (String c : f[2].split(",")) {
                        classes.add(SyscallClass.valueOf(c.toUpperCase(Locale.ROOT)));
                    }
                }
                ReturnKind ret = switch (f[3]) {
                    case "dec" -> ReturnKind.DECIMAL;
                    case "hex" -> ReturnKind.HEX;
                    case "oct" -> ReturnKind.OCTAL;
                    case "fd" -> ReturnKind.FD;
                    case "none" -> ReturnKind.NONE;
                    default -> throw new IllegalArgumentException("unknown return kind " + f[3]);
                };
                List<ArgSpec> args = new ArrayList<>();
                for (int i = 4; i < f.length; i++) {
                    args.add(ArgSpec.parse(f[i]));
                }
                list.add(new Syscall(number, f[1], args, classes, ret));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("syscall table line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        return new SyscallTable(list);
    }

    /*
     * The table is parsed on the way to starting every traced program, mostly interpreted: a
     * hand-made split rather than a regular expression per line (String.split("\\s+") compiles one
     * each time), and loops rather than streams; together about a third of the parse.
     */

    /** The blank-separated fields of a stripped line. */
    private static String[] fields(String line) {
        List<String> out = new ArrayList<>(8);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(line.substring(start, i));
            }
        }
        return out.toArray(new String[0]);
    }

    public Optional<Syscall> byNumber(long number) {
        if (number < 0 || number >= byNumber.length) {
            return Optional.empty();
        }
        return Optional.ofNullable(byNumber[(int) number]);
    }

    public Optional<Syscall> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The name of a syscall number, or strace's placeholder {@code syscall_0x1f4} for unknown ones. */
    public String nameOf(long number) {
        return byNumber(number).map(Syscall::name).orElse("syscall_0x" + Long.toHexString(number));
    }

    /**
     * The number of a syscall name; throws with a one-line message naming the problem when the name
     * is unknown (for command-line and hook configuration errors).
     */
    public int numberOf(String name) {
        Syscall s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown syscall name '" + name + "' (x86-64)");
        }
        return s.number();
    }

    /** All syscalls, in number order. */
    public List<Syscall> all() {
        return all;
    }

    /** The syscalls of one strace class, in number order (what {@code -e trace=%file} selects). */
    public List<Syscall> inClass(SyscallClass c) {
        return all.stream().filter(s -> s.inClass(c)).toList();
    }

    /** One more than the highest syscall number in the table. */
    public int limit() {
        return byNumber.length;
    }
}
