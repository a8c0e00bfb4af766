package dev.jpoline.trace.format;

import dev.jpoline.api.ArgKind;
import dev.jpoline.api.ArgSpec;
import dev.jpoline.api.Errno;
import dev.jpoline.api.Syscall;
import dev.jpoline.api.consts.Constants;
import dev.jpoline.api.consts.Signals;
import dev.jpoline.api.consts.Xlat;
import dev.jpoline.api.consts.XlatStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes the arguments of one syscall record, driven by the argument kinds of the syscall table,
 * with strace's special layouts for the syscalls whose arguments depend on each other.
 *
 * <p>Arguments the kernel fills are printed in the exit half of the line (what follows
 * {@code <... name resumed>}); once one argument is in the exit half, the rest follow it there,
 * which is where strace prints them too.
 */
final class ArgDecoder {
    private static final int O_CREAT = 0100;
    private static final int O_TMPFILE_BIT = 020000000;
    private static final long CLONE_PIDFD = 0x1000;
    private static final long CLONE_SETTLS = 0x80000;
    private static final long CLONE_PARENT_SETTID = 0x100000;
    private static final long CLONE_CHILD_CLEARTID = 0x200000;
    private static final long CLONE_CHILD_SETTID = 0x1000000;
    private static final long CLONE_INTO_CGROUP = 0x200000000L;
    private static final byte[] NULL = {'N', 'U', 'L', 'L'};
    private static final byte[] AT_FDCWD = {'A', 'T', '_', 'F', 'D', 'C', 'W', 'D'};
    private static final byte[] COMMENT_START = LineBuffer.ascii(" /* ");
    private static final byte[] ENTRIES_COMMENT_END = LineBuffer.ascii(" entries */");

    private final StraceFormatter f;
    private final TraceRecord r;
    private final Syscall sc;
    private final StraceFormatter.SyscallInfo info;
    private final XlatStyle style;
    private final int limit;
    private final boolean failed;
    /** Where the arguments go: the entry half first, then from {@link #split} on the exit half. */
    private final LineBuffer out;
    private boolean inExit;
    private int count;
    /** Where the exit half starts in {@link #out}; set by {@link #decode()}. */
    int split;
    /** Replaces the whole success result (fcntl's "0x800 (flags O_RDONLY)"), or null. */
    String result;
    /** Appended to a decimal success result (poll's " ([{fd=1, revents=POLLOUT}])"), or null. */
    String resultSuffix;
    /** Where each argument's text starts, for the outputs that keep arguments apart; null for lines. */
    private final CallParts parts;

    ArgDecoder(StraceFormatter f, TraceRecord r, StraceFormatter.SyscallInfo info, LineBuffer out, CallParts parts) {
        this.f = f;
        this.parts = parts;
        this.r = r;
        this.sc = info.syscall;
        this.info = info;
        this.out = out;
        this.style = f.style();
        this.limit = f.options().stringLimit();
        this.failed = !r.hasReturn() || Errno.fromReturn(r.returnValue()) != 0;
    }

    /** Appends the arguments to the buffer: the entry half, then the exit half from {@link #split} on. */
    ArgDecoder decode() {
        switch (info.layout) {
            case StraceFormatter.SyscallInfo.OPEN -> openLike(1);
            case StraceFormatter.SyscallInfo.OPENAT -> openLike(2);
            case StraceFormatter.SyscallInfo.MKNOD -> mknodLike(0);
            case StraceFormatter.SyscallInfo.MKNODAT -> mknodLike(1);
            // The new address is only an argument with MREMAP_FIXED.
            case StraceFormatter.SyscallInfo.MREMAP -> generic((r.arg(3) & 2) != 0 ? 5 : 4);
            case StraceFormatter.SyscallInfo.CLONE -> cloneArgs();
            case StraceFormatter.SyscallInfo.CLONE3 -> clone3Args();
            case StraceFormatter.SyscallInfo.FCNTL -> fcntlArgs();
            case StraceFormatter.SyscallInfo.IOCTL -> ioctlArgs();
            case StraceFormatter.SyscallInfo.FUTEX -> futexArgs();
            case StraceFormatter.SyscallInfo.SOCKET -> socketArgs();
            case StraceFormatter.SyscallInfo.SOCKOPT -> sockoptArgs();
            case StraceFormatter.SyscallInfo.PRCTL -> prctlArgs();
            case StraceFormatter.SyscallInfo.PTRACE -> new PtraceArgs().decode();
            case StraceFormatter.SyscallInfo.RT_SIGRETURN -> add(CallParts.NO_REGISTER, r.payload(0)
                    .filter(p -> p.length() >= 8)
                    .map(p -> "{mask=" + Signals.formatSet(p.le(0, 8), 8, style) + "}").orElse(""));
            default -> generic(sc.argCount());
        }
        if (!inExit) {
            split = out.length();
        }
        switch (info.resultLayout) {
            case StraceFormatter.SyscallInfo.POLL_RESULT -> pollResult();
            case StraceFormatter.SyscallInfo.SELECT_RESULT -> selectResult();
            case StraceFormatter.SyscallInfo.SCHED_POLICY_RESULT -> {
                if (!failed) {
                    resultSuffix = " (" + Constants.SCHED_POLICIES.format(r.returnValue(), style) + ")";
                }
            }
            default -> { }
        }
        return this;
    }

    // ---- argument placement -----------------------------------------------------------------

    /**
     * Starts one argument: the separator, and the switch to the exit half at the first argument
     * decoded at exit (the separator before it stays in the entry half, where strace prints it).
     */
    private void begin(boolean atExit) {
        begin(atExit, count);
    }

    /** As {@link #begin(boolean)}, for an argument that shows register {@code register}, not the next one. */
    private void begin(boolean atExit, int register) {
        int previousEnd = out.length();
        if (atExit && !inExit) {
            inExit = true;
            if (count > 0) {
                out.append(',').append(' ');
            }
            split = out.length();
        } else if (count > 0) {
            out.append(',').append(' ');
        }
        mark(previousEnd, register);
        count++;
    }

    /** An argument's text starts here (after its separator, which began at {@code previousEnd}). */
    private void mark(int previousEnd, int register) {
        if (parts != null) {
            parts.begin(previousEnd, out.length(), register);
        }
    }

    /** Adds one argument's text. */
    private void add(String text, boolean atExit) {
        begin(atExit);
        out.append(text);
    }

    /** Adds, in the entry half, an argument that shows register {@code register} (futex skips some). */
    private void add(int register, String text) {
        begin(false, register);
        out.append(text);
    }

    /** One more argument in the exit half, its ", " there too (clone's tail, clone3's size). */
    private void nextInExit(int register) {
        int previousEnd = out.length();
        out.append(',').append(' ');
        mark(previousEnd, register);
        count++;
    }

    /** Starts the exit half here without a separator (clone puts its own). */
    private void exitHalf() {
        if (!inExit) {
            inExit = true;
            split = out.length();
        }
    }

    private void generic(int n) {
        for (int i = 0; i < n; i++) {
            ArgSpec a = sc.arg(i);
            begin(a.out());
            render(i, a);
        }
    }

    // ---- per-kind rendering -----------------------------------------------------------------

    private void pointer(long address) {
        if (address == 0) {
            out.append(NULL);
        } else {
            out.append('0').append('x').hexDigits(address);
        }
    }

