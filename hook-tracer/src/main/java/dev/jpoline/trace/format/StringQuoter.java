package dev.jpoline.trace.format;

/**
 * strace's quoting of strings and buffers (its default, without -x): printable ASCII as is, {@code "}
 * and {@code \} escaped, \t \n \v \f \r by name, every other byte in octal with the fewest digits,
 * except that three digits are used when the next byte is an octal digit, so {@code "\0" "1"} reads
 * back unambiguously as {@code "\0001"}. When only part of the data is printed, {@code ...} follows
 * the closing quote.
 */
public final class StringQuoter {
    private StringQuoter() {
    }

    /**
     * Quotes {@code length} bytes of {@code data} starting at 0.
     *
     * @param forceHex  escape every byte as {@code \xNN} (strace does so for getrandom's buffer)
     * @param ellipsis  append {@code ...} after the closing quote
     */
    public static String quote(byte[] data, int length, boolean forceHex, boolean ellipsis) {
        LineBuffer out = new LineBuffer(length + 8);
        quote(out, data, 0, length, forceHex, ellipsis);
        return out.toString();
    }

    /** As {@link #quote(byte[], int, boolean, boolean)}, {@code length} bytes from {@code from}, into {@code out}. */
    public static void quote(LineBuffer out, byte[] data, int from, int length, boolean forceHex, boolean ellipsis) {
        // At most 4 bytes per byte (\ooo, \xNN), the quotes and "...": room once, then no checks.
        byte[] b = out.reserve(4 * Math.max(length, 0) + 5);
        int at = out.length();
        b[at++] = '"';
        int end = from + length;
        for (int i = from; i < end; i++) {
            int c = data[i] & 0xff;
            if (forceHex) {
                b[at++] = '\\';
                b[at++] = 'x';
                b[at++] = HEX[c >> 4];
                b[at++] = HEX[c & 15];
                continue;
            }
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                b[at++] = (byte) c;
                continue;
            }
            b[at++] = '\\';
            switch (c) {
                case '"' -> b[at++] = '"';
                case '\\' -> b[at++] = '\\';
                case '\t' -> b[at++] = 't';
                case '\n' -> b[at++] = 'n';
                case 0x0b -> b[at++] = 'v';
                case '\f' -> b[at++] = 'f';
                case '\r' -> b[at++] = 'r';
                default -> {
                    boolean nextIsOctalDigit = i + 1 < end && data[i + 1] >= '0' && data[i + 1] <= '7';
                    if (nextIsOctalDigit || c >= 0100) {
                        b[at++] = (byte) ('0' + (c >> 6));
                    }
                    if (nextIsOctalDigit || c >= 010) {
                        b[at++] = (byte) ('0' + ((c >> 3) & 7));
                    }
                    b[at++] = (byte) ('0' + (c & 7));
                }
            }
        }
        b[at++] = '"';
        if (ellipsis) {
            b[at++] = '.';
            b[at++] = '.';
            b[at++] = '.';
        }
        out.commit(at);
    }

    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    /**
     * A buffer of known length (read, write, sendto): at most {@code limit} bytes, with {@code ...}
     * when the buffer is longer or the capture ended before the bytes to print. The length is
     * unsigned.
     */
    public static String buffer(Payload p, long length, int limit, boolean forceHex) {
        LineBuffer out = new LineBuffer(Math.min(limit, p.length()) + 8);
        buffer(out, p, length, limit, forceHex);
        return out.toString();
    }

    /** As {@link #buffer(Payload, long, int, boolean)}, into {@code out}. */
    public static void buffer(LineBuffer out, Payload p, long length, int limit, boolean forceHex) {
        // The length is a size_t: one of 2^63 or more is longer than any limit (as strace reads it).
        boolean longer = Long.compareUnsigned(length, limit) > 0;
        long shown = longer ? limit : length;
        int available = (int) Math.min(shown, p.length());
        boolean cut = longer || available < shown;
        quote(out, p.array(), p.offset(), available, forceHex, cut);
    }

    /**
     * A NUL-terminated string (payload without the NUL), cut at {@code limit} bytes; {@code ...}
     * when it is longer or the capture ended before its end.
     */
    public static String string(Payload p, int limit) {
        LineBuffer out = new LineBuffer(Math.min(limit, p.length()) + 8);
        string(out, p, limit);
        return out.toString();
    }

    /** As {@link #string(Payload, int)}, into {@code out}. */
    public static void string(LineBuffer out, Payload p, int limit) {
        int shown = Math.min(p.length(), limit);
        boolean cut = p.length() > limit || p.truncated();
        quote(out, p.array(), p.offset(), shown, false, cut);
    }

    /** A file name: printed whole (strace limits paths by PATH_MAX, not by -s). */
    public static String path(Payload p) {
        LineBuffer out = new LineBuffer(p.length() + 8);
        path(out, p);
        return out.toString();
    }

    /** As {@link #path(Payload)}, into {@code out}. */
    public static void path(LineBuffer out, Payload p) {
        quote(out, p.array(), p.offset(), p.length(), false, p.truncated());
    }
}
