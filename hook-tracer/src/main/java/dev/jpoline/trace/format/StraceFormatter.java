package dev.jpoline.trace.format;

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
            "epoll_ctl", "epoll_wait", "eventfd2", "memfd_create", "sendfile",
            // network
            "socket", "connect", "accept", "accept4", "bind", "listen", "sendto", "recvfrom", "shutdown",
            "setsockopt", "getsockopt", "getsockname", "getpeername", "socketpair",
            // process
            "clone", "clone3", "fork", "vfork", "execve", "exit", "exit_group", "wait4", "kill", "tgkill",
            "tkill", "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "setuid",
            "setgid", "set_tid_address", "set_robust_list", "prlimit64", "uname", "arch_prctl", "prctl",
            "sched_yield", "getrandom", "rseq", "futex",
            // memory
            "mmap", "mprotect", "munmap", "brk", "mremap", "madvise", "msync",
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

    public StraceFormatter(TraceOptions options) {
        this(options, SyscallTable.x86_64());
    }

    public StraceFormatter(TraceOptions options, SyscallTable table) {
        this.options = options;
        this.table = table;
    }

    public TraceOptions options() {
        return options;
    }

    // ---- whole lines -------------------------------------------------------------------------

    /** A complete syscall line: prefix, call, arguments, result. */
    public String formatSyscall(TraceRecord r) {
        Decoded d = decode(r);
        StringBuilder line = new StringBuilder(prefix(r.tid(), r.entryNanos()));
        line.append(name(r)).append('(').append(d.entry).append(d.exit).append(')');
        appendResult(line, r, d);
        return line.toString();
    }

    /** The entry half of a call another thread's line interrupted: {@code read(3,  <unfinished ...>}. */
    public String formatUnfinished(TraceRecord r) {
        Decoded d = decode(r);
        return prefix(r.tid(), r.entryNanos()) + name(r) + '(' + d.entry + " <unfinished ...>";
    }

    /** The exit half: {@code <... read resumed>"data", 4096) = 4}. */
    public String formatResumed(TraceRecord r) {
        Decoded d = decode(r);
        StringBuilder line = new StringBuilder(prefix(r.tid(), r.exitNanos()));
        line.append("<... ").append(name(r)).append(" resumed>").append(d.exit).append(')');
        appendResult(line, r, d);
        return line.toString();
    }

    /** A delivered signal: {@code --- SIGCHLD {si_signo=SIGCHLD, ...} ---}. */
    public String formatSignal(int tid, long nanos, SignalInfo info) {
        return prefix(tid, nanos) + "--- " + Signals.name(info.signo()).orElse(Integer.toString(info.signo()))
                + ' ' + info.format(options.xlatStyle()) + " ---";
    }

    /** A process exit: {@code +++ exited with 0 +++}. */
    public String formatExited(int tid, long nanos, int exitCode) {
        return prefix(tid, nanos) + "+++ exited with " + exitCode + " +++";
    }

    /** A death by signal: {@code +++ killed by SIGSEGV (core dumped) +++}. */
    public String formatKilled(int tid, long nanos, int signo, boolean coreDumped) {
        return prefix(tid, nanos) + "+++ killed by " + Signals.name(signo).orElse(Integer.toString(signo))
                + (coreDumped ? " (core dumped)" : "") + " +++";
    }

    // ---- pieces ------------------------------------------------------------------------------

    private String name(TraceRecord r) {
        return table.nameOf(r.number());
    }

    /** The "[pid N] " and timestamp that start a line. */
    String prefix(int tid, long nanos) {
        StringBuilder sb = new StringBuilder();
        switch (options.pidPrefix()) {
            case BRACKETED -> {
                String n = Integer.toString(tid);
                sb.append("[pid ");
                for (int i = n.length(); i < 5; i++) {
                    sb.append(' ');
                }
                sb.append(n).append("] ");
            }
            case PLAIN -> {
                int start = sb.length();
                sb.append(tid);
                while (sb.length() - start < 5) {
                    sb.append(' ');
                }
                sb.append(' ');
            }
            case NONE -> { }
        }
        if (options.timestamps() != TraceOptions.Timestamps.NONE && nanos != TraceRecord.NO_TIME) {
            long seconds = Math.floorDiv(nanos, 1_000_000_000L);
            long micros = Math.floorMod(nanos, 1_000_000_000L) / 1000;
            switch (options.timestamps()) {
                case EPOCH_MICROS -> sb.append(seconds).append('.').append(String.format("%06d", micros));
                case TIME, TIME_MICROS -> {
                    LocalTime t = LocalTime.ofInstant(Instant.ofEpochSecond(seconds), options.zone());
                    sb.append(String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond()));
                    if (options.timestamps() == TraceOptions.Timestamps.TIME_MICROS) {
                        sb.append('.').append(String.format("%06d", micros));
                    }
                }
                case NONE -> { }
            }
            sb.append(' ');
        }
        return sb.toString();
    }

    private void appendResult(StringBuilder line, TraceRecord r, Decoded d) {
        // strace pads with spaces so that "= " starts at the align column, or separates with one space.
        int target = options.alignColumn() - 1;
        if (line.length() < target) {
            line.append(" ".repeat(target - line.length()));
        }
        line.append(" = ").append(result(r, d));
        if (options.showDuration() && r.hasReturn() && r.entryNanos() != TraceRecord.NO_TIME
                && r.exitNanos() != TraceRecord.NO_TIME) {
            long ns = Math.max(0, r.exitNanos() - r.entryNanos());
            line.append(String.format(" <%d.%06d>", ns / 1_000_000_000L, (ns % 1_000_000_000L) / 1000));
        }
    }

    private String result(TraceRecord r, Decoded d) {
        Optional<Syscall> sc = table.byNumber(r.number());
        ReturnKind kind = sc.map(Syscall::returns).orElse(ReturnKind.DECIMAL);
        if (!r.hasReturn() || kind == ReturnKind.NONE) {
            return "?";
        }
        long ret = r.returnValue();
        int errno = Errno.fromReturn(ret);
        if (errno != 0) {
            Optional<Errno> e = Errno.byNumber(errno);
            if (e.isPresent() && e.get().isRestart()) {
                return "? " + e.get().name() + " (" + e.get().message() + ")";
            }
            return e.map(x -> "-1 " + x.name() + " (" + Errno.strerror(errno) + ")")
                    .orElse("-1 (errno " + errno + ")");
        }
        if (d.result != null) {
            return d.result;
        }
        return switch (kind) {
            case HEX -> Xlat.hex(ret);
            case OCTAL -> ret == 0 ? "0" : "0" + Long.toOctalString(ret);
            case FD -> ArgDecoder.fd(this, r.tid(), ret);
            default -> Long.toString(ret) + (d.resultSuffix != null ? d.resultSuffix : "");
        };
    }

    private Decoded decode(TraceRecord r) {
        Optional<Syscall> sc = table.byNumber(r.number());
        if (sc.isEmpty() || !DECODED.contains(sc.get().name())) {
            return Decoded.raw(r, sc.map(Syscall::argCount).orElse(6));
        }
        return new ArgDecoder(this, r, sc.get()).decode();
    }

    /** strace's pointer: NULL or hex. */
    public static String pointer(long address) {
        return address == 0 ? "NULL" : "0x" + Long.toHexString(address);
    }

    /** Decoded argument text, split where strace splits an unfinished call. */
    static final class Decoded {
        final String entry;
        final String exit;
        /** Replaces the whole success result (fcntl's "0x800 (flags O_RDONLY)"), or null. */
        final String result;
        /** Appended to a decimal success result (poll's " ([{fd=1, revents=POLLOUT}])"), or null. */
        final String resultSuffix;

        Decoded(String entry, String exit, String result, String resultSuffix) {
            this.entry = entry;
            this.exit = exit;
            this.result = result;
            this.resultSuffix = resultSuffix;
        }

        static Decoded raw(TraceRecord r, int count) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < count; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(Xlat.hex(r.arg(i)));
            }
            return new Decoded(sb.toString(), "", null, null);
        }
    }

    XlatStyle style() {
        return options.xlatStyle();
    }

    static Xlat table(String name) {
        return Constants.get(name).orElseThrow(() -> new IllegalStateException("no constant table " + name));
    }
}
