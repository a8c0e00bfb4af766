package dev.jpoline.rewriter.decode;

import static dev.jpoline.rewriter.decode.DecoderTestSupport.decode;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Legacy prefixes, REX, operand/address size and the 15-byte limit. */
class LegacyPrefixDecodingTest {
    @Test
    void rexWWinsOver66ForImmediateSize() {
        // 66 48 05 id: add rax, imm32 (REX.W makes 66 irrelevant)
        Instruction insn = decode("66 48 05 01000000");
        assertThat(insn.isValid()).isTrue();
        assertThat(insn.length()).isEqualTo(7);
        assertThat(insn.operandSize()).isEqualTo(8);
        assertThat(insn.immSize()).isEqualTo(4);
    }

    @Test
    void legacyPrefixAfterRexCancelsTheRex() {
        // 48 66 05 iw: the REX is not adjacent to the opcode, so 66 gives add ax, imm16
        Instruction insn = decode("48 66 05 0100");
        assertThat(insn.length()).isEqualTo(5);
        assertThat(insn.rex()).isZero();
        assertThat(insn.operandSize()).isEqualTo(2);
    }

    @Test
    void operandSizePrefixShortensImmZ() {
        assertThat(decode("66 81 c0 3412").length()).isEqualTo(5); // add ax, 0x1234
        assertThat(decode("81 c0 78563412").length()).isEqualTo(6); // add eax, imm32
        assertThat(decode("66 68 3412").length()).isEqualTo(4); // push imm16
    }

    @Test
    void movImm64TakesEightBytesOnlyWithRexW() {
        assertThat(decode("48 b8 0102030405060708").length()).isEqualTo(10);
        assertThat(decode("b8 01020304").length()).isEqualTo(5);
        assertThat(decode("66 b8 0102").length()).isEqualTo(4);
        assertThat(decode("48 b8 0102030405060708").immediate()).isEqualTo(0x0807060504030201L);
    }

    @Test
    void repeatedAndRedundantPrefixesInAnyOrderAreAccepted() {
        Instruction insn = decode("2e 2e 66 66 3e 67 64 90");
        assertThat(insn.isValid()).isTrue();
        assertThat(insn.length()).isEqualTo(8);
        assertThat(insn.segmentPrefix()).isEqualTo(0x64);
        assertThat(insn.prefixes() & Instruction.PREFIX_ADDRESS_SIZE).isNotZero();
    }

    @Test
    void fifteenBytesIsTheMaximum() {
        // 12 segment prefixes + 0F 1F 00 (nop [rax]) = 15 bytes: valid
        Instruction ok = decode("2e".repeat(12) + "0f1f00");
        assertThat(ok.isValid()).isTrue();
        assertThat(ok.length()).isEqualTo(15);
        // one more prefix: 16 bytes, invalid, skip one byte
        Instruction tooLong = decode("2e".repeat(13) + "0f1f00");
        assertThat(tooLong.isValid()).isFalse();
        assertThat(tooLong.invalidReason()).isEqualTo(InvalidReason.TOO_LONG);
        assertThat(tooLong.length()).isEqualTo(1);
    }

    @Test
    void prefixRunLongerThanFifteenBytesIsTooLongNotTruncated() {
        Instruction insn = decode("66".repeat(20) + "90");
        assertThat(insn.invalidReason()).isEqualTo(InvalidReason.TOO_LONG);
        assertThat(insn.isTruncated()).isFalse();
    }

    @Test
    void immediatesPushingPastFifteenBytesMakeItInvalid() {
        // 5 prefixes + 48 c7 84 24 disp32 imm32 = 5 + 12 = 17 bytes
        Instruction insn = decode("2e2e2e2e2e 48 c7 84 24 00000000 00000000 0000");
        assertThat(insn.invalidReason()).isEqualTo(InvalidReason.TOO_LONG);
    }

    @Test
    void mandatoryPrefixesSelectTheForm() {
        Instruction popcnt = decode("f3 48 0f b8 c0");
        assertThat(popcnt.isValid()).isTrue();
        assertThat(popcnt.mandatoryPrefix()).isEqualTo(2);
        assertThat(popcnt.length()).isEqualTo(5);
        // 0F B8 without F3 is JMPE, which does not exist in 64-bit mode
        assertThat(decode("0f b8 c0").isValid()).isFalse();
        // endbr64
        assertThat(decode("f3 0f 1e fa").length()).isEqualTo(4);
        // movsd xmm0, [rax] (F2) and movss (F3): last of F2/F3 wins
        assertThat(decode("f2 0f 10 00").mandatoryPrefix()).isEqualTo(3);
        assertThat(decode("f2 f3 0f 10 00").mandatoryPrefix()).isEqualTo(2);
        // 66-only opcode with a REP prefix is undefined; an unprefixed form ignores the REP
        assertThat(decode("f3 66 0f 6c c0").isValid()).isFalse();
        assertThat(decode("f3 0f 58 c0").mandatoryPrefix()).isEqualTo(2);
        assertThat(decode("f3 0f 54 c0").isValid()).isTrue();
    }

    @Test
    void lockIsOnlyValidOnMemoryDestinationReadModifyWrite() {
        assertThat(decode("f0 01 00").isValid()).isTrue(); // lock add [rax], eax
        assertThat(decode("f0 48 0f b1 0a").isValid()).isTrue(); // lock cmpxchg [rdx], rcx
        assertThat(decode("f0 01 c0").invalidReason()).isEqualTo(InvalidReason.BAD_PREFIX); // register destination
        assertThat(decode("f0 90").isValid()).isFalse();
        assertThat(decode("f0 f3 90").isValid()).isFalse(); // a later REP does not cancel the LOCK
        assertThat(decode("f0 0f 05").isValid()).isFalse();
    }

    @Test
    void syscallAndSysenterAreRecognisedWithPrefixes() {
        assertThat(decode("0f 05").isSyscall()).isTrue();
        assertThat(decode("2e 0f 05").isSyscall()).isTrue();
        assertThat(decode("0f 34").isSysenter()).isTrue();
        assertThat(decode("0f 05").isSysenter()).isFalse();
        assertThat(decode("0f 07").isSyscall()).isFalse(); // sysret
    }
}
