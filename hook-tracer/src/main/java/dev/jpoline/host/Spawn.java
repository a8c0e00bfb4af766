package dev.jpoline.host;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Starts the program with posix_spawn rather than ProcessBuilder, which closes every descriptor
 * above 2 in the child: a program run under jpoline keeps what it was given (a shell's
 * {@code 3<file}, make's jobserver pipes, a socket handed down by its parent), as under strace.
 * The host's own descriptors are closed in the child: those below the highest inherited one one
 * by one, all others with closefrom, which no thread of the host can race (glibc before 2.34 has
 * no closefrom for posix_spawn: there every one is closed by name, and a descriptor another
 * thread opens meanwhile without O_CLOEXEC would reach the program). Started by the script, the
 * environment keeps the order and bytes the host was started with (/proc/self/environ), with
 * jpoline's variables set or removed; a script without "#!" runs through /bin/sh. The child
 * starts with no signal blocked and every signal at its default; the runtime then restores the
 * state jpoline was started with (see {@link Launcher}).
 */
final class Spawn {
    private static final NativeLibrary LIBC = NativeLibrary.getInstance("c");
    private static final Function POSIX_SPAWN = LIBC.getFunction("posix_spawn");
    private static final Function WAITPID = LIBC.getFunction("waitpid");
    private static final int POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int EINTR = 4;
    private static final int ENOEXEC = 8;
    private static final int SIGCHLD = 17;
    private static final long SIG_IGN = 1;
    /** glibc's struct sigaction is 152 bytes on x86-64: handler, mask, flags, restorer. */
    private static final int SIGACTION_BYTES = 256;
    /** Larger than glibc's posix_spawn_file_actions_t (80 bytes) and posix_spawnattr_t (336). */
    private static final int SPAWN_STRUCT_BYTES = 1024;
    private static final int SIGSET_BYTES = 128;

    private Spawn() {}

    /** A start that failed: the errno posix_spawn returned (ENOENT, EACCES, ENOEXEC...). */
    static final class Failed extends Exception {
        final int errno;

        Failed(int errno) {
            super(dev.jpoline.api.Errno.strerror(errno));
            this.errno = errno;
        }
    }

    /**
     * Starts {@code program} with {@code argv} and {@code environment} (each "NAME=value", as
     * bytes), keeping descriptors 0, 1, 2 and those of {@code inheritedList} (see
     * {@link #inheritedDescriptors}); returns its pid.
     */
    static int start(Path program, List<String> argv, List<byte[]> environment, String inheritedList)
            throws Failed {
        reapOwnChildren();
        // One listing serves both: which inherited descriptors are there, which of the host's to close.
        List<Integer> open = openDescriptors();
        int[] inherited = inheritedDescriptors(inheritedList, open);
        try {
            return spawn(program, argv, environment, inherited, open);
        } catch (Failed e) {
            if (e.errno != ENOEXEC) {
                throw e;
            }
            // A script without "#!": run by /bin/sh, as execvp, a shell and ProcessBuilder do.
            List<String> shell = new ArrayList<>(argv.size() + 1);
            shell.add("/bin/sh");
            shell.add(program.toString());
            shell.addAll(argv.subList(1, argv.size()));
            return spawn(Path.of("/bin/sh"), shell, environment, inherited, open);
        }
    }

    /**
     * An ignored SIGCHLD (a daemon's or CI runner's, kept across exec) makes the kernel reap the
     * host's children itself, and the program's exit status would be lost: the host takes the
     * default back. The program still starts with SIGCHLD ignored when jpoline was (the runtime
     * restores the signal state jpoline started with).
     */
    private static void reapOwnChildren() {
        Memory action = new Memory(SIGACTION_BYTES);
        action.clear();
        Function sigaction = LIBC.getFunction("sigaction");
        if (sigaction.invokeInt(new Object[] {SIGCHLD, null, action}) == 0 && action.getLong(0) == SIG_IGN) {
            action.clear(); // SIG_DFL, no mask, no flags
            sigaction.invokeInt(new Object[] {SIGCHLD, action, null});
        }
    }

    private static int spawn(Path program, List<String> argv, List<byte[]> environment, int[] inherited,
            List<Integer> open) throws Failed {
        Charset charset = hostCharset();
        List<byte[]> args = new ArrayList<>(argv.size());
        for (String a : argv) {
            args.add(a.getBytes(charset));
        }
        Memory path = cString(program.toString().getBytes(charset));
        Memory argvArray = pointerArray(args);
        Memory envArray = pointerArray(environment);
        Memory actions = new Memory(SPAWN_STRUCT_BYTES);
        Memory attributes = new Memory(SPAWN_STRUCT_BYTES);
        Memory pid = new Memory(4);
        check(LIBC.getFunction("posix_spawn_file_actions_init").invokeInt(new Object[] {actions}));
        try {
            check(LIBC.getFunction("posix_spawnattr_init").invokeInt(new Object[] {attributes}));
            try {
                closeHostDescriptors(actions, inherited, open);
                Memory signals = new Memory(SIGSET_BYTES);
                LIBC.getFunction("sigemptyset").invokeInt(new Object[] {signals});
                check(LIBC.getFunction("posix_spawnattr_setsigmask").invokeInt(new Object[] {attributes, signals}));
                LIBC.getFunction("sigfillset").invokeInt(new Object[] {signals});
                check(LIBC.getFunction("posix_spawnattr_setsigdefault").invokeInt(new Object[] {attributes, signals}));
                check(LIBC.getFunction("posix_spawnattr_setflags").invokeInt(new Object[] {attributes,
                    (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)}));
                check(POSIX_SPAWN.invokeInt(new Object[] {pid, path, actions, attributes, argvArray, envArray}));
                return pid.getInt(0);
            } finally {
                LIBC.getFunction("posix_spawnattr_destroy").invokeInt(new Object[] {attributes});
            }
        } finally {
            LIBC.getFunction("posix_spawn_file_actions_destroy").invokeInt(new Object[] {actions});
        }
    }

    /** The charset the JVM decoded its arguments and environment with, to encode them back. */
    private static Charset hostCharset() {
        return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    }

    private static void check(int error) throws Failed {
        if (error != 0) {
            throw new Failed(error);
        }
    }

    /**
     * Every descriptor of the host but 0, 1, 2 and the inherited ones is closed in the child:
     * below the highest inherited one by name (a descriptor opened meanwhile by another thread of
     * the host could slip through there, and only there), from there on by closefrom.
     */
    private static void closeHostDescriptors(Memory actions, int[] inherited, List<Integer> open)
            throws Failed {
        int from = 3;
        for (int fd : inherited) {
            from = Math.max(from, fd + 1);
        }
        TreeSet<Integer> keep = new TreeSet<>();
        for (int fd : inherited) {
            keep.add(fd);
        }
        Function addClose = LIBC.getFunction("posix_spawn_file_actions_addclose");
        boolean closeFrom = true;
        Function addCloseFrom = null;
        try {
            addCloseFrom = LIBC.getFunction("posix_spawn_file_actions_addclosefrom_np");
        } catch (UnsatisfiedLinkError e) {
            closeFrom = false; // glibc before 2.34: every descriptor by name
        }
        for (int fd : open) {
            if (fd > 2 && !keep.contains(fd) && (fd < from || !closeFrom)) {
                check(addClose.invokeInt(new Object[] {actions, fd}));
            }
        }
        if (closeFrom) {
            check(addCloseFrom.invokeInt(new Object[] {actions, from}));
        }
    }

    /** The host's open descriptors (the listing's own one included, harmless to close). */
    static List<Integer> openDescriptors() {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path e : entries) {
                try {
                    fds.add(Integer.parseInt(e.getFileName().toString()));
                } catch (NumberFormatException ignored) {
                    // not a descriptor
                }
            }
        } catch (IOException e) {
            // Without /proc, closefrom still closes everything above the inherited descriptors.
        }
        return fds;
    }

    /**
     * The descriptors the jpoline script was started with and passed on to the JVM (its
     * JPOLINE_INHERITED_FDS, "3,7"), those among {@code open}; none when the variable is absent
     * or malformed (jpoline.jar started some other way, or as a library).
     */
    static int[] inheritedDescriptors(String list, List<Integer> open) {
        // Loops, not a pattern and a stream: this runs cold on the way to every program's start,
        // where each first-used stream stage or lambda costs milliseconds.
        if (list == null || list.isEmpty()) {
            return new int[0];
        }
        TreeSet<Integer> fds = new TreeSet<>();
        int value = -1;
        for (int i = 0; i <= list.length(); i++) {
            char c = i < list.length() ? list.charAt(i) : ',';
            if (c >= '0' && c <= '9' && value < 10_000_000) {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
            } else if (c == ',' && value >= 0) {
                fds.add(value);
                value = -1;
            } else {
                return new int[0]; // malformed: none rather than a guess
            }
        }
        int[] out = new int[fds.size()];
        int n = 0;
        for (int fd : fds) {
            if (fd > 2 && open.contains(fd)) {
                out[n++] = fd;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * The host's environment, with {@code set} replacing or adding variables and {@code remove}
     * dropping them. {@code asStarted}: in the order and bytes the process was started with
     * (/proc/self/environ), right for the jpoline script's JVM, which never changes its
     * environment; otherwise the JVM's (a library user's JVM may have been created after a
     * setenv, which /proc/self/environ does not show).
     */
    static List<byte[]> environment(Map<String, String> set, List<String> remove, boolean asStarted) {
        Charset charset = hostCharset();
        LinkedHashMap<String, byte[]> vars = new LinkedHashMap<>();
        byte[] raw = null;
        if (asStarted) {
            try {
                raw = Files.readAllBytes(Path.of("/proc/self/environ"));
            } catch (IOException e) {
                raw = null;
            }
        }
        if (raw != null) {
            int start = 0;
            for (int i = 0; i <= raw.length; i++) {
                if (i == raw.length || raw[i] == 0) {
                    if (i > start) {
                        byte[] entry = Arrays.copyOfRange(raw, start, i);
                        int eq = indexOf(entry, (byte) '=');
                        String name = new String(entry, 0, eq < 0 ? entry.length : eq, charset);
                        vars.putIfAbsent(name, entry);
                    }
                    start = i + 1;
                }
            }
        } else {
            for (Map.Entry<String, String> e : System.getenv().entrySet()) {
                vars.put(e.getKey(), (e.getKey() + "=" + e.getValue()).getBytes(charset));
            }
        }
        for (String name : remove) {
            vars.remove(name);
        }
        for (Map.Entry<String, String> e : set.entrySet()) {
            vars.put(e.getKey(), (e.getKey() + "=" + e.getValue()).getBytes(charset));
        }
        return new ArrayList<>(vars.values());
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Waits for the child and returns its status as a shell reports it: the exit code, or 128 +
     * the signal that killed it.
     */
    static int waitFor(int pid) {
        Memory status = new Memory(4);
        while (true) {
            int r = WAITPID.invokeInt(new Object[] {pid, status, 0});
            if (r == pid) {
                return new Orphans.Ended(pid, status.getInt(0)).shellStatus();
            }
            int errno = Native.getLastError();
            if (r < 0 && errno != EINTR) {
                // One line for the user (Launcher reports these), not a stack trace.
                String message = "cannot wait for the program (pid " + pid + "): "
                        + dev.jpoline.api.Errno.strerror(errno);
                throw new java.io.UncheckedIOException(message, new IOException(message));
            }
        }
    }

    private static Memory cString(byte[] bytes) {
        Memory m = new Memory(bytes.length + 1L);
        m.write(0, bytes, 0, bytes.length);
        m.setByte(bytes.length, (byte) 0);
        return m;
    }

    /** A NULL-terminated array of C strings; the strings live as long as the array (kept by it). */
    private static Memory pointerArray(List<byte[]> strings) {
        long total = 0;
        for (byte[] s : strings) {
            total += s.length + 1;
        }
        Memory array = new Memory(8L * (strings.size() + 1) + Math.max(total, 1));
        long at = 8L * (strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            byte[] s = strings.get(i);
            array.write(at, s, 0, s.length);
            array.setByte(at + s.length, (byte) 0);
            array.setPointer(8L * i, array.share(at));
            at += s.length + 1;
        }
        array.setPointer(8L * strings.size(), Pointer.NULL);
        return array;
    }
}
