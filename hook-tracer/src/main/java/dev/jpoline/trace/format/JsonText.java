package dev.jpoline.trace.format;

import java.nio.charset.StandardCharsets;

/**
 * JSON string literals of the texts strace renders, for the JSON and timeline outputs. Those texts
 * are ASCII with strace's escapes, but for what -y's paths add, which may hold any byte: control
 * characters become JSON escapes, well-formed UTF-8 passes as it is, and a byte that is not part
 * of well-formed UTF-8 becomes the four characters {@code \xNN}, strace's own escape, so that the
 * output stays valid JSON (which has no way to carry a stray byte) and still says which byte it was.
 */
public final class JsonText {
    private static final byte[] HEX = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private JsonText() {
    }

    /** {@code s} as a JSON string, quotes included. */
    public static LineBuffer string(LineBuffer out, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8); // unpaired surrogates become '?'
        return string(out, utf8, 0, utf8.length);
    }

    /** Bytes {@code [from, to)} of {@code b}, read as UTF-8, as a JSON string, quotes included. */
    public static LineBuffer string(LineBuffer out, byte[] b, int from, int to) {
        out.append('"');
        int i = from;
        while (i < to) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                ascii(out, c);
                i++;
                continue;
            }
            int n = wellFormed(b, i, to);
            if (n == 0) {
                out.append('\\').append('\\').append('x').append((char) HEX[c >> 4]).append((char) HEX[c & 15]);
                i++;
            } else {
                out.appendBytes(b, i, n);
                out.markNonAscii();
                i += n;
            }
        }
        return out.append('"');
    }

    private static void ascii(LineBuffer out, int c) {
        switch (c) {
            case '"' -> out.append('\\').append('"');
            case '\\' -> out.append('\\').append('\\');
            case '\n' -> out.append('\\').append('n');
            case '\t' -> out.append('\\').append('t');
            case '\r' -> out.append('\\').append('r');
            case '\b' -> out.append('\\').append('b');
            case '\f' -> out.append('\\').append('f');
            default -> {
                if (c < 0x20 || c == 0x7f) {
                    out.append('\\').append('u').append('0').append('0').append((char) HEX[c >> 4])
                            .append((char) HEX[c & 15]);
                } else {
                    out.append((char) c);
                }
            }
        }
    }

    /**
     * The length of the well-formed UTF-8 sequence at {@code i} (2 to 4), or 0 when the byte there
     * does not start one (a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF,
     * or a sequence cut short).
     */
    static int wellFormed(byte[] b, int i, int to) {
        int c = b[i] & 0xff;
        int n;
        int low = 0x80;
        int high = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            if (c == 0xe0) {
                low = 0xa0; // overlong
            } else if (c == 0xed) {
                high = 0x9f; // surrogates
            }
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            if (c == 0xf0) {
                low = 0x90; // overlong
            } else if (c == 0xf4) {
                high = 0x8f; // beyond U+10FFFF
            }
        } else {
            return 0;
        }
        if (i + n > to) {
            return 0;
        }
        int second = b[i + 1] & 0xff;
        if (second < low || second > high) {
            return 0;
        }
        for (int k = 2; k < n; k++) {
            int cont = b[i + k] & 0xff;
            if (cont < 0x80 || cont > 0xbf) {
                return 0;
            }
        }
        return n;
    }
}
