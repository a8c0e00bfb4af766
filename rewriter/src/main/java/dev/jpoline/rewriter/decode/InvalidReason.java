package dev.jpoline.rewriter.decode;

/** Why a decode failed; {@link #NONE} for a valid instruction. */
public enum InvalidReason {
    NONE,
    /** The bytes ran into the decode limit before the instruction was complete. */
    TRUNCATED,
    /** The instruction would be longer than the architectural 15-byte limit. */
    TOO_LONG,
    /** Opcode (or opcode + mandatory prefix / ModRM form) undefined or invalid in 64-bit mode. */
    UNDEFINED,
    /** A prefix that makes the encoding invalid, e.g. 66/F2/F3/REX/LOCK before VEX, EVEX or XOP. */
    BAD_PREFIX
}