    /** Argument {@code i} of kind {@code a}, appended; the common kinds without Strings in between. */
    private void render(int i, ArgSpec a) {
        long v = r.arg(i);
        ArgKind kind = a.kind();
        if ("remaining".equals(a.param())) {
            // A sleep's remaining time means something only after an interruption (and not for
            // an absolute clock_nanosleep); otherwise strace prints the address, not stale memory.
            boolean absolute = sc.name().equals("clock_nanosleep") && (r.arg(1) & TIMER_ABSTIME) != 0;
            if (!interrupted() || absolute) {
                pointer(v);
            } else {
                out.append(struct(v, r.payload(i), 16, x -> Structs.timespec(x, 0)));
            }
            return;
        }
        if (a.out() && failed && kind.isMemory() && kind != ArgKind.IOVEC && kind != ArgKind.NODEMASK
                && kind != ArgKind.MSGHDR) {
            // A value-result length still holds what the caller passed in; strace prints that.
            if (kind == ArgKind.SOCKLEN_PTR) {
                out.append(struct(v, r.payload(i), 4, x -> "[" + (int) x.le(0, 4) + "]"));
            } else {
                pointer(v);
            }
            return;
        }
        switch (kind) {
            case INT, PID -> out.decimal((int) v);
            case UINT -> out.decimal(v & 0xffffffffL);
            case LONG, OFFSET -> out.decimal(v);
            case ULONG, SIZE -> out.unsigned(v);
            case HEX -> out.hex(v);
            case FD -> fd(out, f, r.tid(), (int) v);
            case DIRFD -> dirfd((int) v);
            case UID, GID -> {
                if ((int) v == -1) {
                    out.append('-').append('1');
                } else {
                    out.decimal(v & 0xffffffffL);
                }
            }
            case MODE -> mode(out, v & 0xffffffffL, style);
            case UMASK -> octal3(out, v & 07777);
            case FLAGS -> {
                // Register flags are C ints or unsigned ints; bits above 31 are not part of the value.
                long key = info.wideFlags[i] ? v : v & 0xffffffffL;
                byte[] text = info.memo(i, key);
                if (text != null) {
                    out.append(text);
                } else {
                    out.append(info.remember(i, key, info.table(i, a).format(key, style)));
                }
            }
            case ENUM -> {
                long key = v & 0xffffffffL; // what enumValue reads of v
                byte[] text = info.memo(i, key);
                if (text != null) {
                    out.append(text);
                } else {
                    out.append(info.remember(i, key, enumValue(info.table(i, a), v)));
                }
            }
            case POINTER -> pointer(v);
            case PATH -> {
                Payload p = v == 0 ? null : r.payloadOrNull(i);
                if (p != null) {
                    StringQuoter.path(out, p);
                } else {
                    pointer(v);
                }
            }
            case STRING -> {
                Payload p = v == 0 ? null : r.payloadOrNull(i);
                if (p != null) {
                    StringQuoter.string(out, p, limit);
                } else {
                    pointer(v);
                }
            }
            case BUFFER_IN -> {
                Payload p = v == 0 ? null : r.payloadOrNull(i);
                if (p != null) {
                    StringQuoter.buffer(out, p, r.arg(a.lengthArg()), limit, false);
                } else {
                    pointer(v);
                }
            }
            case BUFFER_OUT -> {
                Payload p = r.payloadOrNull(i);
                if (p != null) {
                    StringQuoter.buffer(out, p, r.returnValue(), limit, info.hexBuffer);
                } else {
                    pointer(v);
                }
            }
            case STAT -> {
                Payload p = v == 0 ? null : r.payloadOrNull(i);
                if (p != null && p.length() >= 56) {
                    Structs.stat(out, p, style);
                } else {
                    pointer(v);
                }
            }
            case DIRENTS -> {
                pointer(v);
                Payload p = r.payloadOrNull(i);
                if (p != null) {
                    out.append(COMMENT_START).decimal(Structs.countDirents(p, (int) Math.min(r.returnValue(),
                            p.length()))).append(ENTRIES_COMMENT_END);
                }
            }
            default -> out.append(text(i, a, v, r.payload(i)));
        }
    }

    /** The kinds {@link #render} leaves to Strings. */
    private String text(int i, ArgSpec a, long v, Optional<Payload> p) {
        return switch (a.kind()) {
            case SIGNAL -> Signals.format((int) v, style);
            case DEV -> makedev(v, style);
            case STRING_ARRAY -> v == 0 ? "NULL" : p.map(this::stringArray).orElse(StraceFormatter.pointer(v));
            case ENV_ARRAY -> v == 0 ? "NULL"
                    : StraceFormatter.pointer(v) + p.map(x -> varsComment(strings(x).size())).orElse("");
            case INT_PTR -> a.param() == null ? struct(v, p, 4, x -> "[" + (int) x.le(0, 4) + "]")
                    : struct(v, p, 4, x -> "[" + info.table(i, a).format((int) x.le(0, 4), style) + "]");
            case SOCKLEN_PTR -> struct(v, p, 4, ArgDecoder::socklen);
            case OFFSET_PTR -> struct(v, p, 8, "entry".equals(a.param()) ? ArgDecoder::offsetAsPassed
                    : ArgDecoder::offsetPointer);
            // An array to strace: -s caps its elements too ([...], [3, ...]).
            case FD_PAIR -> struct(v, p, 8, x -> list(2, k -> fd(f, r.tid(), (int) x.le(4 * k, 4))));
            case STATX -> struct(v, p, 48, x -> Structs.statx(x, style));
            case SOCKADDR -> struct(v, returnedAddress(i, a, p), 2, x -> Structs.sockaddr(x, style));
            case TIMESPEC -> struct(v, p, 16, x -> Structs.timespec(x, 0));
            case TIMEVAL -> struct(v, p, 16, x -> Structs.timeval(x, 0));
            case TIMESPEC_PAIR -> struct(v, p, 32, x -> Structs.timespecPair(x, style, f.options().zone()));
            case ITIMERVAL -> struct(v, p, 32, x -> "{it_interval=" + Structs.timeval(x, 0) + ", it_value="
                    + Structs.timeval(x, 16) + "}");
            case ITIMERSPEC -> struct(v, p, 32, x -> "{it_interval=" + Structs.timespec(x, 0) + ", it_value="
                    + Structs.timespec(x, 16) + "}");
            case SIGSET -> sigset(v, p);
            case SIGACTION -> struct(v, p, 32, x -> Structs.sigaction(x, sigsetSize(), style));
            case STACK -> struct(v, p, 24, x -> Structs.stack(x, style));
            case RLIMIT -> struct(v, p, 16, x -> Structs.rlimit(x, style));
            case UTSNAME -> struct(v, p, 130, x -> Structs.utsname(x, limit));
            case POLLFDS -> pollfds(v, p);
            case EPOLL_EVENT -> struct(v, p, 12, x -> Structs.epollEvent(x, 0, style));
            case EPOLL_EVENTS -> epollEvents(v, p);
            case GID_ARRAY -> gidArray(v, p, a);
            case WAIT_STATUS -> r.returnValue() == 0 ? StraceFormatter.pointer(v)
                    : struct(v, p, 4, x -> Structs.waitStatus((int) x.le(0, 4)));
            case OPEN_HOW -> struct(v, p, 24, x -> Structs.openHow(x, style));
            case SIGEVENT -> struct(v, p, 32, x -> Structs.sigevent(x, style));
            case NODEMASK -> nodemask(v, p, r.arg(a.lengthArg()), a.out() && failed);
            case IOVEC -> iovec(i, a, v, p);
            case RUSAGE -> struct(v, p, 32, x -> "{ru_utime=" + Structs.timeval(x, 0) + ", ru_stime="
                    + Structs.timeval(x, 16) + ", ...}");
            case SYSINFO -> struct(v, p, 108, Structs::sysinfo);
            case CPU_SET -> cpuSet(v, p, a.out() ? r.returnValue() : r.arg(a.lengthArg()));
            case FDSET -> struct(v, p, fdSetBytes(), x -> fdSet(x, 0));
            case SIGSET_PACK -> struct(v, p, 16, this::sigsetPack);
            case STATFS -> struct(v, p, 88, x -> Structs.statfs(x, style));
            case MSGHDR -> msghdr(i, a, v, p);
            case CLONE_ARGS, SIGINFO -> StraceFormatter.pointer(v);
            default -> throw new IllegalStateException("rendered directly: " + a.kind());
        };
    }

    /**
     * A value-result length: 4 bytes (its value at exit) or 8 (at entry, then at exit), printed
     * {@code [16]} or, when the kernel changed it, {@code [28 => 16]}.
     */
    /**
     * An address the kernel filled: only as many bytes as it said it wrote (the length after the
     * call, at most the buffer's), as strace decodes it; an unnamed AF_UNIX socket's 2 bytes are
     * {@code {sa_family=AF_UNIX}}, not a path of zeros.
     */
    private Optional<Payload> returnedAddress(int i, ArgSpec a, Optional<Payload> p) {
        if (!a.out() || p.isEmpty() || i + 1 >= sc.argCount() || sc.arg(i + 1).kind() != ArgKind.SOCKLEN_PTR) {
            return p;
        }
        Optional<Payload> length = r.payload(i + 1);
        if (length.isEmpty() || length.get().length() < 4) {
            return p;
        }
        Payload l = length.get();
        long written = l.le(l.length() >= 8 ? 4 : 0, 4) & 0xffffffffL;
        long room = l.length() >= 8 ? l.le(0, 4) & 0xffffffffL : written;
        long bytes = Math.min(written, room);
        if (bytes < 2 || bytes >= p.get().length()) {
            return p;
        }
        return Optional.of(p.get().slice(0, (int) bytes, false));
    }

    private static String socklen(Payload x) {
        int last = (int) x.le(x.length() >= 8 ? 4 : 0, 4);
        if (x.length() >= 8 && (int) x.le(0, 4) != last) {
            return "[" + (int) x.le(0, 4) + " => " + last + "]";
        }
        return "[" + last + "]";
    }

    /** A value-result offset: 8 bytes (at exit) or 16 (at entry, then exit): {@code [0] => [3]}. */
    private static String offsetPointer(Payload x) {
        if (x.length() >= 16 && x.le(0, 8) != x.le(8, 8)) {
            return "[" + x.le(0, 8) + "] => [" + x.le(8, 8) + "]";
        }
        return "[" + x.le(x.length() >= 16 ? 8 : 0, 8) + "]";
    }

