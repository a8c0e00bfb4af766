package dev.jpoline.trace;

import dev.jpoline.api.Errno;
import dev.jpoline.api.ReturnKind;
import dev.jpoline.api.Syscall;
import dev.jpoline.api.SyscallTable;
import dev.jpoline.trace.format.FdResolver;
import dev.jpoline.trace.format.Payload;
import dev.jpoline.trace.format.TraceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What each process's descriptors refer to, for {@code -y}, {@code -yy} and {@code -P}. strace reads
 * /proc/PID/fd when the call is made; records are drained after the fact, when the process may
 * have closed the descriptor or exited. So the records say what they can: a successful open,
 * openat, openat2 or creat (a relative name joined to the working directory or to the directory
 * descriptor), dup, dup2, dup3 and fcntl's F_DUPFD copy a descriptor, close and close_range end
 * one, an exec ends those marked close-on-exec, chdir and fchdir move the working directory, and a
 * child starts with its parent's table. Anything else (inherited descriptors, sockets, pipes) is
 * read from {@code /proc/TID/fd/N} when a record needs it (best effort: nothing once the
 * descriptor is closed or the process gone) and then kept like the rest, so that the close of a
 * socket still names it. Used from the draining thread only.
 */
final class FdPaths implements FdResolver {
    private static final int NR_OPEN = 2;
    private static final int NR_CLOSE = 3;
    private static final int NR_PIPE = 22;
    private static final int NR_DUP = 32;
    private static final int NR_DUP2 = 33;
    private static final int NR_SOCKETPAIR = 53;
    private static final int NR_EXECVE = 59;
    private static final int NR_FCNTL = 72;
    private static final int NR_CHDIR = 80;
    private static final int NR_FCHDIR = 81;
    private static final int NR_CREAT = 85;
    private static final int NR_OPENAT = 257;
    private static final int NR_DUP3 = 292;
    private static final int NR_PIPE2 = 293;
    private static final int NR_EXECVEAT = 322;
    private static final int NR_CLOSE_RANGE = 436;
    private static final int NR_OPENAT2 = 437;

    /** The calls that change what descriptors refer to, besides those that return a new one. */
    private static final int[] CHANGES = {NR_OPEN, NR_CREAT, NR_OPENAT, NR_OPENAT2, NR_CLOSE, NR_CLOSE_RANGE, NR_DUP,
        NR_DUP2, NR_DUP3, NR_FCNTL, NR_CHDIR, NR_FCHDIR, NR_EXECVE, NR_EXECVEAT, NR_PIPE, NR_PIPE2, NR_SOCKETPAIR};

    private static final int AT_FDCWD = -100;
    private static final long O_CLOEXEC = 02000000;
    private static final long O_TMPFILE = 020000000;
    private static final int F_DUPFD = 0;
    private static final int F_SETFD = 2;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int FD_CLOEXEC = 1;
    private static final int CLOSE_RANGE_CLOEXEC = 4;
    private static final int EBADF = 9;
    private static final String PIDFD = "anon_inode:[pidfd]";

    /** The syscalls that return a new descriptor: one this table does not follow replaces what was known of its number. */
    private static final boolean[] RETURNS_FD = new boolean[1024];
    /** Of those, the ones whose descriptor may name a path in /proc (the rest make sockets, pipes, anon inodes, memfds). */
    private static final java.util.Set<String> MAY_NAME_A_PATH = java.util.Set.of("open_by_handle_at", "open_tree",
            "pidfd_getfd", "fsmount", "memfd_secret");
    private static final boolean[] PATHLESS = new boolean[1024];

    /**
     * The calls whose records keep the tables right: traced whenever descriptors are followed,
     * whatever -e trace= prints. Every call that makes a descriptor is one: a number the tables
     * think closed (or never saw) must not be read from /proc after it was reused.
     */
    static final int[] TRACKED;

