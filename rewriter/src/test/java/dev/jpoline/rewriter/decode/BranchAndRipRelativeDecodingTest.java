package dev.jpoline.rewriter.decode;

import static dev.jpoline.rewriter.decode.DecoderTestSupport.BASE;
import static dev.jpoline.rewriter.decode.DecoderTestSupport.decode;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Relative branches and RIP-relative memory operands: targets are relative to the instruction end. */
class BranchAndRipRelativeDecodingTest {
    @ParameterizedTest(name = "{0}: {1} rel{3} at {2}, length {4}, target +{5}")
    @CsvSource({
            "eb 10, JMP, 1, 1, 2, 0x12",
            "eb fe, JMP, 1, 1, 2, 0",
            "e9 00010000, JMP, 1, 4, 5, 0x105",
            "e8 fbffffff, CALL, 1, 4, 5, 0",
            "74 f0, JCC, 1, 1, 2, -0xe",
            "0f 84 10000000, JCC, 2, 4, 6, 0x16",
            "e2 fe, LOOP, 1, 1, 2, 0",
            "e1 00, LOOP, 1, 1, 2, 2",
            "e0 00, LOOP, 1, 1, 2, 2",
            "e3 05, JRCXZ, 1, 1, 2, 7",
            "67 e3 05, JRCXZ, 2, 1, 3, 8",
            "66 e9 1000, JMP, 2, 2, 4, 0x14", // 66: rel16, as objdump and Capstone decode it
            "66 48 e9 10000000, JMP, 3, 4, 7, 0x17", // REX.W wins over 66
            "66 0f 85 1000, JCC, 3, 2, 5, 0x15",
            "c7 f8 00000000, XBEGIN, 2, 4, 6, 6",
            "66 c7 f8 0000, XBEGIN, 3, 2, 5, 5",
            "3e 74 02, JCC, 2, 1, 3, 5", // branch-hint prefix
            "f2 e9 00000000, JMP, 2, 4, 6, 6" // bnd jmp
    })
    void relativeBranches(String bytes, BranchKind kind, int relOffset, int relSize, int length, String delta) {
        Instruction insn = decode(bytes);
        assertThat(insn.isValid()).isTrue();
        assertThat(insn.branchKind()).isEqualTo(kind);
        assertThat(insn.isRelativeBranch()).isTrue();
        assertThat(insn.relOffset()).isEqualTo(relOffset);
        assertThat(insn.relSize()).isEqualTo(relSize);
        assertThat(insn.length()).isEqualTo(length);
        assertThat(insn.branchTarget()).isEqualTo(BASE + Long.decode(delta));
    }

    @Test
    void nonBranchesHaveNoBranchKind() {
        assertThat(decode("ff e0").branchKind()).isEqualTo(BranchKind.NONE); // jmp rax
        assertThat(decode("90").isRelativeBranch()).isFalse();
    }

    @Test
    void ripRelativeTargetCountsTheImmediateAfterTheDisplacement() {
        // mov dword [rip+0x10], 0x11223344: disp at 2, then imm32; length 10
        Instruction insn = decode("c7 05 10000000 44332211");
        assertThat(insn.isRipRelative()).isTrue();
        assertThat(insn.dispOffset()).isEqualTo(2);
        assertThat(insn.dispSize()).isEqualTo(4);
        assertThat(insn.immOffset()).isEqualTo(6);
        assertThat(insn.length()).isEqualTo(10);
        assertThat(insn.ripTarget()).isEqualTo(BASE + 10 + 0x10);
        assertThat(insn.memoryOperandSize()).isEqualTo(4);
        // cmp byte [rip-0x20], 7: imm8 after the disp
        Instruction cmp = decode("80 3d e0ffffff 07");
        assertThat(cmp.ripTarget()).isEqualTo(BASE + 7 - 0x20);
    }

    @Test
    void segmentAndAddressSizePrefixesWithRipRelativeOperands() {
        Instruction fs = decode("64 48 8b 05 00100000"); // mov rax, fs:[rip+0x1000]
        assertThat(fs.isRipRelative()).isTrue();
        assertThat(fs.dispOffset()).isEqualTo(4);
        assertThat(fs.ripTarget()).isEqualTo(BASE + 8 + 0x1000);
        assertThat(fs.segmentPrefix()).isEqualTo(0x64);
        // 67: EIP-relative, the sum wraps to 32 bits
        byte[] code = DecoderTestSupport.hex("67 8b 05 00000000");
        Instruction eip = new Instruction();
        new X86Decoder().decode(code, 0, code.length, 0x1_0000_0ff0L, eip);
        assertThat(eip.isRipRelative()).isTrue();
        assertThat(eip.addressSize()).isEqualTo(4);
        assertThat(eip.ripTarget()).isEqualTo((0x1_0000_0ff0L + 7) & 0xFFFF_FFFFL);
        // lea with a 2E prefix and REX
        Instruction lea = decode("2e 48 8d 0d f0ffffff");
        assertThat(lea.ripTarget()).isEqualTo(BASE + 8 - 0x10);
        // SSE with mandatory prefix, RIP-relative, plus an imm8
        Instruction cmpsd = decode("f2 0f c2 05 00000000 01");
        assertThat(cmpsd.isRipRelative()).isTrue();
        assertThat(cmpsd.ripTarget()).isEqualTo(BASE + 9);
    }

    @Test
    void sibWithoutBaseIsNotRipRelative() {
        Instruction insn = decode("8b 04 25 00100000"); // mov eax, [0x1000]
        assertThat(insn.isRipRelative()).isFalse();
        assertThat(insn.displacement()).isEqualTo(0x1000);
    }
}
