package dev.jpoline.trace.ring;

import static dev.jpoline.host.SessionLayout.*;

import dev.jpoline.host.Session;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The host's end of the trace ring (docs/trace.md): the single consumer. It reads records in
 * ring order (which is each thread's own order), zeroes what it read, advances the tail and
 * wakes producers waiting for room. Not thread-safe: one draining thread.
 */
public final class TraceRing {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** How long a reserved record may stay unpublished before its writer is checked for life. */
    static final long STUCK_CHECK_NANOS = 1_000_000_000L;
    /** How long a reservation without even a tid may block the ring before it is given up. */
    static final long ABANDON_NANOS = 10_000_000_000L;
    private static final long TAIL_PUBLISH_BYTES = 256 * 1024;

    private final Session session;
    private final ByteBuffer memory;
    private final int base;
    private final long capacity;
    private final byte[] zeros = new byte[RECORD_MAX];
    private final Consumer<String> warnings;
    private long tail;
    private long publishedTail;
    private long stuckSince = -1;
    private long lostRecords;
    private long lostBytes;
    private long records;

    public TraceRing(Session session, Consumer<String> warnings) {
        this.session = session;
        this.memory = session.memory().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.base = (int) session.getLong(OFF_RING_OFFSET);
        this.capacity = session.getLong(OFF_RING_SIZE);
        this.warnings = warnings;
        this.tail = session.getLong(OFF_RING_TAIL);
        this.publishedTail = tail;
        if (capacity == 0) {
            throw new IllegalStateException("the session has no trace ring");
        }
    }

    public long records() {
        return records;
    }

    /** Records that were reserved but never published (their writer died), each reported when skipped. */
    public long lostRecords() {
        return lostRecords;
    }

    /** Records producers dropped because they gave up on the host. */
    public long droppedByProducers() {
        return session.getLong(OFF_RECORDS_DROPPED);
    }

    /** Whether everything reserved so far has been consumed. */
    public boolean empty() {
        return tail == session.getLong(OFF_RING_HEAD);
    }

    /**
     * Consumes every published record in order, up to the first one still being written.
     *
     * @param giveUpOnStuck at the end of a trace: abandon a reservation that never gets a tid
     * @return how many records were consumed
     */
    public int drain(Consumer<RingRecord> sink, boolean giveUpOnStuck) {
        int n = 0;
        long head = session.getLong(OFF_RING_HEAD);
        while (tail != head) {
            int off = (int) (tail & (capacity - 1));
            long word0 = (long) LONG.getAcquire(memory, base + off);
            int state = (int) (word0 >>> 40) & 0xff;
            int size = (int) word0;
            if (state != REC_PUBLISHED) {
                if (!stuck(off, word0, giveUpOnStuck)) {
                    break;
                }
                continue; // skipped: tail advanced
            }
            stuckSince = -1;
            int kind = (int) (word0 >>> 32) & 0xff;
            if (kind != REC_KIND_PAD) {
                sink.accept(decode(base + off, kind));
                records++;
                n++;
            }
            consume(off, size);
            if (tail - publishedTail >= TAIL_PUBLISH_BYTES) {
                publishTail();
            }
            if (tail == head) {
                head = session.getLong(OFF_RING_HEAD);
            }
        }
        publishTail();
        return n;
    }

    /** A record at the tail is reserved but not published. Returns true when it was skipped. */
    private boolean stuck(int off, long word0, boolean finalDrain) {
        long now = System.nanoTime();
        if (stuckSince < 0) {
            stuckSince = now;
            return false;
        }
        long waited = now - stuckSince;
        int state = (int) (word0 >>> 40) & 0xff;
        int size = (int) word0;
        if (state == REC_RESERVED && size >= REC_HEADER_SIZE && waited > STUCK_CHECK_NANOS) {
            int tid = memory.getInt(base + off + REC_TID);
            if (!Files.exists(Path.of("/proc/" + tid))) {
                lostRecords++;
                warnings.accept("trace ring: thread " + tid + " died while writing a record; 1 record lost");
                consume(off, size);
                stuckSince = -1;
                return true;
            }
            return false;
        }
        if (state == 0 && waited > (finalDrain ? STUCK_CHECK_NANOS : ABANDON_NANOS)) {
            // Space reserved by a writer that never even marked it (killed right after reserving,
            // or stopped): nothing says how long the record is, so the rest of the ring is lost.
            long head = session.getLong(OFF_RING_HEAD);
            lostBytes += head - tail;
            warnings.accept("trace ring: a record at byte " + tail + " was never written (its writer was killed"
                    + " or stopped); " + (head - tail) + " bytes of records after it are lost");
            while (tail != head) {
                int o = (int) (tail & (capacity - 1));
                int chunk = (int) Math.min(Math.min(head - tail, capacity - o), zeros.length);
                memory.put(base + o, zeros, 0, chunk);
                tail += chunk;
            }
            stuckSince = -1;
            publishTail();
            return false;
        }
        return false;
    }

    private void consume(int off, int size) {
        // Zero the whole record: later records' headers may land anywhere in it.
        int first = (int) Math.min(size, capacity - off);
        zero(base + off, first);
        if (first < size) {
            zero(base, size - first); // a padding record that wrapped
        }
        tail += size;
    }

    private void zero(int at, int length) {
        while (length > 0) {
            int chunk = Math.min(length, zeros.length);
            memory.put(at, zeros, 0, chunk);
            at += chunk;
            length -= chunk;
        }
    }

    private void publishTail() {
        if (publishedTail == tail) {
            return;
        }
        publishedTail = tail;
        session.putLong(OFF_RING_TAIL, tail);
        if (session.getInt(OFF_RING_WAITERS) != 0) {
            session.getAndAddInt(OFF_RING_WAKE, 1);
            session.wake(OFF_RING_WAKE);
        }
    }

    private RingRecord decode(int at, int kind) {
        int pid = memory.getInt(at + REC_PID);
        int tid = memory.getInt(at + REC_TID);
        int nr = memory.getInt(at + REC_NR);
        int flags = memory.getShort(at + REC_FLAGS) & 0xffff;
        int payloads = memory.getShort(at + REC_PAYLOADS) & 0xffff;
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = memory.getLong(at + REC_ARGS + 8 * i);
        }
        long ret = memory.getLong(at + REC_RET);
        long entryNs = memory.getLong(at + REC_ENTRY_NS);
        long exitNs = memory.getLong(at + REC_EXIT_NS);
        List<RingRecord.Part> parts = new ArrayList<>(payloads);
        int p = at + REC_HEADER_SIZE;
        for (int i = 0; i < payloads; i++) {
            int arg = memory.get(p) & 0xff;
            int phase = memory.get(p + 1) & 0xff;
            int element = memory.getShort(p + 2) & 0xffff;
            int lengthWord = memory.getInt(p + 4);
            int length = lengthWord & ~PAYLOAD_TRUNCATED;
            byte[] bytes = new byte[length];
            memory.get(p + 8, bytes);
            parts.add(new RingRecord.Part(arg, phase == PAYLOAD_EXIT, element == PAYLOAD_WHOLE ? -1 : element, bytes,
                    (lengthWord & PAYLOAD_TRUNCATED) != 0));
            p += 8 + ((length + 7) & ~7);
        }
        RingRecord.Kind k = switch (kind) {
            case REC_KIND_ENTRY -> RingRecord.Kind.ENTRY;
            case REC_KIND_EXIT -> RingRecord.Kind.EXIT;
            case REC_KIND_SIGNAL -> RingRecord.Kind.SIGNAL;
            default -> RingRecord.Kind.FULL;
        };
        return new RingRecord(k, pid, tid, nr, (flags & REC_HAS_RETURN) != 0, args, ret, entryNs, exitNs, parts);
    }
}
