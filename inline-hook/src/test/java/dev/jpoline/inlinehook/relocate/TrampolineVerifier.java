package dev.jpoline.inlinehook.relocate;

import dev.jpoline.rewriter.decode.BranchKind;
import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a trampoline against the prologue it came from by decoding both with the rewriter's
 * decoder: the boundary map is well formed, copied instructions are byte-identical, every
 * re-encoded branch and RIP-relative operand reaches the same absolute target as the original
 * (a branch to a stolen instruction reaching its relocated copy), and the jump back goes to
 * {@code target + stolen}. It reports problems instead of throwing, so a corpus run can count them.
 */
final class TrampolineVerifier {
    private static final X86Decoder DECODER = new X86Decoder();

    private final Prologue prologue;
    private final Relocation relocation;
    private final byte[] stolen;
    private final byte[] code;
    private final long target;
    private final long tramp;
    private final BoundaryMap map;
    private final List<String> problems = new ArrayList<>();

    private TrampolineVerifier(Prologue prologue, Relocation relocation) {
        this.prologue = prologue;
        this.relocation = relocation;
        this.stolen = prologue.bytes();
        this.code = relocation.code();
        this.target = prologue.target();
        this.tramp = relocation.trampolineAddress();
        this.map = relocation.boundaries();
    }

    /** The problems found; empty when the trampoline is sound. */
    static List<String> verify(Prologue prologue, Relocation relocation) {
        TrampolineVerifier v = new TrampolineVerifier(prologue, relocation);
        try {
            v.run();
        } catch (RuntimeException e) {
            v.problem("verifier failed: " + e);
        }
        return v.problems;
    }

    private void problem(String what) {
        problems.add(String.format("0x%x -> 0x%x: %s [%s]", target, tramp, what, relocation));
    }

    private void run() {
        int n = prologue.instructionCount();
        if (relocation.target() != target || relocation.stolenLength() != stolen.length) {
            problem("relocation describes another prologue");
        }
        if (code.length > prologue.maxTrampolineSize()) {
            problem("code is " + code.length + " bytes, over the bound " + prologue.maxTrampolineSize());
        }
        checkMap(n);
        if (!problems.isEmpty()) {
            return;
        }
        int call = 0;
        long[] from = map.returnFrom();
        long[] to = map.returnTo();
        if (from.length != prologue.returnOffsets().length || to.length != from.length) {
            problem("return pairs: " + from.length + " vs " + prologue.returnOffsets().length + " calls");
            return;
        }
        int jumpBack = map.jumpBackOffset();
        Instruction o = new Instruction();
        for (int i = 0; i < n; i++) {
            int off = map.originalOffset(i);
            int len = DECODER.decode(stolen, off, stolen.length, target + off, o);
            int rs = map.trampolineOffset(i);
            int re = i + 1 < n ? map.trampolineOffset(i + 1) : jumpBack;
            if (!o.isValid()) {
                problem("stolen instruction " + i + " does not decode");
                continue;
            }
            checkInstruction(i, o, off, len, rs, re);
            if (isCall(o)) {
                if (call >= from.length || from[call] != target + off + len || to[call] != tramp + re) {
                    problem("return pair " + call + " of the call at +" + off + " is wrong");
                }
                call++;
            }
        }
        if (call != from.length) {
            problem(call + " calls but " + from.length + " return pairs");
        }
        long[] back = jumpAt(jumpBack, code.length);
        if (back == null) {
            problem("no jump back at +" + jumpBack);
            return;
        }
        if (back[0] != target + stolen.length) {
            problem(String.format("the jump back goes to 0x%x, not 0x%x", back[0], target + stolen.length));
        }
        int pool = code.length - (int) back[1];
        if (call == 0 ? pool != 0 : pool > 7 + 8 * call) {
            problem(pool + " bytes after the jump back for " + call + " calls");
        }
    }

