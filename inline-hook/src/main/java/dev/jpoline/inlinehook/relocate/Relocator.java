package dev.jpoline.inlinehook.relocate;

import dev.jpoline.inlinehook.HookException;
import dev.jpoline.inlinehook.HookException.Reason;
import dev.jpoline.inlinehook.write.CodeWriter;
import dev.jpoline.rewriter.decode.BranchKind;
import dev.jpoline.rewriter.decode.Encoding;
import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Chooses the instructions a hook's jump displaces (the stolen bytes of a prologue) and moves
 * them into a trampoline: position-independent instructions are copied byte for byte, relative
 * branches are retargeted (widened to rel32, or turned into absolute forms when the trampoline is
 * beyond rel32 reach), RIP-relative operands are re-displaced, and a jump back resumes the
 * original code after the stolen bytes. The bytes themselves are emitted by {@link CodeWriter}.
 *
 * <p>Stateless: one instance may be shared by threads.
 *
 * <p>What it cannot see: branches into the stolen bytes from outside the function, indirect
 * branches (jump tables, computed addresses) and a linear decode that a function's embedded data
 * has thrown out of step. The caller knows more about the first (other symbols) than this class.
 * Against the second it refuses stolen code after a ret or jmp that no visible branch reaches
 * (such code is reached only by a branch, so by one it cannot see), unless it is padding.
 */
public final class Relocator {
    /** Stateless, shared: each call decodes into its own {@link Instruction}. */
    private static final X86Decoder DECODER = new X86Decoder();

    /** The longest jump a hook writes is 14 bytes; anything much larger is a caller's mistake. */
    private static final int MAX_MIN_STEAL = 64;

    public Relocator() {}

    /**
     * Chooses the instructions to steal at {@code target}: whole instructions covering at least
     * {@code minSteal} bytes (5 or 14), never past the function's end.
     *
     * <p>The whole function is decoded linearly from {@code functionStart}; the hook is refused
     * when a relative branch (jmp, jcc, call, loop, jrcxz, xbegin) from outside the stolen bytes
     * targets an address strictly inside them (a branch to {@code target} itself is fine: it will
     * reach the hook).
     *
     * @param functionStart the address of {@code functionBytes[0]}
     * @param functionBytes the whole function {@code [functionStart, functionStart + length)}, as
     *     in memory (before any patch)
     * @param target the address to hook, {@code functionStart <= target < functionStart + length}
     * @param minSteal the bytes the hook's jump overwrites
     * @throws HookException with {@link Reason#PROLOGUE_TOO_SHORT}, {@link Reason#BRANCH_INTO_PROLOGUE},
     *     {@link Reason#NOT_CODE} or {@link Reason#UNRELOCATABLE}
     */
    public Prologue steal(long functionStart, byte[] functionBytes, long target, int minSteal) {
        Objects.requireNonNull(functionBytes, "functionBytes");
        int end = functionBytes.length;
        if (minSteal < 1 || minSteal > MAX_MIN_STEAL) {
            throw new IllegalArgumentException("minSteal " + minSteal + " is not 1-" + MAX_MIN_STEAL);
        }
        if (target < functionStart || target - functionStart >= end) {
            throw new IllegalArgumentException(String.format("target 0x%x is outside the function [0x%x, 0x%x)",
                    target, functionStart, functionStart + end));
        }
        int t = (int) (target - functionStart);
        Instruction in = new Instruction();

        // The target must be an instruction start in the same linear decode the branch check uses.
        int at = 0;
        int previous = 0;
        while (at < t) {
            previous = at;
            at += step(functionBytes, at, end, functionStart, in);
        }
        if (at != t) {
            throw new HookException(Reason.NOT_CODE, String.format(
                    "cannot hook 0x%x: it is not an instruction start; decoding the function from 0x%x, the "
                            + "instruction at 0x%x (%s) runs through it; hook an instruction boundary",
                    target, functionStart, functionStart + previous, hex(functionBytes, previous, at - previous)));
        }

        // Whole instructions until the jump fits. Each is at least a byte, so at most minSteal of them.
        int[] offsets = new int[minSteal];
        int[] returns = new int[minSteal];
        int count = 0;
        int calls = 0;
        int maxSize = CodeWriter.JMP_ABSOLUTE_SIZE; // the jump back
        int lastFlowEnd = -1;
        int lastFlowEndLength = 0;
        long[] branchTargets = new long[minSteal];
        int branches = 0;
        while (at - t < minSteal) {
            if (at >= end) {
                throw tooShort(target, functionStart, functionBytes, at - t, minSteal, lastFlowEnd, lastFlowEndLength);
            }
            long address = functionStart + at;
            int len = DECODER.decode(functionBytes, at, end, address, in);
            if (!in.isValid()) {
                throw notCode(target, address, functionBytes, at, Math.min(end - at, X86Decoder.MAX_LENGTH), in,
                        functionStart + end);
            }
            checkMovable(target, in, functionBytes, at, functionStart + end);
            offsets[count++] = at - t;
            maxSize += worstRelocatedSize(in);
            if (isCall(in)) {
                returns[calls++] = at + len - t;
                maxSize += 8; // its literal, should the target be out of rel32 reach
            }
            if (endsFlow(in)) {
                lastFlowEnd = at;
                lastFlowEndLength = len;
            }
            if (in.isRelativeBranch()) {
                branchTargets[branches++] = in.branchTarget();
            }
            at += len;
        }
        int stolen = at - t;
        if (calls > 0) {
            maxSize += CodeWriter.POOL_ALIGNMENT_SLACK;
        }
        offsets = Arrays.copyOf(offsets, count);
        returns = Arrays.copyOf(returns, calls);

        // Relative branches from anywhere in the function must not land strictly inside the
        // stolen bytes; those from inside must land on a stolen instruction's start.
        long stolenEnd = target + stolen;
        at = 0;
        while (at < end) {
            int len = step(functionBytes, at, end, functionStart, in);
            if (in.isValid() && in.isRelativeBranch()) {
                long to = in.branchTarget();
                boolean inside = at >= t && at < t + stolen;
                if (inside) {
                    if (to > target && to < stolenEnd && Arrays.binarySearch(offsets, (int) (to - target)) < 0) {
                        throw new HookException(Reason.UNRELOCATABLE, String.format(
                                "cannot hook 0x%x: the branch at 0x%x (%s) targets 0x%x, inside a stolen instruction; "
                                        + "hook a different address",
                                target, functionStart + at, hex(functionBytes, at, len), to));
                    }
                } else if (to > target && to < stolenEnd) {
                    throw new HookException(Reason.BRANCH_INTO_PROLOGUE, String.format(
                            "cannot hook 0x%x: the %s at 0x%x (%s) branches to 0x%x, inside the %d bytes a %d-byte "
                                    + "jump would displace; hook a different address",
                            target, branchName(in), functionStart + at, hex(functionBytes, at, len), to, stolen,
                            minSteal));
                }
            }
            at += len;
        }
        checkReachedAfterFlowEnd(target, functionBytes, t, offsets, stolen, branchTargets, branches, in);
        return new Prologue(target, Arrays.copyOfRange(functionBytes, t, t + stolen), offsets, returns, maxSize);
    }

