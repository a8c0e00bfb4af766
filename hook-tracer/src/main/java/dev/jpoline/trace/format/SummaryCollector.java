package dev.jpoline.trace.format;

import dev.jpoline.api.Errno;
import dev.jpoline.api.SyscallTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accumulates finished syscall records into {@link SummaryTable} rows for {@code -c}: calls,
 * errors (results in the kernel's -4095..-1 range) and the total, shortest and longest time. Time
 * is wall-clock time from entry to exit, which is what strace's {@code -c -w} reports; a record
 * without both times counts as a call that took no time. Not thread-safe: feed it from the one
 * thread that formats.
 */
public final class SummaryCollector {
    private static final class Counts {
        long calls;
        long errors;
        long nanos;
        long minNanos = Long.MAX_VALUE;
        long maxNanos;
    }

    private static final int DIRECT = 1024;

    private final SyscallTable table;
    /** Counts of numbers 0..1023 by number; any other number (never a real one) in the map. */
    private final Counts[] direct = new Counts[DIRECT];
    private final Map<Long, Counts> others = new TreeMap<>();

    public SummaryCollector() {
        this(SyscallTable.x86_64());
    }

    public SummaryCollector(SyscallTable table) {
        this.table = table;
    }

    /** Counts one record; unfinished records (no return) count as calls, as strace counts exits. */
    public void add(TraceRecord r) {
        long nr = r.number();
        Counts c;
        if (nr >= 0 && nr < DIRECT) {
            c = direct[(int) nr];
            if (c == null) {
                c = new Counts();
                direct[(int) nr] = c;
            }
        } else {
            c = others.computeIfAbsent(nr, n -> new Counts());
        }
        c.calls++;
        if (r.hasReturn() && Errno.fromReturn(r.returnValue()) != 0) {
            c.errors++;
        }
        long took = 0;
        if (r.entryNanos() != TraceRecord.NO_TIME && r.exitNanos() != TraceRecord.NO_TIME) {
            took = Math.max(0, r.exitNanos() - r.entryNanos());
        }
        c.nanos += took;
        c.minNanos = Math.min(c.minNanos, took);
        c.maxNanos = Math.max(c.maxNanos, took);
    }

    public List<SummaryTable.Row> rows() {
        Map<Long, Counts> bySyscall = new TreeMap<>(others);
        for (int nr = 0; nr < DIRECT; nr++) {
            if (direct[nr] != null) {
                bySyscall.put((long) nr, direct[nr]);
            }
        }
        List<SummaryTable.Row> rows = new ArrayList<>();
        bySyscall.forEach((nr, c) -> rows.add(new SummaryTable.Row(nr.intValue(), table.nameOf(nr), c.calls,
                c.errors, c.nanos, c.minNanos, c.maxNanos)));
        return rows;
    }

    /** The table text in strace's default layout, as {@link SummaryTable#format}. */
    public String format() {
        return SummaryTable.format(rows());
    }

    /** The table text in {@code layout} (-S, -U). */
    public String format(SummaryTable.Layout layout) {
        return SummaryTable.format(rows(), layout);
    }
}
