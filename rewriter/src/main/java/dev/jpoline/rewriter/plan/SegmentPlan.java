package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.maps.MapsEntry;
import dev.jpoline.rewriter.scan.HopFinder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The rewrite plan of one executable segment: every syscall site to rewrite, as file offsets.
 *
 * <p>File offsets (not addresses) make a plan independent of where a process maps the file, so one
 * plan serves every process. Each site holds {@code 0F 05} (syscall) unless it is in the sysenter
 * subset, where it holds {@code 0F 34}; that is how a patcher knows what to verify before writing.
 * A site may also have a hop (docs/sud.md, "Jump-patched sites"): five bytes of padding near it
 * that nothing executes, where a process under Syscall User Dispatch gets a jump to the site's
 * trampoline ({@link dev.jpoline.rewriter.scan.HopFinder}). Immutable; the arrays are never
 * handed out.
 */
public final class SegmentPlan {
    private final PlanKey key;
    private final long segmentVaddr;
    private final long[] siteFileOffsets;
    private final long[] sysenterFileOffsets;
    private final List<SuspiciousFileSite> suspicious;
    private final long instructions;
    private final long invalidBytes;
    /** Per site, the file offset of its hop, or -1. */
    private final long[] hopFileOffsets;
    /** Per site, the hop's five original bytes (zeros where it has none): what a patcher verifies. */
    private final byte[] hopOriginals;

    /**
     * @param siteFileOffsets strictly ascending file offsets of the sites, each inside the segment
     * @param sysenterFileOffsets the strictly ascending subset of them that are sysenter
     */
    public SegmentPlan(PlanKey key, long segmentVaddr, long[] siteFileOffsets, long[] sysenterFileOffsets,
            List<SuspiciousFileSite> suspicious, long instructions, long invalidBytes) {
        this(key, segmentVaddr, siteFileOffsets, sysenterFileOffsets, suspicious, instructions, invalidBytes,
                noHops(siteFileOffsets.length), new byte[HopFinder.HOP_SIZE * siteFileOffsets.length]);
    }

    /**
     * @param hopFileOffsets per site, its hop's file offset or -1
     * @param hopOriginals per site, {@value HopFinder#HOP_SIZE} bytes: what the file holds at its hop
     */
    public SegmentPlan(PlanKey key, long segmentVaddr, long[] siteFileOffsets, long[] sysenterFileOffsets,
            List<SuspiciousFileSite> suspicious, long instructions, long invalidBytes, long[] hopFileOffsets,
            byte[] hopOriginals) {
        this.hopFileOffsets = hopFileOffsets.clone();
        this.hopOriginals = hopOriginals.clone();
        this.key = Objects.requireNonNull(key, "key");
        this.segmentVaddr = segmentVaddr;
        this.siteFileOffsets = siteFileOffsets.clone();
        this.sysenterFileOffsets = sysenterFileOffsets.clone();
        this.suspicious = List.copyOf(suspicious);
        this.instructions = instructions;
        this.invalidBytes = invalidBytes;
        String problem = validate();
        if (problem != null) {
            throw new IllegalArgumentException("invalid plan for " + key.cacheFileName() + ": " + problem);
        }
    }

    /** Null when consistent, else what is wrong; also used to vet entries read from disk. */
    private String validate() {
        long lo = key.segmentOffset();
        long hi = key.segmentOffset() + key.segmentSize();
        long prev = Long.MIN_VALUE;
        for (long s : siteFileOffsets) {
            if (s <= prev) {
                return "site offsets are not strictly ascending at 0x" + Long.toHexString(s);
            }
            if (s < lo || s + 2 > hi) {
                return "site 0x" + Long.toHexString(s) + " is outside the segment [0x" + Long.toHexString(lo)
                        + ", 0x" + Long.toHexString(hi) + ")";
            }
            prev = s;
        }
        prev = Long.MIN_VALUE;
        for (long s : sysenterFileOffsets) {
            if (s <= prev) {
                return "sysenter offsets are not strictly ascending at 0x" + Long.toHexString(s);
            }
            if (Arrays.binarySearch(siteFileOffsets, s) < 0) {
                return "sysenter 0x" + Long.toHexString(s) + " is not one of the sites";
            }
            prev = s;
        }
        for (SuspiciousFileSite s : suspicious) {
            if (s.fileOffset() < lo || s.fileOffset() >= hi) {
                return "suspicious site 0x" + Long.toHexString(s.fileOffset()) + " is outside the segment";
            }
        }
        if (instructions < 0 || invalidBytes < 0) {
            return "negative counts";
        }
        if (hopFileOffsets.length != siteFileOffsets.length || hopOriginals.length != HopFinder.HOP_SIZE * hopFileOffsets.length) {
            return "hop arrays do not match the sites";
        }
        for (int i = 0; i < hopFileOffsets.length; i++) {
            long h = hopFileOffsets[i];
            if (h == -1) {
                continue;
            }
            long d = h - (siteFileOffsets[i] + 2);
            if (d < -128 || d > 127 || isSysenter(siteFileOffsets[i])) {
                return "hop 0x" + Long.toHexString(h) + " is out of a jmp rel8's reach from site 0x"
                        + Long.toHexString(siteFileOffsets[i]);
            }
            if (h < lo || h + HopFinder.HOP_SIZE > hi) {
                return "hop 0x" + Long.toHexString(h) + " is outside the segment";
            }
            for (int j = 0; j < i; j++) {
                long o = hopFileOffsets[j];
                if (o != -1 && o < h + HopFinder.HOP_SIZE && h < o + HopFinder.HOP_SIZE) {
                    return "hop 0x" + Long.toHexString(h) + " overlaps the hop at 0x" + Long.toHexString(o);
                }
            }
            int next = lowerBound(siteFileOffsets, h);
            if ((next < siteFileOffsets.length && siteFileOffsets[next] < h + HopFinder.HOP_SIZE)
                    || (next > 0 && siteFileOffsets[next - 1] + 2 > h)) {
                return "hop 0x" + Long.toHexString(h) + " overlaps a site";
            }
        }
        return null;
    }

