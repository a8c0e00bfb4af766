package dev.jpoline.rewriter.decode;

/** The kind of a relative (IP-displacement) branch; {@link #NONE} for everything else. */
public enum BranchKind {
    NONE,
    /** {@code jmp rel8/rel16/rel32} (EB, E9). */
    JMP,
    /** Conditional jumps: {@code 70-7F rel8}, {@code 0F 80-8F rel32/rel16}. */
    JCC,
    /** {@code call rel32/rel16} (E8). */
    CALL,
    /** {@code loop}, {@code loope}, {@code loopne} (E0-E2). */
    LOOP,
    /** {@code jrcxz} / {@code jecxz} (E3). */
    JRCXZ,
    /** {@code xbegin rel32/rel16} (C7 F8): the abort path is a relative target. */
    XBEGIN
}
