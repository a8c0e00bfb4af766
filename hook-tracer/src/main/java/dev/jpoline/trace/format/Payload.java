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
 */
public record Payload(byte[] bytes, boolean truncated) {
    public Payload {
        Objects.requireNonNull(bytes, "bytes");
        bytes = bytes.clone();
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

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Length without copying. */
    public int length() {
        return bytes.length;
    }

    /** One byte, without copying. */
    public int byteAt(int index) {
        return bytes[index] & 0xff;
    }

    /** Little-endian unsigned 8/16/32-bit or 64-bit field at {@code offset}. */
    long le(int offset, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | (bytes[offset + i] & 0xff);
        }
        return v;
    }

    byte[] raw() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Payload p && p.truncated == truncated && Arrays.equals(p.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + Boolean.hashCode(truncated);
    }

    @Override
    public String toString() {
        return "Payload[" + bytes.length + " bytes" + (truncated ? ", truncated" : "") + "]";
    }
}
