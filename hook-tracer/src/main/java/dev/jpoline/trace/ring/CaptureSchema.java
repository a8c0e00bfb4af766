package dev.jpoline.trace.ring;

import static dev.jpoline.host.SessionLayout.*;

import dev.jpoline.api.ArgKind;
import dev.jpoline.api.ArgSpec;
import dev.jpoline.api.CaptureRule;
import dev.jpoline.api.Syscall;
import dev.jpoline.api.SyscallTable;
import dev.jpoline.host.Session;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the capture schema into a session: for each traced syscall, which memory the runtime
 * copies into its records (from {@link CaptureRule}, with strace's {@code -s} as the limit for
 * strings and buffers), and whether the syscall is recorded in two halves (docs/trace.md).
 */
public final class CaptureSchema {
    private CaptureSchema() {}

    /** Path names are never cut (strace limits them by PATH_MAX only). */
    static final int PATH_MAX = 4096;
    /** Kernel-filled tables the formatter counts or walks (dirents, CPU masks). */
    static final int TABLE_MAX = 32 * 1024;

    /**
     * Syscalls recorded as an ENTRY record before and an EXIT record after: those that may not
     * return (exit, exec, rt_sigreturn), create processes (so the parent's line comes first), or
     * block for long (so a blocked call shows as unfinished rather than not at all).
     */
    public static final Set<String> SPLIT = Set.of("exit", "exit_group", "execve", "execveat", "rt_sigreturn",
            "clone", "clone3", "fork", "vfork", "wait4", "waitid", "futex", "poll", "ppoll", "select", "pselect6",
            "epoll_wait", "epoll_pwait", "epoll_pwait2", "nanosleep", "clock_nanosleep", "pause", "rt_sigsuspend",
            "rt_sigtimedwait", "accept", "accept4", "connect", "recvfrom", "recvmsg", "recvmmsg", "msgrcv", "semop",
            "semtimedop", "flock", "sigsuspend");

    /** Most pollfd entries copied (32 KiB, half a record): poll's result scans them all. */
    static final int POLLFDS_MAX = 4096;

    /**
     * Syscalls whose captured memory the runtime may read directly (a plain load, no syscall of
     * its own) after the call succeeded, because on success the kernel has read, or written, every
     * byte the rules copy: the hot calls of real workloads. Everything else, and these after a
     * failure, is copied through process_vm_readv, which cannot fault whatever the address. Not
     * here, with the reason: wait4 (WNOHANG returning 0 writes neither status nor rusage),
     * getxattr and the listxattr family (a size of 0 returns the size without writing),
     * recvfrom (MSG_TRUNC returns more than the buffer holds), epoll_ctl (EPOLL_CTL_DEL ignores
     * the event), select and pselect6 (the kernel reads only nfds bits of the 128-byte sets),
     * process_vm_readv/writev (remote addresses), and anything whose argument's type depends on
     * another argument (ioctl, fcntl, futex, prctl, ptrace...). Two kinds are never direct even
     * here, see {@link #directKind}.
     */
    static final Set<String> DIRECT = Set.of("read", "pread64", "write", "pwrite64", "readv", "preadv", "preadv2",
            "writev", "pwritev", "pwritev2", "open", "openat", "creat", "stat", "lstat", "fstat", "newfstatat", "statx",
            "statfs", "fstatfs", "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents",
            "getdents64", "getcwd", "chdir", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat",
            "renameat2", "link", "linkat", "symlink", "symlinkat", "chmod", "fchmodat", "chown", "lchown", "fchownat",
            "truncate", "utimensat", "rt_sigaction", "rt_sigprocmask", "poll", "ppoll", "epoll_wait", "epoll_pwait",
            "nanosleep", "clock_nanosleep", "clock_gettime", "connect", "bind", "sendto", "pipe2", "uname",
            "getrandom", "prlimit64", "sendfile", "sendmsg", "recvmsg");

    /**
     * Kinds the kernel may leave untouched even when the call succeeds: a socklen whose address
     * pointer is NULL, a sockaddr it fills only to the length passed (the copy is 128 bytes),
     * a sleep's remaining time (written only when interrupted).
     */
    private static boolean directKind(ArgSpec a) {
        return a.kind() != ArgKind.SOCKLEN_PTR && !(a.kind() == ArgKind.SOCKADDR && a.out())
                && !"remaining".equals(a.param());
    }

