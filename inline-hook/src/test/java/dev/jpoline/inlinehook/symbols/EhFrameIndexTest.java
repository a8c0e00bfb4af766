package dev.jpoline.inlinehook.symbols;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jpoline.rewriter.elf.ElfFile;
import dev.jpoline.rewriter.elf.SectionHeader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EhFrameIndexTest {
    private static final long HDR = 0x1000;
    private static final long FRAMES = 0x2000;

    /** Little-endian bytes, written in order. */
    private static final class Bytes {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int v) {
            out.write(v);
            return this;
        }

        Bytes u32(long v) {
            return n(v, 4);
        }

        Bytes u64(long v) {
            return n(v, 8);
        }

        Bytes n(long v, int bytes) {
            for (int i = 0; i < bytes; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Bytes str(String s) {
            out.writeBytes(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            return u8(0);
        }

        int size() {
            return out.size();
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /**
     * A CIE "zR" with pcrel|sdata4 FDE pointers and its FDE for [0x5000, 0x5040), then a 64-bit
     * (extended length) CIE without augmentation (absolute 8-byte pointers) and its FDE for
     * [0x6000, 0x6100), as a linker would lay them out, and the header's search table.
     */
    private static byte[][] sample() {
        Bytes f = new Bytes();
        // CIE 1 at 0: length 16.
        f.u32(16).u32(0).u8(1).str("zR").u8(1).u8(0x78).u8(16).u8(1).u8(0x1b).u8(0).u8(0).u8(0);
        int fde1 = f.size();
        // FDE 1: length 20; CIE pointer = offset of this field - 0.
        f.u32(20).u32(fde1 + 4);
        long at = FRAMES + f.size();
        f.u32(0x5000 - at).u32(0x40).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0);
        int cie2 = f.size();
        // CIE 2, 64-bit format: 0xffffffff, 8-byte length, 4-byte id, version 3, no augmentation.
        Bytes body = new Bytes().u32(0).u8(3).str("").u8(1).u8(0x78).u8(16).u8(0).u8(0).u8(0);
        f.u32(0xffffffffL).u64(body.size());
        f.out.writeBytes(body.bytes());
        int fde2 = f.size();
        f.u32(0xffffffffL).u64(4 + 8 + 8);
        f.u32(fde2 + 12 - cie2).u64(0x6000).u64(0x100);
        f.u32(0); // terminator
        Bytes h = new Bytes().u8(1).u8(0x1b).u8(0x03).u8(0x3b);
        h.u32(FRAMES - (HDR + 4)).u32(2);
        h.u32(0x5000 - HDR).u32(FRAMES + fde1 - HDR);
        h.u32(0x6000 - HDR).u32(FRAMES + fde2 - HDR);
        return new byte[][] {h.bytes(), f.bytes()};
    }

    @Test
    void readsPcRelativeAndAbsoluteAnd64BitRecords() {
        byte[][] s = sample();
        assertThat(EhFrameIndex.ehFramePointer(s[0], HDR)).isEqualTo(FRAMES);
        EhFrameIndex index = EhFrameIndex.parse(s[0], HDR, s[1], FRAMES);
        assertThat(index.size()).isEqualTo(2);
        assertThat(index.unreadable()).isZero();
        assertThat(index.indexContaining(0x5000)).isEqualTo(0);
        assertThat(index.indexContaining(0x503f)).isEqualTo(0);
        assertThat(index.indexContaining(0x5040)).isEqualTo(-1);
        assertThat(index.indexContaining(0x4fff)).isEqualTo(-1);
        assertThat(index.indexContaining(0x6080)).isEqualTo(1);
        assertThat(index.begin(1)).isEqualTo(0x6000);
        assertThat(index.end(1)).isEqualTo(0x6100);
        assertThat(index.indexContaining(0x6100)).isEqualTo(-1);
    }

    @Test
    void anUnknownVersionOrNoTableGivesAnEmptyIndex() {
        byte[][] s = sample();
        byte[] v2 = s[0].clone();
        v2[0] = 2;
        assertThat(EhFrameIndex.parse(v2, HDR, s[1], FRAMES).size()).isZero();
        byte[] noTable = s[0].clone();
        noTable[3] = (byte) 0xff;
        assertThat(EhFrameIndex.parse(noTable, HDR, s[1], FRAMES).size()).isZero();
        assertThat(EhFrameIndex.parse(new byte[0], HDR, new byte[0], FRAMES).size()).isZero();
    }

    @Test
    void anFdeThatCannotBeReadCoversNothing() {
        byte[][] s = sample();
        byte[] frames = s[1].clone();
        frames[7] = 'X'; // CIE 1's augmentation "zR" becomes "XR": unknown, no 'z'
        frames[9] = 'X';
        EhFrameIndex index = EhFrameIndex.parse(s[0], HDR, frames, FRAMES);
        assertThat(index.unreadable()).isEqualTo(1);
        assertThat(index.indexContaining(0x5010)).isEqualTo(-1);
        assertThat(index.indexContaining(0x6010)).isEqualTo(1);
    }

    @Test
    void damagedTablesNeverThrow() throws Exception {
        byte[] hdr;
        byte[] frames;
        long hdrAddr;
        long framesAddr;
        try (ElfFile libc = ElfFile.open(Path.of(SymbolsTest.libcPath()))) {
            SectionHeader h = libc.section(".eh_frame_hdr").orElseThrow();
            SectionHeader f = libc.section(".eh_frame").orElseThrow();
            hdr = libc.read(h.offset(), h.size(), "hdr");
            frames = libc.read(f.offset(), f.size(), "frames");
            hdrAddr = h.addr();
            framesAddr = f.addr();
        }
        EhFrameIndex whole = EhFrameIndex.parse(hdr, hdrAddr, frames, framesAddr);
        assertThat(whole.size()).isPositive();
        Random random = new Random(1);
        for (int round = 0; round < 300; round++) {
            byte[] h = hdr.clone();
            byte[] f = frames.clone();
            for (int k = 0; k < 20; k++) {
                h[random.nextInt(Math.min(h.length, 64))] = (byte) random.nextInt();
                f[random.nextInt(f.length)] = (byte) random.nextInt();
                h[random.nextInt(h.length)] = (byte) random.nextInt();
            }
            int cut = random.nextInt(f.length);
            byte[] truncated = java.util.Arrays.copyOf(f, cut);
            for (EhFrameIndex index : new EhFrameIndex[] {
                    EhFrameIndex.parse(h, hdrAddr, f, framesAddr),
                    EhFrameIndex.parse(hdr, hdrAddr, truncated, framesAddr),
                    EhFrameIndex.parse(java.util.Arrays.copyOf(h, random.nextInt(h.length)), hdrAddr, f, framesAddr)}) {
                index.indexContaining(random.nextInt(0x200000));
            }
        }
        byte[] garbage = new byte[4096];
        random.nextBytes(garbage);
        garbage[0] = 1;
        EhFrameIndex.parse(garbage, 0, garbage, 0).indexContaining(100);
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        huge.put((byte) 1).put((byte) 0x03).put((byte) 0x03).put((byte) 0x3b).putInt(0).putInt(Integer.MAX_VALUE);
        assertThat(EhFrameIndex.parse(huge.array(), 0, new byte[0], 0).size()).isZero();
    }
}
