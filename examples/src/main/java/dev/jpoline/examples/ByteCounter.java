package dev.jpoline.examples;

import dev.jpoline.api.hooks.SyscallCall;
import dev.jpoline.api.hooks.SyscallHooks;
import dev.jpoline.api.hooks.TargetBuffer;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the bytes a program reads from and writes to each file, and prints them as a table
 * when the session ends ({@link #close()}, which the host calls on hooks that are
 * {@link AutoCloseable}). Only successful transfers count, by their results.
 */
public final class ByteCounter implements SyscallHooks, AutoCloseable {
    private final Map<String, LongAdder[]> perFile = new ConcurrentHashMap<>();
    private final PrintWriter out;

    public ByteCounter() {
        this(new PrintWriter(System.err, true));
    }

    public ByteCounter(PrintWriter out) {
        this.out = out;
    }

    private long count(SyscallCall call, int fd, int column) {
        long result = call.proceed();
        if (result > 0) {
            String path = TargetPaths.ofDescriptor(call.pid(), fd);
            perFile.computeIfAbsent(path == null ? "fd " + fd : path, p -> new LongAdder[] {new LongAdder(), new LongAdder()})
                    [column].add(result);
        }
        return result;
    }

    @Override
    public long read(SyscallCall call, int fd, TargetBuffer buffer, long count) {
        return count(call, fd, 0);
    }

    @Override
    public long pread64(SyscallCall call, int fd, TargetBuffer buffer, long count, long offset) {
        return count(call, fd, 0);
    }

    @Override
    public long readv(SyscallCall call, int fd, List<TargetBuffer> iovecs, int iovcnt) {
        return count(call, fd, 0);
    }

    @Override
    public long write(SyscallCall call, int fd, TargetBuffer buffer, long count) {
        return count(call, fd, 1);
    }

    @Override
    public long pwrite64(SyscallCall call, int fd, TargetBuffer buffer, long count, long offset) {
        return count(call, fd, 1);
    }

    @Override
    public long writev(SyscallCall call, int fd, List<TargetBuffer> iovecs, int iovcnt) {
        return count(call, fd, 1);
    }

    /** Bytes read and written per file so far: {@code [read, written]}. */
    public Map<String, long[]> totals() {
        Map<String, long[]> totals = new TreeMap<>();
        perFile.forEach((path, c) -> totals.put(path, new long[] {c[0].sum(), c[1].sum()}));
        return totals;
    }

    @Override
    public void close() {
        out.printf("%12s %12s  %s%n", "read", "written", "file");
        totals().forEach((path, c) -> out.printf("%12d %12d  %s%n", c[0], c[1], path));
        out.flush();
    }
}
