package dev.jpoline.cli;

import com.sun.jna.NativeLibrary;
import dev.jpoline.api.SyscallTable;
import dev.jpoline.rewriter.plan.Planner;
import dev.jpoline.runtime.RuntimeLibrary;
import java.time.ZoneId;

/**
 * Gets the slow one-time work of {@code run} and {@code trace} going on other threads (the
 * machines jpoline runs on have at least two cores) while the main thread sets up the plan
 * cache, the output and the session and starts the program, so that it is done, or under way,
 * when the main thread or the first rewrite request reaches it. One thread starts JNA's native
 * side (futexes, the session's address; the longest item, ~15 ms) and computes the scanner's
 * fingerprint (checked against cached plans); for {@code trace} another reads the runtime library
 * (from the jar: the main thread extracts it first), parses the syscall table (from text, some
 * 20 ms interpreted; the capture schema needs it) and, for -t and -tt, loads the time zone (the
 * zone database takes 10-15 ms). Where two threads need the same class, the JVM makes one wait
 * for the other's initialisation, so nothing is done twice; a failure here is left for the main
 * thread to meet and report.
 */
final class Warmup implements Runnable {
    /** What one warm-up thread does. */
    private enum Part { NATIVE, TRACE, TRACE_WITH_CLOCK }

    private final Part part;

    private Warmup(Part part) {
        this.part = part;
    }

    /**
     * Starts the warm-up; {@code trace} adds what only tracing needs, on a thread of its own:
     * JNA's start is the longest item and the session's first futex call needs it.
     */
    static void start(boolean trace) {
        start(trace, false);
    }

    /** As above; {@code timeOfDay} (-t, -tt) adds the time zone. */
    static void start(boolean trace, boolean timeOfDay) {
        startThread(Part.NATIVE);
        if (trace) {
            startThread(timeOfDay ? Part.TRACE_WITH_CLOCK : Part.TRACE);
        }
    }

    private static void startThread(Part part) {
        Thread t = new Thread(new Warmup(part), "jpoline-warmup");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        try {
            if (part != Part.NATIVE) {
                // In the order the main thread needs them.
                RuntimeLibrary.bundled();
                SyscallTable.x86_64();
                if (part == Part.TRACE_WITH_CLOCK) {
                    ZoneId.systemDefault();
                }
            } else {
                NativeLibrary.getInstance("c");
                new Planner().scannerFingerprint();
            }
        } catch (Throwable e) {
            // The main thread does the same work and reports what fails.
        }
    }
}
