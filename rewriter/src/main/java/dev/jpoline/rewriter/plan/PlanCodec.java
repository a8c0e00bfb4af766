package dev.jpoline.rewriter.plan;

import dev.jpoline.rewriter.scan.HopFinder;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The on-disk form of one {@link SegmentPlan}. Little-endian:
 *
 * <pre>
 *   0  8  magic "JPLNPLAN"
 *   8  2  format version (2)
 *  10  2  reserved, 0
 *  12  4  body length N
 *  16  N  body
 * 16+N 4  CRC32C of bytes [0, 16+N)
 *
 * body:
 *   u8  key kind: 1 build-id, 2 device/inode/size/mtime
 *   u8  build-id length L, then L raw bytes (L = 0 for kind 2)
 *   u64 device, u64 inode, u64 size, u64 mtime-ns (all 0 for kind 1)
 *   u64 segment file offset, u64 segment size
 *   u16 scanner fingerprint length F, then F bytes UTF-8
 *   u64 segment vaddr, u64 instructions, u64 invalid bytes
 *   u32 site count S, then S x u32 site offset relative to the segment offset, ascending
 *   u32 sysenter count E, then E x u32 relative offsets (a subset of the sites)
 *   u32 suspicious count K, then K x (u32 relative offset, u16 reason length R, R bytes UTF-8)
 *   u32 hop count H, then H x (u32 site index, i8 hop - (site + 2), 5 bytes the file holds there)
 * </pre>
 *
 * Offsets are stored relative to the segment so they fit 32 bits; the key is echoed in full so an
 * entry under the wrong name (a hash collision, a renamed file) is never taken for another.
 */
final class PlanCodec {
    static final byte[] MAGIC = "JPLNPLAN".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 2;
    static final int HEADER = 16;
    static final int TRAILER = 4;
    private static final int KIND_BUILD_ID = 1;
    private static final int KIND_FILE = 2;
    /** A hop entry: site index, displacement, original bytes. */
    private static final int HOP_BYTES = 4 + 1 + HopFinder.HOP_SIZE;

    private PlanCodec() {}

    /** A decode failure: which problem, and a one-line description. */
    static final class Rejected extends Exception {
        final PlanCache.Rejection problem;

        Rejected(PlanCache.Rejection problem, String message) {
            super(message, null, false, false);
            this.problem = problem;
        }
    }

