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
    /** An address the kernel does not dereference for this purpose, or an undecoded struct. */
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
    /** A pointer to an int (an in/out length, an option value). */
    INT_PTR(true),
    /** A pointer to a 64-bit file offset (sendfile, splice, copy_file_range). */
    OFFSET_PTR(true),
    /** Two ints the kernel fills with file descriptors (pipe, socketpair). */
    FD_PAIR(true),
    /** struct stat. */
    STAT(true),
    /** struct statx. */
    STATX(true),
    /** struct statfs. */
    STATFS(true),
    /** A socket address; its length is the argument at index {@link ArgSpec#lengthArg()}. */
    SOCKADDR(true),
    /** A pointer to a socklen_t that is both input (buffer size) and output (address size). */
    SOCKLEN_PTR(true),
    /** struct timespec. */
    TIMESPEC(true),
    /** Two timespecs (utimensat). */
    TIMESPEC_PAIR(true),
    /** struct timeval. */
    TIMEVAL(true),
    /** struct itimerval. */
    ITIMERVAL(true),
    /** struct itimerspec. */
    ITIMERSPEC(true),
    /** A kernel signal set (its size is usually the next argument). */
    SIGSET(true),
    /** struct sigaction as the kernel sees it (handler, flags, restorer, mask). */
    SIGACTION(true),
    /** siginfo_t. */
    SIGINFO(true),
    /** stack_t (sigaltstack). */
    STACK(true),
    /** struct rlimit. */
    RLIMIT(true),
    /** struct rusage. */
    RUSAGE(true),
    /** struct utsname. */
    UTSNAME(true),
    /** struct sysinfo. */
    SYSINFO(true),
    /** An array of struct pollfd; its length is the next argument. */
    POLLFDS(true),
    /** An fd_set for select/pselect6. */
    FDSET(true),
    /** One struct epoll_event (epoll_ctl). */
    EPOLL_EVENT(true),
    /** An array of struct epoll_event filled by the kernel; its length is the return value. */
    EPOLL_EVENTS(true),
    /** An array of struct iovec; its length is the next argument. */
    IOVEC(true),
    /** struct msghdr. */
    MSGHDR(true),
    /** A wait status int written by the kernel (wait4). */
    WAIT_STATUS(true),
    /** Directory entries filled by the kernel (getdents, getdents64). */
    DIRENTS(true),
    /** struct clone_args; its size is the next argument. */
    CLONE_ARGS(true),
    /** struct open_how; its size is the next argument. */
    OPEN_HOW(true);

    private final boolean memory;

    ArgKind(boolean memory) {
        this.memory = memory;
    }

    /** True when the raw value is an address whose contents matter (a capture candidate). */
    public boolean isMemory() {
        return memory;
    }
}
