package dev.jpoline.rewriter.scan;

import java.util.List;

/**
 * What a linear sweep of one executable range found.
 *
 * @param siteOffsets offsets (relative to the start of the scanned range, ascending) of every
 *     {@code syscall} (0F 05) and {@code sysenter} (0F 34) instruction start that is safe to rewrite
 * @param sysenterOffsets the subset of {@code siteOffsets} that are {@code sysenter}
 * @param suspicious sites found but not trusted (not in {@code siteOffsets}), each with its reason
 * @param instructions number of instructions decoded (valid ones)
 * @param invalidBytes number of bytes skipped as invalid encodings
 */
public record ScanResult(
        int[] siteOffsets, int[] sysenterOffsets, List<SuspiciousSite> suspicious, long instructions,
        long invalidBytes) {}
