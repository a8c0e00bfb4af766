package dev.jpoline.trace.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Bytes copied from the traced process for one syscall argument: a string, a buffer or a struct.
 *
 * <p>{@code truncated} says the copy stopped before the end of the data: the capture limit was
 * reached before a string's terminating NUL, before the end of a buffer, or before the last element
 * of an array. Strings are stored without their terminating NUL. A payload shorter than the struct
 * it should hold is treated as unreadable, and the argument prints as its address, as strace prints
 * memory it could not read.
 *
 * <p>Arrays of strings (execve's argv and envp) are stored as each string followed by one NUL.
 *
 * <p>Payloads made with the constructor own a copy of their bytes and are immutable. A payload made
 * with {@link #wrap} is a window on someone else's array (the trace ring's decoder reuses one array
 * for every record): it is valid only while that array holds the record.
 */
public final class Payload {
    private final byte[] data;
    private final int offset;
    private final int length;
    private final boolean truncated;

    /** The bytes (copied) and whether the capture was cut. */
    public Payload(byte[] bytes, boolean truncated) {
        Objects.requireNonNull(bytes, "bytes");
        this.data = bytes.clone();
        this.offset = 0;
        this.length = bytes.length;
        this.truncated = truncated;
    }

    private Payload(byte[] data, int offset, int length, boolean truncated) {
        this.data = data;
        this.offset = offset;
        this.length = length;
        this.truncated = truncated;
    }

    /**
     * A window on {@code length} bytes of {@code data} at {@code offset}, without copying: the
     * caller must leave those bytes alone while the payload is in use.
     */
    public static Payload wrap(byte[] data, int offset, int length, boolean truncated) {
        Objects.checkFromIndexSize(offset, length, data.length);
        return new Payload(data, offset, length, truncated);
    }

    /** All of the data. */
    public static Payload complete(byte[] bytes) {
        return new Payload(bytes, false);
    }

    /** The start of data that goes on in the target. */
    public static Payload truncated(byte[] bytes) {
        return new Payload(bytes, true);
    }

    /** A complete string, encoded as UTF-8 (tests and Java hooks). */
    public static Payload ofString(String s) {
        return complete(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A complete array of strings in the NUL-separated layout. */
    public static Payload ofStrings(String... strings) {
        StringBuilder sb = new StringBuilder();
        for (String s : strings) {
            sb.append(s).append('\0');
        }
        return ofString(sb.toString());
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return Arrays.copyOfRange(data, offset, offset + length);
    }

    public boolean truncated() {
        return truncated;
    }

    /** Length without copying. */
    public int length() {
        return length;
    }

    /** One byte, without copying. */
    public int byteAt(int index) {
        return data[offset + index] & 0xff;
    }

    /** Little-endian unsigned 8/16/32-bit or 64-bit field at {@code offset}. */
    public long le(int at, int size) {
        byte[] d = data;
        int b = offset + at;
        switch (size) {
            case 2:
                return (d[b] & 0xff) | (d[b + 1] & 0xff) << 8;
            case 4:
                return ((d[b] & 0xff) | (d[b + 1] & 0xff) << 8 | (d[b + 2] & 0xff) << 16 | (d[b + 3] & 0xff) << 24)
                        & 0xffffffffL;
            case 8:
                return ((d[b] & 0xffL) | (d[b + 1] & 0xffL) << 8 | (d[b + 2] & 0xffL) << 16 | (d[b + 3] & 0xffL) << 24
                        | (d[b + 4] & 0xffL) << 32 | (d[b + 5] & 0xffL) << 40 | (d[b + 6] & 0xffL) << 48
                        | (d[b + 7] & 0xffL) << 56);
            default:
                long v = 0;
                for (int i = size - 1; i >= 0; i--) {
                    v = (v << 8) | (d[b + i] & 0xff);
                }
                return v;
        }
    }

    /** The array the bytes live in, from {@link #offset()}: not a copy, do not change it. */
    byte[] array() {
        return data;
    }

    int offset() {
        return offset;
    }

    /** The bytes as a String, decoded as UTF-8. */
    String utf8() {
        return new String(data, offset, length, StandardCharsets.UTF_8);
    }

    /** A payload of {@code count} bytes from {@code from} (copied when this one is a window). */
    Payload slice(int from, int count, boolean cut) {
        return new Payload(Arrays.copyOfRange(data, offset + from, offset + from + count), 0, count, cut);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload p && p.truncated == truncated
                && Arrays.equals(p.data, p.offset, p.offset + p.length, data, offset, offset + length);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + data[i];
        }
        return h * 31 + Boolean.hashCode(truncated);
    }

    @Override
    public String toString() {
        return "Payload[" + length + " bytes" + (truncated ? ", truncated" : "") + "]";
    }
}