    static {
        java.util.TreeSet<Integer> tracked = new java.util.TreeSet<>();
        for (int n : CHANGES) {
            tracked.add(n);
        }
        for (Syscall s : SyscallTable.x86_64().all()) {
            if (s.number() >= 0 && s.number() < RETURNS_FD.length && s.returns() == ReturnKind.FD) {
                RETURNS_FD[s.number()] = true;
                PATHLESS[s.number()] = !MAY_NAME_A_PATH.contains(s.name());
                tracked.add(s.number());
            }
        }
        TRACKED = tracked.stream().mapToInt(Integer::intValue).toArray();
    }

    /** What one descriptor refers to. */
    static final class Entry {
        /** Not known from the records: /proc is asked (after a close, or a descriptor made by a call not followed). */
        static final Entry UNKNOWN = new Entry(null, null, false, false);
        /**
         * Made by a call that makes no file of a path (socket, pipe, eventfd...): /proc is asked as
         * for {@link #UNKNOWN}, but an answer that is a path is not believed. The records are
         * drained after the fact: by then the number may have been closed and reused for a file,
         * which /proc would name instead (and -P would match).
         */
        static final Entry ANONYMOUS = new Entry(null, null, false, false);

        /** What -y prints: the name as opened (made absolute), or the /proc link; null for {@link #UNKNOWN}. */
        final String shown;
        /** What -P compares: the kernel's name for it (symlinks resolved, no " (deleted)"), as well as known. */
        final String real;
        /** Read from /proc, not learnt from a call: forgotten at an exec, which may have closed it. */
        final boolean learned;
        boolean cloexec;
        /** -yy: the socket's protocol as the kernel names it, when it is a socket read from /proc. */
        String protocol;
        /** -yy: the text that stands for it when it is not its path (a device's, a pidfd's); "" for none; null until worked out. */
        String detail;

        Entry(String shown, String real, boolean learned, boolean cloexec) {
            this.shown = shown;
            this.real = real;
            this.learned = learned;
            this.cloexec = cloexec;
        }

        Entry copy(boolean closeOnExec) {
            if (this == UNKNOWN || this == ANONYMOUS) {
                return this;
            }
            Entry e = new Entry(shown, real, learned, closeOnExec);
            e.protocol = protocol;
            e.detail = detail;
            return e;
        }
    }

    /** One process's descriptors and working directory. */
    private static final class Table {
        final Map<Integer, Entry> fds = new HashMap<>();
        /** Absolute; null when not known. */
        String cwd;

        Table copy() {
            Table t = new Table();
            fds.forEach((fd, e) -> t.fds.put(fd, e.copy(e.cloexec)));
            t.cwd = cwd;
            return t;
        }
    }

    private final Map<Integer, Integer> processOf = new HashMap<>();
    private final Map<Integer, Table> tables = new HashMap<>();
    /** -P: the names of opened files resolved as the kernel names them, for the comparison. */
    private boolean realPaths;
    /** -yy: socket details; null for -y's paths only. */
    private SocketDetails sockets;

    /** -P compares the kernel's names: resolve the names of opened files (costs a realpath per open). */
    void realPaths() {
        realPaths = true;
    }

    /** -yy: descriptors print as strace's -yy prints them, sockets described by {@code sockets}. */
    void detailed(SocketDetails sockets) {
        this.sockets = sockets;
    }

