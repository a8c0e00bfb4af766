package dev.jpoline.trace.ring;

import dev.jpoline.trace.format.Payload;
import dev.jpoline.trace.format.SyscallRecord;
import dev.jpoline.trace.format.TraceRecord;
import java.util.List;

/**
 * One record as a producer wrote it into the ring (docs/trace.md): a whole syscall
 * ({@link Kind#FULL}), or the entry or exit half of a syscall that was recorded in two parts.
 */
public record RingRecord(Kind kind, int pid, int tid, int number, boolean hasReturn, long[] args, long returnValue,
        long entryNanos, long exitNanos, List<Part> parts, boolean injected, long ip) {

    /** A record without an instruction pointer (0: unknown). */
    public RingRecord(Kind kind, int pid, int tid, int number, boolean hasReturn, long[] args, long returnValue,
            long entryNanos, long exitNanos, List<Part> parts, boolean injected) {
        this(kind, pid, tid, number, hasReturn, args, returnValue, entryNanos, exitNanos, parts, injected, 0);
    }

    /** A record whose result, if any, is the kernel's (not injected). */
    public RingRecord(Kind kind, int pid, int tid, int number, boolean hasReturn, long[] args, long returnValue,
            long entryNanos, long exitNanos, List<Part> parts) {
        this(kind, pid, tid, number, hasReturn, args, returnValue, entryNanos, exitNanos, parts, false);
    }

    /** SIGNAL: a delivered signal; number() is the signal, args()[0] its flags, part 0 the siginfo. */
    public enum Kind { FULL, ENTRY, EXIT, SIGNAL }

    /** One payload: the argument, entry or exit copy, the iovec element (-1 for the argument itself). */
    public record Part(int arg, boolean atExit, int element, byte[] bytes, boolean truncated) {}

    /** The record as the formatter reads it; {@code entry} supplies arguments and entry payloads when not null. */
    public static TraceRecord merge(RingRecord entry, RingRecord exit) {
        RingRecord head = entry != null ? entry : exit;
        SyscallRecord.Builder b = SyscallRecord.builder(head.number).pid(head.pid).tid(head.tid).args(head.args)
                .ip(head.ip != 0 || exit == null ? head.ip : exit.ip);
        long entryNs = head.entryNanos;
        if (exit != null && exit.hasReturn) {
            b.returns(exit.returnValue);
            b.injected(exit.injected);
        }
        long exitNs = exit != null ? exit.exitNanos : 0;
        b.entryNanos(entryNs == 0 ? TraceRecord.NO_TIME : entryNs);
        b.exitNanos(exitNs == 0 ? TraceRecord.NO_TIME : exitNs);
        if (head.parts.isEmpty() && (exit == null || exit.parts.isEmpty())) {
            return b.build(); // the common case: no memory captured
        }
        java.util.Map<Long, Payload> merged = new java.util.LinkedHashMap<>();
        java.util.List<Part> all = new java.util.ArrayList<>();
        if (entry != null) {
            all.addAll(entry.parts);
        }
        if (exit != null && exit != entry) {
            all.addAll(exit.parts);
        }
        // Entry copies first, then exit copies: a value-result field becomes entry bytes + exit bytes.
        all.sort((x, y) -> Boolean.compare(x.atExit, y.atExit));
        for (Part p : all) {
            long key = ((long) p.arg << 32) | (p.element & 0xffffffffL);
            Payload prev = merged.get(key);
            if (prev == null) {
                merged.put(key, new Payload(p.bytes, p.truncated));
            } else {
                byte[] a = prev.bytes();
                byte[] c = new byte[a.length + p.bytes.length];
                System.arraycopy(a, 0, c, 0, a.length);
                System.arraycopy(p.bytes, 0, c, a.length, p.bytes.length);
                merged.put(key, new Payload(c, prev.truncated() || p.truncated));
            }
        }
        merged.forEach((key, payload) -> {
            int arg = (int) (key >>> 32);
            int element = (int) (long) key;
            if (element == -1) {
                b.payload(arg, payload);
            } else {
                b.elementPayload(arg, element, payload);
            }
        });
        return b.build();
    }
}
