package dev.jpoline.examples;

import dev.jpoline.api.Errno;
import dev.jpoline.api.hooks.SyscallCall;
import dev.jpoline.api.hooks.SyscallHooks;
import dev.jpoline.api.hooks.TargetBuffer;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault injection in the manner of {@code strace --inject=write:error=ENOSPC:when=N+N}: every Nth
 * write to a file matching a glob fails with ENOSPC, without being run. Writes to other files,
 * and the writes in between, are untouched. Copies the kernel does into the file
 * (copy_file_range, sendfile) are writes too: {@code cp} uses nothing else.
 *
 * <p>For {@code --hooks}: system properties {@code jpoline.fault.glob} (default {@code **}) and
 * {@code jpoline.fault.every} (default 3).
 */
public final class FaultInjection implements SyscallHooks {
    private final PathMatcher matcher;
    private final long every;
    private final AtomicLong matchingWrites = new AtomicLong();

    public FaultInjection() {
        this(System.getProperty("jpoline.fault.glob", "**"), Long.getLong("jpoline.fault.every", 3));
    }

    public FaultInjection(String glob, long every) {
        if (every < 1) {
            throw new IllegalArgumentException("every must be at least 1, got " + every);
        }
        this.matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        this.every = every;
    }

    private long maybeFail(SyscallCall call, int fd) {
        String path = TargetPaths.ofDescriptor(call.pid(), fd);
        if (path == null || !path.startsWith("/") || !matcher.matches(Path.of(path))) {
            return call.proceed();
        }
        return matchingWrites.incrementAndGet() % every == 0 ? call.fail(Errno.ENOSPC) : call.proceed();
    }

    @Override
    public long write(SyscallCall call, int fd, TargetBuffer buffer, long count) {
        return maybeFail(call, fd);
    }

    @Override
    public long pwrite64(SyscallCall call, int fd, TargetBuffer buffer, long count, long offset) {
        return maybeFail(call, fd);
    }

    @Override
    public long writev(SyscallCall call, int fd, List<TargetBuffer> iovecs, int iovcnt) {
        return maybeFail(call, fd);
    }

    @Override
    public long copyFileRange(SyscallCall call, int inFd, long inOffset, int outFd, long outOffset, long length, int flags) {
        return maybeFail(call, outFd);
    }

    @Override
    public long sendfile(SyscallCall call, int outFd, int inFd, long offset, long count) {
        return maybeFail(call, outFd);
    }
}
