package dev.jpoline.inlinehook.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.jna.Function;
import com.sun.jna.Pointer;
import dev.jpoline.inlinehook.symbols.Symbols;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NearMemoryTest {
    private static final long FAR = Integer.MAX_VALUE - NearMemory.MAX_BLOCK - 1;

    /** Each test its own allocator, so counts of chunks are its own. */
    private final NearMemory memory = new NearMemory();
    private final List<CodeBlock> blocks = new ArrayList<>();

    @AfterEach
    void freeAll() {
        blocks.forEach(CodeBlock::free);
    }

    private CodeBlock near(long near, int size, long maxDistance) {
        CodeBlock b = memory.allocateNear(near, size, maxDistance);
        if (b != null) {
            blocks.add(b);
        }
        return b;
    }

    private static long getpid() {
        return Symbols.lookup(null, "getpid");
    }

    private static void assertWithin(CodeBlock b, long near, long maxDistance) {
        assertThat(b).isNotNull();
        assertThat(Math.abs(b.address() - near)).isLessThanOrEqualTo(maxDistance);
        assertThat(Math.abs(b.address() + b.size() - 1 - near)).isLessThanOrEqualTo(maxDistance);
    }

    private static MapsEntry mapping(long address) throws Exception {
        return ProcessMaps.readSelf().entryContaining(address);
    }

    @Test
    void blocksNearLibcTextAreWithinTheDistance() {
        long getpid = getpid();
        for (long distance : new long[] {FAR, 1L << 30, 256L << 20}) {
            assertWithin(near(getpid, 100, distance), getpid, distance);
        }
        // A jump from getpid reaches every byte: rel32 from the end of a 5-byte jmp.
        CodeBlock b = near(getpid, 64, FAR);
        long rel = b.address() - (getpid + 5);
        assertThat(rel).isBetween((long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE);
    }

    @Test
    void manySmallBlocksShareChunksAndNeverOverlap() {
        long getpid = getpid();
        Random random = new Random(42);
        long granules = 0;
        for (int i = 0; i < 2000; i++) {
            int size = 64 + random.nextInt(193);
            CodeBlock b = near(getpid, size, FAR);
            assertWithin(b, getpid, FAR);
            granules += (size + 63) / 64;
        }
        long chunksNeeded = (granules + NearMemory.GRANULES - 1) / NearMemory.GRANULES;
        assertThat((long) memory.chunkCount()).isBetween(chunksNeeded, chunksNeeded + 2);
        List<CodeBlock> sorted = new ArrayList<>(blocks);
        sorted.sort(Comparator.comparingLong(CodeBlock::address));
        for (int i = 1; i < sorted.size(); i++) {
            CodeBlock previous = sorted.get(i - 1);
            long previousEnd = previous.address() + (previous.size() + 63) / 64 * 64;
            assertThat(sorted.get(i).address()).as("block %d after %s", i, previous).isGreaterThanOrEqualTo(previousEnd);
        }
    }

    @Test
    void writesAreReadBackAndThePagesStayReadExecute() throws Exception {
        CodeBlock b = near(getpid(), 200, FAR);
        assertThat(b.read(0, 200)).containsOnly((byte) 0xCC);
        byte[] code = new byte[150];
        new Random(7).nextBytes(code);
        b.write(40, code);
        assertThat(b.read(40, 150)).isEqualTo(code);
        assertThat(b.read(0, 40)).containsOnly((byte) 0xCC);
        MapsEntry m = mapping(b.address());
        assertThat(m.perms()).isEqualTo("r-xp");
        assertThat(m.writable()).isFalse();
        assertThatThrownBy(() -> b.write(190, new byte[11])).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> b.read(-1, 4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void writtenCodeRuns() {
        CodeBlock b = near(getpid(), 64, FAR);
        b.write(0, new byte[] {(byte) 0xB8, 42, 0, 0, 0, (byte) 0xC3}); // mov eax, 42; ret
        assertThat(Function.getFunction(new Pointer(b.address())).invokeInt(new Object[0])).isEqualTo(42);
        CodeBlock anywhere = memory.allocateAnywhere(16);
        blocks.add(anywhere);
        anywhere.write(0, new byte[] {(byte) 0xB8, 7, 0, 0, 0, (byte) 0xC3});
        assertThat(Function.getFunction(new Pointer(anywhere.address())).invokeInt(new Object[0])).isEqualTo(7);
    }

    @Test
    void freedGranulesAreReusedAndAnEmptyChunkIsUnmapped() throws Exception {
        long getpid = getpid();
        CodeBlock keep = memory.allocateNear(getpid, 64, FAR);
        CodeBlock freed = memory.allocateNear(getpid, 128, FAR);
        freed.write(0, new byte[] {1, 2, 3});
        freed.free();
        assertThat(freed.isFree()).isTrue();
        freed.free(); // a second free does nothing
        assertThatThrownBy(() -> freed.read(0, 1)).isInstanceOf(IllegalStateException.class);
        CodeBlock again = memory.allocateNear(getpid, 128, FAR);
        assertThat(again.address()).isEqualTo(freed.address());
        assertThat(again.read(0, 128)).containsOnly((byte) 0xCC); // the old code is gone
        assertThat(memory.chunkCount()).isEqualTo(1);
        long chunk = memory.chunkUsage().keySet().iterator().next();
        again.free();
        keep.free();
        assertThat(memory.chunkCount()).isZero();
        MapsEntry after = mapping(chunk);
        assertThat(after == null || after.start() != chunk || !after.perms().equals("r-xp") || after.size() != NearMemory.CHUNK_SIZE)
                .as("the chunk at 0x%x is unmapped", chunk).isTrue();
    }

    @Test
    void nearTheJvmCodeCache() throws Exception {
        MapsEntry cache = null;
        for (MapsEntry e : ProcessMaps.readSelf().entries()) {
            if (e.executable() && e.writable() && !e.fileBacked() && !e.pseudo()) {
                cache = e; // HotSpot's code heap: anonymous rwx
                break;
            }
        }
        assumeThat(cache).as("a JIT code cache mapping").isNotNull();
        long at = cache.start() + 0x100;
        assertWithin(near(at, 256, 1L << 30), at, 1L << 30);
    }

    @Test
    void nearJnasNativeLibrary() throws Exception {
        MapsEntry jna = null;
        for (MapsEntry e : ProcessMaps.readSelf().entries()) {
            if (e.executable() && e.fileBacked() && (e.path().contains("jnidispatch") || e.path().contains("/JNA/temp/jna"))) {
                jna = e;
            }
        }
        assertThat(jna).as("JNA's dispatch library is mapped").isNotNull();
        long at = jna.start() + 0x10;
        // 1 GiB, not less: a JVM that has run many threads has glibc arenas of 64 MiB reserved all
        // around its libraries (a full test run left none free within 64 MiB of JNA's here).
        assertWithin(near(at, 32, 1L << 30), at, 1L << 30);
    }

    @Test
    void distanceZeroFindsNothingAndBadArgumentsAreRefused() {
        long getpid = getpid();
        assertThat(memory.allocateNear(getpid, 16, 0)).isNull();
        assertThat(memory.chunkCount()).isZero();
        assertThatThrownBy(() -> memory.allocateNear(getpid, 16, 1L << 31)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> memory.allocateNear(getpid, 16, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> memory.allocateNear(getpid, 0, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> memory.allocateNear(getpid, 4097, 1000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentAllocationsDoNotOverlap() throws Exception {
        long getpid = getpid();
        ConcurrentLinkedQueue<CodeBlock> all = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                List<CodeBlock> mine = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    mine.add(memory.allocateNear(getpid, 64 + (i % 3) * 64, FAR));
                    if (i % 4 == 3) {
                        mine.remove(0).free();
                    }
                }
                all.addAll(mine);
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        blocks.addAll(all);
        List<CodeBlock> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingLong(CodeBlock::address));
        for (int i = 1; i < sorted.size(); i++) {
            CodeBlock previous = sorted.get(i - 1);
            assertThat(sorted.get(i).address()).isGreaterThanOrEqualTo(previous.address() + previous.size());
        }
    }

    // Placement on a made-up address space.

    private static MapsEntry area(long start, long end, String perms, String path) {
        return new MapsEntry(start, end, perms, 0, 0, 0, path.startsWith("/") ? 1 : 0, path);
    }

    @Test
    void placementTakesTheNearestGapInEitherDirection() {
        long lib = 0x7f00_0000_0000L;
        long reserved = lib - 0x1000_0000;
        List<MapsEntry> maps = List.of(
                area(reserved, lib, "---p", ""), // a PROT_NONE reservation is not free
                area(lib, lib + 0x40_0000, "r-xp", "/lib/x.so"),
                area(lib + 0x40_0000 + 0x1_0000, lib + 0x100_0000, "rw-p", ""));
        // A 64 KiB gap right after the library's text, 256 MiB of reservation below it.
        long near = lib + 0x100;
        long[] bases = NearMemory.placements(maps, 0x10000, near, 64, near - FAR, near + FAR - 63);
        assertThat(bases).startsWith(lib + 0x40_0000, lib + 0x100_0000, reserved - NearMemory.CHUNK_SIZE);
        // Near the bottom of the reservation, the gap below it comes first.
        long low = reserved + 0x100;
        bases = NearMemory.placements(maps, 0x10000, low, 64, low - FAR, low + FAR - 63);
        assertThat(bases[0]).isEqualTo(reserved - NearMemory.CHUNK_SIZE);
        // Gaps out of the window are left out.
        bases = NearMemory.placements(maps, 0x10000, near, 64, near - (1 << 20), near + (1 << 20));
        assertThat(bases).isEmpty();
        bases = NearMemory.placements(maps, 0x10000, near, 64, near - (8 << 20), near + (8 << 20));
        assertThat(bases).containsExactly(lib + 0x40_0000);
    }

    @Test
    void placementRespectsTheFloorTheUserLimitTheStackAndTheHeap() {
        long stack = NearMemory.USER_LIMIT - 0x2_0000;
        List<MapsEntry> maps = List.of(
                area(0x40_0000, 0x50_0000, "r-xp", "/bin/x"),
                area(0x50_0000, 0x60_0000, "rw-p", "[heap]"),
                area(stack, NearMemory.USER_LIMIT, "rw-p", "[stack]"),
                area(0xffff_ffff_ff60_0000L, 0xffff_ffff_ff60_1000L, "--xp", "[vsyscall]"));
        long near = 0x40_0000;
        long[] bases = NearMemory.placements(maps, 0x10000, near, 64, 0, near + FAR);
        assertThat(bases).contains(0x10000L + 0x3f_0000 - NearMemory.CHUNK_SIZE);
        assertThat(bases[0]).isEqualTo(0x40_0000 - NearMemory.CHUNK_SIZE);
        for (long b : bases) {
            assertThat(b).isGreaterThanOrEqualTo(0x10000);
            assertThat(b < 0x60_0000 + NearMemory.HEAP_RESERVE && b >= 0x50_0000).as("0x%x above the heap", b).isFalse();
        }
        // Near the stack, nothing within its reserve is offered, nor anything past the user limit.
        long nearStack = stack + 0x100;
        bases = NearMemory.placements(maps, 0x10000, nearStack, 64, nearStack - FAR, nearStack + FAR);
        assertThat(bases[0]).isEqualTo(stack - NearMemory.STACK_RESERVE - NearMemory.CHUNK_SIZE);
        for (long b : bases) {
            assertThat(b + NearMemory.CHUNK_SIZE).isLessThanOrEqualTo(stack - NearMemory.STACK_RESERVE);
        }
        // A window the free gaps cannot reach gives nothing.
        assertThat(NearMemory.placements(maps, 0x10000, 0x45_0000, 64, 0x45_0000 - 0x1000, 0x45_0000 + 0x1000)).isEmpty();
    }

    @Test
    void theBestSpotInAChunkIsTheOneClosestToTheTarget() {
        long[] used = new long[NearMemory.GRANULES / 64];
        long base = 0x1000_0000;
        long near = base + 0x8000 + 10;
        long at = NearMemory.bestIn(used, base, 1, 64, near, near - 1000, near + 1000);
        assertThat(NearMemory.distance(at, 64, near)).isLessThanOrEqualTo(64);
        // Below the chunk: its top granule.
        at = NearMemory.bestIn(used, base, 2, 100, base - 5, 0, base + FAR);
        assertThat(at).isEqualTo(base);
        at = NearMemory.bestIn(used, base, 2, 100, base + NearMemory.CHUNK_SIZE + 5, 0, base + FAR);
        assertThat(at).isEqualTo(base + NearMemory.CHUNK_SIZE - 128);
    }
}
