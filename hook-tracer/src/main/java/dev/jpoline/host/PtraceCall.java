package dev.jpoline.host;

import dev.jpoline.api.hooks.CallAbandonedException;
import dev.jpoline.api.hooks.SyscallCall;
import dev.jpoline.api.hooks.TargetMemoryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * A syscall of a process the ptrace window follows (run --hooks --from-exec: the loader's calls),
 * as hooks see it, at the thread's syscall-entry stop. It runs on the window's thread, the
 * tracer: {@code proceed} lets the call run and waits for its exit stop; a hook that answers
 * without proceeding has the kernel skip the call (its number becomes -1 at the entry stop).
 * Either way the program gets the hook's value in rax at the exit stop, with its argument
 * registers as it passed them. Memory goes through /proc/PID/mem, which the tracer may write.
 */
final class PtraceCall implements SyscallCall {
    /** The window's side: register access and the wait for this thread's exit stop. */
    interface Tracer {
        /** The thread's general registers (struct user_regs_struct, 27 longs). */
        long[] registers(int tid);

        void setRegisters(int tid, long[] registers);

        /** Resumes the thread to its exit stop and waits for it; false when the thread ended instead. */
        boolean toExitStop(int tid);
    }

    /** struct user_regs_struct indexes. */
    private static final int RAX = 10;
    private static final int ORIG_RAX = 15;
    private static final int RSP = 19;
    private static final int[] ARGUMENT_REGISTERS = {14 /* rdi */, 13 /* rsi */, 12 /* rdx */, 7 /* r10 */,
        9 /* r8 */, 8 /* r9 */};
    /** The red zone below the stack pointer belongs to the program: a replacement string goes below it. */
    private static final int RED_ZONE = 128;
    private static final int MAX_STRING = 4096;

    private final Tracer tracer;
    private final int pid;
    private final int tid;
    private final int number;
    private final long[] registers;
    private final long[] args = new long[6];
    private OptionalLong result = OptionalLong.empty();
    private boolean atExit;

    PtraceCall(Tracer tracer, int pid, int tid) {
        this.tracer = tracer;
        this.pid = pid;
        this.tid = tid;
        this.registers = tracer.registers(tid);
        this.number = (int) registers[ORIG_RAX];
        for (int i = 0; i < 6; i++) {
            args[i] = registers[ARGUMENT_REGISTERS[i]];
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
        if (atExit) {
            throw new IllegalStateException(name() + " ran already: a call the ptrace window follows proceeds once");
        }
        long[] r = registers.clone();
        for (int i = 0; i < arguments.length && i < 6; i++) {
            r[ARGUMENT_REGISTERS[i]] = arguments[i];
        }
        return run(r);
    }

    @Override
    public long proceedWithString(int index, String replacement) {
        byte[] bytes = replacement.getBytes(StandardCharsets.UTF_8);
        if (bytes.length + 1 > MAX_STRING || replacement.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a replacement string must be under " + MAX_STRING + " bytes and hold no NUL");
        }
        if (atExit) {
            throw new IllegalStateException(name() + " ran already: a call the ptrace window follows proceeds once");
        }
        long at = (registers[RSP] - RED_ZONE - bytes.length - 1) & ~15L;
        byte[] terminated = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        write(at, terminated);
        long[] r = registers.clone();
        r[ARGUMENT_REGISTERS[index]] = at;
        return run(r);
    }

    private long run(long[] r) {
        tracer.setRegisters(tid, r);
        if (!tracer.toExitStop(tid)) {
            throw new CallAbandonedException("thread " + tid + " of process " + pid + " ended while its " + name() + " ran");
        }
        atExit = true;
        long value = tracer.registers(tid)[RAX];
        result = OptionalLong.of(value);
        return value;
    }

    /** The hook's answer: skips the call if it never ran, then gives the program {@code value}. */
    void finish(long value) {
        if (!atExit) {
            long[] skip = registers.clone();
            skip[ORIG_RAX] = -1; // the kernel runs no syscall, and stops at the exit all the same
            tracer.setRegisters(tid, skip);
            if (!tracer.toExitStop(tid)) {
                return; // ended meanwhile: nothing to answer
            }
            atExit = true;
        }
        long[] out = tracer.registers(tid);
        for (int i = 0; i < 6; i++) {
            out[ARGUMENT_REGISTERS[i]] = args[i]; // as the program passed them
        }
        out[RAX] = value;
        tracer.setRegisters(tid, out);
    }

    @Override
    public OptionalLong result() {
        return result;
    }

    @Override
    public String readString(long address, int maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + tid + "/mem", "r")) {
            byte[] chunk = new byte[256];
            while (out.size() < maxBytes) {
                mem.seek(address + out.size());
                int n = mem.read(chunk, 0, Math.min(chunk.length, maxBytes - out.size()));
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == 0) {
                        out.write(chunk, 0, i);
                        return out.toString(StandardCharsets.UTF_8);
                    }
                }
                out.write(chunk, 0, n);
            }
        } catch (IOException e) {
            if (out.size() == 0) {
                throw new TargetMemoryException("cannot read the string at 0x" + Long.toHexString(address) + " of process "
                        + pid + ": " + e.getMessage());
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] read(long address, int length) {
        byte[] bytes = new byte[length];
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + tid + "/mem", "r")) {
            mem.seek(address);
            mem.readFully(bytes);
            return bytes;
        } catch (IOException e) {
            throw new TargetMemoryException("cannot read " + length + " bytes at 0x" + Long.toHexString(address)
                    + " of process " + pid + ": " + e.getMessage());
        }
    }

    @Override
    public void write(long address, byte[] bytes) {
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + tid + "/mem", "rw")) {
            mem.seek(address);
            mem.write(bytes);
        } catch (IOException e) {
            throw new TargetMemoryException("cannot write " + bytes.length + " bytes at 0x" + Long.toHexString(address)
                    + " of process " + pid + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return name() + " of thread " + tid + " of process " + pid + ", followed with ptrace";
    }
}
