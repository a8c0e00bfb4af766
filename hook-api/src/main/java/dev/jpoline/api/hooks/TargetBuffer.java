package dev.jpoline.api.hooks;

import java.nio.charset.StandardCharsets;

/**
 * A range of target memory passed to a syscall (a read or write buffer), read only when the
 * hook asks, so hooks that do not look at data cost no copy.
 */
public final class TargetBuffer {
    /** Reads larger than this must be done in pieces: a hook holds its caller while it reads. */
    public static final int MAX_READ = 1 << 20;

    private final SyscallCall call;
    private final long address;
    private final long length;

    TargetBuffer(SyscallCall call, long address, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative buffer length " + length);
        }
        this.call = call;
        this.address = address;
        this.length = length;
    }

    public long address() {
        return address;
    }

    public long length() {
        return length;
    }

    /** The first {@code min(length, max)} bytes. */
    public byte[] read(int max) {
        if (max < 0 || max > MAX_READ) {
            throw new IllegalArgumentException("read between 0 and " + MAX_READ + " bytes, not " + max);
        }
        return call.read(address, (int) Math.min(length, max));
    }

    /** The first {@code min(length, max)} bytes as UTF-8 text (invalid bytes replaced). */
    public String readText(int max) {
        return new String(read(max), StandardCharsets.UTF_8);
    }

    /** Overwrites the start of the buffer (for a read's result, say); bounded by the buffer. */
    public void write(byte[] bytes) {
        if (bytes.length > length) {
            throw new IllegalArgumentException("writing " + bytes.length + " bytes into a buffer of " + length);
        }
        call.write(address, bytes);
    }

    @Override
    public String toString() {
        return String.format("TargetBuffer[0x%x, %d bytes]", address, length);
    }
}
