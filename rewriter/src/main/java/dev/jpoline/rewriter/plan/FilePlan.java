package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.maps.MapsEntry;
import java.nio.file.Path;
import java.util.List;

/**
 * The plans of every executable segment of one file, in file-offset order.
 *
 * @param file the path the plans were made for
 */
public record FilePlan(Path file, FileIdentity identity, List<SegmentPlan> segments) {
    public FilePlan {
        segments = List.copyOf(segments);
    }

    public int siteCount() {
        int n = 0;
        for (SegmentPlan s : segments) {
            n += s.siteCount();
        }
        return n;
    }

    /** The jumps a process under Syscall User Dispatch may get in this mapping ({@link SegmentPlan#jumpsOnto}). */
    public List<SiteJump> jumpsOnto(MapsEntry entry) {
        List<SiteJump> jumps = new java.util.ArrayList<>();
        for (SegmentPlan s : segments) {
            jumps.addAll(s.jumpsOnto(entry));
        }
        return jumps;
    }

    /**
     * All sites the maps entry covers, at absolute addresses, ascending. The caller checks that the
     * entry maps this file (path, or device and inode).
     */
    public MappedSites mapOnto(MapsEntry entry) {
        MappedSites only = null;
        int total = 0;
        MappedSites[] parts = new MappedSites[segments.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = segments.get(i).mapOnto(entry);
            total += parts[i].count();
            if (parts[i].count() > 0) {
                only = parts[i];
            }
        }
        if (only != null && only.count() == total) {
            return only; // the usual case: one text segment per entry
        }
        long[] addresses = new long[total];
        byte[] second = new byte[total];
        int at = 0;
        for (MappedSites p : parts) {
            System.arraycopy(p.addresses(), 0, addresses, at, p.count());
            System.arraycopy(p.secondBytes(), 0, second, at, p.count());
            at += p.count();
        }
        return new MappedSites(addresses, second);
    }
}
