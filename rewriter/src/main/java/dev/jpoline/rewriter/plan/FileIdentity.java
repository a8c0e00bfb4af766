package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.elf.ElfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What identifies a file's contents for caching: its GNU build-id when it has one, which names the
 * contents wherever the file lives, else where it is and when it last changed.
 *
 * @param buildId lowercase hex build-id, or null when the file has none (or an implausibly long one)
 * @param device {@code st_dev}; 0 when the build-id is used
 * @param inode {@code st_ino}; 0 when the build-id is used
 * @param size file size in bytes; 0 when the build-id is used
 * @param mtimeNanos modification time in nanoseconds since the epoch; 0 when the build-id is used
 */
public record FileIdentity(String buildId, long device, long inode, long size, long mtimeNanos) {
    /** Longer build-ids (normal ones are 16 to 32 bytes) are not trusted as names. */
    static final int MAX_BUILD_ID_BYTES = 64;

    public FileIdentity {
        if (buildId != null && (buildId.isEmpty() || buildId.length() > 2 * MAX_BUILD_ID_BYTES
                || buildId.length() % 2 != 0 || !isLowercaseHex(buildId))) {
            throw new IllegalArgumentException("build-id must be 1 to 64 bytes of lowercase hex, got '" + buildId + "'");
        }
    }

    private static boolean isLowercaseHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    // equals and hashCode by hand: a record's generated ones are bootstrapped through method
    // handles on first use, which costs milliseconds while a target waits for its first rewrite.
    @Override
    public boolean equals(Object o) {
        return o instanceof FileIdentity f && f.device == device && f.inode == inode && f.size == size
                && f.mtimeNanos == mtimeNanos && java.util.Objects.equals(f.buildId, buildId);
    }

    @Override
    public int hashCode() {
        int h = buildId == null ? 0 : buildId.hashCode();
        h = h * 31 + Long.hashCode(device);
        h = h * 31 + Long.hashCode(inode);
        h = h * 31 + Long.hashCode(size);
        return h * 31 + Long.hashCode(mtimeNanos);
    }

    public static FileIdentity ofBuildId(String buildIdHex) {
        return new FileIdentity(buildIdHex, 0, 0, 0, 0);
    }

    public boolean hasBuildId() {
        return buildId != null;
    }

    /**
     * The identity of {@code file}, whose ELF headers {@code elf} has open: reads the build-id note
     * only, and stats the file only when there is no usable build-id.
     */
    public static FileIdentity of(Path file, ElfFile elf) throws IOException {
        Optional<String> id = elf.buildId();
        if (id.isPresent() && id.get().length() <= 2 * MAX_BUILD_ID_BYTES) {
            return ofBuildId(id.get());
        }
        return ofStat(file);
    }

    /** Device, inode, size and modification time of {@code file}, without looking inside it. */
    public static FileIdentity ofStat(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime");
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        return new FileIdentity(null, (Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"),
                mtime.to(TimeUnit.NANOSECONDS));
    }
}
