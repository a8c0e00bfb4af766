package dev.jpoline.cli;

import com.sun.jna.NativeLibrary;
import dev.jpoline.api.SyscallTable;
import dev.jpoline.rewriter.plan.Planner;
import dev.jpoline.runtime.RuntimeLibrary;
import java.time.ZoneId;

/**
 * Gets the slow one-time work of {@code run} and {@code trace} going on a second thread (the
 * machines jpoline runs on have at least two cores) while the main thread sets up the plan
 * cache, the output and the session, so that it is done, or under way, when the main thread or
 * the first rewrite request reaches it: the syscall table (parsed from text, some 20 ms
 * interpreted), the time zone (the trace clock; loading the zone database takes 10-15 ms), the
 * runtime library (read from the jar), the scanner's fingerprint (checked against cached plans)
 * and JNA's native side (futexes, the session's address). Where both threads need the same class, the JVM makes
 * one wait for the other's initialisation, so nothing is done twice; a failure here is left for
 * the main thread to meet and report.
 */
final class Warmup implements Runnable {
    private final boolean trace;

    private Warmup(boolean trace) {
        this.trace = trace;
    }

    /** Starts the warm-up; {@code trace} adds what only tracing needs. */
    static void start(boolean trace) {
        Thread t = new Thread(new Warmup(trace), "jpoline-warmup");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        try {
            // In the order the main thread needs them (the time zone right after the table:
            // TraceOptions.defaults() asks for it); run's main thread reads the runtime itself.
            if (trace) {
                SyscallTable.x86_64();
                ZoneId.systemDefault();
                RuntimeLibrary.bundled();
            }
            new Planner().scannerFingerprint();
            NativeLibrary.getInstance("c");
        } catch (Throwable e) {
            // The main thread does the same work and reports what fails.
        }
    }
}
