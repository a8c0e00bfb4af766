package dev.jpoline.trace.format;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer the formatter writes lines into, as UTF-8: the text is ASCII but for
 * what a {@link FdResolver} answers, which {@link #append(String)} encodes. Writing bytes straight
 * out, without Strings in between, is what makes tracing a fast syscall cheap. Not thread-safe.
 */
public final class LineBuffer {
    private static final byte[] DIGITS = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd',
        'e', 'f'};
    private static final byte[] SPACES = new byte[64];

    static {
        Arrays.fill(SPACES, (byte) ' ');
    }

    private static final byte[] MIN_LONG = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int length;
    /** Whether anything but ASCII was appended since the last {@link #clear()}. */
    private boolean nonAscii;
    private char[] chars;

    /** The bytes of an ASCII constant, for appending without a per-char loop. */
    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    public LineBuffer() {
        this(256);
    }

    public LineBuffer(int capacity) {
        bytes = new byte[Math.max(16, capacity)];
    }

    public int length() {
        return length;
    }

    /** Cuts the text back to {@code n} bytes. */
    public void setLength(int n) {
        if (n < 0 || n > length) {
            throw new IndexOutOfBoundsException(n);
        }
        length = n;
    }

    public void clear() {
        length = 0;
        nonAscii = false;
    }

    /** Removes bytes {@code [from, to)}, moving what follows down. */
    public void delete(int from, int to) {
        System.arraycopy(bytes, to, bytes, from, length - to);
        length -= to - from;
    }

    /**
     * How many UTF-16 chars bytes {@code [from, length)} decode to: what a StringBuilder's length
     * would say, which is how strace's alignment column is counted.
     */
    public int charsSince(int from) {
        if (!nonAscii) {
            return length - from;
        }
        int n = 0;
        for (int i = from; i < length; i++) {
            int b = bytes[i] & 0xff;
            if ((b & 0xc0) != 0x80) {
                n++; // a lead byte or ASCII: one char
            }
            if ((b & 0xf8) == 0xf0) {
                n++; // a four-byte sequence is a surrogate pair
            }
        }
        return n;
    }

    private void ensure(int extra) {
        if (length + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
        }
    }

    /** One ASCII character. */
    public LineBuffer append(char c) {
        if (length == bytes.length) {
            ensure(1);
        }
        bytes[length++] = (byte) c;
        return this;
    }

    /** One lower-case hex digit, 0..15. */
    public LineBuffer hexDigit(int d) {
        return append((char) DIGITS[d]);
    }

    /** ASCII bytes. */
    public LineBuffer append(byte[] ascii) {
        ensure(ascii.length);
        System.arraycopy(ascii, 0, bytes, length, ascii.length);
        length += ascii.length;
        return this;
    }

    /** Makes room for {@code extra} more bytes and returns the array to write them into from {@link #length()}. */
    byte[] reserve(int extra) {
        ensure(extra);
        return bytes;
    }

    /** Sets the length after writing into {@link #reserve(int)}'s array. */
    void commit(int newLength) {
        length = newLength;
    }

    /** Raw bytes, as they are (callers pass ASCII, or UTF-8 they mark with {@link #markNonAscii()}). */
    LineBuffer appendBytes(byte[] src, int from, int count) {
        ensure(count);
        System.arraycopy(src, from, bytes, length, count);
        length += count;
        return this;
    }

    void markNonAscii() {
        nonAscii = true;
    }

    /** Text, as UTF-8 (malformed UTF-16 as '?', as an OutputStreamWriter writes it). */
    public LineBuffer append(String s) {
        int n = s.length();
        ensure(n);
        byte[] b = bytes;
        int at = length;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                length = at;
                return appendUtf8(s, i);
            }
            b[at++] = (byte) c;
        }
        length = at;
        return this;
    }

    private LineBuffer appendUtf8(String s, int from) {
        byte[] utf8 = s.substring(from).getBytes(StandardCharsets.UTF_8);
        nonAscii = true;
        return appendBytes(utf8, 0, utf8.length);
    }

    /** {@code n} spaces. */
    public LineBuffer spaces(int n) {
        if (n <= 0) {
            return this;
        }
        ensure(n);
        for (int left = n; left > 0; left -= SPACES.length) {
            int chunk = Math.min(left, SPACES.length);
            System.arraycopy(SPACES, 0, bytes, length, chunk);
            length += chunk;
        }
        return this;
    }

    /** A signed decimal number. */
    public LineBuffer decimal(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return append(MIN_LONG);
            }
            append('-');
            v = -v;
        }
        return positive(v);
    }

    /** A signed decimal int (the common case, without 64-bit divisions). */
    public LineBuffer decimal(int v) {
        if (v < 0) {
            if (v == Integer.MIN_VALUE) {
                return append("-2147483648");
            }
            append('-');
            v = -v;
        }
        int digits = digits(v);
        ensure(digits);
        byte[] b = bytes;
        int p = length + digits;
        length = p;
        while (v >= 10) {
            // v / 10 without a division (exact for every non-negative int): C1 compiles '/' to idiv.
            int q = (int) ((v * 0xCCCCCCCDL) >>> 35);
            b[--p] = (byte) ('0' + v - q * 10);
            v = q;
        }
        b[--p] = (byte) ('0' + v);
        return this;
    }

    /** How many decimal digits a non-negative int has. */
    static int digits(int v) {
        if (v < 100_000) {
            return v < 100 ? (v < 10 ? 1 : 2) : v < 1000 ? 3 : v < 10_000 ? 4 : 5;
        }
        return v < 10_000_000 ? (v < 1_000_000 ? 6 : 7) : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
    }

    private LineBuffer positive(long v) {
        if (v <= Integer.MAX_VALUE) {
            return decimal((int) v);
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        ensure(digits);
        int p = length + digits;
        length = p;
        do {
            bytes[--p] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        return this;
    }

    /** An unsigned decimal number ({@link Long#toUnsignedString(long)}). */
    public LineBuffer unsigned(long v) {
        if (v >= 0) {
            return positive(v);
        }
        long quot = (v >>> 1) / 5;
        long rem = v - quot * 10;
        positive(quot);
        return append((char) ('0' + rem));
    }

    /** Zero-padded to {@code width} digits ({@code %0Nd} for 0 &le; v). */
    public LineBuffer zeroPadded(long v, int width) {
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        for (int i = digits; i < width; i++) {
            append('0');
        }
        return positive(v);
    }

    /** Lower-case hex digits without prefix ({@link Long#toHexString(long)}). */
    public LineBuffer hexDigits(long v) {
        return radixDigits(v, 4);
    }

    /** {@code %0*lx}: lower-case hex digits, zero-padded to {@code width}. */
    public LineBuffer hexZeroPadded(long v, int width) {
        for (int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(v)) / 4); digits < width; digits++) {
            append('0');
        }
        return hexDigits(v);
    }

    /** strace's {@code %#lx}: "0" for zero, else "0x" and the hex digits. */
    public LineBuffer hex(long v) {
        if (v == 0) {
            return append('0');
        }
        ensure(2);
        bytes[length++] = '0';
        bytes[length++] = 'x';
        return hexDigits(v);
    }

    /** Octal digits without prefix ({@link Long#toOctalString(long)}). */
    public LineBuffer octalDigits(long v) {
        return radixDigits(v, 3);
    }

    /** The unsigned digits of v in base 2^bits (3: octal, 4: hex), without prefix. */
    private LineBuffer radixDigits(long v, int bits) {
        int digits = Math.max(1, (64 - Long.numberOfLeadingZeros(v) + bits - 1) / bits);
        ensure(digits);
        int p = length + digits;
        length = p;
        long mask = (1L << bits) - 1;
        do {
            bytes[--p] = DIGITS[(int) (v & mask)];
            v >>>= bits;
        } while (v != 0);
        return this;
    }

    byte[] array() {
        return bytes;
    }

    /** Writes the bytes to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(bytes, 0, length);
    }

    /** Writes bytes {@code [from, to)} to {@code out}. */
    public void writeTo(OutputStream out, int from, int to) throws IOException {
        out.write(bytes, from, to - from);
    }

    /** Writes the text to {@code out}: the same characters a String of it would give. */
    public void writeTo(Writer out) throws IOException {
        if (nonAscii) {
            out.write(new String(bytes, 0, length, StandardCharsets.UTF_8));
            return;
        }
        if (chars == null || chars.length < length) {
            chars = new char[Math.max(length, 1024)];
        }
        char[] c = chars;
        byte[] b = bytes;
        for (int i = 0, n = length; i < n; i++) {
            c[i] = (char) b[i];
        }
        out.write(c, 0, length);
    }

    /** The text, decoded. */
    @Override
    public String toString() {
        return new String(bytes, 0, length, nonAscii ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }

    /** The text from byte {@code from} on. */
    public String toString(int from) {
        return new String(bytes, from, length - from, nonAscii ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }
}
