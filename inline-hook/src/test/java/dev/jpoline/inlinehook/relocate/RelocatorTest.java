package dev.jpoline.inlinehook.relocate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jpoline.inlinehook.HookException;
import dev.jpoline.inlinehook.HookException.Reason;
import dev.jpoline.rewriter.decode.BranchKind;
import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import java.util.Arrays;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Each relocation rule on hand-assembled bytes. Every trampoline is decoded back (by
 * {@link TrampolineVerifier} and by the assertions here): re-encoded branches and RIP-relative
 * operands must reach the original absolute targets and the jump back must reach target + stolen.
 */
class RelocatorTest {
    /** The function's address: low, like a library's link address. */
    private static final long F = 0x40_1000L;
    /** A trampoline within rel32 reach of everything the functions refer to. */
    private static final long NEAR = F + 0x1000_0000L;
    /** A trampoline beyond rel32 reach of the function. */
    private static final long FAR = 0x7f00_1234_5000L;
    private static final X86Decoder DECODER = new X86Decoder();

    private final Relocator relocator = new Relocator();

    /** The bytes, then int3 up to {@code size}: a function whose tail never matters. */
    private static byte[] sized(int size, int... bytes) {
        byte[] f = new byte[Math.max(size, bytes.length)];
        Arrays.fill(f, (byte) 0xCC);
        for (int i = 0; i < bytes.length; i++) {
            f[i] = (byte) bytes[i];
        }
        return f;
    }

    private static byte[] function(int... bytes) {
        return sized(0x40, bytes);
    }

    private static int[] le32(long v) {
        return new int[] {(int) v & 0xFF, (int) (v >> 8) & 0xFF, (int) (v >> 16) & 0xFF, (int) (v >> 24) & 0xFF};
    }