    /** An offset as the call was given it (splice, copy_file_range): the entry copy, {@code [6]}. */
    private static String offsetAsPassed(Payload x) {
        return "[" + x.le(0, 8) + "]";
    }

    private static String varsComment(int n) {
        return " /* " + n + (n == 1 ? " var" : " vars") + " */";
    }

    /**
     * One value of a table. Register values are C ints: names are looked up sign-extended (so
     * RUSAGE_CHILDREN is -1), unknown values print as the unsigned 32-bit number strace shows.
     */
    private String enumValue(Xlat table, long v) {
        long signed = (int) v;
        return table.nameOf(signed).isPresent() ? table.format(signed, style) : table.format(v & 0xffffffffL, style);
    }

    /** A CPU mask as the list of CPUs in it: {@code [0 1]}. */
    private static String cpuSet(long address, Optional<Payload> p, long length) {
        if (address == 0) {
            return "NULL";
        }
        if (p.isEmpty() || length <= 0 || p.get().length() < length) {
            return StraceFormatter.pointer(address);
        }
        StringBuilder sb = new StringBuilder("[");
        for (int cpu = 0; cpu < length * 8; cpu++) {
            if ((p.get().byteAt(cpu / 8) & (1 << (cpu % 8))) != 0) {
                sb.append(sb.length() > 1 ? " " : "").append(cpu);
            }
        }
        return sb.append(']').toString();
    }

    private static String struct(long address, Optional<Payload> p, int minLength,
            java.util.function.Function<Payload, String> format) {
        if (address == 0) {
            return "NULL";
        }
        return p.filter(x -> x.length() >= minLength).map(format).orElse(StraceFormatter.pointer(address));
    }

    /** The sigsetsize argument: the syscall's last SIZE argument (rt_sigprocmask, rt_sigaction...). */
    private int sigsetSize() {
        for (int i = sc.argCount() - 1; i >= 0; i--) {
            if (sc.arg(i).kind() == ArgKind.SIZE) {
                return (int) r.arg(i);
            }
        }
        return 8;
    }

    private String sigset(long v, Optional<Payload> p) {
        int size = sigsetSize();
        if (v == 0) {
            return "NULL";
        }
        if (size <= 0 || size > 8 || size % 4 != 0) {
            // strace refuses to read a set of a size the kernel would reject and prints the address.
            return StraceFormatter.pointer(v);
        }
        return p.filter(x -> x.length() >= size).map(x -> Signals.formatSet(x.le(0, size), size, style))
                .orElse(StraceFormatter.pointer(v));
    }

    private void dirfd(int fd) {
        if (fd != -100) {
            fd(out, f, r.tid(), fd);
            return;
        }
        switch (style) {
            case RAW -> out.append("-100");
            case ABBREV -> out.append(AT_FDCWD);
            case VERBOSE -> out.append("-100 /* AT_FDCWD */");
        }
        annotation(out, f, r.tid(), fd);
    }

    /** A descriptor with its -y annotation when a resolver knows it. */
    static String fd(StraceFormatter f, int tid, long fd) {
        LineBuffer b = new LineBuffer(32);
        fd(b, f, tid, fd);
        return b.toString();
    }

    /** As {@link #fd(StraceFormatter, int, long)}, appended. */
    static void fd(LineBuffer out, StraceFormatter f, int tid, long fd) {
        out.decimal((int) fd);
        if (fd >= 0) {
            annotation(out, f, tid, (int) fd);
        }
    }

    private static void annotation(LineBuffer out, StraceFormatter f, int tid, int fd) {
        FdResolver resolver = f.options().fdResolver();
        if (resolver == null) {
            return;
        }
        Optional<String> path = resolver.resolve(tid, fd);
        if (path.isPresent()) {
            out.append('<').append(path.get()).append('>');
        }
    }

    private List<String> strings(Payload p) {
        List<String> list = new ArrayList<>();
        byte[] b = p.array();
        int from = p.offset();
        int end = from + p.length();
        int start = from;
        for (int i = from; i < end; i++) {
            if (b[i] == 0) {
                list.add(new String(b, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        return list;
    }

    private String stringArray(Payload p) {
        byte[] b = p.array();
        int from = p.offset();
        int length = p.length();
        LineBuffer sb = new LineBuffer(64);
        sb.append('[');
        int start = 0;
        int n = 0;
        boolean more = p.truncated();
        for (int i = 0; i <= length; i++) {
            boolean end = i == length;
            if (end && start == length) {
                break;
            }
            if (end || b[from + i] == 0) {
                if (n == limit) {
                    // strace prints at most -s elements of an array, then "...".
                    more = true;
                    break;
                }
                if (n++ > 0) {
                    sb.append(", ");
                }
                // A last string without its NUL was cut by the capture limit.
                int shown = Math.min(i - start, limit);
                StringQuoter.quote(sb, b, from + start, shown, false, i - start > limit || end);
                start = i + 1;
            }
        }
        if (more) {
            sb.append(n > 0 ? ", ..." : "...");
        }
        return sb.append(']').toString();
    }

    // ---- syscall-specific layouts -----------------------------------------------------------

    private void openLike(int flagsIndex) {
        long flagsValue = r.arg(flagsIndex);
        boolean hasMode = (flagsValue & (O_CREAT | O_TMPFILE_BIT)) != 0;
        generic(hasMode ? flagsIndex + 2 : flagsIndex + 1);
    }

    private void mknodLike(int pathIndex) {
        long mode = r.arg(pathIndex + 1);
        long type = mode & Constants.S_IFMT;
        boolean device = type == 020000 || type == 060000;
        generic(device ? pathIndex + 3 : pathIndex + 2);
    }

    private void cloneArgs() {
        long flags = r.arg(0);
        // strace's order, not the registers' (x86-64 passes flags first).
        add(1, "child_stack=" + StraceFormatter.pointer(r.arg(1)));
        add(0, "flags=" + Constants.CLONE_FLAGS.format(flags, style));
        // The rest is printed when the call returns, and strace puts the separating comma there too.
        exitHalf();
        if ((flags & CLONE_PARENT_SETTID) != 0) {
            nextInExit(2);
            out.append("parent_tid=").append(failed ? StraceFormatter.pointer(r.arg(2))
                    : struct(r.arg(2), r.payload(2), 4, x -> "[" + (int) x.le(0, 4) + "]"));
        }
        if ((flags & CLONE_SETTLS) != 0) {
            nextInExit(4);
            out.append("tls=").append(StraceFormatter.pointer(r.arg(4)));
        }
        if ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) != 0) {
            nextInExit(3);
            out.append("child_tidptr=").append(StraceFormatter.pointer(r.arg(3)));
        }
    }

    private void clone3Args() {
        long address = r.arg(0);
        Optional<Payload> p = r.payload(0).filter(x -> x.length() >= 64);
        mark(out.length(), 0);
        out.append(p.isPresent() ? cloneArgsText(p.get()) : StraceFormatter.pointer(address));
        count = 1;
        exitHalf();
        if (p.isPresent() && !failed) {
            out.append(cloneArgsResults(p.get()));
        }
        nextInExit(1);
        out.unsigned(r.arg(1));
    }

    /**
     * What the kernel wrote through clone_args' pointers: {@code  => {pidfd=[3]}}. Element payload
     * k of argument 0 is the int behind the k-th 64-bit field (1: pidfd, 3: parent_tid).
     */
    private String cloneArgsResults(Payload args) {
        long flags = args.le(0, 8);
        StringBuilder sb = new StringBuilder();
        if ((flags & CLONE_PIDFD) != 0) {
            r.elementPayload(0, 1).filter(x -> x.length() >= 4).ifPresent(x ->
                    sb.append("pidfd=[").append(fd(f, r.tid(), (int) x.le(0, 4))).append(']'));
        }
        if ((flags & CLONE_PARENT_SETTID) != 0) {
            r.elementPayload(0, 3).filter(x -> x.length() >= 4).ifPresent(x ->
                    sb.append(sb.length() > 0 ? ", " : "").append("parent_tid=[").append((int) x.le(0, 4)).append(']'));
        }
        return sb.length() == 0 ? "" : " => {" + sb + "}";
    }

    private String cloneArgsText(Payload p) {
        long flags = p.le(0, 8);
        StringBuilder sb = new StringBuilder("{flags=").append(Constants.CLONE3_FLAGS.format(flags, style));
        if ((flags & CLONE_PIDFD) != 0) {
            sb.append(", pidfd=").append(StraceFormatter.pointer(p.le(8, 8)));
        }
        if ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) != 0) {
            sb.append(", child_tid=").append(StraceFormatter.pointer(p.le(16, 8)));
        }
        if ((flags & CLONE_PARENT_SETTID) != 0) {
            sb.append(", parent_tid=").append(StraceFormatter.pointer(p.le(24, 8)));
        }
        sb.append(", exit_signal=").append(Signals.format(p.le(32, 8), style));
        sb.append(", stack=").append(StraceFormatter.pointer(p.le(40, 8)));
        sb.append(", stack_size=").append(Xlat.hex(p.le(48, 8)));
        if ((flags & CLONE_SETTLS) != 0) {
            sb.append(", tls=").append(StraceFormatter.pointer(p.le(56, 8)));
        }
        if (p.length() >= 88 && (flags & CLONE_INTO_CGROUP) != 0) {
            sb.append(", cgroup=").append((int) p.le(80, 8));
        }
        return sb.append('}').toString();
    }

