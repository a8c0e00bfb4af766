package dev.jpoline.trace;

import static dev.jpoline.host.SessionLayout.*;

import dev.jpoline.api.SyscallFilter;
import dev.jpoline.api.SyscallTable;
import dev.jpoline.host.Launcher;
import dev.jpoline.host.Session;
import dev.jpoline.trace.ring.CaptureSchema;
import dev.jpoline.trace.ring.TraceRing;
import java.io.PrintWriter;
import java.util.concurrent.locks.LockSupport;

/**
 * The TRACE tier's host side for one run: sets the tier table and capture schema before the
 * program starts, drains the ring on its own thread into a {@link TraceWriter}, and after the
 * program's end drains what is left and reports the end (docs/trace.md).
 */
public final class Tracer implements Launcher.Observer {
    private static final int NR_EXIT = 60;
    private static final int NR_EXIT_GROUP = 231;
    private static final long IDLE_PARK_NANOS = 200_000;
    private static final int SMALL_BATCH = 256;
    private static final long BATCH_PARK_NANOS = 50_000;

    private final SyscallFilter filter;
    private final int stringLimit;
    private final boolean timestamps;
    private final TraceWriter writer;
    private final PrintWriter diagnostics;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private Session session;
    private TraceRing ring;
    private Thread drainer;

    public Tracer(SyscallFilter filter, int stringLimit, boolean timestamps, TraceWriter writer, PrintWriter diagnostics) {
        this.filter = filter;
        this.stringLimit = stringLimit;
        this.timestamps = timestamps;
        this.writer = writer;
        this.diagnostics = diagnostics;
    }

    @Override
    public void sessionCreated(Session s) {
        this.session = s;
        int[] traced = java.util.stream.IntStream.concat(java.util.Arrays.stream(filter.numbers()),
                java.util.stream.IntStream.of(NR_EXIT, NR_EXIT_GROUP)).filter(n -> n >= 0 && n < TIER_COUNT)
                .distinct().toArray();
        CaptureSchema.write(s, SyscallTable.x86_64(), traced, stringLimit);
        for (int nr : traced) {
            s.setTier(nr, TIER_TRACE);
        }
        s.putInt(OFF_TRACE_FLAGS, timestamps ? TRACE_TIMES : 0);
        ring = new TraceRing(s, w -> {
            synchronized (diagnostics) {
                diagnostics.println("jpoline: " + w);
                diagnostics.flush();
            }
        });
        drainer = new Thread(this::drain, "jpoline-trace-drain");
        drainer.setDaemon(true);
        drainer.start();
    }

    /** Pids are not known before the start; the writer learns the top-level pid here. */
    @Override
    public void started(long pid) {
        writer.setTopPid((int) pid);
    }

    private void drain() {
        java.util.function.Consumer<dev.jpoline.trace.ring.RecordView> sink = writer::accept;
        try {
            while (true) {
                boolean last = stopping;
                int n = ring.drain(sink, last);
                if (last && ring.empty()) {
                    return;
                }
                if (n == 0) {
                    writer.flush();
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                } else if (n < SMALL_BATCH && !last) {
                    // Caught up: let records accumulate instead of polling the producers' lines.
                    LockSupport.parkNanos(BATCH_PARK_NANOS);
                }
            }
        } catch (Throwable t) {
            failure = t;
            // The target must never hang on a dead consumer: mark the session dead.
            session.putInt(OFF_STATE, SESSION_DEAD);
            session.wake(OFF_RING_WAKE);
        }
    }

    @Override
    public void exited(int status) {
        stopping = true;
        try {
            drainer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            diagnostics.println("jpoline: trace output failed: " + failure);
        }
        boolean signalled = !writer.topExitedByRecord() && status > 128 && status < 128 + 65;
        writer.finish(status, signalled, status - 128);
        long dropped = ring.droppedByProducers();
        if (dropped > 0) {
            diagnostics.println("jpoline: " + dropped + " record(s) not written: a process gave up on the host");
        }
        if (ring.lostRecords() > 0) {
            diagnostics.println("jpoline: " + ring.lostRecords() + " record(s) lost (their writers died mid-record)");
        }
        diagnostics.flush();
    }

    public long records() {
        return ring == null ? 0 : ring.records();
    }
}
