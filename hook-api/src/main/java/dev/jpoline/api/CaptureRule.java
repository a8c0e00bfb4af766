package dev.jpoline.api;

import java.util.ArrayList;
import java.util.List;

/**
 * What memory to copy from a traced process for one syscall argument, derived from the syscall
 * table, so that the capture schema the host writes for the target runtime and the formatter that
 * reads the copies agree. The payload layouts these rules produce are described in
 * docs/trace-format.md (strings without their NUL, string arrays NUL-separated, value-result
 * fields as the entry copy followed by the exit copy). The timeouts of select, pselect6 and ppoll are
 * value-result too: copied at entry and exit, they add strace's {@code left {...}} to the result.
 *
 * <p>Rules are a best effort from argument kinds: a few syscalls give an argument a meaning that
 * depends on another one (futex's timeout slot, ioctl's and fcntl's third argument, prctl), and
 * their rules describe the common case. A capture must therefore tolerate addresses that are not
 * readable and simply leave the payload out.
 *
 * @param arg       argument index
 * @param timing    when to copy
 * @param shape     how long the copy is
 * @param size      bytes for {@link Shape#FIXED}; element size for the array shapes
 * @param lengthArg the argument giving a length or element count, for the {@code _ARG} shapes
 */
public record CaptureRule(int arg, Timing timing, Shape shape, int size, int lengthArg) {

    /** When the memory holds what the formatter prints. */
    public enum Timing {
        /** Written by the caller: copy at syscall entry. */
        ENTRY,
        /** Written by the kernel: copy at exit, only when the call succeeded. */
        EXIT,
        /** Value-result (a socklen, an offset): copy at entry and again at exit, one after the other. */
        ENTRY_AND_EXIT
    }

    /** How much to copy. */
    public enum Shape {
        /** A NUL-terminated string, up to the capture's string limit. */
        C_STRING,
        /** A NULL-terminated array of string pointers, each string copied NUL-terminated. */
        STRING_ARRAY,
        /** {@link #size()} bytes. */
        FIXED,
        /** As many bytes as argument {@link #lengthArg()} says. */
        LENGTH_ARG,
        /** As many bytes as the return value says. */
        LENGTH_RETURN,
        /** Argument {@link #lengthArg()} elements of {@link #size()} bytes. */
        ARRAY_ARG,
        /** Return-value elements of {@link #size()} bytes. */
        ARRAY_RETURN,
        /** An iovec array of argument {@link #lengthArg()} elements, plus each element's data. */
        IOVEC,
        /** A node mask of argument {@link #lengthArg()} bits less one, rounded up to longs. */
        NODEMASK,
        /**
         * A struct msghdr ({@link #size()} bytes), its iovec array and each iovec's data, its name and
         * its control data. Not among {@link #forSyscall}'s rules: the tracer's capture schema adds it
         * for sendmsg and recvmsg.
         */
        MSGHDR,
        /**
         * An array of argument {@link #lengthArg()} struct mmsghdr of {@link #size()} bytes, and for the
         * messages the result counts their iovec arrays and data (for the same dumps).
         */
        MMSGHDR
    }

    private static final int SOCKADDR_STORAGE = 128;
    /** A {@code POINTER(peek)} argument's copy: a kernel struct termios2 (44 bytes) fits. */
    static final int PEEK_BYTES = 64;
    /**
     * ptrace's data copy ({@code >POINTER(ptrace)}): the largest thing the formatter decodes there
     * is a struct user_regs_struct (216 bytes); a siginfo's decoded fields, a ptrace_syscall_info
     * and a peeked word fit too.
     */
    static final int PTRACE_DATA_BYTES = 216;

    /**
     * A pointer whose type depends on another argument: uncopied, unless the table gives it a
     * length argument ({@code POINTER(4)}: setsockopt's optval) or asks for a bounded copy the
     * formatter interprets ({@code POINTER(peek)}: ioctl's argument, once after the call, what a
     * get request filled or a set request passed; {@code >POINTER(peek)}: getsockopt's value,
     * cut to its length by the formatter).
     */
    private static CaptureRule pointer(int i, ArgSpec a, Timing when) {
        if (a.lengthArg() != ArgSpec.NO_LENGTH_ARG) {
            return new CaptureRule(i, when, Shape.LENGTH_ARG, 0, a.lengthArg());
        }
        if ("peek".equals(a.param())) {
            return new CaptureRule(i, when, Shape.FIXED, PEEK_BYTES, ArgSpec.NO_LENGTH_ARG);
        }
        if ("ptrace".equals(a.param())) {
            return new CaptureRule(i, when, Shape.FIXED, PTRACE_DATA_BYTES, ArgSpec.NO_LENGTH_ARG);
        }
        return null;
    }

