package dev.jpoline.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths as the target process sees them, resolved through its /proc entries. */
final class TargetPaths {
    static final int AT_FDCWD = -100;

    private TargetPaths() {}

    /** The absolute path {@code path} names for process {@code pid}, relative to {@code dirfd}. */
    static String resolve(long pid, int dirfd, String path) {
        if (path == null || path.startsWith("/")) {
            return path;
        }
        Path base = dirfd == AT_FDCWD ? Path.of("/proc", Long.toString(pid), "cwd")
                : Path.of("/proc", Long.toString(pid), "fd", Integer.toString(dirfd));
        try {
            return Files.readSymbolicLink(base).resolve(path).normalize().toString();
        } catch (IOException e) {
            return path; // the process or descriptor is gone; the kernel will say so
        }
    }

    /** The path behind descriptor {@code fd} of process {@code pid}, or null. */
    static String ofDescriptor(long pid, int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd))).toString();
        } catch (IOException e) {
            return null;
        }
    }
}
