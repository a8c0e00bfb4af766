package dev.jpoline.trace.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds little-endian struct images for test payloads. */
final class Bytes {
    private final ByteBuffer buf;

    private Bytes(int size) {
        buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static Bytes of(int size) {
        return new Bytes(size);
    }

    Bytes u8(int off, int v) {
        buf.put(off, (byte) v);
        return this;
    }

    Bytes u16(int off, int v) {
        buf.putShort(off, (short) v);
        return this;
    }

    Bytes be16(int off, int v) {
        buf.put(off, (byte) (v >> 8)).put(off + 1, (byte) v);
        return this;
    }

    Bytes u32(int off, long v) {
        buf.putInt(off, (int) v);
        return this;
    }

    Bytes u64(int off, long v) {
        buf.putLong(off, v);
        return this;
    }

    Bytes str(int off, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i++) {
            buf.put(off + i, b[i]);
        }
        return this;
    }

    Payload payload() {
        return Payload.complete(buf.array().clone());
    }

    /** struct stat with a mode and a size (or rdev for devices). */
    static Payload stat(int mode, long size, long rdev) {
        return of(144).u32(24, mode).u64(40, rdev).u64(48, size).payload();
    }
}