    /** The argument whose timeout the kernel updates with the time left, or -1. */
    private static int timeoutArg(Syscall s) {
        return switch (s.name()) {
            case "select", "pselect6" -> 4;
            case "ppoll" -> 2;
            default -> -1;
        };
    }

    /** The rules for every memory argument of {@code s} that the formatter decodes. */
    public static List<CaptureRule> forSyscall(Syscall s) {
        List<CaptureRule> rules = new ArrayList<>();
        for (int i = 0; i < s.argCount(); i++) {
            ArgSpec a = s.arg(i);
            Timing when = a.out() ? Timing.EXIT : Timing.ENTRY;
            int next = i + 1 < s.argCount() ? i + 1 : ArgSpec.NO_LENGTH_ARG;
            boolean remainingTime = i == timeoutArg(s);
            CaptureRule rule = remainingTime
                    ? new CaptureRule(i, Timing.ENTRY_AND_EXIT, Shape.FIXED, 16, ArgSpec.NO_LENGTH_ARG)
                    : switch (a.kind()) {
                case PATH -> new CaptureRule(i, when, Shape.C_STRING, 0, ArgSpec.NO_LENGTH_ARG);
                case STRING -> new CaptureRule(i, Timing.ENTRY, Shape.C_STRING, 0, ArgSpec.NO_LENGTH_ARG);
                case STRING_ARRAY, ENV_ARRAY -> new CaptureRule(i, Timing.ENTRY, Shape.STRING_ARRAY, 0,
                        ArgSpec.NO_LENGTH_ARG);
                case BUFFER_IN -> new CaptureRule(i, Timing.ENTRY, Shape.LENGTH_ARG, 0, a.lengthArg());
                case BUFFER_OUT, DIRENTS -> new CaptureRule(i, Timing.EXIT, Shape.LENGTH_RETURN, 0,
                        ArgSpec.NO_LENGTH_ARG);
                case CPU_SET -> a.out() ? new CaptureRule(i, Timing.EXIT, Shape.LENGTH_RETURN, 0, ArgSpec.NO_LENGTH_ARG)
                        : new CaptureRule(i, Timing.ENTRY, Shape.LENGTH_ARG, 0, a.lengthArg());
                case SOCKADDR -> a.out() ? new CaptureRule(i, Timing.EXIT, Shape.FIXED, SOCKADDR_STORAGE,
                        ArgSpec.NO_LENGTH_ARG) : new CaptureRule(i, Timing.ENTRY, Shape.LENGTH_ARG, 0, a.lengthArg());
                // Both copies even when only the value passed is printed: an entry-only copy is
                // taken after the call returns, when the kernel has moved the offset.
                case SOCKLEN_PTR, OFFSET_PTR -> new CaptureRule(i, Timing.ENTRY_AND_EXIT, Shape.FIXED,
                        a.kind().fixedSize().orElseThrow(), ArgSpec.NO_LENGTH_ARG);
                case POLLFDS -> new CaptureRule(i, Timing.EXIT, Shape.ARRAY_ARG, 8, next);
                case EPOLL_EVENTS -> new CaptureRule(i, Timing.EXIT, Shape.ARRAY_RETURN, 12, ArgSpec.NO_LENGTH_ARG);
                case GID_ARRAY -> a.out() ? new CaptureRule(i, Timing.EXIT, Shape.ARRAY_RETURN, 4, ArgSpec.NO_LENGTH_ARG)
                        : new CaptureRule(i, Timing.ENTRY, Shape.ARRAY_ARG, 4, a.lengthArg());
                // A remote iovec's bases are another process's addresses: only the array itself,
                // which is the caller's, is copied (an element's data here would be a read of
                // whatever the caller has mapped there, or a fault).
                case IOVEC -> "remote".equals(a.param())
                        ? new CaptureRule(i, Timing.ENTRY, Shape.ARRAY_ARG, 16, next)
                        : new CaptureRule(i, when, Shape.IOVEC, 16, next);
                case NODEMASK -> new CaptureRule(i, when, Shape.NODEMASK, 8, a.lengthArg());
                case CLONE_ARGS, OPEN_HOW -> new CaptureRule(i, Timing.ENTRY, Shape.LENGTH_ARG, 0, next);
                // The kernel rewrites fd_sets in place: the line shows them as passed, the result as left.
                case FDSET -> new CaptureRule(i, Timing.ENTRY_AND_EXIT, Shape.FIXED, 128, ArgSpec.NO_LENGTH_ARG);
                case POINTER -> pointer(i, a, when);
                case MSGHDR, SIGINFO -> null;
                default -> a.kind().fixedSize().isPresent()
                        ? new CaptureRule(i, when, Shape.FIXED, a.kind().fixedSize().getAsInt(), ArgSpec.NO_LENGTH_ARG)
                        : null;
            };
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }
}
