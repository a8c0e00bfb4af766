package dev.jpoline.rewriter.decode;

/**
 * Result of decoding one x86-64 instruction. Mutable and meant to be reused: {@link X86Decoder}
 * overwrites every field on each call, so a sweep allocates nothing per instruction.
 *
 * <p>Offsets ({@link #relOffset()}, {@link #dispOffset()}, {@link #immOffset()}, ...) are relative
 * to the first byte of the instruction (its first prefix).
 */
public final class Instruction {
    /** Legacy prefix bits, see {@link #prefixes()}. */
    public static final int PREFIX_LOCK = 1;
    public static final int PREFIX_REPNE = 1 << 1; // F2
    public static final int PREFIX_REP = 1 << 2; // F3
    public static final int PREFIX_OPERAND_SIZE = 1 << 3; // 66
    public static final int PREFIX_ADDRESS_SIZE = 1 << 4; // 67
    public static final int PREFIX_SEGMENT = 1 << 5; // any of 26 2E 36 3E 64 65

    /** Opcode maps as returned by {@link #opcodeMap()}. VEX/EVEX use the same numbers (1-3, 5, 6). */
    public static final int MAP_ONE_BYTE = 0;
    public static final int MAP_0F = 1;
    public static final int MAP_0F38 = 2;
    public static final int MAP_0F3A = 3;
    /** XOP maps are reported as 8, 9, 10 as encoded. 3DNow! reports {@link #MAP_0F} with opcode 0x0F. */
    public static final int MAP_XOP8 = 8;

    private static final InvalidReason[] INVALID_REASONS = InvalidReason.values();
    private static final Encoding[] ENCODINGS = Encoding.values();
    private static final BranchKind[] BRANCH_KINDS = BranchKind.values();

    // Enums are kept as ordinals: reference stores carry GC write barriers, and reset() runs for
    // every decoded instruction.
    static final int B_VALID = 1;
    static final int B_SYSCALL = 1 << 1;
    static final int B_SYSENTER = 1 << 2;
    static final int B_RIP_RELATIVE = 1 << 3;
    static final int B_RSP_RELATIVE = 1 << 4;
    static final int B_RET = 1 << 5;
    static final int B_INDIRECT_BRANCH = 1 << 6;
    static final int B_VEX_W = 1 << 7;

    long address;
    int length;
    /** Boolean properties as {@code B_*} bits: one store to clear them all per instruction. */
    int bits;
    int invalidReason;
    int encoding;
    int prefixes;
    int segment; // last segment prefix byte, 0 if none
    int rex; // 0x40-0x4F if an effective REX is present, else 0
    int opcodeMap;
    int opcode;
    int opcodeOffset;
    int mandatoryPrefix;
    int modrm = -1;
    int sib = -1;
    int operandSize; // 2, 4 or 8 (for vector instructions: the GPR size the legacy rules give)
    int addressSize; // 4 or 8
    int vectorLength; // 128/256/512 for VEX/EVEX/XOP, 0 otherwise
    int dispOffset;
    int dispSize;
    long displacement;
    int immOffset;
    int immSize;
    long immediate;
    int branchKind;
    int relOffset;
    int relSize;
    long branchTarget;
    long ripTarget;
    int memoryOperandSize;

    /** Virtual address of the first byte. */
    public long address() { return address; }

    /** Length in bytes; for an invalid decode, how many bytes to skip (at least 1 unless the input was empty). */
    public int length() { return length; }

    public boolean isValid() { return (bits & B_VALID) != 0; }

    /** The instruction was cut by the decode limit (always invalid). */
    public boolean isTruncated() { return invalidReason == InvalidReason.TRUNCATED.ordinal(); }

    public InvalidReason invalidReason() { return INVALID_REASONS[invalidReason]; }

    public Encoding encoding() { return ENCODINGS[encoding]; }

    /** {@code syscall} (0F 05). */
    public boolean isSyscall() { return (bits & B_SYSCALL) != 0; }

    /** {@code sysenter} (0F 34). */
    public boolean isSysenter() { return (bits & B_SYSENTER) != 0; }

    public BranchKind branchKind() { return BRANCH_KINDS[branchKind]; }

    /** A branch whose target is encoded as a displacement from the end of the instruction. */
    public boolean isRelativeBranch() { return branchKind != 0; }

    /** Absolute target of a relative branch (meaningless unless {@link #isRelativeBranch()}). */
    public long branchTarget() { return branchTarget; }

    /** Offset of the rel8/rel16/rel32 field within the instruction. */
    public int relOffset() { return relOffset; }

    /** Size of the rel field: 1, 2 or 4. */
    public int relSize() { return relSize; }

    /** Memory operand addressed relative to RIP (ModRM mod=00 rm=101 without SIB). */
    public boolean isRipRelative() { return (bits & B_RIP_RELATIVE) != 0; }

    /**
     * Absolute address of the RIP-relative operand: end of instruction plus displacement (for EVEX
     * the disp8*N-scaled value). With a 67 prefix the sum is truncated to 32 bits, as EIP-relative.
     */
    public long ripTarget() { return ripTarget; }

