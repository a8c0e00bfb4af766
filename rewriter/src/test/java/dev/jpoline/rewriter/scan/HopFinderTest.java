package dev.jpoline.rewriter.scan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Hops are found only in padding that nothing can execute, within a jmp rel8 of their site. */
class HopFinderTest {
    private static final long BASE = 0x7f0000001000L;

    private static byte[] hex(String text) {
        String s = text.replace(" ", "");
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    private static int[] hops(String code, int... sites) {
        return new HopFinder().find(hex(code), BASE, new long[0], sites, new long[0]);
    }

    private static int[] hopsWithData(String code, long[] dataRanges, int... sites) {
        return new HopFinder().find(hex(code), BASE, dataRanges, sites, new long[0]);
    }

    /** Instructions enough in front for the sweep to trust what follows (SiteScanner.SUSPICIOUS_WINDOW). */
    private static final String LEAD = "90 90 90 90 90 90 90 90 ";
    private static final int L = 8;

    @Test
    void paddingAfterRetIsAHop() {
        // mov eax, 0x6e; syscall; ret; nopw cs:[rax+rax] (10 bytes); push rbp
        int[] h = hops(LEAD + "b8 6e000000 0f05 c3 662e0f1f840000000000 55", L + 5);
        assertThat(h).containsExactly(L + 8);
    }

    @Test
    void int3PaddingAfterJmpIsAHop() {
        // syscall; jmp -2 (to itself: any jmp); int3 x 6; push rbp
        assertThat(hops(LEAD + "0f05 ebfe cccccccccccc 55", L)).containsExactly(L + 4);
    }

    @Test
    void nopsThatCodeFallsIntoAreNoHop() {
        // syscall; add eax, 1 (falls through); nop x 8; ret
        assertThat(hops(LEAD + "0f05 83c001 9090909090909090 c3", L)).containsExactly(-1);
    }

    @Test
    void paddingABranchTargetsIsCutBeforeTheTarget() {
        // jz +6 -> the 4th nop of the padding; syscall; ret; nop x 10; ret
        int[] cutShort = hops(LEAD + "7406 0f05 c3 90909090909090909090 c3", L + 2);
        // only 3 nops lie before the target: no room for five bytes
        assertThat(cutShort).containsExactly(-1);
        // jz +8 -> the 6th nop: the five before it hold a hop
        int[] room = hops(LEAD + "7408 0f05 c3 90909090909090909090 c3", L + 2);
        assertThat(room).containsExactly(L + 5);
    }

    @Test
    void aGapTooSmallOrOutOfReachIsNoHop() {
        // four nops only
        assertThat(hops(LEAD + "0f05 c3 90909090 55 c3", L)).containsExactly(-1);
        // the padding starts 140 bytes after the site: a jmp rel8 cannot get there
        String far = "90".repeat(140);
        assertThat(hops(LEAD + "0f05 " + far.substring(0, far.length() - 2) + "c3 9090909090909090 55", L))
                .containsExactly(-1);
    }

    @Test
    void xchgWithR8IsNotANop() {
        // 41 90 is xchg eax, r8d: not padding
        assertThat(hops(LEAD + "0f05 c3 4190 4190 4190 55", L)).containsExactly(-1);
    }

    @Test
    void sitesShareAGapWithoutOverlap() {
        // syscall; syscall; ret; nop x 12; push rbp
        int[] h = hops(LEAD + "0f05 0f05 c3 909090909090909090909090 55", L, L + 2);
        assertThat(h).containsExactly(L + 5, L + 10);
    }

    @Test
    void paddingInsideDataOrAfterAnInvalidDecodeIsNoHop() {
        String code = LEAD + "0f05 c3 90909090909090 55";
        long[] data = {BASE + L + 3, BASE + L + 10};
        assertThat(hopsWithData(code, data, L)).containsExactly(-1);
        // an invalid byte (06, push es, is invalid in 64-bit mode) right before: the sweep may be misaligned
        assertThat(hops("06 0f05 c3 90909090909090 55", 1)).containsExactly(-1);
    }

    @Test
    void aHopMayLieBeforeItsSite() {
        // ret; nop x 8; push rbp; mov eax, 0x27; syscall; (falls through) add eax, 1
        int[] h = hops(LEAD + "c3 9090909090909090 55 b8 27000000 0f05 83c001 c3", L + 15);
        assertThat(h).containsExactly(L + 1);
    }

    @Test
    void noHopCoversAFunctionsStart() {
        // ret; 14 nops; a function entered through its symbol (the PLT, a pointer) beginning with
        // xchg ax, ax (66 90), as -fpatchable-function-entry builds make them; its three sites
        String code = LEAD + "c3 " + "90".repeat(14) + " 6690 b8 27000000 0f05 0f05 0f05 c3";
        int entry = L + 15;
        int[] sites = {entry + 7, entry + 9, entry + 11};
        int[] h = new HopFinder().find(hex(code), BASE, new long[0], sites, new long[] {BASE + entry});
        for (int hop : h) {
            if (hop >= 0) {
                assertThat(hop + HopFinder.HOP_SIZE).as("hop %d stays before the entry", hop).isLessThanOrEqualTo(entry);
            }
        }
        assertThat(h).containsExactly(L + 1, L + 6, -1);
    }

    @Test
    void paddingAtTheSegmentsEndIsNoHop() {
        assertThat(hops(LEAD + "0f05 c3 90909090909090", L)).containsExactly(-1);
    }
}
