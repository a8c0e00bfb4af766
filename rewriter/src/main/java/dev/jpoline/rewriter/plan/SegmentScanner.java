package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.scan.ScanResult;
import dev.jpoline.rewriter.scan.SiteScanner;

/**
 * The sweep a {@link Planner} runs over one executable segment; the signature of
 * {@link SiteScanner#scan}. An interface so tests can count or fake scans.
 */
@FunctionalInterface
public interface SegmentScanner {
    /**
     * Sweeps {@code code[offset, offset + length)}, mapped at {@code address}; {@code dataRanges}
     * are sorted flattened {@code [start, end)} virtual-address pairs of non-code bytes.
     */
    ScanResult scan(byte[] code, int offset, int length, long address, long[] dataRanges);

    /** The project's scanner; a fresh instance per scan, so no state is shared between threads. */
    static SegmentScanner siteScanner() {
        return ProjectSegmentScanner.INSTANCE;
    }
}
