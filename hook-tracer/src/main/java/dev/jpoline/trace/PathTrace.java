package dev.jpoline.trace;

import dev.jpoline.api.ArgSpec;
import dev.jpoline.api.Syscall;
import dev.jpoline.api.SyscallClass;
import dev.jpoline.api.SyscallTable;
import dev.jpoline.trace.format.Payload;
import dev.jpoline.trace.format.StringQuoter;
import dev.jpoline.trace.format.TraceRecord;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code -P PATH}: which calls access the selected paths, by strace 6.1's rules (its pathtrace.c).
 * The set holds every path given and, when it differs, its realpath at start-up. A call is
 * checked only when it takes a file name, a descriptor or a socket (strace's %file, %desc,
 * %network); a path argument matches when it is byte for byte one of the set (a relative name
 * matches only a relative -P given the same way), a descriptor when the name of what it refers to
 * (its /proc link, as {@link FdPaths} knows it) is. Which arguments are looked at depends on the
 * call: arg 0 by default, both descriptors of dup2/dup3/sendfile/tee, the directory descriptor and
 * the name of the *at calls, every descriptor in select's sets and poll's array, mmap's descriptor
 * (arg 4), epoll_ctl's target (arg 2), none for the calls that only make descriptors (socket,
 * pipe, eventfd, accept, ...). Immutable.
 */
public final class PathTrace {
    private static final byte NONE = 0;
    private static final byte PATH_0 = 1;
    private static final byte FD_0 = 2;
    private static final byte FD_0_FD_1 = 3;
    private static final byte FD_0_PATH_1 = 4;
    private static final byte PATH_0_PATH_1 = 5;
    private static final byte PATH_1 = 6;
    private static final byte FD_0_PATH_1_FD_2_PATH_3 = 7;
    private static final byte FD_4 = 8;
    private static final byte FD_1_PATH_2 = 9;
    private static final byte FD_0_FD_2 = 10;
    private static final byte FD_2 = 11;
    private static final byte FD_3_PATH_4 = 12;
    private static final byte SELECT = 13;
    private static final byte POLL = 14;
    private static final byte FSCONFIG = 15;
    private static final byte DUP = 16;

    /** Each syscall's rule, by number. */
    private static final byte[] RULES = rules();

    private final List<String> paths;
    private final List<byte[]> bytes;

    private PathTrace(List<String> paths) {
        this.paths = Collections.unmodifiableList(paths);
        List<byte[]> b = new ArrayList<>();
        for (String p : paths) {
            b.add(p.getBytes(StandardCharsets.UTF_8));
        }
        this.bytes = b;
    }

    /**
     * The set for the paths given (in order, each once), each followed by its realpath when that
     * differs; each such resolution is said on {@code err} as strace says it ({@code Requested path
     * "x" resolved into "/y"}) unless {@code quiet} (strace's {@code -e quiet=path-resolution}).
     */
    public static PathTrace select(List<String> given, boolean quiet, PrintWriter err) {
        List<String> set = new ArrayList<>();
        for (String path : given) {
            add(set, path);
            String real = FileFacts.realpath(path);
            if (real == null || real.equals(path)) {
                continue;
            }
            if (!quiet) {
                err.println("jpoline: Requested path " + quoted(path) + " resolved into " + quoted(real));
                err.flush();
            }
            add(set, real);
        }
        return new PathTrace(set);
    }

    /** A set of exactly these paths, without resolving anything (tests). */
    static PathTrace of(String... paths) {
        List<String> set = new ArrayList<>();
        for (String p : paths) {
            add(set, p);
        }
        return new PathTrace(set);
    }

    private static void add(List<String> set, String path) {
        if (!set.contains(path)) {
            set.add(path);
        }
    }

    private static String quoted(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return StringQuoter.quote(b, b.length, false, false);
    }

    /** The paths compared: those given and their realpaths. */
    public List<String> paths() {
        return paths;
    }

    /**
     * Whether a call of this number may ever match (strace checks no others): the host need not
     * trace the rest under -P.
     */
    public static boolean mayMatch(int number) {
        return number >= 0 && number < RULES.length && RULES[number] != NONE;
    }

