package dev.jpoline.trace.format;

import dev.jpoline.api.ArgSpec;
import dev.jpoline.api.Errno;
import dev.jpoline.api.ReturnKind;
import dev.jpoline.api.Syscall;
import dev.jpoline.api.SyscallTable;
import dev.jpoline.api.consts.Constants;
import dev.jpoline.api.consts.Signals;
import dev.jpoline.api.consts.Xlat;
import dev.jpoline.api.consts.XlatStyle;
import java.time.Instant;
import java.time.LocalTime;
import java.util.Optional;
import java.util.Set;

/**
 * Turns trace records into strace's text, line for line: {@code openat(AT_FDCWD, "/etc/passwd",
 * O_RDONLY|O_CLOEXEC) = 3}. Lines carry no trailing newline.
 *
 * <p>Arguments are decoded from the syscall table's argument kinds ({@link ArgDecoder}); a few
 * syscalls whose layout depends on another argument (open's mode, fcntl, ioctl, futex, clone,
 * socket's protocol, prctl, mknod) have their own rules. Syscalls outside {@link #DECODED} print
 * their arguments the way strace prints a syscall it has no decoder for: each in hex.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class StraceFormatter {
    /**
     * The syscalls whose arguments are decoded; the others print raw. Each one has golden tests
     * against strace 6.1 output (see the tests of this package).
     */
    public static final Set<String> DECODED = Set.of(
            // file and descriptor
            "read", "write", "readv", "writev", "preadv", "pwritev", "open", "openat", "openat2", "creat", "close", "close_range", "stat", "fstat",
            "lstat", "newfstatat", "statx", "lseek", "pread64", "pwrite64", "access", "faccessat", "faccessat2",
            "pipe", "pipe2", "dup", "dup2", "dup3", "fcntl", "ioctl", "getdents64", "getcwd", "chdir", "fchdir",
            "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "readlink",
            "readlinkat", "chmod", "fchmod", "fchmodat", "umask", "mknod", "symlink", "link", "truncate",
            "ftruncate", "fsync", "fdatasync", "flock", "poll", "epoll_create", "epoll_create1",
            "epoll_ctl", "epoll_wait", "eventfd2", "memfd_create", "sendfile", "symlinkat", "linkat", "chown",
            "fchown", "lchown", "fchownat", "copy_file_range", "splice", "getgroups", "setgroups", "utimensat", "timer_settime", "timer_gettime",
            "rt_sigsuspend", "timer_create",
            // network
            "socket", "connect", "accept", "accept4", "bind", "listen", "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown",
            "setsockopt", "getsockopt", "getsockname", "getpeername", "socketpair",
            // process
            "clone", "clone3", "fork", "vfork", "execve", "exit", "exit_group", "wait4", "kill", "tgkill",
            "tkill", "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "setuid",
            "setgid", "set_tid_address", "set_robust_list", "prlimit64", "uname", "arch_prctl", "prctl",
            "sched_yield", "getrandom", "rseq", "futex", "ptrace",
            // memory
            "mmap", "mprotect", "munmap", "brk", "mremap", "madvise", "msync", "mbind", "set_mempolicy",
            "get_mempolicy", "migrate_pages",
            // signals and time
            "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "pause", "nanosleep",
            "clock_nanosleep", "clock_gettime", "alarm",
            // simple ones whose table kinds are the whole story, checked by the live strace test
            "getpriority", "setpriority", "unshare", "setns", "sched_getscheduler", "sched_get_priority_max",
            "sched_get_priority_min", "setpgid", "getpgid", "getsid", "setsid", "getpgrp", "setreuid",
            "setresuid", "setresgid", "setregid", "setfsuid", "setfsgid", "inotify_rm_watch", "timerfd_create",
            "eventfd", "fallocate", "fadvise64", "readahead", "sync", "syncfs", "munlockall", "mlockall", "mlock",
            "munlock", "pidfd_open", "timer_delete", "timer_getoverrun", "inotify_init1", "inotify_init",
            "pkey_alloc", "pkey_free", "pidfd_getfd", "process_mrelease", "getcpu", "signalfd4", "memfd_secret",
            "userfaultfd", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
            "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "sysinfo",
            "getrusage", "sched_getaffinity", "sched_setaffinity", "clock_getres", "clock_settime",
            "gettimeofday", "getrlimit", "setrlimit", "getitimer", "setitimer", "select", "pselect6", "ppoll",
            "statfs", "fstatfs");

    private final TraceOptions options;
    private final SyscallTable table;
    /** What the formatter knows about each syscall number, filled on first use. */
    private final SyscallInfo[] infos;
    /** The last second -t/-tt printed, with its text. */
    private volatile ClockText clock;

    public StraceFormatter(TraceOptions options) {
        this(options, SyscallTable.x86_64());
    }

    public StraceFormatter(TraceOptions options, SyscallTable table) {
        this.options = options;
        this.table = table;
        this.infos = new SyscallInfo[table.limit()];
    }

    public TraceOptions options() {
        return options;
    }

    // ---- whole lines -------------------------------------------------------------------------

    /** A complete syscall line: prefix, call, arguments, result. */
    public String formatSyscall(TraceRecord r) {
        LineBuffer line = new LineBuffer();
        appendSyscall(line, r);
        return line.toString();
    }

    /** The entry half of a call another thread's line interrupted: {@code read(3,  <unfinished ...>}. */
    public String formatUnfinished(TraceRecord r) {
        LineBuffer line = new LineBuffer();
        appendUnfinished(line, r);
        return line.toString();
    }

    /** The exit half: {@code <... read resumed>"data", 4096) = 4}. */
    public String formatResumed(TraceRecord r) {
        LineBuffer line = new LineBuffer();
        appendResumed(line, r);
        return line.toString();
    }

    /** A delivered signal: {@code --- SIGCHLD {si_signo=SIGCHLD, ...} ---}. */
    public String formatSignal(int tid, long nanos, SignalInfo info) {
        LineBuffer line = new LineBuffer();
        appendSignal(line, tid, nanos, info);
        return line.toString();
    }

    /** A process exit: {@code +++ exited with 0 +++}. */
    public String formatExited(int tid, long nanos, int exitCode) {
        LineBuffer line = new LineBuffer();
        appendExited(line, tid, nanos, exitCode);
        return line.toString();
    }

    /** A death by signal: {@code +++ killed by SIGSEGV (core dumped) +++}. */
    public String formatKilled(int tid, long nanos, int signo, boolean coreDumped) {
        LineBuffer line = new LineBuffer();
        appendKilled(line, tid, nanos, signo, coreDumped);
        return line.toString();
    }

    // ---- whole lines, appended (no newline) ----------------------------------------------------

    /** {@link #formatSyscall}, appended to {@code out}. */
    public void appendSyscall(LineBuffer out, TraceRecord r) {
        int start = out.length();
        lastNumber.put(r.tid(), (int) r.number());
        prefix(out, r.tid(), r.entryNanos(), r.ip());
        SyscallInfo info = info(r.number());
        out.append(info.nameBytes).append('(');
        ArgDecoder d = arguments(out, r, info, null);
        out.append(')');
        appendResult(out, start, r, info, d);
    }

    /** {@link #formatUnfinished}, appended to {@code out}. */
    public void appendUnfinished(LineBuffer out, TraceRecord r) {
        lastNumber.put(r.tid(), (int) r.number());
        prefix(out, r.tid(), r.entryNanos(), r.ip());
        SyscallInfo info = info(r.number());
        out.append(info.nameBytes).append('(');
        ArgDecoder d = arguments(out, r, info, null);
        if (d != null) {
            out.setLength(d.split); // the entry half only
        }
        out.append(" <unfinished ...>");
    }

    /** {@link #formatResumed}, appended to {@code out}. */
    public void appendResumed(LineBuffer out, TraceRecord r) {
        int start = out.length();
        lastNumber.put(r.tid(), (int) r.number());
        prefix(out, r.tid(), r.exitNanos(), r.ip());
        SyscallInfo info = info(r.number());
        out.append("<... ").append(info.nameBytes).append(" resumed>");
        int args = out.length();
        ArgDecoder d = arguments(out, r, info, null);
        out.delete(args, d != null ? d.split : out.length()); // the exit half only
        out.append(')');
        appendResult(out, start, r, info, d);
    }

    /** {@link #formatSignal}, appended to {@code out}. */
    public void appendSignal(LineBuffer out, int tid, long nanos, SignalInfo info) {
        appendSignal(out, tid, nanos, 0, info);
    }

    /** {@link #formatSignal} of a signal that came at {@code ip} (for -i; 0: unknown). */
    public void appendSignal(LineBuffer out, int tid, long nanos, long ip, SignalInfo info) {
        prefix(out, tid, nanos, ip);
        out.append("--- ").append(Signals.name(info.signo()).orElse(Integer.toString(info.signo()))).append(' ')
                .append(info.format(options.xlatStyle())).append(" ---");
    }

    /** {@link #formatExited}, appended to {@code out}. */
    public void appendExited(LineBuffer out, int tid, long nanos, int exitCode) {
        prefix(out, tid, nanos);
        out.append("+++ exited with ").decimal(exitCode).append(" +++");
    }

    /** {@link #formatKilled}, appended to {@code out}. */
    public void appendKilled(LineBuffer out, int tid, long nanos, int signo, boolean coreDumped) {
        prefix(out, tid, nanos);
        out.append("+++ killed by ").append(Signals.name(signo).orElse(Integer.toString(signo)))
                .append(coreDumped ? " (core dumped) +++" : " +++");
    }

    /**
     * The whole call in pieces, into {@code parts} (cleared first): each argument's text as the
     * line would show it, then the result's (without -T's duration and the alignment). No prefix:
     * the outputs that use pieces name the thread and the time in fields of their own.
     */
    public void render(TraceRecord r, CallParts parts) {
        parts.clear();
        LineBuffer out = parts.text;
        SyscallInfo info = info(r.number());
        parts.name = info.name;
        parts.returned = r.hasReturn() && info.returns != ReturnKind.NONE;
        ArgDecoder d = arguments(out, r, info, parts);
        parts.endArguments(out.length());
        result(out, r, info, d);
        parts.endResult(out.length());
    }

    // ---- pieces ------------------------------------------------------------------------------

    /** The "[pid N] " and timestamp that start a line. */
    String prefix(int tid, long nanos) {
        LineBuffer b = new LineBuffer(64);
        prefix(b, tid, nanos);
        return b.toString();
    }

    /** -n: each thread's last syscall, for its signal and exit lines. */
    private final java.util.Map<Integer, Integer> lastNumber = new java.util.HashMap<>();
    /** -r: the previous line's time. */
    private long lastLineNanos = TraceRecord.NO_TIME;

    private void prefix(LineBuffer out, int tid, long nanos) {
        prefix(out, tid, nanos, 0);
    }

    /** The line's start; {@code ip} is -i's address (0: unknown, "[????????????????] "). */
    private void prefix(LineBuffer out, int tid, long nanos, long ip) {
        if (options.pidPrefix() != TraceOptions.PidPrefix.NONE) {
            int slot = tid & (PID_TEXTS - 1);
            PidText known = pidTexts[slot];
            if (known == null || known.tid != tid) {
                known = new PidText(tid, pidText(tid));
                pidTexts[slot] = known;
            }
            out.append(known.text);
        }
        boolean relative = options.relativeTimestamps() && nanos != TraceRecord.NO_TIME;
        if (options.timestamps() != TraceOptions.Timestamps.NONE && nanos != TraceRecord.NO_TIME) {
            long seconds = Math.floorDiv(nanos, 1_000_000_000L);
            long micros = Math.floorMod(nanos, 1_000_000_000L) / 1000;
            switch (options.timestamps()) {
                case EPOCH_MICROS -> out.decimal(seconds).append('.').zeroPadded(micros, 6);
                case TIME, TIME_MICROS -> {
                    out.append(clock(seconds));
                    if (options.timestamps() == TraceOptions.Timestamps.TIME_MICROS) {
                        out.append('.').zeroPadded(micros, 6);
                    }
                }
                case NONE -> { }
            }
            out.append(' ');
            if (relative) {
                out.append('(').append('+');
                relative(out, nanos);
                out.append(')').append(' ');
                relative = false;
            }
        }
        if (relative) {
            relative(out, nanos);
            out.append(' ');
        }
        if (options.syscallNumbers()) {
            // strace's "[%4u] ": the call's number, or on a thread's other lines its last call's.
            Integer nr = lastNumber.get(tid);
            out.append('[');
            String n = nr == null ? "0" : Integer.toString(nr);
            out.spaces(Math.max(0, 4 - n.length())).append(n).append(']').append(' ');
        }
        if (options.instructionPointer()) {
            out.append('[');
            if (ip == 0) {
                out.append("????????????????");
            } else {
                out.hexZeroPadded(ip, 16);
            }
            out.append(']').append(' ');
        }
    }

    /** -r: "%6ld.%06ld" since the previous line (0 for the first), as strace prints it. */
    private void relative(LineBuffer out, long nanos) {
        long delta = lastLineNanos == TraceRecord.NO_TIME ? 0 : Math.max(0, nanos - lastLineNanos);
        lastLineNanos = nanos;
        String seconds = Long.toString(delta / 1_000_000_000L);
        out.spaces(Math.max(0, 6 - seconds.length())).append(seconds).append('.')
                .zeroPadded((delta % 1_000_000_000L) / 1000, 6);
    }

    /** The "[pid  N] " or "N  " of a thread. */
    private byte[] pidText(int tid) {
        LineBuffer b = new LineBuffer(24);
        switch (options.pidPrefix()) {
            case BRACKETED -> {
                b.append('[').append('p').append('i').append('d').append(' ');
                b.spaces(5 - digits(tid));
                b.decimal(tid).append(']').append(' ');
            }
            case PLAIN -> {
                b.decimal(tid);
                b.spaces(5 - digits(tid));
                b.append(' ');
            }
            case NONE -> { }
        }
        return java.util.Arrays.copyOf(b.array(), b.length());
    }

    private static final int PID_TEXTS = 16;
    /** The pid prefixes of recent threads, by the low bits of the tid. */
    private final PidText[] pidTexts = new PidText[PID_TEXTS];

    private record PidText(int tid, byte[] text) {}

    /** How many chars {@code Integer.toString(v)} has. */
    private static int digits(int v) {
        int n = v < 0 ? 2 : 1;
        for (long t = Math.abs((long) v); t >= 10; t /= 10) {
            n++;
        }
        return n;
    }

    /** -t's {@code HH:MM:SS} of a second, remembered for the next lines of the same second. */
    private byte[] clock(long seconds) {
        ClockText c = clock;
        if (c == null || c.seconds != seconds) {
            LocalTime t = LocalTime.ofInstant(Instant.ofEpochSecond(seconds), options.zone());
            LineBuffer b = new LineBuffer(16);
            b.zeroPadded(t.getHour(), 2).append(':').zeroPadded(t.getMinute(), 2).append(':')
                    .zeroPadded(t.getSecond(), 2);
            c = new ClockText(seconds, java.util.Arrays.copyOf(b.array(), b.length()));
            clock = c;
        }
        return c.text;
    }

    private record ClockText(long seconds, byte[] text) {}

    private void appendResult(LineBuffer line, int start, TraceRecord r, SyscallInfo info, ArgDecoder d) {
        // strace pads with spaces so that "= " starts at the align column, or separates with one space.
        int target = options.alignColumn() - 1;
        int column = line.charsSince(start);
        if (column < target) {
            line.spaces(target - column);
        }
        line.append(EQUALS);
        result(line, r, info, d);
        if (r.injected()) {
            line.append(INJECTED);
        }
        if (options.showDuration() && r.hasReturn() && r.entryNanos() != TraceRecord.NO_TIME
                && r.exitNanos() != TraceRecord.NO_TIME) {
            long ns = Math.max(0, r.exitNanos() - r.entryNanos());
            line.append(' ').append('<').decimal(ns / 1_000_000_000L).append('.')
                    .zeroPadded((ns % 1_000_000_000L) / 1000, 6).append('>');
        }
    }

    private void result(LineBuffer out, TraceRecord r, SyscallInfo info, ArgDecoder d) {
        ReturnKind kind = info.returns;
        if (!r.hasReturn() || kind == ReturnKind.NONE) {
            out.append('?');
            return;
        }
        long ret = r.returnValue();
        int errno = Errno.fromReturn(ret);
        if (errno != 0) {
            out.append(errnoText(errno));
            return;
        }
        if (d != null && d.result != null) {
            out.append(d.result);
            return;
        }
        switch (kind) {
            case HEX -> out.hex(ret);
            case OCTAL -> ArgDecoder.octal3(out, ret); // umask: strace's %#03o, so 0 is 000
            case FD -> ArgDecoder.fd(out, this, r.tid(), ret);
            default -> {
                out.decimal(ret);
                if (d != null && d.resultSuffix != null) {
                    out.append(d.resultSuffix);
                }
            }
        }
    }

    private static final byte[] EQUALS = {' ', '=', ' '};
    private static final byte[] INJECTED = " (INJECTED)".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** "-1 ENOENT (No such file or directory)" and the like, by errno (1..4095). */
    private static final byte[][] ERRNO_TEXT = new byte[4096][];

    private static byte[] errnoText(int errno) {
        byte[] text = ERRNO_TEXT[errno];
        if (text == null) {
            Optional<Errno> e = Errno.byNumber(errno);
            String s;
            if (e.isPresent() && e.get().isRestart()) {
                s = "? " + e.get().name() + " (" + e.get().message() + ")";
            } else {
                s = e.map(x -> "-1 " + x.name() + " (" + Errno.strerror(errno) + ")").orElse("-1 (errno " + errno + ")");
            }
            text = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ERRNO_TEXT[errno] = text;
        }
        return text;
    }

    /**
     * Appends the arguments; null for a syscall printed raw (all arguments in the entry half).
     * {@code parts}: where each argument starts is noted there; null for a line.
     */
    private ArgDecoder arguments(LineBuffer out, TraceRecord r, SyscallInfo info, CallParts parts) {
        if (info.noArguments) {
            return null; // getpid(), sched_yield(): nothing to decode, no result of its own
        }
        if (!info.decoded) {
            for (int i = 0; i < info.argCount; i++) {
                int previousEnd = out.length();
                if (i > 0) {
                    out.append(',').append(' ');
                }
                if (parts != null) {
                    parts.begin(previousEnd, out.length(), i);
                }
                out.hex(r.arg(i));
            }
            return null;
        }
        return new ArgDecoder(this, r, info, out, parts).decode();
    }

    /** The x86-64 name of syscall {@code number} as strace's {@code __NR_} constant, or the number. */
    String syscallConstant(long number) {
        return table.byNumber(number).map(sc -> "__NR_" + sc.name()).orElse(Long.toUnsignedString(number));
    }

    /** strace's pointer: NULL or hex. */
    public static String pointer(long address) {
        return address == 0 ? "NULL" : "0x" + Long.toHexString(address);
    }

    SyscallInfo info(long number) {
        if (number < 0 || number >= infos.length) {
            return new SyscallInfo(table, number, null, options.xlatStyle());
        }
        SyscallInfo info = infos[(int) number];
        if (info == null) {
            info = new SyscallInfo(table, number, table.byNumber(number).orElse(null), options.xlatStyle());
            infos[(int) number] = info;
        }
        return info;
    }

    /**
     * What formatting one syscall number needs, worked out once per formatter: its name as bytes,
     * whether and how its arguments are decoded, the constant tables of its arguments, and the
     * text of the flag and enum values seen recently (those repeat: O_RDONLY|O_CLOEXEC...).
     * Immutable but for that memo, whose entries are immutable: safe to share between threads.
     */
    static final class SyscallInfo {
        static final int GENERIC = 0;
        static final int OPEN = 1;
        static final int OPENAT = 2;
        static final int MKNOD = 3;
        static final int MKNODAT = 4;
        static final int MREMAP = 5;
        static final int CLONE = 6;
        static final int CLONE3 = 7;
        static final int FCNTL = 8;
        static final int IOCTL = 9;
        static final int FUTEX = 10;
        static final int SOCKET = 11;
        static final int SOCKOPT = 12;
        static final int PRCTL = 13;
        static final int RT_SIGRETURN = 14;
        static final int PTRACE = 15;
        static final int POLL_RESULT = 1;
        static final int SELECT_RESULT = 2;
        static final int SCHED_POLICY_RESULT = 3;
        private static final int MEMO_SLOTS = 16;

        final Syscall syscall;
        final String name;
        final byte[] nameBytes;
        final boolean decoded;
        final int argCount;
        final ReturnKind returns;
        final int layout;
        final int resultLayout;
        /** getrandom: the buffer prints as \xNN. */
        final boolean hexBuffer;
        /** Decoded, without arguments and without a result of its own. */
        final boolean noArguments;
        final Xlat[] tables = new Xlat[6];
        final boolean[] wideFlags = new boolean[6];
        private final Memo[][] memos = new Memo[6][];

        private record Memo(long key, byte[] text) {}

        SyscallInfo(SyscallTable table, long number, Syscall sc, XlatStyle style) {
            this.syscall = sc;
            String name = sc != null ? sc.name() : table.nameOf(number);
            this.name = name;
            this.nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            this.decoded = sc != null && DECODED.contains(name);
            this.argCount = sc != null ? sc.argCount() : 6;
            this.returns = sc != null ? sc.returns() : ReturnKind.DECIMAL;
            this.layout = switch (decoded ? name : "") {
                case "open" -> OPEN;
                case "openat" -> OPENAT;
                case "mknod" -> MKNOD;
                case "mknodat" -> MKNODAT;
                case "mremap" -> MREMAP;
                case "clone" -> CLONE;
                case "clone3" -> CLONE3;
                case "fcntl" -> FCNTL;
                case "ioctl" -> IOCTL;
                case "futex" -> FUTEX;
                case "socket", "socketpair" -> SOCKET;
                case "setsockopt", "getsockopt" -> SOCKOPT;
                case "prctl" -> PRCTL;
                case "rt_sigreturn" -> RT_SIGRETURN;
                case "ptrace" -> PTRACE;
                default -> GENERIC;
            };
            this.resultLayout = switch (decoded ? name : "") {
                case "poll", "ppoll" -> POLL_RESULT;
                case "select", "pselect6" -> SELECT_RESULT;
                case "sched_getscheduler" -> SCHED_POLICY_RESULT;
                default -> 0;
            };
            this.hexBuffer = name.equals("getrandom");
            this.noArguments = decoded && argCount == 0 && layout == GENERIC && resultLayout == 0;
            if (sc != null) {
                for (int i = 0; i < sc.argCount(); i++) {
                    ArgSpec a = sc.arg(i);
                    if (a.kind() == dev.jpoline.api.ArgKind.FLAGS || a.kind() == dev.jpoline.api.ArgKind.ENUM) {
                        tables[i] = Constants.get(a.param()).orElse(null);
                        wideFlags[i] = a.param().equals("clone3");
                        memos[i] = new Memo[MEMO_SLOTS];
                    }
                }
            }
        }

        /** The constant table of argument {@code i} (failing as before when there is none). */
        Xlat table(int i, ArgSpec a) {
            return tables[i] != null ? tables[i] : StraceFormatter.table(a.param());
        }

        private static int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h >>> 60) & (MEMO_SLOTS - 1);
        }

        /** The remembered text of argument {@code i}'s value {@code key}, or null. */
        byte[] memo(int i, long key) {
            Memo m = memos[i][slot(key)];
            return m != null && m.key == key ? m.text : null;
        }

        /** Remembers the text (when it is ASCII) and returns it. */
        String remember(int i, long key, String text) {
            for (int k = 0; k < text.length(); k++) {
                if (text.charAt(k) >= 0x80) {
                    return text;
                }
            }
            memos[i][slot(key)] = new Memo(key, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return text;
        }
    }

    XlatStyle style() {
        return options.xlatStyle();
    }

    static Xlat table(String name) {
        return Constants.get(name).orElseThrow(() -> new IllegalStateException("no constant table " + name));
    }
}