    /** Offset of the displacement field within the instruction, 0 if there is none. */
    public int dispOffset() { return dispOffset; }

    /** Size of the displacement field in bytes (0, 1, 2 or 4). */
    public int dispSize() { return dispSize; }

    /** Sign-extended displacement value; for EVEX disp8 already multiplied by N (disp8*N compression). */
    public long displacement() { return displacement; }

    /** Bytes accessed by the memory operand when the decoder knows it, else 0. */
    public int memoryOperandSize() { return memoryOperandSize; }

    /** Memory operand whose base register is RSP (SIB base=100, REX.B=0, 64-bit addressing). */
    public boolean isRspRelative() { return (bits & B_RSP_RELATIVE) != 0; }

    /** Displacement from RSP of an {@link #isRspRelative()} operand (0 for other instructions). */
    public long rspDisplacement() { return isRspRelative() ? displacement : 0; }

    /** Bit set of {@code PREFIX_*} legacy prefixes seen (including ones cancelled or ignored). */
    public int prefixes() { return prefixes; }

    /** The last segment-override byte (26 2E 36 3E 64 65) or 0. */
    public int segmentPrefix() { return segment; }

    /** The effective REX byte (40-4F) or 0; a REX followed by a legacy prefix is not effective. */
    public int rex() { return rex; }

    /** Opcode map, see {@code MAP_*}; for VEX/EVEX/XOP the map the escape selects. */
    public int opcodeMap() { return opcodeMap; }

    /** The opcode byte within its map (for 3DNow!, 0x0F; the operation is {@link #immediate()}). */
    public int opcode() { return opcode; }

    /** Offset of the opcode byte within the instruction. */
    public int opcodeOffset() { return opcodeOffset; }

    /**
     * The mandatory prefix that selected this form: 0 none, 1 = 66, 2 = F3, 3 = F2. For VEX, EVEX
     * and XOP it is the encoded pp field; for legacy SSE maps the prefix the decoder picked.
     */
    public int mandatoryPrefix() { return mandatoryPrefix; }

    public boolean hasModrm() { return modrm >= 0; }

    /** ModRM byte or -1. */
    public int modrm() { return modrm; }

    /** SIB byte or -1. */
    public int sib() { return sib; }

    /** Effective operand size in bytes for general-purpose operands: 2, 4 or 8. */
    public int operandSize() { return operandSize; }

    /** Effective address size in bytes: 4 (67 prefix) or 8. */
    public int addressSize() { return addressSize; }

    /** Vector length in bits for VEX/EVEX/XOP instructions (128, 256, 512), else 0. */
    public int vectorLength() { return vectorLength; }

    /** VEX/EVEX/XOP W bit. */
    public boolean vexW() { return (bits & B_VEX_W) != 0; }

    /** Offset of the (first) immediate within the instruction, 0 if none. */
    public int immOffset() { return immOffset; }

    /** Total size of immediate bytes (ENTER: 3, EXTRQ/INSERTQ: 2); relative-branch fields are not immediates. */
    public int immSize() { return immSize; }

    /** Immediate value, sign-extended from its size (for ENTER: the whole 3-byte little-endian value). */
    public long immediate() { return immediate; }

    /** {@code ret}, {@code ret imm16}, far returns and {@code iret}. */
    public boolean isRet() { return (bits & B_RET) != 0; }

    /** {@code call/jmp} through a register or memory (FF /2 /3 /4 /5). */
    public boolean isIndirectBranch() { return (bits & B_INDIRECT_BRANCH) != 0; }

    @Override
    public String toString() {
        if (!isValid()) {
            return String.format("%x: invalid(%s) skip %d", address, invalidReason(), length);
        }
        return String.format("%x: %s map %d op %02x len %d%s%s", address, encoding(), opcodeMap, opcode, length,
                branchKind == 0 ? "" : " " + branchKind() + " -> " + Long.toHexString(branchTarget),
                isRipRelative() ? " [rip -> " + Long.toHexString(ripTarget) + "]" : "");
    }

    /**
     * Clears what a decode may leave unwritten; this is the per-instruction cost floor, so it only
     * stores primitives (a reference store would carry a GC write barrier) and the booleans share
     * one int. Fields every decode path writes before returning (prefixes, REX, operand and
     * address size, opcode map/byte/offset) are set in {@link X86Decoder} instead.
     */
    void reset(long address) {
        this.address = address;
        bits = 0;
        invalidReason = 0;
        encoding = 0;
        prefixes = 0;
        segment = 0;
        rex = 0;
        opcodeMap = 0;
        opcode = 0;
        opcodeOffset = 0;
        mandatoryPrefix = 0;
        modrm = -1;
        sib = -1;
        operandSize = 4;
        addressSize = 8;
        vectorLength = 0;
        dispOffset = 0;
        dispSize = 0;
        displacement = 0;
        immOffset = 0;
        immSize = 0;
        immediate = 0;
        branchKind = 0;
        relOffset = 0;
        relSize = 0;
        branchTarget = 0;
        ripTarget = 0;
        memoryOperandSize = 0;
    }
}
