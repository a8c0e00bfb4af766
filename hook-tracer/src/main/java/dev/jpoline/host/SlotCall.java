package dev.jpoline.host;

import static dev.jpoline.host.SessionLayout.*;

import dev.jpoline.api.hooks.CallAbandonedException;
import dev.jpoline.api.hooks.SyscallCall;
import dev.jpoline.api.hooks.TargetMemoryException;
import dev.jpoline.inlinehook.patch.PatchException;
import dev.jpoline.inlinehook.patch.ProcessMemoryPatcher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A syscall a target thread posted in a call slot, as hooks see it. {@code proceed} is a round
 * trip: the target runs the syscall and reports the result while the hook waits. Target memory
 * is read and written through {@code /proc/PID/mem}.
 */
final class SlotCall implements SyscallCall {
    /** Syscalls that may not return: their proceed is sent without waiting for a result. */
    private static final Set<String> MAY_NOT_RETURN = Set.of("execve", "execveat", "exit", "exit_group");
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Session session;
    private final int base;
    private final int number;
    private final long pid;
    private final long tid;
    private final long[] args = new long[6];
    private OptionalLong result = OptionalLong.empty();
    private boolean answeredByTarget;

    SlotCall(Session session, int slot) {
        this.session = session;
        this.base = session.callSlotOffset(slot);
        this.number = session.getInt(base + CALL_NUMBER);
        this.pid = Integer.toUnsignedLong(session.getInt(base + CALL_PID));
        this.tid = Integer.toUnsignedLong(session.getInt(base + CALL_TID));
        for (int i = 0; i < 6; i++) {
            args[i] = session.getLong(base + CALL_ARGS + 8 * i);
        }
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public long tid() {
        return tid;
    }

    @Override
    public long arg(int index) {
        return args[index];
    }

    @Override
    public long proceed(long... arguments) {
        for (int i = 0; i < 6; i++) {
            session.putLong(base + CALL_ARGS + 8 * i, i < arguments.length ? arguments[i] : args[i]);
        }
        boolean noReport = MAY_NOT_RETURN.contains(name());
        session.putInt(base + CALL_FLAGS, noReport ? CALL_NO_REPORT : 0);
        if (!session.compareAndSetInt(base + CALL_STATE, CALL_WORKING, CALL_EXECUTE)) {
            throw new CallAbandonedException("process " + pid + " gave up waiting for its hooks");
        }
        session.wake(base + CALL_STATE);
        if (noReport) {
            // The target answers the program itself if the call returns; nothing comes back.
            answeredByTarget = true;
            result = OptionalLong.empty();
            return 0;
        }
        awaitResult();
        long value = session.getLong(base + CALL_VALUE);
        if (!session.compareAndSetInt(base + CALL_STATE, CALL_RESULT, CALL_WORKING)) {
            throw new CallAbandonedException("process " + pid + " gave up waiting for its hooks");
        }
        result = OptionalLong.of(value);
        return value;
    }

    private void awaitResult() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (session.getInt(base + CALL_STATE) == CALL_EXECUTE) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
                continue;
            }
            if (!ProcessHandle.of(tid).map(ProcessHandle::isAlive).orElse(false)) {
                throw new CallAbandonedException("thread " + tid + " of process " + pid + " ended while its "
                        + name() + " ran");
            }
            session.awaitChange(base + CALL_STATE, CALL_EXECUTE, WAIT_SLICE_NANOS);
        }
        int state = session.getInt(base + CALL_STATE);
        if (state != CALL_RESULT) {
            throw new CallAbandonedException("process " + pid + " gave up waiting for its hooks (slot state " + state + ")");
        }
    }

    @Override
    public long proceedWithString(int index, String replacement) {
        byte[] bytes = replacement.getBytes(StandardCharsets.UTF_8);
        if (bytes.length + 1 > CALL_SCRATCH_SIZE || replacement.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a replacement string must be under " + CALL_SCRATCH_SIZE
                    + " bytes and hold no NUL");
        }
        for (int i = 0; i < bytes.length; i++) {
            session.putByte(base + CALL_SCRATCH + i, bytes[i]);
        }
        session.putByte(base + CALL_SCRATCH + bytes.length, (byte) 0);
        long[] changed = args.clone();
        // The target maps this slot at self_address: the kernel reads the string from there.
        changed[index] = session.getLong(base + CALL_SELF_ADDRESS) + CALL_SCRATCH;
        return proceed(changed);
    }

    @Override
    public OptionalLong result() {
        return result;
    }

    /** True when the program already got its answer from the target (a call that may not return). */
    boolean answeredByTarget() {
        return answeredByTarget;
    }

    @Override
    public String readString(long address, int maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[256];
        try (ProcessMemoryPatcher memory = ProcessMemoryPatcher.open(pid)) {
            while (out.size() < maxBytes) {
                // Never read across a page boundary in one go: the next page may be unmapped.
                int n = (int) Math.min(chunk.length, 4096 - ((address + out.size()) & 4095));
                n = Math.min(n, maxBytes - out.size());
                memory.read(address + out.size(), chunk, 0, n);
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == 0) {
                        out.write(chunk, 0, i);
                        return out.toString(StandardCharsets.UTF_8);
                    }
                }
                out.write(chunk, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (PatchException e) {
            throw new TargetMemoryException(e.getMessage(), e);
        }
    }

    @Override
    public byte[] read(long address, int length) {
        byte[] bytes = new byte[length];
        try (ProcessMemoryPatcher memory = ProcessMemoryPatcher.open(pid)) {
            memory.read(address, bytes, 0, length);
            return bytes;
        } catch (PatchException e) {
            throw new TargetMemoryException(e.getMessage(), e);
        }
    }

    @Override
    public void write(long address, byte[] bytes) {
        try (ProcessMemoryPatcher memory = ProcessMemoryPatcher.open(pid)) {
            memory.write(address, bytes, 0, bytes.length);
        } catch (PatchException e) {
            throw new TargetMemoryException(e.getMessage(), e);
        }
    }

}