    private void fcntlArgs() {
        add(fd(f, r.tid(), (int) r.arg(0)), false);
        int cmd = (int) r.arg(1);
        add(Constants.FCNTL_COMMANDS.format(cmd, style), false);
        long arg = r.arg(2);
        switch (cmd) {
            case 1, 3, 9, 11, 1025, 1032, 1034, 1035, 1037 -> { } // F_GET*: no third argument
            case 2 -> add(Constants.FD_FLAGS.format(arg & 0xffffffffL, style), false);
            case 4 -> add(Constants.OPEN_FLAGS.format(arg & 0xffffffffL, style), false);
            case 10 -> add(Signals.format((int) arg, style), false);
            case 0, 1030, 8, 1031, 1024, 1026 -> add(Integer.toString((int) arg), false);
            case 5, 6, 7, 36, 37, 38 -> add(StraceFormatter.pointer(arg), false);
            default -> add(Xlat.hex(arg), false);
        }
        if (!failed) {
            long ret = r.returnValue();
            switch (cmd) {
                // strace names F_GETFL's flags even under -X verbose, but F_GETFD's follow the style.
                case 3 -> result = Xlat.hex(ret) + " (flags " + Constants.OPEN_FLAGS.format(ret) + ")";
                case 1 -> result = ret == 0 ? "0" : Xlat.hex(ret) + " (flags "
                        + Constants.FD_FLAGS.format(ret, style) + ")";
                case 0, 1030 -> result = fd(f, r.tid(), ret);
                default -> { }
            }
        }
    }

    private void ioctlArgs() {
        add(fd(f, r.tid(), (int) r.arg(0)), false);
        long request = r.arg(1) & 0xffffffffL;
        add(ioctlRequest(request), false);
        long arg = r.arg(2);
        Optional<Payload> p = r.payload(2);
        String name = Constants.IOCTL_REQUESTS.nameOf(request).orElse("");
        switch (name) {
            case "FIOCLEX", "FIONCLEX", "TIOCNOTTY", "TIOCEXCL", "TIOCNXCL" -> { }
            case "FIONREAD", "TIOCGPGRP", "TIOCOUTQ", "TIOCGPTN", "TIOCGSID" ->
                    add(failed ? StraceFormatter.pointer(arg) : struct(arg, p, 4, x -> "[" + (int) x.le(0, 4) + "]"),
                            true);
            case "FIONBIO", "TIOCSPGRP", "TIOCSPTLCK", "FIOASYNC" ->
                    add(struct(arg, p, 4, x -> "[" + (int) x.le(0, 4) + "]"), false);
            case "TIOCGWINSZ" -> add(failed ? StraceFormatter.pointer(arg) : struct(arg, p, 8, Structs::winsize), true);
            case "TIOCSWINSZ" -> add(struct(arg, p, 8, Structs::winsize), false);
            case "TCGETS" -> add(failed ? StraceFormatter.pointer(arg) : struct(arg, p, 17,
                    x -> Structs.termios(x, style)), true);
            case "TCSETS", "TCSETSW", "TCSETSF" -> add(struct(arg, p, 17, x -> Structs.termios(x, style)), false);
            case "TCGETS2" -> add(StraceFormatter.pointer(arg), true);
            case "BTRFS_IOC_CLONE or FICLONE" -> add(Integer.toString((int) arg), false); // the source fd
            default -> add(Xlat.hex(arg), false);
        }
    }

    private String ioctlRequest(long request) {
        Optional<String> name = Constants.IOCTL_REQUESTS.nameOf(request);
        String symbolic = name.orElseGet(() -> {
            String[] dirs = {"_IOC_NONE", "_IOC_WRITE", "_IOC_READ", "_IOC_READ|_IOC_WRITE"};
            return "_IOC(" + dirs[(int) (request >>> 30) & 3] + ", " + Xlat.hex((request >>> 8) & 0xff) + ", "
                    + Xlat.hex(request & 0xff) + ", " + Xlat.hex((request >>> 16) & 0x3fff) + ")";
        });
        return style.show(Xlat.hex(request), symbolic);
    }

    private void futexArgs() {
        add(StraceFormatter.pointer(r.arg(0)), false);
        int op = (int) r.arg(1);
        int cmd = op & ~(Constants.FUTEX_PRIVATE_FLAG | Constants.FUTEX_CLOCK_REALTIME);
        add(futexOp(op, cmd), false);
        String val = Integer.toString((int) r.arg(2));
        String val2 = Integer.toUnsignedString((int) r.arg(3));
        String timeout = struct(r.arg(3), r.payload(3), 16, x -> Structs.timespec(x, 0));
        String uaddr2 = StraceFormatter.pointer(r.arg(4));
        int val3 = (int) r.arg(5);
        switch (cmd) {
            case 0 -> { add(val, false); add(timeout, false); }
            case 9 -> { add(val, false); add(timeout, false); add(5, bitset(val3)); }
            case 1, 2 -> add(val, false);
            case 10 -> { add(val, false); add(5, bitset(val3)); }
            case 3 -> { add(val, false); add(val2, false); add(uaddr2, false); }
            case 4, 12 -> { add(val, false); add(val2, false); add(uaddr2, false); add(Integer.toString(val3), false); }
            case 5 -> { add(val, false); add(val2, false); add(uaddr2, false); add(wakeOp(val3), false); }
            case 6, 13 -> add(3, timeout);
            case 7, 8 -> { }
            case 11 -> { add(val, false); add(timeout, false); add(uaddr2, false); }
            default -> {
                for (int i = 2; i < 6; i++) {
                    add(Xlat.hex(r.arg(i)), false);
                }
            }
        }
    }

    private String futexOp(int op, int cmd) {
        if (style == XlatStyle.RAW) {
            return Xlat.hex(op & 0xffffffffL);
        }
        Optional<String> name = Constants.FUTEX_COMMANDS.nameOf(cmd & 0x7f);
        String text;
        if (name.isEmpty() || (cmd & ~0x7f) != 0) {
            text = Xlat.hex(op & 0xffffffffL) + " /* FUTEX_??? */";
        } else {
            text = name.get() + ((op & Constants.FUTEX_PRIVATE_FLAG) != 0 ? "_PRIVATE" : "")
                    + ((op & Constants.FUTEX_CLOCK_REALTIME) != 0 ? "|FUTEX_CLOCK_REALTIME" : "");
        }
        return style == XlatStyle.VERBOSE ? Xlat.hex(op & 0xffffffffL) + " /* " + text + " */" : text;
    }

    private String bitset(int v) {
        if (v != -1 || style == XlatStyle.RAW) {
            return Xlat.hex(v & 0xffffffffL);
        }
        return style == XlatStyle.VERBOSE ? "0xffffffff /* FUTEX_BITSET_MATCH_ANY */" : "FUTEX_BITSET_MATCH_ANY";
    }

    private static String wakeOp(int v) {
        String[] ops = {"FUTEX_OP_SET", "FUTEX_OP_ADD", "FUTEX_OP_OR", "FUTEX_OP_ANDN", "FUTEX_OP_XOR"};
        String[] cmps = {"FUTEX_OP_CMP_EQ", "FUTEX_OP_CMP_NE", "FUTEX_OP_CMP_LT", "FUTEX_OP_CMP_LE",
            "FUTEX_OP_CMP_GT", "FUTEX_OP_CMP_GE"};
        int op = (v >>> 28) & 7;
        int cmp = (v >>> 24) & 0xf;
        StringBuilder sb = new StringBuilder();
        if (((v >>> 28) & 8) != 0) {
            sb.append("FUTEX_OP_OPARG_SHIFT<<28|");
        }
        sb.append(op < ops.length ? ops[op] : Integer.toString(op)).append("<<28|");
        sb.append(Xlat.hex((v >>> 12) & 0xfff)).append("<<12|");
        sb.append(cmp < cmps.length ? cmps[cmp] : Integer.toString(cmp)).append("<<24|");
        sb.append(Xlat.hex(v & 0xfff));
        return sb.toString();
    }

