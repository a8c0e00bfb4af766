package dev.jpoline.rewriter.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast paths change nothing: at every byte offset of real binaries' executable sections, and
 * for random inputs, {@link X86Decoder#decode} leaves an {@link Instruction} identical field by
 * field to the one {@link X86Decoder#decodeFull} (the complete decoder) leaves, and
 * {@link X86Decoder#scanStep} reports the same length, validity, syscall and sysenter.
 */
class FastPathEquivalenceTest {
    private final X86Decoder decoder = new X86Decoder();
    private final Instruction fast = new Instruction();
    private final Instruction full = new Instruction();
    private final Instruction scratch = new Instruction();

    static Stream<Arguments> binaries() {
        return Stream.of(
                Arguments.of("libc", Path.of("/lib/x86_64-linux-gnu/libc.so.6")),
                Arguments.of("ld.so", Path.of("/lib64/ld-linux-x86-64.so.2")),
                Arguments.of("libstdc++", Path.of("/lib/x86_64-linux-gnu/libstdc++.so.6")),
                Arguments.of("libjvm-17", Path.of("/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so")),
                Arguments.of("libjvm-25", Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/server/libjvm.so")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaries")
    void everyByteOffsetOfRealCode(String name, Path path) throws Exception {
        assumeTrue(Files.isReadable(path), "skipped: " + path + " not installed");
        ElfSections elf = new ElfSections(path);
        long offsets = 0;
        long fastHits = 0;
        long sweepInstructions = 0;
        long sweepFastHits = 0;
        for (ElfSections.Section section : elf.executableSections()) {
            int start = (int) section.fileOffset();
            int end = start + (int) section.size();
            int nextInstruction = start;
            for (int pos = start; pos < end; pos++) {
                long address = section.address() + (pos - start);
                check(elf.bytes, pos, end, address);
                boolean hit = pos <= elf.bytes.length - 24 && end - pos >= X86Decoder.MAX_LENGTH
                        && X86Decoder.lengthFast(elf.bytes, pos) != 0;
                offsets++;
                if (hit) {
                    fastHits++;
                }
                if (pos == nextInstruction) {
                    sweepInstructions++;
                    if (hit) {
                        sweepFastHits++;
                    }
                    nextInstruction += Math.max(full.length(), 1);
                }
            }
        }
        System.out.printf("[fastpath] %s: %d offsets identical (%.1f%% on the fast path); linear sweep: %d"
                + " instructions, %.1f%% on the fast path%n", name, offsets, 100.0 * fastHits / offsets,
                sweepInstructions, 100.0 * sweepFastHits / sweepInstructions);
        assertThat(sweepFastHits).as("the fast path must cover most real instructions")
                .isGreaterThan(sweepInstructions / 2);
    }

    @Test
    void randomAndStructuredRandomInputs() {
        SplittableRandom random = new SplittableRandom(0x5EED_FA57L);
        byte[] buf = new byte[32];
        int[] prefixChoices = {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E, 0x3E, 0x64, 0x65, 0x26, 0x36, 0x40, 0x41, 0x44, 0x48,
            0x49, 0x4C, 0x4F};
        for (int i = 0; i < 1_000_000; i++) {
            for (int j = 0; j < buf.length; j++) {
                buf[j] = (byte) random.nextInt(256);
            }
            int p = 0;
            switch (i % 4) {
                case 0: break; // random bytes
                case 1: // [66] [REX] opcode ...
                    if (random.nextBoolean()) {
                        buf[p++] = 0x66;
                    }
                    if (random.nextBoolean()) {
                        buf[p++] = (byte) (0x40 | random.nextInt(16));
                    }
                    break;
                case 2: // [66] [REX] 0F opcode ...
                    if (random.nextBoolean()) {
                        buf[p++] = 0x66;
                    }
                    if (random.nextBoolean()) {
                        buf[p++] = (byte) (0x40 | random.nextInt(16));
                    }
                    buf[p++] = 0x0F;
                    break;
                default: // a short run of arbitrary prefixes
                    for (int k = random.nextInt(4); k > 0; k--) {
                        buf[p++] = (byte) prefixChoices[random.nextInt(prefixChoices.length)];
                    }
                    if (random.nextBoolean()) {
                        buf[p++] = 0x0F;
                    }
                    break;
            }
            long address = random.nextLong() & 0x7FFF_FFFF_FFFFL;
            check(buf, 0, buf.length, address);
            check(buf, 0, X86Decoder.MAX_LENGTH, address);
            check(buf, 0, 1 + random.nextInt(X86Decoder.MAX_LENGTH), address); // cut short: full path
        }
    }

    @Test
    void addressesNearTheEndsOfTheAddressSpace() {
        byte[] call = HexFormat.of().parseHex("e8ffffff7f" + "488b05ffffff7f" + "eb80" + "0000000000000000");
        for (long address : new long[] {0, -1L, Long.MAX_VALUE - 3, Long.MIN_VALUE, 0xFFFF_FFFF_FFFF_F000L}) {
            for (int pos = 0; pos < 14; pos++) {
                check(call, pos, call.length, address);
            }
        }
    }

    private void check(byte[] code, int pos, int limit, long address) {
        int a = decoder.decode(code, pos, limit, address, fast);
        int b = decoder.decodeFull(code, pos, limit, address, full);
        int step = decoder.scanStep(code, pos, limit, address, scratch);
        int expectedStep = b | (full.isValid() ? X86Decoder.STEP_VALID : 0)
                | (full.isSyscall() ? X86Decoder.STEP_SYSCALL : 0) | (full.isSysenter() ? X86Decoder.STEP_SYSENTER : 0);
        if (a != b || !same(fast, full) || step != expectedStep) {
            int n = Math.min(limit - pos, X86Decoder.MAX_LENGTH);
            fail("fast path differs at %x (bytes %s, limit %d): fast %s / full %s; scanStep %x, expected %x",
                    address, HexFormat.of().formatHex(code, pos, pos + n), limit - pos, describe(fast), describe(full),
                    step, expectedStep);
        }
    }

    private static boolean same(Instruction x, Instruction y) {
        // every public property is a function of these (see describe for the failure message)
        return x.address == y.address && x.length == y.length && x.bits == y.bits && x.meta() == y.meta()
                && x.meta2() == y.meta2() && x.displacement == y.displacement && x.value == y.value;
    }

    /** Every public property. */
    private static String describe(Instruction x) {
        return String.format("{addr=%x len=%d valid=%b trunc=%b inv=%s enc=%s sys=%b sysenter=%b br=%s rel=%b target=%x"
                + " relOff=%d relSize=%d rip=%b ripTarget=%x dispOff=%d dispSize=%d disp=%d msz=%d rsp=%b rspDisp=%d"
                + " pfx=%x seg=%x rex=%x map=%d op=%x opOff=%d mp=%d hasModrm=%b modrm=%d sib=%d os=%d as=%d vl=%d"
                + " vexW=%b immOff=%d immSize=%d imm=%d ret=%b indirect=%b}", x.address(), x.length(), x.isValid(),
                x.isTruncated(), x.invalidReason(), x.encoding(), x.isSyscall(), x.isSysenter(), x.branchKind(),
                x.isRelativeBranch(), x.branchTarget(), x.relOffset(), x.relSize(), x.isRipRelative(), x.ripTarget(),
                x.dispOffset(), x.dispSize(), x.displacement(), x.memoryOperandSize(), x.isRspRelative(),
                x.rspDisplacement(), x.prefixes(), x.segmentPrefix(), x.rex(), x.opcodeMap(), x.opcode(),
                x.opcodeOffset(), x.mandatoryPrefix(), x.hasModrm(), x.modrm(), x.sib(), x.operandSize(),
                x.addressSize(), x.vectorLength(), x.vexW(), x.immOffset(), x.immSize(), x.immediate(), x.isRet(),
                x.isIndirectBranch());
    }
}