    /**
     * Buffers the kernel reads only as far as the result says (a short write stops at the first
     * unreadable byte): read directly up to the result, the rest through process_vm_readv. A
     * sendmsg's header and iovec array were read whole, its data so far (its name and control
     * data are always copied safely). A recvmsg's exit copy is direct as a whole: the kernel read
     * its header and iovec array and wrote the data up to the result, which bounds what is copied.
     */
    private static boolean upToReturn(ArgSpec a) {
        return !a.out() && (a.kind() == ArgKind.BUFFER_IN || a.kind() == ArgKind.IOVEC || a.kind() == ArgKind.MSGHDR);
    }

    /**
     * The message rules, which {@link CaptureRule#forSyscall} leaves out: sendmsg's msghdr (the
     * header, name, iovecs and their data, control data) as the program passed it, at entry;
     * recvmsg's as the kernel left it, at exit, after its header as passed (for the lengths the
     * caller gave: {@code msg_namelen=128 => 16}), so that the line decodes them as strace does.
     * sendmmsg's and recvmmsg's mmsghdr arrays only for -e read=/write= dumps ({@code dumping}),
     * since their lines do not decode them yet.
     */
    private static List<CaptureRule> withMessages(Syscall s, List<CaptureRule> rules, boolean dumping) {
        List<CaptureRule> extra = switch (s.name()) {
            case "sendmsg" -> List.of(new CaptureRule(1, CaptureRule.Timing.ENTRY, CaptureRule.Shape.MSGHDR, 56, -1));
            case "recvmsg" -> List.of(new CaptureRule(1, CaptureRule.Timing.ENTRY, CaptureRule.Shape.FIXED, 56, -1),
                    new CaptureRule(1, CaptureRule.Timing.EXIT, CaptureRule.Shape.MSGHDR, 56, -1));
            case "sendmmsg" -> dumping
                    ? List.of(new CaptureRule(1, CaptureRule.Timing.ENTRY, CaptureRule.Shape.MMSGHDR, 64, 2)) : List.of();
            case "recvmmsg" -> dumping
                    ? List.of(new CaptureRule(1, CaptureRule.Timing.EXIT, CaptureRule.Shape.MMSGHDR, 64, 2)) : List.of();
            default -> List.of();
        };
        if (extra.isEmpty()) {
            return rules;
        }
        List<CaptureRule> all = new java.util.ArrayList<>(rules);
        all.addAll(extra);
        return all;
    }

    /** Writes the schema entry of every syscall in {@code traced}; others stay empty. */
    public static void write(Session session, SyscallTable table, int[] traced, int stringLimit) {
        write(session, table, traced, stringLimit, Set.of());
    }

