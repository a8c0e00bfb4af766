package dev.jpoline.inlinehook.freeze;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.List;

/**
 * A freeze plan laid out in native memory as {@code freeze.h}'s {@code struct jpoline_freeze_plan}
 * and {@code struct jpoline_freeze_step} say: the plan, then its steps, then every step's bytes
 * and address arrays, all in one block that lives as long as this object.
 */
final class NativePlan {
    static final int PLAN_SIZE = 104;
    static final int STEP_SIZE = 128;

    // struct jpoline_freeze_plan
    private static final int STEPS = 0;
    private static final int STEP_COUNT = 8;
    private static final int TIMEOUT_NS = 16;
    private static final int THREADS = 24;
    private static final int IP_FIXUPS = 32;
    private static final int RETURN_FIXUPS = 40;
    private static final int ANOMALIES = 48;
    private static final int NANOS = 56;
    private static final int FLAGS = 64;
    private static final int STUCK_TID = 72;
    private static final int FAILED_STEP = 80;
    private static final int SIGNAL = 88;
    private static final int HELD = 96;

    // struct jpoline_freeze_step
    private static final int ADDRESS = 0;
    private static final int BYTES = 8;
    private static final int LENGTH = 16;
    private static final int MOVE_LO = 24;
    private static final int MOVE_HI = 32;
    private static final int MOVE_FROM = 40;
    private static final int MOVE_TO = 48;
    private static final int MOVE_COUNT = 56;
    private static final int RETURN_FROM = 64;
    private static final int RETURN_TO = 72;
    private static final int RETURN_COUNT = 80;
    private static final int BUSY_LO = 88;
    private static final int BUSY_HI = 96;
    private static final int BUSY_RETURNS = 104;
    private static final int BUSY_RETURN_COUNT = 112;
    private static final int BUSY = 120;

    private final Memory memory;
    private final int stepCount;
    private long next;

    NativePlan(List<PatchStep> steps, long timeoutNanos) {
        stepCount = steps.size();
        long size = PLAN_SIZE + (long) STEP_SIZE * stepCount;
        for (PatchStep s : steps) {
            size += align(s.rawBytes().length) + 8L * (s.rawMoveFrom().length + s.rawMoveTo().length
                    + s.rawReturnFrom().length + s.rawReturnTo().length + s.rawBusyReturns().length);
        }
        memory = new Memory(size);
        memory.clear();
        next = PLAN_SIZE + (long) STEP_SIZE * stepCount;
        memory.setLong(STEPS, stepCount == 0 ? 0 : Pointer.nativeValue(memory) + PLAN_SIZE);
        memory.setLong(STEP_COUNT, stepCount);
        memory.setLong(TIMEOUT_NS, timeoutNanos);
        for (int i = 0; i < stepCount; i++) {
            PatchStep s = steps.get(i);
            long at = PLAN_SIZE + (long) STEP_SIZE * i;
            memory.setLong(at + ADDRESS, s.address());
            memory.setLong(at + BYTES, put(s.rawBytes()));
            memory.setLong(at + LENGTH, s.rawBytes().length);
            memory.setLong(at + MOVE_LO, s.moveLo());
            memory.setLong(at + MOVE_HI, s.moveHi());
            memory.setLong(at + MOVE_FROM, put(s.rawMoveFrom()));
            memory.setLong(at + MOVE_TO, put(s.rawMoveTo()));
            memory.setLong(at + MOVE_COUNT, s.rawMoveFrom().length);
            memory.setLong(at + RETURN_FROM, put(s.rawReturnFrom()));
            memory.setLong(at + RETURN_TO, put(s.rawReturnTo()));
            memory.setLong(at + RETURN_COUNT, s.rawReturnFrom().length);
            memory.setLong(at + BUSY_LO, s.busyLo());
            memory.setLong(at + BUSY_HI, s.busyHi());
            memory.setLong(at + BUSY_RETURNS, put(s.rawBusyReturns()));
            memory.setLong(at + BUSY_RETURN_COUNT, s.rawBusyReturns().length);
        }
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }

    /** Copies the bytes in after what is there; their address, or 0 for none. */
    private long put(byte[] bytes) {
        if (bytes.length == 0) {
            return 0;
        }
        long at = next;
        memory.write(at, bytes, 0, bytes.length);
        next += align(bytes.length);
        return Pointer.nativeValue(memory) + at;
    }

    private long put(long[] words) {
        if (words.length == 0) {
            return 0;
        }
        long at = next;
        memory.write(at, words, 0, words.length);
        next += 8L * words.length;
        return Pointer.nativeValue(memory) + at;
    }

    Pointer pointer() {
        return memory;
    }

    long threads() {
        return memory.getLong(THREADS);
    }

    long ipFixups() {
        return memory.getLong(IP_FIXUPS);
    }

    long returnFixups() {
        return memory.getLong(RETURN_FIXUPS);
    }

    long anomalies() {
        return memory.getLong(ANOMALIES);
    }

    long nanos() {
        return memory.getLong(NANOS);
    }

    long flags() {
        return memory.getLong(FLAGS);
    }

    long stuckTid() {
        return memory.getLong(STUCK_TID);
    }

    /** The step a failure is about, or -1. */
    int failedStep() {
        long s = memory.getLong(FAILED_STEP);
        return s < 0 || s >= stepCount ? -1 : (int) s;
    }

    long held() {
        return memory.getLong(HELD);
    }

    int signal() {
        return (int) memory.getLong(SIGNAL);
    }

    int[] busy() {
        int[] busy = new int[stepCount];
        for (int i = 0; i < stepCount; i++) {
            busy[i] = (int) memory.getLong(PLAN_SIZE + (long) STEP_SIZE * i + BUSY);
        }
        return busy;
    }

    /** Frees the native memory now rather than when the collector gets to it. */
    void close() {
        memory.close();
    }
}
