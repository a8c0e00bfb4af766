package dev.jpoline.inlinehook;

import com.sun.jna.Callback;
import dev.jpoline.inlinehook.detour.JavaDetourGate;
import dev.jpoline.inlinehook.instrument.ProbeRecord;
import dev.jpoline.inlinehook.memory.CodeBlock;
import dev.jpoline.inlinehook.relocate.Relocation;

/**
 * One inline hook, or one instrument probe: the target's first instructions replaced by a jump
 * (or a 1-byte int3, {@link #usesTrap()}) to a detour or a probe's stub, the original kept
 * callable through {@link #trampoline()}. A new hook is disabled; every change of its state
 * happens under a stop-the-world freeze of the process (see {@link HookRegistry}). A closed hook
 * is dead: every method but the accessors throws {@link HookException.Reason#CLOSED}.
 */
public final class Hook implements AutoCloseable {
    private final HookRegistry registry;
    private final long target;
    private final String function;
    private final Relocation relocation;
    private final CodeBlock block;
    private final byte[] patch;
    private final byte[] original;
    /** The Java detour's gate, or null for a native detour. */
    private final JavaDetourGate gate;
    /** Kept reachable so that JNA does not free the callback's native stub while hooked. */
    private final Callback callback;
    private final long detour;
    /** Return points in the block beyond the trampoline's (an instrument stub's call of its callback). */
    private final long[] blockReturns;

    /** A probe's counts (null for a hook), its Java callback (null for a native one). */
    private ProbeRecord record;
    private JavaProbe javaProbe;
    private boolean skipsOriginal;
    /** The whole instructions the patch covers, as they were. */
    private byte[] stolen;

    // Guarded by HookRegistry.ENGINE.
    private boolean enabled;
    private boolean closed;

    Hook(HookRegistry registry, long target, String function, Relocation relocation, CodeBlock block,
            byte[] patch, byte[] original, long detour, JavaDetourGate gate, Callback callback, long... blockReturns) {
        this.registry = registry;
        this.target = target;
        this.function = function;
        this.relocation = relocation;
        this.block = block;
        this.patch = patch;
        this.original = original;
        this.detour = detour;
        this.gate = gate;
        this.callback = callback;
        this.blockReturns = blockReturns.clone();
    }

    /** The hooked address. */
    public long target() {
        return target;
    }

    /** The address to call to run the original function (its relocated first instructions, then a jump back). */
    public long trampoline() {
        return relocation.trampolineAddress();
    }

    /** The native detour, or for a Java detour the callback's native entry. */
    public long detour() {
        return detour;
    }

    /** The function's name where a symbol names it, else its address in hex. */
    public String function() {
        return function;
    }

    /** Bytes the patch at the target takes: 5 ({@code E9} to the block nearby), 14 (absolute jump) or 1 (int3). */
    public int patchLength() {
        return patch.length;
    }

    /** Bytes of whole instructions moved into the trampoline (at least {@link #patchLength()}). */
    public int stolenLength() {
        return relocation.stolenLength();
    }

    public boolean isJavaDetour() {
        return gate != null;
    }

    /** Whether the target got a 1-byte int3 (a SIGTRAP per hit) rather than a jump; see {@link TrapPolicy}. */
    public boolean usesTrap() {
        return patch.length == 1;
    }

    /** Whether this is an instrument probe (rather than a function hook with a detour). */
    public boolean isProbe() {
        return record != null;
    }

    /** A probe made by {@code instrumentNoOriginal}: the original instruction runs only if the callback sends it there. */
    public boolean skipsOriginal() {
        return skipsOriginal;
    }

    /** How many times threads reached this probe's callback stub (counted by the stub, every thread). */
    public long hits() {
        return probeRecord().hits();
    }

    /**
     * Hits of a Java probe whose callback did not run: on a thread the JVM does not know, or
     * inside the callback itself on the same thread. Always 0 for a native callback.
     */
    public long skippedHits() {
        return probeRecord().skipped();
    }

    /** Exceptions a Java probe's callback threw (each went to the thread's uncaught exception handler). */
    public long callbackFailures() {
        probeRecord();
        return javaProbe == null ? 0 : javaProbe.failures();
    }

    private ProbeRecord probeRecord() {
        if (record == null) {
            throw new IllegalStateException(this + " is a function hook, not a probe: only probes count hits");
        }
        return record;
    }

    public boolean isEnabled() {
        synchronized (HookRegistry.ENGINE) {
            return enabled;
        }
    }

    public boolean isClosed() {
        synchronized (HookRegistry.ENGINE) {
            return closed;
        }
    }

    /** Routes calls of the target to the detour (no-op when enabled). */
    public void enable() {
        registry.apply(this, true);
    }

    /** Restores the original bytes (no-op when disabled). */
    public void disable() {
        registry.apply(this, false);
    }

    /**
     * Disables the hook and frees its trampoline and relay slot, unless a frozen thread is inside
     * them or will return into them: that memory is kept aside and freed by a later freeze that
     * finds it unused. Call it only when no native detour can still call the original. A Java
     * detour's memory is never freed (a running Java detour cannot be seen). Idempotent.
     */
    @Override
    public void close() {
        registry.close(this);
    }

    @Override
    public String toString() {
        return (record != null ? "Probe[" : "Hook[") + function + " at 0x" + Long.toHexString(target) + (isEnabled() ? ", enabled" : "")
                + (isClosed() ? ", closed" : "") + "]";
    }

    // ---- engine state, for HookRegistry (under ENGINE) ----

    Relocation relocation() {
        return relocation;
    }

    CodeBlock block() {
        return block;
    }

    /** Every address in the block a thread may return to: its memory is in use while one does. */
    long[] busyReturns() {
        long[] stolen = relocation.boundaries().returnTo();
        long[] all = java.util.Arrays.copyOf(stolen, stolen.length + blockReturns.length);
        System.arraycopy(blockReturns, 0, all, stolen.length, blockReturns.length);
        return all;
    }

    byte[] patch() {
        return patch;
    }

    void probe(ProbeRecord record, JavaProbe javaProbe, boolean skipsOriginal) {
        this.record = record;
        this.javaProbe = javaProbe;
        this.skipsOriginal = skipsOriginal;
    }

    void setStolen(byte[] stolen) {
        this.stolen = stolen.clone();
    }

    byte[] stolen() {
        return stolen;
    }

    /** What the block's code uses and must outlive it: the probe's record and callback. */
    Object keepWithBlock() {
        return new Object[] {record, javaProbe};
    }

    byte[] original() {
        return original;
    }

    JavaDetourGate gate() {
        return gate;
    }

    boolean enabledState() {
        return enabled;
    }

    void setEnabledState(boolean on) {
        enabled = on;
    }

    boolean closedState() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    Callback callback() {
        return callback;
    }
}
