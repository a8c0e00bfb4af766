package dev.jpoline.rewriter.decode;

/** Which opcode-escape scheme an instruction uses. */
public enum Encoding {
    /** Legacy/REX encodings: one-byte map, 0F, 0F 38, 0F 3A. */
    LEGACY,
    /** AMD 3DNow!: {@code 0F 0F modrm [sib] [disp] imm8}, the trailing byte selects the operation. */
    THREE_DNOW,
    /** Two- or three-byte VEX (C5 / C4). */
    VEX,
    /** Four-byte EVEX (62). */
    EVEX,
    /** AMD XOP (8F with map select 8-10). */
    XOP
}