    private void checkMap(int n) {
        if (map.size() != n) {
            problem("map has " + map.size() + " entries for " + n + " instructions");
            return;
        }
        int lastO = -1;
        int lastT = -1;
        for (int i = 0; i < n; i++) {
            int o = map.originalOffset(i);
            int t = map.trampolineOffset(i);
            if (o != prologue.instructionOffset(i) || o <= lastO || t <= lastT || (i == 0 && (o != 0 || t != 0))) {
                problem("map entry " + i + " (+" + o + " -> +" + t + ") out of order");
            }
            if (map.toTrampoline(target + o) != tramp + t || map.toOriginal(tramp + t) != target + o) {
                problem("map lookups disagree at entry " + i);
            }
            int len = prologue.instructionLength(i);
            if (len > 1 && map.toTrampoline(target + o + 1) != -1) {
                problem("map answers for the middle of instruction " + i);
            }
            lastO = o;
            lastT = t;
        }
        if (n > 0 && map.originalOffset(n - 1) + prologue.instructionLength(n - 1) != stolen.length) {
            problem("instructions do not cover the stolen bytes");
        }
        if (map.jumpBackOffset() <= lastT || map.jumpBackOffset() >= code.length) {
            problem("jump back offset " + map.jumpBackOffset() + " misplaced");
        }
        if (map.toTrampoline(target + stolen.length) != -1 || map.toTrampoline(target - 1) != -1) {
            problem("map answers outside the stolen bytes");
        }
        if (map.toOriginal(tramp + map.jumpBackOffset()) != target + stolen.length) {
            problem("the jump back does not map to target + stolen");
        }
    }

    /** Where a branch to {@code t} must go in the trampoline. */
    private long expected(long t) {
        long off = t - target;
        if (off >= 0 && off < stolen.length) {
            int i = prologue.indexOfOffset((int) off);
            if (i < 0) {
                problem(String.format("a branch targets 0x%x inside a stolen instruction", t));
                return Long.MIN_VALUE;
            }
            return tramp + map.trampolineOffset(i);
        }
        return t;
    }

