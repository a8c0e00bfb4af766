package dev.jpoline.rewriter.plan;

import static dev.jpoline.rewriter.plan.PlanFixtures.A_OFFSET;
import static dev.jpoline.rewriter.plan.PlanFixtures.B_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.SystemFiles;
import dev.jpoline.rewriter.scan.ScanResult;
import dev.jpoline.rewriter.scan.SuspiciousSite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlannerTest {
    private static final byte[] ID = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88};

    @Test
    void plansEveryTextSegmentWithFileOffsetsAndTheSysenterSubset(@TempDir Path dir) throws Exception {
        Path file = PlanFixtures.write(dir, "two.so", PlanFixtures.twoTextSegments(ID));
        CountingScanner scanner = new CountingScanner();
        FilePlan plan = new Planner(scanner, "test").plan(file);

        assertThat(plan.identity()).isEqualTo(FileIdentity.ofBuildId("1122334455667788"));
        assertThat(plan.segments()).hasSize(2);
        SegmentPlan a = plan.segments().get(0);
        assertThat(a.key()).isEqualTo(new PlanKey(plan.identity(), A_OFFSET, PlanFixtures.TEXT_A.length));
        assertThat(a.segmentVaddr()).isEqualTo(0x401000L);
        assertThat(a.siteFileOffsets()).containsExactly(A_OFFSET + 5, A_OFFSET + 7);
        assertThat(a.sysenterFileOffsets()).containsExactly(A_OFFSET + 7);
        assertThat(a.expectedSecondByte(A_OFFSET + 5)).isEqualTo((byte) 0x05);
        assertThat(a.expectedSecondByte(A_OFFSET + 7)).isEqualTo((byte) 0x34);
        SegmentPlan b = plan.segments().get(1);
        assertThat(b.siteFileOffsets()).containsExactly(B_OFFSET + 2);
        assertThat(b.sysenterFileOffsets()).isEmpty();
        assertThat(plan.siteCount()).isEqualTo(3);

        // The scanner saw each segment at its vaddr, with the non-code tail of segment A as data.
        assertThat(scanner.scans.get()).isEqualTo(2);
        assertThat(scanner.addresses).containsExactly(0x401000L, 0x403000L);
        assertThat(scanner.dataRanges.get(0)).containsExactly(0x40100aL, 0x401010L);
        assertThat(scanner.dataRanges.get(1)).isEmpty();
    }

    @Test
    void withoutBuildIdTheKeyIsDeviceInodeSizeAndMtime(@TempDir Path dir) throws Exception {
        Path file = PlanFixtures.write(dir, "noid.so", PlanFixtures.twoTextSegments(null));
        FilePlan plan = new Planner(new CountingScanner(), "test").plan(file);
        FileIdentity id = plan.identity();
        assertThat(id.hasBuildId()).isFalse();
        assertThat(id.inode()).isEqualTo(Files.getAttribute(file, "unix:ino"));
        assertThat(id.device()).isEqualTo(Files.getAttribute(file, "unix:dev"));
        assertThat(id.size()).isEqualTo(Files.size(file));
        assertThat(id.mtimeNanos()).isEqualTo(Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.NANOSECONDS));
        assertThat(plan.segments().get(0).key().cacheFileName()).startsWith("f-").endsWith("-1000-10.plan");
    }

    @Test
    void suspiciousSitesBecomeFileOffsetsWithTheirReasons(@TempDir Path dir) throws Exception {
        Path file = PlanFixtures.write(dir, "s.so", PlanFixtures.twoTextSegments(ID));
        SegmentScanner fake = (code, off, len, addr, data) -> addr != 0x401000
                ? new ScanResult(new int[0], new int[0], List.of(), 0, 0)
                : new ScanResult(new int[] {5}, new int[0], List.of(new SuspiciousSite(7, "follows an invalid decode")), 4, 3);
        SegmentPlan a = new Planner(fake, "fake").plan(file).segments().get(0);
        assertThat(a.suspicious()).containsExactly(new SuspiciousFileSite(A_OFFSET + 7, "follows an invalid decode"));
        assertThat(a.instructions()).isEqualTo(4);
        assertThat(a.invalidBytes()).isEqualTo(3);
    }

    @Test
    void aScannerSiteThatIsNotASyscallIsRefused(@TempDir Path dir) throws Exception {
        Path file = PlanFixtures.write(dir, "bad.so", PlanFixtures.twoTextSegments(ID));
        SegmentScanner wrongSite = (code, off, len, addr, data) -> new ScanResult(new int[] {0}, new int[0], List.of(), 0, 0);
        assertThatThrownBy(() -> new Planner(wrongSite, "w").plan(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("site at +0x0 of " + file + " segment at file offset 0x1000 that is not a syscall");
        SegmentScanner missingSysenter = (code, off, len, addr, data) ->
                new ScanResult(new int[] {5, 7}, new int[0], List.of(), 0, 0);
        assertThatThrownBy(() -> new Planner(missingSysenter, "m").plan(file))
                .hasMessageContaining("sysenter list disagrees with the bytes at +0x7");
        SegmentScanner stray = (code, off, len, addr, data) -> new ScanResult(new int[0], new int[] {7}, List.of(), 0, 0);
        assertThatThrownBy(() -> new Planner(stray, "s").plan(file)).hasMessageContaining("sysenter offsets that are not sites");
    }

    @Test
    void libcPlanHoldsOnlyRealSyscallBytesInsideItsTextSegment() throws Exception {
        Path libc = SystemFiles.libc();
        FilePlan plan = new Planner().plan(libc);
        assertThat(plan.identity().hasBuildId()).isTrue();
        assertThat(plan.segments()).isNotEmpty();
        assertThat(plan.siteCount()).isPositive(); // libc makes syscalls directly
        try (ElfFile elf = ElfFile.open(libc)) {
            for (SegmentPlan s : plan.segments()) {
                byte[] code = elf.read(s.key().segmentOffset(), s.key().segmentSize(), "text");
                for (long site : s.siteFileOffsets()) {
                    int at = (int) (site - s.key().segmentOffset());
                    assertThat(code[at]).isEqualTo((byte) 0x0f);
                    assertThat(code[at + 1]).isEqualTo(s.expectedSecondByte(site));
                }
            }
        }
    }
}
