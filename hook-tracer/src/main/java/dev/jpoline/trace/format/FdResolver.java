package dev.jpoline.trace.format;

import java.util.Optional;

/**
 * Names what a file descriptor refers to, for strace's {@code -y} ({@code 3</etc/passwd>}). The
 * formatter also asks for {@code AT_FDCWD} (-100), whose answer is the working directory. The host
 * typically answers from /proc/PID/fd, or from its own bookkeeping of open/close records.
 */
@FunctionalInterface
public interface FdResolver {
    FdResolver NONE = (pid, fd) -> Optional.empty();

    Optional<String> resolve(int pid, int fd);
}
