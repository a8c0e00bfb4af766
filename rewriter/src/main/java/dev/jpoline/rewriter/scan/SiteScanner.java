package dev.jpoline.rewriter.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * Linear sweep of an executable range that finds the syscall sites to rewrite.
 *
 * <p>PLACEHOLDER: this naive byte search stands in only until the decoder lands (decoder
 * branch), which replaces this file with a real instruction-by-instruction sweep. It exists so
 * that code built on the scan API compiles meanwhile; it must never reach main.
 */
public final class SiteScanner {
    /**
     * Sweeps {@code code[offset, offset + length)}, whose first byte is mapped at {@code address}.
     *
     * @param dataRanges sorted, non-overlapping {@code [start, end)} virtual-address pairs, flattened
     *     ({@code start0, end0, start1, end1, ...}), that the ELF marks as data inside this range
     */
    public ScanResult scan(byte[] code, int offset, int length, long address, long[] dataRanges) {
        List<Integer> sites = new ArrayList<>();
        List<Integer> sysenters = new ArrayList<>();
        for (int i = offset; i + 1 < offset + length; i++) {
            if (code[i] == 0x0f && (code[i + 1] == 0x05 || code[i + 1] == 0x34)) {
                sites.add(i - offset);
                if (code[i + 1] == 0x34) {
                    sysenters.add(i - offset);
                }
            }
        }
        return new ScanResult(sites.stream().mapToInt(Integer::intValue).toArray(),
                sysenters.stream().mapToInt(Integer::intValue).toArray(), List.of(), 0, 0);
    }
}