    /**
     * Encodes the trampoline at {@code trampolineAddress}: the stolen instructions relocated,
     * then a jump back to {@code target + stolen}, then the literal pool of absolute calls.
     *
     * @throws HookException with {@link Reason#UNRELOCATABLE} when a RIP-relative memory operand
     *     cannot reach its target from there (a {@code lea r, [rip+x]} becomes {@code mov r, imm})
     */
    public Relocation relocate(Prologue prologue, long trampolineAddress) {
        Objects.requireNonNull(prologue, "prologue");
        long target = prologue.target();
        byte[] bytes = prologue.bytesShared();
        int stolen = bytes.length;
        int count = prologue.instructionCount();
        CodeWriter w = new CodeWriter(trampolineAddress, prologue.maxTrampolineSize());
        CodeWriter.Label[] starts = new CodeWriter.Label[count];
        for (int i = 0; i < count; i++) {
            starts[i] = w.newLabel();
        }
        int[] original = new int[count + 1];
        int[] relocated = new int[count + 1];
        int calls = prologue.returnOffsets().length;
        long[] returnFrom = new long[calls];
        long[] returnTo = new long[calls];
        int call = 0;
        Instruction in = new Instruction();
        for (int i = 0; i < count; i++) {
            int off = prologue.instructionOffset(i);
            long address = target + off;
            int len = DECODER.decode(bytes, off, stolen, address, in);
            w.bind(starts[i]);
            original[i] = off;
            relocated[i] = w.offset();
            if (in.isRelativeBranch()) {
                relocateBranch(in, bytes, off, w, prologue, starts);
            } else if (in.isRipRelative()) {
                relocateRipRelative(in, bytes, off, w, prologue, trampolineAddress);
            } else {
                w.bytes(bytes, off, len);
            }
            if (isCall(in)) {
                returnFrom[call] = address + len;
                returnTo[call] = w.pc();
                call++;
            }
        }
        original[count] = stolen;
        relocated[count] = w.offset();
        w.jmp(target + stolen);
        byte[] code = w.code();
        BoundaryMap map = new BoundaryMap(target, trampolineAddress, original, relocated, returnFrom, returnTo);
        return new Relocation(target, stolen, trampolineAddress, code, map);
    }

