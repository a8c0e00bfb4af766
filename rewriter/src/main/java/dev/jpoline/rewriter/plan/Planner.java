package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.ProgramHeader;
import dev.jpoline.rewriter.scan.HopFinder;
import dev.jpoline.rewriter.scan.ScanResult;
import dev.jpoline.rewriter.scan.SuspiciousSite;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Computes rewrite plans by sweeping each executable PT_LOAD segment of a file; no caching (see
 * {@link PlanCache}). Thread-safe when its scanner is.
 */
public final class Planner {
    private final SegmentScanner scanner;
    /** Null for the project's scanner: its fingerprint is computed when first asked for. */
    private final String scannerFingerprint;

    /**
     * A planner using the project's {@link dev.jpoline.rewriter.scan.SiteScanner}. Its fingerprint
     * (a checksum of the scanner's class files) is computed on first use, not here: a host opens
     * its plan cache before it starts the program and needs the fingerprint only once a plan is
     * read or written.
     */
    public Planner() {
        this.scanner = SegmentScanner.siteScanner();
        this.scannerFingerprint = null;
    }

    /**
     * @param scannerFingerprint names the scanner's exact behaviour; plans cached under another
     *     fingerprint are rebuilt
     */
    public Planner(SegmentScanner scanner, String scannerFingerprint) {
        this.scanner = Objects.requireNonNull(scanner, "scanner");
        if (scannerFingerprint.isEmpty() || scannerFingerprint.length() > 200) {
            throw new IllegalArgumentException("scanner fingerprint must be 1 to 200 characters");
        }
        this.scannerFingerprint = scannerFingerprint;
    }

    public String scannerFingerprint() {
        return scannerFingerprint != null ? scannerFingerprint : ScannerFingerprint.siteScanner();
    }

    /** Plans every executable segment of {@code file}. */
    public FilePlan plan(Path file) throws IOException {
        try (ElfFile elf = ElfFile.open(file)) {
            FileIdentity identity = FileIdentity.of(file, elf);
            List<SegmentPlan> plans = new ArrayList<>();
            for (ProgramHeader segment : textSegments(elf)) {
                plans.add(planSegment(elf, segment, PlanKey.of(identity, segment)));
            }
            return new FilePlan(file, identity, plans);
        }
    }

    /** The executable PT_LOAD segments with file bytes, ascending by file offset. */
    static List<ProgramHeader> textSegments(ElfFile elf) {
        List<ProgramHeader> out = new ArrayList<>();
        for (ProgramHeader p : elf.executableLoadSegments()) {
            if (p.filesz() > 0) {
                out.add(p);
            }
        }
        out.sort(BY_OFFSET);
        return out;
    }

    /** Not a method reference: this runs on every rewrite request, where each first-run lambda spins a class. */
    private static final Comparator<ProgramHeader> BY_OFFSET = new Comparator<ProgramHeader>() {
        @Override
        public int compare(ProgramHeader a, ProgramHeader b) {
            return Long.compare(a.offset(), b.offset());
        }
    };

    /** Sweeps one segment's file bytes [p_offset, p_offset + p_filesz) as mapped at p_vaddr. */
    public SegmentPlan planSegment(ElfFile elf, ProgramHeader segment, PlanKey key) throws IOException {
        byte[] code = elf.readSegment(segment);
        long[] dataRanges = elf.dataRangesIn(segment);
        ScanResult scan = scanner.scan(code, 0, code.length, segment.vaddr(), dataRanges);
        String where = elf.name() + " segment at file offset 0x" + Long.toHexString(segment.offset());
        int[] sites = scan.siteOffsets();
        int[] sysenters = scan.sysenterOffsets();
        long[] siteOffsets = new long[sites.length];
        long[] sysenterOffsets = new long[sysenters.length];
        int nextSysenter = 0;
        for (int i = 0; i < sites.length; i++) {
            int s = sites[i];
            // Never trust a scanner blindly: a wrong site here becomes a corrupted instruction in
            // every process that loads this file.
            if (s < 0 || s + 1 >= code.length || code[s] != 0x0f || (code[s + 1] != 0x05 && code[s + 1] != 0x34)) {
                throw new IllegalStateException("scanner reported a site at +0x" + Integer.toHexString(s) + " of "
                        + where + " that is not a syscall or sysenter instruction");
            }
            boolean listedSysenter = nextSysenter < sysenters.length && sysenters[nextSysenter] == s;
            if (listedSysenter != (code[s + 1] == 0x34)) {
                throw new IllegalStateException("scanner's sysenter list disagrees with the bytes at +0x"
                        + Integer.toHexString(s) + " of " + where);
            }
            if (listedSysenter) {
                sysenterOffsets[nextSysenter++] = segment.offset() + s;
            }
            siteOffsets[i] = segment.offset() + s;
        }
        if (nextSysenter != sysenters.length) {
            throw new IllegalStateException("scanner listed sysenter offsets that are not sites in " + where);
        }
        List<SuspiciousFileSite> suspicious = new ArrayList<>(scan.suspicious().size());
        for (SuspiciousSite s : scan.suspicious()) {
            suspicious.add(new SuspiciousFileSite(segment.offset() + s.offset(), s.reason()));
        }
        // Hops for the syscall sites (sysenter is never rewritten), for processes under SUD.
        int[] syscalls = new int[sites.length - sysenters.length];
        int[] siteIndex = new int[syscalls.length];
        for (int i = 0, n = 0; i < sites.length; i++) {
            if (code[sites[i] + 1] == 0x05) {
                siteIndex[n] = i;
                syscalls[n++] = sites[i];
            }
        }
        int[] hops = new HopFinder().find(code, segment.vaddr(), dataRanges, syscalls, elf.functionSymbols().starts());
        long[] hopOffsets = new long[sites.length];
        java.util.Arrays.fill(hopOffsets, -1);
        byte[] hopOriginals = new byte[HopFinder.HOP_SIZE * sites.length];
        for (int n = 0; n < hops.length; n++) {
            if (hops[n] >= 0) {
                hopOffsets[siteIndex[n]] = segment.offset() + hops[n];
                System.arraycopy(code, hops[n], hopOriginals, HopFinder.HOP_SIZE * siteIndex[n], HopFinder.HOP_SIZE);
            }
        }
        return new SegmentPlan(key, segment.vaddr(), siteOffsets, sysenterOffsets, suspicious, scan.instructions(),
                scan.invalidBytes(), hopOffsets, hopOriginals);
    }
}
