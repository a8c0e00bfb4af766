package dev.jpoline.rewriter.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SiteScannerTest {
    private static final long BASE = 0x7f0000001000L;
    private final SiteScanner scanner = new SiteScanner();

    private static byte[] hex(String text) {
        String s = text.replace(" ", "");
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    private ScanResult scan(String code, long... dataRanges) {
        byte[] bytes = hex(code);
        return scanner.scan(bytes, 0, bytes.length, BASE, dataRanges);
    }

    @Test
    void findsSyscallAndSysenterInstructionStarts() {
        // mov eax, 60; syscall; nop; sysenter; ret
        ScanResult r = scan("b8 3c000000 0f05 90 0f34 c3");
        assertThat(r.siteOffsets()).containsExactly(5, 8);
        assertThat(r.sysenterOffsets()).containsExactly(8);
        assertThat(r.suspicious()).isEmpty();
        assertThat(r.instructions()).isEqualTo(5);
        assertThat(r.invalidBytes()).isZero();
    }

    @Test
    void syscallBytesInsideAnotherInstructionAreNotSites() {
        // mov eax, 0x050f; lea rax, [rip+0x050f]; cmp byte [rax], 0x0f ; 05 ...
        ScanResult r = scan("b8 0f050000 48 8d 05 0f050000 80 38 0f 05 00000000");
        assertThat(r.siteOffsets()).isEmpty();
        assertThat(r.suspicious()).isEmpty();
    }

    @Test
    void offsetsAreRelativeToTheScannedRangeNotTheBuffer() {
        byte[] bytes = hex("cc cc cc 90 0f05 cc");
        ScanResult r = scanner.scan(bytes, 3, 3, BASE, new long[0]);
        assertThat(r.siteOffsets()).containsExactly(1);
        assertThat(r.instructions()).isEqualTo(2);
    }

    @Test
    void siteInsideADataRangeIsSuspicious() {
        // nop; [data: 0f 05]; ret — the data range covers bytes 1..3
        ScanResult r = scan("90 0f05 c3", BASE + 1, BASE + 3);
        assertThat(r.siteOffsets()).isEmpty();
        assertThat(r.suspicious()).singleElement().satisfies(s -> {
            assertThat(s.offset()).isEqualTo(1);
            assertThat(s.reason()).contains("data range");
        });
    }

    @Test
    void sweepResumesExactlyAtTheEndOfADataRange() {
        // data byte e8 would swallow the syscall as a call's rel32; the range end resynchronises
        ScanResult r = scan("90 e8 0f05 c3 90 90", BASE + 1, BASE + 2);
        assertThat(r.siteOffsets()).containsExactly(2);
    }

    @Test
    void siteSoonAfterAnInvalidDecodeIsSuspicious() {
        // 06 (invalid in 64-bit mode), then a syscall right away
        ScanResult r = scan("06 0f05 c3");
        assertThat(r.siteOffsets()).isEmpty();
        assertThat(r.invalidBytes()).isEqualTo(1);
        assertThat(r.suspicious()).singleElement().satisfies(s -> {
            assertThat(s.offset()).isEqualTo(1);
            assertThat(s.reason()).contains("invalid decode at 0x" + Long.toHexString(BASE));
        });
    }

    @Test
    void siteBeyondTheWindowAfterAnInvalidDecodeIsTrusted() {
        String nops = "90".repeat(SiteScanner.SUSPICIOUS_WINDOW);
        ScanResult r = scan("06 " + nops + " 0f05");
        assertThat(r.siteOffsets()).containsExactly(1 + SiteScanner.SUSPICIOUS_WINDOW);
        assertThat(r.suspicious()).isEmpty();
        ScanResult justInside = scan("06 " + "90".repeat(SiteScanner.SUSPICIOUS_WINDOW - 1) + " 0f05");
        assertThat(justInside.siteOffsets()).isEmpty();
        assertThat(justInside.suspicious()).hasSize(1);
    }

    @Test
    void truncatedInstructionAtTheEndCountsAsInvalidBytes() {
        // nop; then e8 with only two of its four rel32 bytes before the end of the range
        ScanResult r = scan("90 e8 0000");
        assertThat(r.instructions()).isEqualTo(2); // nop, then "00 00" = add [rax], al after skipping e8
        assertThat(r.invalidBytes()).isEqualTo(1);
        ScanResult lone = scan("90 0f");
        assertThat(lone.instructions()).isEqualTo(1);
        assertThat(lone.invalidBytes()).isEqualTo(1);
        assertThat(lone.siteOffsets()).isEmpty();
    }

    @Test
    void emptyRangeAndBadArguments() {
        ScanResult r = scanner.scan(new byte[4], 4, 0, BASE, null);
        assertThat(r.siteOffsets()).isEmpty();
        assertThat(r.instructions()).isZero();
        assertThatThrownBy(() -> scanner.scan(new byte[4], 2, 3, BASE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> scanner.scan(new byte[4], 0, 4, BASE, new long[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pairs");
    }
}
