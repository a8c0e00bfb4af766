package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.scan.ScanResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps a scanner, counting scans and remembering the data ranges each was given. */
final class CountingScanner implements SegmentScanner {
    final SegmentScanner inner;
    final AtomicInteger scans = new AtomicInteger();
    final List<long[]> dataRanges = new ArrayList<>();
    final List<Long> addresses = new ArrayList<>();

    CountingScanner(SegmentScanner inner) {
        this.inner = inner;
    }

    CountingScanner() {
        this(SegmentScanner.siteScanner());
    }

    @Override
    public synchronized ScanResult scan(byte[] code, int offset, int length, long address, long[] ranges) {
        scans.incrementAndGet();
        dataRanges.add(ranges.clone());
        addresses.add(address);
        return inner.scan(code, offset, length, address, ranges);
    }
}
