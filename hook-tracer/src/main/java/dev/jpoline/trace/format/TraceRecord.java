package dev.jpoline.trace.format;

import java.util.Optional;

/**
 * What the formatter needs to know about one syscall of a traced thread: who made it, the raw
 * register values, the result, when, and the memory captured for its pointer arguments.
 *
 * <p>Payloads are looked up by argument index. Which memory is captured, and whether at entry or
 * at exit, is the capture schema's business; the formatter reads what is there and prints the
 * address where nothing is (as strace does for memory it cannot read). Kernel-filled memory (a
 * read buffer, a stat struct) is expected as it was at exit; caller-filled memory as at entry.
 */
public interface TraceRecord {
    /** Sentinel for a time that is not known (an exit that has not happened). */
    long NO_TIME = Long.MIN_VALUE;

    /** Process (thread group) id. */
    int pid();

    /** Thread id; equals {@link #pid()} for the main thread. strace prints this one in [pid N]. */
    int tid();

    /** The syscall number (x86-64 numbering). */
    long number();

    /** Raw value of argument 0..5 (rdi, rsi, rdx, r10, r8, r9). */
    long arg(int index);

    /** Whether the syscall returned (false for an unfinished call, exit, or a successful execve's old image). */
    boolean hasReturn();

    /** Whether -e inject= replaced the result (strace prints "(INJECTED)" after it). */
    default boolean injected() {
        return false;
    }

    /** The raw return value (rax): a result, or -errno in [-4095, -1]. Only meaningful with {@link #hasReturn()}. */
    long returnValue();

    /** Entry time in nanoseconds since the Unix epoch, or {@link #NO_TIME}. */
    long entryNanos();

    /** Exit time in nanoseconds since the Unix epoch, or {@link #NO_TIME}. */
    long exitNanos();

    /**
     * strace -i's instruction pointer: the address after the site's syscall instruction (the
     * return address of its {@code call *%rax}, or SUD's si_call_addr), 0 when unknown.
     */
    default long ip() {
        return 0;
    }

    /** Memory captured for argument {@code index}, if any. */
    Optional<Payload> payload(int index);

    /** {@link #payload(int)} without the Optional: the payload, or null. */
    default Payload payloadOrNull(int index) {
        return payload(index).orElse(null);
    }

    /**
     * Memory captured through the {@code element}-th pointer inside argument {@code index}'s own
     * payload: the data of iovec element {@code element} for readv/writev. Absent by default.
     */
    default Optional<Payload> elementPayload(int index, int element) {
        return Optional.empty();
    }
}
