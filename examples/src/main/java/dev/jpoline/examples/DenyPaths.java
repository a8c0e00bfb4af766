package dev.jpoline.examples;

import dev.jpoline.api.Errno;
import dev.jpoline.api.hooks.SyscallCall;
import dev.jpoline.api.hooks.SyscallHooks;
import dev.jpoline.api.hooks.TargetBuffer;
import dev.jpoline.api.hooks.TargetMemoryException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * A deny-list: opening, executing, or looking at any path under the listed prefixes fails with
 * EACCES, as if permissions forbade it. Relative paths are resolved against the target's own
 * working directory (or directory descriptor) first, so {@code cd /etc; cat shadow} is caught too.
 *
 * <p>Prefixes come from the constructor, or for {@code --hooks} from the system property
 * {@code jpoline.deny} (colon-separated), default {@code /etc/shadow}.
 */
public final class DenyPaths implements SyscallHooks {
    private final List<String> prefixes;

    public DenyPaths() {
        this(Arrays.asList(System.getProperty("jpoline.deny", "/etc/shadow").split(":")));
    }

    public DenyPaths(List<String> prefixes) {
        this.prefixes = List.copyOf(prefixes);
    }

    private boolean denied(SyscallCall call, int dirfd, String path) {
        String absolute = TargetPaths.resolve(call.pid(), dirfd, path);
        return absolute != null && prefixes.stream().anyMatch(p -> absolute.equals(p) || absolute.startsWith(p + "/")
                || (p.endsWith("/") && absolute.startsWith(p)));
    }

    private long check(SyscallCall call, int dirfd, String path) {
        return denied(call, dirfd, path) ? call.fail(Errno.EACCES) : call.proceed();
    }

    @Override
    public long openat(SyscallCall call, int dirfd, String path, int flags, int mode) {
        return check(call, dirfd, path);
    }

    private static final long RESOLVE_IN_ROOT = 0x10;

    /**
     * openat2 (glibc's fopen does not use it, but programs call it directly for RESOLVE_* flags).
     * With RESOLVE_IN_ROOT an absolute path is under the directory descriptor, so it is judged
     * there; {@code ..} is not clamped at that root, which can only deny more.
     */
    @Override
    public long openat2(SyscallCall call, int dirfd, String path, TargetBuffer how, long size) {
        if (path != null && path.startsWith("/") && resolvesInRoot(how)) {
            path = path.replaceFirst("^/+", "");
        }
        return check(call, dirfd, path);
    }

    /** open_how's resolve field (a u64 at 16); a struct too short or unreadable the kernel refuses itself. */
    private static boolean resolvesInRoot(TargetBuffer how) {
        if (how.length() < 24) {
            return false;
        }
        try {
            return (ByteBuffer.wrap(how.read(24)).order(ByteOrder.LITTLE_ENDIAN).getLong(16) & RESOLVE_IN_ROOT) != 0;
        } catch (TargetMemoryException e) {
            return false;
        }
    }

    @Override
    public long open(SyscallCall call, String path, int flags, int mode) {
        return check(call, TargetPaths.AT_FDCWD, path);
    }

    @Override
    public long creat(SyscallCall call, String path, int mode) {
        return check(call, TargetPaths.AT_FDCWD, path);
    }

    @Override
    public long execve(SyscallCall call, String path, long argv, long envp) {
        return check(call, TargetPaths.AT_FDCWD, path);
    }

    /** execveat, fexecve's call: with AT_EMPTY_PATH and "" the program is the descriptor's file. */
    @Override
    public long execveat(SyscallCall call, int dirfd, String path, long argv, long envp, int flags) {
        return check(call, dirfd, path);
    }

    @Override
    public long stat(SyscallCall call, String path, long statbuf) {
        return check(call, TargetPaths.AT_FDCWD, path);
    }

    @Override
    public long lstat(SyscallCall call, String path, long statbuf) {
        return check(call, TargetPaths.AT_FDCWD, path);
    }

    @Override
    public long newfstatat(SyscallCall call, int dirfd, String path, long statbuf, int flags) {
        return check(call, dirfd, path);
    }

    @Override
    public long statx(SyscallCall call, int dirfd, String path, int flags, int mask, long statxbuf) {
        return check(call, dirfd, path);
    }

    @Override
    public long faccessat(SyscallCall call, int dirfd, String path, int mode) {
        return check(call, dirfd, path);
    }

    @Override
    public long faccessat2(SyscallCall call, int dirfd, String path, int mode, int flags) {
        return check(call, dirfd, path);
    }

    @Override
    public long access(SyscallCall call, String path, int mode) {
        return check(call, TargetPaths.AT_FDCWD, path);
    }
}
