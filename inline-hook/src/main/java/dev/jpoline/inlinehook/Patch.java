package dev.jpoline.inlinehook;

import java.util.HexFormat;

/**
 * Whole instructions of native code replaced in place by bytes of the caller's
 * ({@link HookRegistry#patchCode}). It is applied when made; {@link #close()} puts the original
 * bytes back, under the freeze as well.
 */
public final class Patch implements AutoCloseable {
    private final HookRegistry registry;
    private final long address;
    private final String where;
    private final byte[] code;
    private final byte[] original;

    // Guarded by HookRegistry.ENGINE.
    private boolean closed;

    Patch(HookRegistry registry, long address, String where, byte[] code, byte[] original) {
        this.registry = registry;
        this.address = address;
        this.where = where;
        this.code = code.clone();
        this.original = original.clone();
    }

    /** Where the code was written. */
    public long address() {
        return address;
    }

    /** The bytes the patch replaced (a copy): what {@link #close()} writes back. */
    public byte[] original() {
        return original.clone();
    }

    /** The bytes written (a copy). */
    public byte[] code() {
        return code.clone();
    }

    public int length() {
        return code.length;
    }

    public boolean isClosed() {
        synchronized (HookRegistry.ENGINE) {
            return closed;
        }
    }

    /** Puts the original bytes back under a freeze. Idempotent. */
    @Override
    public void close() {
        registry.close(this);
    }

    @Override
    public String toString() {
        return "Patch[" + where + ", " + HexFormat.ofDelimiter(" ").formatHex(code) + (isClosed() ? ", closed" : "")
                + "]";
    }

    byte[] codeBytes() {
        return code;
    }

    byte[] originalBytes() {
        return original;
    }

    boolean closedState() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }
}
