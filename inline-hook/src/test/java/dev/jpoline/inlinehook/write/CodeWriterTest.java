package dev.jpoline.inlinehook.write;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jpoline.rewriter.decode.BranchKind;
import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import org.junit.jupiter.api.Test;

class CodeWriterTest {
    private static final long BASE = 0x7f12_3456_7000L;
    private static final X86Decoder DECODER = new X86Decoder();

    private static Instruction decode(byte[] code, int at, long base) {
        Instruction in = new Instruction();
        DECODER.decode(code, at, code.length, base + at, in);
        assertThat(in.isValid()).as("valid instruction at +%d", at).isTrue();
        return in;
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void absoluteJumpIsJmpRipZeroAndTheTarget() {
        assertThat(CodeWriter.absoluteJump(0x1122_3344_5566_7788L)).containsExactly(bytes(
                0xFF, 0x25, 0, 0, 0, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11));
    }

    @Test
    void relativeJumpIsMeasuredFromItsEnd() {
        assertThat(CodeWriter.relativeJump(0x1000, 0x1005)).containsExactly(bytes(0xE9, 0, 0, 0, 0));
        assertThat(CodeWriter.relativeJump(0x1000, 0x1000)).containsExactly(bytes(0xE9, 0xFB, 0xFF, 0xFF, 0xFF));
        byte[] far = CodeWriter.relativeJump(0x4000_0000L, 0x1000);
        Instruction in = decode(far, 0, 0x4000_0000L);
        assertThat(in.branchTarget()).isEqualTo(0x1000);
    }

    @Test
    void relativeJumpRefusesWhatRel32CannotReach() {
        assertThatThrownBy(() -> CodeWriter.relativeJump(0x1000, 0x1005 + (1L << 31)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x80001005");
        assertThatThrownBy(() -> CodeWriter.relativeJump(BASE, 0x1000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fitsRel32AtTheEdges() {
        assertThat(CodeWriter.fitsRel32(0x1000, 0x1000L + Integer.MAX_VALUE)).isTrue();
        assertThat(CodeWriter.fitsRel32(0x1000, 0x1000L + Integer.MAX_VALUE + 1)).isFalse();
        assertThat(CodeWriter.fitsRel32(0x8000_0000L, 0)).isTrue();
        assertThat(CodeWriter.fitsRel32(0x8000_0001L, 0)).isFalse();
        assertThat(CodeWriter.fitsRel32(Long.MAX_VALUE, Long.MIN_VALUE)).isFalse(); // the difference overflows
    }

    @Test
    void jmpPicksRel32WhenItReachesElseAbsolute() {
        CodeWriter w = new CodeWriter(0x1000);
        w.jmp(0x2000).jmp(BASE);
        byte[] code = w.code();
        assertThat(code).hasSize(5 + 14);
        Instruction near = decode(code, 0, 0x1000);
        assertThat(near.branchKind()).isEqualTo(BranchKind.JMP);
        assertThat(near.branchTarget()).isEqualTo(0x2000);
        assertThat(code[5] & 0xFF).isEqualTo(0xFF);
        assertThat(code[6]).isEqualTo((byte) 0x25);
        assertThat(readLong(code, 11)).isEqualTo(BASE);
    }

    @Test
    void farJccIsTheInvertedShortJccOverAnAbsoluteJump() {
        CodeWriter w = new CodeWriter(BASE);
        w.jcc(CodeWriter.CC_E, 0x1000).jcc(CodeWriter.CC_L, BASE + 0x100);
        byte[] code = w.code();
        assertThat(code).hasSize(16 + 6);
        Instruction skip = decode(code, 0, BASE);
        assertThat(skip.branchKind()).isEqualTo(BranchKind.JCC);
        assertThat(skip.opcode()).isEqualTo(0x70 | CodeWriter.CC_NE);
        assertThat(skip.branchTarget()).isEqualTo(BASE + 16);
        assertThat(readLong(code, 2 + 6)).isEqualTo(0x1000);
        Instruction near = decode(code, 16, BASE);
        assertThat(near.opcodeMap()).isEqualTo(Instruction.MAP_0F);
        assertThat(near.opcode()).isEqualTo(0x80 | CodeWriter.CC_L);
        assertThat(near.branchTarget()).isEqualTo(BASE + 0x100);
    }

    @Test
    void everyConditionHasARel32AndAShortForm() {
        for (int cc = 0; cc < 16; cc++) {
            CodeWriter w = new CodeWriter(0x1000);
            w.jccRel32(cc, 0x1234).jccShort(cc, 0x1000);
            byte[] code = w.code();
            Instruction rel32 = decode(code, 0, 0x1000);
            assertThat(rel32.opcode() & 0xF).isEqualTo(cc);
            assertThat(rel32.branchTarget()).isEqualTo(0x1234);
            Instruction rel8 = decode(code, 6, 0x1000);
            assertThat(rel8.opcode()).isEqualTo(0x70 | cc);
            assertThat(rel8.branchTarget()).isEqualTo(0x1000);
            assertThat(CodeWriter.invert(CodeWriter.invert(cc))).isEqualTo(cc);
        }
        assertThatThrownBy(() -> new CodeWriter(0).jccRel32(16, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void absoluteCallLoadsItsTargetFromTheAlignedPoolAfterTheCode() {
        CodeWriter w = new CodeWriter(BASE + 3); // an odd start: the pool still lands 8-aligned
        w.callAbsolute(0x1111).u8(0x90).call(0x2222).callAbsolute(0x1111).jmpAbsolute(0x3333);
        byte[] code = w.code();
        int end = 6 + 1 + 6 + 6 + 14;
        int pool = end + (int) (-(BASE + 3 + end) & 7);
        assertThat((BASE + 3 + pool) % 8).isZero();
        assertThat(code).hasSize(pool + 16); // two distinct literals
        for (int i = end; i < pool; i++) {
            assertThat(code[i]).isEqualTo((byte) 0xCC);
        }
        long[] expected = {0x1111, 0x2222, 0x1111};
        int[] at = {0, 7, 13};
        for (int i = 0; i < 3; i++) {
            Instruction call = decode(code, at[i], BASE + 3);
            assertThat(call.isIndirectBranch()).isTrue();
            assertThat(call.isRipRelative()).isTrue();
            assertThat(call.length()).isEqualTo(6);
            int literal = (int) (call.ripTarget() - (BASE + 3));
            assertThat(literal).isGreaterThanOrEqualTo(pool);
            assertThat(readLong(code, literal)).isEqualTo(expected[i]);
        }
    }

    @Test
    void callPicksRel32WhenItReaches() {
        CodeWriter w = new CodeWriter(0x1000);
        w.call(0x5000);
        byte[] code = w.code();
        assertThat(code).hasSize(5);
        assertThat(decode(code, 0, 0x1000).branchTarget()).isEqualTo(0x5000);
    }

    @Test
    void labelsResolveForwardAndBackward() {
        CodeWriter w = new CodeWriter(0x1000);
        CodeWriter.Label top = w.newLabel();
        CodeWriter.Label bottom = w.newLabel();
        w.bind(top);
        w.jccShort(CodeWriter.CC_E, bottom).jmpRel32(bottom).u8(0x90).jmpShort(top).jccRel32(CodeWriter.CC_B, top);
        w.callRel32(bottom);
        w.bind(bottom);
        byte[] code = w.code();
        assertThat(decode(code, 0, 0x1000).branchTarget()).isEqualTo(0x1000 + code.length);
        assertThat(decode(code, 2, 0x1000).branchTarget()).isEqualTo(0x1000 + code.length);
        assertThat(decode(code, 8, 0x1000).branchTarget()).isEqualTo(0x1000);
        assertThat(decode(code, 10, 0x1000).branchTarget()).isEqualTo(0x1000);
        assertThat(decode(code, 16, 0x1000).branchTarget()).isEqualTo(0x1000 + code.length);
        assertThat(top.offset()).isZero();
        assertThat(bottom.offset()).isEqualTo(code.length);
    }

    @Test
    void aShortBranchOutOfReachOfItsLabelFailsWhenBound() {
        CodeWriter w = new CodeWriter(0x1000);
        CodeWriter.Label far = w.newLabel();
        w.jmpShort(far);
        w.bytes(new byte[200]);
        assertThatThrownBy(() -> w.bind(far)).isInstanceOf(IllegalStateException.class).hasMessageContaining("rel8");
        assertThatThrownBy(() -> new CodeWriter(0x1000).jmpShort(0x2000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnboundLabelFailsCode() {
        CodeWriter w = new CodeWriter(0x1000);
        w.jmpRel32(w.newLabel());
        assertThatThrownBy(w::code).isInstanceOf(IllegalStateException.class).hasMessageContaining("never bound");
    }

    @Test
    void theWriterIsSealedByCode() {
        CodeWriter w = new CodeWriter(0x1000);
        w.u8(0x90);
        assertThat(w.code()).containsExactly(0x90);
        assertThat(w.code()).containsExactly(0x90);
        assertThatThrownBy(() -> w.u8(0x90)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void movImmediatesOfEveryRegister() {
        for (int reg = 0; reg < 16; reg++) {
            CodeWriter w = new CodeWriter(0x1000);
            w.movImm64(reg, 0x1122_3344_5566_7788L).movImm32(reg, 0x8765_4321).movImm16(reg, 0xBEEF);
            byte[] code = w.code();
            Instruction m64 = decode(code, 0, 0x1000);
            assertThat(m64.length()).isEqualTo(10);
            assertThat(m64.operandSize()).isEqualTo(8);
            assertThat(m64.immediate()).isEqualTo(0x1122_3344_5566_7788L);
            assertThat(register(m64)).isEqualTo(reg);
            Instruction m32 = decode(code, 10, 0x1000);
            assertThat(m32.operandSize()).isEqualTo(4);
            assertThat((int) m32.immediate()).isEqualTo(0x8765_4321);
            assertThat(register(m32)).isEqualTo(reg);
            Instruction m16 = decode(code, 10 + m32.length(), 0x1000);
            assertThat(m16.operandSize()).isEqualTo(2);
            assertThat(m16.immediate() & 0xFFFF).isEqualTo(0xBEEF);
            assertThat(register(m16)).isEqualTo(reg);
        }
    }

    @Test
    void rawBytesAndPatching() {
        CodeWriter w = new CodeWriter(0x1000, 1); // grows from the smallest buffer
        for (int i = 0; i < 100; i++) {
            w.u8(i);
        }
        w.u32(0x0403_0201).u64(-1L).bytes(bytes(1, 2, 3), 1, 2).patchU32(0, 0x0D0C_0B0A);
        assertThat(w.offset()).isEqualTo(114);
        assertThat(w.pc()).isEqualTo(0x1000 + 114);
        byte[] code = w.code();
        assertThat(code).startsWith(bytes(0x0A, 0x0B, 0x0C, 0x0D, 4, 5));
        assertThat(code).endsWith(bytes(1, 2, 3, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 2, 3));
    }

    private static int register(Instruction mov) {
        return (mov.opcode() & 7) | (mov.rex() & 1) << 3;
    }

    private static long readLong(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }
}
