package dev.jpoline.rewriter.scan;

import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Finds, for each syscall site, a hop: five bytes of padding that no execution can reach, close
 * enough to the site for a two-byte {@code jmp rel8}. Under Syscall User Dispatch the host
 * replaces the site's {@code syscall} (0F 05) with {@code EB d} to the hop and writes a
 * {@code jmp rel32} to the site's trampoline into the hop (docs/sud.md, "Jump-patched sites"), so
 * the site costs a call instead of a SIGSYS.
 *
 * <p>Why two bytes and a hop, not a five-byte jump over the site and its neighbours: the bytes
 * after the site stay as they are, so no thread can ever be inside a patched range. A thread
 * returning from the entry lands on {@code site + 2} as before; a syscall the kernel restarts
 * rewinds to the site and runs the new jump, which enters the same entry. Nothing is relocated
 * and no freeze is needed: the two-byte swap is one instruction for another.
 *
 * <p>What makes the padding unreachable, each checked on a full linear sweep of the segment:
 *
 * <ul>
 *   <li>it is a run of {@code nop} forms and {@code int3} right after an instruction that never
 *       falls through ({@code ret}, {@code jmp}, {@code ud2}, {@code hlt});
 *   <li>no direct branch in the segment targets it before the hop's end (a label placed before
 *       alignment padding would), and no function starts there: a function reached through the
 *       PLT, a pointer or an export is no direct branch of the segment, and some builds begin
 *       functions with nops (-fpatchable-function-entry, XRay sleds);
 *   <li>it is outside the ELF's data ranges and not within {@link SiteScanner#SUSPICIOUS_WINDOW}
 *       instructions of an invalid decode, where the sweep may be misaligned.
 * </ul>
 *
 * Each hop takes five bytes of its gap for itself; several sites may share one gap.
 */
public final class HopFinder {
    /** A hop holds {@code jmp rel32} (E9 + 4 bytes). */
    public static final int HOP_SIZE = 5;
    /** {@code jmp rel8} at the site: its target is site + 2 + d, d in [-128, 127]. */
    private static final int SITE_JUMP_LENGTH = 2;

    private final X86Decoder decoder = new X86Decoder();

    /**
     * The hop of each site, as offsets into {@code code} (-1: none), for the segment bytes
     * {@code code[0, code.length)} mapped at {@code address}.
     *
     * @param sites ascending offsets of the {@code syscall} instructions to find hops for
     * @param dataRanges as for {@link SiteScanner#scan}
     * @param functionStarts addresses where functions start (ELF symbols): no hop reaches one
     */
    public int[] find(byte[] code, long address, long[] dataRanges, int[] sites, long[] functionStarts) {
        Sweep sweep = sweep(code, address, dataRanges == null ? new long[0] : dataRanges,
                functionStarts == null ? new long[0] : functionStarts);
        int[] hops = new int[sites.length];
        Arrays.fill(hops, -1);
        int[] used = sweep.gapStarts.clone(); // per gap: where the next hop may start
        for (int i = 0; i < sites.length; i++) {
            int s = sites[i];
            int lo = s + SITE_JUMP_LENGTH - 128;
            int hi = s + SITE_JUMP_LENGTH + 127;
            int best = -1;
            int bestGap = -1;
            // gaps are ascending and disjoint: start at the last one that begins before the window
            int g = Math.max(0, lowerBound(sweep.gapStarts, sweep.gapCount, lo) - 1);
            for (; g < sweep.gapCount && sweep.gapStarts[g] <= hi; g++) {
                int h = Math.max(used[g], lo);
                if (h > hi || h + HOP_SIZE > sweep.gapEnds[g]) {
                    continue;
                }
                if (best < 0 || Math.abs(h - s) < Math.abs(best - s)) {
                    best = h;
                    bestGap = g;
                }
            }
            if (best >= 0) {
                hops[i] = best;
                used[bestGap] = best + HOP_SIZE;
            }
        }
        return hops;
    }

    /** The usable gaps of a segment: [start, end) offsets, ascending, each cut before its first branch target. */
    private static final class Sweep {
        int[] gapStarts = new int[64];
        int[] gapEnds = new int[64];
        int gapCount;

        void add(int start, int end) {
            if (end - start < HOP_SIZE) {
                return;
            }
            if (gapCount == gapStarts.length) {
                gapStarts = Arrays.copyOf(gapStarts, gapCount * 2);
                gapEnds = Arrays.copyOf(gapEnds, gapCount * 2);
            }
            gapStarts[gapCount] = start;
            gapEnds[gapCount] = end;
            gapCount++;
        }
    }