    /**
     * Code in the stolen bytes after a ret or jmp is reached only by a branch. A relative branch
     * from the stolen bytes is retargeted and one from elsewhere is refused by the branch check;
     * anything else reaching it is invisible here (a jump table, a computed address), so such code
     * is stolen only when it is alignment padding, which nothing executes.
     */
    private static void checkReachedAfterFlowEnd(long target, byte[] bytes, int t, int[] offsets, int stolen,
            long[] branchTargets, int branches, Instruction in) {
        boolean unreached = false;
        int flowEnd = -1;
        for (int i = 0; i < offsets.length; i++) {
            int at = t + offsets[i];
            int len = (i + 1 < offsets.length ? offsets[i + 1] : stolen) - offsets[i];
            DECODER.decode(bytes, at, at + len, target + offsets[i], in);
            if (unreached && !isInternalTarget(target + offsets[i], branchTargets, branches)) {
                if (!isPadding(in)) {
                    throw new HookException(Reason.BRANCH_INTO_PROLOGUE, String.format(
                            "cannot hook 0x%x: the instruction at 0x%x (%s) follows the end of the code at 0x%x (%s) "
                                    + "and no branch in the function reaches it, so something unseen does (a jump table, "
                                    + "a computed address); hook a different address",
                            target, target + offsets[i], hex(bytes, at, len), target + flowEnd,
                            hex(bytes, t + flowEnd, lengthAt(offsets, stolen, flowEnd))));
                }
            } else {
                unreached = false;
            }
            if (endsFlow(in)) {
                unreached = true;
                flowEnd = offsets[i];
            }
        }
    }

    private static int lengthAt(int[] offsets, int stolen, int offset) {
        int i = Arrays.binarySearch(offsets, offset);
        return (i + 1 < offsets.length ? offsets[i + 1] : stolen) - offset;
    }

    private static boolean isInternalTarget(long address, long[] branchTargets, int branches) {
        for (int i = 0; i < branches; i++) {
            if (branchTargets[i] == address) {
                return true;
            }
        }
        return false;
    }

    /** nop (90, 0F 1F, with prefixes) and int3: what assemblers put between code for alignment. */
    private static boolean isPadding(Instruction in) {
        if (in.encoding() != Encoding.LEGACY) {
            return false;
        }
        int op = in.opcode();
        return in.opcodeMap() == Instruction.MAP_ONE_BYTE ? op == 0x90 && (in.rex() & 1) == 0 || op == 0xCC
                : in.opcodeMap() == Instruction.MAP_0F && op == 0x1F;
    }

    // --- relocation of one instruction

    private static void relocateBranch(Instruction in, byte[] bytes, int off, CodeWriter w, Prologue prologue,
            CodeWriter.Label[] starts) {
        long to = in.branchTarget();
        // A branch between stolen instructions goes to the relocated copy.
        CodeWriter.Label internal = null;
        long fromTarget = to - prologue.target();
        if (fromTarget >= 0 && fromTarget < prologue.length()) {
            internal = starts[prologue.indexOfOffset((int) fromTarget)];
        }
        switch (in.branchKind()) {
            case JMP:
                if (internal != null) {
                    w.jmpRel32(internal);
                } else {
                    w.jmp(to);
                }
                break;
            case JCC: {
                int cc = in.opcode() & 0xF;
                if (internal != null) {
                    w.jccRel32(cc, internal);
                } else {
                    w.jcc(cc, to);
                }
                break;
            }
            case CALL:
                if (internal != null) {
                    w.callRel32(internal);
                } else {
                    w.call(to);
                }
                break;
            case LOOP:
            case JRCXZ: {
                // Only rel8 forms exist: [prefixes] op taken; jmp short next; taken: jmp target; next:
                CodeWriter.Label taken = w.newLabel();
                CodeWriter.Label next = w.newLabel();
                w.bytes(bytes, off, in.relOffset()).rel8(taken);
                w.jmpShort(next);
                w.bind(taken);
                jumpTo(w, internal, to);
                w.bind(next);
                break;
            }
            case XBEGIN: {
                // The abort path is the rel32 target: direct when it reaches, else through a local jump.
                if (internal != null || CodeWriter.fitsRel32(w.pc() + in.length(), to)) {
                    w.bytes(bytes, off, in.relOffset());
                    if (internal != null) {
                        w.rel32(internal);
                    } else {
                        w.rel32(to);
                    }
                } else {
                    CodeWriter.Label abort = w.newLabel();
                    CodeWriter.Label next = w.newLabel();
                    w.bytes(bytes, off, in.relOffset()).rel32(abort);
                    w.jmpShort(next);
                    w.bind(abort);
                    w.jmpAbsolute(to);
                    w.bind(next);
                }
                break;
            }
            default:
                throw new IllegalStateException("unexpected branch kind " + in.branchKind());
        }
    }