    private void socketArgs() {
        int family = (int) r.arg(0);
        add(Constants.ADDRESS_FAMILIES.format(family, style), false);
        long type = r.arg(1) & 0xffffffffL;
        if (style == XlatStyle.VERBOSE) {
            // strace -X verbose comments the type and the flags one by one: 0x1 /* SOCK_STREAM */|0x80000 /* ... */
            long flagBits = type & ~0xfL;
            add(Constants.SOCKET_TYPES.format(type & 0xf, style)
                    + (flagBits != 0 ? "|" + Constants.SOCKET_FLAGS.format(flagBits, style) : ""), false);
        } else {
            add(Constants.SOCKET_TYPE_FLAGS.format(type, style), false);
        }
        int protocol = (int) r.arg(2);
        Xlat protocols = family == 2 || family == 10 ? Constants.IP_PROTOCOLS
                : family == 16 ? Constants.NETLINK_PROTOCOLS : null;
        add(protocols != null ? protocols.format(protocol, style) : Integer.toString(protocol), false);
        if (sc.name().equals("socketpair")) {
            begin(true);
            render(3, sc.arg(3));
        }
    }

    private void sockoptArgs() {
        boolean get = sc.name().equals("getsockopt");
        add(fd(f, r.tid(), (int) r.arg(0)), false);
        int level = (int) r.arg(1);
        add(Constants.SOCKET_LEVELS.format(level, style), false);
        int optname = (int) r.arg(2);
        Xlat names = switch (level) {
            case 0 -> Constants.IP_OPTIONS;
            case 1 -> Constants.SOL_SOCKET_OPTIONS;
            case 6 -> Constants.TCP_OPTIONS;
            case 41 -> Constants.IPV6_OPTIONS;
            default -> null;
        };
        add(names != null ? names.format(optname, style) : Integer.toString(optname), false);
        Optional<Payload> p = r.payload(3);
        if (get) {
            // The length is value-result: its last 4 bytes are the value at exit.
            int len = r.payload(4).filter(x -> x.length() >= 4).map(x -> (int) x.le(x.length() >= 8 ? 4 : 0, 4))
                    .orElse(-1);
            add(failed ? StraceFormatter.pointer(r.arg(3)) : optval(r.arg(3), p, len, level, optname), true);
            add(failed ? StraceFormatter.pointer(r.arg(4)) : struct(r.arg(4), r.payload(4), 4, ArgDecoder::socklen),
                    true);
        } else {
            int len = (int) r.arg(4);
            add(optval(r.arg(3), p, len, level, optname), false);
            add(Integer.toString(len), false);
        }
    }

    private static final int SO_LINGER = 13;

    private String optval(long address, Optional<Payload> p, int len, int level, int optname) {
        if (address == 0) {
            return "NULL";
        }
        if (level == 1 && optname == SO_LINGER && len == 8) {
            return struct(address, p, 8, x -> "{l_onoff=" + (int) x.le(0, 4) + ", l_linger=" + (int) x.le(4, 4) + "}");
        }
        if (len == 4) {
            return struct(address, p, 4, x -> "[" + (int) x.le(0, 4) + "]");
        }
        return p.map(x -> StringQuoter.buffer(x, Math.max(len, 0), limit, false)).orElse(StraceFormatter.pointer(address));
    }

    private void prctlArgs() {
        int option = (int) r.arg(0);
        add(Constants.PRCTL_OPTIONS.format(option, style), false);
        switch (option) {
            case 15 -> add(r.payload(1).map(x -> StringQuoter.string(x, limit))
                    .orElse(StraceFormatter.pointer(r.arg(1))), false);
            case 16 -> add(failed ? StraceFormatter.pointer(r.arg(1)) : r.payload(1)
                    .map(x -> StringQuoter.string(x, limit)).orElse(StraceFormatter.pointer(r.arg(1))), true);
            case 1 -> add(Signals.format((int) r.arg(1), style), false);
            case 2 -> add(failed ? StraceFormatter.pointer(r.arg(1)) : struct(r.arg(1), r.payload(1), 4,
                    x -> "[" + Signals.format((int) x.le(0, 4), style) + "]"), true);
            case 3, 7, 21, 30, 39, 42, 58 -> { } // PR_GET_* that return their answer
            case 38 -> {
                for (int i = 1; i < 5; i++) {
                    add(Long.toUnsignedString(r.arg(i)), false);
                }
            }
            default -> {
                for (int i = 1; i < 5; i++) {
                    add(Xlat.hex(r.arg(i)), false);
                }
            }
        }
    }

    /**
     * ptrace's arguments as strace 6.1 prints them: what addr and data are depends on the request
     * (docs/trace-format.md, "ptrace"). data's memory is copied once after a successful call
     * ({@code >POINTER(ptrace)}, the largest thing decoded: a user_regs_struct), which holds what a
     * get request filled and, unchanged, what a set request passed.
     */
    private final class PtraceArgs {
        private static final long TRACEME = 0, PEEKTEXT = 1, PEEKDATA = 2, PEEKUSER = 3, POKEUSER = 6, CONT = 7,
                KILL = 8, SINGLESTEP = 9, GETREGS = 12, SETREGS = 13, GETFPREGS = 14, SETFPREGS = 15, ATTACH = 16,
                DETACH = 17, OLDSETOPTIONS = 0x15, SYSCALL = 24, PEEKSIGINFO = 0x4209,
                SYSEMU = 31, SYSEMU_SINGLESTEP = 32, SINGLEBLOCK = 33, SETOPTIONS = 0x4200, GETEVENTMSG = 0x4201,
                GETSIGINFO = 0x4202, SETSIGINFO = 0x4203, GETREGSET = 0x4204, SETREGSET = 0x4205, SEIZE = 0x4206,
                INTERRUPT = 0x4207, LISTEN = 0x4208, GETSIGMASK = 0x420a, SETSIGMASK = 0x420b,
                SECCOMP_GET_FILTER = 0x420c, SECCOMP_GET_METADATA = 0x420d, GET_SYSCALL_INFO = 0x420e;

        private final long request = r.arg(0);
        private final long addr = r.arg(2);
        private final long data = r.arg(3);
        private final Optional<Payload> memory = failed ? Optional.empty() : r.payload(3);

        void decode() {
            add(Constants.PTRACE_REQUESTS.format(request, style), false);
            if (request == TRACEME) {
                return; // pid, addr and data are ignored
            }
            add(Integer.toString((int) r.arg(1)), false);
            if (request == ATTACH || request == INTERRUPT || request == KILL || request == LISTEN) {
                return;
            }
            if (request == GETREGS || request == SETREGS || request == GETFPREGS || request == SETFPREGS) {
                // strace 6.1 leaves the ignored addr out here (data is register 3), and shows the
                // registers; the FP registers' 512 bytes are not copied, their address is shown.
                begin(request == GETREGS || request == GETFPREGS, 3);
                out.append(failed || request == GETFPREGS || request == SETFPREGS ? StraceFormatter.pointer(data)
                        : struct(data, memory, USER_REGS.length * 8, ArgDecoder::userRegs));
                return;
            }
            add(address(), false);
            add(data(), atExit());
        }

        private String address() {
            if (request == PEEKUSER || request == POKEUSER) {
                return userOffset(addr, style);
            }
            if (request == GETREGSET || request == SETREGSET) {
                return Constants.NT_TYPES.format(addr, style);
            }
            if (request == GETSIGMASK || request == SETSIGMASK || request == SECCOMP_GET_FILTER
                    || request == SECCOMP_GET_METADATA || request == GET_SYSCALL_INFO) {
                return Long.toUnsignedString(addr);
            }
            return StraceFormatter.pointer(addr);
        }

        /** Whether strace prints data when the call returns: what the kernel filled. */
        private boolean atExit() {
            return request == PEEKTEXT || request == PEEKDATA || request == PEEKUSER || request == GETEVENTMSG
                    || request == GETREGSET || request == GETSIGINFO || request == GETSIGMASK
                    || request == GET_SYSCALL_INFO || request == SECCOMP_GET_FILTER || request == PEEKSIGINFO;
        }

        private String data() {
            if (request == CONT || request == DETACH || request == SYSCALL || request == SINGLESTEP
                    || request == SYSEMU || request == SYSEMU_SINGLESTEP || request == SINGLEBLOCK) {
                return Signals.format((int) data, style);
            }
            if (request == SEIZE || request == SETOPTIONS || request == OLDSETOPTIONS) {
                return Constants.PTRACE_OPTIONS.format(data, style);
            }
            if (request == PEEKTEXT || request == PEEKDATA || request == PEEKUSER) {
                return struct(data, memory, 8, m -> "[" + StraceFormatter.pointer(m.le(0, 8)) + "]");
            }
            if (request == GETEVENTMSG) {
                return struct(data, memory, 8, m -> "[" + Long.toUnsignedString(m.le(0, 8)) + "]");
            }
            if (request == GETSIGINFO || request == SETSIGINFO) {
                return struct(data, memory, 48, m -> SignalInfo.parse(m).format(style));
            }
            if (request == GETSIGMASK || request == SETSIGMASK) {
                return addr == 8 ? struct(data, memory, 8, m -> Signals.formatSet(m.le(0, 8), 8, style))
                        : StraceFormatter.pointer(data);
            }
            if (request == GETREGSET || request == SETREGSET) {
                // The iovec only: strace also shows the registers iov_base points to (not copied here).
                return struct(data, memory, 16, m -> "{iov_base=" + StraceFormatter.pointer(m.le(0, 8)) + ", iov_len="
                        + Long.toUnsignedString(m.le(8, 8)) + "}");
            }
            if (request == GET_SYSCALL_INFO) {
                long size = Math.min(Long.compareUnsigned(addr, r.returnValue()) < 0 ? addr : r.returnValue(),
                        SYSCALL_INFO_SECCOMP_END);
                return struct(data, memory, 0, m -> syscallInfo(m, size));
            }
            return StraceFormatter.pointer(data);
        }

