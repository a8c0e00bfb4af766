package dev.jpoline.api;

/**
 * What a syscall argument means, so that hooks and the tracer can interpret the raw register value.
 *
 * <p>Kinds that name memory (strings, buffers, structs) say what the pointed-to bytes hold; whether
 * the kernel or the caller fills them is carried by {@link ArgSpec#out()}, because the same struct
 * (a sigset, a sigaction, a timespec) is input in one argument and output in another.
 */
public enum ArgKind {
    /** Signed 32-bit integer, printed in decimal. */
    INT(false),
    /** Unsigned 32-bit integer, printed in decimal. */
    UINT(false),
    /** Signed 64-bit integer, printed in decimal. */
    LONG(false),
    /** Unsigned 64-bit integer, printed in decimal. */
    ULONG(false),
    /** A number best read in hexadecimal (an opaque cookie, a raw flags word with no table). */
    HEX(false),
    /** A file descriptor. */
    FD(false),
    /** A directory file descriptor for the *at family: AT_FDCWD or an fd. */
    DIRFD(false),
    /** A process or thread id (may be negative: a process group, or -1 for "any"). */
    PID(false),
    /** A user id; -1 means "unchanged". */
    UID(false),
    /** A group id; -1 means "unchanged". */
    GID(false),
    /** A signal number. */
    SIGNAL(false),
    /** A device number (major/minor). */
    DEV(false),
    /** A file offset (signed, decimal). */
    OFFSET(false),
    /** A byte count (unsigned, decimal). */
    SIZE(false),
    /** File permission and type bits, printed in octal (0644, S_IFREG|0644). */
    MODE(false),
    /** A umask value, printed in octal. */
    UMASK(false),
    /** A bit set whose names come from the flag table named by {@link ArgSpec#param()}. */
    FLAGS(false),
    /** One value out of the table named by {@link ArgSpec#param()} (a command, a whence, a family). */
    ENUM(false),
    /**
     * An address the kernel does not dereference for this purpose, or an undecoded struct; or
     * memory whose type another argument decides, copied for the formatter's own rules:
     * {@code POINTER(n)} as long as argument n says, {@code POINTER(peek)} a bounded copy.
     */
    POINTER(true),
    /** A NUL-terminated file name. */
    PATH(true),
    /** A NUL-terminated string that is not a file name (cut at the trace string limit). */
    STRING(true),
    /** A NULL-terminated array of string pointers (execve argv). */
    STRING_ARRAY(true),
    /** A NULL-terminated environment array, summarised by its length. */
    ENV_ARRAY(true),
    /** Bytes written by the caller; their length is the argument at index {@link ArgSpec#lengthArg()}. */
    BUFFER_IN(true),
    /** Bytes filled by the kernel; their length is the syscall's return value. */
    BUFFER_OUT(true),
    /**
     * A pointer to an int (an in/out length, an option value); with a constant table's name as
     * parameter, the int is one of its values ({@code [MPOL_DEFAULT]}).
     */
    INT_PTR(true, 4),
    /**
     * A pointer to a 64-bit file offset: value-result (sendfile, {@code [0] => [5]}), or as passed
     * with the parameter {@code entry} (splice, copy_file_range print what they were given).
     */
    OFFSET_PTR(true, 8),
    /** Two ints the kernel fills with file descriptors (pipe, socketpair). */
    FD_PAIR(true, 8),
    /** struct stat. */
    STAT(true, 144),
    /** struct statx. */
    STATX(true, 256),
    /** struct statfs. */
    STATFS(true, 120),
    /** A socket address; its length is the argument at index {@link ArgSpec#lengthArg()}. */
    SOCKADDR(true),
    /** A pointer to a socklen_t that is both input (buffer size) and output (address size). */
    SOCKLEN_PTR(true, 4),
    /** struct timespec. */
    TIMESPEC(true, 16),
    /** Two timespecs (utimensat). */
    TIMESPEC_PAIR(true, 32),
    /** struct timeval. */
    TIMEVAL(true, 16),
    /** struct itimerval. */
    ITIMERVAL(true, 32),
    /** struct itimerspec. */
    ITIMERSPEC(true, 32),
    /** A kernel signal set (its size is usually the next argument). */
    SIGSET(true, 8),
    /** struct sigaction as the kernel sees it (handler, flags, restorer, mask). */
    SIGACTION(true, 32),
    /** siginfo_t. */
    SIGINFO(true, 128),
    /** stack_t (sigaltstack). */
    STACK(true, 24),
    /** struct rlimit. */
    RLIMIT(true, 16),
    /** struct rusage. */
    RUSAGE(true, 144),
    /** struct utsname. */
    UTSNAME(true, 390),
    /** struct sysinfo. */
    SYSINFO(true, 112),
    /** An array of struct pollfd; its length is the next argument. */
    POLLFDS(true),
    /** An fd_set for select/pselect6 (FD_SETSIZE bits); the kernel rewrites it. */
    FDSET(true, 128),
    /** pselect6's packed {sigset pointer, sigset size} argument. */
    SIGSET_PACK(true, 16),
    /** One struct epoll_event (epoll_ctl). */
    EPOLL_EVENT(true, 12),
    /** An array of struct epoll_event filled by the kernel; its length is the return value. */
    EPOLL_EVENTS(true),
    /**
     * An array of gid_t: filled by the kernel, as long as the return value ({@code >GID_ARRAY},
     * getgroups), or passed, as long as the argument at {@link ArgSpec#lengthArg()} (setgroups).
     */
    GID_ARRAY(true),
    /**
     * An array of struct iovec; its length is the next argument. With the parameter
     * {@code remote} (process_vm_readv/writev, process_madvise) the array is the caller's but the
     * addresses in it belong to another process: strace prints them, never what they point to.
     */
    IOVEC(true),
    /** struct msghdr. */
    MSGHDR(true),
    /** A wait status int written by the kernel (wait4). */
    WAIT_STATUS(true, 4),
    /** Directory entries filled by the kernel (getdents, getdents64). */
    DIRENTS(true),
    /** A CPU affinity mask; its length is argument {@link ArgSpec#lengthArg()}, or the return value when out. */
    CPU_SET(true),
    /** struct clone_args; its size is the next argument. */
    CLONE_ARGS(true),
    /** struct open_how; its size is the next argument. */
    OPEN_HOW(true, 24),
    /**
     * A NUMA node mask of as many bits as the argument at {@link ArgSpec#lengthArg()} says, less
     * one (the kernel's maxnode), in longs (set_mempolicy, mbind, {@code >} for get_mempolicy).
     */
    NODEMASK(true),
    /** struct sigevent (timer_create): its value, signal, notification and thread id fields. */
    SIGEVENT(true, 32);

    private final boolean memory;
    private final int fixedSize;

    ArgKind(boolean memory) {
        this(memory, 0);
    }

    ArgKind(boolean memory, int fixedSize) {
        this.memory = memory;
        this.fixedSize = fixedSize;
    }

    /** True when the raw value is an address whose contents matter (a capture candidate). */
    public boolean isMemory() {
        return memory;
    }

    /**
     * The size in bytes of the x86-64 struct this kind points to, for kinds of fixed size (what a
     * capture schema copies); empty for strings, buffers, arrays and variable-size structs.
     */
    public java.util.OptionalInt fixedSize() {
        return fixedSize == 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(fixedSize);
    }
}
