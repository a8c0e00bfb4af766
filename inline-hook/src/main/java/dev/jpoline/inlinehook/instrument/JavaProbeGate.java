package dev.jpoline.inlinehook.instrument;

import com.sun.jna.Library;
import dev.jpoline.inlinehook.memory.RuntimeBinding;

/**
 * The runtime's gate in front of Java probe callbacks (probe_gate in hook_gate.c): a Java
 * probe's stub calls it in place of a native callback, with the probe's {@link ProbeRecord}; it
 * calls the record's JNA callback only on a thread the JVM knows that is not already inside it.
 */
public final class JavaProbeGate {
    interface GateNative extends Library {
        long jpoline_probe_gate_address();
    }

    private static volatile long address;

    private JavaProbeGate() {
    }

    /** The gate's entry, the callback a Java probe's stub calls. */
    public static long address() {
        long a = address;
        if (a == 0) {
            a = RuntimeBinding.bind(GateNative.class).jpoline_probe_gate_address();
            address = a;
        }
        return a;
    }
}
