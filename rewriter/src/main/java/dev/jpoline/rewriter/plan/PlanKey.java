package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.elf.ProgramHeader;

/**
 * Names the plan of one executable segment of one file: the file's identity plus the segment's
 * file offset and size. The size is there to catch a file that kept its build-id but not its
 * layout (a patched binary).
 */
public record PlanKey(FileIdentity file, long segmentOffset, long segmentSize) {
    public PlanKey {
        if (segmentOffset < 0 || segmentSize < 0) {
            throw new IllegalArgumentException("segment offset and size must be non-negative");
        }
    }

    // equals and hashCode by hand: a record's generated ones are bootstrapped through method
    // handles on first use, about 20 ms on JDK 17 while a target waits for its first rewrite.
    @Override
    public boolean equals(Object o) {
        return o instanceof PlanKey k && k.segmentOffset == segmentOffset && k.segmentSize == segmentSize
                && k.file.equals(file);
    }

    @Override
    public int hashCode() {
        return (file.hashCode() * 31 + Long.hashCode(segmentOffset)) * 31 + Long.hashCode(segmentSize);
    }

    public static PlanKey of(FileIdentity file, ProgramHeader segment) {
        return new PlanKey(file, segment.offset(), segment.filesz());
    }

    /** File name of this key's entry in the cache directory; readable, and unique per key. */
    public String cacheFileName() {
        FileIdentity f = file;
        String id = f.hasBuildId()
                ? "b-" + f.buildId()
                : "f-" + Long.toHexString(f.device()) + "-" + Long.toHexString(f.inode()) + "-"
                        + Long.toHexString(f.size()) + "-" + Long.toHexString(f.mtimeNanos());
        return id + "-" + Long.toHexString(segmentOffset) + "-" + Long.toHexString(segmentSize) + ".plan";
    }
}
