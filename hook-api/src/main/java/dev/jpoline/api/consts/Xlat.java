package dev.jpoline.api.consts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A named table of constants: either one value out of many ({@link Kind#VALUES}: a whence, a
 * command, a family) or a bit set ({@link Kind#FLAGS}). Formats numbers the way strace prints them.
 *
 * <p>Bit sets print their names in table order, each name consuming its bits, so multi-bit names
 * (O_TMPFILE, O_SYNC) must come before the single bits they contain. Two kinds of fields can be
 * embedded in a bit set: a <em>leading field</em> printed first even when zero (the access mode of
 * open flags, the mapping type of mmap flags, the socket type) and a <em>trailing field</em> printed
 * last when non-zero (clone's exit signal, mmap's huge page size). Bits without a name print as one
 * hexadecimal remainder; a set where nothing has a name prints as {@code 0x.. /* PREFIX??? *}{@code /}.
 * An unknown leading field value is left in the remainder.
 */
public final class Xlat {
    /** What the table describes. */
    public enum Kind {
        VALUES,
        FLAGS
    }

    /** One named constant. */
    public record Entry(String name, long value) {
        public Entry {
            Objects.requireNonNull(name, "name");
        }
    }

    private final String name;
    private final Kind kind;
    private final List<Entry> entries;
    private final String unknownComment;
    private final boolean decimal;
    private final Xlat leadingField;
    private final long leadingMask;
    private final long trailingMask;
    private final LongFunction<String> trailingFormat;

    private Xlat(Builder b) {
        this.name = b.name;
        this.kind = b.kind;
        this.entries = Collections.unmodifiableList(new ArrayList<>(b.entries));
        this.unknownComment = b.unknownComment;
        this.decimal = b.decimal;
        this.leadingField = b.leadingField;
        this.leadingMask = b.leadingMask;
        this.trailingMask = b.trailingMask;
        this.trailingFormat = b.trailingFormat;
    }

    /** A value table; {@code unknownComment} is strace's comment for unknown values, e.g. "SEEK_???". */
    public static Builder values(String name, String unknownComment) {
        return new Builder(name, Kind.VALUES, unknownComment);
    }

    /** A bit set table; {@code unknownComment} is strace's comment when no bit has a name. */
    public static Builder flags(String name, String unknownComment) {
        return new Builder(name, Kind.FLAGS, unknownComment);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** What strace writes in the comment after an unknown value, e.g. {@code SEEK_???}. */
    public String unknownComment() {
        return unknownComment;
    }

    /** The name of an exact value, if the table has one. */
    public Optional<String> nameOf(long value) {
        for (Entry e : entries) {
            if (e.value == value) {
                return Optional.of(e.name);
            }
        }
        return Optional.empty();
    }

    /** The value of a name, if the table has it. */
    public Optional<Long> valueOf(String constantName) {
        for (Entry e : entries) {
            if (e.name.equals(constantName)) {
                return Optional.of(e.value);
            }
        }
        return Optional.empty();
    }

    /** Formats a value according to the table's kind, in strace's default style. */
    public String format(long value) {
        return format(value, XlatStyle.ABBREV);
    }

    /** Formats a value according to the table's kind and the given style. */
    public String format(long value, XlatStyle style) {
        return kind == Kind.FLAGS ? formatFlags(value, style) : formatValue(value, style);
    }

    /** The number as strace writes it for this table: decimal or {@code %#x}. */
    public String number(long value) {
        return decimal ? Long.toString(value) : hex(value);
    }

    private String formatValue(long value, XlatStyle style) {
        Optional<String> n = nameOf(value);
        return switch (style) {
            case RAW -> number(value);
            case ABBREV -> n.orElseGet(() -> number(value) + " /* " + unknownComment + " */");
            case VERBOSE -> number(value) + " /* " + n.orElse(unknownComment) + " */";
        };
    }

    private String formatFlags(long value, XlatStyle style) {
        if (style == XlatStyle.RAW) {
            return hex(value);
        }
        String names = flagNames(value);
        if (style == XlatStyle.ABBREV) {
            return names != null ? names : hex(value) + " /* " + unknownComment + " */";
        }
        if (value == 0 && names != null && names.equals("0")) {
            return "0";
        }
        return hex(value) + " /* " + (names != null ? names : unknownComment) + " */";
    }

    /**
     * The symbolic part of a bit set: names joined by '|', an unnamed remainder in hex, or null when
     * no bit at all has a name (the caller then prints the number with a ??? comment).
     */
    private String flagNames(long value) {
        StringBuilder sb = new StringBuilder();
        long rest = value;
        boolean named = false;
        if (value == 0) {
            // A zero word prints the table's zero name (O_RDONLY, MAP_FILE, PROT_NONE) or "0".
            Optional<String> zero = leadingField != null ? leadingField.nameOf(0) : Optional.empty();
            return zero.or(() -> nameOf(0)).orElse("0");
        }
        if (leadingField != null) {
            long field = rest & leadingMask;
            Optional<String> fieldName = leadingField.nameOf(field);
            if (fieldName.isPresent()) {
                sb.append(fieldName.get());
                rest &= ~leadingMask;
                named = true;
            }
        }
        long trailing = rest & trailingMask;
        rest &= ~trailingMask;
        for (Entry e : entries) {
            if (e.value != 0 && (rest & e.value) == e.value) {
                if (!sb.isEmpty()) {
                    sb.append('|');
                }
                sb.append(e.name);
                rest &= ~e.value;
                named = true;
            }
        }
        if (trailing != 0) {
            if (!sb.isEmpty()) {
                sb.append('|');
            }
            sb.append(trailingFormat.apply(trailing));
            named = true;
        }
        if (!named) {
            return null;
        }
        if (rest != 0) {
            sb.append('|').append(hex(rest));
        }
        return sb.toString();
    }

    /** strace's {@code %#x}: 0 stays "0", everything else gets "0x". */
    public static String hex(long value) {
        return value == 0 ? "0" : "0x" + Long.toHexString(value);
    }

    @Override
    public String toString() {
        return "Xlat[" + name + ", " + entries.size() + " entries]";
    }

    /** Builds a table; entries keep the order they are added in, which is the print order. */
    public static final class Builder {
        private final String name;
        private final Kind kind;
        private final String unknownComment;
        private final List<Entry> entries = new ArrayList<>();
        private boolean decimal;
        private Xlat leadingField;
        private long leadingMask;
        private long trailingMask;
        private LongFunction<String> trailingFormat;

        private Builder(String name, Kind kind, String unknownComment) {
            this.name = Objects.requireNonNull(name);
            this.kind = kind;
            this.unknownComment = Objects.requireNonNull(unknownComment);
        }

        public Builder add(String constantName, long value) {
            entries.add(new Entry(constantName, value));
            return this;
        }

        /** Unknown values print in decimal rather than strace's default {@code %#x}. */
        public Builder decimal() {
            this.decimal = true;
            return this;
        }

        /** The bits under {@code mask} are one value of {@code field}, printed first even when 0. */
        public Builder leadingField(long mask, Xlat field) {
            this.leadingMask = mask;
            this.leadingField = field;
            return this;
        }

        /** The bits under {@code mask}, when non-zero, print last through {@code format}. */
        public Builder trailingField(long mask, LongFunction<String> format) {
            this.trailingMask = mask;
            this.trailingFormat = format;
            return this;
        }

        public Xlat build() {
            return new Xlat(this);
        }
    }
}
