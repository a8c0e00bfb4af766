package dev.jpoline.api.hooks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An iovec array of the target as {@link TargetBuffer} views. The array itself is read on first
 * use, not at dispatch, so a hook that never looks at the data costs no target read, as with
 * {@code read}'s buffer. An unreadable array throws {@link TargetMemoryException} then.
 */
final class Iovecs extends AbstractList<TargetBuffer> implements RandomAccess {
    /** The kernel's UIO_MAXIOV: readv/writev fail with EINVAL beyond it, so there is nothing to view. */
    static final int MAX = 1024;
    private static final int SIZE = 16; // struct iovec { void *iov_base; size_t iov_len; }

    private final SyscallCall call;
    private final long address;
    private final int count;
    private volatile TargetBuffer[] elements;

    Iovecs(SyscallCall call, long address, int count) {
        this.call = call;
        this.address = address;
        this.count = count < 0 || count > MAX ? 0 : count;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public TargetBuffer get(int index) {
        return elements()[index];
    }

    private TargetBuffer[] elements() {
        TargetBuffer[] e = elements;
        if (e == null) {
            ByteBuffer raw = ByteBuffer.wrap(count == 0 ? new byte[0] : call.read(address, count * SIZE))
                    .order(ByteOrder.LITTLE_ENDIAN);
            e = new TargetBuffer[count];
            for (int i = 0; i < count; i++) {
                long base = raw.getLong(i * SIZE);
                // An iov_len above SSIZE_MAX fails with EINVAL; the view is empty, as read's is.
                e[i] = new TargetBuffer(call, base, Math.max(0, raw.getLong(i * SIZE + 8)));
            }
            elements = e;
        }
        return e;
    }

    /** Without reading the target: printing a call must not fault. */
    @Override
    public String toString() {
        return String.format("Iovecs[0x%x, %d elements]", address, count);
    }
}
