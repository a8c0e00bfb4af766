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
        StringBuilder sb = new StringBuilder(length + 8);
        sb.append('"');
        for (int i = 0; i < length; i++) {
            int c = data[i] & 0xff;
            if (forceHex) {
                sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                continue;
            }
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case 0x0b -> sb.append("\\v");
                case '\f' -> sb.append("\\f");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c >= 0x20 && c < 0x7f) {
                        sb.append((char) c);
                    } else {
                        boolean nextIsOctalDigit = i + 1 < length && data[i + 1] >= '0' && data[i + 1] <= '7';
                        sb.append('\\');
                        if (nextIsOctalDigit || c >= 0100) {
                            sb.append((char) ('0' + (c >> 6)));
                        }
                        if (nextIsOctalDigit || c >= 010) {
                            sb.append((char) ('0' + ((c >> 3) & 7)));
                        }
                        sb.append((char) ('0' + (c & 7)));
                    }
                }
            }
        }
        sb.append('"');
        if (ellipsis) {
            sb.append("...");
        }
        return sb.toString();
    }

    /**
     * A buffer of known length (read, write, sendto): at most {@code limit} bytes, with {@code ...}
     * when the buffer is longer or the capture ended before the bytes to print.
     */
    public static String buffer(Payload p, long length, int limit, boolean forceHex) {
        long shown = Math.min(length, limit);
        int available = (int) Math.min(shown, p.length());
        boolean cut = length > limit || available < shown;
        return quote(p.raw(), available, forceHex, cut);
    }

    /**
     * A NUL-terminated string (payload without the NUL), cut at {@code limit} bytes; {@code ...}
     * when it is longer or the capture ended before its end.
     */
    public static String string(Payload p, int limit) {
        int shown = Math.min(p.length(), limit);
        boolean cut = p.length() > limit || p.truncated();
        return quote(p.raw(), shown, false, cut);
    }

    /** A file name: printed whole (strace limits paths by PATH_MAX, not by -s). */
    public static String path(Payload p) {
        return quote(p.raw(), p.length(), false, p.truncated());
    }
}