        /** struct ptrace_syscall_info, as far as both the caller's size and the kernel's answer go. */
        private String syscallInfo(Payload m, long size) {
            if (size <= 0 || m.length() < size) {
                return StraceFormatter.pointer(data);
            }
            StringBuilder sb = new StringBuilder("{op=").append(Constants.PTRACE_SYSCALL_INFO_OPS.format(m.le(0, 1), style));
            int op = (int) m.le(0, 1);
            long arch = size >= 8 ? m.le(4, 4) : 0;
            if (size >= 8) {
                sb.append(", arch=").append(Constants.AUDIT_ARCHES.format(arch, style));
            }
            if (size >= 16) {
                sb.append(", instruction_pointer=").append(StraceFormatter.pointer(m.le(8, 8)));
            }
            if (size >= 24) {
                sb.append(", stack_pointer=").append(StraceFormatter.pointer(m.le(16, 8)));
            }
            if (size >= 32 && (op == 1 || op == 3)) { // entry, seccomp: the call and its arguments
                long nr = m.le(24, 8);
                String number = Long.toUnsignedString(nr);
                String name = arch == 0xc000003eL ? f.syscallConstant(nr) : number;
                sb.append(op == 1 ? ", entry={" : ", seccomp={").append("nr=").append(styled(number, name));
                int args = (int) Math.min(6, (size - 32) / 8);
                if (args > 0) {
                    sb.append(", args=[");
                    for (int i = 0; i < args; i++) {
                        sb.append(i > 0 ? ", " : "").append(Xlat.hex(m.le(32 + 8 * i, 8)));
                    }
                    sb.append(']');
                }
                if (op == 3 && size >= SYSCALL_INFO_SECCOMP_END) {
                    sb.append(", ret_data=").append(Long.toUnsignedString(m.le(80, 4)));
                }
                sb.append('}');
            } else if (size >= 32 && op == 2) { // exit: the result
                long rval = m.le(24, 8);
                boolean error = size >= 33 && m.le(32, 1) != 0;
                sb.append(", exit={rval=");
                int errno = Errno.fromReturn(rval);
                sb.append(error && errno != 0 ? styled(Long.toString(rval),
                        "-" + Errno.byNumber(errno).map(Enum::name).orElse(Integer.toString(errno))) : Long.toString(rval));
                if (size >= 33) {
                    sb.append(", is_error=").append(m.le(32, 1));
                }
                sb.append('}');
            }
            return sb.append('}').toString();
        }
    }

    /** A number with its name as -X asks; a number that has no name stays as it is. */
    private String styled(String number, String name) {
        return number.equals(name) ? number : style.show(number, name);
    }

    /** offsetofend(struct ptrace_syscall_info, seccomp.ret_data): the most strace reads of it. */
    private static final long SYSCALL_INFO_SECCOMP_END = 84;

    /** struct user_regs_struct's fields, in order (sys/user.h). */
    private static final String[] USER_REGS = {"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
        "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds",
        "es", "fs", "gs"};

    /** The fields of struct user after the registers, by offset, and its size: strace's names for PEEKUSER. */
    private static final long[] USER_FIELD_OFFSETS = {216, 224, 736, 744, 752, 760, 768, 776, 784, 792, 800, 808, 816,
        848, 912};
    private static final String[] USER_FIELDS = {"u_fpvalid", "i387", "u_tsize", "u_dsize", "u_ssize", "start_code",
        "start_stack", "signal", "reserved", "u_ar0", "u_fpstate", "magic", "u_comm", "u_debugreg", null};

    /**
     * strace 6.1's names of the registers' offsets for PEEKUSER (sys/reg.h's, as its x86-64 table
     * has them: up to SS, EFLAGS as EFL; fs_base to gs are SS plus something).
     */
    private static final String[] USER_REG_OFFSETS = {"R15", "R14", "R13", "R12", "RBP", "RBX", "R11", "R10", "R9",
        "R8", "RAX", "RCX", "RDX", "RSI", "RDI", "ORIG_RAX", "RIP", "CS", "EFL", "RSP", "SS"};

    /** A PEEKUSER/POKEUSER offset as -X asks: hex, the name, or hex with the name in a comment. */
    static String userOffset(long addr, XlatStyle style) {
        String name = userOffsetName(addr);
        return name == null ? StraceFormatter.pointer(addr) : style.show(StraceFormatter.pointer(addr), name);
    }

    /** 8*REG (+N) within the registers, a struct user field (+N) after them; null beyond struct user. */
    static String userOffsetName(long addr) {
        if (Long.compareUnsigned(addr, 8L * USER_REGS.length) < 0) {
            int reg = (int) Math.min(addr / 8, USER_REG_OFFSETS.length - 1);
            String name = "8*" + USER_REG_OFFSETS[reg];
            long delta = addr - 8L * reg;
            return delta == 0 ? name : name + "+" + delta;
        }
        for (int i = USER_FIELD_OFFSETS.length - 1; i >= 0; i--) {
            if (Long.compareUnsigned(addr, USER_FIELD_OFFSETS[i]) >= 0) {
                if (USER_FIELDS[i] == null) {
                    return addr == USER_FIELD_OFFSETS[i] ? "sizeof(struct user)" : null;
                }
                String name = "offsetof(struct user, " + USER_FIELDS[i] + ")";
                return addr == USER_FIELD_OFFSETS[i] ? name : name + "+" + (addr - USER_FIELD_OFFSETS[i]);
            }
        }
        return null;
    }

