package dev.jpoline.rewriter.plan;

import static dev.jpoline.rewriter.plan.PlanFixtures.A_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jpoline.rewriter.elf.SystemFiles;
import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.maps.ProcessMaps;
import dev.jpoline.rewriter.plan.PlanCache.Rejection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCacheTest {
    private static final byte[] ID = {(byte) 0xab, (byte) 0xcd, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
    private static final String ENTRY_A = "b-abcd010203040506-1000-10.plan";

    @TempDir
    Path tmp;

    private final List<String> warnings = new ArrayList<>();

    private PlanCache cache(Path dir, CountingScanner scanner) throws IOException {
        return cache(dir, scanner, "scanner-1");
    }

    private PlanCache cache(Path dir, CountingScanner scanner, String fingerprint) throws IOException {
        return new PlanCache(dir, new Planner(scanner, fingerprint), warnings::add);
    }

    private Path fixture() throws IOException {
        return PlanFixtures.write(tmp, "lib.so", PlanFixtures.twoTextSegments(ID));
    }

    @Test
    void aMemoryHitScansNothing() throws Exception {
        Path file = fixture();
        CountingScanner scanner = new CountingScanner();
        PlanCache cache = cache(tmp.resolve("cache"), scanner);
        FilePlan first = cache.plansFor(file);
        assertThat(scanner.scans.get()).isEqualTo(2);
        FilePlan again = cache.plansFor(file);
        assertThat(scanner.scans.get()).isEqualTo(2);
        assertThat(again.segments().get(0)).isSameAs(first.segments().get(0));
        assertThat(cache.stats().memoryHits()).isEqualTo(2);
        assertThat(cache.stats().plansBuilt()).isEqualTo(2);
        assertThat(cache.stats().diskWrites()).isEqualTo(2);
    }

    @Test
    void aDiskHitScansNothingAndEqualsTheColdPlan() throws Exception {
        Path file = fixture();
        Path dir = tmp.resolve("cache");
        FilePlan cold = cache(dir, new CountingScanner()).plansFor(file);
        CountingScanner scanner = new CountingScanner();
        PlanCache fresh = cache(dir, scanner);
        FilePlan warm = fresh.plansFor(file);
        assertThat(scanner.scans.get()).isZero();
        assertThat(warm).isEqualTo(cold);
        assertThat(fresh.stats().diskHits()).isEqualTo(2);
        assertThat(warnings).isEmpty();
    }

    @Test
    void libcFromDiskAndFromMemoryEqualsTheColdPlan() throws Exception {
        Path libc = SystemFiles.libc();
        Path dir = tmp.resolve("cache");
        FilePlan cold = new Planner().plan(libc);
        assertThat(cold.segments().stream().mapToInt(SegmentPlan::hopCount).sum())
                .as("hops are part of the plan, stored and read back").isGreaterThan(100);
        PlanCache writer = new PlanCache(dir, new Planner());
        assertThat(writer.plansFor(libc)).isEqualTo(cold);
        CountingScanner scanner = new CountingScanner();
        PlanCache reader = new PlanCache(dir, new Planner(scanner, new Planner().scannerFingerprint()));
        assertThat(reader.plansFor(libc)).isEqualTo(cold);
        assertThat(reader.plansFor(libc)).isEqualTo(cold);
        assertThat(scanner.scans.get()).isZero();
        assertThat(reader.stats().diskHits()).isEqualTo(cold.segments().size());
        assertThat(reader.stats().memoryHits()).isEqualTo(cold.segments().size());
    }

    @Test
    void aPlanWithAHopOutOfReachOrOnASiteIsRefused() throws Exception {
        SegmentPlan real = new Planner().plan(SystemFiles.libc()).segments().get(0);
        long site = real.siteFileOffset(0);
        long[] sites = {site, site + 2};
        for (long badHop : new long[] {site + 2 + 128, site + 2 - 129, site + 1, site - 3}) {
            assertThatThrownBy(() -> new SegmentPlan(real.key(), real.segmentVaddr(), sites, new long[0], List.of(), 1, 0,
                    new long[] {badHop, -1}, new byte[10]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hop");
        }
        assertThat(new SegmentPlan(real.key(), real.segmentVaddr(), sites, new long[0], List.of(), 1, 0,
                new long[] {site + 4, -1}, new byte[10]).hopCount()).isEqualTo(1);
    }

    @Test
    void aCacheHitReadsNoCodeBytes() throws Exception {
        Path file = fixture();
        Path dir = tmp.resolve("cache");
        cache(dir, new CountingScanner()).plansFor(file);
        // Same headers and build-id, but the second text segment and everything after it cut off:
        // only a lookup that never touches code can still succeed.
        byte[] whole = Files.readAllBytes(file);
        Path cut = PlanFixtures.write(tmp, "cut.so", Arrays.copyOf(whole, (int) PlanFixtures.B_OFFSET));
        CountingScanner scanner = new CountingScanner();
        FilePlan plan = cache(dir, scanner).plansFor(cut);
        assertThat(plan.siteCount()).isEqualTo(3);
        assertThat(scanner.scans.get()).isZero();
    }

    @Test
    void entriesAreWrittenOwnerOnlyWithNoTemporaryFilesLeft() throws Exception {
        Path dir = tmp.resolve("new/nested/cache");
        cache(dir, new CountingScanner()).plansFor(fixture());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertThat(names).containsExactly(ENTRY_A, "b-abcd010203040506-3000-5.plan");
        }
        Path entry = dir.resolve(ENTRY_A);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(entry))).isEqualTo("rw-------");
        byte[] bytes = Files.readAllBytes(entry);
        assertThat(new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("JPLNPLAN");
        assertThat(bytes.length).isLessThan(200); // compact: two sites and a key
    }

    @Test
    void aCorruptEntryIsDeletedAndRebuilt() throws Exception {
        assertRejectedAndRebuilt(Rejection.CORRUPT, bytes -> {
            bytes[bytes.length - 10] ^= 0x40; // a flipped bit in the site list
            return bytes;
        });
    }

    @Test
    void aTruncatedEntryIsDeletedAndRebuilt() throws Exception {
        assertRejectedAndRebuilt(Rejection.TRUNCATED, bytes -> Arrays.copyOf(bytes, bytes.length - 5));
        assertRejectedAndRebuilt(Rejection.TRUNCATED, bytes -> new byte[0]);
    }

    @Test
    void anEntryOfAnotherFormatVersionIsDeletedAndRebuilt() throws Exception {
        assertRejectedAndRebuilt(Rejection.WRONG_VERSION, bytes -> {
            bytes[8] = 1; // the format before hops
            return bytes;
        });
    }

    @Test
    void aFileThatIsNoPlanIsDeletedAndRebuilt() throws Exception {
        assertRejectedAndRebuilt(Rejection.BAD_MAGIC, bytes -> "#!/bin/sh\necho not a plan\n".getBytes());
    }

    @Test
    void anEntryHoldingAnotherKeysPlanIsDeletedAndRebuilt() throws Exception {
        // A valid entry (checksum and all) for another file, stored under this file's name.
        Path other = PlanFixtures.write(tmp, "other.so", PlanFixtures.twoTextSegments(new byte[] {9, 9, 9, 9}));
        Path scratch = tmp.resolve("scratch");
        cache(scratch, new CountingScanner()).plansFor(other);
        byte[] foreign = Files.readAllBytes(scratch.resolve("b-09090909-1000-10.plan"));
        assertRejectedAndRebuilt(Rejection.KEY_MISMATCH, bytes -> foreign);
    }

    @Test
    void anEntryWithAConsistentChecksumButImpossibleSitesIsNotTrusted() throws Exception {
        assertRejectedAndRebuilt(Rejection.CORRUPT, bytes -> {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int firstSite = findSiteList(bytes);
            b.putInt(firstSite, 0x7fff0000); // far outside the 16-byte segment
            rewriteChecksum(bytes);
            return bytes;
        });
    }

    @Test
    void aRejectedEntryIsGoneEvenWhenRebuildingFails() throws Exception {
        Path file = fixture();
        Path dir = tmp.resolve("cache");
        cache(dir, new CountingScanner()).plansFor(file);
        Path entry = dir.resolve(ENTRY_A);
        byte[] bytes = Files.readAllBytes(entry);
        bytes[20] ^= 1;
        Files.write(entry, bytes);
        CountingScanner failing = new CountingScanner((code, off, len, addr, data) -> {
            throw new IllegalStateException("decoder crashed");
        });
        assertThatThrownBy(() -> cache(dir, failing).plansFor(file)).hasMessage("decoder crashed");
        assertThat(entry).doesNotExist();
        assertThat(dir.resolve("b-abcd010203040506-3000-5.plan")).exists(); // the sound entry stays
    }

    @Test
    void plansFromAnotherScannerAreRebuilt() throws Exception {
        Path file = fixture();
        Path dir = tmp.resolve("cache");
        cache(dir, new CountingScanner(), "old-decoder").plansFor(file);
        CountingScanner scanner = new CountingScanner();
        warnings.clear();
        PlanCache upgraded = cache(dir, scanner, "new-decoder");
        upgraded.plansFor(file);
        assertThat(warnings).as("an upgrade's rebuild is routine: no warning").isEmpty();
        assertThat(scanner.scans.get()).isEqualTo(2);
        assertThat(upgraded.stats().rejected(Rejection.SCANNER_CHANGED)).isEqualTo(2);
        CountingScanner again = new CountingScanner();
        cache(dir, again, "new-decoder").plansFor(file);
        assertThat(again.scans.get()).isZero(); // the rebuilt entries replaced the old ones
    }

    @Test
    void aChangedFileWithoutBuildIdGetsANewKey() throws Exception {
        Path file = PlanFixtures.write(tmp, "noid.so", PlanFixtures.twoTextSegments(null));
        Path dir = tmp.resolve("cache");
        CountingScanner scanner = new CountingScanner();
        PlanCache cache = cache(dir, scanner);
        FilePlan before = cache.plansFor(file);
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() - 60_000));
        FilePlan after = cache.plansFor(file);
        assertThat(scanner.scans.get()).isEqualTo(4);
        assertThat(after.identity()).isNotEqualTo(before.identity());
        assertThat(after.segments().get(0).key().cacheFileName()).isNotEqualTo(before.segments().get(0).key().cacheFileName());
        cache.plansFor(file);
        assertThat(scanner.scans.get()).isEqualTo(4);
    }

    @Test
    void refusesADirectoryOthersCanWrite() throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> cache(shared, new CountingScanner()))
                .isInstanceOf(IOException.class)
                .hasMessage("plan cache directory " + shared + " is writable by others (rwxrwxrwx); make it private: chmod 700 "
                        + shared);
        Path file = Files.createFile(tmp.resolve("afile"));
        assertThatThrownBy(() -> cache(file, new CountingScanner())).hasMessageContaining("is not a directory");
    }

    @Test
    void anExistingPrivateDirectoryIsUsedAsItIs() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("mine"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        cache(dir, new CountingScanner()).plansFor(fixture());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwxr-xr-x");
        assertThat(dir.resolve(ENTRY_A)).exists();
    }

    // ---- helpers ----

    private interface Damage {
        byte[] apply(byte[] bytes) throws IOException;
    }

    /** Builds an entry, damages it, then checks a fresh cache detects, reports, deletes and rebuilds it. */
    private void assertRejectedAndRebuilt(Rejection expected, Damage damage) throws Exception {
        Path file = fixture();
        Path dir = Files.createTempDirectory(tmp, "cache");
        FilePlan cold = cache(dir, new CountingScanner()).plansFor(file);
        Path entry = dir.resolve(ENTRY_A);
        Files.write(entry, damage.apply(Files.readAllBytes(entry)));

        warnings.clear();
        CountingScanner scanner = new CountingScanner();
        PlanCache cache = cache(dir, scanner);
        FilePlan rebuilt = cache.plansFor(file);
        assertThat(rebuilt).isEqualTo(cold);
        assertThat(scanner.scans.get()).as("only the damaged segment is rescanned").isEqualTo(1);
        assertThat(cache.stats().rejected(expected)).isEqualTo(1);
        assertThat(cache.stats().diskHits()).isEqualTo(1);
        if (expected == Rejection.WRONG_VERSION) {
            assertThat(warnings).as("an entry of another build is routine: no warning").isEmpty();
        } else {
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0)).startsWith("plan cache: discarding " + entry + " (" + expected + ": ").doesNotContain("\n");
        }
        // The rebuilt entry replaced the damaged one and is trusted by the next process.
        CountingScanner next = new CountingScanner();
        assertThat(cache(dir, next).plansFor(file)).isEqualTo(cold);
        assertThat(next.scans.get()).isZero();
    }

    /** Offset of the first site in an entry for segment A of the fixture (two sites: +5, +7). */
    private static int findSiteList(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 16; i + 12 <= bytes.length; i++) {
            if (b.getInt(i) == 2 && b.getInt(i + 4) == 5 && b.getInt(i + 8) == 7) {
                return i + 4;
            }
        }
        throw new AssertionError("site list not found");
    }

    private static void rewriteChecksum(byte[] bytes) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length - 4, (int) crc.getValue());
    }

    @Test
    void mapsSitesOntoAProcessMapping() throws Exception {
        SegmentPlan a = new Planner(new CountingScanner(), "t").plan(fixture()).segments().get(0);
        // The text mapped at 0x7f0000001000 from file offset 0x1000, as the loader would.
        MappedSites m = a.mapOnto(0x7f0000001000L, 0x1000, 0x1000);
        assertThat(m.addresses()).containsExactly(0x7f0000001005L, 0x7f0000001007L);
        assertThat(m.expectedBytes(0)).containsExactly(0x0f, 0x05);
        assertThat(m.expectedBytes(1)).containsExactly(0x0f, 0x34);
        // A mapping that covers only the first site's bytes (mprotect split the area at +6).
        MappedSites head = a.mapOnto(0x7f0000001000L, 0x1000, 6);
        assertThat(head.addresses()).containsExactly(0x7f0000001005L);
        MappedSites tail = a.mapOnto(0x7f0000001006L, 0x1006, 0x100);
        assertThat(tail.addresses()).containsExactly(0x7f0000001007L);
        assertThat(tail.secondBytes()).containsExactly(0x34);
        assertThat(a.mapOnto(0x7f0000000000L, 0, 0x1000).count()).isZero(); // headers only
    }

    @Test
    void aFilePlanMapsAllSegmentsAnEntryCovers() throws Exception {
        FilePlan plan = new Planner(new CountingScanner(), "t").plan(fixture());
        // One mapping of the whole file from offset 0 (as a non-split R+X mapping would be).
        MapsEntry whole = ProcessMaps.parseLine("7f0000000000-7f0000004000 r-xp 00000000 08:01 42 /x/lib.so");
        MappedSites all = plan.mapOnto(whole);
        assertThat(all.addresses()).containsExactly(0x7f0000000000L + A_OFFSET + 5, 0x7f0000000000L + A_OFFSET + 7,
                0x7f0000000000L + PlanFixtures.B_OFFSET + 2);
        assertThat(all.secondBytes()).containsExactly(0x05, 0x34, 0x05);
        MapsEntry second = ProcessMaps.parseLine("7f0000103000-7f0000104000 r-xp 00003000 08:01 42 /x/lib.so");
        assertThat(plan.mapOnto(second).addresses()).containsExactly(0x7f0000103002L);
    }
}