    private static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) {
            n += p.length;
        }
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static int[] b(int... bytes) {
        return bytes;
    }

    private Prologue steal(byte[] function, int minSteal) {
        return relocator.steal(F, function, F, minSteal);
    }

    /** Relocates and checks soundness by decoding the trampoline back. */
    private Relocation relocate(Prologue p, long at) {
        Relocation r = relocator.relocate(p, at);
        assertThat(TrampolineVerifier.verify(p, r)).as("problems of %s", r).isEmpty();
        assertThat(r.trampolineAddress()).isEqualTo(at);
        assertThat(r.target()).isEqualTo(p.target());
        assertThat(r.stolenLength()).isEqualTo(p.length());
        assertThat(r.codeLength()).isLessThanOrEqualTo(p.maxTrampolineSize());
        return r;
    }

    private static Instruction decode(Relocation r, int offset) {
        byte[] code = r.code();
        Instruction in = new Instruction();
        DECODER.decode(code, offset, code.length, r.trampolineAddress() + offset, in);
        assertThat(in.isValid()).as("instruction at +%d of %s", offset, r).isTrue();
        return in;
    }

    /** Where the jump at {@code offset} goes, for both {@code E9} and {@code FF 25 0; .quad}. */
    private static long jumpTarget(Relocation r, int offset) {
        Instruction in = decode(r, offset);
        if (in.branchKind() == BranchKind.JMP) {
            return in.branchTarget();
        }
        assertThat(in.isIndirectBranch() && in.isRipRelative()).as("jmp [rip] at +%d", offset).isTrue();
        return TrampolineVerifier.readLong(r.code(), (int) (in.ripTarget() - r.trampolineAddress()));
    }

    private static void assertJumpBack(Relocation r) {
        assertThat(jumpTarget(r, r.boundaries().jumpBackOffset())).isEqualTo(r.target() + r.stolenLength());
    }

    private static HookException refusal(ThrowingCallable call, Reason reason) {
        try {
            call.call();
        } catch (HookException e) {
            assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a HookException(" + reason + "), got " + t, t);
        }
        throw new AssertionError("expected a HookException(" + reason + ")");
    }

    // --- position-independent code

    @Test
    void positionIndependentInstructionsAreCopiedByteForByte() {
        // push rbp; mov rbp, rsp; push rbx; sub rsp, 0x18; mov eax, fs:[0x28]
        byte[] f = function(0x55, 0x48, 0x89, 0xE5, 0x53, 0x48, 0x83, 0xEC, 0x18,
                0x64, 0x8B, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00);
        Prologue p = steal(f, 14);
        assertThat(p.length()).isEqualTo(17);
        assertThat(p.instructionCount()).isEqualTo(5);
        assertThat(p.returnOffsets()).isEmpty();
        for (long at : new long[] {NEAR, FAR}) {
            Relocation r = relocate(p, at);
            assertThat(Arrays.copyOf(r.code(), 17)).isEqualTo(Arrays.copyOf(f, 17));
            assertThat(r.boundaries().jumpBackOffset()).isEqualTo(17);
            assertJumpBack(r);
        }
        assertThat(relocate(p, NEAR).code()).hasSize(17 + 5);
        assertThat(relocate(p, FAR).code()).hasSize(17 + 14);
    }

    @Test
    void endbr64IsCopiedAsIs() {
        byte[] f = function(0xF3, 0x0F, 0x1E, 0xFA, 0x55, 0x48, 0x89, 0xE5);
        Prologue p = steal(f, 5);
        assertThat(p.length()).isEqualTo(5);
        Relocation r = relocate(p, NEAR);
        assertThat(Arrays.copyOf(r.code(), 5)).containsExactly(0xF3, 0x0F, 0x1E, 0xFA, 0x55);
        assertJumpBack(r);
    }

    @Test
    void syscallIsPositionIndependent() {
        byte[] f = function(0xB8, 0x27, 0x00, 0x00, 0x00, 0x0F, 0x05, 0xC3); // mov eax, 39; syscall; ret
        Relocation r = relocate(steal(f, 5), FAR);
        assertThat(Arrays.copyOf(r.code(), 5)).containsExactly(0xB8, 0x27, 0x00, 0x00, 0x00);
        assertJumpBack(r);
    }

    // --- relative branches

    @Test
    void jccRel8IsWidenedToRel32Near() {
        // test edi, edi; je +0x20; push rbp
        byte[] f = function(0x85, 0xFF, 0x74, 0x20, 0x55);
        Prologue p = steal(f, 5);
        Relocation r = relocate(p, NEAR);
        Instruction je = decode(r, 2);
        assertThat(je.branchKind()).isEqualTo(BranchKind.JCC);
        assertThat(je.opcodeMap()).isEqualTo(Instruction.MAP_0F);
        assertThat(je.opcode()).isEqualTo(0x84);
        assertThat(je.length()).isEqualTo(6);
        assertThat(je.branchTarget()).isEqualTo(F + 0x24);
        assertThat(r.code()[8]).isEqualTo((byte) 0x55);
        assertJumpBack(r);
    }

    @Test
    void jccFarBecomesTheInvertedShortJccOverAnAbsoluteJump() {
        byte[] f = function(0x85, 0xFF, 0x0F, 0x8C, 0x00, 0x01, 0x00, 0x00); // test; jl +0x100 (rel32)
        Relocation r = relocate(steal(f, 5), FAR);
        Instruction skip = decode(r, 2);
        assertThat(skip.opcode()).isEqualTo(0x7D); // jge over the jump
        assertThat(skip.branchTarget()).isEqualTo(FAR + 2 + 16);
        assertThat(jumpTarget(r, 4)).isEqualTo(F + 8 + 0x100);
        assertJumpBack(r);
    }

    @Test
    void jmpRel8IsWidenedNearAndAbsoluteFar() {
        byte[] f = function(0x31, 0xC0, 0xEB, 0x10, 0x90, 0x90, 0x90); // xor eax, eax; jmp +0x10; padding
        Prologue p = steal(f, 5);
        assertThat(p.length()).isEqualTo(5); // the nop after the jmp is padding, stolen with it
        Relocation near = relocate(p, NEAR);
        assertThat(decode(near, 2).length()).isEqualTo(5);
        assertThat(jumpTarget(near, 2)).isEqualTo(F + 0x14);
        Relocation far = relocate(p, FAR);
        assertThat(decode(far, 2).isIndirectBranch()).isTrue();
        assertThat(jumpTarget(far, 2)).isEqualTo(F + 0x14);
        assertJumpBack(near);
        assertJumpBack(far);
    }

    @Test
    void callRel32NearStaysRel32AndReturnsIntoTheTrampoline() {
        // sub rsp, 8; call F+0x1000
        byte[] f = function(concat(b(0x48, 0x83, 0xEC, 0x08, 0xE8), le32(0x1000 - 9)));
        Prologue p = steal(f, 5);
        assertThat(p.returnOffsets()).containsExactly(9);
        Relocation r = relocate(p, NEAR);
        Instruction call = decode(r, 4);
        assertThat(call.branchKind()).isEqualTo(BranchKind.CALL);
        assertThat(call.branchTarget()).isEqualTo(F + 0x1000);
        assertThat(r.boundaries().returnFrom()).containsExactly(F + 9);
        assertThat(r.boundaries().returnTo()).containsExactly(NEAR + 9);
        assertThat(r.boundaries().toOriginal(NEAR + 9)).isEqualTo(F + 9);
        assertJumpBack(r);
    }

    @Test
    void callFarGoesThroughTheLiteralPoolSoTheReturnAddressIsTheNextInstruction() {
        byte[] f = function(concat(b(0xE8), le32(0x1000 - 5), b(0x89, 0xC7)));
        Prologue p = steal(f, 5);
        Relocation r = relocate(p, FAR);
        Instruction call = decode(r, 0);
        assertThat(call.isIndirectBranch()).isTrue();
        assertThat(call.length()).isEqualTo(6);
        long literal = call.ripTarget() - FAR;
        assertThat(literal % 8 + FAR % 8).isZero();
        assertThat(TrampolineVerifier.readLong(r.code(), (int) literal)).isEqualTo(F + 0x1000);
        assertThat(r.boundaries().returnTo()).containsExactly(FAR + 6);
        assertThat(r.boundaries().trampolineOffset(0)).isZero();
        assertJumpBack(r);
    }

    @Test
    void aCallToTheNextFunctionIsAnOrdinaryCall() {
        // The last instruction calls the byte after the function: another function's start.
        byte[] f = concat2(sized(5, 0x31, 0xC0, 0x31, 0xD2, 0x90), new int[] {0xE8, 0, 0, 0, 0});
        Prologue p = relocator.steal(F, f, F, 10);
        assertThat(p.returnOffsets()).containsExactly(10);
        relocate(p, FAR);
    }

    private static byte[] concat2(byte[] a, int[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        for (int i = 0; i < b.length; i++) {
            out[a.length + i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void aCallThatReadsItsOwnAddressIsRefused() {
        byte[] f = function(0xE8, 0, 0, 0, 0, 0x58); // call next; pop rax
        HookException e = refusal(() -> steal(f, 5), Reason.UNRELOCATABLE);
        assertThat(e.getMessage()).contains("0x401000", "e8 00 00 00 00", "own address", "hook a different address");
    }

    @Test
    void indirectCallsAreCopiedAndTheirReturnAddressRecorded() {
        byte[] f = function(0xFF, 0xD0, 0x48, 0x89, 0xC7); // call rax; mov rdi, rax
        Prologue p = steal(f, 5);
        assertThat(p.returnOffsets()).containsExactly(2);
        Relocation r = relocate(p, FAR);
        assertThat(Arrays.copyOf(r.code(), 5)).containsExactly(0xFF, 0xD0, 0x48, 0x89, 0xC7);
        assertThat(r.boundaries().returnFrom()).containsExactly(F + 2);
        assertThat(r.boundaries().returnTo()).containsExactly(FAR + 2);
    }

    @Test
    void loopIsExpandedWithItsPrefixes() {
        // loop +0x10; then 67-prefixed loopne (ecx) +0x20; then nops
        byte[] f = function(0xE2, 0x10, 0x67, 0xE0, 0x20, 0x90);
        Prologue p = steal(f, 5);
        assertThat(p.instructionCount()).isEqualTo(2);
        for (long at : new long[] {NEAR, FAR}) {
            Relocation r = relocate(p, at);
            Instruction loop = decode(r, 0);
            assertThat(loop.branchKind()).isEqualTo(BranchKind.LOOP);
            Instruction over = decode(r, 2);
            assertThat(over.branchKind()).isEqualTo(BranchKind.JMP);
            assertThat(jumpTarget(r, (int) (loop.branchTarget() - at))).isEqualTo(F + 0x12);
            int second = r.boundaries().trampolineOffset(1);
            assertThat(over.branchTarget()).isEqualTo(at + second);
            assertThat(r.code()[second]).isEqualTo((byte) 0x67);
            Instruction loopne = decode(r, second);
            assertThat(loopne.branchKind()).isEqualTo(BranchKind.LOOP);
            assertThat(jumpTarget(r, (int) (loopne.branchTarget() - at))).isEqualTo(F + 5 + 0x20);
            assertJumpBack(r);
        }
    }

    @Test
    void jrcxzAndJecxzAreExpanded() {
        byte[] f = function(0xE3, 0x30, 0x67, 0xE3, 0x40, 0x90); // jrcxz +0x30; jecxz +0x40
        Prologue p = steal(f, 5);
        for (long at : new long[] {NEAR, FAR}) {
            Relocation r = relocate(p, at);
            Instruction jrcxz = decode(r, 0);
            assertThat(jrcxz.branchKind()).isEqualTo(BranchKind.JRCXZ);
            assertThat(jumpTarget(r, (int) (jrcxz.branchTarget() - at))).isEqualTo(F + 0x32);
            int second = r.boundaries().trampolineOffset(1);
            assertThat(Arrays.copyOfRange(r.code(), second, second + 2)).containsExactly(0x67, 0xE3);
        }
    }

    @Test
    void xbeginAbortPathIsRetargeted() {
        byte[] f = function(concat(b(0xC7, 0xF8), le32(0x200), b(0x90)));
        Prologue p = steal(f, 5);
        Relocation near = relocate(p, NEAR);
        Instruction x = decode(near, 0);
        assertThat(x.branchKind()).isEqualTo(BranchKind.XBEGIN);
        assertThat(x.branchTarget()).isEqualTo(F + 6 + 0x200);
        Relocation far = relocate(p, FAR);
        Instruction fx = decode(far, 0);
        assertThat(jumpTarget(far, (int) (fx.branchTarget() - FAR))).isEqualTo(F + 6 + 0x200);
    }

    @Test
    void sixteenBitRelativeBranchesAreRefused() {
        for (int[] bytes : new int[][] {{0x66, 0xE9, 0x10, 0x00, 0x90}, {0x66, 0x0F, 0x84, 0x10, 0x00},
                {0x66, 0xE8, 0x10, 0x00, 0x90}}) {
            HookException e = refusal(() -> steal(function(bytes), 5), Reason.UNRELOCATABLE);
            assertThat(e.getMessage()).contains("16-bit", "0x401000");
        }
    }

    // --- branches between stolen instructions

    @Test
    void aBranchBetweenStolenInstructionsGoesToTheRelocatedCopy() {
        // xor eax, eax; je +0 (to the next instruction, stolen); xor edx, edx
        byte[] f = function(0x31, 0xC0, 0x74, 0x00, 0x31, 0xD2, 0xC3);
        Prologue p = steal(f, 5);
        assertThat(p.instructionCount()).isEqualTo(3);
        for (long at : new long[] {NEAR, FAR}) {
            Relocation r = relocate(p, at);
            Instruction je = decode(r, 2);
            assertThat(je.length()).isEqualTo(6); // rel32 to the copy, near or far
            assertThat(je.branchTarget()).isEqualTo(at + r.boundaries().trampolineOffset(2));
            assertThat(r.boundaries().trampolineOffset(2)).isEqualTo(8);
        }
    }

    @Test
    void aLoopBackToTheTargetGoesToTheTrampolineStart() {
        // dec ecx; jne -4 (back to the target itself); nop
        byte[] f = function(0xFF, 0xC9, 0x75, 0xFC, 0x90, 0xC3);
        Prologue p = steal(f, 5);
        for (long at : new long[] {NEAR, FAR}) {
            Relocation r = relocate(p, at);
            assertThat(decode(r, 2).branchTarget()).isEqualTo(at);
        }
    }

    @Test
    void aBranchToTheFirstInstructionNotStolenGoesToTheOriginal() {
        byte[] f = function(0x85, 0xFF, 0x74, 0x01, 0x90, 0x90); // test; je +1 (= target + 5); nop
        Prologue p = steal(f, 5);
        assertThat(p.length()).isEqualTo(5);
        assertThat(decode(relocate(p, NEAR), 2).branchTarget()).isEqualTo(F + 5);
    }

    // --- RIP-relative operands

    @Test
    void ripRelativeMovIsReDisplaced() {
        // mov rax, [rip+0x2000]; ret
        byte[] f = function(concat(b(0x48, 0x8B, 0x05), le32(0x2000), b(0xC3)));
        Prologue p = steal(f, 5);
        Relocation r = relocate(p, NEAR);
        Instruction mov = decode(r, 0);
        assertThat(mov.length()).isEqualTo(7);
        assertThat(mov.ripTarget()).isEqualTo(F + 7 + 0x2000);
        assertThat(Arrays.copyOf(r.code(), 3)).containsExactly(0x48, 0x8B, 0x05);
    }

    @Test
    void ripRelativeCmpWithAnImmediateAfterTheDisplacementIsReDisplaced() {
        // cmp byte [rip+0x3000], 0x5; cmp dword [rip+0x10], 0x12345678
        byte[] f = function(concat(b(0x80, 0x3D), le32(0x3000), b(0x05, 0x81, 0x3D), le32(0x10), le32(0x12345678)));
        Prologue p = steal(f, 14);
        Relocation r = relocate(p, NEAR);
        Instruction cmp8 = decode(r, 0);
        assertThat(cmp8.ripTarget()).isEqualTo(F + 7 + 0x3000);
        assertThat(cmp8.immediate()).isEqualTo(5);
        Instruction cmp32 = decode(r, 7);
        assertThat(cmp32.ripTarget()).isEqualTo(F + 17 + 0x10);
        assertThat(cmp32.immediate()).isEqualTo(0x12345678);
    }

    @Test
    void vexRipRelativeIsReDisplaced() {
        byte[] f = function(concat(b(0xC5, 0xFD, 0x6F, 0x05), le32(-0x100), b(0xC3))); // vmovdqa ymm0, [rip-0x100]
        Relocation r = relocate(steal(f, 5), NEAR);
        assertThat(decode(r, 0).ripTarget()).isEqualTo(F + 8 - 0x100);
    }

    @Test
    void ripRelativeOperandOutOfReachIsRefusedNamingItsTarget() {
        byte[] f = function(concat(b(0x48, 0x8B, 0x05), le32(0x2000), b(0xC3)));
        Prologue p = steal(f, 5);
        HookException e = refusal(() -> relocator.relocate(p, FAR), Reason.UNRELOCATABLE);
        assertThat(e.getMessage()).contains("0x401000", "48 8b 05 00 20 00 00", "0x403007", "too far",
                "0x7f0012345000");
    }

    @Test
    void leaNearIsReDisplacedAndFarBecomesMovImm64() {
        // lea rax, [rip+0x1234]; lea r15, [rip-0x10]
        byte[] f = function(concat(b(0x48, 0x8D, 0x05), le32(0x1234), b(0x4C, 0x8D, 0x3D), le32(-0x10)));
        Prologue p = steal(f, 14);
        Relocation near = relocate(p, NEAR);
        assertThat(decode(near, 0).ripTarget()).isEqualTo(F + 7 + 0x1234);
        assertThat(decode(near, 7).ripTarget()).isEqualTo(F + 14 - 0x10);
        Relocation far = relocate(p, FAR);
        Instruction rax = decode(far, 0);
        assertThat(Arrays.copyOf(far.code(), 2)).containsExactly(0x48, 0xB8);
        assertThat(rax.immediate()).isEqualTo(F + 7 + 0x1234);
        Instruction r15 = decode(far, 10);
        assertThat(Arrays.copyOfRange(far.code(), 10, 12)).containsExactly(0x49, 0xBF);
        assertThat(r15.immediate()).isEqualTo(F + 14 - 0x10);
        assertJumpBack(far);
    }

    @Test
    void aThirtyTwoBitLeaBecomesMovImm32() {
        byte[] f = function(concat(b(0x44, 0x8D, 0x05), le32(0x100))); // lea r8d, [rip+0x100]
        Relocation far = relocate(steal(f, 5), FAR);
        assertThat(Arrays.copyOf(far.code(), 2)).containsExactly(0x41, 0xB8);
        assertThat((int) decode(far, 0).immediate()).isEqualTo((int) (F + 7 + 0x100));
    }

    @Test
    void eipRelativeOperandsAreRefused() {
        byte[] f = function(concat(b(0x67, 0x8B, 0x05), le32(0x100))); // mov eax, [eip+0x100]
        HookException e = refusal(() -> steal(f, 5), Reason.UNRELOCATABLE);
        assertThat(e.getMessage()).contains("EIP");
    }

    // --- what is stolen, and refusals

    @Test
    void branchIntoThePrologueIsRefused() {
        // push rbp; mov rbp, rsp; push rbx; ...; jmp back to +1 (inside the stolen bytes)
        byte[] f = function(0x55, 0x48, 0x89, 0xE5, 0x53, 0x90, 0x90, 0x90, 0xEB, 0xF7);
        HookException e = refusal(() -> steal(f, 5), Reason.BRANCH_INTO_PROLOGUE);
        assertThat(e.getMessage()).contains("0x401000", "0x401008", "eb f7", "0x401001", "hook a different address");
    }

    @Test
    void aBranchToTheTargetItselfIsFine() {
        byte[] f = function(0x55, 0x48, 0x89, 0xE5, 0x53, 0x90, 0x90, 0x90, 0xEB, 0xF6); // jmp to +0
        assertThat(steal(f, 5).length()).isEqualTo(5);
    }

    @Test
    void aBranchIntoTheMiddleOfAStolenInstructionIsRefused() {
        byte[] f = function(0x74, 0x01, 0x48, 0x89, 0xE5, 0x90); // je +1 lands inside mov rbp, rsp
        refusal(() -> steal(f, 5), Reason.UNRELOCATABLE);
    }

    @Test
    void tooShortFunctionsAreRefused() {
        HookException e = refusal(() -> relocator.steal(F, new byte[] {0x31, (byte) 0xC0, (byte) 0xC3}, F, 5),
                Reason.PROLOGUE_TOO_SHORT);
        assertThat(e.getMessage()).contains("0x401000", "3 bytes", "needs 5", "c3");
        // push rbp; mov rbp, rsp; pop rbp; ret: 6 bytes, a 14-byte jump does not fit
        HookException e14 = refusal(
                () -> relocator.steal(F, new byte[] {0x55, 0x48, (byte) 0x89, (byte) 0xE5, 0x5D, (byte) 0xC3}, F, 14),
                Reason.PROLOGUE_TOO_SHORT);
        assertThat(e14.getMessage()).contains("6 bytes", "needs 14", "5-byte jump");
    }

    @Test
    void theFunctionsEndIsRespected() {
        // Exactly 5 bytes: stolen whole. The bytes after the end are never looked at.
        byte[] five = {0x31, (byte) 0xC0, (byte) 0x90, (byte) 0x90, (byte) 0xC3};
        assertThat(relocator.steal(F, five, F, 5).length()).isEqualTo(5);
        // An instruction cut by the function's end is not code.
        HookException e = refusal(() -> relocator.steal(F, new byte[] {0x31, (byte) 0xC0, 0x48, (byte) 0x8B}, F, 5),
                Reason.NOT_CODE);
        assertThat(e.getMessage()).contains("0x401002", "function's end");
    }

    @Test
    void bytesThatDoNotDecodeAreNotCode() {
        HookException e = refusal(() -> steal(function(0x31, 0xC0, 0x06, 0x90, 0x90), 5), Reason.NOT_CODE);
        assertThat(e.getMessage()).contains("0x401002", "06");
    }

    @Test
    void aTargetInsideAnInstructionIsNotCode() {
        byte[] f = function(0x48, 0x89, 0xE5, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90);
        refusal(() -> relocator.steal(F, f, F + 1, 5), Reason.NOT_CODE);
    }

    @Test
    void aTargetInsideTheFunctionIsStolenFromThere() {
        // push rbp; mov rbp, rsp; [target] sub rsp, 0x10; mov eax, 1; ...; jne back to the target
        byte[] f = function(0x55, 0x48, 0x89, 0xE5, 0x48, 0x83, 0xEC, 0x10, 0xB8, 0x01, 0, 0, 0, 0x75, 0xF5);
        Prologue p = relocator.steal(F, f, F + 4, 5);
        assertThat(p.target()).isEqualTo(F + 4);
        assertThat(p.length()).isEqualTo(9);
        Relocation r = relocate(p, FAR);
        assertThat(Arrays.copyOf(r.code(), 9)).isEqualTo(Arrays.copyOfRange(f, 4, 13));
        assertJumpBack(r);
    }

    @Test
    void paddingAfterARetIsStolenButUnreachedCodeIsNot() {
        // jne +5; ret; nop dword [rax+0]: the nop is padding the jne skips
        byte[] padded = function(0x75, 0x05, 0xC3, 0x0F, 0x1F, 0x40, 0x00, 0x90);
        Prologue p = steal(padded, 5);
        assertThat(p.length()).isEqualTo(7);
        relocate(p, FAR);
        // jne +5; ret; mov rax, rdi: code no branch reaches, so something unseen does
        byte[] unreached = function(0x75, 0x05, 0xC3, 0x48, 0x89, 0xF8, 0x90, 0x90);
        HookException e = refusal(() -> steal(unreached, 5), Reason.BRANCH_INTO_PROLOGUE);
        assertThat(e.getMessage()).contains("0x401003", "48 89 f8", "jump table");
        // jne +1; ret; mov rax, rdi: the jne reaches it, so it is relocated with the jne
        byte[] reached = function(0x75, 0x01, 0xC3, 0x48, 0x89, 0xF8, 0x90, 0x90);
        Relocation r = relocate(steal(reached, 5), FAR);
        assertThat(decode(r, 0).branchTarget()).isEqualTo(FAR + r.boundaries().trampolineOffset(2));
    }

    @Test
    void argumentsOutsideTheFunctionAreAMistake() {
        byte[] f = function(0x90);
        assertThatThrownBy(() -> relocator.steal(F, f, F + f.length, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> relocator.steal(F, f, F - 1, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> relocator.steal(F, f, F, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // --- the boundary map

    @Test
    void theBoundaryMapTranslatesBothWays() {
        // test edi, edi; je far; push rbp; mov rbp, rsp; push rbx
        byte[] f = function(concat(b(0x85, 0xFF, 0x74, 0x30, 0x55, 0x48, 0x89, 0xE5, 0x53)));
        Prologue p = steal(f, 5);
        Relocation r = relocate(p, FAR);
        BoundaryMap m = r.boundaries();
        assertThat(m.size()).isEqualTo(3);
        assertThat(m.originalOffset(1)).isEqualTo(2);
        assertThat(m.trampolineOffset(1)).isEqualTo(2);
        assertThat(m.trampolineOffset(2)).isEqualTo(2 + 16);
        assertThat(m.toTrampoline(F)).isEqualTo(FAR);
        assertThat(m.toTrampoline(F + 2)).isEqualTo(FAR + 2);
        assertThat(m.toTrampoline(F + 4)).isEqualTo(FAR + 18);
        assertThat(m.toTrampoline(F + 1)).isEqualTo(-1);
        assertThat(m.toTrampoline(F + 5)).isEqualTo(-1); // target + stolen is not stolen
        assertThat(m.toOriginal(FAR + 18)).isEqualTo(F + 4);
        assertThat(m.toOriginal(FAR + 4)).isEqualTo(-1); // inside the expanded jcc
        assertThat(m.toOriginal(FAR + m.jumpBackOffset())).isEqualTo(F + 5);
        assertThat(m.toOriginal(FAR - 1)).isEqualTo(-1);
        assertThat(m.returnFrom()).isEmpty();
        assertThatThrownBy(() -> m.originalOffset(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void theBoundIsNeverExceededByTheWorstCase() {
        // Every kind that grows, all far: jcc, jmp (last), loop, call, jrcxz, lea.
        byte[] f = function(concat(b(0x74, 0x10, 0xE2, 0x10, 0xE8), le32(0x100), b(0xE3, 0x10, 0x48, 0x8D, 0x05),
                le32(0x10), b(0xEB, 0x10)));
        Prologue p = relocator.steal(F, f, F, 20);
        Relocation r = relocate(p, FAR + 7);
        assertThat(r.codeLength()).isLessThanOrEqualTo(p.maxTrampolineSize());
    }
}