    /** A struct user_regs_struct, every field in hex. */
    private static String userRegs(Payload p) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < USER_REGS.length; i++) {
            sb.append(i > 0 ? ", " : "").append(USER_REGS[i]).append('=').append(Xlat.hex(p.le(8 * i, 8)));
        }
        return sb.append('}').toString();
    }

    // ---- iovec ---------------------------------------------------------------------------------

    /**
     * An iovec array: each element's data is its element payload, as much as the element holds for
     * writes, and for reads only what the return value says the kernel filled (nothing on failure,
     * when strace prints the buffer addresses).
     */
    private String iovec(int index, ArgSpec a, long v, Optional<Payload> p) {
        if (v == 0) {
            return "NULL";
        }
        int n = (int) r.arg(index + 1);
        if (p.isEmpty() || p.get().length() < 16L * Math.min(n, limit)) {
            return StraceFormatter.pointer(v);
        }
        long remaining = a.out() ? (failed ? 0 : r.returnValue()) : Long.MAX_VALUE;
        return iovecs(p.get(), n, remaining, a.out() && failed, k -> r.elementPayload(index, k));
    }

    /**
     * {@code n} iovecs of {@code iov}, each one's data from {@code data} (by element), at most
     * {@code remaining} bytes in all; {@code addresses}: the buffers' addresses (a failed read).
     */
    private String iovecs(Payload iov, long n, long remaining, boolean addresses,
            java.util.function.IntFunction<Optional<Payload>> data) {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < n; k++) {
            if (k == limit) {
                sb.append(k > 0 ? ", ..." : "..."); // -s 0: [...]
                break;
            }
            if (k > 0) {
                sb.append(", ");
            }
            long base = iov.le(16 * k, 8);
            long len = iov.le(16 * k + 8, 8);
            String shownData;
            if (addresses) {
                shownData = StraceFormatter.pointer(base);
            } else {
                long shown = Math.min(len, remaining);
                remaining -= shown;
                // nothing to show (an empty buffer, or beyond a read's result): strace prints "",
                // and the runtime copies nothing for it
                shownData = shown == 0 && base != 0 ? "\"\"" : data.apply(k)
                        .map(x -> StringQuoter.buffer(x, shown, limit, false)).orElse(StraceFormatter.pointer(base));
            }
            sb.append("{iov_base=").append(shownData).append(", iov_len=").append(Long.toUnsignedString(len))
                    .append('}');
        }
        return sb.append(']').toString();
    }

    // ---- msghdr -------------------------------------------------------------------------------

    private static final int MSGHDR_SIZE = 56;
    private static final int CMSGHDR_SIZE = 16;
    /** The payload elements of msg_name and msg_control (session.h's JPOLINE_ELEMENT_MSG_*). */
    private static final int MSG_NAME = 0x8000 | 0x3e;
    private static final int MSG_CONTROL = 0x8000 | 0x3d;

    /**
     * sendmsg's message as passed, recvmsg's as the kernel left it (its payload: the header as
     * passed, then as left), as strace prints them: the name to the shorter of the two lengths,
     * {@code msg_namelen=128 => 16} when the kernel changed it, the iovecs up to the result, the
     * control messages; a failed recvmsg shows only the length it was given.
     */
    private String msghdr(int index, ArgSpec a, long v, Optional<Payload> p) {
        boolean received = a.out();
        if (v == 0 || p.isEmpty() || p.get().length() < MSGHDR_SIZE) {
            return StraceFormatter.pointer(v);
        }
        Payload h = p.get();
        int passedNamelen = (int) h.le(8, 4);
        if (received && failed) {
            return "{msg_namelen=" + passedNamelen + "}";
        }
        if (received) {
            if (h.length() < 2 * MSGHDR_SIZE) {
                return StraceFormatter.pointer(v);
            }
            h = h.slice(MSGHDR_SIZE, MSGHDR_SIZE, false);
        }
        long name = h.le(0, 8);
        int namelen = (int) h.le(8, 4);
        long iov = h.le(16, 8);
        long iovlen = h.le(24, 8);
        long control = h.le(32, 8);
        long controllen = h.le(40, 8);
        long flags = h.le(48, 4);
        StringBuilder sb = new StringBuilder("{msg_name=");
        int nameShown = received && namelen > passedNamelen ? passedNamelen : namelen;
        Payload namePayload = r.elementPayload(index, MSG_NAME).orElse(null);
        if (nameShown < 2 || namePayload == null) {
            sb.append(StraceFormatter.pointer(name));
        } else {
            sb.append(Structs.sockaddr(namePayload.slice(0, Math.min(Math.min(nameShown, 128), namePayload.length()),
                    false), style));
        }
        sb.append(", msg_namelen=");
        if (received && passedNamelen != namelen) {
            sb.append(passedNamelen).append(" => ");
        }
        sb.append(namelen).append(", msg_iov=");
        Payload array = r.elementPayload(index, IoDump.elementIovArray(0)).orElse(null);
        if (iov == 0) {
            sb.append("NULL");
        } else if (array == null || array.length() < 16L * Math.min(iovlen, limit)) {
            sb.append(StraceFormatter.pointer(iov));
        } else {
            sb.append(iovecs(array, iovlen, received ? r.returnValue() : Long.MAX_VALUE, false,
                    k -> r.elementPayload(index, IoDump.elementIovData(0, k))));
        }
        sb.append(", msg_iovlen=").append(Long.toUnsignedString(iovlen));
        if (controllen != 0) {
            sb.append(", msg_control=").append(control(control, controllen,
                    r.elementPayload(index, MSG_CONTROL).orElse(null)));
        }
        sb.append(", msg_controllen=").append(Long.toUnsignedString(controllen)).append(", msg_flags=")
                .append(Constants.MSG_FLAGS.format(flags, style)).append('}');
        return sb.toString();
    }

    /**
     * The control messages: each cmsghdr with its data decoded for SOL_SOCKET's SCM_RIGHTS,
     * SCM_CREDENTIALS and SCM_SECURITY, walked as strace walks them (a length beyond the buffer
     * ends the walk, leftover bytes are "..." with their address).
     */
    private String control(long address, long length, Payload c) {
        long controlLen = c == null ? 0 : Math.min(length, c.length());
        if (c == null || controlLen < CMSGHDR_SIZE) {
            return StraceFormatter.pointer(address);
        }
        StringBuilder sb = new StringBuilder("[");
        long left = controlLen;
        int off = 0;
        while (left >= CMSGHDR_SIZE) {
            long cmsgLen = c.le(off, 8);
            int level = (int) c.le(off + 8, 4);
            int type = (int) c.le(off + 12, 4);
            if (off > 0) {
                sb.append(", ");
            }
            sb.append("{cmsg_len=").append(Long.toUnsignedString(cmsgLen)).append(", cmsg_level=")
                    .append(Constants.SOCKET_LEVELS.format(level & 0xffffffffL, style)).append(", cmsg_type=");
            long len = Long.compareUnsigned(cmsgLen, left) > 0 ? left : cmsgLen;
            int dataLen = (int) (len > CMSGHDR_SIZE ? len - CMSGHDR_SIZE : 0);
            cmsgTypeAndData(sb, level, type, c.slice(off + CMSGHDR_SIZE, dataLen, false));
            sb.append('}');
            if (len < CMSGHDR_SIZE) {
                left -= CMSGHDR_SIZE;
                break;
            }
            long step = (cmsgLen + 7) & ~7L;
            if (Long.compareUnsigned(step, left) >= 0) {
                left = 0;
                break;
            }
            off += (int) step;
            left -= step;
        }
        if (left != 0) {
            sb.append(", ... /* ").append(StraceFormatter.pointer(address + (controlLen - left))).append(" */");
        } else if (controlLen < length) {
            sb.append(", ...");
        }
        return sb.append(']').toString();
    }

    private static final int SOL_SOCKET = 1;
    private static final int SOL_IP = 0;

    private void cmsgTypeAndData(StringBuilder sb, int level, int type, Payload data) {
        switch (level) {
            case SOL_SOCKET -> {
                sb.append(Constants.SCM_TYPES.format(type & 0xffffffffL, style));
                if (type == 1 && data.length() >= 4) { // SCM_RIGHTS
                    sb.append(", cmsg_data=").append(list(data.length() / 4, k -> fd(f, r.tid(), (int) data.le(4 * k, 4))));
                } else if (type == 2 && data.length() >= 12) { // SCM_CREDENTIALS
                    sb.append(", cmsg_data={pid=").append((int) data.le(0, 4)).append(", uid=").append(id(data.le(4, 4)))
                            .append(", gid=").append(id(data.le(8, 4))).append('}');
                } else if (type == 3 && data.length() >= 1) { // SCM_SECURITY
                    sb.append(", cmsg_data=").append(StringQuoter.quote(data.array(), data.length(), false, false));
                }
            }
            case SOL_IP -> sb.append(Constants.IP_OPTIONS.format(type & 0xffffffffL, style));
            default -> sb.append(type == 0 ? "0" : "0x" + Integer.toHexString(type));
        }
    }

    private static String id(long v) {
        return (int) v == -1 ? "-1" : Long.toString(v & 0xffffffffL);
    }

    // ---- poll ---------------------------------------------------------------------------------

    private String pollfds(long v, Optional<Payload> p) {
        int n = (int) r.arg(1);
        if (v == 0) {
            return "NULL";
        }
        return p.filter(x -> x.length() >= 8L * Math.min(n, limit)).map(x -> list(n, i -> {
            int fd = (int) x.le(8 * i, 4);
            return "{fd=" + fd(f, r.tid(), fd) + (fd >= 0
                    ? ", events=" + Constants.POLL_EVENTS.format(x.le(8 * i + 4, 2), style) : "") + "}";
        })).orElse(StraceFormatter.pointer(v));
    }

    private void pollResult() {
        if (failed) {
            return;
        }
        long ret = r.returnValue();
        if (ret == 0) {
            resultSuffix = " (Timeout)";
            return;
        }
        // The whole array as copied (up to CaptureSchema.POLLFDS_MAX entries).
        Optional<Payload> p = r.payload(0);
        if (p.isEmpty()) {
            return;
        }
        int n = (int) Math.min(r.arg(1) & 0xffffffffL, p.get().length() / 8);
        StringBuilder sb = new StringBuilder(" ([");
        int shown = 0;
        for (int i = 0; i < n; i++) {
            long revents = p.get().le(8 * i + 6, 2);
            if (revents == 0) {
                continue;
            }
            if (shown > 0) {
                sb.append(", ");
            }
            if (shown++ == limit) { // -s caps the ready ones as strace does: ([...]), ([{...}, ...])
                sb.append("...");
                break;
            }
            sb.append("{fd=").append(fd(f, r.tid(), (int) p.get().le(8 * i, 4))).append(", revents=")
                    .append(Constants.POLL_EVENTS.format(revents, style)).append('}');
        }
        sb.append(']');
        timeLeft(2, false).ifPresent(left -> sb.append(", left ").append(left));
        resultSuffix = sb.append(')').toString();
    }

    // ---- select -------------------------------------------------------------------------------

    /** Bytes of an fd_set that hold nfds bits (whole longs, as the kernel copies them). */
    private int fdSetBytes() {
        int nfds = (int) Math.max(0, Math.min(r.arg(0), 1024));
        return (nfds + 63) / 64 * 8;
    }

    /** The descriptors set in an fd_set copy that starts at {@code off}: {@code [0 3]}. */
    private String fdSet(Payload x, int off) {
        int nfds = (int) Math.max(0, Math.min(r.arg(0), 1024));
        StringBuilder sb = new StringBuilder("[");
        for (int fd = 0; fd < nfds; fd++) {
            if ((x.byteAt(off + fd / 8) & (1 << (fd % 8))) != 0) {
                sb.append(sb.length() > 1 ? " " : "").append(fd);
            }
        }
        return sb.append(']').toString();
    }

    private String sigsetPack(Payload x) {
        long set = x.le(0, 8);
        long size = x.le(8, 8);
        String mask = set == 0 ? "NULL" : r.elementPayload(5, 0).filter(m -> size > 0 && size <= 8 && m.length() >= size)
                .map(m -> Signals.formatSet(m.le(0, (int) size), (int) size, style)).orElse(StraceFormatter.pointer(set));
        return "{sigmask=" + mask + ", sigsetsize=" + Long.toUnsignedString(size) + "}";
    }

    /**
     * strace's select result: {@code (in [0 3], out [4], left {...})} from the sets and timeout as
     * the kernel left them (the second half of their entry+exit payloads), or {@code (Timeout)}.
     */
    private void selectResult() {
        if (failed) {
            return;
        }
        if (r.returnValue() == 0) {
            resultSuffix = " (Timeout)";
            return;
        }
        String[] names = {"in", "out", "except"};
        List<String> parts = new ArrayList<>();
        int half = 128;
        for (int i = 0; i < 3; i++) {
            int arg = i + 1;
            Optional<Payload> p = r.payload(arg).filter(x -> r.arg(arg) != 0 && x.length() >= half + fdSetBytes());
            p.map(x -> fdSet(x, half)).filter(text -> !text.equals("[]")).ifPresent(text -> parts.add(names[arg - 1]
                    + " " + text));
        }
        timeLeft(4, sc.name().equals("select")).ifPresent(left -> parts.add("left " + left));
        if (!parts.isEmpty()) {
            resultSuffix = " (" + String.join(", ", parts) + ")";
        }
    }

    /** The timeout the kernel updated, from the exit half of a 32-byte entry+exit payload. */
    private Optional<String> timeLeft(int arg, boolean timeval) {
        if (r.arg(arg) == 0) {
            return Optional.empty();
        }
        return r.payload(arg).filter(x -> x.length() >= 32)
                .map(x -> timeval ? Structs.timeval(x, 16) : Structs.timespec(x, 16));
    }

    private String epollEvents(long v, Optional<Payload> p) {
        long n = r.returnValue();
        return p.filter(x -> x.length() >= 12 * Math.min(n, limit))
                .map(x -> list(n, i -> Structs.epollEvent(x, 12 * i, style))).orElse(StraceFormatter.pointer(v));
    }

    /**
     * getgroups' and setgroups' lists as strace prints them: NULL, {@code []}, the gids (-1 for
     * (gid_t) -1) up to -s of them then {@code ...}; the address when the count is not a valid one
     * (above NGROUPS_MAX, which also covers a failed getgroups) or the memory was not read.
     */
    private String gidArray(long v, Optional<Payload> p, ArgSpec a) {
        long count = a.out() ? r.returnValue() : r.arg(a.lengthArg());
        count &= 0xffffffffL; // strace reads it as an unsigned int
        if (count > NGROUPS_MAX) {
            return StraceFormatter.pointer(v);
        }
        if (v == 0) {
            return "NULL";
        }
        long n = count;
        return p.filter(x -> x.length() >= 4 * Math.min(n, limit)).map(x -> list(n, i -> {
            long gid = x.le(4 * i, 4);
            return gid == 0xffffffffL ? "-1" : Long.toString(gid);
        })).orElse(count == 0 ? "[]" : StraceFormatter.pointer(v));
    }

    /**
     * An array as strace's print_array writes it: the elements in brackets, at most -s of them,
     * then {@code ...} ({@code [3, ...]}, {@code [...]} with -s 0).
     */
    private String list(long n, java.util.function.IntFunction<String> element) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            if (i == limit) {
                sb.append("...");
                break;
            }
            sb.append(element.apply(i));
        }
        return sb.append(']').toString();
    }

    /**
     * A NUMA node mask as strace prints it: the longs the kernel reads for {@code maxnode}
     * (maxnode - 1 bits), each {@code %#016lx} (0 is sixteen zeros, 1 is 0x00000000000001), up to
     * -s of them; {@code []} for none, the address when maxnode is out of range, the memory was
     * not read or, for a mask the kernel fills, the call failed.
     */
    private String nodemask(long v, Optional<Payload> p, long maxnode, boolean failedOut) {
        long words = Long.divideUnsigned(maxnode + 62, 64);
        if (Long.compareUnsigned(words, Long.divideUnsigned(maxnode, 64)) < 0 || (maxnode != 0 && words == 0)) {
            return StraceFormatter.pointer(v);
        }
        if (v == 0) {
            return "NULL";
        }
        if (words == 0) {
            return "[]";
        }
        if (failedOut) {
            return StraceFormatter.pointer(v);
        }
        return p.filter(x -> x.length() >= 8 * Math.min(words, limit)).map(x -> list(words, k -> {
            long word = x.le(8 * k, 8);
            if (word == 0) {
                return "0000000000000000";
            }
            String hex = Long.toHexString(word);
            return "0x" + "0".repeat(Math.max(0, 14 - hex.length())) + hex;
        })).orElse(StraceFormatter.pointer(v));
    }

    /** Linux's NGROUPS_MAX (sysconf(_SC_NGROUPS_MAX) on x86-64). */
    private static final long NGROUPS_MAX = 65536;

    private static final long TIMER_ABSTIME = 1;

    /** Whether the call ended interrupted by a signal: EINTR, or one of the kernel's restart codes. */
    private boolean interrupted() {
        if (!r.hasReturn()) {
            return false;
        }
        int errno = Errno.fromReturn(r.returnValue());
        return errno == Errno.EINTR.number() || Errno.byNumber(errno).map(Errno::isRestart).orElse(false);
    }

    // ---- numbers ----------------------------------------------------------------------------

    /** C's {@code %#03o}, which strace uses for permission bits: 0 → 000, 022 → 022, 0644 → 0644. */
    static String octal3(long v) {
        String s = v == 0 ? "0" : "0" + Long.toOctalString(v);
        return s.length() >= 3 ? s : "0".repeat(3 - s.length()) + s;
    }

    /** As {@link #octal3(long)}, appended. */
    static void octal3(LineBuffer out, long v) {
        if (v == 0) {
            out.append('0').append('0').append('0');
            return;
        }
        int digits = (64 - Long.numberOfLeadingZeros(v) + 2) / 3;
        for (int i = 1 + digits; i < 3; i++) {
            out.append('0');
        }
        out.append('0').octalDigits(v);
    }

    /** File type names by {@code (mode & S_IFMT) >>> 12}, filled on first use. */
    private static final byte[][] FILE_TYPE_NAMES = new byte[16][];

    /** As {@link #mode(long, XlatStyle)}, appended. */
    static void mode(LineBuffer out, long m, XlatStyle style) {
        long type = m & Constants.S_IFMT;
        if (type == 0) {
            octal3(out, m & 07777);
            return;
        }
        if (style != XlatStyle.ABBREV) {
            out.append(mode(m, style));
            return;
        }
        int slot = (int) (type >>> 12);
        byte[] name = FILE_TYPE_NAMES[slot];
        if (name == null) {
            name = LineBuffer.ascii(Constants.FILE_TYPES.nameOf(type).orElse(octal3(type)) + "|");
            FILE_TYPE_NAMES[slot] = name;
        }
        out.append(name);
        if ((m & 04000) != 0) {
            out.append("S_ISUID|");
        }
        if ((m & 02000) != 0) {
            out.append("S_ISGID|");
        }
        if ((m & 01000) != 0) {
            out.append("S_ISVTX|");
        }
        octal3(out, m & 0777);
    }

    /**
     * A mode: {@code S_IFREG|S_ISUID|0755} with a file type, plain {@code 04755} without; with a type,
     * -X raw gives the octal number and -X verbose the number with the names in a comment.
     */
    static String mode(long m, XlatStyle style) {
        long type = m & Constants.S_IFMT;
        if (type == 0) {
            return octal3(m & 07777);
        }
        if (style != XlatStyle.ABBREV) {
            String number = "0" + Long.toOctalString(m);
            return style == XlatStyle.RAW ? number : number + " /* " + mode(m, XlatStyle.ABBREV) + " */";
        }
        StringBuilder sb = new StringBuilder(Constants.FILE_TYPES.nameOf(type).orElse(octal3(type))).append('|');
        if ((m & 04000) != 0) {
            sb.append("S_ISUID|");
        }
        if ((m & 02000) != 0) {
            sb.append("S_ISGID|");
        }
        if ((m & 01000) != 0) {
            sb.append("S_ISVTX|");
        }
        return sb.append(octal3(m & 0777)).toString();
    }

    /** A dev_t in a style: {@code makedev(0x1, 0x3)}, {@code 0x103}, or both. */
    static String makedev(long dev, XlatStyle style) {
        return style.show(Xlat.hex(dev), makedev(dev));
    }

    /** A dev_t as strace prints it: {@code makedev(0x1, 0x3)}. */
    static String makedev(long dev) {
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        return "makedev(" + Xlat.hex(major) + ", " + Xlat.hex(minor) + ")";
    }
}
