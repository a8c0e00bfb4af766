package dev.jpoline.inlinehook.remote;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.jpoline.runtime.RuntimeLibrary;

/**
 * The remote freeze's loops that must not meet a JVM safepoint (the runtime's
 * {@code remote_release.c} says why), from the native runtime this JVM loads anyway for its
 * in-process freeze. Null when it cannot be loaded: the Java loops are then used.
 */
interface RemoteNative extends Library {
    int jpoline_remote_detach_all(int[] tids, int[] signals, int n);

    int jpoline_remote_interrupt_all(int[] tids, int n);

    RemoteNative INSTANCE = load();

    /** Loads the library (extracting it, the first time) outside any stop window. */
    static void touch() {
        // The field's initializer does the work.
    }

    private static RemoteNative load() {
        try {
            return Native.load(RuntimeLibrary.bundled().extract().toAbsolutePath().toString(), RemoteNative.class);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
