package dev.jpoline.rewriter.decode;

import static dev.jpoline.rewriter.decode.DecoderTestSupport.BASE;
import static dev.jpoline.rewriter.decode.DecoderTestSupport.decode;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** 0F 38 / 0F 3A maps, VEX, EVEX (with disp8*N), XOP and 3DNow!. */
class VectorEncodingDecodingTest {
    @ParameterizedTest(name = "{0} -> {1} bytes, {2}")
    @CsvSource({
            "66 0f 38 00 c1, 5, LEGACY", // pshufb xmm0, xmm1
            "0f 38 00 c1, 4, LEGACY", // pshufb mm0, mm1
            "66 0f 3a 0f c1 08, 6, LEGACY", // palignr xmm0, xmm1, 8
            "0f 3a cc c1 01, 5, LEGACY", // sha1rnds4
            "f2 48 0f 38 f1 c1, 6, LEGACY", // crc32 rax, rcx
            "c5 f8 77, 3, VEX", // vzeroupper: no ModRM
            "c5 fc 77, 3, VEX", // vzeroall
            "c5 fd 6f 44 24 20, 6, VEX", // vmovdqa ymm0, [rsp+0x20]
            "c4 e2 7d 18 00, 5, VEX", // vbroadcastss ymm0, [rax]
            "c4 e3 7d 18 c1 01, 6, VEX", // vinsertf128 ymm0, ymm0, xmm1, 1
            "c4 e2 f8 f2 c1, 5, VEX", // andn rax, rax, rcx
            "c4 e3 fb f0 c1 05, 6, VEX", // rorx rax, rcx, 5
            "62 f1 7c 48 58 40 01, 7, EVEX", // vaddps zmm0, zmm0, [rax+0x40]
            "62 f3 7d 48 25 c1 ff, 7, EVEX", // vpternlogd zmm0, zmm0, zmm1, 0xff
            "62 f1 7c 18 58 c1, 6, EVEX", // vaddps zmm0{rn-sae}, zmm0, zmm1 (L'L is rounding)
            "8f e8 78 c0 c1 05, 6, XOP", // vprotb xmm0, xmm1, 5
            "8f e9 78 c1 c1, 5, XOP", // vphaddbw xmm0, xmm1
            "8f ea 78 10 c0 04030201, 9, XOP", // bextr eax, eax, imm32
            "0f 0f c1 9e, 4, THREE_DNOW", // pfadd mm0, mm1
            "0f 0f 40 10 b4, 5, THREE_DNOW", // pfmul mm0, [rax+0x10]
            "0f 0f 05 00000000 9e, 8, THREE_DNOW" // pfadd mm0, [rip]
    })
    void lengths(String bytes, int length, Encoding encoding) {
        Instruction insn = decode(bytes);
        assertThat(insn.isValid()).as(insn.toString()).isTrue();
        assertThat(insn.length()).isEqualTo(length);
        assertThat(insn.encoding()).isEqualTo(encoding);
    }

    @Test
    void evexCompressedDisp8IsScaledButTakesOneByte() {
        // vaddps zmm0, zmm0, [rax+0x40]: disp8 = 1, N = 64 for a full 512-bit vector
        Instruction full = decode("62 f1 7c 48 58 40 01");
        assertThat(full.dispSize()).isEqualTo(1);
        assertThat(full.displacement()).isEqualTo(64);
        assertThat(full.vectorLength()).isEqualTo(512);
        // with broadcast ({1to16}) N is the element size
        assertThat(decode("62 f1 7c 58 58 40 01").displacement()).isEqualTo(4);
        // 256-bit vector: N = 32; negative disp8
        assertThat(decode("62 f1 7c 28 58 40 ff").displacement()).isEqualTo(-32);
        // vmovss xmm0, [rax+4]: scalar, N = 4
        assertThat(decode("62 f1 7e 08 10 40 01").displacement()).isEqualTo(4);
        // vmovsd: N = 8
        assertThat(decode("62 f1 ff 08 10 40 01").displacement()).isEqualTo(8);
        // vpbroadcastd zmm0, [rsp+8]: tuple1 scalar, N = 4, and rsp-based
        Instruction bcast = decode("62 f2 7d 48 58 44 24 02");
        assertThat(bcast.displacement()).isEqualTo(8);
        assertThat(bcast.rspDisplacement()).isEqualTo(8);
        // disp32 is never scaled
        assertThat(decode("62 f1 7c 48 58 80 40000000").displacement()).isEqualTo(64);
    }

