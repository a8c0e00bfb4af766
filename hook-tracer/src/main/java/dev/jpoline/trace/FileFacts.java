package dev.jpoline.trace;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What the host asks the file system about the target's files and descriptors, the way strace
 * asks it: libc's realpath (Java's toRealPath normalizes a trailing slash away, realpath does not),
 * readlink of /proc/PID/fd/N, a socket's protocol name (its {@code system.sockprotoname}
 * attribute), a device's numbers, a pidfd's process. Every answer is null when the question fails.
 */
final class FileFacts {
    private static final int PATH_MAX = 4096;
    private static final String DELETED = " (deleted)";
    private static Function realpath;
    private static Function getxattr;

    private FileFacts() {}

    private static synchronized boolean bind() {
        if (realpath == null) {
            try {
                NativeLibrary c = NativeLibrary.getInstance("c");
                getxattr = c.getFunction("getxattr");
                realpath = c.getFunction("realpath");
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                return false;
            }
        }
        return true;
    }

    /** The name's bytes and a NUL, as JNA passes a byte array (a copy for the call, no Memory to clean up). */
    private static byte[] cString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    /** realpath's output buffer, one per thread (the drain asks for one per open under -P). */
    private static final ThreadLocal<Memory> RESOLVED = ThreadLocal.withInitial(() -> new Memory(PATH_MAX));

    /** realpath(3): the absolute name with every symlink, "." and ".." resolved; null when a part is missing. */
    static String realpath(String path) {
        if (path.isEmpty() || path.indexOf('\0') >= 0 || !bind()) {
            return null;
        }
        Memory out = RESOLVED.get();
        Pointer p = realpath.invokePointer(new Object[] {cString(path), out});
        if (p == null) {
            return null;
        }
        return out.getString(0, StandardCharsets.UTF_8.name());
    }

    /** The symlink /proc/PID/fd/FD (or /proc/PID/cwd for {@code fd} -100) as the kernel names its target. */
    static String readlink(String link) {
        try {
            return Files.readSymbolicLink(Path.of(link)).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The link's target without the kernel's " (deleted)", when the file was unlinked: strace's
     * test, that the name no longer leads to the file the descriptor holds.
     */
    static String withoutDeleted(String link, String target) {
        if (target.length() <= DELETED.length() || !target.endsWith(DELETED)) {
            return target;
        }
        String name = target.substring(0, target.length() - DELETED.length());
        Object held;
        try {
            held = Files.readAttributes(Path.of(link), BasicFileAttributes.class).fileKey();
        } catch (IOException | RuntimeException e) {
            return target;
        }
        try {
            Object named = Files.readAttributes(Path.of(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            return named != null && named.equals(held) ? target : name;
        } catch (IOException | RuntimeException e) {
            return name;
        }
    }

    /** A socket descriptor's protocol as the kernel names it ("TCP", "UNIX-STREAM"...), read through /proc/PID/fd/N. */
    static String socketProtocol(String link) {
        if (!bind()) {
            return null;
        }
        Memory value = new Memory(256);
        long n = getxattr.invokeLong(new Object[] {cString(link), cString("system.sockprotoname"), value, 255L});
        if (n <= 0) {
            return null;
        }
        byte[] b = value.getByteArray(0, (int) n);
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.ISO_8859_1);
    }

    /** {@code char 1:3} or {@code block 8:0} for a device file; null for anything else. */
    static String device(String path) {
        if (!path.startsWith("/")) {
            return null;
        }
        try {
            java.util.Map<String, Object> st = Files.readAttributes(Path.of(path), "unix:mode,rdev");
            int type = (Integer) st.get("mode") & 0170000;
            if (type != 0020000 && type != 0060000) {
                return null;
            }
            long rdev = (Long) st.get("rdev");
            return (type == 0060000 ? "block " : "char ") + major(rdev) + ":" + minor(rdev);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** glibc's gnu_dev_major. */
    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & 0xfffff000L);
    }

    /** glibc's gnu_dev_minor. */
    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & 0xffffff00L);
    }

    /** Whether /proc/PID/fdinfo/FD's {@code flags:} (octal) hold O_CLOEXEC. */
    static boolean closeOnExec(String fdinfo) {
        try {
            for (String line : Files.readAllLines(Path.of(fdinfo), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("flags:")) {
                    return (Long.parseLong(line.substring(6).strip(), 8) & 02000000) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** The pid a pidfd refers to: the {@code Pid:} line of /proc/PID/fdinfo/FD; -1 when unknown. */
    static int pidfdPid(String fdinfo) {
        try {
            for (String line : Files.readAllLines(Path.of(fdinfo), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Pid:\t")) {
                    return Integer.parseInt(line.substring(5).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
