package dev.jpoline.api.hooks;

import dev.jpoline.api.SyscallTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A syscall call without a target process, for unit-testing hooks: target memory is a map of
 * byte arrays at addresses, the "kernel" answers with a preset result, and every call that
 * would have reached the kernel is recorded.
 *
 * <pre>{@code
 * SimulatedCall open = SimulatedCall.of("openat", -100, 0x1000, 0, 0).withString(0x1000, "/etc/shadow");
 * assertEquals(-13, new HookDispatcher(List.of(new NoSecrets()), OnError.PROCEED, System.err::println).dispatch(open));
 * assertTrue(open.kernelCalls().isEmpty());
 * }</pre>
 */
public final class SimulatedCall implements SyscallCall {
    private static final SyscallTable TABLE = SyscallTable.x86_64();

    private final int number;
    private final long[] args;
    private final Map<Long, byte[]> memory = new HashMap<>();
    private final List<String> kernelCalls = new ArrayList<>();
    private long pid = 1000;
    private long tid = 1000;
    private long kernelResult;
    private OptionalLong result = OptionalLong.empty();

    private SimulatedCall(int number, long[] args) {
        this.number = number;
        this.args = Arrays.copyOf(args, 6);
    }

    /** A call of syscall {@code name} with these raw arguments (missing ones are 0). */
    public static SimulatedCall of(String name, long... args) {
        if (args.length > 6) {
            throw new IllegalArgumentException("a syscall has at most 6 arguments");
        }
        return new SimulatedCall(TABLE.numberOf(name), args);
    }

    /** Places a NUL-terminated string at {@code address}. */
    public SimulatedCall withString(long address, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        memory.put(address, Arrays.copyOf(bytes, bytes.length + 1));
        return this;
    }

    /** Places bytes at {@code address}. */
    public SimulatedCall withBytes(long address, byte[] bytes) {
        memory.put(address, bytes.clone());
        return this;
    }

    /** What the simulated kernel returns to every call that proceeds. */
    public SimulatedCall kernelReturns(long value) {
        this.kernelResult = value;
        return this;
    }

    public SimulatedCall from(long pid, long tid) {
        this.pid = pid;
        this.tid = tid;
        return this;
    }

    /** What reached the simulated kernel, as {@code name(arg0, arg1, ...)} or with a replaced string. */
    public List<String> kernelCalls() {
        return List.copyOf(kernelCalls);
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
        int count = TABLE.byNumber(number).map(s -> s.argCount()).orElse(6);
        StringBuilder line = new StringBuilder(name()).append('(');
        for (int i = 0; i < count; i++) {
            line.append(i == 0 ? "" : ", ").append(i < arguments.length ? arguments[i] : args[i]);
        }
        kernelCalls.add(line.append(')').toString());
        result = OptionalLong.of(kernelResult);
        return kernelResult;
    }

    @Override
    public long proceedWithString(int index, String replacement) {
        kernelCalls.add(name() + " with argument " + index + " = \"" + replacement + "\"");
        result = OptionalLong.of(kernelResult);
        return kernelResult;
    }

    @Override
    public OptionalLong result() {
        return result;
    }

    @Override
    public String readString(long address, int maxBytes) {
        byte[] bytes = region(address);
        int length = 0;
        while (length < bytes.length && length < maxBytes && bytes[length] != 0) {
            length++;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] read(long address, int length) {
        byte[] bytes = region(address);
        if (length > bytes.length) {
            throw new TargetMemoryException(String.format("reading %d bytes at 0x%x: only %d mapped", length, address,
                    bytes.length));
        }
        return Arrays.copyOf(bytes, length);
    }

    @Override
    public void write(long address, byte[] bytes) {
        memory.put(address, bytes.clone());
    }

    private byte[] region(long address) {
        byte[] bytes = memory.get(address);
        if (bytes == null) {
            throw new TargetMemoryException(String.format("nothing mapped at 0x%x", address));
        }
        return bytes;
    }
}
