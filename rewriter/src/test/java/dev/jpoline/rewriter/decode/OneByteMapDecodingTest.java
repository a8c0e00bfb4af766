package dev.jpoline.rewriter.decode;

import static dev.jpoline.rewriter.decode.DecoderTestSupport.BASE;
import static dev.jpoline.rewriter.decode.DecoderTestSupport.decode;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** One-byte opcode map: immediates, moffs, groups, ModRM/SIB forms, and 64-bit-invalid opcodes. */
class OneByteMapDecodingTest {
    @ParameterizedTest(name = "{0} is invalid in 64-bit mode")
    @ValueSource(strings = {"06", "07", "0e", "16", "17", "1e", "1f", "27", "2f", "37", "3f", "60", "61", "82 c0 01",
            "9a 00000000 0000", "ce", "d4 0a", "d5 0a", "d6", "ea 00000000 0000"})
    void opcodesRemovedFrom64BitModeAreInvalidAndSkipOneByte(String bytes) {
        Instruction insn = decode(bytes);
        assertThat(insn.isValid()).isFalse();
        assertThat(insn.invalidReason()).isEqualTo(InvalidReason.UNDEFINED);
        assertThat(insn.length()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} -> {1} bytes")
    @CsvSource({
            "a1 0000000000000000, 9", // mov eax, moffs64
            "48 a3 0000000000000000, 10",
            "67 a1 00000000, 6", // 67: 4-byte moffs
            "c8 1000 01, 4", // enter imm16, imm8
            "c2 0800, 3", // ret imm16
            "cd 80, 2",
            "f6 00 7f, 3", // test byte [rax], imm8
            "f6 10, 2", // not byte [rax]: no immediate for /2
            "f7 00 01000000, 6", // test dword [rax], imm32
            "66 f7 00 0100, 5",
            "f7 d8, 2", // neg eax
            "c6 00 01, 3",
            "c7 00 01000000, 6",
            "48 c7 00 01000000, 7", // REX.W: still imm32, sign-extended
            "69 c0 01000000, 6",
            "6b c0 01, 3",
            "c0 e0 03, 3",
            "0f 0b, 2", // ud2 is valid
            "8d 04 24, 3", // lea eax, [rsp]
            "8b 04 25 00000000, 7", // SIB without base: disp32
            "8b 44 24 08, 4",
            "8b 84 24 00010000, 7",
            "8b 45 00, 3", // [rbp+0] needs disp8
            "41 8b 04 24, 4", // [r12] needs SIB too
            "d9 e8, 2", // fld1
            "dd 04 24, 3" // fld qword [rsp]
    })
    void lengths(String bytes, int length) {
        Instruction insn = decode(bytes);
        assertThat(insn.isValid()).as(insn.toString()).isTrue();
        assertThat(insn.length()).isEqualTo(length);
    }

    @Test
    void groupFormsThatDoNotExistAreInvalid() {
        assertThat(decode("8f c8").isValid()).isFalse(); // 8F /1
        assertThat(decode("fe d0").isValid()).isFalse(); // FE /2
        assertThat(decode("ff f8").isValid()).isFalse(); // FF /7
        assertThat(decode("ff d8").isValid()).isFalse(); // call far with a register
        assertThat(decode("c6 c8 00").isValid()).isFalse(); // C6 /1
        assertThat(decode("8d c0").isValid()).isFalse(); // lea with a register
        assertThat(decode("8c f0").isValid()).isFalse(); // mov r, sreg 6
    }

    @Test
    void xabortAndXbegin() {
        Instruction xabort = decode("c6 f8 05");
        assertThat(xabort.isValid()).isTrue();
        assertThat(xabort.length()).isEqualTo(3);
        Instruction xbegin = decode("c7 f8 10000000");
        assertThat(xbegin.branchKind()).isEqualTo(BranchKind.XBEGIN);
        assertThat(xbegin.relOffset()).isEqualTo(2);
        assertThat(xbegin.relSize()).isEqualTo(4);
        assertThat(xbegin.branchTarget()).isEqualTo(BASE + 6 + 0x10);
    }

    @Test
    void rspBasedOperandsReportTheirDisplacement() {
        Instruction insn = decode("48 8b 44 24 f8"); // mov rax, [rsp-8]
        assertThat(insn.isRspRelative()).isTrue();
        assertThat(insn.rspDisplacement()).isEqualTo(-8);
        assertThat(insn.memoryOperandSize()).isEqualTo(8);
        assertThat(decode("41 8b 44 24 08").isRspRelative()).as("r12 base").isFalse();
        assertThat(decode("8b 45 f8").isRspRelative()).as("rbp base").isFalse();
        assertThat(decode("89 4c 24 10").rspDisplacement()).isEqualTo(0x10);
    }

    @Test
    void memoryOperandSizes() {
        assertThat(decode("88 00").memoryOperandSize()).isEqualTo(1);
        assertThat(decode("66 89 00").memoryOperandSize()).isEqualTo(2);
        assertThat(decode("89 00").memoryOperandSize()).isEqualTo(4);
        assertThat(decode("48 89 00").memoryOperandSize()).isEqualTo(8);
        assertThat(decode("ff 30").memoryOperandSize()).isEqualTo(8); // push qword [rax]
        assertThat(decode("0f b6 00").memoryOperandSize()).isEqualTo(1);
        assertThat(decode("48 0f c7 08").memoryOperandSize()).isEqualTo(16); // cmpxchg16b
        assertThat(decode("8d 00").memoryOperandSize()).isZero(); // lea reads nothing
        assertThat(decode("89 c0").memoryOperandSize()).isZero(); // no memory operand
    }

    @Test
    void returnsAndIndirectBranches() {
        assertThat(decode("c3").isRet()).isTrue();
        assertThat(decode("c2 1000").isRet()).isTrue();
        assertThat(decode("ff d0").isIndirectBranch()).isTrue(); // call rax
        assertThat(decode("ff 25 00000000").isIndirectBranch()).isTrue(); // jmp [rip]
        assertThat(decode("ff c0").isIndirectBranch()).isFalse(); // inc eax
    }
}
