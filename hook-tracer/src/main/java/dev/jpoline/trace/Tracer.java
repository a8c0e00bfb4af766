package dev.jpoline.trace;

import static dev.jpoline.host.SessionLayout.*;

import dev.jpoline.api.SyscallFilter;
import dev.jpoline.api.SyscallTable;
import dev.jpoline.host.Launcher;
import dev.jpoline.host.Orphans;
import dev.jpoline.host.Session;
import dev.jpoline.trace.ring.CaptureSchema;
import dev.jpoline.trace.ring.RecordView;
import dev.jpoline.trace.ring.TraceRing;
import java.io.PrintWriter;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The TRACE tier's host side for one run: sets the tier table and capture schema before the
 * program starts, drains the ring on its own thread into a {@link TraceWriter}, and after the
 * program's end drains what is left and reports the end (docs/trace.md).
 */
public final class Tracer implements Launcher.Observer, Launcher.PtraceWindowObserver {
    private static final int NR_EXIT = 60;
    private static final int NR_EXIT_GROUP = 231;
    /** Traced whatever the filter (which still decides the lines): process ends, births and reaping. */
    private static final int[] ALWAYS_TRACED = {NR_EXIT, NR_EXIT_GROUP, 56 /* clone */, 57 /* fork */,
        58 /* vfork */, 435 /* clone3 */, 61 /* wait4 */};
    /**
     * An empty ring is polled after 200 µs, then after twice as long each time it is still empty,
     * up to 20 ms: a program that runs keeps the drain close behind it, and one that blocks for
     * long (a server waiting for clients) costs the host ~50 wake-ups a second instead of 5000
     * (measured: ~9% of a core spent polling the ring of a program asleep). The program's end
     * wakes the drain at once.
     */
    private static final long IDLE_PARK_NANOS = 200_000;
    private static final long IDLE_PARK_MAX_NANOS = 20_000_000;
    private static final long BATCH_PARK_NANOS = 50_000;

    private final Supplier<SyscallFilter> filter;
    private final int stringLimit;
    private final boolean timestamps;
    /** Made on the main thread once the program is being rewritten: its formatters are not needed before. */
    private final Supplier<TraceWriter> writerFactory;
    private TraceWriter writer;
    private int topPid;
    private final PrintWriter diagnostics;
    private InjectRules inject = new InjectRules();
    private java.util.Set<String> capturedWhole = java.util.Set.of();
    /** -y, -yy, -P: the calls that say what descriptors refer to are traced too. */
    private boolean fdTracking;
    /** -P: only the calls -P may print are traced (besides those always traced). */
    private boolean pathsOnly;
    /** --syscall-limit: -1 for none; whether its line is said; what runs once it is reached. */
    private long syscallLimit = -1;
    private boolean quietLimit;
    private Runnable afterLimit;
    private static final long ORPHAN_POLL_NANOS = 10_000_000;
    private final java.util.concurrent.ConcurrentLinkedQueue<Orphans.Ended> endedOrphans =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private boolean followOrphans;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private Session session;
    private TraceRing ring;
    private Thread drainer;

    /**
     * @param filter        the syscalls -e trace= selects, asked for once the program is started
     * @param writerFactory makes the writer when the session is being served ({@link #serving()}),
     *     off the way to the program's start
     */
    public Tracer(Supplier<SyscallFilter> filter, int stringLimit, boolean timestamps,
            Supplier<TraceWriter> writerFactory, PrintWriter diagnostics) {
        this.filter = filter;
        this.stringLimit = stringLimit;
        this.timestamps = timestamps;
        this.writerFactory = writerFactory;
        this.diagnostics = diagnostics;
    }

    /** -e inject= and -e fault= rules, written into the session before the program runs. */
    public Tracer withInjections(InjectRules rules) {
        this.inject = rules;
        return this;
    }

    /** -e read= and -e write=: the syscalls whose data buffers are captured whole, not -s bytes. */
    public Tracer withCapturedWhole(java.util.Set<String> syscalls) {
        this.capturedWhole = java.util.Set.copyOf(syscalls);
        return this;
    }

    /**
     * --syscall-limit: after {@code limit} printed calls the trace stops: every syscall is passed
     * through from then on (no records, no injections), one line says so unless {@code quiet},
     * and {@code then} runs (trace -p detaches there, as strace does).
     */
    public Tracer withSyscallLimit(long limit, boolean quiet, Runnable then) {
        this.syscallLimit = limit;
        this.quietLimit = quiet;
        this.afterLimit = then;
        return this;
    }

    /** The limit's end of the trace: the program runs on with every syscall passed straight through. */
    private void limitReached() {
        for (int nr = 0; nr < TIER_COUNT; nr++) {
            session.setTier(nr, TIER_PASS);
        }
        session.putInt(OFF_TRACE_FLAGS, 0);
        if (!quietLimit) {
            new Warnings(diagnostics).accept("the system call limit (" + syscallLimit + ") is reached: the trace stops,"
                    + " the program runs on untraced");
        }
        if (afterLimit != null) {
            afterLimit.run();
        }
    }

    /**
     * -y, -yy, -P: also trace the calls whose records keep the writer's descriptor tables right
     * (opens, closes, dups, chdir, exec), whatever -e trace= prints; with {@code pathTrace} (-P),
     * trace only the selected calls -P may print: strace checks no others.
     */
    public Tracer withFdTracking(boolean pathTrace) {
        this.fdTracking = true;
        this.pathsOnly = pathTrace;
        return this;
    }

