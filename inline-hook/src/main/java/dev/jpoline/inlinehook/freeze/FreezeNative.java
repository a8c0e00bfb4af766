package dev.jpoline.inlinehook.freeze;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.HookException;
import dev.jpoline.runtime.RuntimeLibrary;
import java.nio.file.Path;

/**
 * The freeze's entry points in the native runtime ({@code freeze.h}). Loading {@code libjpoline.so}
 * into this JVM is harmless: without a session in the environment its constructor does nothing.
 */
interface FreezeNative extends Library {
    /** {@code jpoline_freeze_apply}'s result when a thread did not park in time. */
    int TIMEOUT = 1;
    /** {@code plan->flags}. */
    long CORES_SERIALIZED = 0x1;
    long MPROTECT = 0x2;
    long PARTIAL = 0x4;

    /** The signal number, or -errno. */
    int jpoline_freeze_install();

    int jpoline_freeze_signal();

    /** 0, {@link #TIMEOUT} or -errno; runs the whole freeze. */
    int jpoline_freeze_apply(Pointer plan);

    /** {@code sizeof(plan) << 16 | sizeof(step)}. */
    int jpoline_freeze_layout();

    static FreezeNative load() {
        Path library;
        try {
            library = RuntimeLibrary.bundled().extract();
        } catch (RuntimeException e) {
            throw new HookException(HookException.Reason.SYSTEM,
                    "cannot extract the native runtime for the freeze: " + e.getMessage(), e);
        }
        FreezeNative n;
        try {
            n = Native.load(library.toAbsolutePath().toString(), FreezeNative.class);
        } catch (UnsatisfiedLinkError e) {
            throw new HookException(HookException.Reason.SYSTEM,
                    "cannot load the native runtime " + library + " for the freeze: " + e.getMessage(), e);
        }
        int layout;
        try {
            layout = n.jpoline_freeze_layout();
        } catch (UnsatisfiedLinkError e) {
            throw new HookException(HookException.Reason.SYSTEM, "the native runtime " + library
                    + " has no freeze; rebuild with: mvn -DskipTests package", e);
        }
        int expected = NativePlan.PLAN_SIZE << 16 | NativePlan.STEP_SIZE;
        if (layout != expected) {
            throw new HookException(HookException.Reason.SYSTEM, String.format(
                    "the native runtime %s lays out freeze plans as 0x%x but this code as 0x%x;"
                            + " rebuild with: mvn -DskipTests package", library, layout, expected));
        }
        return n;
    }
}
