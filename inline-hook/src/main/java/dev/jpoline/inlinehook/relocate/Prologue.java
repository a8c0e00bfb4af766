package dev.jpoline.inlinehook.relocate;

import java.util.Arrays;

/**
 * The instructions {@link Relocator#steal} chose at a hook site: whole instructions covering at
 * least the bytes the hook's jump will overwrite, as they were before any patch. Immutable.
 */
public final class Prologue {
    private final long target;
    private final byte[] bytes;
    private final int[] offsets;
    private final int[] returnOffsets;
    private final int maxTrampolineSize;

    Prologue(long target, byte[] bytes, int[] offsets, int[] returnOffsets, int maxTrampolineSize) {
        this.target = target;
        this.bytes = bytes;
        this.offsets = offsets;
        this.returnOffsets = returnOffsets;
        this.maxTrampolineSize = maxTrampolineSize;
    }

    /** The hooked address: where the stolen bytes start. */
    public long target() {
        return target;
    }

    /** Stolen bytes: at least the requested minimum, never past the function's end. */
    public int length() {
        return bytes.length;
    }

    /** A copy of the stolen bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The stolen bytes without a copy, for this package. */
    byte[] bytesShared() {
        return bytes;
    }

    public int instructionCount() {
        return offsets.length;
    }

    /** Offset of stolen instruction {@code i} from {@link #target()}. */
    public int instructionOffset(int i) {
        return offsets[i];
    }

    /** Length of stolen instruction {@code i}. */
    public int instructionLength(int i) {
        return (i + 1 < offsets.length ? offsets[i + 1] : bytes.length) - offsets[i];
    }

    /** Index of the stolen instruction starting at {@code offset} from the target, or -1. */
    public int indexOfOffset(int offset) {
        int i = Arrays.binarySearch(offsets, offset);
        return i < 0 ? -1 : i;
    }

    /**
     * An upper bound of the size of {@link Relocator#relocate}'s code (literal pool included) for
     * any trampoline address: what a trampoline allocator must reserve.
     */
    public int maxTrampolineSize() {
        return maxTrampolineSize;
    }

    /**
     * Offsets from the target just after each stolen {@code call} (relative or indirect): where a
     * return address on some thread's stack can point into the stolen bytes.
     */
    public int[] returnOffsets() {
        return returnOffsets.clone();
    }

    @Override
    public String toString() {
        return String.format("Prologue[0x%x, %d bytes, %d instructions: %s]", target, bytes.length, offsets.length,
                Relocator.hex(bytes, 0, bytes.length));
    }
}
