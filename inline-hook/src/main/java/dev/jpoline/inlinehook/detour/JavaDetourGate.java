package dev.jpoline.inlinehook.detour;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import dev.jpoline.inlinehook.HookException;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import dev.jpoline.inlinehook.memory.RuntimeBinding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gate in front of a Java detour (the runtime's {@code hook_gate.c} says how it decides). A
 * Java-detoured hook's relay slot loads its gate record into r11 and jumps to the runtime's gate
 * entry; the gate sends the call to the JNA callback only on a thread the JVM already knows that
 * is not inside this hook's own detour, and to the trampoline otherwise.
 */
public final class JavaDetourGate {
    /** struct jp_gate in hook_gate.h: original, detour, id, vm. */
    private static final int RECORD_SIZE = 32;
    private static final AtomicLong IDS = new AtomicLong();
    /**
     * Gate records and callbacks of closed hooks. Never freed: a thread may still be between a
     * relay slot and the gate's read of the record, or about to enter the callback's native
     * stub, and no freeze can see that (the gate's code is shared by all hooks).
     */
    private static final List<Object> RETIRED = new ArrayList<>();

    interface GateNative extends Library {
        long jpoline_gate_entry_address();

        long jpoline_gate_depth();
    }

    private static volatile long javaVm;

    private final Memory record;
    private final Callback callback;

    private JavaDetourGate(Memory record, Callback callback) {
        this.record = record;
        this.callback = callback;
    }

    /** A gate record whose calls go to {@code callback} or to {@code original}. */
    public static JavaDetourGate create(Callback callback, long original) {
        Pointer detour = CallbackReference.getFunctionPointer(callback);
        Memory record = new Memory(RECORD_SIZE);
        record.setLong(0, original);
        record.setLong(8, Pointer.nativeValue(detour));
        record.setLong(16, IDS.incrementAndGet());
        record.setLong(24, javaVm());
        return new JavaDetourGate(record, callback);
    }

    /** Where the hook's relay slot jumps, with r11 = {@link #record()}. */
    public static long entryAddress() {
        return runtime().jpoline_gate_entry_address();
    }

    /** How many Java detours the calling thread is inside (for tests). */
    public static long depth() {
        return runtime().jpoline_gate_depth();
    }

    /** The address of the gate record. */
    public long record() {
        return Pointer.nativeValue(record);
    }

    /** The JNA callback's native entry. */
    public long detour() {
        return record.getLong(8);
    }

    /** Keeps the record, the callback and the hook's code ({@code block}) for good: the hook is closed. */
    public void retire(Object block) {
        synchronized (RETIRED) {
            RETIRED.add(record);
            RETIRED.add(callback);
            RETIRED.add(block);
        }
    }

    private static GateNative runtime() {
        return RuntimeBinding.bind(GateNative.class);
    }

    /** This process's JavaVM*, through libjvm's JNI_GetCreatedJavaVMs (the Java probe gate asks it too). */
    public static long javaVm() {
        long vm = javaVm;
        if (vm != 0) {
            return vm;
        }
        synchronized (JavaDetourGate.class) {
            if (javaVm == 0) {
                NativeLibrary jvm = NativeLibrary.getInstance(libjvmPath());
                Memory vms = new Memory(8);
                IntByReference count = new IntByReference();
                int rc = jvm.getFunction("JNI_GetCreatedJavaVMs").invokeInt(new Object[] {vms, 1, count});
                if (rc != 0 || count.getValue() < 1) {
                    throw new HookException(HookException.Reason.SYSTEM,
                            "cannot find this process's JavaVM (JNI_GetCreatedJavaVMs returned " + rc + ")");
                }
                javaVm = vms.getLong(0);
            }
            return javaVm;
        }
    }

    private static String libjvmPath() {
        try {
            for (MapsEntry e : ProcessMaps.readSelf().entries()) {
                if (e.path().endsWith("/libjvm.so")) {
                    return e.path();
                }
            }
        } catch (IOException e) {
            throw new HookException(HookException.Reason.SYSTEM, "cannot read /proc/self/maps: " + e.getMessage(), e);
        }
        throw new HookException(HookException.Reason.SYSTEM,
                "libjvm.so is not mapped in this process: Java detours need a HotSpot JVM");
    }
}
