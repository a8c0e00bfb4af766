package dev.jpoline.inlinehook.freeze;

import dev.jpoline.inlinehook.HookException;
import dev.jpoline.inlinehook.HookException.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process stop-the-world freeze (DESIGN.md invariant 8): code that other threads of this
 * process may be running is changed only while all of them are parked in a signal handler.
 *
 * <p>The whole critical section runs in one native call ({@code jpoline_freeze_apply} in the
 * runtime): while the other threads are parked, the calling thread must not reach a HotSpot
 * safepoint poll, because the VM thread may be parked half-way into a safepoint; a thread in a
 * JNA call is in native state, which a safepoint does not wait for. This class only lays out the
 * plan and reads the result.
 *
 * <p>Stack scanning is conservative: every aligned word on a frozen thread's stack that equals a
 * return-from address is rewritten. The calling thread's own stack is not scanned (its frames
 * hold the plan's addresses as local variables), so a thread must not change code it is itself
 * inside of; and code that keeps such addresses in locals on other threads (building another
 * plan for the same code) must be serialized with the freezes. docs/freeze.md has the protocol,
 * the hard cases and the limits.
 */
public final class Freeze {
    /** glibc's SIGRTMIN, to name the signal as a user's tools do. */
    private static final int GLIBC_SIGRTMIN = 34;

    private static final Object LOCK = new Object();
    /** Threads frozen without parking, since this class was loaded (see {@code freeze.h}): for tests. */
    static final AtomicLong held = new AtomicLong();

    private Freeze() {
    }

    /** Loaded on first use. */
    private static final class Loaded {
        static final FreezeNative RUNTIME = FreezeNative.load();
    }

    private static FreezeNative runtime() {
        try {
            return Loaded.RUNTIME;
        } catch (ExceptionInInitializerError e) {
            if (e.getCause() instanceof HookException h) {
                throw new HookException(h.reason(), h.getMessage(), h);
            }
            throw e;
        } catch (NoClassDefFoundError e) {
            throw new HookException(Reason.SYSTEM, "the native runtime for the freeze could not be loaded (see the"
                    + " first failure in this JVM)", e);
        }
    }

    /**
     * Runs every step under one stop-the-world freeze of all other threads of this process, in
     * one native call. Steps are applied in order: each step's fix-ups see the previous steps'.
     *
     * @throws HookException {@link Reason#FREEZE_TIMEOUT} when a thread did not park within
     *         {@code timeoutMillis} (the message names it and says why, as far as /proc tells):
     *         then nothing was written; {@link Reason#SYSTEM} for other failures
     */
    public static FreezeResult apply(List<PatchStep> steps, long timeoutMillis) {
        List<PatchStep> plan = List.copyOf(steps);
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("the freeze timeout must be positive: " + timeoutMillis + " ms");
        }
        FreezeNative runtime = runtime();
        int sig = signal();
        NativePlan p = new NativePlan(plan, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        try {
            int rc;
            synchronized (LOCK) {
                rc = runtime.jpoline_freeze_apply(p.pointer());
            }
            if (rc == 0) {
                held.addAndGet(p.held());
                return new FreezeResult((int) p.threads(), (int) p.ipFixups(), (int) p.returnFixups(),
                        (int) p.anomalies(), p.busy(), p.nanos(), (p.flags() & FreezeNative.CORES_SERIALIZED) != 0);
            }
            if (rc == FreezeNative.TIMEOUT) {
                throw new HookException(Reason.FREEZE_TIMEOUT, timeoutMessage(p.stuckTid(), sig, timeoutMillis));
            }
            throw new HookException(Reason.SYSTEM, failureMessage(-rc, p, plan, sig));
        } finally {
            p.close();
        }
    }

    /** The signal the freeze uses (installs its handler on first use). */
    public static int signal() {
        FreezeNative runtime = runtime();
        int sig = runtime.jpoline_freeze_signal();
        if (sig > 0) {
            return sig;
        }
        sig = runtime.jpoline_freeze_install();
        if (sig == -16) {
            throw new HookException(Reason.SYSTEM, "cannot install the freeze: every real-time signal from SIGRTMIN+4"
                    + " (" + (GLIBC_SIGRTMIN + 4) + ") to 64 already has a handler in this process");
        }
        if (sig < 0) {
            throw new HookException(Reason.SYSTEM, "cannot install the freeze's signal handler: " + errno(-sig));
        }
        return sig;
    }

    static String signalName(int sig) {
        return sig + " (SIGRTMIN+" + (sig - GLIBC_SIGRTMIN) + ")";
    }

    private static String timeoutMessage(long tid, int sig, long timeoutMillis) {
        Path task = Path.of("/proc/self/task", Long.toString(tid));
        String name = read(task.resolve("comm")).strip();
        String status = read(task.resolve("status"));
        String why = "it blocks the freeze signal " + signalName(sig) + " or is stopped";
        String state = field(status, "State:");
        String blocked = field(status, "SigBlk:");
        if (!blocked.isEmpty() && ((Long.parseUnsignedLong(blocked, 16) >>> (sig - 1)) & 1) != 0) {
            why = "it blocks the freeze signal " + signalName(sig);
        } else if (state.startsWith("T") || state.startsWith("t")) {
            why = "it is stopped (" + state + "): SIGSTOP, or a debugger";
        } else if (state.startsWith("D")) {
            why = "it stayed in an uninterruptible wait (" + state + ") the whole time";
        } else if (status.isEmpty()) {
            why = "it is gone now; it may have blocked the freeze signal " + signalName(sig) + " or been stopped";
        }
        return "thread " + tid + (name.isEmpty() ? "" : " (\"" + name + "\")") + " did not park for the freeze within "
                + timeoutMillis + " ms: " + why + "; nothing was written, every thread runs on";
    }

    private static String failureMessage(int errno, NativePlan p, List<PatchStep> plan, int sig) {
        int step = p.failedStep();
        String where = step >= 0 ? "step " + step + " " + plan.get(step) : "the freeze";
        String written = (p.flags() & FreezeNative.PARTIAL) != 0
                ? "; the steps before it were written and stay written"
                : "; nothing was written";
        return switch (errno) {
            case 14 -> where + " writes to memory that is not mapped" + written;
            case 16 -> "the freeze signal " + signalName(sig) + " now has another handler than the freeze's: some"
                    + " library of this process took it over; nothing was written";
            case 7 -> "the process has more threads than the freeze can track (131072); nothing was written";
            case 11 -> "the kernel refused to queue the freeze signal (RLIMIT_SIGPENDING reached: threads that"
                    + " block it keep earlier freezes' signals pending); nothing was written";
            case 22 -> "malformed freeze plan at " + where;
            default -> where + " failed: " + errno(errno) + written;
        };
    }

    private static String errno(int errno) {
        String name = switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 5 -> "EIO";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            default -> null;
        };
        return name == null ? "error " + errno : name + " (" + errno + ")";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String field(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key)) {
                return line.substring(key.length()).strip();
            }
        }
        return "";
    }
}
