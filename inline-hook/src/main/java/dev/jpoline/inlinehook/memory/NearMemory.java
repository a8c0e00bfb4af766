package dev.jpoline.inlinehook.memory;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.HookException;
import dev.jpoline.inlinehook.patch.CodePatcher;
import dev.jpoline.inlinehook.patch.PatchException;
import dev.jpoline.inlinehook.patch.ProcessMemoryPatcher;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Executable memory for trampolines and relay slots, placed within reach of the code they serve.
 *
 * <p>A 5-byte {@code E9 rel32} jump and a RIP-relative operand reach ±2 GiB, so a hook's relay
 * slot and its trampoline must lie that close to the hooked function. Memory comes in chunks of
 * 64 KiB mapped {@code PROT_READ|PROT_EXEC} into a free gap of {@code /proc/self/maps} chosen
 * nearest to the requested address, and chunks are cut into blocks of 64-byte granules. Existing
 * chunks in reach are used before a new one is mapped.
 *
 * <p>The pages are never writable (W^X): code is written through {@code /proc/self/mem}, which
 * the kernel lets a process write whatever the page protection. Free granules hold {@code int3}
 * ({@code CC}), so a stray jump into memory that was freed or never written traps.
 *
 * <p>Thread-safe. A block must be freed only when no thread can still be running its code.
 */
public final class NearMemory {
    static final int CHUNK_SIZE = 64 * 1024;
    static final int GRANULE = 64;
    static final int GRANULES = CHUNK_SIZE / GRANULE;
    /** The largest block; a trampoline or a relay slot is far smaller. */
    public static final int MAX_BLOCK = 4096;
    static final long PAGE = 4096;
    /** One past the highest page user space may map with 4-level paging (47 bits, minus the last page). */
    static final long USER_LIMIT = (1L << 47) - PAGE;
    /** Never below 64 KiB, whatever vm.mmap_min_addr allows: the low pages belong to the VA0 sled and to NULL faults. */
    static final long LOW_FLOOR = 0x10000;
    /** Room left below the main thread's stack, as the kernel's own minimum gap before its mmap base. */
    static final long STACK_RESERVE = 128L << 20;
    /** Room left above the brk heap, so that malloc can still grow it. */
    static final long HEAP_RESERVE = 64L << 20;
    private static final int MAP_ATTEMPTS = 16;
    private static final byte INT3 = (byte) 0xCC;

    private static final class Holder {
        static final NearMemory GLOBAL = new NearMemory();
    }

    /** Chunks by base address. */
    private final TreeMap<Long, Chunk> chunks = new TreeMap<>();
    private CodePatcher patcher;
    private long floor = -1;
    /** Set once a kernel has shown it ignores MAP_FIXED_NOREPLACE; later maps use a plain hint. */
    private boolean noReplaceIgnored;

    /** A private allocator; the process shares {@link #global()}. Tests use their own. */
    NearMemory() {}

    /** The allocator of this process. */
    public static NearMemory global() {
        return Holder.GLOBAL;
    }

    /**
     * A block of {@code size} bytes every byte of which is within {@code maxDistance} of
     * {@code near}, as close to it as this allocator can find; null when no such block can be had.
     *
     * @param size 1 to {@link #MAX_BLOCK} bytes
     * @param maxDistance 0 to {@code 2^31 - 1 - size}
     */
    public CodeBlock allocateNear(long near, int size, long maxDistance) {
        checkSize(size);
        if (maxDistance < 0 || maxDistance > Integer.MAX_VALUE - (long) size) {
            throw new IllegalArgumentException("maxDistance must be 0 to 2^31 - 1 - size (" + (Integer.MAX_VALUE - (long) size)
                    + "), got " + maxDistance);
        }
        long lo = near - maxDistance;
        long hi = near + maxDistance - (size - 1);
        if (hi < lo) {
            return null;
        }
        int granules = granulesFor(size);
        synchronized (this) {
            Chunk bestChunk = null;
            long best = -1;
            long bestDistance = Long.MAX_VALUE;
            // Chunks that can hold a block starting in [lo, hi].
            for (Chunk c : chunks.subMap(lo - CHUNK_SIZE, false, hi, true).values()) {
                long at = bestIn(c.used, c.base, granules, size, near, lo, hi);
                if (at >= 0 && distance(at, size, near) < bestDistance) {
                    bestChunk = c;
                    best = at;
                    bestDistance = distance(at, size, near);
                }
            }
            if (bestChunk == null) {
                bestChunk = mapNear(near, size, lo, hi);
                if (bestChunk == null) {
                    return null;
                }
                best = bestIn(bestChunk.used, bestChunk.base, granules, size, near, lo, hi);
                if (best < 0) {
                    throw new IllegalStateException(String.format("a chunk mapped at 0x%x holds no block within %d of 0x%x",
                            bestChunk.base, maxDistance, near));
                }
            }
            return carve(bestChunk, best, size, granules);
        }
    }

