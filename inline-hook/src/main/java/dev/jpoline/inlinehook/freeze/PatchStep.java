package dev.jpoline.inlinehook.freeze;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One change made under a freeze. While every other thread is parked, for each of them in turn:
 * an instruction pointer in {@code [moveLo, moveHi)} equal to {@code moveFrom[i]} becomes
 * {@code moveTo[i]} (one matching no pair is an anomaly and is left alone); every aligned 8-byte
 * word of its stack equal to {@code returnFrom[i]} becomes {@code returnTo[i]}; then
 * {@code bytes} are written at {@code address} (none: the step only asks). After the fix-ups,
 * a thread is busy for this step if its instruction pointer is in {@code [busyLo, busyHi)} or
 * a word of its stack equals one of {@code busyReturns}: memory there is still in use.
 *
 * <p>Arrays are copied in and out; {@code null} stands for an empty array. Ranges are empty when
 * {@code lo == hi}.
 */
public record PatchStep(long address, byte[] bytes,
                        long moveLo, long moveHi, long[] moveFrom, long[] moveTo,
                        long[] returnFrom, long[] returnTo,
                        long busyLo, long busyHi, long[] busyReturns) {
    private static final byte[] NO_BYTES = {};
    private static final long[] NONE = {};

    public PatchStep {
        bytes = bytes == null ? NO_BYTES : bytes.clone();
        moveFrom = copy(moveFrom);
        moveTo = copy(moveTo);
        returnFrom = copy(returnFrom);
        returnTo = copy(returnTo);
        busyReturns = copy(busyReturns);
        if (moveFrom.length != moveTo.length) {
            throw new IllegalArgumentException("moveFrom has " + moveFrom.length + " addresses but moveTo " + moveTo.length);
        }
        if (returnFrom.length != returnTo.length) {
            throw new IllegalArgumentException(
                    "returnFrom has " + returnFrom.length + " addresses but returnTo " + returnTo.length);
        }
        if (Long.compareUnsigned(moveLo, moveHi) > 0 || Long.compareUnsigned(busyLo, busyHi) > 0) {
            throw new IllegalArgumentException(String.format(
                    "a range ends before it starts: move [0x%x, 0x%x), busy [0x%x, 0x%x)", moveLo, moveHi, busyLo, busyHi));
        }
        if (bytes.length > 0 && address == 0) {
            throw new IllegalArgumentException("a step that writes needs an address");
        }
    }

    private static long[] copy(long[] a) {
        return a == null || a.length == 0 ? NONE : a.clone();
    }

    /** Writes {@code bytes} at {@code address}; no thread is moved. */
    public static PatchStep write(long address, byte[] bytes) {
        return new PatchStep(address, bytes, 0, 0, null, null, null, null, 0, 0, null);
    }

    /** Writes nothing: only reports, in {@link FreezeResult#busy()}, which threads use the memory. */
    public static PatchStep query(long busyLo, long busyHi, long... busyReturns) {
        return new PatchStep(0, null, 0, 0, null, null, null, null, busyLo, busyHi, busyReturns);
    }

    /**
     * Replaces the code at {@code address} with {@code bytes}, moving threads whose instruction
     * pointer is among the replaced bytes: {@code moveFrom} lists every instruction boundary of
     * the old code there, {@code moveTo} where each continues.
     */
    public static PatchStep replace(long address, byte[] bytes, long[] moveFrom, long[] moveTo) {
        int length = bytes == null ? 0 : bytes.length;
        return new PatchStep(address, bytes, address, address + length, moveFrom, moveTo, null, null, 0, 0, null);
    }

    /** This step, with the instruction pointers in {@code [lo, hi)} moved through the pairs given. */
    public PatchStep withMoves(long lo, long hi, long[] from, long[] to) {
        return new PatchStep(address, bytes, lo, hi, from, to, returnFrom, returnTo, busyLo, busyHi, busyReturns);
    }

    /** This step, also rewriting stack words equal to {@code from[i]} into {@code to[i]}. */
    public PatchStep withReturns(long[] from, long[] to) {
        return new PatchStep(address, bytes, moveLo, moveHi, moveFrom, moveTo, from, to, busyLo, busyHi, busyReturns);
    }

    /** This step, also counting the threads that use {@code [lo, hi)} or return to one of {@code returns}. */
    public PatchStep withBusy(long lo, long hi, long... returns) {
        return new PatchStep(address, bytes, moveLo, moveHi, moveFrom, moveTo, returnFrom, returnTo, lo, hi, returns);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public long[] moveFrom() {
        return moveFrom.clone();
    }

    @Override
    public long[] moveTo() {
        return moveTo.clone();
    }

    @Override
    public long[] returnFrom() {
        return returnFrom.clone();
    }

    @Override
    public long[] returnTo() {
        return returnTo.clone();
    }

    @Override
    public long[] busyReturns() {
        return busyReturns.clone();
    }

    /** The arrays without copying, for the plan's layout. */
    byte[] rawBytes() {
        return bytes;
    }

    long[] rawMoveFrom() {
        return moveFrom;
    }

    long[] rawMoveTo() {
        return moveTo;
    }

    long[] rawReturnFrom() {
        return returnFrom;
    }

    long[] rawReturnTo() {
        return returnTo;
    }

    long[] rawBusyReturns() {
        return busyReturns;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PatchStep s && address == s.address && Arrays.equals(bytes, s.bytes)
                && moveLo == s.moveLo && moveHi == s.moveHi && Arrays.equals(moveFrom, s.moveFrom)
                && Arrays.equals(moveTo, s.moveTo) && Arrays.equals(returnFrom, s.returnFrom)
                && Arrays.equals(returnTo, s.returnTo) && busyLo == s.busyLo && busyHi == s.busyHi
                && Arrays.equals(busyReturns, s.busyReturns);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(address);
        h = 31 * h + Arrays.hashCode(bytes);
        h = 31 * h + Long.hashCode(moveLo) + 7 * Long.hashCode(moveHi);
        h = 31 * h + Arrays.hashCode(moveFrom) + 7 * Arrays.hashCode(moveTo);
        h = 31 * h + Arrays.hashCode(returnFrom) + 7 * Arrays.hashCode(returnTo);
        h = 31 * h + Long.hashCode(busyLo) + 7 * Long.hashCode(busyHi);
        return 31 * h + Arrays.hashCode(busyReturns);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("PatchStep[");
        if (bytes.length > 0) {
            b.append(String.format("write 0x%x: %s", address, HexFormat.ofDelimiter(" ").formatHex(bytes)));
        } else {
            b.append("query");
        }
        if (moveLo != moveHi) {
            b.append(String.format(", move [0x%x, 0x%x): %s", moveLo, moveHi, pairs(moveFrom, moveTo)));
        }
        if (returnFrom.length > 0) {
            b.append(", returns ").append(pairs(returnFrom, returnTo));
        }
        if (busyLo != busyHi || busyReturns.length > 0) {
            b.append(String.format(", busy [0x%x, 0x%x)", busyLo, busyHi));
            for (long r : busyReturns) {
                b.append(String.format(" 0x%x", r));
            }
        }
        return b.append(']').toString();
    }

    private static String pairs(long[] from, long[] to) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < from.length; i++) {
            b.append(i == 0 ? "" : " ").append(String.format("0x%x->0x%x", from[i], to[i]));
        }
        return b.toString();
    }
}