    private static void jumpTo(CodeWriter w, CodeWriter.Label internal, long to) {
        if (internal != null) {
            w.jmpRel32(internal);
        } else {
            w.jmp(to);
        }
    }

    private static void relocateRipRelative(Instruction in, byte[] bytes, int off, CodeWriter w, Prologue prologue,
            long trampolineAddress) {
        int len = in.length();
        long operand = in.ripTarget();
        long end = w.pc() + len;
        if (CodeWriter.fitsRel32(end, operand)) {
            // Same length, so the displacement is still taken from the end of the same bytes.
            int at = w.offset();
            w.bytes(bytes, off, len);
            w.patchU32(at + in.dispOffset(), (int) (operand - end));
            return;
        }
        if (isLea(in)) {
            // lea computes an address and touches no memory or flags: a constant does the same.
            int reg = (in.modrm() >> 3 & 7) | (in.rex() & 4) << 1;
            switch (in.operandSize()) {
                case 8:
                    w.movImm64(reg, operand);
                    break;
                case 4:
                    w.movImm32(reg, (int) operand); // lea r32 keeps the low half, mov r32 clears the top
                    break;
                default:
                    w.movImm16(reg, (int) operand);
                    break;
            }
            return;
        }
        long address = prologue.target() + off;
        throw new HookException(Reason.UNRELOCATABLE, String.format(
                "cannot relocate the prologue at 0x%x to a trampoline at 0x%x: the instruction at 0x%x (%s) uses "
                        + "memory at 0x%x, %s from the trampoline, beyond the ±2 GiB a RIP-relative operand reaches; "
                        + "the trampoline memory is too far: place it within ±2 GiB of 0x%x",
                prologue.target(), trampolineAddress, address, hex(bytes, off, len), operand,
                distance(operand - end), operand));
    }

    // --- what each instruction needs

    /** Refuses an instruction that cannot be moved to any trampoline. */
    private static void checkMovable(long target, Instruction in, byte[] bytes, int at, long functionEnd) {
        String why = null;
        if (in.isRelativeBranch()) {
            long next = in.address() + in.length();
            if ((in.prefixes() & Instruction.PREFIX_OPERAND_SIZE) != 0 && (in.rex() & 8) == 0) {
                why = "is a 16-bit relative branch (66 prefix): it truncates the instruction pointer to 16 bits";
            } else if (in.branchKind() == BranchKind.CALL && in.branchTarget() == next && next < functionEnd) {
                // call next; pop reg: the code reads its own address, which would be the trampoline's.
                // (A call to the next function, which starts at this one's end, is an ordinary call.)
                why = "calls the next instruction to read its own address, which would be the trampoline's";
            }
        } else if (in.isRipRelative()) {
            if (in.addressSize() != 8) {
                why = "addresses memory relative to EIP (67 prefix), which truncates the address to 32 bits";
            } else if (in.dispSize() != 4) {
                why = "has a RIP-relative operand without a 32-bit displacement";
            }
        } else if (isFarIndirect(in)) {
            why = "is a far call or jump through memory";
        }
        if (why != null) {
            throw new HookException(Reason.UNRELOCATABLE, String.format(
                    "cannot hook 0x%x: the instruction at 0x%x (%s) %s; it cannot be moved, hook a different address",
                    target, in.address(), hex(bytes, at, in.length()), why));
        }
    }

    /** An upper bound of the bytes {@link #relocate} emits for {@code in}, the literal pool aside. */
    private static int worstRelocatedSize(Instruction in) {
        switch (in.branchKind()) {
            case JMP:
                return CodeWriter.JMP_ABSOLUTE_SIZE;
            case JCC:
                return CodeWriter.JCC_ABSOLUTE_SIZE;
            case CALL:
                return Math.max(CodeWriter.CALL_REL32_SIZE, CodeWriter.CALL_ABSOLUTE_SIZE);
            case LOOP:
            case JRCXZ:
                return in.relOffset() + 1 + 2 + CodeWriter.JMP_ABSOLUTE_SIZE;
            case XBEGIN:
                return in.relOffset() + 4 + 2 + CodeWriter.JMP_ABSOLUTE_SIZE;
            default:
                // mov r64, imm64 is 10 bytes, the most a lea can become
                return in.isRipRelative() && isLea(in) ? Math.max(in.length(), 10) : in.length();
        }
    }