    /** Before a record's line is formatted: learn what its call opened, copied or moved. */
    void before(TraceRecord r) {
        int pid = r.pid();
        processOf.put(r.tid(), pid);
        Table t = table(pid, r.tid());
        if (!r.hasReturn() || Errno.fromReturn(r.returnValue()) != 0) {
            return;
        }
        int nr = (int) r.number();
        long ret = r.returnValue();
        switch (nr) {
            case NR_OPEN -> opened(r, t, AT_FDCWD, 0, r.arg(1));
            case NR_CREAT -> opened(r, t, AT_FDCWD, 0, 0);
            case NR_OPENAT -> opened(r, t, (int) r.arg(0), 1, r.arg(2));
            case NR_OPENAT2 -> {
                Payload how = r.payloadOrNull(2);
                opened(r, t, (int) r.arg(0), 1, how != null && how.length() >= 8 ? how.le(0, 8) : 0);
            }
            case NR_DUP -> copied(r, t, (int) r.arg(0), (int) ret, false);
            case NR_DUP2 -> {
                if ((int) r.arg(0) != (int) r.arg(1)) {
                    copied(r, t, (int) r.arg(0), (int) ret, false);
                }
            }
            case NR_DUP3 -> copied(r, t, (int) r.arg(0), (int) ret, (r.arg(2) & O_CLOEXEC) != 0);
            case NR_FCNTL -> {
                switch ((int) r.arg(1)) {
                    case F_DUPFD -> copied(r, t, (int) r.arg(0), (int) ret, false);
                    case F_DUPFD_CLOEXEC -> copied(r, t, (int) r.arg(0), (int) ret, true);
                    case F_SETFD -> {
                        Entry e = entry(r.pid(), r.tid(), (int) r.arg(0));
                        if (e != null) {
                            e.cloexec = (r.arg(2) & FD_CLOEXEC) != 0;
                        }
                    }
                    default -> { }
                }
            }
            case NR_CHDIR -> {
                Payload p = r.payloadOrNull(0);
                if (p != null && !p.truncated()) {
                    String to = text(p);
                    String base = to.startsWith("/") ? null : t.cwd;
                    t.cwd = to.startsWith("/") || base != null ? canonical(join(base, to), r.pid(), r.tid()) : null;
                }
            }
            case NR_FCHDIR -> {
                Entry e = entry(r.pid(), r.tid(), (int) r.arg(0));
                t.cwd = e == null ? null : e.real;
            }
            case NR_PIPE, NR_PIPE2, NR_SOCKETPAIR -> {
                Payload pair = r.payloadOrNull(nr == NR_SOCKETPAIR ? 3 : 0);
                if (pair != null && pair.length() >= 8) {
                    t.fds.put((int) pair.le(0, 4), Entry.ANONYMOUS);
                    t.fds.put((int) pair.le(4, 4), Entry.ANONYMOUS);
                }
            }
            default -> {
                if (nr >= 0 && nr < RETURNS_FD.length && RETURNS_FD[nr]) {
                    // A descriptor of its own: not a file these tables know.
                    t.fds.put((int) ret, PATHLESS[nr] ? Entry.ANONYMOUS : Entry.UNKNOWN);
                }
            }
        }
    }

    /** After it: forget what it closed (its own line still names it). */
    void after(TraceRecord r) {
        if (!r.hasReturn()) {
            return;
        }
        int nr = (int) r.number();
        long ret = r.returnValue();
        int errno = Errno.fromReturn(ret);
        Table t = tables.get(r.pid());
        if (t == null) {
            return;
        }
        switch (nr) {
            case NR_CLOSE -> {
                // Linux ends the descriptor whatever the error, except when it was not open.
                if (errno != EBADF) {
                    t.fds.put((int) r.arg(0), Entry.UNKNOWN);
                }
            }
            case NR_CLOSE_RANGE -> {
                if (errno == 0) {
                    long first = r.arg(0) & 0xffffffffL;
                    long last = r.arg(1) & 0xffffffffL;
                    boolean cloexec = (r.arg(2) & CLOSE_RANGE_CLOEXEC) != 0;
                    for (Map.Entry<Integer, Entry> e : t.fds.entrySet()) {
                        long fd = e.getKey() & 0xffffffffL;
                        if (fd >= first && fd <= last && e.getValue() != Entry.UNKNOWN) {
                            if (cloexec) {
                                e.getValue().cloexec = true;
                            } else {
                                e.setValue(Entry.UNKNOWN);
                            }
                        }
                    }
                }
            }
            case NR_EXECVE, NR_EXECVEAT -> {
                if (errno == 0) {
                    t.fds.values().removeIf(e -> e.cloexec || e.learned);
                }
            }
            default -> { }
        }
    }

    /**
     * A process started by a traced fork, vfork or clone without CLONE_THREAD: its table is its
     * parent's; what the child already did (its records may come before its parent's result) stays.
     */
    void inherit(int parentPid, int childPid) {
        Table parent = tables.get(parentPid);
        if (parent == null || parentPid == childPid) {
            return;
        }
        Table child = tables.get(childPid);
        if (child == null) {
            tables.put(childPid, parent.copy());
            return;
        }
        parent.fds.forEach((fd, e) -> child.fds.putIfAbsent(fd, e.copy(e.cloexec)));
        if (child.cwd == null) {
            child.cwd = parent.cwd;
        }
    }

