package dev.jpoline.api.hooks;

import dev.jpoline.api.Errno;
import dev.jpoline.api.SyscallTable;
import java.util.List;
import java.util.OptionalLong;

/**
 * One intercepted syscall of a target thread, handed to a {@link SyscallHooks} method while the
 * thread waits. Results are raw kernel results, as the {@code syscall} instruction returns them:
 * {@code >= 0} on success, {@code -errno} on failure.
 *
 * <p>A hook decides exactly once what the program sees: the value it returns. It may run the
 * real syscall first ({@link #proceed()}, possibly with changed arguments) and post-process the
 * result, or answer without running it ({@link #fail}, {@link #returning}).
 */
public interface SyscallCall {
    /** The x86-64 syscall number. */
    int number();

    /** The syscall's name ({@code syscall_0x1f4} style when the number is unknown). */
    default String name() {
        return SyscallTable.x86_64().nameOf(number());
    }

    /** Process id (thread-group id) of the caller. */
    long pid();

    /** Thread id of the caller. */
    long tid();

    /** Raw argument {@code index} (0 to 5), as the program passed it. */
    long arg(int index);

    /** Runs the real syscall with the program's arguments and returns its raw result. */
    default long proceed() {
        return proceed(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5));
    }

    /**
     * Runs the real syscall with these arguments instead (as many as given replace arguments 0,
     * 1, ...; the rest stay the program's) and returns its raw result.
     */
    long proceed(long... arguments);

    /**
     * Runs the real syscall with string argument {@code index} (a path, say) replaced by
     * {@code replacement}, which jpoline places in memory the target can read for the call.
     */
    long proceedWithString(int index, String replacement);

    /** The raw result of the last {@code proceed}, if one ran. */
    OptionalLong result();

    /** Answers {@code -errno} without running the syscall. */
    default long fail(Errno errno) {
        return -errno.number();
    }

    /** Answers {@code value} without running the syscall. */
    default long returning(long value) {
        return value;
    }

    /** Reads a NUL-terminated string of the target, at most {@code maxBytes} long (checked). */
    String readString(long address, int maxBytes);

    /** Reads {@code length} bytes of target memory (checked: an unreadable range throws). */
    byte[] read(long address, int length);

    /** Writes bytes into target memory (checked: an unwritable range throws). */
    void write(long address, byte[] bytes);

    /** A view of {@code length} bytes of target memory at {@code address}, read on demand. */
    default TargetBuffer buffer(long address, long length) {
        return new TargetBuffer(this, address, length);
    }

    /**
     * The {@code count} elements of the iovec array at {@code address} as views (readv, writev),
     * the array read on first use; empty when {@code count} is outside 0..1024.
     */
    default List<TargetBuffer> iovecs(long address, int count) {
        return new Iovecs(this, address, count);
    }
}
