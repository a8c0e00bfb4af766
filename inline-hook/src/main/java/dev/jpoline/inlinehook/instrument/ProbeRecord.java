package dev.jpoline.inlinehook.instrument;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A probe's writable record (struct jp_probe_record in the runtime's hook_gate.h): the stub
 * counts every hit in it, and a Java probe's gate reads its callback from it and counts the hits
 * it did not send to Java. It must live as long as the probe's stub can run: the registry keeps
 * it with the stub's memory.
 */
public final class ProbeRecord {
    private static final int SIZE = 40;
    private static final AtomicLong IDS = new AtomicLong();

    private final Memory memory = new Memory(SIZE);

    private ProbeRecord(long callback, long vm) {
        memory.clear();
        memory.setLong(16, callback);
        // Bit 62 keeps probe ids apart from Java detour ids: both mark frames on one gate stack.
        memory.setLong(24, 1L << 62 | IDS.incrementAndGet());
        memory.setLong(32, vm);
    }

    /** A native probe's: only the counts. */
    public static ProbeRecord forNative() {
        return new ProbeRecord(0, 0);
    }

    /** A Java probe's: its gate calls {@code callback} (a JNA callback's entry) in the JVM {@code vm}. */
    public static ProbeRecord forJava(long callback, long vm) {
        return new ProbeRecord(callback, vm);
    }

    public long address() {
        return Pointer.nativeValue(memory);
    }

    public long hits() {
        return memory.getLong(0);
    }

    public long skipped() {
        return memory.getLong(8);
    }
}
