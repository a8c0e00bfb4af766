package dev.jpoline.inlinehook.symbols;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The code ranges an ELF file's unwind information describes: the binary search table of
 * {@code .eh_frame_hdr}, each entry's FDE (frame description entry) read from {@code .eh_frame}
 * for its exact {@code [pc_begin, pc_begin + pc_range)}.
 *
 * <p>Every function the unwinder can walk through has an FDE, so this covers code that has no
 * symbol left: glibc's string functions in a stripped libc, for instance. Addresses are ELF
 * virtual addresses (as linked); add the load bias for a running process.
 *
 * <p>Parsing never throws: a header that cannot be read gives an empty index, and an entry whose
 * FDE or CIE cannot be read covers nothing (and is counted in {@link #unreadable()}). Immutable.
 */
public final class EhFrameIndex {
    /** DW_EH_PE_omit: no value. */
    private static final int OMIT = 0xff;
    private static final int PCREL = 0x10;
    private static final int DATAREL = 0x30;
    private static final int INDIRECT = 0x80;
    private static final long NO_BASE = Long.MIN_VALUE;
    private static final EhFrameIndex EMPTY = new EhFrameIndex(new long[0], new long[0], new long[0], 0);

    /** The search table's initial locations, ascending. */
    private final long[] keys;
    /** The FDE ranges, begin == end for an entry that could not be read. */
    private final long[] begins;
    private final long[] ends;
    private final int unreadable;

    private EhFrameIndex(long[] keys, long[] begins, long[] ends, int unreadable) {
        this.keys = keys;
        this.begins = begins;
        this.ends = ends;
        this.unreadable = unreadable;
    }

    public static EhFrameIndex empty() {
        return EMPTY;
    }

    /**
     * Where {@code .eh_frame} starts according to the header's {@code eh_frame_ptr}, or -1 when
     * the header cannot be read.
     *
     * @param hdr the bytes of {@code .eh_frame_hdr}
     * @param hdrVaddr the virtual address of its first byte
     */
    public static long ehFramePointer(byte[] hdr, long hdrVaddr) {
        try {
            Reader r = new Reader(hdr, hdrVaddr, 0, hdr.length);
            if (r.u8() != 1) {
                return -1;
            }
            int pointerEncoding = r.u8();
            r.u8();
            r.u8();
            return encoded(r, pointerEncoding, hdrVaddr);
        } catch (Malformed e) {
            return -1;
        }
    }

    /**
     * Reads the search table of {@code hdr} and the FDE of each entry from {@code frames}.
     *
     * @param hdr the bytes of {@code .eh_frame_hdr} (version 1)
     * @param hdrVaddr the virtual address of its first byte: the base of datarel encodings
     * @param frames bytes holding {@code .eh_frame} (every FDE and CIE the table names)
     * @param framesVaddr the virtual address of {@code frames[0]}
     */
    public static EhFrameIndex parse(byte[] hdr, long hdrVaddr, byte[] frames, long framesVaddr) {
        long[] keys;
        long[] fdes;
        try {
            Reader r = new Reader(hdr, hdrVaddr, 0, hdr.length);
            if (r.u8() != 1) {
                return EMPTY;
            }
            int pointerEncoding = r.u8();
            int countEncoding = r.u8();
            int tableEncoding = r.u8();
            encoded(r, pointerEncoding, hdrVaddr);
            if (countEncoding == OMIT || tableEncoding == OMIT || (countEncoding & 0x70) != 0) {
                return EMPTY; // no search table (a linker may leave it out)
            }
            long count = encoded(r, countEncoding, hdrVaddr);
            // Each entry holds two values of at least one byte each.
            if (count < 0 || count > (hdr.length - r.pos) / 2) {
                return EMPTY;
            }
            keys = new long[(int) count];
            fdes = new long[(int) count];
            for (int i = 0; i < count; i++) {
                keys[i] = encoded(r, tableEncoding, hdrVaddr);
                fdes[i] = encoded(r, tableEncoding, hdrVaddr);
            }
        } catch (Malformed e) {
            return EMPTY;
        }
        sortIfNeeded(keys, fdes);
        long[] begins = new long[keys.length];
        long[] ends = new long[keys.length];
        Map<Long, Integer> cieEncodings = new HashMap<>();
        int unreadable = 0;
        for (int i = 0; i < keys.length; i++) {
            try {
                Reader r = record(frames, framesVaddr, fdes[i]);
                long idAt = r.vaddr();
                long cieDelta = r.u32();
                if (cieDelta == 0) {
                    throw new Malformed(); // a CIE, not an FDE
                }
                long cie = idAt - cieDelta;
                Integer encoding = cieEncodings.get(cie);
                if (encoding == null) {
                    encoding = fdeEncoding(frames, framesVaddr, cie);
                    cieEncodings.put(cie, encoding);
                }
                if (encoding < 0) {
                    throw new Malformed();
                }
                long begin = encoded(r, encoding, NO_BASE);
                long range = value(r, encoding & 0x0f);
                if (range < 0) {
                    throw new Malformed();
                }
                begins[i] = begin;
                ends[i] = begin + range;
            } catch (Malformed e) {
                begins[i] = keys[i];
                ends[i] = keys[i];
                unreadable++;
            }
        }
        return new EhFrameIndex(keys, begins, ends, unreadable);
    }

    /** The table is sorted by the linker; one that is not is sorted here rather than searched wrongly. */
    private static void sortIfNeeded(long[] keys, long[] fdes) {
        boolean sorted = true;
        for (int i = 1; i < keys.length && sorted; i++) {
            sorted = keys[i - 1] <= keys[i];
        }
        if (sorted) {
            return;
        }
        Integer[] order = new Integer[keys.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(keys[a], keys[b]));
        long[] k = keys.clone();
        long[] f = fdes.clone();
        for (int i = 0; i < order.length; i++) {
            keys[i] = k[order[i]];
            fdes[i] = f[order[i]];
        }
    }

    /** Entries in the table. */
    public int size() {
        return keys.length;
    }

    /** The first address entry {@code i}'s FDE covers. */
    public long begin(int i) {
        return begins[i];
    }

    /** One past the last address entry {@code i}'s FDE covers; equal to {@link #begin} when it could not be read. */
    public long end(int i) {
        return ends[i];
    }

    /** Entries whose FDE or CIE could not be read. */
    public int unreadable() {
        return unreadable;
    }

    /** The entry whose FDE covers {@code vaddr}, or -1. */
    public int indexContaining(long vaddr) {
        int lo = 0;
        int hi = keys.length - 1;
        int last = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (keys[mid] <= vaddr) {
                last = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        // Entries sharing a start (an empty FDE beside a real one) are all looked at.
        for (int i = last; i >= 0 && keys[i] == keys[last]; i--) {
            if (begins[i] <= vaddr && vaddr < ends[i]) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A reader over the body of the record (CIE or FDE) at {@code vaddr}: after its length, up to
     * its end. A 64-bit record (length 0xffffffff, then 8 bytes of length) is read too; its CIE id
     * or pointer stays 4 bytes in {@code .eh_frame}, as the LSB defines it.
     */
    private static Reader record(byte[] frames, long framesVaddr, long vaddr) throws Malformed {
        long at = vaddr - framesVaddr;
        if (at < 0 || at >= frames.length) {
            throw new Malformed();
        }
        Reader r = new Reader(frames, framesVaddr, (int) at, frames.length);
        long length = r.u32();
        if (length == 0xffffffffL) {
            length = r.u64();
        }
        if (length <= 0 || length > frames.length - r.pos) {
            throw new Malformed(); // 0 is the terminator; negative or too long is damage
        }
        r.limit = (int) (r.pos + length);
        return r;
    }

    /** The pointer encoding the CIE at {@code vaddr} gives its FDEs ('R' augmentation), or -1 when unreadable. */
    private static int fdeEncoding(byte[] frames, long framesVaddr, long vaddr) {
        try {
            Reader r = record(frames, framesVaddr, vaddr);
            if (r.u32() != 0) {
                return -1; // not a CIE
            }
            int version = r.u8();
            if (version != 1 && version != 3 && version != 4) {
                return -1;
            }
            String augmentation = r.cString();
            if (version == 4) {
                int addressSize = r.u8();
                r.u8(); // segment selector size
                if (addressSize != 8) {
                    return -1;
                }
            }
            int i = 0;
            if (augmentation.startsWith("eh")) {
                r.u64(); // the obsolete eh_data pointer
                i = 2;
            }
            r.uleb(); // code alignment factor
            r.sleb(); // data alignment factor
            if (version == 1) {
                r.u8(); // return address register
            } else {
                r.uleb();
            }
            int encoding = 0; // DW_EH_PE_absptr unless 'R' says otherwise
            if (i == augmentation.length()) {
                return encoding;
            }
            if (augmentation.charAt(i) != 'z') {
                return -1; // data of unknown size follows: nothing after it can be trusted
            }
            long dataLength = r.uleb();
            if (dataLength < 0 || dataLength > r.limit - r.pos) {
                return -1;
            }
            for (int k = i + 1; k < augmentation.length(); k++) {
                switch (augmentation.charAt(k)) {
                    case 'R':
                        encoding = r.u8();
                        break;
                    case 'L':
                        r.u8(); // LSDA encoding
                        break;
                    case 'P':
                        int personality = r.u8();
                        if ((personality & 0x70) == 0x50) {
                            return -1; // aligned: not used on x86-64
                        }
                        value(r, personality & 0x0f);
                        break;
                    case 'S': // signal frame
                    case 'B': // AArch64 B key
                    case 'G': // memory tagging
                        break;
                    default:
                        return -1; // an unknown letter might have come before 'R': refuse rather than guess
                }
            }
            if ((encoding & INDIRECT) != 0 || ((encoding & 0x70) != 0 && (encoding & 0x70) != PCREL)) {
                return -1; // FDE addresses are absolute or pc-relative in .eh_frame on x86-64
            }
            return encoding;
        } catch (Malformed e) {
            return -1;
        }
    }

    /** A value in DW_EH_PE encoding {@code encoding}, its application (pcrel, datarel) applied. */
    private static long encoded(Reader r, int encoding, long dataBase) throws Malformed {
        if (encoding == OMIT || (encoding & INDIRECT) != 0) {
            throw new Malformed(); // indirect needs the run-time memory
        }
        long at = r.vaddr();
        long v = value(r, encoding & 0x0f);
        switch (encoding & 0x70) {
            case 0x00:
                return v;
            case PCREL:
                return at + v;
            case DATAREL:
                if (dataBase == NO_BASE) {
                    throw new Malformed();
                }
                return dataBase + v;
            default:
                throw new Malformed(); // textrel, funcrel, aligned: not used here
        }
    }

    /** A value in DW_EH_PE value format {@code format} (the low four bits of an encoding). */
    private static long value(Reader r, int format) throws Malformed {
        switch (format) {
            case 0x00: // absptr: a pointer, 8 bytes on x86-64
            case 0x04: // udata8
            case 0x08: // signed absptr
            case 0x0c: // sdata8
                return r.u64();
            case 0x01:
                return r.uleb();
            case 0x02:
                return r.u16();
            case 0x03:
                return r.u32();
            case 0x09:
                return r.sleb();
            case 0x0a:
                return (short) r.u16();
            case 0x0b:
                return (int) r.u32();
            default:
                throw new Malformed();
        }
    }

    /** Bytes past the end of a record, a bad encoding: reading stops, nothing escapes. */
    private static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed() {
            super(null, null, false, false);
        }
    }

    /** Little-endian reads within [pos, limit) of an array whose first byte is at {@code base}. */
    private static final class Reader {
        final byte[] b;
        final long base;
        int pos;
        int limit;

        Reader(byte[] b, long base, int pos, int limit) {
            this.b = b;
            this.base = base;
            this.pos = pos;
            this.limit = limit;
        }

        long vaddr() {
            return base + pos;
        }

        private void need(int n) throws Malformed {
            if (n > limit - pos) {
                throw new Malformed();
            }
        }

        int u8() throws Malformed {
            need(1);
            return b[pos++] & 0xff;
        }

        long u16() throws Malformed {
            need(2);
            long v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
            pos += 2;
            return v;
        }

        long u32() throws Malformed {
            need(4);
            long v = (b[pos] & 0xffL) | (b[pos + 1] & 0xffL) << 8 | (b[pos + 2] & 0xffL) << 16 | (b[pos + 3] & 0xffL) << 24;
            pos += 4;
            return v;
        }

        long u64() throws Malformed {
            long low = u32();
            return low | u32() << 32;
        }

        long uleb() throws Malformed {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int x = u8();
                if (shift < 64) {
                    v |= (long) (x & 0x7f) << shift;
                }
                if ((x & 0x80) == 0) {
                    return v;
                }
                if (shift > 70) {
                    throw new Malformed();
                }
            }
        }

        long sleb() throws Malformed {
            long v = 0;
            int shift = 0;
            int x;
            do {
                x = u8();
                if (shift < 64) {
                    v |= (long) (x & 0x7f) << shift;
                }
                shift += 7;
                if (shift > 77) {
                    throw new Malformed();
                }
            } while ((x & 0x80) != 0);
            if (shift < 64 && (x & 0x40) != 0) {
                v |= -1L << shift;
            }
            return v;
        }

        String cString() throws Malformed {
            int start = pos;
            while (true) {
                if (u8() == 0) {
                    return new String(b, start, pos - 1 - start, java.nio.charset.StandardCharsets.ISO_8859_1);
                }
            }
        }
    }
}