    private static boolean isLea(Instruction in) {
        return in.encoding() == Encoding.LEGACY && in.opcodeMap() == Instruction.MAP_ONE_BYTE && in.opcode() == 0x8D;
    }

    /** Any call: its return address points just after it, into the stolen bytes or the trampoline. */
    private static boolean isCall(Instruction in) {
        if (in.branchKind() == BranchKind.CALL) {
            return true;
        }
        if (!in.isIndirectBranch()) {
            return false;
        }
        int reg = in.modrm() >> 3 & 7;
        return reg == 2 || reg == 3;
    }

    private static boolean isFarIndirect(Instruction in) {
        if (!in.isIndirectBranch()) {
            return false;
        }
        int reg = in.modrm() >> 3 & 7;
        return reg == 3 || reg == 5;
    }

    /** ret, jmp, ud2, int3, hlt: the next instruction is reached only by a branch. */
    private static boolean endsFlow(Instruction in) {
        if (in.isRet() || in.branchKind() == BranchKind.JMP) {
            return true;
        }
        if (in.isIndirectBranch()) {
            int reg = in.modrm() >> 3 & 7;
            return reg == 4 || reg == 5;
        }
        if (in.encoding() != Encoding.LEGACY) {
            return false;
        }
        int op = in.opcode();
        return in.opcodeMap() == Instruction.MAP_ONE_BYTE ? op == 0xCC || op == 0xF4
                : in.opcodeMap() == Instruction.MAP_0F && op == 0x0B;
    }

    // --- decoding helpers and messages

    /** Decodes at {@code at} and returns how far a linear sweep moves on (at least 1). */
    private static int step(byte[] bytes, int at, int end, long functionStart, Instruction in) {
        int len = DECODER.decode(bytes, at, end, functionStart + at, in);
        return in.isValid() ? len : 1;
    }

    private static String branchName(Instruction in) {
        switch (in.branchKind()) {
            case JMP: return "jmp";
            case JCC: return "conditional jump";
            case CALL: return "call";
            case LOOP: return "loop";
            case JRCXZ: return "jrcxz";
            case XBEGIN: return "xbegin";
            default: return "branch";
        }
    }

    private static HookException tooShort(long target, long functionStart, byte[] bytes, int available,
            int minSteal, int lastFlowEnd, int lastFlowEndLength) {
        long functionEnd = functionStart + bytes.length;
        String how = lastFlowEnd < 0 ? ""
                : String.format(" (its code ends with %s at 0x%x)", hex(bytes, lastFlowEnd, lastFlowEndLength),
                        functionStart + lastFlowEnd);
        return new HookException(Reason.PROLOGUE_TOO_SHORT, String.format(
                "cannot hook 0x%x: the function ends at 0x%x%s, so the prologue is %d bytes and a jump needs %d; "
                        + "hook a different address%s",
                target, functionEnd, how, available, minSteal,
                minSteal > CodeWriter.JMP_REL32_SIZE ? " or use a 5-byte jump to a trampoline within ±2 GiB" : ""));
    }

    private static HookException notCode(long target, long address, byte[] bytes, int at, int shown, Instruction in,
            long functionEnd) {
        String why = in.isTruncated()
                ? String.format("are cut by the function's end at 0x%x", functionEnd)
                : "do not decode as an instruction (" + in.invalidReason() + ")";
        return new HookException(Reason.NOT_CODE, String.format(
                "cannot hook 0x%x: the bytes at 0x%x (%s) %s; check that the address and size are code, or hook a "
                        + "different address",
                target, address, hex(bytes, at, shown), why));
    }

    private static String distance(long d) {
        long a = Math.abs(d);
        return a >= 1L << 30 ? String.format("%.1f GiB", a / (double) (1L << 30))
                : String.format("%d MiB", a >> 20);
    }

    /** Bytes as {@code "48 8b 05"}. */
    static String hex(byte[] bytes, int offset, int length) {
        StringBuilder sb = new StringBuilder(length * 3);
        for (int i = 0; i < length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            int b = bytes[offset + i] & 0xFF;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
