package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.ProgramHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Rewrite plans cached in memory and on disk, one file per segment plan in a private directory.
 *
 * <p>A lookup reads the file's ELF headers and build-id note to form the keys; a hit in memory or
 * on disk sweeps nothing. A disk entry that is truncated, corrupt, of another format version, made
 * by another scanner or stored for another key is reported, deleted and rebuilt, never used.
 * Entries are written to a temporary file, synced, and renamed into place, so a reader sees a whole
 * entry or none. Thread-safe; several processes may share the directory.
 */
public final class PlanCache {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    /** Why a disk entry was thrown away. */
    public enum Rejection { TRUNCATED, BAD_MAGIC, WRONG_VERSION, CORRUPT, KEY_MISMATCH, SCANNER_CHANGED }

    /** Counters since this cache was created. */
    public record Stats(long memoryHits, long diskHits, long plansBuilt, long diskWrites, long diskWriteFailures,
            Map<Rejection, Long> rejections) {
        public long rejected(Rejection why) {
            return rejections.getOrDefault(why, 0L);
        }
    }

    private final Path directory;
    private final Planner planner;
    private final Consumer<String> warnings;
    private final ConcurrentHashMap<PlanKey, SegmentPlan> memory = new ConcurrentHashMap<>();
    private final LongAdder memoryHits = new LongAdder();
    private final LongAdder diskHits = new LongAdder();
    private final LongAdder plansBuilt = new LongAdder();
    private final LongAdder diskWrites = new LongAdder();
    private final LongAdder diskWriteFailures = new LongAdder();
    private final Map<Rejection, LongAdder> rejections = new EnumMap<>(Rejection.class);

    /** A cache in {@code directory} that builds missing plans with {@code planner} and ignores warnings. */
    public PlanCache(Path directory, Planner planner) throws IOException {
        this(directory, planner, warning -> {});
    }

    /**
     * @param directory the per-user cache directory; created owner-only (0700) if missing, and
     *     refused if it belongs to another user or others may write to it (they could plant plans)
     * @param warnings receives one line per rejected entry or failed write
     */
    public PlanCache(Path directory, Planner planner, Consumer<String> warnings) throws IOException {
        this.directory = directory;
        this.planner = Objects.requireNonNull(planner, "planner");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
        for (Rejection r : Rejection.values()) {
            rejections.put(r, new LongAdder());
        }
        preparePrivateDirectory(directory);
    }

    private static void preparePrivateDirectory(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("plan cache directory " + dir + " is not a directory");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid");
        int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (owner != self) {
            throw new IOException("plan cache directory " + dir + " belongs to uid " + owner + ", not to this user (uid "
                    + self + "); use a private directory");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("plan cache directory " + dir + " is writable by others ("
                    + PosixFilePermissions.toString(perms) + "); make it private: chmod 700 " + dir);
        }
    }

    public Path directory() {
        return directory;
    }

    public Planner planner() {
        return planner;
    }

    /**
     * The plans of every executable segment of {@code file}, from memory, else from disk, else
     * computed (and then stored in both).
     */
    public FilePlan plansFor(Path file) throws IOException {
        try (ElfFile elf = ElfFile.open(file)) {
            FileIdentity identity = FileIdentity.of(file, elf);
            List<ProgramHeader> segments = Planner.textSegments(elf);
            List<SegmentPlan> plans = new ArrayList<>(segments.size());
            for (ProgramHeader segment : segments) {
                plans.add(planFor(file, elf, segment, PlanKey.of(identity, segment)));
            }
            return new FilePlan(file, identity, plans);
        }
    }

    private SegmentPlan planFor(Path file, ElfFile elf, ProgramHeader segment, PlanKey key) throws IOException {
        SegmentPlan plan = memory.get(key);
        if (plan != null) {
            memoryHits.increment();
            return plan;
        }
        plan = readFromDisk(key);
        if (plan != null) {
            diskHits.increment();
            return remember(key, plan);
        }
        plan = planner.planSegment(elf, segment, key);
        plansBuilt.increment();
        if (!key.file().hasBuildId() && !FileIdentity.ofStat(file).equals(key.file())) {
            // The file changed while it was swept: the plan may mix old and new bytes. Use it for
            // nothing lasting; the next lookup gets a fresh key and a fresh plan.
            warnings.accept("plan cache: " + file + " changed while it was planned; not caching that plan");
            return plan;
        }
        writeToDisk(key, plan);
        return remember(key, plan);
    }

    private SegmentPlan remember(PlanKey key, SegmentPlan plan) {
        SegmentPlan raced = memory.putIfAbsent(key, plan);
        return raced != null ? raced : plan;
    }

    /** The entry for {@code key}, or null when there is none or it cannot be trusted (then it is deleted). */
    private SegmentPlan readFromDisk(PlanKey key) {
        Path entry = directory.resolve(key.cacheFileName());
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(entry);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            warnings.accept("plan cache: cannot read " + entry + ": " + e.getMessage() + "; rebuilding");
            return null;
        }
        try {
            return PlanCodec.decode(bytes, key, planner.scannerFingerprint());
        } catch (PlanCodec.Rejected r) {
            Rejection why = r.problem;
            rejections.get(why).increment();
            // An entry from another jpoline build is routine after an upgrade, not news to a
            // user; damage is worth a line, since something else wrote into the cache.
            if (why != Rejection.SCANNER_CHANGED && why != Rejection.WRONG_VERSION) {
                warnings.accept("plan cache: discarding " + entry + " (" + why + ": " + r.getMessage() + ")");
            }
            try {
                Files.deleteIfExists(entry);
            } catch (IOException e) {
                warnings.accept("plan cache: cannot delete " + entry + ": " + e.getMessage());
            }
            return null;
        }
    }

    private void writeToDisk(PlanKey key, SegmentPlan plan) {
        Path entry = directory.resolve(key.cacheFileName());
        Path temp = null;
        try {
            // Files.createTempFile makes the file 0600 with a unique name in the same directory,
            // so the rename below stays on one file system and is atomic.
            temp = Files.createTempFile(directory, "." + key.cacheFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(PlanCodec.encode(plan, planner.scannerFingerprint()));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(temp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system does not support atomic rename", e);
            }
            temp = null;
            syncDirectory();
            diskWrites.increment();
        } catch (IOException | RuntimeException e) {
            // The plan is still good for this process; only persistence failed.
            diskWriteFailures.increment();
            warnings.accept("plan cache: cannot store " + entry + ": " + e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // nothing more to do: a stray .tmp file is never read as an entry
                }
            }
        }
    }

    /** Makes the rename durable; best effort, as not every file system lets a directory be synced. */
    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // the entry is in place; at worst a crash forgets it and it is rebuilt
        }
    }

    /** Forgets the in-memory plans; disk entries stay. */
    public void clearMemory() {
        memory.clear();
    }

    public Stats stats() {
        Map<Rejection, Long> r = new EnumMap<>(Rejection.class);
        rejections.forEach((k, v) -> r.put(k, v.sum()));
        return new Stats(memoryHits.sum(), diskHits.sum(), plansBuilt.sum(), diskWrites.sum(), diskWriteFailures.sum(),
                Map.copyOf(r));
    }
}
