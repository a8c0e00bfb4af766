package dev.jpoline.rewriter.scan;

import dev.jpoline.rewriter.decode.Instruction;
import dev.jpoline.rewriter.decode.X86Decoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Linear sweep of an executable range that finds the syscall sites to rewrite.
 *
 * <p>The sweep decodes instruction after instruction from the start of the range with
 * {@link X86Decoder}; an invalid decode skips one byte. Every {@code syscall} (0F 05) and
 * {@code sysenter} (0F 34) instruction start is a site, unless it is suspicious:
 *
 * <ul>
 *   <li>it starts inside one of the ELF's data ranges (bytes there are not code, so the "site" is
 *       an accident of the data's values), or
 *   <li>it is one of the {@value #SUSPICIOUS_WINDOW} instructions that follow an invalid decode
 *       (an invalid decode means the sweep is either in data or misaligned; x86 linear sweeps
 *       resynchronise with the real instruction stream within a few instructions, so a site that
 *       soon after is as likely to be the middle of some other instruction as a real syscall, and
 *       rewriting a byte that is not an instruction start corrupts the program).
 * </ul>
 *
 * <p>An instruction that starts inside a data range and runs past its end is cut there: the range
 * end is a known instruction boundary, so the sweep resumes exactly at it.
 */
public final class SiteScanner {
    /** How many instructions after an invalid decode a site stays suspicious. */
    public static final int SUSPICIOUS_WINDOW = 8;

    private final X86Decoder decoder = new X86Decoder();

    /**
     * Sweeps {@code code[offset, offset + length)}, whose first byte is mapped at {@code address}.
     *
     * @param dataRanges sorted, non-overlapping {@code [start, end)} virtual-address pairs, flattened
     *     ({@code start0, end0, start1, end1, ...}), that the ELF marks as data inside this range
     */
    public ScanResult scan(byte[] code, int offset, int length, long address, long[] dataRanges) {
        if (code == null) {
            throw new IllegalArgumentException("code is null");
        }
        if (offset < 0 || length < 0 || offset > code.length - length) {
            throw new IllegalArgumentException("range [" + offset + ", " + offset + "+" + length
                    + ") is outside the " + code.length + "-byte buffer");
        }
        long[] ranges = dataRanges == null ? new long[0] : dataRanges;
        if ((ranges.length & 1) != 0) {
            throw new IllegalArgumentException("dataRanges must hold [start, end) pairs, got " + ranges.length
                    + " values");
        }
        Instruction insn = new Instruction();
        IntList sites = new IntList();
        IntList sysenters = new IntList();
        List<SuspiciousSite> suspicious = new ArrayList<>();
        long instructions = 0;
        long invalidBytes = 0;
        int instructionsSinceInvalid = Integer.MAX_VALUE;
        long lastInvalidAddress = 0;
        int rangeIndex = 0; // first data range whose end is above the current address
        final int end = offset + length;
        int pos = offset;
        while (pos < end) {
            long va = address + (pos - offset);
            while (rangeIndex < ranges.length && ranges[rangeIndex + 1] <= va) {
                rangeIndex += 2;
            }
            boolean inData = rangeIndex < ranges.length && ranges[rangeIndex] <= va;
            // length, validity and syscall/sysenter only: the common forms are decoded without
            // filling an Instruction (X86Decoder.scanStep gives exactly what decode() would)
            int kind = decoder.scanStep(code, pos, end, va, insn);
            int step = kind & X86Decoder.STEP_LENGTH_MASK;
            if ((kind & X86Decoder.STEP_VALID) != 0) {
                instructions++;
                if ((kind & (X86Decoder.STEP_SYSCALL | X86Decoder.STEP_SYSENTER)) != 0) {
                    int rel = pos - offset;
                    if (inData) {
                        suspicious.add(new SuspiciousSite(rel, "inside data range [0x"
                                + Long.toHexString(ranges[rangeIndex]) + ", 0x"
                                + Long.toHexString(ranges[rangeIndex + 1]) + ")"));
                    } else if (instructionsSinceInvalid < SUSPICIOUS_WINDOW) {
                        suspicious.add(new SuspiciousSite(rel, "within " + SUSPICIOUS_WINDOW
                                + " instructions after an invalid decode at 0x" + Long.toHexString(lastInvalidAddress)));
                    } else {
                        sites.add(rel);
                        if ((kind & X86Decoder.STEP_SYSENTER) != 0) {
                            sysenters.add(rel);
                        }
                    }
                }
                if (instructionsSinceInvalid != Integer.MAX_VALUE) {
                    instructionsSinceInvalid++;
                }
            } else {
                invalidBytes += step;
                instructionsSinceInvalid = 0;
                lastInvalidAddress = va;
            }
            if (inData && va + step > ranges[rangeIndex + 1]) {
                step = (int) (ranges[rangeIndex + 1] - va); // resume exactly at the data range's end
                instructionsSinceInvalid = Integer.MAX_VALUE;
            }
            pos += Math.max(step, 1);
        }
        return new ScanResult(sites.toArray(), sysenters.toArray(), List.copyOf(suspicious), instructions,
                invalidBytes);
    }

    /** Minimal growable int array: the sweep must not box an Integer per site. */
    private static final class IntList {
        private int[] values = new int[16];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
