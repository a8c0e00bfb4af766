package dev.jpoline.rewriter.maps;

/**
 * One line of {@code /proc/PID/maps}: a contiguous virtual-memory area of a process.
 *
 * @param start first address of the area
 * @param end address one past the last byte of the area
 * @param perms the raw four-character permission field, e.g. {@code "r-xp"}
 * @param offset offset into the mapped file of the byte at {@code start} (0 for anonymous areas)
 * @param deviceMajor major number of the device holding the file
 * @param deviceMinor minor number of the device holding the file
 * @param inode inode of the mapped file, 0 for anonymous and pseudo areas
 * @param path the path exactly as the kernel printed it: empty for anonymous areas, a bracketed
 *     name such as {@code [vdso]} or {@code [stack]} for pseudo areas, and with a
 *     {@code " (deleted)"} suffix when the file was unlinked after it was mapped
 */
public record MapsEntry(
        long start, long end, String perms, long offset, int deviceMajor, int deviceMinor, long inode,
        String path) {

    static final String DELETED_SUFFIX = " (deleted)";

    public MapsEntry {
        if (Long.compareUnsigned(start, end) > 0) {
            throw new IllegalArgumentException(
                    "maps entry start 0x" + Long.toHexString(start) + " is above its end 0x" + Long.toHexString(end));
        }
        if (perms.length() != 4) {
            throw new IllegalArgumentException("maps permissions must have 4 characters, got '" + perms + "'");
        }
    }

    public boolean readable() {
        return perms.charAt(0) == 'r';
    }

    public boolean writable() {
        return perms.charAt(1) == 'w';
    }

    public boolean executable() {
        return perms.charAt(2) == 'x';
    }

    /** True for {@code MAP_SHARED} areas ({@code s}), false for private copy-on-write ones ({@code p}). */
    public boolean shared() {
        return perms.charAt(3) == 's';
    }

    public boolean isPrivate() {
        return perms.charAt(3) == 'p';
    }

    public long size() {
        return end - start;
    }

    public boolean contains(long address) {
        return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }

    /** File offset one past the last file byte this area maps. */
    public long endOffset() {
        return offset + size();
    }

    /** True when the area maps a file (it has an inode), as opposed to anonymous or pseudo memory. */
    public boolean fileBacked() {
        return inode != 0;
    }

    /** True for kernel-named areas such as {@code [vdso]}, {@code [vsyscall]}, {@code [heap]}, {@code [stack]}. */
    public boolean pseudo() {
        return path.startsWith("[") && path.endsWith("]");
    }

    /** True when the mapped file was unlinked after it was mapped (the kernel appends {@code " (deleted)"}). */
    public boolean deleted() {
        return fileBacked() && path.endsWith(DELETED_SUFFIX);
    }

    /** The path without the {@code " (deleted)"} marker: the name the file had when it was mapped. */
    public String filePath() {
        return deleted() ? path.substring(0, path.length() - DELETED_SUFFIX.length()) : path;
    }

    /** The last component of {@link #filePath()}, e.g. {@code libc.so.6}. */
    public String fileName() {
        String p = filePath();
        return p.substring(p.lastIndexOf('/') + 1);
    }

    @Override
    public String toString() {
        return String.format("%x-%x %s %08x %02x:%02x %d %s",
                start, end, perms, offset, deviceMajor, deviceMinor, inode, path);
    }
}