    /**
     * The top-level process, while it is sure to be alive (it waits for the host): its working
     * directory and the descriptors it was given, before its records need them. A later look at
     * /proc would see them as they are then: a dup2 onto one of them would already have replaced it.
     */
    void started(int pid) {
        if (pid <= 0) {
            return;
        }
        Table t = table(pid, pid);
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        if (fds == null) {
            return;
        }
        for (String name : fds) {
            int fd;
            try {
                fd = Integer.parseInt(name);
            } catch (NumberFormatException e) {
                continue;
            }
            String link = "/proc/" + pid + "/fd/" + fd;
            String target = FileFacts.readlink(link);
            if (target != null && !t.fds.containsKey(fd)) {
                t.fds.put(fd, learn(link, target, false, FileFacts.closeOnExec("/proc/" + pid + "/fdinfo/" + fd)));
            }
        }
    }

    /** A process ended: its pid may come back as another one's. */
    void forget(int pid) {
        tables.remove(pid);
    }

    /**
     * As {@link #realPath}, from the records only: what {@code fd} referred to before a call that
     * replaced it (dup2's target), which /proc, read later, cannot say.
     */
    String knownRealPath(int pid, int tid, int fd) {
        Table t = tables.get(pid);
        Entry e = t == null || fd < 0 ? null : t.fds.get(fd);
        return e == null ? null : e.real;
    }

    /** The kernel's name for what {@code fd} of thread {@code tid} of process {@code pid} refers to (what -P compares), or null. */
    String realPath(int pid, int tid, int fd) {
        Entry e = entry(pid, tid, fd);
        return e == null ? null : e.real;
    }

    @Override
    public Optional<String> resolve(int tid, int fd) {
        int pid = processOf.getOrDefault(tid, tid);
        if (fd == AT_FDCWD) {
            return Optional.ofNullable(table(pid, tid).cwd);
        }
        Entry e = entry(pid, tid, fd);
        if (e == null) {
            return Optional.empty();
        }
        if (sockets == null) {
            return Optional.of(e.shown);
        }
        return Optional.of(detailed(e));
    }

    /** strace -yy's text: a socket's details, a device's numbers beside its path, a pidfd's pid, else the path. */
    private String detailed(Entry e) {
        long inode = socketInode(e.shown);
        if (inode > 0) {
            String d = sockets.describe(e.protocol, inode);
            return d != null ? d : e.shown;
        }
        if (e.detail == null) {
            String device = FileFacts.device(e.shown);
            e.detail = device == null ? "" : e.shown + "<" + device + ">";
        }
        return e.detail.isEmpty() ? e.shown : e.detail;
    }

