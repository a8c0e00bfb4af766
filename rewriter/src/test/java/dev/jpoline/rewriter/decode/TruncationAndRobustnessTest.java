package dev.jpoline.rewriter.decode;

import static dev.jpoline.rewriter.decode.DecoderTestSupport.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Input cut by the decode limit (end of a mapping) and arbitrary input never throwing. */
class TruncationAndRobustnessTest {
    private final X86Decoder decoder = new X86Decoder();
    private final Instruction insn = new Instruction();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0f", "e8 000000", "48", "66 2e", "c5", "c5 f8", "c4 e2 7d", "62 f1 7c 48", "62 f1 7c 48 58",
            "8b 04", "8b 44 24", "8b 80 000000", "48 b8 01020304050607", "0f 0f c1", "0f 38", "f2 0f 38 f1", "a1 00000000"})
    void cutInstructionsAreTruncatedAndSkipOneByte(String bytes) {
        byte[] code = hex(bytes);
        decoder.decode(code, 0, code.length, 0x1000, insn);
        assertThat(insn.isValid()).isFalse();
        assertThat(insn.isTruncated()).isTrue();
        assertThat(insn.length()).isEqualTo(1);
    }

    @Test
    void limitInsideALargerBufferIsHonoured() {
        byte[] code = hex("90 e8 00000000 90");
        decoder.decode(code, 1, 4, 0x1001, insn); // the call needs bytes up to index 5
        assertThat(insn.isTruncated()).isTrue();
        decoder.decode(code, 1, 6, 0x1001, insn);
        assertThat(insn.isValid()).isTrue();
        assertThat(insn.length()).isEqualTo(5);
    }

    @Test
    void emptyAndOutOfRangeInputsDoNotThrow() {
        byte[] code = hex("90");
        assertThat(decoder.decode(code, 1, 1, 0, insn)).isZero();
        assertThat(insn.isTruncated()).isTrue();
        assertThat(decoder.decode(code, 0, 100, 0, insn)).isEqualTo(1); // limit beyond the array is clamped
        assertThat(decoder.decode(code, 5, 10, 0, insn)).isZero();
        assertThat(decoder.decode(code, -1, 1, 0, insn)).isZero();
        assertThat(decoder.decode(null, 0, 1, 0, insn)).isZero();
    }

    @Test
    void randomInputNeverThrowsAndLengthsStayInBounds() {
        SplittableRandom rnd = new SplittableRandom(42);
        byte[] code = new byte[64];
        for (int i = 0; i < 200_000; i++) {
            rnd.nextBytes(code);
            int offset = rnd.nextInt(code.length);
            int limit = offset + rnd.nextInt(code.length - offset + 1);
            int n = decoder.decode(code, offset, limit, rnd.nextLong(), insn);
            assertThat(n).isEqualTo(insn.length());
            if (offset < limit) {
                assertThat(n).isBetween(1, Math.min(15, limit - offset));
            }
            if (insn.isValid()) {
                assertThat(insn.dispOffset() + insn.dispSize()).isLessThanOrEqualTo(n);
                assertThat(insn.immOffset() + insn.immSize()).isLessThanOrEqualTo(n);
                assertThat(insn.relOffset() + insn.relSize()).isLessThanOrEqualTo(n);
            }
        }
    }

    @Test
    void instructionObjectIsFullyResetBetweenDecodes() {
        byte[] call = hex("e8 10000000");
        decoder.decode(call, 0, call.length, 0x1000, insn);
        assertThat(insn.isRelativeBranch()).isTrue();
        byte[] nop = hex("90");
        decoder.decode(nop, 0, nop.length, 0x2000, insn);
        assertThat(insn.isRelativeBranch()).isFalse();
        assertThat(insn.address()).isEqualTo(0x2000);
        assertThat(insn.length()).isEqualTo(1);
    }
}
