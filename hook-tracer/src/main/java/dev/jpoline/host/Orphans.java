package dev.jpoline.host;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the host the reaper of the program's orphans (prctl PR_SET_CHILD_SUBREAPER): processes
 * that outlive their parent become the host's children instead of init's, so that {@code jpoline
 * trace}, like {@code strace -f}, follows them to their end and learns how each one ended, even
 * a SIGKILL that leaves no record.
 */
public final class Orphans {
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int WNOHANG = 1;
    private static final NativeLibrary LIBC = NativeLibrary.getInstance("c");
    private static final Function PRCTL = LIBC.getFunction("prctl");
    private static final Function WAITPID = LIBC.getFunction("waitpid");

    /** A process that ended, with its wait(2) status. */
    public record Ended(int pid, int waitStatus) {
        public boolean signalled() {
            return (waitStatus & 0x7f) != 0 && (waitStatus & 0x7f) != 0x7f;
        }

        public int signal() {
            return waitStatus & 0x7f;
        }

        public boolean coreDumped() {
            return (waitStatus & 0x80) != 0;
        }

        public int exitCode() {
            return (waitStatus >> 8) & 0xff;
        }

        /** As a shell reports it: the exit code, or 128 + the signal that killed it. */
        public int shellStatus() {
            return signalled() ? 128 + signal() : exitCode();
        }
    }

    private Orphans() {}

    /** Returns false when the kernel refused (the trace then ends with the program, as before). */
    public static boolean becomeReaper() {
        return PRCTL.invokeInt(new Object[] {PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L}) == 0;
    }

    /** What one {@link #reap()} found: the orphans that ended, and whether any still run. */
    public record Reaped(List<Ended> ended, boolean running) {}

    /**
     * Reaps the orphans that ended, without waiting. Only after the program itself was waited
     * for: any child of the host is reaped here, and the host has no other children. (waitpid of
     * any child rather than a walk of /proc for the host's children: that walk cost the end of
     * every trace 4-7 ms.)
     */
    public static Reaped reap() {
        List<Ended> ended = new ArrayList<>();
        Memory status = new Memory(4);
        while (true) {
            int pid = WAITPID.invokeInt(new Object[] {-1, status, WNOHANG});
            if (pid <= 0) {
                // 0: children left, none ended yet; -1: none left (ECHILD).
                return new Reaped(ended, pid == 0);
            }
            ended.add(new Ended(pid, status.getInt(0)));
        }
    }
}