    /** The inode of a {@code socket:[INODE]} link; 0 for anything else. */
    static long socketInode(String link) {
        if (link == null || !link.startsWith("socket:[") || !link.endsWith("]") || link.length() < 10) {
            return 0;
        }
        try {
            return Long.parseLong(link, 8, link.length() - 1, 10);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The entry for {@code fd}, read from /proc (and kept) when the records do not say. */
    private Entry entry(int pid, int tid, int fd) {
        if (fd < 0) {
            return null;
        }
        Table t = table(pid, tid);
        Entry e = t.fds.get(fd);
        if (e != null && e.shown != null) {
            return e;
        }
        String link = "/proc/" + tid + "/fd/" + fd;
        String target = FileFacts.readlink(link);
        if (target == null && tid != pid) {
            link = "/proc/" + pid + "/fd/" + fd;
            target = FileFacts.readlink(link);
        }
        if (target == null) {
            return null;
        }
        if (e == Entry.ANONYMOUS && target.startsWith("/") && !target.startsWith("/memfd:")) {
            return null; // reused for a file since: what the call made is not known any more
        }
        Entry learned = learn(link, target, true, false);
        t.fds.put(fd, learned);
        return learned;
    }

    /** An entry for what /proc says: {@code link} (/proc/PID/fd/N) points to {@code target}. */
    private Entry learn(String link, String target, boolean learned, boolean cloexec) {
        Entry e = new Entry(target, FileFacts.withoutDeleted(link, target), learned, cloexec);
        if (sockets != null) {
            // While it is open: a socket's protocol and a pidfd's process are asked of the descriptor itself.
            if (socketInode(target) > 0) {
                e.protocol = FileFacts.socketProtocol(link);
            } else if (target.equals(PIDFD)) {
                int pidOf = FileFacts.pidfdPid(link.replace("/fd/", "/fdinfo/"));
                e.detail = pidOf > 0 ? "pid:" + pidOf : "";
            }
        }
        return e;
    }

    private Table table(int pid, int tid) {
        Table t = tables.get(pid);
        if (t == null) {
            t = new Table();
            // As early as the records allow: a later chdir's name may be relative to it.
            String cwd = FileFacts.readlink("/proc/" + tid + "/cwd");
            t.cwd = cwd != null ? cwd : FileFacts.readlink("/proc/" + pid + "/cwd");
            tables.put(pid, t);
        }
        return t;
    }

    /** A successful open-like call: its result refers to the file its path argument names. */
    private void opened(TraceRecord r, Table t, int dirfd, int pathArg, long flags) {
        int fd = (int) r.returnValue();
        Payload p = r.payloadOrNull(pathArg);
        if (p == null || p.truncated() || (flags & O_TMPFILE) != 0) {
            t.fds.put(fd, Entry.UNKNOWN); // an O_TMPFILE file has no name: /proc says "/dir/#123 (deleted)"
            return;
        }
        String path = text(p);
        boolean cloexec = (flags & O_CLOEXEC) != 0;
        if (path.startsWith("/")) {
            t.fds.put(fd, new Entry(path, realPaths ? canonical(path, r.pid(), r.tid()) : path, false, cloexec));
            return;
        }
        String base;
        if (dirfd == AT_FDCWD) {
            base = t.cwd;
        } else {
            Entry dir = entry(r.pid(), r.tid(), dirfd);
            base = dir == null ? null : dir.real;
        }
        if (base == null || !base.startsWith("/")) {
            t.fds.put(fd, Entry.UNKNOWN);
            return;
        }
        String name = canonical(join(base, path), r.pid(), r.tid());
        t.fds.put(fd, new Entry(name, name, false, cloexec));
    }

    private void copied(TraceRecord r, Table t, int from, int to, boolean cloexec) {
        Entry e = entry(r.pid(), r.tid(), from);
        t.fds.put(to, e == null ? Entry.UNKNOWN : e.copy(cloexec));
    }

    private static String text(Payload p) {
        byte[] b = new byte[p.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) p.byteAt(i);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String join(String base, String name) {
        if (base == null) {
            return name;
        }
        return base.endsWith("/") ? base + name : base + "/" + name;
    }

    /**
     * The kernel's name for {@code path} as near as the host can tell when it drains the record:
     * realpath, or the realpath of its directory and its last part (a file since unlinked or
     * renamed), or the name with "." and ".." taken out. /proc/self and /proc/thread-self mean the
     * target's, not the host's.
     */
    static String canonical(String path, int pid, int tid) {
        String p = path;
        if (p.equals("/proc/self") || p.startsWith("/proc/self/")) {
            p = "/proc/" + pid + p.substring("/proc/self".length());
        } else if (p.equals("/proc/thread-self") || p.startsWith("/proc/thread-self/")) {
            p = "/proc/" + pid + "/task/" + tid + p.substring("/proc/thread-self".length());
        }
        String real = FileFacts.realpath(p);
        if (real != null) {
            return real;
        }
        String lexical;
        try {
            lexical = Path.of(p).normalize().toString();
        } catch (RuntimeException e) {
            return p;
        }
        int slash = lexical.lastIndexOf('/');
        if (slash > 0) {
            String dir = FileFacts.realpath(lexical.substring(0, slash));
            if (dir != null) {
                return (dir.equals("/") ? "" : dir) + lexical.substring(slash);
            }
        }
        return lexical;
    }
}
