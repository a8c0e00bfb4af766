package dev.jpoline.inlinehook.relocate;

/**
 * A trampoline encoded for one address: the stolen instructions relocated, then a jump back to
 * the first instruction that was not stolen, then the literal pool. Immutable.
 */
public final class Relocation {
    private final long target;
    private final int stolenLength;
    private final long trampolineAddress;
    private final byte[] code;
    private final BoundaryMap boundaries;

    Relocation(long target, int stolenLength, long trampolineAddress, byte[] code, BoundaryMap boundaries) {
        this.target = target;
        this.stolenLength = stolenLength;
        this.trampolineAddress = trampolineAddress;
        this.code = code;
        this.boundaries = boundaries;
    }

    /** The hooked address. */
    public long target() {
        return target;
    }

    /** Bytes stolen at the target; execution resumes at {@code target + stolenLength}. */
    public int stolenLength() {
        return stolenLength;
    }

    /** The address the code was encoded for; it is only correct there. */
    public long trampolineAddress() {
        return trampolineAddress;
    }

    /** A copy of the trampoline's bytes, to be written at {@link #trampolineAddress()}. */
    public byte[] code() {
        return code.clone();
    }

    /** Size of {@link #code()} without copying it. */
    public int codeLength() {
        return code.length;
    }

    /** Where each stolen instruction went, for moving threads and return addresses. */
    public BoundaryMap boundaries() {
        return boundaries;
    }

    @Override
    public String toString() {
        return String.format("Relocation[0x%x+%d -> trampoline 0x%x, %d bytes: %s]", target, stolenLength,
                trampolineAddress, code.length, Relocator.hex(code, 0, code.length));
    }
}