    private void checkInstruction(int i, Instruction o, int off, int len, int rs, int re) {
        String where = "instruction " + i + " at +" + off + " (" + Relocator.hex(stolen, off, len) + ")";
        Instruction r = new Instruction();
        if (o.isRelativeBranch()) {
            long want = expected(o.branchTarget());
            switch (o.branchKind()) {
                case JMP: {
                    long[] j = jumpAt(rs, re);
                    if (j == null || j[0] != want || j[1] != re) {
                        problem(where + ": relocated jmp does not reach " + Long.toHexString(want));
                    }
                    return;
                }
                case JCC: {
                    int cc = o.opcode() & 0xF;
                    decode(rs, re, r);
                    if (r.isValid() && r.branchKind() == BranchKind.JCC && r.opcodeMap() == Instruction.MAP_0F
                            && (r.opcode() & 0xF) == cc && r.length() == re - rs) {
                        if (r.branchTarget() != want) {
                            problem(where + ": jcc rel32 goes to " + Long.toHexString(r.branchTarget()));
                        }
                        return;
                    }
                    // inverted short jcc over an absolute jump
                    if (!r.isValid() || r.branchKind() != BranchKind.JCC || (r.opcode() & 0xF) != (cc ^ 1)
                            || r.branchTarget() != tramp + re) {
                        problem(where + ": neither jcc rel32 nor an inverted jcc over the region");
                        return;
                    }
                    long[] j = jumpAt(rs + r.length(), re);
                    if (j == null || j[0] != want || j[1] != re) {
                        problem(where + ": the far jcc's jump does not reach " + Long.toHexString(want));
                    }
                    return;
                }
                case CALL: {
                    decode(rs, re, r);
                    if (!r.isValid() || r.length() != re - rs) {
                        problem(where + ": relocated call is not one instruction ending the region");
                        return;
                    }
                    long reached;
                    if (r.branchKind() == BranchKind.CALL) {
                        reached = r.branchTarget();
                    } else if (r.isIndirectBranch() && r.isRipRelative() && (r.modrm() >> 3 & 7) == 2) {
                        int lit = (int) (r.ripTarget() - tramp);
                        if (lit < map.jumpBackOffset() || lit + 8 > code.length) {
                            problem(where + ": absolute call's literal outside the pool");
                            return;
                        }
                        reached = readLong(code, lit);
                    } else {
                        problem(where + ": relocated call is neither call rel32 nor call [rip]");
                        return;
                    }
                    if (reached != want) {
                        problem(where + ": relocated call reaches " + Long.toHexString(reached));
                    }
                    return;
                }
                case LOOP:
                case JRCXZ: {
                    decode(rs, re, r);
                    if (!r.isValid() || r.branchKind() != o.branchKind() || r.relOffset() != o.relOffset()
                            || !Arrays.equals(code, rs, rs + r.relOffset(), stolen, off, off + o.relOffset())) {
                        problem(where + ": the loop/jrcxz is not copied with its prefixes");
                        return;
                    }
                    int taken = (int) (r.branchTarget() - tramp);
                    Instruction s = new Instruction();
                    decode(rs + r.length(), re, s);
                    if (!s.isValid() || s.branchKind() != BranchKind.JMP || s.branchTarget() != tramp + re
                            || taken != rs + r.length() + s.length()) {
                        problem(where + ": the loop/jrcxz's skip jump is wrong");
                        return;
                    }
                    long[] j = jumpAt(taken, re);
                    if (j == null || j[0] != want || j[1] != re) {
                        problem(where + ": the loop/jrcxz's taken jump does not reach " + Long.toHexString(want));
                    }
                    return;
                }
                case XBEGIN: {
                    decode(rs, re, r);
                    if (!r.isValid() || r.branchKind() != BranchKind.XBEGIN
                            || !Arrays.equals(code, rs, rs + r.relOffset(), stolen, off, off + o.relOffset())) {
                        problem(where + ": xbegin not copied");
                        return;
                    }
                    if (r.length() == re - rs) {
                        if (r.branchTarget() != want) {
                            problem(where + ": xbegin aborts to " + Long.toHexString(r.branchTarget()));
                        }
                        return;
                    }
                    Instruction s = new Instruction();
                    decode(rs + r.length(), re, s);
                    long[] j = jumpAt((int) (r.branchTarget() - tramp), re);
                    if (!s.isValid() || s.branchTarget() != tramp + re || j == null || j[0] != want || j[1] != re) {
                        problem(where + ": far xbegin's abort path does not reach " + Long.toHexString(want));
                    }
                    return;
                }
                default:
                    problem(where + ": unknown branch kind");
                    return;
            }
        }
        if (o.isRipRelative()) {
            decode(rs, re, r);
            if (!r.isValid() || r.length() != re - rs) {
                problem(where + ": relocated RIP-relative instruction is not one instruction");
                return;
            }
            if (r.isRipRelative() && r.length() == len) {
                int d = o.dispOffset();
                boolean same = r.dispOffset() == d && Arrays.equals(code, rs, rs + d, stolen, off, off + d)
                        && Arrays.equals(code, rs + d + 4, rs + len, stolen, off + d + 4, off + len);
                if (!same || r.ripTarget() != o.ripTarget()) {
                    problem(where + String.format(": re-displaced operand reaches 0x%x, not 0x%x (or other bytes changed)",
                            r.ripTarget(), o.ripTarget()));
                }
                return;
            }
            // lea out of reach: mov reg, imm of the same size and register
            boolean lea = o.opcodeMap() == 0 && o.opcode() == 0x8D;
            int oreg = (o.modrm() >> 3 & 7) | (o.rex() & 4) << 1;
            boolean mov = r.opcodeMap() == 0 && (r.opcode() & 0xF8) == 0xB8;
            int rreg = (r.opcode() & 7) | (r.rex() & 1) << 3;
            int size = o.operandSize();
            long mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
            if (!lea || !mov || rreg != oreg || r.operandSize() != size
                    || (r.immediate() & mask) != (o.ripTarget() & mask)) {
                problem(where + ": out-of-reach RIP-relative operand not replaced by the right mov");
            }
            return;
        }
        if (re - rs != len || !Arrays.equals(code, rs, re, stolen, off, off + len)) {
            problem(where + ": position-independent instruction not copied byte for byte");
        }
    }

    private void decode(int at, int limit, Instruction into) {
        DECODER.decode(code, at, Math.max(at, limit), tramp + at, into);
    }

    /** Target and end offset of the jump at {@code at} ({@code E9} or {@code FF 25 0}), or null. */
    private long[] jumpAt(int at, int limit) {
        if (at < 0 || at >= limit) {
            return null;
        }
        Instruction j = new Instruction();
        DECODER.decode(code, at, limit, tramp + at, j);
        if (!j.isValid()) {
            return null;
        }
        if (j.branchKind() == BranchKind.JMP) {
            return new long[] {j.branchTarget(), at + j.length()};
        }
        if (j.isIndirectBranch() && j.isRipRelative() && (j.modrm() >> 3 & 7) == 4 && j.displacement() == 0
                && at + j.length() + 8 <= limit) {
            return new long[] {readLong(code, at + j.length()), at + j.length() + 8};
        }
        return null;
    }

    static boolean isCall(Instruction in) {
        return in.branchKind() == BranchKind.CALL
                || in.isIndirectBranch() && ((in.modrm() >> 3 & 7) == 2 || (in.modrm() >> 3 & 7) == 3);
    }

    static long readLong(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }
}
