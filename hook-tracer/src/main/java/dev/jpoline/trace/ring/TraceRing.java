package dev.jpoline.trace.ring;

import static dev.jpoline.host.SessionLayout.*;

import dev.jpoline.host.Session;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The host's end of the trace ring (docs/trace.md): the single consumer. It reads records in
 * ring order (which is each thread's own order), hands each one to a sink decoded in place (a
 * {@link RecordView}, no allocation per record), and when it publishes the tail, zeroes what it
 * read since the last time and wakes producers waiting for room. Not thread-safe: one draining
 * thread.
 */
public final class TraceRing {
    /** How long a reserved record may stay unpublished before its writer is checked for life. */
    static final long STUCK_CHECK_NANOS = 1_000_000_000L;
    /** How long a reservation without even a tid may block the ring before it is given up. */
    static final long ABANDON_NANOS = 10_000_000_000L;
    private static final long TAIL_PUBLISH_BYTES = 256 * 1024;
    /**
     * At most this many records per call. A call that drained everything would run its loop
     * interpreted for a short trace's whole length: the JVM compiles a running loop only after
     * tens of thousands of iterations, a method after some hundred calls.
     */
    public static final int BATCH = 128;

    private final Session session;
    private final ByteBuffer memory;
    /** The same memory as longs: the cheapest way to read a header (records are 8-byte aligned). */
    private final LongBuffer longs;
    private final RecordView view;
    private final int base;
    private final long capacity;
    /**
     * Publish the tail (and zero what was read) after this many bytes: often enough that producers
     * rarely wait on a full ring. Being less than the capacity, it also keeps the bytes at the tail
     * zeroed since their last lap, so that a reserved but unwritten record reads as such.
     */
    private final long publishEvery;
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
        this.memory.clear();
        this.longs = memory.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        this.view = new RecordView(longs);
        this.base = (int) session.getLong(OFF_RING_OFFSET);
        this.capacity = session.getLong(OFF_RING_SIZE);
        this.publishEvery = Math.max(8, Math.min(TAIL_PUBLISH_BYTES, capacity / 4));
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
     * Consumes published records in order, up to the first one still being written and at most
     * {@link #BATCH}. The sink gets one reused {@link RecordView}, valid until it returns.
     *
     * @param giveUpOnStuck at the end of a trace: abandon a reservation that never gets a tid
     * @return how many records were consumed
     */
    public int drain(Consumer<RecordView> sink, boolean giveUpOnStuck) {
        int n = 0;
        long head = session.getLong(OFF_RING_HEAD);
        while (tail != head && n < BATCH) {
            int off = (int) (tail & (capacity - 1));
            // A plain read and an acquire fence: what getAcquire does, without the VarHandle's
            // linkage, which C1 leaves as calls.
            long word0 = longs.get((base + off) >>> 3);
            VarHandle.acquireFence();
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
                decode(base + off, kind, size);
                sink.accept(view);
                records++;
                n++;
            }
            tail += size;
            if (tail - publishedTail >= publishEvery) {
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
                tail += size;
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
            tail = head;
            stuckSince = -1;
            publishTail();
            return false;
        }
        return false;
    }

    /** Zeroes ring bytes {@code [from, to)} (absolute positions), at most the whole ring once. */
    private void zero(long from, long to) {
        long length = Math.min(to - from, capacity);
        int off = (int) (from & (capacity - 1));
        while (length > 0) {
            int chunk = (int) Math.min(Math.min(length, capacity - off), zeros.length);
            memory.put(base + off, zeros, 0, chunk);
            length -= chunk;
            off = (int) ((off + chunk) & (capacity - 1));
        }
    }

    private void publishTail() {
        if (publishedTail == tail) {
            return;
        }
        // Zero what was consumed since the last publication: producers reserve it from now on, and
        // a header may land anywhere in it, which must read as not yet reserved until written.
        zero(publishedTail, tail);
        publishedTail = tail;
        session.putLong(OFF_RING_TAIL, tail);
        if (session.getInt(OFF_RING_WAITERS) != 0) {
            session.getAndAddInt(OFF_RING_WAKE, 1);
            session.wake(OFF_RING_WAKE);
        }
    }

    /** Fills {@link #view} from the record at byte {@code at} of the session. */
    private void decode(int at, int kind, int size) {
        RecordView v = view;
        int w = at >>> 3;
        long ids = longs.get(w + 1);
        long call = longs.get(w + 2);
        int payloads = (int) (call >>> 48);
        v.reset(payloads);
        // A new record kind is mapped here; TraceWriter.accept(RecordView) hands every kind but FULL
        // to accept(RingRecord) as a copy, which is where its lines are made.
        v.kind = switch (kind) {
            case REC_KIND_ENTRY -> RingRecord.Kind.ENTRY;
            case REC_KIND_EXIT -> RingRecord.Kind.EXIT;
            case REC_KIND_SIGNAL -> RingRecord.Kind.SIGNAL;
            default -> RingRecord.Kind.FULL;
        };
        v.pid = (int) ids;
        v.tid = (int) (ids >>> 32);
        v.number = (int) call;
        v.hasReturn = ((call >>> 32) & REC_HAS_RETURN) != 0;
        v.injected = ((call >>> 32) & REC_INJECTED) != 0;
        v.word = w; // arguments, result and times are read from the ring when asked for
        if (payloads > 0) {
            int length = Math.max(0, size - REC_HEADER_SIZE);
            byte[] d = v.data(length);
            memory.get(at + REC_HEADER_SIZE, d, 0, length);
            int p = 0;
            for (int i = 0; i < payloads; i++) {
                if (p + 8 > length) {
                    v.parts = i; // a record cut short (never written so by the runtime): keep what is whole
                    break;
                }
                int element = (d[p + 2] & 0xff) | (d[p + 3] & 0xff) << 8;
                int lengthWord = (d[p + 4] & 0xff) | (d[p + 5] & 0xff) << 8 | (d[p + 6] & 0xff) << 16
                        | (d[p + 7] & 0xff) << 24;
                int bytes = Math.min(lengthWord & ~PAYLOAD_TRUNCATED, length - p - 8);
                v.partArg[i] = d[p] & 0xff;
                v.partAtExit[i] = (d[p + 1] & 0xff) == PAYLOAD_EXIT;
                v.partElement[i] = element == PAYLOAD_WHOLE ? -1 : element;
                v.partOffset[i] = p + 8;
                v.partLength[i] = bytes;
                v.partTruncated[i] = (lengthWord & PAYLOAD_TRUNCATED) != 0;
                p += 8 + ((bytes + 7) & ~7);
            }
        }
    }
}
