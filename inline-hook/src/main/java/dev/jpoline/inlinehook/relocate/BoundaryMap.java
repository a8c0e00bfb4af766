package dev.jpoline.inlinehook.relocate;

import java.util.Arrays;

/**
 * Where each stolen instruction went in a trampoline. The freeze uses it to move a thread whose
 * instruction pointer is inside the stolen bytes (to the trampoline when hooking, back when
 * unhooking) and to move return addresses of stolen calls found on thread stacks. Immutable.
 */
public final class BoundaryMap {
    private final long target;
    private final long trampolineAddress;
    /** n + 1 entries: each stolen instruction's offset from the target, then the stolen length. */
    private final int[] original;
    /** n + 1 entries: each relocated form's offset in the trampoline, then the jump back's. */
    private final int[] trampoline;
    private final long[] returnFrom;
    private final long[] returnTo;

    BoundaryMap(long target, long trampolineAddress, int[] original, int[] trampoline, long[] returnFrom,
            long[] returnTo) {
        this.target = target;
        this.trampolineAddress = trampolineAddress;
        this.original = original;
        this.trampoline = trampoline;
        this.returnFrom = returnFrom;
        this.returnTo = returnTo;
    }

    /** Number of stolen instructions. */
    public int size() {
        return original.length - 1;
    }

    /** Offset of stolen instruction {@code i} from the target. */
    public int originalOffset(int i) {
        checkIndex(i);
        return original[i];
    }

    /** Offset in the trampoline where stolen instruction {@code i}'s relocated form starts. */
    public int trampolineOffset(int i) {
        checkIndex(i);
        return trampoline[i];
    }

    /** Offset in the trampoline of the jump back to {@code target + stolen}. */
    public int jumpBackOffset() {
        return trampoline[size()];
    }

    /**
     * The trampoline address of the relocated form of the stolen instruction starting at
     * {@code originalAddress}; -1 for any other address ({@code target + stolen} included, it is
     * not stolen).
     */
    public long toTrampoline(long originalAddress) {
        long offset = originalAddress - target;
        if (offset < 0 || offset >= original[size()]) {
            return -1;
        }
        int i = Arrays.binarySearch(original, 0, size(), (int) offset);
        return i < 0 ? -1 : trampolineAddress + trampoline[i];
    }

    /**
     * The original address of the instruction whose relocated form starts at
     * {@code trampolineAddress} (the jump back maps to {@code target + stolen}); -1 for any other
     * address, such as one inside an expanded branch.
     */
    public long toOriginal(long trampolineAddress) {
        long offset = trampolineAddress - this.trampolineAddress;
        if (offset < 0 || offset > trampoline[size()]) {
            return -1;
        }
        int i = Arrays.binarySearch(trampoline, (int) offset);
        return i < 0 ? -1 : target + original[i];
    }

    /** For each stolen call: the original return address ({@code target +} the offset after it). */
    public long[] returnFrom() {
        return returnFrom.clone();
    }

    /** For each stolen call, in the order of {@link #returnFrom()}: the return address of its relocated form. */
    public long[] returnTo() {
        return returnTo.clone();
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("instruction " + i + " of " + size());
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("BoundaryMap[");
        for (int i = 0; i <= size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('+').append(original[i]).append("->+").append(trampoline[i]);
        }
        return sb.append(']').toString();
    }
}