    /** Whether the call accesses one of the paths; descriptors are looked up in {@code fds} as the call left them before it ran. */
    boolean matches(TraceRecord r, FdPaths fds) {
        int nr = (int) r.number();
        byte rule = nr >= 0 && nr < RULES.length ? RULES[nr] : NONE;
        return switch (rule) {
            case PATH_0 -> path(r, 0);
            case FD_0 -> fd(r, fds, r.arg(0));
            case FD_0_FD_1 -> fd(r, fds, r.arg(0)) || fd(r, fds, r.arg(1));
            case DUP -> fd(r, fds, r.arg(0)) || replaced(r, fds);
            case FD_0_PATH_1 -> fd(r, fds, r.arg(0)) || path(r, 1);
            case PATH_0_PATH_1 -> path(r, 0) || path(r, 1);
            case PATH_1 -> path(r, 1);
            case FD_0_PATH_1_FD_2_PATH_3 -> fd(r, fds, r.arg(0)) || fd(r, fds, r.arg(2)) || path(r, 1) || path(r, 3);
            case FD_4 -> fd(r, fds, r.arg(4));
            case FD_1_PATH_2 -> fd(r, fds, r.arg(1)) || path(r, 2);
            case FD_0_FD_2 -> fd(r, fds, r.arg(0)) || fd(r, fds, r.arg(2));
            case FD_2 -> fd(r, fds, r.arg(2));
            case FD_3_PATH_4 -> fd(r, fds, r.arg(3)) || path(r, 4);
            case SELECT -> select(r, fds);
            case POLL -> poll(r, fds);
            case FSCONFIG -> switch ((int) r.arg(1)) {
                case 3, 4 -> fd(r, fds, r.arg(4)) || path(r, 3); // FSCONFIG_SET_PATH, _PATH_EMPTY
                case 5 -> fd(r, fds, r.arg(4)); // FSCONFIG_SET_FD
                default -> false;
            };
            default -> false;
        };
    }

    /**
     * Whether an entry half lacks what the rule compares, so that the decision waits for the whole
     * call: poll's array is copied when the call returns.
     */
    boolean decidedAtExit(TraceRecord entry) {
        int nr = (int) entry.number();
        return nr >= 0 && nr < RULES.length && RULES[nr] == POLL && entry.arg(0) != 0 && (int) entry.arg(1) != 0
                && entry.payloadOrNull(0) == null;
    }

    /** A name argument, as the call was given it (a copy cut short cannot be compared). */
    private boolean path(TraceRecord r, int arg) {
        Payload p = r.payloadOrNull(arg);
        if (p == null || p.truncated()) {
            return false;
        }
        for (byte[] b : bytes) {
            if (b.length == p.length() && same(b, p)) {
                return true;
            }
        }
        return false;
    }

