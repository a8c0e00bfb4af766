package dev.jpoline.cli;

import com.sun.jna.NativeLibrary;
import dev.jpoline.api.SyscallTable;
import java.security.MessageDigest;
import java.time.ZoneId;

/**
 * Gets the slow one-time initialisations of {@code trace} going on a second thread while the
 * main thread sets up the plan cache, the output and the session, so that they are done, or
 * under way, when the main thread reaches them: the syscall table (parsed from text, some 20 ms
 * interpreted), the time zone (the trace formatter's clock), the JDK's security providers (the
 * runtime library is named by its SHA-256) and JNA's native side (futexes, the session's
 * address). The JVM makes the main thread wait for a class another thread is initialising, so
 * nothing is done twice; a failure here is left for the main thread to meet and report.
 * ({@code run} has too little to do before it needs these for a second thread to pay off:
 * measured, it did not.)
 */
final class Warmup implements Runnable {
    private Warmup() {}

    static void start() {
        Thread t = new Thread(new Warmup(), "jpoline-warmup");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        try {
            SyscallTable.x86_64();
            ZoneId.systemDefault();
            MessageDigest.getInstance("SHA-256");
            NativeLibrary.getInstance("c");
        } catch (Throwable e) {
            // The main thread does the same work and reports what fails.
        }
    }
}