    @Test
    void evexRipRelativeUsesTheRawDisp32() {
        Instruction insn = decode("62 f1 7c 48 58 05 00010000"); // vaddps zmm0, zmm0, [rip+0x100]
        assertThat(insn.isRipRelative()).isTrue();
        assertThat(insn.length()).isEqualTo(10);
        assertThat(insn.ripTarget()).isEqualTo(BASE + 10 + 0x100);
    }

    @Test
    void vexRipRelativeWithImmediate() {
        Instruction insn = decode("c4 e3 79 0f 05 10000000 04"); // vpalignr xmm0, xmm0, [rip+0x10], 4
        assertThat(insn.isRipRelative()).isTrue();
        assertThat(insn.length()).isEqualTo(10);
        assertThat(insn.ripTarget()).isEqualTo(BASE + 10 + 0x10);
    }

    @Test
    void vexEvexXopRejectLegacyPrefixesAndRex() {
        assertThat(decode("66 c5 f8 77").invalidReason()).isEqualTo(InvalidReason.BAD_PREFIX);
        assertThat(decode("f3 c5 f8 77").invalidReason()).isEqualTo(InvalidReason.BAD_PREFIX);
        assertThat(decode("48 c5 f8 77").invalidReason()).isEqualTo(InvalidReason.BAD_PREFIX);
        assertThat(decode("f0 62 f1 7c 48 58 40 01").invalidReason()).isEqualTo(InvalidReason.BAD_PREFIX);
        // segment and address-size prefixes are fine
        assertThat(decode("64 c5 fd 6f 00").isValid()).isTrue();
        assertThat(decode("67 62 f1 7c 48 58 40 01").length()).isEqualTo(8);
    }

    @Test
    void vexRestrictions() {
        assertThat(decode("c5 f0 77").isValid()).as("vzeroupper needs vvvv=1111b").isFalse();
        assertThat(decode("c5 f5 6f c1").isValid()).as("vmovdqa does not use vvvv").isFalse();
        assertThat(decode("c5 fd 6e c0").isValid()).as("vmovd with VEX.L=1").isFalse();
        assertThat(decode("c4 e3 7d 00 c1 00").isValid()).as("vpermq needs W1").isFalse();
        assertThat(decode("c4 e3 fd 00 c1 00").isValid()).isTrue();
        assertThat(decode("c4 e1 78 58 c1").isValid()).as("C4 map 1 is the 0F map").isTrue();
        assertThat(decode("c4 e4 78 58 c1").isValid()).as("VEX map 4 does not exist").isFalse();
    }

    @Test
    void evexFixedBitsAndReservedVectorLength() {
        assertThat(decode("62 f1 7c 48 58 c1").isValid()).isTrue();
        assertThat(decode("62 f9 7c 48 58 c1").isValid()).as("P0 bit 3 set").isFalse();
        assertThat(decode("62 f1 78 48 58 c1").isValid()).as("P1 bit 2 clear").isFalse();
        assertThat(decode("62 f1 7c 68 58 00").isValid()).as("L'L=11 with memory").isFalse();
    }

    @Test
    void xopIsOnlyRecognisedWithMapSelectAtLeast8() {
        Instruction pop = decode("8f 00"); // pop qword [rax]: mmmmm = 0
        assertThat(pop.isValid()).isTrue();
        assertThat(pop.encoding()).isEqualTo(Encoding.LEGACY);
        assertThat(pop.length()).isEqualTo(2);
        assertThat(decode("8f c0").length()).isEqualTo(2); // pop rax
        assertThat(decode("8f eb 78 c0 c1").isValid()).as("XOP map 11").isFalse();
    }

    @Test
    void threeDNowSuffixSelectsTheOperation() {
        assertThat(decode("0f 0f c1 00").isValid()).isFalse();
        Instruction insn = decode("0f 0f c1 9e");
        assertThat(insn.immediate() & 0xFF).isEqualTo(0x9e);
        assertThat(insn.opcode()).isEqualTo(0x0F);
    }

    @Test
    void sse4aExtrqTakesTwoImmediates() {
        assertThat(decode("66 0f 78 c0 04 08").length()).isEqualTo(6); // extrq xmm0, 4, 8
        assertThat(decode("0f 78 c0").length()).isEqualTo(3); // vmread rax, rax
    }
}
