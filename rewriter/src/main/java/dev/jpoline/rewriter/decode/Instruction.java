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

    // Enums are kept as ordinals: reference stores carry GC write barriers, and a decode writes
    // every field for every instruction.
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
    /**
     * The small fields packed into two longs, so a decode writes each of them with one store
     * (see the {@code M_*} and {@code N_*} positions): prefixes, segment, REX, opcode map, opcode,
     * opcode offset, mandatory prefix, ModRM + 1, SIB + 1, operand and address size, encoding in
     * {@link #meta}; vector length, displacement offset and size, the offset and size of the
     * immediate or rel field, branch kind, memory operand size and invalid reason in {@link #meta2}.
     */
    long meta = META_RESET;
    long meta2;
    long displacement;
    /** The immediate, or for a relative branch the rel value; targets are derived from it on demand. */
    long value;
    /**
     * Nonzero after the decoder's fast path: {@link #meta} and {@link #meta2} are stale and are
     * computed from these raw fields (66, REX, map, opcode, opcode offset, ModRM, SIB) when first
     * asked for, so a sweep that only needs lengths does not pay for them.
     */
    long fast;

    static final int M_PREFIXES = 0; // 6 bits
    static final int M_SEGMENT = 6; // 8
    static final int M_REX = 14; // 8
    static final int M_MAP = 22; // 4
    static final int M_OPCODE = 26; // 8
    static final int M_OPCODE_OFFSET = 34; // 4
    static final int M_MANDATORY = 38; // 2
    static final int M_MODRM = 40; // 9: ModRM + 1, 0 = none
    static final int M_SIB = 49; // 9: SIB + 1, 0 = none
    static final int M_OPERAND_SIZE = 58; // 2: 2 << code bytes
    static final int M_ADDRESS_SIZE = 60; // 1: 4 << code bytes
    static final int M_ENCODING = 61; // 3
    /** meta after reset(): no ModRM, no SIB, operand size 4, address size 8. */
    static final long META_RESET = 1L << M_OPERAND_SIZE | 1L << M_ADDRESS_SIZE;

    static final int N_VECTOR_LENGTH = 0; // 3: 0 none, else 64 << code bits
    static final int N_DISP_OFFSET = 3; // 4
    static final int N_DISP_SIZE = 7; // 3
    static final int N_FIELD_OFFSET = 10; // 4: immediate or rel field offset
    static final int N_FIELD_SIZE = 14; // 4
    static final int N_BRANCH = 18; // 3
    static final int N_MEMORY_SIZE = 21; // 8
    static final int N_INVALID = 29; // 3

    /** The packed words, computed first if the fast path left them pending. */
    long meta() {
        if (fast != 0) {
            X86Decoder.materialize(this);
        }
        return meta;
    }

    long meta2() {
        if (fast != 0) {
            X86Decoder.materialize(this);
        }
        return meta2;
    }

    private static int get(long word, int shift, int width) {
        return (int) (word >>> shift) & ((1 << width) - 1);
    }

    private static long put(long word, int shift, int width, int value) {
        long mask = ((1L << width) - 1) << shift;
        return word & ~mask | ((long) value << shift) & mask;
    }

    void setPrefixes(int v) { meta = put(meta, M_PREFIXES, 6, v); }
    void setSegment(int v) { meta = put(meta, M_SEGMENT, 8, v); }
    void setRex(int v) { meta = put(meta, M_REX, 8, v); }
    void setOpcodeMap(int v) { meta = put(meta, M_MAP, 4, v); }
    void setOpcode(int v) { meta = put(meta, M_OPCODE, 8, v); }
    void setOpcodeOffset(int v) { meta = put(meta, M_OPCODE_OFFSET, 4, v); }
    void setMandatoryPrefix(int v) { meta = put(meta, M_MANDATORY, 2, v); }
    void setModrm(int v) { meta = put(meta, M_MODRM, 9, v + 1); }
    void setSib(int v) { meta = put(meta, M_SIB, 9, v + 1); }
    void setOperandSize(int v) { meta = put(meta, M_OPERAND_SIZE, 2, v == 8 ? 2 : v == 4 ? 1 : 0); }
    void setAddressSize(int v) { meta = put(meta, M_ADDRESS_SIZE, 1, v == 8 ? 1 : 0); }
    void setEncoding(int v) { meta = put(meta, M_ENCODING, 3, v); }
    void setVectorLength(int v) { meta2 = put(meta2, N_VECTOR_LENGTH, 3, v == 0 ? 0 : Integer.numberOfTrailingZeros(v) - 6); }
    void setDisp(int offset, int size) { meta2 = put(put(meta2, N_DISP_OFFSET, 4, offset), N_DISP_SIZE, 3, size); }
    void setField(int offset, int size) { meta2 = put(put(meta2, N_FIELD_OFFSET, 4, offset), N_FIELD_SIZE, 4, size); }
    void setBranchKind(int v) { meta2 = put(meta2, N_BRANCH, 3, v); }
    void setMemoryOperandSize(int v) { meta2 = put(meta2, N_MEMORY_SIZE, 8, v); }
    void setInvalidReason(int v) { meta2 = put(meta2, N_INVALID, 3, v); }
    int branchKindOrdinal() { return get(meta2(), N_BRANCH, 3); }
    private int fieldOffset() { return get(meta2(), N_FIELD_OFFSET, 4); }
    private int fieldSize() { return get(meta2(), N_FIELD_SIZE, 4); }

    /** Virtual address of the first byte. */
    public long address() { return address; }

    /** Length in bytes; for an invalid decode, how many bytes to skip (at least 1 unless the input was empty). */
    public int length() { return length; }

    public boolean isValid() { return (bits & B_VALID) != 0; }

    /** The instruction was cut by the decode limit (always invalid). */
    public boolean isTruncated() { return get(meta2(), N_INVALID, 3) == InvalidReason.TRUNCATED.ordinal(); }

    public InvalidReason invalidReason() { return INVALID_REASONS[get(meta2(), N_INVALID, 3)]; }

    public Encoding encoding() { return ENCODINGS[get(meta(), M_ENCODING, 3)]; }

    /** {@code syscall} (0F 05). */
    public boolean isSyscall() { return (bits & B_SYSCALL) != 0; }

    /** {@code sysenter} (0F 34). */
    public boolean isSysenter() { return (bits & B_SYSENTER) != 0; }

    public BranchKind branchKind() { return BRANCH_KINDS[branchKindOrdinal()]; }

    /** A branch whose target is encoded as a displacement from the end of the instruction. */
    public boolean isRelativeBranch() { return branchKindOrdinal() != 0; }

    /** Absolute target of a relative branch (meaningless unless {@link #isRelativeBranch()}). */
    public long branchTarget() {
        return isRelativeBranch() && fieldSize() != 0 ? address + length + value : 0;
    }

    /** Offset of the rel8/rel16/rel32 field within the instruction. */
    public int relOffset() { return isRelativeBranch() ? fieldOffset() : 0; }

    /** Size of the rel field: 1, 2 or 4. */
    public int relSize() { return isRelativeBranch() ? fieldSize() : 0; }

    /** Memory operand addressed relative to RIP (ModRM mod=00 rm=101 without SIB). */
    public boolean isRipRelative() { return (bits & B_RIP_RELATIVE) != 0; }

    /**
     * Absolute address of the RIP-relative operand: end of instruction plus displacement (for EVEX
     * the disp8*N-scaled value). With a 67 prefix the sum is truncated to 32 bits, as EIP-relative.
     */
    public long ripTarget() {
        if (!isRipRelative()) {
            return 0;
        }
        long target = address + length + displacement;
        return addressSize() == 4 ? target & 0xFFFF_FFFFL : target;
    }

    /** Offset of the displacement field within the instruction, 0 if there is none. */
    public int dispOffset() { return get(meta2(), N_DISP_OFFSET, 4); }

    /** Size of the displacement field in bytes (0, 1, 2 or 4). */
    public int dispSize() { return get(meta2(), N_DISP_SIZE, 3); }

    /** Sign-extended displacement value; for EVEX disp8 already multiplied by N (disp8*N compression). */
    public long displacement() { return displacement; }

    /** Bytes accessed by the memory operand when the decoder knows it, else 0. */
    public int memoryOperandSize() { return get(meta2(), N_MEMORY_SIZE, 8); }

    /** Memory operand whose base register is RSP (SIB base=100, REX.B=0, 64-bit addressing). */
    public boolean isRspRelative() { return (bits & B_RSP_RELATIVE) != 0; }

    /** Displacement from RSP of an {@link #isRspRelative()} operand (0 for other instructions). */
    public long rspDisplacement() { return isRspRelative() ? displacement : 0; }

    /** Bit set of {@code PREFIX_*} legacy prefixes seen (including ones cancelled or ignored). */
    public int prefixes() { return get(meta(), M_PREFIXES, 6); }

    /** The last segment-override byte (26 2E 36 3E 64 65) or 0. */
    public int segmentPrefix() { return get(meta(), M_SEGMENT, 8); }

    /** The effective REX byte (40-4F) or 0; a REX followed by a legacy prefix is not effective. */
    public int rex() { return get(meta(), M_REX, 8); }

    /** Opcode map, see {@code MAP_*}; for VEX/EVEX/XOP the map the escape selects. */
    public int opcodeMap() { return get(meta(), M_MAP, 4); }

    /** The opcode byte within its map (for 3DNow!, 0x0F; the operation is {@link #immediate()}). */
    public int opcode() { return get(meta(), M_OPCODE, 8); }

    /** Offset of the opcode byte within the instruction. */
    public int opcodeOffset() { return get(meta(), M_OPCODE_OFFSET, 4); }

    /**
     * The mandatory prefix that selected this form: 0 none, 1 = 66, 2 = F3, 3 = F2. For VEX, EVEX
     * and XOP it is the encoded pp field; for legacy SSE maps the prefix the decoder picked.
     */
    public int mandatoryPrefix() { return get(meta(), M_MANDATORY, 2); }

    public boolean hasModrm() { return get(meta(), M_MODRM, 9) != 0; }

    /** ModRM byte or -1. */
    public int modrm() { return get(meta(), M_MODRM, 9) - 1; }

    /** SIB byte or -1. */
    public int sib() { return get(meta(), M_SIB, 9) - 1; }

    /** Effective operand size in bytes for general-purpose operands: 2, 4 or 8. */
    public int operandSize() { return 2 << get(meta(), M_OPERAND_SIZE, 2); }

    /** Effective address size in bytes: 4 (67 prefix) or 8. */
    public int addressSize() { return 4 << get(meta(), M_ADDRESS_SIZE, 1); }

    /** Vector length in bits for VEX/EVEX/XOP instructions (128, 256, 512), else 0. */
    public int vectorLength() {
        int code = get(meta2(), N_VECTOR_LENGTH, 3);
        return code == 0 ? 0 : 64 << code;
    }

    /** VEX/EVEX/XOP W bit. */
    public boolean vexW() { return (bits & B_VEX_W) != 0; }

    /** Offset of the (first) immediate within the instruction, 0 if none. */
    public int immOffset() { return isRelativeBranch() ? 0 : fieldOffset(); }

    /** Total size of immediate bytes (ENTER: 3, EXTRQ/INSERTQ: 2); relative-branch fields are not immediates. */
    public int immSize() { return isRelativeBranch() ? 0 : fieldSize(); }

    /** Immediate value, sign-extended from its size (for ENTER: the whole 3-byte little-endian value). */
    public long immediate() { return isRelativeBranch() ? 0 : value; }

    /** {@code ret}, {@code ret imm16}, far returns and {@code iret}. */
    public boolean isRet() { return (bits & B_RET) != 0; }

    /** {@code call/jmp} through a register or memory (FF /2 /3 /4 /5). */
    public boolean isIndirectBranch() { return (bits & B_INDIRECT_BRANCH) != 0; }

    @Override
    public String toString() {
        if (!isValid()) {
            return String.format("%x: invalid(%s) skip %d", address, invalidReason(), length);
        }
        return String.format("%x: %s map %d op %02x len %d%s%s", address, encoding(), opcodeMap(), opcode(), length,
                !isRelativeBranch() ? "" : " " + branchKind() + " -> " + Long.toHexString(branchTarget()),
                isRipRelative() ? " [rip -> " + Long.toHexString(ripTarget()) + "]" : "");
    }

    /**
     * Clears what a decode may leave unwritten (the full decoder's starting state); it only stores
     * primitives (a reference store would carry a GC write barrier), the booleans share one int and
     * the small fields two longs. The decoder's fast path writes every field itself instead.
     */
    void reset(long address) {
        this.address = address;
        bits = 0;
        meta = META_RESET;
        meta2 = 0;
        fast = 0;
        displacement = 0;
        value = 0;
    }
}
