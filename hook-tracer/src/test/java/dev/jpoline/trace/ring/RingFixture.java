package dev.jpoline.trace.ring;

import static dev.jpoline.host.SessionLayout.*;

import dev.jpoline.host.Session;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * A producer for tests and benchmarks: writes records into a real session's trace ring with the
 * layout the C runtime uses (docs/trace.md), one thread at a time.
 */
public final class RingFixture implements AutoCloseable {
    private final Session session;
    private final ByteBuffer memory;
    private final int base;
    private final long capacity;
    private volatile boolean closed;

    public RingFixture(Path directory, int ringSize) {
        this.session = Session.create(directory, 1, 10_000, ringSize);
        this.memory = session.memory().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.base = (int) session.getLong(OFF_RING_OFFSET);
        this.capacity = session.getLong(OFF_RING_SIZE);
    }

    public Session session() {
        return session;
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes a record with these payloads takes in the ring. */
    public static int size(List<RingRecord.Part> parts) {
        int size = REC_HEADER_SIZE;
        for (RingRecord.Part p : parts) {
            size += 8 + ((p.bytes().length + 7) & ~7);
        }
        return size;
    }

    /** Writes a record if the ring has room for it now; false (nothing written) when it has not. */
    public boolean put(RingRecord r) {
        int size = size(r.parts());
        long head = session.getLong(OFF_RING_HEAD);
        long tail = session.getLong(OFF_RING_TAIL);
        int off = (int) (head & (capacity - 1));
        long need = off + size > capacity ? 2L * size : size; // a padding record of the same size first
        if (head + need - tail > capacity) {
            return false;
        }
        putReserving(r);
        return true;
    }

    /**
     * Writes a record the way the runtime does (entry_trace.c): reserves its bytes by advancing
     * the head first, then waits for the consumer to free them, marks them reserved, writes and
     * publishes. Between the reservation and the writing, the consumer sees a head beyond what is
     * written: memory it must have zeroed. One producer thread at a time.
     */
    public void putReserving(RingRecord r) {
        int kind = switch (r.kind()) {
            case FULL -> REC_KIND_FULL;
            case ENTRY -> REC_KIND_ENTRY;
            case EXIT -> REC_KIND_EXIT;
            case SIGNAL -> REC_KIND_SIGNAL;
        };
        int size = size(r.parts());
        while (true) {
            long head = session.getLong(OFF_RING_HEAD);
            session.putLong(OFF_RING_HEAD, head + size);
            while (head + size - session.getLong(OFF_RING_TAIL) > capacity) {
                if (closed) {
                    throw new IllegalStateException("closed while waiting for room");
                }
                Thread.onSpinWait();
            }
            int off = (int) (head & (capacity - 1));
            if (off + size > capacity) {
                if (capacity - off >= REC_TID + 4) {
                    // (entry_trace.c stores the tid before it checks for the wrap, even 8 bytes before
                    // the end of the ring, where the tid falls past it: the ring ends the session file.)
                    memory.putInt(base + off + REC_TID, r.tid());
                }
                publish(off, size, REC_KIND_PAD);
                continue;
            }
            int at = base + off;
            memory.putInt(at + REC_TID, r.tid());
            publish(off, size, 0, REC_RESERVED);
            memory.putInt(at + REC_PID, r.pid());
            memory.putInt(at + REC_NR, r.number());
            memory.putShort(at + REC_FLAGS, (short) (r.hasReturn() ? REC_HAS_RETURN : 0));
            memory.putShort(at + REC_PAYLOADS, (short) r.parts().size());
            for (int i = 0; i < 6; i++) {
                memory.putLong(at + REC_ARGS + 8 * i, i < r.args().length ? r.args()[i] : 0);
            }
            memory.putLong(at + REC_RET, r.returnValue());
            memory.putLong(at + REC_ENTRY_NS, r.entryNanos());
            memory.putLong(at + REC_EXIT_NS, r.exitNanos());
            int p = at + REC_HEADER_SIZE;
            for (RingRecord.Part part : r.parts()) {
                byte[] b = part.bytes();
                memory.put(p, (byte) part.arg());
                memory.put(p + 1, (byte) (part.atExit() ? PAYLOAD_EXIT : PAYLOAD_ENTRY));
                memory.putShort(p + 2, (short) (part.element() < 0 ? PAYLOAD_WHOLE : part.element()));
                memory.putInt(p + 4, b.length | (part.truncated() ? PAYLOAD_TRUNCATED : 0));
                memory.put(p + 8, b);
                for (int k = b.length; k < ((b.length + 7) & ~7); k++) {
                    memory.put(p + 8 + k, (byte) 0);
                }
                p += 8 + ((b.length + 7) & ~7);
            }
            publish(off, size, kind);
            return;
        }
    }

    private void publish(int off, int size, int kind) {
        publish(off, size, kind, REC_PUBLISHED);
    }

    private void publish(int off, int size, int kind, int state) {
        long word0 = size | ((long) kind << 32) | ((long) state << 40);
        java.lang.invoke.VarHandle.releaseFence();
        memory.putLong(base + off, word0);
    }

    @Override
    public void close() {
        closed = true;
        session.close();
    }
}
