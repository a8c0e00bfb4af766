package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.scan.ScanResult;
import dev.jpoline.rewriter.scan.SiteScanner;

/**
 * {@link SegmentScanner#siteScanner()}: a fresh {@link SiteScanner} per scan. A class rather than
 * a lambda: a host builds its planner first thing, and the first lambda a JVM runs sets up the
 * whole method-handle machinery (milliseconds, even from a CDS archive), which jpoline's
 * start-up leaves to a second thread.
 */
final class ProjectSegmentScanner implements SegmentScanner {
    static final ProjectSegmentScanner INSTANCE = new ProjectSegmentScanner();

    private ProjectSegmentScanner() {}

    @Override
    public ScanResult scan(byte[] code, int offset, int length, long address, long[] dataRanges) {
        return new SiteScanner().scan(code, offset, length, address, dataRanges);
    }
}