    private static boolean same(byte[] b, Payload p) {
        for (int i = 0; i < b.length; i++) {
            if ((b[i] & 0xff) != p.byteAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A descriptor argument (an int: the kernel truncates it), by what it refers to. */
    private boolean fd(TraceRecord r, FdPaths fds, long value) {
        int fd = (int) value;
        if (fd < 0) {
            return false;
        }
        String real = fds.realPath(r.pid(), r.tid(), fd);
        return real != null && paths.contains(real);
    }

    /**
     * dup2's and dup3's target, as it was before the call: when the call replaced it, only the
     * records can say (what /proc says now is what the call, or a later one, made of it).
     */
    private boolean replaced(TraceRecord r, FdPaths fds) {
        int fd = (int) r.arg(1);
        boolean done = r.hasReturn() && r.returnValue() == fd && fd != (int) r.arg(0);
        if (!done) {
            return fd(r, fds, fd);
        }
        String real = fds.knownRealPath(r.pid(), r.tid(), fd);
        return real != null && paths.contains(real);
    }

    /**
     * select and pselect6: every descriptor in the three sets as the call was given them (the
     * first copy of each set; the kernel's rewritten one follows it).
     */
    private boolean select(TraceRecord r, FdPaths fds) {
        int nfds = (int) r.arg(0);
        if (nfds <= 0) {
            return false;
        }
        nfds = Math.min(nfds, 1024 * 1024);
        for (int i = 1; i <= 3; i++) {
            Payload set = r.arg(i) == 0 ? null : r.payloadOrNull(i);
            if (set == null) {
                continue;
            }
            int bits = Math.min(nfds, Math.min(1024, set.length() * 8));
            for (int fd = 0; fd < bits; fd++) {
                if ((set.byteAt(fd / 8) & (1 << (fd % 8))) != 0 && fd(r, fds, fd)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** poll and ppoll: each pollfd's descriptor, as far as the array was read. */
    private boolean poll(TraceRecord r, FdPaths fds) {
        long nfds = Math.min(r.arg(1) & 0xffffffffL, 1024 * 1024);
        Payload array = r.payloadOrNull(0);
        if (nfds == 0 || array == null) {
            return false;
        }
        long n = Math.min(nfds, array.length() / 8);
        for (int i = 0; i < n; i++) {
            if (fd(r, fds, (int) array.le(8 * i, 4))) {
                return true;
            }
        }
        return false;
    }

    private static byte[] rules() {
        byte[] rules = new byte[1024];
        for (Syscall s : SyscallTable.x86_64().all()) {
            int nr = s.number();
            if (nr < 0 || nr >= rules.length) {
                continue;
            }
            boolean file = s.inClass(SyscallClass.FILE);
            if (!file && !s.inClass(SyscallClass.DESC) && !s.inClass(SyscallClass.NETWORK)) {
                continue;
            }
            // strace reads arg 0 of a %file call before the call: a buffer the kernel fills (getcwd's)
            // holds nothing of the call then, and is not compared here.
            boolean in = s.argCount() > 0 && !argOut(s.arg(0));
            rules[nr] = file ? (in ? PATH_0 : NONE) : FD_0;
        }
        set(rules, FD_0_FD_1, 320 /* kexec_file_load */, 40 /* sendfile */, 276 /* tee */);
        set(rules, DUP, 33 /* dup2 */, 292 /* dup3 */);
        set(rules, FD_0_PATH_1, 322 /* execveat */, 269 /* faccessat */, 439 /* faccessat2 */, 268 /* fchmodat */,
                452 /* fchmodat2 */, 260 /* fchownat */, 468 /* file_getattr */, 469 /* file_setattr */, 433 /* fspick */,
                261 /* futimesat */, 464 /* getxattrat */, 254 /* inotify_add_watch */, 465 /* listxattrat */,
                258 /* mkdirat */, 259 /* mknodat */, 442 /* mount_setattr */, 303 /* name_to_handle_at */,
                262 /* newfstatat */, 428 /* open_tree */, 467 /* open_tree_attr */, 257 /* openat */, 437 /* openat2 */,
                267 /* readlinkat */, 466 /* removexattrat */, 463 /* setxattrat */, 332 /* statx */, 263 /* unlinkat */,
                280 /* utimensat */);
        set(rules, PATH_0_PATH_1, 86 /* link */, 165 /* mount */, 155 /* pivot_root */);
        set(rules, PATH_1, 179 /* quotactl */, 88 /* symlink */);
        set(rules, FD_0_PATH_1_FD_2_PATH_3, 265 /* linkat */, 429 /* move_mount */, 316 /* renameat2 */, 264 /* renameat */);
        set(rules, FD_4, 9 /* mmap */);
        set(rules, FD_1_PATH_2, 266 /* symlinkat */);
        set(rules, FD_0_FD_2, 326 /* copy_file_range */, 275 /* splice */);
        set(rules, FD_2, 233 /* epoll_ctl */);
        set(rules, FD_3_PATH_4, 301 /* fanotify_mark */);
        set(rules, SELECT, 23 /* select */, 270 /* pselect6 */);
        set(rules, POLL, 7 /* poll */, 271 /* ppoll */);
        set(rules, FSCONFIG, 431 /* fsconfig */);
        // strace 6.1 checks no argument of these: they make descriptors, or take one it does not follow.
        set(rules, NONE, 288 /* accept4 */, 43 /* accept */, 321 /* bpf */, 213 /* epoll_create */,
                291 /* epoll_create1 */, 290 /* eventfd2 */, 284 /* eventfd */, 300 /* fanotify_init */, 432 /* fsmount */,
                430 /* fsopen */, 253 /* inotify_init */, 294 /* inotify_init1 */, 426 /* io_uring_enter */,
                427 /* io_uring_register */, 425 /* io_uring_setup */, 445 /* landlock_add_rule */,
                444 /* landlock_create_ruleset */, 446 /* landlock_restrict_self */, 319 /* memfd_create */,
                447 /* memfd_secret */, 245 /* mq_getsetattr */, 244 /* mq_notify */, 240 /* mq_open */,
                243 /* mq_timedreceive */, 242 /* mq_timedsend */, 298 /* perf_event_open */, 434 /* pidfd_open */,
                22 /* pipe */, 293 /* pipe2 */, 289 /* signalfd4 */,
                282 /* signalfd */, 41 /* socket */, 53 /* socketpair */, 283 /* timerfd_create */,
                287 /* timerfd_gettime */, 286 /* timerfd_settime */, 323 /* userfaultfd */);
        return rules;
    }

    private static boolean argOut(ArgSpec a) {
        return a.out();
    }

    private static void set(byte[] rules, byte rule, int... numbers) {
        for (int n : numbers) {
            rules[n] = rule;
        }
    }
}