    private Sweep sweep(byte[] code, long address, long[] ranges, long[] functionStarts) {
        Instruction insn = new Instruction();
        BitSet targets = new BitSet(code.length);
        for (long f : functionStarts) {
            if (f - address >= 0 && f - address < code.length) {
                targets.set((int) (f - address)); // entered from elsewhere: as good as a branch target
            }
        }
        int[] rawStarts = new int[256];
        int[] rawEnds = new int[256];
        int raw = 0;
        int gapStart = -1; // start of the padding run being read, -1 when not in one
        boolean afterTerminator = false;
        int sinceInvalid = Integer.MAX_VALUE;
        int rangeIndex = 0;
        int pos = 0;
        while (pos < code.length) {
            long va = address + pos;
            while (rangeIndex < ranges.length && ranges[rangeIndex + 1] <= va) {
                rangeIndex += 2;
            }
            boolean inData = rangeIndex < ranges.length && ranges[rangeIndex] <= va;
            int n = decoder.decode(code, pos, code.length, va, insn);
            boolean valid = insn.isValid() && !inData && n > 0;
            if (!valid) {
                sinceInvalid = 0;
                gapStart = -1;
                afterTerminator = false;
                int step = Math.max(n, 1);
                if (inData) {
                    step = (int) Math.min(step, ranges[rangeIndex + 1] - va);
                }
                pos += Math.max(step, 1);
                continue;
            }
            if (insn.isRelativeBranch()) {
                long t = insn.branchTarget() - address;
                if (t >= 0 && t < code.length) {
                    targets.set((int) t);
                }
            }
            boolean trusted = sinceInvalid >= SiteScanner.SUSPICIOUS_WINDOW;
            if (isPadding(insn)) {
                if (gapStart < 0 && afterTerminator && trusted) {
                    gapStart = pos;
                }
            } else {
                if (gapStart >= 0) {
                    if (raw == rawStarts.length) {
                        rawStarts = Arrays.copyOf(rawStarts, raw * 2);
                        rawEnds = Arrays.copyOf(rawEnds, raw * 2);
                    }
                    rawStarts[raw] = gapStart;
                    rawEnds[raw] = pos;
                    raw++;
                }
                gapStart = -1;
                afterTerminator = neverFallsThrough(insn);
            }
            if (sinceInvalid != Integer.MAX_VALUE) {
                sinceInvalid++;
            }
            pos += n;
        }
        // A run at the very end of the segment has no following instruction to prove it ends
        // there (the next segment may start with code), so it is left out.
        Sweep sweep = new Sweep();
        for (int i = 0; i < raw; i++) {
            int firstTarget = targets.nextSetBit(rawStarts[i]);
            int end = firstTarget >= 0 && firstTarget < rawEnds[i] ? firstTarget : rawEnds[i];
            sweep.add(rawStarts[i], end);
        }
        return sweep;
    }

    /** {@code nop} (90 without REX.B, which makes it xchg with r8), {@code nop r/m} (0F 1F /0) and {@code int3}. */
    static boolean isPadding(Instruction insn) {
        int map = insn.opcodeMap();
        int op = insn.opcode();
        if (map == Instruction.MAP_ONE_BYTE) {
            if (op == 0xCC) {
                return insn.prefixes() == 0 && insn.rex() == 0;
            }
            return op == 0x90 && (insn.rex() & 1) == 0 && (insn.prefixes() & (Instruction.PREFIX_REP
                    | Instruction.PREFIX_REPNE | Instruction.PREFIX_LOCK)) == 0;
        }
        return map == Instruction.MAP_0F && op == 0x1F && insn.hasModrm() && ((insn.modrm() >> 3) & 7) == 0
                && (insn.prefixes() & Instruction.PREFIX_LOCK) == 0;
    }

    /** ret, jmp (direct or indirect), ud2 and hlt: the next byte is never reached by falling through. */
    static boolean neverFallsThrough(Instruction insn) {
        if (insn.isRet() || insn.branchKind() == dev.jpoline.rewriter.decode.BranchKind.JMP) {
            return true;
        }
        int map = insn.opcodeMap();
        int op = insn.opcode();
        if (map == Instruction.MAP_ONE_BYTE) {
            if (op == 0xF4) {
                return true;
            }
            if (op == 0xFF && insn.hasModrm()) {
                int reg = (insn.modrm() >> 3) & 7;
                return reg == 4 || reg == 5;
            }
            return false;
        }
        return map == Instruction.MAP_0F && op == 0x0B;
    }

    private static int lowerBound(int[] sorted, int size, int value) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