    /** The writer, once {@link #serving()} made it; null before. */
    public TraceWriter writer() {
        return writer;
    }

    @Override
    public void sessionCreated(Session s) {
        this.session = s;
        // Plain loops and classes rather than streams and lambdas: this runs once, cold, before the
        // program starts, where linking a stream pipeline costs milliseconds.
        boolean[] tracedSet = new boolean[TIER_COUNT];
        for (int n : filter.get().numbers()) {
            if (n >= 0 && n < TIER_COUNT && (!pathsOnly || PathTrace.mayMatch(n))) {
                tracedSet[n] = true;
            }
        }
        if (fdTracking) {
            for (int n : FdPaths.TRACKED) {
                tracedSet[n] = true;
            }
        }
        for (int n : ALWAYS_TRACED) {
            tracedSet[n] = true;
        }
        // Injected syscalls reach the TRACE tier, where the runtime applies the rules; the writer
        // shows only what -e trace= selects.
        for (int n : inject.syscalls()) {
            if (n >= 0 && n < TIER_COUNT) {
                tracedSet[n] = true;
            }
        }
        inject.write(s);
        int count = 0;
        for (boolean t : tracedSet) {
            count += t ? 1 : 0;
        }
        int[] traced = new int[count];
        for (int n = 0, i = 0; n < TIER_COUNT; n++) {
            if (tracedSet[n]) {
                traced[i++] = n;
            }
        }
        CaptureSchema.write(s, SyscallTable.x86_64(), traced, stringLimit, capturedWhole);
        for (int nr : traced) {
            s.setTier(nr, TIER_TRACE);
        }
        s.putInt(OFF_TRACE_FLAGS, (timestamps ? TRACE_TIMES : 0) | TRACE_SIGNALS);
        ring = new TraceRing(s, new Warnings(diagnostics));
        followOrphans = Orphans.becomeReaper();
    }

    /** Pids are not known before the start; the writer learns the top-level pid when it is made. */
    @Override
    public void started(long pid) {
        topPid = (int) pid;
    }

    /** The program is being rewritten: make the writer and start draining. */
    @Override
    public void serving() {
        writer = writerFactory.get();
        writer.setTopPid(topPid);
        if (syscallLimit > 0) {
            writer.withSyscallLimit(syscallLimit, this::limitReached);
        }
        drainer = new Thread(new Drainer(this), "jpoline-trace-drain");
        drainer.setDaemon(true);
        drainer.start();
    }

    /** Ring warnings, one line each on the diagnostics stream. */
    private record Warnings(PrintWriter diagnostics) implements java.util.function.Consumer<String> {
        @Override
        public void accept(String w) {
            synchronized (diagnostics) {
                diagnostics.println("jpoline: " + w);
                diagnostics.flush();
            }
        }
    }

    /** The drain thread's body and the ring's sink: records go to the writer. */
    private record Drainer(Tracer tracer) implements Runnable, java.util.function.Consumer<RecordView> {
        @Override
        public void run() {
            tracer.drain(this);
        }

        @Override
        public void accept(RecordView v) {
            tracer.writer.accept(v);
        }
    }

    private void drain(java.util.function.Consumer<RecordView> sink) {
        long idlePark = IDLE_PARK_NANOS;
        try {
            while (true) {
                boolean last = stopping;
                int n = ring.drain(sink, last);
                if (ring.empty()) {
                    // Every record of a process reaped before now is written: its end comes next.
                    for (Orphans.Ended e; (e = endedOrphans.poll()) != null; ) {
                        writer.processEnded(e);
                    }
                }
                if (last && ring.empty()) {
                    return;
                }
                if (n == 0) {
                    writer.flush();
                    LockSupport.parkNanos(idlePark);
                    idlePark = nextIdlePark(idlePark);
                    continue;
                }
                idlePark = IDLE_PARK_NANOS;
                if (n < TraceRing.BATCH && !last) {
                    // Caught up (a full batch may have more behind it): let records accumulate
                    // instead of polling the producers' lines.
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

    /** How long to park after finding the ring empty again, having parked {@code last}. */
    static long nextIdlePark(long last) {
        return Math.min(last * 2, IDLE_PARK_MAX_NANOS);
    }

    @Override
    public void detached() {
        stopDrain();
        writer.finishDetached();
        diagnostics.flush();
    }

    /** Ends the drain once the ring is empty, and says if writing the output failed. */
    private void stopDrain() {
        stopping = true;
        LockSupport.unpark(drainer);
        try {
            drainer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            diagnostics.println("jpoline: trace output failed: " + failure);
        }
    }

    /** A process the ptrace window followed ended: its end line comes once the ring holds none of its records. */
    @Override
    public void processEnded(Orphans.Ended ended) {
        endedOrphans.add(ended);
        LockSupport.unpark(drainer);
    }

    @Override
    public void exited(int status) {
        // Like strace -f, the trace ends with the last process, not with the program.
        while (followOrphans && drainer.isAlive()) {
            Orphans.Reaped reaped = Orphans.reap();
            endedOrphans.addAll(reaped.ended());
            if (!reaped.running()) {
                break;
            }
            LockSupport.parkNanos(ORPHAN_POLL_NANOS);
        }
        stopDrain();
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