    private static long[] noHops(int count) {
        long[] none = new long[count];
        Arrays.fill(none, -1);
        return none;
    }

    public PlanKey key() {
        return key;
    }

    /** The segment's link-time virtual address (p_vaddr); file offset o is at p_vaddr + o - p_offset. */
    public long segmentVaddr() {
        return segmentVaddr;
    }

    public int siteCount() {
        return siteFileOffsets.length;
    }

    public long siteFileOffset(int index) {
        return siteFileOffsets[index];
    }

    /** A copy of the site offsets, ascending. */
    public long[] siteFileOffsets() {
        return siteFileOffsets.clone();
    }

    /** A copy of the sysenter subset, ascending. */
    public long[] sysenterFileOffsets() {
        return sysenterFileOffsets.clone();
    }

    public boolean isSysenter(long fileOffset) {
        return sysenterFileOffsets.length != 0 && Arrays.binarySearch(sysenterFileOffsets, fileOffset) >= 0;
    }

    /** The second byte of the instruction at a site: {@code 05} for syscall, {@code 34} for sysenter. */
    public byte expectedSecondByte(long fileOffset) {
        return isSysenter(fileOffset) ? MappedSites.SYSENTER_SECOND_BYTE : MappedSites.SYSCALL_SECOND_BYTE;
    }

    /** The file offset of site {@code index}'s hop, or -1 when it has none. */
    public long hopFileOffset(int index) {
        return hopFileOffsets[index];
    }

    /** The {@value HopFinder#HOP_SIZE} bytes the file holds at site {@code index}'s hop. */
    public byte[] hopOriginal(int index) {
        return Arrays.copyOfRange(hopOriginals, HopFinder.HOP_SIZE * index, HopFinder.HOP_SIZE * (index + 1));
    }

    public int hopCount() {
        int n = 0;
        for (long h : hopFileOffsets) {
            if (h != -1) {
                n++;
            }
        }
        return n;
    }

    /**
     * The jumps a process under Syscall User Dispatch may get in a mapping of this segment: every
     * site with a hop, both inside the file range the entry shows, at their addresses there.
     */
    public List<SiteJump> jumpsOnto(MapsEntry entry) {
        long fileOffset = entry.offset();
        long size = entry.size();
        int from = lowerBound(siteFileOffsets, fileOffset);
        int to = lowerBound(siteFileOffsets, fileOffset + size);
        List<SiteJump> jumps = new ArrayList<>();
        for (int i = from; i < to; i++) {
            long h = hopFileOffsets[i];
            if (h == -1 || h < fileOffset || h + HopFinder.HOP_SIZE > fileOffset + size
                    || siteFileOffsets[i] + 2 > fileOffset + size) {
                continue;
            }
            jumps.add(new SiteJump(entry.start() + (siteFileOffsets[i] - fileOffset), entry.start() + (h - fileOffset),
                    hopOriginal(i)));
        }
        return jumps;
    }

    public List<SuspiciousFileSite> suspicious() {
        return suspicious;
    }

    public long instructions() {
        return instructions;
    }

    public long invalidBytes() {
        return invalidBytes;
    }

    /**
     * Sites whose first byte lies in the file range a maps entry shows, at their absolute
     * addresses in that process: {@code entry.start + (fileOffset - entry.offset)}.
     */
    public MappedSites mapOnto(MapsEntry entry) {
        return mapOnto(entry.start(), entry.offset(), entry.size());
    }

    /** As {@link #mapOnto(MapsEntry)}, for a mapping of {@code size} file bytes from {@code fileOffset} at {@code start}. */
    public MappedSites mapOnto(long start, long fileOffset, long size) {
        int from = lowerBound(siteFileOffsets, fileOffset);
        int to = lowerBound(siteFileOffsets, fileOffset + size);
        long[] addresses = new long[to - from];
        byte[] second = new byte[to - from];
        for (int i = from; i < to; i++) {
            long site = siteFileOffsets[i];
            addresses[i - from] = start + (site - fileOffset);
            second[i - from] = expectedSecondByte(site);
        }
        return new MappedSites(addresses, second);
    }

    /** First index whose value is at least {@code value}. */
    private static int lowerBound(long[] sorted, long value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SegmentPlan)) {
            return false;
        }
        SegmentPlan p = (SegmentPlan) o;
        return key.equals(p.key) && segmentVaddr == p.segmentVaddr && instructions == p.instructions
                && invalidBytes == p.invalidBytes && Arrays.equals(siteFileOffsets, p.siteFileOffsets)
                && Arrays.equals(sysenterFileOffsets, p.sysenterFileOffsets) && suspicious.equals(p.suspicious)
                && Arrays.equals(hopFileOffsets, p.hopFileOffsets) && Arrays.equals(hopOriginals, p.hopOriginals);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, segmentVaddr, Arrays.hashCode(siteFileOffsets), instructions);
    }

    @Override
    public String toString() {
        return "SegmentPlan[" + key.cacheFileName() + ", " + siteFileOffsets.length + " sites, "
                + sysenterFileOffsets.length + " sysenter, " + hopCount() + " with hops, " + suspicious.size() + " suspicious, "
                + instructions + " instructions, " + invalidBytes + " invalid bytes]";
    }
}