    static byte[] encode(SegmentPlan plan, String scannerFingerprint) {
        PlanKey key = plan.key();
        FileIdentity f = key.file();
        byte[] buildId = f.hasBuildId() ? HexFormat.of().parseHex(f.buildId()) : new byte[0];
        byte[] fingerprint = scannerFingerprint.getBytes(StandardCharsets.UTF_8);
        List<byte[]> reasons = new ArrayList<>(plan.suspicious().size());
        int reasonBytes = 0;
        for (SuspiciousFileSite s : plan.suspicious()) {
            byte[] r = s.reason().getBytes(StandardCharsets.UTF_8);
            if (r.length > 0xffff) {
                r = java.util.Arrays.copyOf(r, 0xffff);
            }
            reasons.add(r);
            reasonBytes += r.length;
        }
        long[] sites = plan.siteFileOffsets();
        long[] sysenters = plan.sysenterFileOffsets();
        int body = 2 + buildId.length + 6 * 8 + 2 + fingerprint.length + 3 * 8
                + 4 + 4 * sites.length + 4 + 4 * sysenters.length + 4 + 6 * reasons.size() + reasonBytes
                + 4 + HOP_BYTES * plan.hopCount();
        ByteBuffer b = ByteBuffer.allocate(HEADER + body + TRAILER).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putShort((short) VERSION).putShort((short) 0).putInt(body);
        b.put((byte) (f.hasBuildId() ? KIND_BUILD_ID : KIND_FILE)).put((byte) buildId.length).put(buildId);
        b.putLong(f.device()).putLong(f.inode()).putLong(f.size()).putLong(f.mtimeNanos());
        b.putLong(key.segmentOffset()).putLong(key.segmentSize());
        b.putShort((short) fingerprint.length).put(fingerprint);
        b.putLong(plan.segmentVaddr()).putLong(plan.instructions()).putLong(plan.invalidBytes());
        putRelative(b, sites, key.segmentOffset());
        putRelative(b, sysenters, key.segmentOffset());
        b.putInt(reasons.size());
        for (int i = 0; i < reasons.size(); i++) {
            b.putInt((int) (plan.suspicious().get(i).fileOffset() - key.segmentOffset()));
            b.putShort((short) reasons.get(i).length).put(reasons.get(i));
        }
        b.putInt(plan.hopCount());
        for (int i = 0; i < sites.length; i++) {
            long hop = plan.hopFileOffset(i);
            if (hop != -1) {
                b.putInt(i).put((byte) (hop - (sites[i] + 2))).put(plan.hopOriginal(i));
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, HEADER + body);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static void putRelative(ByteBuffer b, long[] offsets, long base) {
        b.putInt(offsets.length);
        for (long o : offsets) {
            b.putInt((int) (o - base));
        }
    }

    /** Decodes and vets an entry read for {@code expected}; throws rather than return anything doubtful. */
    static SegmentPlan decode(byte[] bytes, PlanKey expected, String scannerFingerprint) throws Rejected {
        if (bytes.length < HEADER + TRAILER) {
            throw new Rejected(PlanCache.Rejection.TRUNCATED, "only " + bytes.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new Rejected(PlanCache.Rejection.BAD_MAGIC, "not a plan file (bad magic)");
            }
        }
        int version = Short.toUnsignedInt(b.getShort(8));
        if (version != VERSION) {
            throw new Rejected(PlanCache.Rejection.WRONG_VERSION, "format version " + version + ", this build reads " + VERSION);
        }
        long body = b.getInt(12) & 0xffffffffL;
        long expectedLength = HEADER + body + TRAILER;
        if (bytes.length < expectedLength) {
            throw new Rejected(PlanCache.Rejection.TRUNCATED, bytes.length + " bytes, the header promises " + expectedLength);
        }
        if (bytes.length > expectedLength) {
            throw new Rejected(PlanCache.Rejection.CORRUPT, bytes.length + " bytes, the header promises " + expectedLength);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, HEADER + (int) body);
        if ((int) crc.getValue() != b.getInt(HEADER + (int) body)) {
            throw new Rejected(PlanCache.Rejection.CORRUPT, "checksum mismatch");
        }
        b.position(HEADER).limit(HEADER + (int) body);
        try {
            return decodeBody(b, expected, scannerFingerprint);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            // The checksum matched, so this was written wrong, not damaged later: still never trusted.
            throw new Rejected(PlanCache.Rejection.CORRUPT, "inconsistent content: " + e.getMessage());
        }
    }

    private static SegmentPlan decodeBody(ByteBuffer b, PlanKey expected, String scannerFingerprint) throws Rejected {
        int kind = b.get();
        byte[] buildId = new byte[b.get() & 0xff];
        b.get(buildId);
        long device = b.getLong();
        long inode = b.getLong();
        long size = b.getLong();
        long mtime = b.getLong();
        long segmentOffset = b.getLong();
        long segmentSize = b.getLong();
        FileIdentity file;
        if (kind == KIND_BUILD_ID) {
            file = FileIdentity.ofBuildId(HexFormat.of().formatHex(buildId));
        } else if (kind == KIND_FILE && buildId.length == 0) {
            file = new FileIdentity(null, device, inode, size, mtime);
        } else {
            throw new IllegalArgumentException("unknown key kind " + kind);
        }
        PlanKey stored = new PlanKey(file, segmentOffset, segmentSize);
        if (!stored.equals(expected)) {
            throw new Rejected(PlanCache.Rejection.KEY_MISMATCH, "holds the plan for " + stored.cacheFileName());
        }
        byte[] fingerprint = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(fingerprint);
        String storedFingerprint = new String(fingerprint, StandardCharsets.UTF_8);
        if (!storedFingerprint.equals(scannerFingerprint)) {
            throw new Rejected(PlanCache.Rejection.SCANNER_CHANGED,
                    "made by scanner " + storedFingerprint + ", current is " + scannerFingerprint);
        }
        long vaddr = b.getLong();
        long instructions = b.getLong();
        long invalid = b.getLong();
        long[] sites = getRelative(b, segmentOffset);
        long[] sysenters = getRelative(b, segmentOffset);
        int suspiciousCount = count(b, 6);
        List<SuspiciousFileSite> suspicious = new ArrayList<>(suspiciousCount);
        for (int i = 0; i < suspiciousCount; i++) {
            long offset = segmentOffset + (b.getInt() & 0xffffffffL);
            byte[] reason = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(reason);
            suspicious.add(new SuspiciousFileSite(offset, new String(reason, StandardCharsets.UTF_8)));
        }
        int hopCount = count(b, HOP_BYTES);
        long[] hops = new long[sites.length];
        java.util.Arrays.fill(hops, -1);
        byte[] originals = new byte[HopFinder.HOP_SIZE * sites.length];
        for (int i = 0; i < hopCount; i++) {
            int site = b.getInt();
            if (site < 0 || site >= sites.length || hops[site] != -1) {
                throw new IllegalArgumentException("hop for site index " + site + " of " + sites.length);
            }
            hops[site] = sites[site] + 2 + b.get();
            b.get(originals, HopFinder.HOP_SIZE * site, HopFinder.HOP_SIZE);
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException(b.remaining() + " unused bytes at the end");
        }
        // The constructor re-checks ordering, bounds and the sysenter subset.
        return new SegmentPlan(stored, vaddr, sites, sysenters, suspicious, instructions, invalid, hops, originals);
    }

    private static long[] getRelative(ByteBuffer b, long base) {
        long[] out = new long[count(b, 4)];
        for (int i = 0; i < out.length; i++) {
            out[i] = base + (b.getInt() & 0xffffffffL);
        }
        return out;
    }

    /** Reads a count and refuses one the remaining bytes cannot hold, before allocating for it. */
    private static int count(ByteBuffer b, int minBytesEach) {
        long n = b.getInt() & 0xffffffffL;
        if (n * minBytesEach > b.remaining()) {
            throw new IllegalArgumentException("count " + n + " exceeds the remaining " + b.remaining() + " bytes");
        }
        return (int) n;
    }
}