    /** A block anywhere in the address space, for code that needs no reach. */
    public CodeBlock allocateAnywhere(int size) {
        checkSize(size);
        int granules = granulesFor(size);
        synchronized (this) {
            for (Chunk c : chunks.values()) {
                int g = firstFit(c.used, granules);
                if (g >= 0) {
                    return carve(c, c.base + (long) g * GRANULE, size, granules);
                }
            }
            long base = mmap(0, 0);
            if (base == Libc.MAP_FAILED) {
                int errno = Native.getLastError();
                throw new HookException(HookException.Reason.SYSTEM, "cannot map " + CHUNK_SIZE / 1024
                        + " KiB of executable memory: mmap failed with " + Libc.describeErrno(errno));
            }
            return carve(adopt(base), base, size, granules);
        }
    }

    /** How many chunks are mapped now. */
    synchronized int chunkCount() {
        return chunks.size();
    }

    private static void checkSize(int size) {
        if (size < 1 || size > MAX_BLOCK) {
            throw new IllegalArgumentException("block size must be 1 to " + MAX_BLOCK + " bytes, got " + size);
        }
    }

    private static int granulesFor(int size) {
        return (size + GRANULE - 1) / GRANULE;
    }

    /** How far the farthest byte of a block of {@code size} bytes at {@code at} lies from {@code near}. */
    static long distance(long at, int size, long near) {
        return Math.max(Math.abs(at - near), Math.abs(at + size - 1 - near));
    }

