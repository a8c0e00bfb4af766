package dev.jpoline.trace.ring;

import dev.jpoline.trace.format.Payload;
import dev.jpoline.trace.format.TraceRecord;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The record at the ring's tail, decoded in place by {@link TraceRing#drain}: one reusable object
 * whose payloads are windows on one reusable array, so that draining allocates nothing per record.
 * It is valid only while the sink that receives it runs; {@link #toRecord()} copies it.
 *
 * <p>As a {@link TraceRecord} it reads as a whole call: what {@link RingRecord#merge} makes of a
 * FULL record merged with itself (entry copies of an argument, then its exit copies, joined).
 */
public final class RecordView implements TraceRecord {
    private static final int MAX_ARGS = 6;

    RingRecord.Kind kind;
    int pid;
    int tid;
    int number;
    boolean hasReturn;
    boolean injected;
    /**
     * The ring as longs and where this record's header starts in it: arguments, result and times
     * are read from there when asked for (the record stays as it is until the sink returns).
     */
    private final LongBuffer ring;
    int word;

    /** The payload area of the record: the copied bytes, headers included. */
    byte[] data = new byte[4096];
    int parts;
    int[] partArg = new int[8];
    int[] partElement = new int[8];
    int[] partOffset = new int[8];
    int[] partLength = new int[8];
    boolean[] partAtExit = new boolean[8];
    boolean[] partTruncated = new boolean[8];
    /** Whole-argument payloads already looked up for this record (bit per argument), and what was found. */
    private int lookedUp;
    private final Payload[] payloads = new Payload[MAX_ARGS];

    RecordView(LongBuffer ring) {
        this.ring = ring;
    }

    /** Readies the view for the next record (the decoder then fills the fields). */
    void reset(int partCount) {
        lookedUp = 0;
        parts = partCount;
        if (partCount > partArg.length) {
            int n = Math.max(partCount, partArg.length * 2);
            partArg = new int[n];
            partElement = new int[n];
            partOffset = new int[n];
            partLength = new int[n];
            partAtExit = new boolean[n];
            partTruncated = new boolean[n];
        }
    }

    byte[] data(int size) {
        if (data.length < size) {
            data = new byte[Math.max(size, data.length * 2)];
        }
        return data;
    }

    public RingRecord.Kind kind() {
        return kind;
    }

    /** The thread id as the producer wrote it (the line's {@link #tid()} is the pid when that is 0). */
    public int ringTid() {
        return tid;
    }

    /** How many payloads the record carries. */
    public int payloadCount() {
        return parts;
    }

    /** A copy that outlives the drain: what {@link TraceRing} produced before it decoded in place. */
    public RingRecord toRecord() {
        List<RingRecord.Part> list = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            list.add(new RingRecord.Part(partArg[i], partAtExit[i], partElement[i],
                    Arrays.copyOfRange(data, partOffset[i], partOffset[i] + partLength[i]), partTruncated[i]));
        }
        long[] args = new long[MAX_ARGS];
        for (int i = 0; i < MAX_ARGS; i++) {
            args[i] = arg(i);
        }
        return new RingRecord(kind, pid, tid, number, hasReturn, args, rawReturn(), rawEntry(), rawExit(), list, injected,
                ip());
    }

    // ---- TraceRecord: the record merged with itself --------------------------------------------

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public int tid() {
        return tid == 0 ? pid : tid;
    }

    @Override
    public long number() {
        return number;
    }

    @Override
    public long arg(int index) {
        return ring.get(word + 3 + java.util.Objects.checkIndex(index, MAX_ARGS));
    }

    private long rawReturn() {
        return ring.get(word + 9);
    }

    private long rawEntry() {
        return ring.get(word + 10);
    }

    private long rawExit() {
        return ring.get(word + 11);
    }

    @Override
    public long ip() {
        return ring.get(word + 12);
    }

    @Override
    public boolean hasReturn() {
        return hasReturn;
    }

    @Override
    public boolean injected() {
        return injected;
    }

    @Override
    public long returnValue() {
        return hasReturn ? rawReturn() : 0;
    }

    @Override
    public long entryNanos() {
        long ns = rawEntry();
        return ns == 0 ? NO_TIME : ns;
    }

    @Override
    public long exitNanos() {
        long ns = rawExit();
        return ns == 0 ? NO_TIME : ns;
    }

    @Override
    public Optional<Payload> payload(int index) {
        return Optional.ofNullable(payloadOrNull(index));
    }

    @Override
    public Payload payloadOrNull(int index) {
        if (index < 0 || index >= MAX_ARGS || parts == 0) {
            return null;
        }
        int bit = 1 << index;
        if ((lookedUp & bit) == 0) {
            payloads[index] = find(index, -1);
            lookedUp |= bit;
        }
        return payloads[index];
    }

    @Override
    public Optional<Payload> elementPayload(int index, int element) {
        return element < 0 ? Optional.empty() : Optional.ofNullable(find(index, element));
    }

    /** The payload of one (argument, element): its entry copies then its exit copies, joined. */
    private Payload find(int arg, int element) {
        int first = -1;
        int count = 0;
        int length = 0;
        boolean truncated = false;
        for (int i = 0; i < parts; i++) {
            if (partArg[i] == arg && partElement[i] == element) {
                if (first < 0) {
                    first = i;
                }
                count++;
                length += partLength[i];
                truncated |= partTruncated[i];
            }
        }
        if (count == 0) {
            return null;
        }
        if (count == 1) {
            return Payload.wrap(data, partOffset[first], partLength[first], truncated);
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (int phase = 0; phase < 2; phase++) {
            for (int i = 0; i < parts; i++) {
                if (partArg[i] == arg && partElement[i] == element && partAtExit[i] == (phase == 1)) {
                    System.arraycopy(data, partOffset[i], joined, at, partLength[i]);
                    at += partLength[i];
                }
            }
        }
        return Payload.wrap(joined, 0, length, truncated);
    }

    @Override
    public String toString() {
        return "RecordView[" + kind + ", pid=" + pid + ", tid=" + tid + ", nr=" + number
                + (hasReturn ? ", ret=" + rawReturn() : ", unfinished") + ", " + parts + " payload(s)]";
    }
}