    /**
     * As above; the data buffers of the syscalls named in {@code whole} (-e read= and -e write=,
     * {@code IoDump.capturedSyscalls}) are captured whole, up to what a record holds, instead of
     * {@code -s} bytes, and sendmmsg/recvmmsg among them get their messages' data.
     */
    public static void write(Session session, SyscallTable table, int[] traced, int stringLimit, Set<String> whole) {
        ByteBuffer m = session.memory().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int schema = (int) session.getLong(OFF_SCHEMA_OFFSET);
        // A record holds at most RECORD_MAX bytes; in a small ring (tests) the buffers of a vector
        // (an array and 32 buffers) at this cap must still fit in half of it.
        int wholeCap = (int) Math.min(RECORD_MAX, session.getLong(OFF_RING_SIZE) / 64);
        for (int nr : traced) {
            if (nr < 0 || nr >= TIER_COUNT) {
                continue;
            }
            Optional<Syscall> sc = table.byNumber(nr);
            int at = schema + nr * SCHEMA_ENTRY_SIZE;
            if (sc.isEmpty()) {
                continue;
            }
            Syscall s = sc.get();
            List<CaptureRule> rules = CaptureRule.forSyscall(s);
            boolean isWhole = whole.contains(s.name());
            int bufferCap = isWhole ? wholeCap : stringLimit;
            rules = withMessages(s, rules, isWhole);
            int count = Math.min(rules.size(), SCHEMA_MAX_RULES);
            m.put(at + SCHEMA_FLAGS, (byte) (SPLIT.contains(s.name()) ? SCHEMA_SPLIT : 0));
            m.put(at + SCHEMA_RULE_COUNT, (byte) count);
            for (int i = 0; i < count; i++) {
                CaptureRule r = rules.get(i);
                ArgKind kind = s.arg(r.arg()).kind();
                int p = at + SCHEMA_RULES + i * RULE_SIZE;
                m.put(p + RULE_ARG, (byte) r.arg());
                m.put(p + RULE_TIMING, (byte) switch (r.timing()) {
                    case ENTRY -> AT_ENTRY;
                    case EXIT -> AT_EXIT;
                    case ENTRY_AND_EXIT -> AT_ENTRY_AND_EXIT;
                });
                int elem = r.size();
                int cap;
                int shape;
                switch (r.shape()) {
                    case C_STRING -> {
                        shape = SHAPE_C_STRING;
                        cap = kind == ArgKind.PATH ? PATH_MAX : stringLimit + 1;
                    }
                    case STRING_ARRAY -> {
                        shape = SHAPE_STRING_ARRAY;
                        // argv: -s strings of -s bytes; envp prints only its count
                        elem = kind == ArgKind.ENV_ARRAY ? 0 : stringLimit + 1;
                        cap = kind == ArgKind.ENV_ARRAY ? 4096 : Math.max(stringLimit, 1);
                    }
                    case FIXED -> {
                        shape = SHAPE_FIXED;
                        cap = elem;
                    }
                    case LENGTH_ARG -> {
                        shape = SHAPE_LENGTH_ARG;
                        cap = kind == ArgKind.BUFFER_IN ? bufferCap : PATH_MAX;
                    }
                    case LENGTH_RETURN -> {
                        shape = SHAPE_LENGTH_RETURN;
                        cap = kind == ArgKind.BUFFER_OUT ? bufferCap : TABLE_MAX;
                    }
                    case ARRAY_ARG -> {
                        shape = SHAPE_ARRAY_ARG;
                        // poll's ready list comes from the whole array (strace scans every entry),
                        // not only from the -s entries the call's own list shows.
                        cap = kind == ArgKind.POLLFDS ? elem * POLLFDS_MAX : elem * (Math.max(stringLimit, 1) + 1);
                    }
                    case ARRAY_RETURN -> {
                        shape = SHAPE_ARRAY_RETURN;
                        cap = elem * (Math.max(stringLimit, 1) + 1);
                    }
                    case IOVEC -> {
                        shape = SHAPE_IOVEC;
                        cap = bufferCap;
                    }
                    case MSGHDR -> {
                        shape = SHAPE_MSGHDR;
                        cap = bufferCap;
                    }
                    case MMSGHDR -> {
                        shape = SHAPE_MMSGHDR;
                        cap = bufferCap;
                    }
                    case NODEMASK -> {
                        // -s words are printed, then "..."
                        shape = SHAPE_NODEMASK;
                        cap = elem * (Math.max(stringLimit, 1) + 1);
                    }
                    default -> throw new IllegalStateException("unknown capture shape " + r.shape());
                }
                ArgSpec spec = s.arg(r.arg());
                boolean direct = DIRECT.contains(s.name()) && directKind(spec);
                m.put(p + RULE_SHAPE, (byte) shape);
                m.put(p + RULE_LENGTH_ARG, (byte) (r.lengthArg() < 0 ? 0xff : r.lengthArg()));
                m.putInt(p + RULE_ELEM, elem);
                m.putInt(p + RULE_CAP, cap);
                boolean remaining = "remaining".equals(s.arg(r.arg()).param());
                ArgKind length = r.lengthArg() < 0 ? null : s.arg(r.lengthArg()).kind();
                boolean length32 = length == ArgKind.INT || length == ArgKind.UINT || r.shape() == CaptureRule.Shape.MMSGHDR;
                m.putInt(p + RULE_FLAGS, (direct ? RULE_DIRECT : 0) | (direct && upToReturn(spec) ? RULE_UP_TO_RETURN : 0)
                        | (remaining ? RULE_AFTER_EINTR : 0) | (length32 ? RULE_LENGTH_32 : 0));
            }
        }
    }
}