    /**
     * The address of the free run position in a chunk (bitmap {@code used}, base {@code base}) for
     * {@code granules} granules whose start lies in [lo, hi] and whose {@code size} bytes lie
     * closest to {@code near}; -1 when none does.
     */
    static long bestIn(long[] used, long base, int granules, int size, long near, long lo, long hi) {
        long gLo = -Math.floorDiv(base - lo, GRANULE); // ceil((lo - base) / GRANULE)
        long gHi = Math.floorDiv(hi - base, GRANULE);
        long ideal = Math.floorDiv(near - (size - 1) / 2 - base, GRANULE);
        long best = -1;
        long bestDistance = Long.MAX_VALUE;
        int g = 0;
        while (g < GRANULES) {
            if (isUsed(used, g)) {
                g++;
                continue;
            }
            int runStart = g;
            while (g < GRANULES && !isUsed(used, g)) {
                g++;
            }
            long from = Math.max(runStart, gLo);
            long to = Math.min(g - granules, gHi);
            if (from > to) {
                continue;
            }
            for (long candidate = ideal; candidate <= ideal + 1; candidate++) {
                long at = base + Math.max(from, Math.min(to, candidate)) * GRANULE;
                long d = distance(at, size, near);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = at;
                }
            }
        }
        return best;
    }

    private static int firstFit(long[] used, int granules) {
        int run = 0;
        for (int g = 0; g < GRANULES; g++) {
            run = isUsed(used, g) ? 0 : run + 1;
            if (run == granules) {
                return g - granules + 1;
            }
        }
        return -1;
    }

    private static boolean isUsed(long[] used, int g) {
        return (used[g >>> 6] & (1L << g)) != 0;
    }

    private static void mark(long[] used, int from, int count, boolean value) {
        for (int g = from; g < from + count; g++) {
            if (value) {
                used[g >>> 6] |= 1L << g;
            } else {
                used[g >>> 6] &= ~(1L << g);
            }
        }
    }

    private CodeBlock carve(Chunk chunk, long at, int size, int granules) {
        int first = (int) ((at - chunk.base) / GRANULE);
        mark(chunk.used, first, granules, true);
        chunk.usedGranules += granules;
        return new CodeBlock(this, chunk, at, size, first, granules);
    }

    /** Returns a block's granules; called by {@link CodeBlock#free()}. */
    synchronized void release(CodeBlock block) {
        if (block.freed) {
            return;
        }
        Chunk chunk = block.chunk;
        if (chunk.usedGranules == block.granules) {
            int rc = Libc.INSTANCE.munmap(new Pointer(chunk.base), CHUNK_SIZE);
            if (rc != 0) {
                int errno = Native.getLastError();
                throw new HookException(HookException.Reason.SYSTEM, String.format(
                        "cannot unmap the code chunk at 0x%x: munmap failed with %s", chunk.base, Libc.describeErrno(errno)));
            }
            chunks.remove(chunk.base);
        } else {
            byte[] traps = new byte[block.granules * GRANULE];
            Arrays.fill(traps, INT3);
            write(block.address, traps);
        }
        mark(chunk.used, block.firstGranule, block.granules, false);
        chunk.usedGranules -= block.granules;
        block.freed = true;
    }

    /** Maps a chunk from which a block of {@code size} bytes starting in [lo, hi] can be cut, nearest to {@code near}. */
    private Chunk mapNear(long near, int size, long lo, long hi) {
        String lastFailure = "";
        for (int attempt = 0; attempt < MAP_ATTEMPTS; attempt++) {
            long[] candidates = placements(readMaps(), floor(), near, size, lo, hi);
            if (candidates.length == 0) {
                return null;
            }
            long want = candidates[0];
            long got = mmap(want, noReplaceIgnored ? 0 : Libc.MAP_FIXED_NOREPLACE);
            if (got == want) {
                return adopt(got);
            }
            if (got == Libc.MAP_FAILED) {
                int errno = Native.getLastError();
                lastFailure = "mmap at 0x" + Long.toHexString(want) + " failed with " + Libc.describeErrno(errno);
                if (errno == Libc.EEXIST) {
                    continue; // another thread mapped there since the maps were read: read them again
                }
                if ((errno == Libc.EINVAL || errno == Libc.EOPNOTSUPP) && !noReplaceIgnored) {
                    noReplaceIgnored = true; // a kernel refusing the flag: fall back to a hint
                    continue;
                }
                throw new HookException(HookException.Reason.SYSTEM, String.format(
                        "cannot map %d KiB of executable memory near 0x%x: %s", CHUNK_SIZE / 1024, near, lastFailure));
            }
            // The kernel took the address as a hint only (MAP_FIXED_NOREPLACE predates it, or a
            // race): keep the result if it is near enough, else give it back and try again.
            noReplaceIgnored = true;
            if (bestIn(new long[GRANULES / 64], got, granulesFor(size), size, near, lo, hi) >= 0) {
                return adopt(got);
            }
            Libc.INSTANCE.munmap(new Pointer(got), CHUNK_SIZE);
            lastFailure = String.format("the kernel placed it at 0x%x instead of 0x%x", got, want);
        }
        throw new HookException(HookException.Reason.SYSTEM, String.format(
                "cannot map %d KiB of executable memory near 0x%x after %d attempts: %s",
                CHUNK_SIZE / 1024, near, MAP_ATTEMPTS, lastFailure));
    }

    private static long mmap(long at, int extraFlags) {
        Pointer p = Libc.INSTANCE.mmap(at == 0 ? null : new Pointer(at), CHUNK_SIZE, Libc.PROT_READ | Libc.PROT_EXEC,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | extraFlags, -1, 0);
        return Pointer.nativeValue(p);
    }

    /** Registers a freshly mapped chunk and fills it with int3. */
    private Chunk adopt(long base) {
        Chunk c = new Chunk(base);
        byte[] traps = new byte[CHUNK_SIZE];
        Arrays.fill(traps, INT3);
        try {
            write(base, traps);
        } catch (HookException e) {
            Libc.INSTANCE.munmap(new Pointer(base), CHUNK_SIZE);
            throw e;
        }
        chunks.put(base, c);
        return c;
    }

    /**
     * Bases for a new chunk, best first: in each free gap of the address space the base whose
     * block would lie nearest to {@code near}, for the gaps where that block starts in [lo, hi].
     *
     * <p>Every mapping is taken as used, whatever its protection: a JVM reserves its heap and
     * code cache as {@code PROT_NONE} ranges and commits them later. Room is left below the main
     * stack and above the brk heap so both can still grow.
     */
    static long[] placements(List<MapsEntry> maps, long floor, long near, int size, long lo, long hi) {
        List<long[]> used = new ArrayList<>(maps.size() + 2);
        for (MapsEntry e : maps) {
            long start = e.start();
            long end = e.end();
            if (e.path().equals("[stack]")) {
                start = Math.max(0, start - STACK_RESERVE);
            } else if (e.path().equals("[heap]")) {
                end = end + HEAP_RESERVE;
            }
            used.add(new long[] {start, end});
        }
        used.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
        int granules = granulesFor(size);
        long[] free = new long[GRANULES / 64];
        List<long[]> found = new ArrayList<>(); // {base, distance}
        long cursor = floor;
        for (int i = 0; i <= used.size(); i++) {
            // Areas printed above user space ([vsyscall]) end the search at the user limit.
            long gapEnd = i < used.size() ? unsignedMin(used.get(i)[0], USER_LIMIT) : USER_LIMIT;
            if (gapEnd - cursor >= CHUNK_SIZE) {
                long ideal = ((near - (size - 1) / 2) & -PAGE) - CHUNK_SIZE / 2;
                long base = Math.max(cursor, Math.min(gapEnd - CHUNK_SIZE, ideal));
                long at = bestIn(free, base, granules, size, near, lo, hi);
                if (at >= 0) {
                    found.add(new long[] {base, distance(at, size, near)});
                }
            }
            if (i < used.size()) {
                long end = unsignedMin(used.get(i)[1], USER_LIMIT);
                if (end > cursor) {
                    cursor = end;
                }
            }
            if (cursor >= USER_LIMIT) {
                break;
            }
        }
        found.sort((a, b) -> Long.compare(a[1], b[1]));
        long[] out = new long[found.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = found.get(i)[0];
        }
        return out;
    }

    private static long unsignedMin(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    private static List<MapsEntry> readMaps() {
        try {
            return ProcessMaps.readSelf().entries();
        } catch (IOException e) {
            throw new HookException(HookException.Reason.SYSTEM, "cannot read /proc/self/maps to place code: " + e.getMessage(), e);
        }
    }

    /** The lowest address a chunk may take: vm.mmap_min_addr, but never below {@link #LOW_FLOOR}. */
    private long floor() {
        if (floor < 0) {
            long min = 65536;
            try {
                min = Long.parseLong(Files.readString(Path.of("/proc/sys/vm/mmap_min_addr")).trim());
            } catch (IOException | NumberFormatException e) {
                // Unreadable: assume the usual default.
            }
            floor = (Math.max(min, LOW_FLOOR) + PAGE - 1) & -PAGE;
        }
        return floor;
    }

    private synchronized CodePatcher patcher() {
        if (patcher == null) {
            try {
                patcher = ProcessMemoryPatcher.open(ProcessHandle.current().pid());
            } catch (PatchException e) {
                throw new HookException(HookException.Reason.SYSTEM, "cannot open /proc/self/mem to write code: "
                        + e.getMessage(), e);
            }
        }
        return patcher;
    }

    void write(long address, byte[] code) {
        try {
            patcher().write(address, code, 0, code.length);
        } catch (PatchException e) {
            throw new HookException(HookException.Reason.SYSTEM, e.getMessage()
                    + " (is writing to /proc/self/mem disabled, e.g. by proc_mem.force_override=never?)", e);
        }
    }

    byte[] read(long address, int length) {
        byte[] out = new byte[length];
        try {
            patcher().read(address, out, 0, length);
        } catch (PatchException e) {
            throw new HookException(HookException.Reason.SYSTEM, e.getMessage(), e);
        }
        return out;
    }

    /** One mapped chunk: its base and which granules are taken. Guarded by the allocator's lock. */
    static final class Chunk {
        final long base;
        final long[] used = new long[GRANULES / 64];
        int usedGranules;

        Chunk(long base) {
            this.base = base;
        }
    }

    /** Snapshot of the chunks, base to used granules, for tests and diagnostics. */
    synchronized Map<Long, Integer> chunkUsage() {
        Map<Long, Integer> out = new TreeMap<>();
        for (Chunk c : chunks.values()) {
            out.put(c.base, c.usedGranules);
        }
        return out;
    }
}
