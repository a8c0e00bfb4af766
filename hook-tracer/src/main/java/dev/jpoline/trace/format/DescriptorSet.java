package dev.jpoline.trace.format;

import java.util.Arrays;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A set of file descriptors as strace's {@code -e read=SET} and {@code -e write=SET} read it:
 * numbers separated by commas, {@code all}, {@code none}, each leading {@code !} inverting
 * the rest ({@code !!3} is 3). Immutable.
 */
public final class DescriptorSet {
    /** No descriptor: the default of -e read= and -e write=. */
    public static final DescriptorSet NONE = new DescriptorSet(new int[0], false);

    /** What strtoll takes in strace's string_to_uint: leading blanks, a sign, decimal digits. */
    private static final Pattern NUMBER = Pattern.compile("[ \\t\\n\\x0B\\f\\r]*[+-]?[0-9]+");

    /** Sorted, without repeats: a bit set would take 256 MB for -e write=2147483647. */
    private final int[] numbers;
    private final boolean inverted;

    private DescriptorSet(int[] numbers, boolean inverted) {
        this.numbers = numbers;
        this.inverted = inverted;
    }

    /**
     * Parses {@code spec}; a token that is not a descriptor number (0 to 2^31-1), or no number at
     * all, is an {@link IllegalArgumentException} naming it.
     */
    public static DescriptorSet parse(String spec) {
        boolean inverted = false;
        String s = spec;
        while (s.startsWith("!")) {
            inverted = !inverted;
            s = s.substring(1);
        }
        if (s.equals("none")) {
            return new DescriptorSet(new int[0], inverted);
        }
        if (s.equals("all")) {
            return new DescriptorSet(new int[0], !inverted);
        }
        TreeSet<Integer> numbers = new TreeSet<>();
        boolean any = false;
        for (String token : s.split(",")) {
            if (token.isEmpty()) {
                continue; // strtok skips empty tokens: "1,,2" is 1 and 2
            }
            numbers.add(descriptor(token));
            any = true;
        }
        if (!any) {
            throw new IllegalArgumentException("invalid descriptor '" + spec + "'");
        }
        return new DescriptorSet(numbers.stream().mapToInt(Integer::intValue).toArray(), inverted);
    }

    private static int descriptor(String token) {
        if (NUMBER.matcher(token).matches()) {
            try {
                long v = Long.parseLong(token.strip());
                if (v >= 0 && v <= Integer.MAX_VALUE) {
                    return (int) v;
                }
            } catch (NumberFormatException e) {
                // too long for a long: not a descriptor either
            }
        }
        throw new IllegalArgumentException("invalid descriptor '" + token + "'");
    }

    /** Whether {@code fd} is in the set; a negative one never is (strace dumps nothing for it). */
    public boolean contains(int fd) {
        return fd >= 0 && (Arrays.binarySearch(numbers, fd) >= 0) != inverted;
    }

    /** Whether no descriptor is in the set. */
    public boolean isEmpty() {
        return !inverted && numbers.length == 0;
    }

    @Override
    public String toString() {
        return (inverted ? "!" : "") + (numbers.length == 0 ? "none" : Arrays.toString(numbers));
    }
}
